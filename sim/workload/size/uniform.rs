//! Uniform work on [min, max].

use super::{Checks, Sampler, SamplerError};
use crate::model::{FieldError, SizeDist};
use rand_distr::Uniform;

/// Settings a uniform takes.
pub(super) const FIELDS: &[&str] = &["min", "max"];

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<SizeDist, FieldError> {
    let (min, max) = (c.need(c.s.min, "min")?, c.need(c.s.max, "max")?);
    if min > max {
        return Err(FieldError::new(
            format!("{}.max", c.p),
            "max must be at least min",
        ));
    }
    Ok(SizeDist::Uniform { min, max })
}

/// The sampler (a constant when the interval is one point).
pub(super) fn sampler(min: f64, max: f64) -> Result<Sampler, SamplerError> {
    Ok(if min == max {
        Sampler::Constant(min)
    } else {
        Sampler::Uniform(Uniform::new_inclusive(min, max).map_err(SamplerError::new)?)
    })
}
