//! Work samplers: one per [`SizeDist`], built once per stream and drawing from the
//! stream's own generator.
//!
//! The continuous distributions come from `rand_distr`. Two need more than a call:
//! the truncated normal resamples until the draw falls inside [min, max] (the loader
//! refuses windows that keep less than 0.1% of the mass, so the loop ends quickly),
//! and the bounded Pareto uses its inverse distribution function.

use crate::model::SizeDist;
use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Normal, Pareto, Uniform, Weibull};
use std::sync::Arc;

/// A ready-to-draw size distribution.
#[derive(Clone, Debug)]
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

impl Sampler {
    /// Builds the sampler. The distribution's parameters must be valid (the scenario
    /// loader checks them); invalid ones panic here.
    pub fn new(d: &SizeDist) -> Sampler {
        match d {
            SizeDist::Constant(v) => Sampler::Constant(*v),
            SizeDist::Exponential { mean } => {
                Sampler::Exp(Exp::new(1.0 / mean).expect("validated mean > 0"))
            }
            SizeDist::Uniform { min, max } if min == max => Sampler::Constant(*min),
            SizeDist::Uniform { min, max } => {
                Sampler::Uniform(Uniform::new_inclusive(*min, *max).expect("validated"))
            }
            SizeDist::Normal { mean, sd, min, max } => {
                Sampler::Normal(Normal::new(*mean, *sd).expect("validated"), *min, *max)
            }
            SizeDist::Lognormal { mean, cv } => {
                // mean = exp(mu + s^2/2), cv^2 = exp(s^2) - 1
                let s2 = (1.0 + cv * cv).ln();
                let mu = mean.ln() - 0.5 * s2;
                Sampler::LogNormal(LogNormal::new(mu, s2.sqrt()).expect("validated"))
            }
            SizeDist::Gamma { shape, scale } => {
                Sampler::Gamma(Gamma::new(*shape, *scale).expect("validated"))
            }
            SizeDist::Weibull { shape, scale } => {
                Sampler::Weibull(Weibull::new(*scale, *shape).expect("validated"))
            }
            SizeDist::Pareto {
                shape,
                scale,
                max: None,
            } => Sampler::Pareto(Pareto::new(*scale, *shape).expect("validated")),
            SizeDist::Pareto {
                shape,
                scale,
                max: Some(h),
            } => Sampler::BoundedPareto(*shape, *scale, *h),
            SizeDist::Empirical {
                samples,
                interpolate,
            } => Sampler::Empirical(samples.clone(), *interpolate),
        }
    }

    /// Draws one value.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Constant(v) => *v,
            Sampler::Exp(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::Normal(d, lo, hi) => loop {
                let x = d.sample(rng);
                if x >= *lo && x <= *hi {
                    break x;
                }
            },
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::Weibull(d) => d.sample(rng),
            Sampler::Pareto(d) => d.sample(rng),
            Sampler::BoundedPareto(a, l, h) => {
                // Inverse of F(x) = (1 - (l/x)^a) / (1 - (l/h)^a).
                let u: f64 = rng.random();
                let tail = 1.0 - (l / h).powf(*a);
                l / (1.0 - u * tail).powf(1.0 / a)
            }
            Sampler::Empirical(s, interpolate) => {
                let n = s.len();
                if n == 1 {
                    return s[0];
                }
                let u: f64 = rng.random();
                if *interpolate {
                    let x = u * (n - 1) as f64;
                    let i = (x as usize).min(n - 2);
                    let f = x - i as f64;
                    s[i] + f * (s[i + 1] - s[i])
                } else {
                    s[((u * n as f64) as usize).min(n - 1)]
                }
            }
        }
    }
}
