//! Burst arrivals (two-state MMPP): the on/off periods are exponential, and within
//! each the arrivals are Poisson at that state's rate. Because both are memoryless,
//! the generator draws a gap at the current rate and, if it overruns the current
//! period, restarts at the period's end in the other state. This is exact.

use super::Checks;
use crate::model::{Arrival, FieldError};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Exp};

/// Settings a burst process takes.
pub(super) const FIELDS: &[&str] = &["rate", "off_rate", "on_mean", "off_mean", "count", "start"];

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<Arrival, FieldError> {
    let a = c.a;
    let on_rate = c.need_rate()?;
    let off_rate = a.off_rate.map_or(0.0, |r| r.0) * c.scale;
    c.fast(off_rate, "off_rate")?;
    let on_mean = c.positive(a.on_mean, "on_mean")?;
    let off_mean = c.positive(a.off_mean, "off_mean")?;
    c.unbounded(a.count)?;
    Ok(Arrival::Burst {
        on_rate,
        off_rate,
        on_mean,
        off_mean,
        count: a.count,
        start: c.start(),
        on_len: c.exp(1.0 / on_mean, "on_mean")?,
        off_len: c.exp(1.0 / off_mean, "off_mean")?,
    })
}

/// Generator state.
#[derive(Debug)]
pub(super) struct State {
    on: bool,
    on_rate: f64,
    off_rate: f64,
    on_len: Exp<f64>,
    off_len: Exp<f64>,
    /// Time left in the current period.
    left: f64,
    t: f64,
}

impl State {
    /// Draws the initial state (stationary) and its remaining length from `rng`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        on_rate: f64,
        off_rate: f64,
        on_mean: f64,
        off_mean: f64,
        start: f64,
        on_len: Exp<f64>,
        off_len: Exp<f64>,
        rng: &mut ChaCha8Rng,
    ) -> Self {
        let on = rng.random::<f64>() < on_mean / (on_mean + off_mean);
        let left = if on {
            on_len.sample(rng)
        } else {
            off_len.sample(rng)
        };
        State {
            on,
            on_rate,
            off_rate,
            on_len,
            off_len,
            left,
            t: start,
        }
    }

    pub(super) fn next(&mut self, rng: &mut ChaCha8Rng) -> Option<f64> {
        loop {
            let rate = if self.on { self.on_rate } else { self.off_rate };
            let gap = if rate > 0.0 {
                -(1.0 - rng.random::<f64>()).ln() / rate
            } else {
                f64::INFINITY
            };
            if gap < self.left {
                self.left -= gap;
                self.t += gap;
                return Some(self.t);
            }
            self.t += self.left;
            self.on = !self.on;
            self.left = if self.on {
                self.on_len.sample(rng)
            } else {
                self.off_len.sample(rng)
            };
        }
    }
}
