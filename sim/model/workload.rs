//! How jobs arrive and how big they are: arrival processes, repeating rate profiles
//! and work-size distributions, as the validated model holds them.

use super::math::pareto_moment;
use super::math::{gamma_fn, truncated_normal_moments};
use rand_distr::{Exp, Gamma, LogNormal, Normal, Pareto, Uniform, Weibull};
use std::sync::Arc;

/// How jobs of a kind arrive. The generators are in [`crate::workload::arrival`].
#[derive(Clone, Debug, PartialEq)]
pub enum Arrival {
    /// Poisson process of `rate` jobs/s from `start`, at most `count` jobs.
    Poisson {
        /// Mean arrivals per second.
        rate: f64,
        /// Stop after this many arrivals.
        count: Option<u64>,
        /// First possible arrival time, s.
        start: f64,
        /// The gap between arrivals, exponential at `rate` (built by the loader).
        gap: Exp<f64>,
    },
    /// `sources` independent sensors, each sending one job every `period` s, each
    /// arrival displaced by a uniform jitter in [-jitter/2, +jitter/2] (sensor streams).
    /// With one source the first nominal arrival is at `start`; with several, each
    /// source's phase is drawn uniformly in [0, period) from the kind's arrival stream.
    Periodic {
        /// Period of one source, s.
        period: f64,
        /// Total jitter width, s (below the period).
        jitter: f64,
        /// Stop after this many arrivals (all sources together).
        count: Option<u64>,
        /// Time of the first nominal arrival, s.
        start: f64,
        /// Number of independent sources (at least 1).
        sources: u32,
    },
    /// Markov-modulated Poisson process with two states (on/off bursts): Poisson at
    /// `on_rate` while on and at `off_rate` while off; the on and off periods are
    /// exponential with means `on_mean` and `off_mean`. The initial state is drawn from
    /// the stationary distribution, so the process is stationary from `start`.
    Burst {
        /// Arrivals per second while on.
        on_rate: f64,
        /// Arrivals per second while off (often 0).
        off_rate: f64,
        /// Mean length of an on period, s.
        on_mean: f64,
        /// Mean length of an off period, s.
        off_mean: f64,
        /// Stop after this many arrivals.
        count: Option<u64>,
        /// Start of the process, s.
        start: f64,
        /// On-period length, exponential with mean `on_mean` (built by the loader).
        on_len: Exp<f64>,
        /// Off-period length, exponential with mean `off_mean` (built by the loader).
        off_len: Exp<f64>,
    },
    /// Non-homogeneous Poisson process with intensity `rate x profile.level(t)`,
    /// sampled exactly by thinning against a piecewise-constant bound.
    Profile {
        /// Base rate, arrivals per second (multiplied by the profile's level).
        rate: f64,
        /// The repeating level curve.
        profile: RateProfile,
        /// Stop after this many arrivals.
        count: Option<u64>,
        /// Start of the process, s (the profile's clock starts at 0, not here).
        start: f64,
    },
    /// `count` jobs all arriving at time `at` (a closed batch); with `every`, the batch
    /// repeats every `every` s, `batches` times (or until the horizon).
    Batch {
        /// Jobs per batch.
        count: u64,
        /// Arrival time of the first batch, s.
        at: f64,
        /// Repeat interval, s (`None`: one batch).
        every: Option<f64>,
        /// Number of batches when repeating (`None`: until the horizon).
        batches: Option<u64>,
    },
    /// No generated arrivals: the kind is used by the explicit job list, by traces, or
    /// as a pipeline successor.
    None,
}

/// How a [`RateProfile`] joins its points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interpolation {
    /// The level holds from one point to the next (shift patterns, market hours).
    Step,
    /// The level moves linearly between points (diurnal curves, rush hours).
    Linear,
}

/// A level curve that repeats every `period` seconds, given by points `(t, level)`.
/// Build it with [`RateProfile::new`], which sorts nothing and checks nothing (the
/// scenario loader checks) but normalises: if the first point is after 0, a point at
/// 0 is added with the level the curve has there when it wraps around from the last
/// point. So `points[0].0 == 0` always holds.
#[derive(Clone, Debug, PartialEq)]
pub struct RateProfile {
    /// Length of one repetition, s (e.g. 86400 for a daily curve).
    pub period: f64,
    /// `(time in the period, level)`, times strictly increasing in [0, period), the
    /// first at 0.
    pub points: Vec<(f64, f64)>,
    /// How levels join between points.
    pub interpolation: Interpolation,
}

impl RateProfile {
    /// Builds a profile from points with strictly increasing times in [0, period)
    /// (at least one point), adding the wrap-around point at 0 when needed.
    pub fn new(period: f64, mut points: Vec<(f64, f64)>, interpolation: Interpolation) -> Self {
        let (t0, v0) = points[0];
        if t0 > 0.0 {
            let (tl, vl) = points[points.len() - 1];
            let at0 = match interpolation {
                Interpolation::Step => vl,
                Interpolation::Linear => {
                    let span = period - tl + t0;
                    vl + (v0 - vl) * (period - tl) / span
                }
            };
            points.insert(0, (0.0, at0));
        }
        RateProfile {
            period,
            points,
            interpolation,
        }
    }

