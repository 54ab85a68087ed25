//! Arrival processes. Each process has one file here holding its settings check (raw
//! settings to [`Arrival`]) and its generator; this file is the registry that
//! dispatches on the process name, and holds the raw `arrival:` schema shared by all
//! processes (every setting is a field of [`RawArrival`], so unknown ones are refused
//! while parsing, with a position).
//!
//! An [`ArrivalStream`] yields arrival times in non-decreasing order, lazily, from its
//! own generator.
//!
//! To add a process: a file here with `FIELDS`, `validate` and a `State` with `new`
//! and `next`; then one line in each `match` below, a variant of [`RawProcess`] (and
//! any new setting in [`RawArrival`]) and of [`crate::model::Arrival`].

mod batch;
mod burst;
mod periodic;
mod poisson;
mod profile;

use crate::model::{Arrival, FieldError};
use crate::units::{NonNeg, PerSecond, Seconds, show};
use rand::rngs::ChaCha8Rng;
use rand_distr::Exp;
use serde::Deserialize;

/// Largest Poisson arrival rate, per second. The clock counts nanoseconds, so a
/// faster stream would pile arrivals onto the same instants (and, far beyond it, stop
/// the clock from advancing at all).
pub const MAX_RATE: f64 = 1e9;
/// Shortest periodic arrival period, seconds: one clock tick.
pub const MIN_PERIOD: f64 = 1e-9;

/// Arrival processes by name.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawProcess {
    /// Poisson arrivals (`rate`).
    Poisson,
    /// Periodic arrivals (`period`, `jitter`, `sources`).
    Periodic,
    /// On/off Markov-modulated Poisson bursts (`rate`, `off_rate`, `on_mean`, `off_mean`).
    Burst,
    /// Time-varying rate (`rate` times the `profile` level), sampled by thinning.
    Profile,
    /// A batch at one instant (`count`, `at`), optionally repeated (`every`, `batches`).
    Batch,
    /// No generated arrivals.
    None,
}

impl RawProcess {
    /// Name as written in scenarios.
    pub fn as_str(self) -> &'static str {
        match self {
            RawProcess::Poisson => "poisson",
            RawProcess::Periodic => "periodic",
            RawProcess::Burst => "burst",
            RawProcess::Profile => "profile",
            RawProcess::Batch => "batch",
            RawProcess::None => "none",
        }
    }
}

/// Arrival settings of a kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArrival {
    /// Process name.
    pub process: RawProcess,
    /// Poisson rate; burst: the rate while on; profile: the base rate.
    pub rate: Option<PerSecond>,
    /// Periodic period.
    pub period: Option<Seconds>,
    /// Periodic jitter (total width).
    pub jitter: Option<Seconds>,
    /// Periodic: number of independent sources (default 1).
    pub sources: Option<u32>,
    /// Burst: rate while off (default 0).
    pub off_rate: Option<PerSecond>,
    /// Burst: mean length of an on period.
    pub on_mean: Option<Seconds>,
    /// Burst: mean length of an off period.
    pub off_mean: Option<Seconds>,
    /// Profile: the level curve.
    pub profile: Option<RawProfile>,
    /// Maximum number of arrivals (batch: the batch size).
    pub count: Option<u64>,
    /// First arrival time (poisson, periodic, burst, profile).
    pub start: Option<Seconds>,
    /// Batch arrival time.
    pub at: Option<Seconds>,
    /// Batch: repeat interval.
    pub every: Option<Seconds>,
    /// Batch: number of batches when repeating (default: until the horizon).
    pub batches: Option<u64>,
}

/// Interpolation of a rate profile.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawInterpolation {
    /// Hold each level until the next point.
    Step,
    /// Move linearly between points.
    Linear,
}

