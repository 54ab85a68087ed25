//! Exponential work with the given mean.

use super::{Checks, Sampler, SamplerError};
use crate::model::{FieldError, SizeDist};
use rand_distr::Exp;

/// Settings an exponential takes.
pub(super) const FIELDS: &[&str] = &["mean"];

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<SizeDist, FieldError> {
    Ok(SizeDist::Exponential {
        mean: c.positive(c.need(c.s.mean, "mean")?, "mean")?,
    })
}

/// The sampler.
pub(super) fn sampler(mean: f64) -> Result<Sampler, SamplerError> {
    Ok(Sampler::Exp(
        Exp::new(1.0 / mean).map_err(SamplerError::new)?,
    ))
}