    /// Number of segments in one period (one per point).
    pub fn segment_count(&self) -> usize {
        self.points.len()
    }

    /// Segment `i` as `(start, end, level at start, level just before end)`, in
    /// period time. The last segment ends at `period`, where a linear curve has come
    /// back to the first point's level.
    pub fn segment(&self, i: usize) -> (f64, f64, f64, f64) {
        let (a, va) = self.points[i];
        let (b, vb) = match self.points.get(i + 1) {
            Some(&p) => p,
            None => (self.period, self.points[0].1),
        };
        let end = match self.interpolation {
            Interpolation::Step => va,
            Interpolation::Linear => vb,
        };
        (a, b, va, end)
    }

    /// The level at absolute time `t` (s, `t >= 0`).
    pub fn level(&self, t: f64) -> f64 {
        let x = t.rem_euclid(self.period);
        let i = self.points.partition_point(|p| p.0 <= x).max(1) - 1;
        let (a, b, va, vb) = self.segment(i);
        if b > a {
            va + (vb - va) * (x - a) / (b - a)
        } else {
            va
        }
    }

    /// Integral of the level over one period (s x level).
    pub fn period_integral(&self) -> f64 {
        (0..self.segment_count())
            .map(|i| {
                let (a, b, va, vb) = self.segment(i);
                0.5 * (va + vb) * (b - a)
            })
            .sum()
    }

    /// Integral of the level over [a, b] (absolute times, `0 <= a <= b`). The expected
    /// number of arrivals of a profile process in [a, b] is `rate` times this.
    pub fn integral(&self, a: f64, b: f64) -> f64 {
        self.cumulative(b) - self.cumulative(a)
    }

    fn cumulative(&self, t: f64) -> f64 {
        let whole = (t / self.period).floor();
        let x = t - whole * self.period;
        let mut acc = whole * self.period_integral();
        for i in 0..self.segment_count() {
            let (a, b, va, vb) = self.segment(i);
            if x <= a {
                break;
            }
            let e = x.min(b);
            let ve = if b > a {
                va + (vb - va) * (e - a) / (b - a)
            } else {
                va
            };
            acc += 0.5 * (va + ve) * (e - a);
        }
        acc
    }

    /// Mean level over a period.
    pub fn mean_level(&self) -> f64 {
        self.period_integral() / self.period
    }

    /// Largest level.
    pub fn max_level(&self) -> f64 {
        self.points.iter().map(|p| p.1).fold(0.0, f64::max)
    }
}

/// Distribution of a job's work (units of work; run time = work / speed). Samplers are
/// in [`crate::workload::size`].
#[derive(Clone, Debug, PartialEq)]
pub enum SizeDist {
    /// Always `value`.
    Constant(f64),
    /// Exponential with the given mean.
    Exponential {
        /// Mean work.
        mean: f64,
    },
    /// Uniform on [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Normal(`mean`, `sd`) truncated to [min, max] (resampled until inside).
    Normal {
        /// Mean of the normal before truncation.
        mean: f64,
        /// Standard deviation before truncation.
        sd: f64,
        /// Lower bound (default 0).
        min: f64,
        /// Upper bound (default +infinity).
        max: f64,
    },
    /// Lognormal given by its mean and coefficient of variation.
    Lognormal {
        /// Mean work.
        mean: f64,
        /// Standard deviation / mean.
        cv: f64,
    },
    /// Gamma with shape k and scale theta (mean k theta, cv 1/sqrt(k)).
    Gamma {
        /// Shape k.
        shape: f64,
        /// Scale theta.
        scale: f64,
    },
    /// Weibull with shape k and scale lambda.
    Weibull {
        /// Shape k.
        shape: f64,
        /// Scale lambda.
        scale: f64,
    },
    /// Pareto (type I) with shape alpha and minimum `scale`; with `max`, the bounded
    /// Pareto on [scale, max].
    Pareto {
        /// Tail index alpha.
        shape: f64,
        /// Minimum value x_m.
        scale: f64,
        /// Upper bound (bounded Pareto), if any.
        max: Option<f64>,
    },
    /// Resampling of observed values (sorted ascending). With `interpolate`, a draw
    /// is a linear interpolation between neighbouring order statistics (a continuous
    /// version of the empirical distribution); without, one of the values uniformly.
    Empirical {
        /// The samples, sorted ascending (at least one).
        samples: std::sync::Arc<[f64]>,
        /// Interpolate between order statistics.
        interpolate: bool,
    },
}