/// A repeating level curve: `points: [[time, level], ...]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    /// Repetition period (default 24h).
    pub period: Option<Seconds>,
    /// `step` or `linear` (default linear).
    pub interpolation: Option<RawInterpolation>,
    /// `[time in the period, level]` pairs, times increasing from 0.
    pub points: Vec<(Seconds, NonNeg)>,
}

/// Checks the settings of `a` (at field path `p`) and builds the process. `horizon`
/// is the scenario's, `scale` the workload's intensity factor.
pub fn validate(
    a: &RawArrival,
    p: &str,
    horizon: Option<f64>,
    scale: f64,
) -> Result<Arrival, FieldError> {
    let set = [
        ("rate", a.rate.is_some()),
        ("period", a.period.is_some()),
        ("jitter", a.jitter.is_some()),
        ("sources", a.sources.is_some()),
        ("off_rate", a.off_rate.is_some()),
        ("on_mean", a.on_mean.is_some()),
        ("off_mean", a.off_mean.is_some()),
        ("profile", a.profile.is_some()),
        ("count", a.count.is_some()),
        ("start", a.start.is_some()),
        ("at", a.at.is_some()),
        ("every", a.every.is_some()),
        ("batches", a.batches.is_some()),
    ];
    let allowed: &[&str] = match a.process {
        RawProcess::Poisson => poisson::FIELDS,
        RawProcess::Periodic => periodic::FIELDS,
        RawProcess::Burst => burst::FIELDS,
        RawProcess::Profile => profile::FIELDS,
        RawProcess::Batch => batch::FIELDS,
        RawProcess::None => &[],
    };
    let name = a.process.as_str();
    FieldError::only(p, "process", name, &set, allowed)?;
    let c = Checks {
        a,
        p,
        name,
        horizon,
        scale,
    };
    match a.process {
        RawProcess::Poisson => poisson::validate(&c),
        RawProcess::Periodic => periodic::validate(&c),
        RawProcess::Burst => burst::validate(&c),
        RawProcess::Profile => profile::validate(&c),
        RawProcess::Batch => batch::validate(&c),
        RawProcess::None => Ok(Arrival::None),
    }
}

/// The checks the processes share, with the settings and their field path.
pub(crate) struct Checks<'a> {
    /// The settings.
    pub a: &'a RawArrival,
    /// Field path of the `arrival:` mapping.
    pub p: &'a str,
    /// Process name.
    pub name: &'static str,
    /// The scenario's horizon, s.
    pub horizon: Option<f64>,
    /// The workload's intensity factor.
    pub scale: f64,
}

