//! Size distributions (a job's work). Each distribution has one file here holding
//! its settings check (raw settings to [`SizeDist`]) and its sampler; this file is the
//! registry that dispatches on the distribution's name, and holds the raw `size:`
//! schema shared by all of them (every setting is a field of [`RawSize`]).
//!
//! A [`Sampler`] is built once per stream and draws from the stream's own generator.
//! The continuous distributions come from `rand_distr`.
//!
//! To add a distribution: a file here with `FIELDS`, `validate` and `sampler` (and
//! `sample` if `rand_distr` has no sampler for it); then one line in each `match`
//! below, a variant of [`RawDist`] (and any new setting in [`RawSize`]) and of
//! [`crate::model::SizeDist`] with its mean and variance.

mod constant;
mod empirical;
mod exponential;
mod gamma;
mod lognormal;
mod normal;
mod pareto;
mod uniform;
mod weibull;

pub use empirical::{SamplesError, read_samples};

use crate::model::{FieldError, SizeDist};
use crate::units::NonNeg;
use rand::Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Normal, Pareto, Uniform, Weibull};
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;

/// Size distributions by name.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawDist {
    /// `value`.
    Constant,
    /// `mean`.
    Exponential,
    /// `min`, `max`.
    Uniform,
    /// `mean`, `sd`, optional `min` (default 0) and `max` (truncated normal).
    Normal,
    /// `mean`, `cv`.
    Lognormal,
    /// `shape` and `scale`, or `mean` and `cv`.
    Gamma,
    /// `shape`, `scale`.
    Weibull,
    /// `shape` (alpha), `scale` (minimum), optional `max` (bounded Pareto).
    Pareto,
    /// `file` (CSV), optional `column`, `scale`, `interpolate`.
    Empirical,
}

impl RawDist {
    /// Name as written in scenarios.
    pub fn as_str(self) -> &'static str {
        match self {
            RawDist::Constant => "constant",
            RawDist::Exponential => "exponential",
            RawDist::Uniform => "uniform",
            RawDist::Normal => "normal",
            RawDist::Lognormal => "lognormal",
            RawDist::Gamma => "gamma",
            RawDist::Weibull => "weibull",
            RawDist::Pareto => "pareto",
            RawDist::Empirical => "empirical",
        }
    }
}

/// Work distribution of a kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSize {
    /// Distribution name.
    pub dist: RawDist,
    /// Constant value.
    pub value: Option<NonNeg>,
    /// Mean.
    pub mean: Option<NonNeg>,
    /// Coefficient of variation.
    pub cv: Option<NonNeg>,
    /// Standard deviation (normal).
    pub sd: Option<NonNeg>,
    /// Lower bound.
    pub min: Option<NonNeg>,
    /// Upper bound.
    pub max: Option<NonNeg>,
    /// Shape parameter (gamma, Weibull, Pareto).
    pub shape: Option<NonNeg>,
    /// Scale parameter (gamma, Weibull; Pareto: the minimum; empirical: a factor
    /// applied to every sample).
    pub scale: Option<NonNeg>,
    /// Empirical: CSV file of samples, relative to the scenario file.
    pub file: Option<String>,
    /// Empirical: column name (default: the first column).
    pub column: Option<String>,
    /// Empirical: interpolate between order statistics (default false).
    pub interpolate: Option<bool>,
}

/// Checks the settings of `s` (at field path `p`; files relative to `base`) and
/// builds the distribution.
pub fn validate(s: &RawSize, p: &str, base: &Path) -> Result<SizeDist, FieldError> {
    let name = s.dist.as_str();
    let set = [
        ("value", s.value.is_some()),
        ("mean", s.mean.is_some()),
        ("cv", s.cv.is_some()),
        ("sd", s.sd.is_some()),
        ("min", s.min.is_some()),
        ("max", s.max.is_some()),
        ("shape", s.shape.is_some()),
        ("scale", s.scale.is_some()),
        ("file", s.file.is_some()),
        ("column", s.column.is_some()),
        ("interpolate", s.interpolate.is_some()),
    ];
    let allowed: &[&str] = match s.dist {
        RawDist::Constant => constant::FIELDS,
        RawDist::Exponential => exponential::FIELDS,
        RawDist::Uniform => uniform::FIELDS,
        RawDist::Normal => normal::FIELDS,
        RawDist::Lognormal => lognormal::FIELDS,
        RawDist::Gamma => gamma::FIELDS,
        RawDist::Weibull => weibull::FIELDS,
        RawDist::Pareto => pareto::FIELDS,
        RawDist::Empirical => empirical::FIELDS,
    };
    FieldError::only(p, "dist", name, &set, allowed)?;
    let c = Checks { s, p, name, base };
    match s.dist {
        RawDist::Constant => constant::validate(&c),
        RawDist::Exponential => exponential::validate(&c),
        RawDist::Uniform => uniform::validate(&c),
        RawDist::Normal => normal::validate(&c),
        RawDist::Lognormal => lognormal::validate(&c),
        RawDist::Gamma => gamma::validate(&c),
        RawDist::Weibull => weibull::validate(&c),
        RawDist::Pareto => pareto::validate(&c),
        RawDist::Empirical => empirical::validate(&c),
    }
}

/// The checks the distributions share, with the settings and their field path.
pub(crate) struct Checks<'a> {
    /// The settings.
    pub s: &'a RawSize,
    /// Field path of the `size:` mapping.
    pub p: &'a str,
    /// Distribution name.
    pub name: &'static str,
    /// Directory that relative file names start from.
    pub base: &'a Path,
}

impl Checks<'_> {
    /// A required setting `f`.
    pub fn need(&self, v: Option<NonNeg>, f: &str) -> Result<f64, FieldError> {
        v.map(|x| x.0).ok_or_else(|| {
            FieldError::new(
                format!("{}.{f}", self.p),
                format!("missing `{f}` for dist `{}`", self.name),
            )
        })
    }

    /// `v` (setting `f`) must be positive.
    pub fn positive(&self, v: f64, f: &str) -> Result<f64, FieldError> {
        if v > 0.0 {
            Ok(v)
        } else {
            Err(FieldError::new(
                format!("{}.{f}", self.p),
                format!("`{f}` must be positive"),
            ))
        }
    }
}

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
        match *d {
            SizeDist::Constant(v) => Sampler::Constant(v),
            SizeDist::Exponential { mean } => exponential::sampler(mean),
            SizeDist::Uniform { min, max } => uniform::sampler(min, max),
            SizeDist::Normal { mean, sd, min, max } => normal::sampler(mean, sd, min, max),
            SizeDist::Lognormal { mean, cv } => lognormal::sampler(mean, cv),
            SizeDist::Gamma { shape, scale } => gamma::sampler(shape, scale),
            SizeDist::Weibull { shape, scale } => weibull::sampler(shape, scale),
            SizeDist::Pareto { shape, scale, max } => pareto::sampler(shape, scale, max),
            SizeDist::Empirical {
                ref samples,
                interpolate,
            } => empirical::sampler(samples, interpolate),
        }
    }

    /// Draws one value.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Constant(v) => *v,
            Sampler::Exp(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::Normal(d, lo, hi) => normal::sample(d, *lo, *hi, rng),
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::Weibull(d) => d.sample(rng),
            Sampler::Pareto(d) => d.sample(rng),
            Sampler::BoundedPareto(a, l, h) => pareto::sample_bounded(*a, *l, *h, rng),
            Sampler::Empirical(s, interpolate) => empirical::sample(s, *interpolate, rng),
        }
    }
}
