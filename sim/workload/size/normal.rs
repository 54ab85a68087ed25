//! Normal(`mean`, `sd`) truncated to [min, max]: the sampler resamples until the draw
//! falls inside (the check refuses windows that keep less than 0.1% of the mass, so
//! the loop ends quickly).

use super::{Checks, Sampler, SamplerError};
use crate::model::{FieldError, SizeDist, truncated_normal_moments};
use rand::Rng;
use rand_distr::{Distribution, Normal};

/// Settings a normal takes.
pub(super) const FIELDS: &[&str] = &["mean", "sd", "min", "max"];

/// Smallest share of a normal's mass a truncation window may keep.
const MIN_NORMAL_MASS: f64 = 1e-3;

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<SizeDist, FieldError> {
    let (s, p) = (c.s, c.p);
    let mean = c.need(s.mean, "mean")?;
    let sd = c.positive(c.need(s.sd, "sd")?, "sd")?;
    let min = s.min.map_or(0.0, |v| v.0);
    let max = s.max.map_or(f64::INFINITY, |v| v.0);
    if max <= min {
        return Err(FieldError::new(format!("{p}.max"), "max must be above min"));
    }
    let kept = truncated_normal_moments(mean, sd, min, max).2;
    if kept < MIN_NORMAL_MASS {
        return Err(FieldError::new(
            format!("{p}.{}", if s.max.is_some() { "max" } else { "min" }),
            format!(
                "the window [{min}, {max}] keeps only {:.2e} of the normal's mass, too little to sample",
                kept
            ),
        )
        .with_hint("widen the window or move the mean into it"));
    }
    Ok(SizeDist::Normal { mean, sd, min, max })
}

/// The sampler.
pub(super) fn sampler(mean: f64, sd: f64, min: f64, max: f64) -> Result<Sampler, SamplerError> {
    let d = Normal::new(mean, sd).map_err(SamplerError::new)?;
    Ok(Sampler::Normal(d, min, max))
}

/// One draw inside [lo, hi].
pub(super) fn sample<R: Rng + ?Sized>(d: &Normal<f64>, lo: f64, hi: f64, rng: &mut R) -> f64 {
    loop {
        let x = d.sample(rng);
        if x >= lo && x <= hi {
            break x;
        }
    }
}
