//! Poisson arrivals: exponential gaps at `rate` from `start`, at most `count`.

use super::Checks;
use crate::model::{Arrival, FieldError};
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Exp};

/// Settings a poisson process takes.
pub(super) const FIELDS: &[&str] = &["rate", "count", "start"];

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<Arrival, FieldError> {
    let rate = c.need_rate()?;
    c.unbounded(c.a.count)?;
    Ok(Arrival::Poisson {
        rate,
        count: c.a.count,
        start: c.start(),
        gap: c.exp(rate, "rate")?,
    })
}

/// Generator state.
#[derive(Debug)]
pub(super) struct State {
    gap: Exp<f64>,
    t: f64,
}

impl State {
    pub(super) fn new(gap: Exp<f64>, start: f64) -> Self {
        State { gap, t: start }
    }

    pub(super) fn next(&mut self, rng: &mut ChaCha8Rng) -> Option<f64> {
        self.t += self.gap.sample(rng);
        Some(self.t)
    }
}