impl Checks<'_> {
    /// An open process (no `count`) needs a horizon.
    pub fn unbounded(&self, count: Option<u64>) -> Result<(), FieldError> {
        if count.is_none() && self.horizon.is_none() {
            Err(
                FieldError::new(self.p.to_string(), "an open arrival process needs an end")
                    .with_hint("set a top-level `horizon` (e.g. horizon: 1h) or `count` here"),
            )
        } else {
            Ok(())
        }
    }

    /// The clock counts nanoseconds: a faster stream piles arrivals onto the same
    /// instants (and, far beyond it, stops the clock advancing at all).
    pub fn fast(&self, r: f64, f: &str) -> Result<(), FieldError> {
        if r > MAX_RATE {
            Err(FieldError::new(
                format!("{}.{f}", self.p),
                format!("rate {}/s is above the limit of {MAX_RATE:e}/s", show(r)),
            )
            .with_hint("the clock counts nanoseconds: at most about one arrival per tick"))
        } else {
            Ok(())
        }
    }

    /// The exponential distribution at `rate` (setting `f`), built here so a run
    /// never builds one.
    pub fn exp(&self, rate: f64, f: &str) -> Result<Exp<f64>, FieldError> {
        Exp::new(rate).map_err(|e| FieldError::new(format!("{}.{f}", self.p), e.to_string()))
    }

    /// A time step of at least one clock tick.
    pub fn tick(&self, v: f64, f: &str) -> Result<(), FieldError> {
        if v < MIN_PERIOD {
            Err(FieldError::new(
                format!("{}.{f}", self.p),
                format!("{f} {} s is shorter than one clock tick (1 ns)", show(v)),
            ))
        } else {
            Ok(())
        }
    }

    /// The `rate` setting, required and positive, times the scale.
    pub fn need_rate(&self) -> Result<f64, FieldError> {
        let p = self.p;
        let r = self
            .a
            .rate
            .ok_or_else(|| {
                FieldError::new(
                    format!("{p}.rate"),
                    format!("missing `rate` for a {} process", self.name),
                )
            })?
            .0;
        if r <= 0.0 {
            return Err(FieldError::new(
                format!("{p}.rate"),
                "rate must be positive",
            ));
        }
        self.fast(r * self.scale, "rate")?;
        Ok(r * self.scale)
    }

    /// A required, positive duration setting `f`.
    pub fn positive(&self, v: Option<Seconds>, f: &str) -> Result<f64, FieldError> {
        let p = self.p;
        let v = v
            .ok_or_else(|| {
                FieldError::new(
                    format!("{p}.{f}"),
                    format!("missing `{f}` for a {} process", self.name),
                )
            })?
            .0;
        if v <= 0.0 {
            return Err(FieldError::new(
                format!("{p}.{f}"),
                format!("`{f}` must be positive"),
            ));
        }
        Ok(v)
    }

    /// The `start` setting (default 0).
    pub fn start(&self) -> f64 {
        self.a.start.map_or(0.0, |s| s.0)
    }
}

#[derive(Debug)]
enum State {
    Poisson(poisson::State),
    Periodic(periodic::State),
    Burst(burst::State),
    Profile(profile::State),
    Batch(batch::State),
    None,
}

/// Lazy arrival times of one process.
#[derive(Debug)]
pub struct ArrivalStream {
    state: State,
    rng: ChaCha8Rng,
    count: Option<u64>,
    emitted: u64,
}

impl ArrivalStream {
    /// A stream for `arrival` drawing from `rng`.
    pub fn new(arrival: &Arrival, mut rng: ChaCha8Rng) -> Self {
        let (state, count) = match *arrival {
            Arrival::Poisson {
                count, start, gap, ..
            } => (State::Poisson(poisson::State::new(gap, start)), count),
            Arrival::Periodic {
                period,
                jitter,
                count,
                start,
                sources,
            } => (
                State::Periodic(periodic::State::new(
                    period, jitter, start, sources, &mut rng,
                )),
                count,
            ),
            Arrival::Burst {
                on_rate,
                off_rate,
                on_mean,
                off_mean,
                count,
                start,
                on_len,
                off_len,
            } => (
                State::Burst(burst::State::new(
                    on_rate, off_rate, on_mean, off_mean, start, on_len, off_len, &mut rng,
                )),
                count,
            ),
            Arrival::Profile {
                rate,
                ref profile,
                count,
                start,
            } => (
                State::Profile(profile::State::new(rate, profile, start)),
                count,
            ),
            Arrival::Batch {
                count,
                at,
                every,
                batches,
            } => (
                State::Batch(batch::State::new(count, at, every, batches)),
                None,
            ),
            Arrival::None => (State::None, None),
        };
        ArrivalStream {
            state,
            rng,
            count,
            emitted: 0,
        }
    }

    /// Arrivals produced so far.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }

    /// The next arrival time, s, or `None` when the process has ended.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<f64> {
        if self.count.is_some_and(|c| self.emitted >= c) {
            return None;
        }
        let rng = &mut self.rng;
        let t = match &mut self.state {
            State::Poisson(s) => s.next(rng),
            State::Periodic(s) => s.next(rng),
            State::Burst(s) => s.next(rng),
            State::Profile(s) => s.next(rng),
            State::Batch(s) => s.next(),
            State::None => None,
        }?;
        self.emitted += 1;
        Some(t)
    }
}
