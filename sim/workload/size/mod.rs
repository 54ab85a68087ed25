//! Size distributions (a job's work). Each distribution has one file here holding
//! its settings check (raw settings to [`SizeDist`]) and its sampler; this file is the
//! registry that dispatches on the distribution's name, and holds the raw `size:`
//! schema shared by all of them (every setting is a field of [`RawSize`]).
//!
//! A [`Sampler`] is built once, when the scenario is loaded (so bad parameters are a
//! located error then, never a panic in a run); each stream clones it and draws from
//! its own generator.
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

pub use crate::model::Sampler;
use crate::model::{FieldError, Size, SizeDist};
use crate::units::NonNeg;
use rand::Rng;
use rand_distr::Distribution;
use serde::Deserialize;
use std::path::Path;

/// Parameters `rand_distr` refuses for a distribution (the loader's checks refuse them
/// first, with the field named).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct SamplerError(String);

impl SamplerError {
    fn new(e: impl std::fmt::Display) -> Self {
        SamplerError(e.to_string())
    }
}

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
/// builds the distribution and its sampler.
pub fn validate(s: &RawSize, p: &str, base: &Path) -> Result<Size, FieldError> {
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
    let dist = match s.dist {
        RawDist::Constant => constant::validate(&c),
        RawDist::Exponential => exponential::validate(&c),
        RawDist::Uniform => uniform::validate(&c),
        RawDist::Normal => normal::validate(&c),
        RawDist::Lognormal => lognormal::validate(&c),
        RawDist::Gamma => gamma::validate(&c),
        RawDist::Weibull => weibull::validate(&c),
        RawDist::Pareto => pareto::validate(&c),
        RawDist::Empirical => empirical::validate(&c),
    }?;
    let sampler =
        Sampler::new(&dist).map_err(|e| FieldError::new(p, format!("dist `{name}`: {e}")))?;
    Ok(Size::new(dist, sampler))
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

impl Sampler {
    /// Builds the sampler for `d`. The scenario loader does this once per
    /// distribution, so a run never builds one; it fails only for parameters the
    /// loader's checks refuse.
    pub fn new(d: &SizeDist) -> Result<Sampler, SamplerError> {
        Ok(match *d {
            SizeDist::Constant(v) => Sampler::Constant(v),
            SizeDist::Exponential { mean } => exponential::sampler(mean)?,
            SizeDist::Uniform { min, max } => uniform::sampler(min, max)?,
            SizeDist::Normal { mean, sd, min, max } => normal::sampler(mean, sd, min, max)?,
            SizeDist::Lognormal { mean, cv } => lognormal::sampler(mean, cv)?,
            SizeDist::Gamma { shape, scale } => gamma::sampler(shape, scale)?,
            SizeDist::Weibull { shape, scale } => weibull::sampler(shape, scale)?,
            SizeDist::Pareto { shape, scale, max } => pareto::sampler(shape, scale, max)?,
            SizeDist::Empirical {
                ref samples,
                interpolate,
            } => empirical::sampler(samples, interpolate),
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Arrival;
    use crate::scenario::{Format, parse_str};
    use rand_distr::Exp;

    #[test]
    fn the_loader_builds_every_sampler_from_the_parameters_it_checked() {
        let yaml = "name: t\nhorizon: 1h\ndatacenter:\n  classes:\n    cpu:\n      category: cpu\n      \
            count: 1\n      speed: {a: 1, b: 1}\n      busy_power: 100W\nworkload:\n  kinds:\n    a:\n      \
            arrival: {process: poisson, rate: 2/s}\n      size: {dist: gamma, mean: 10, cv: 2}\n      \
            estimate: {factor_dist: {dist: uniform, min: 1, max: 3}}\n    b:\n      \
            arrival: {process: burst, rate: 3/s, on_mean: 5s, off_mean: 15s}\n      \
            size: {dist: pareto, shape: 2.5, scale: 1}\n";
        let sc = parse_str(yaml, Format::Yaml, Path::new("t.yaml")).unwrap();
        for k in &sc.kinds {
            assert_eq!(k.sampler(), &Sampler::new(k.size()).unwrap(), "{}", k.name);
        }
        let Some(crate::model::EstimateRule::Dist(f)) = &sc.kinds[0].estimate else {
            panic!("{:?}", sc.kinds[0].estimate)
        };
        assert_eq!(f.sampler(), &Sampler::new(f.dist()).unwrap());
        let Arrival::Poisson { rate, gap, .. } = sc.kinds[0].arrival() else {
            panic!()
        };
        assert_eq!((*rate, *gap), (2.0, Exp::new(2.0).unwrap()));
        let Arrival::Burst {
            on_len, off_len, ..
        } = sc.kinds[1].arrival()
        else {
            panic!()
        };
        assert_eq!(*on_len, Exp::new(1.0 / 5.0).unwrap());
        assert_eq!(*off_len, Exp::new(1.0 / 15.0).unwrap());
    }

    #[test]
    fn parameters_rand_distr_refuses_are_an_error_not_a_panic() {
        let bad = [
            SizeDist::Gamma {
                shape: -1.0,
                scale: 1.0,
            },
            SizeDist::Weibull {
                shape: 1.0,
                scale: -1.0,
            },
            SizeDist::Uniform { min: 2.0, max: 1.0 },
            SizeDist::Pareto {
                shape: 2.0,
                scale: -1.0,
                max: None,
            },
        ];
        for d in &bad {
            assert!(Sampler::new(d).is_err(), "{d:?}");
        }
    }
}