impl SizeDist {
    /// The distribution's mean (`f64::INFINITY` for a Pareto with shape <= 1 and no max).
    pub fn mean(&self) -> f64 {
        match self {
            SizeDist::Constant(v) => *v,
            SizeDist::Exponential { mean } | SizeDist::Lognormal { mean, .. } => *mean,
            SizeDist::Uniform { min, max } => 0.5 * (min + max),
            SizeDist::Normal { mean, sd, min, max } => {
                truncated_normal_moments(*mean, *sd, *min, *max).0
            }
            SizeDist::Gamma { shape, scale } => shape * scale,
            SizeDist::Weibull { shape, scale } => scale * gamma_fn(1.0 + 1.0 / shape),
            SizeDist::Pareto { shape, scale, max } => pareto_moment(*shape, *scale, *max, 1.0),
            SizeDist::Empirical {
                samples,
                interpolate,
            } => {
                let n = samples.len();
                if *interpolate && n > 1 {
                    // Mean of the piecewise-linear quantile function.
                    let s: f64 = samples.windows(2).map(|w| 0.5 * (w[0] + w[1])).sum();
                    s / (n - 1) as f64
                } else {
                    samples.iter().sum::<f64>() / n as f64
                }
            }
        }
    }

    /// The distribution's variance (`f64::INFINITY` where the moment does not exist).
    pub fn variance(&self) -> f64 {
        match self {
            SizeDist::Constant(_) => 0.0,
            SizeDist::Exponential { mean } => mean * mean,
            SizeDist::Uniform { min, max } => (max - min).powi(2) / 12.0,
            SizeDist::Normal { mean, sd, min, max } => {
                truncated_normal_moments(*mean, *sd, *min, *max).1
            }
            SizeDist::Lognormal { mean, cv } => (mean * cv).powi(2),
            SizeDist::Gamma { shape, scale } => shape * scale * scale,
            SizeDist::Weibull { shape, scale } => {
                let g1 = gamma_fn(1.0 + 1.0 / shape);
                scale * scale * (gamma_fn(1.0 + 2.0 / shape) - g1 * g1)
            }
            SizeDist::Pareto { shape, scale, max } => {
                let m1 = pareto_moment(*shape, *scale, *max, 1.0);
                let m2 = pareto_moment(*shape, *scale, *max, 2.0);
                if m2.is_finite() {
                    m2 - m1 * m1
                } else {
                    f64::INFINITY
                }
            }
            SizeDist::Empirical {
                samples,
                interpolate,
            } => {
                let n = samples.len();
                let m = self.mean();
                if *interpolate && n > 1 {
                    // E[X^2] of the piecewise-linear quantile function.
                    let s: f64 = samples
                        .windows(2)
                        .map(|w| (w[0] * w[0] + w[0] * w[1] + w[1] * w[1]) / 3.0)
                        .sum();
                    s / (n - 1) as f64 - m * m
                } else {
                    samples.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64
                }
            }
        }
    }
}

/// A ready-to-draw size distribution: the `rand_distr` distribution built from a
/// [`SizeDist`]'s parameters. Built (fallibly) by
/// [`crate::workload::size::Sampler::new`], which the scenario loader calls once per
/// distribution, so a run only clones samplers and never builds one; drawn by
/// [`crate::workload::size::Sampler::sample`].
#[derive(Clone, Debug, PartialEq)]
pub enum Sampler {
    /// Always this value.
    Constant(f64),
    /// Exponential.
    Exp(Exp<f64>),
    /// Uniform on a closed interval.
    Uniform(Uniform<f64>),
    /// Truncated normal: the normal and the window.
    Normal(Normal<f64>, f64, f64),
    /// Lognormal.
    LogNormal(LogNormal<f64>),
    /// Gamma.
    Gamma(Gamma<f64>),
    /// Weibull.
    Weibull(Weibull<f64>),
    /// Unbounded Pareto.
    Pareto(Pareto<f64>),
    /// Bounded Pareto: shape, lower and upper bound.
    BoundedPareto(f64, f64, f64),
    /// Empirical samples (sorted) and whether to interpolate.
    Empirical(Arc<[f64]>, bool),
}

/// A checked size distribution with its sampler: what a [`crate::model::JobKind`]
/// holds. Only the scenario loader makes one (from a distribution whose sampler it
/// has built), so the two always agree.
#[derive(Clone, Debug, PartialEq)]
pub struct Size {
    dist: SizeDist,
    sampler: Sampler,
}

impl Size {
    /// Pairs a distribution with the sampler built from it (the loader only).
    pub(crate) fn new(dist: SizeDist, sampler: Sampler) -> Self {
        Size { dist, sampler }
    }

    /// Always `v`.
    pub(crate) fn constant(v: f64) -> Self {
        Size::new(SizeDist::Constant(v), Sampler::Constant(v))
    }

    /// The distribution's parameters.
    pub fn dist(&self) -> &SizeDist {
        &self.dist
    }

    /// Its sampler (clone it to draw from a stream's own generator).
    pub fn sampler(&self) -> &Sampler {
        &self.sampler
    }
}
