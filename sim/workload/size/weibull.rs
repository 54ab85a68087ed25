//! Weibull work with shape k and scale lambda.

use super::{Checks, Sampler, SamplerError};
use crate::model::{FieldError, SizeDist};
use rand_distr::Weibull;

/// Settings a Weibull takes.
pub(super) const FIELDS: &[&str] = &["shape", "scale"];

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<SizeDist, FieldError> {
    Ok(SizeDist::Weibull {
        shape: c.positive(c.need(c.s.shape, "shape")?, "shape")?,
        scale: c.positive(c.need(c.s.scale, "scale")?, "scale")?,
    })
}

/// The sampler.
pub(super) fn sampler(shape: f64, scale: f64) -> Result<Sampler, SamplerError> {
    Ok(Sampler::Weibull(
        Weibull::new(scale, shape).map_err(SamplerError::new)?,
    ))
}
