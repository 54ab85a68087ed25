//! Gamma work: `shape` and `scale`, or `mean` and `cv`.

use super::{Checks, Sampler, SamplerError};
use crate::model::{FieldError, SizeDist};
use crate::units::show;
use rand_distr::Gamma;

/// Settings a gamma takes.
pub(super) const FIELDS: &[&str] = &["shape", "scale", "mean", "cv"];

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<SizeDist, FieldError> {
    let (s, p) = (c.s, c.p);
    let by_shape = s.shape.is_some() || s.scale.is_some();
    let by_mean = s.mean.is_some() || s.cv.is_some();
    if by_shape && by_mean {
        return Err(FieldError::new(
            format!("{p}.{}", if s.mean.is_some() { "mean" } else { "cv" }),
            "give either `shape` and `scale`, or `mean` and `cv`",
        ));
    }
    if by_mean {
        let mean = c.positive(c.need(s.mean, "mean")?, "mean")?;
        let cv = c.positive(c.need(s.cv, "cv")?, "cv")?;
        let (shape, scale) = (1.0 / (cv * cv), mean * cv * cv);
        if !(shape.is_finite() && shape > 0.0 && scale.is_finite() && scale > 0.0) {
            return Err(FieldError::new(
                format!("{p}.cv"),
                format!(
                    "cv {} with mean {} gives no gamma distribution",
                    show(cv),
                    show(mean)
                ),
            ));
        }
        Ok(SizeDist::Gamma { shape, scale })
    } else {
        Ok(SizeDist::Gamma {
            shape: c.positive(c.need(s.shape, "shape")?, "shape")?,
            scale: c.positive(c.need(s.scale, "scale")?, "scale")?,
        })
    }
}

/// The sampler.
pub(super) fn sampler(shape: f64, scale: f64) -> Result<Sampler, SamplerError> {
    Ok(Sampler::Gamma(
        Gamma::new(shape, scale).map_err(SamplerError::new)?,
    ))
}
