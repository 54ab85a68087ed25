//! Pareto (type I) work with shape alpha and minimum `scale`; with `max`, the bounded
//! Pareto on [scale, max], sampled through its inverse distribution function.

use super::{Checks, Sampler, SamplerError};
use crate::model::{FieldError, SizeDist};
use rand::{Rng, RngExt};
use rand_distr::Pareto;

/// Settings a Pareto takes.
pub(super) const FIELDS: &[&str] = &["shape", "scale", "max"];

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<SizeDist, FieldError> {
    let (s, p) = (c.s, c.p);
    let shape = c.positive(c.need(s.shape, "shape")?, "shape")?;
    let scale = c.positive(c.need(s.scale, "scale")?, "scale")?;
    let max = s.max.map(|m| m.0);
    if let Some(m) = max
        && m <= scale
    {
        return Err(FieldError::new(
            format!("{p}.max"),
            "max must be above scale (the minimum)",
        ));
    }
    if max.is_none() && shape <= 1.0 {
        return Err(FieldError::new(
            format!("{p}.shape"),
            format!("shape {shape} <= 1 gives an infinite mean"),
        )
        .with_hint("use shape > 1, or set `max` for a bounded Pareto"));
    }
    Ok(SizeDist::Pareto { shape, scale, max })
}

/// The sampler.
pub(super) fn sampler(shape: f64, scale: f64, max: Option<f64>) -> Result<Sampler, SamplerError> {
    Ok(match max {
        None => Sampler::Pareto(Pareto::new(scale, shape).map_err(SamplerError::new)?),
        Some(h) => Sampler::BoundedPareto(shape, scale, h),
    })
}

/// One draw of the bounded Pareto with shape `a` on [l, h].
pub(super) fn sample_bounded<R: Rng + ?Sized>(a: f64, l: f64, h: f64, rng: &mut R) -> f64 {
    // Inverse of F(x) = (1 - (l/x)^a) / (1 - (l/h)^a).
    let u: f64 = rng.random();
    let tail = 1.0 - (l / h).powf(a);
    l / (1.0 - u * tail).powf(1.0 / a)
}
