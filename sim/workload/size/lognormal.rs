//! Lognormal work given by its mean and coefficient of variation.

use super::{Checks, Sampler, SamplerError};
use crate::model::{FieldError, SizeDist};
use crate::units::show;
use rand_distr::LogNormal;

/// Settings a lognormal takes.
pub(super) const FIELDS: &[&str] = &["mean", "cv"];

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<SizeDist, FieldError> {
    let mean = c.positive(c.need(c.s.mean, "mean")?, "mean")?;
    let cv = c.positive(c.need(c.s.cv, "cv")?, "cv")?;
    // sigma^2 = ln(1 + cv^2) must be finite for the distribution to exist.
    if !(1.0 + cv * cv).ln().is_finite() {
        return Err(FieldError::new(
            format!("{}.cv", c.p),
            format!("cv {} is too large", show(cv)),
        ));
    }
    Ok(SizeDist::Lognormal { mean, cv })
}

/// The sampler.
pub(super) fn sampler(mean: f64, cv: f64) -> Result<Sampler, SamplerError> {
    // mean = exp(mu + s^2/2), cv^2 = exp(s^2) - 1
    let s2 = (1.0 + cv * cv).ln();
    let mu = mean.ln() - 0.5 * s2;
    Ok(Sampler::LogNormal(
        LogNormal::new(mu, s2.sqrt()).map_err(SamplerError::new)?,
    ))
}
