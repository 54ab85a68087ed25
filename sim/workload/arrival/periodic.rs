//! Periodic arrivals: `sources` sensors with the same period. Their phases are drawn
//! once; each nominal arrival gets a uniform jitter, and a small reorder buffer keeps
//! the output sorted when jitter makes neighbouring sources cross.

use super::Checks;
use crate::model::{Arrival, FieldError};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Uniform};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Settings a periodic process takes.
pub(super) const FIELDS: &[&str] = &["period", "jitter", "sources", "count", "start"];

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<Arrival, FieldError> {
    let (a, p, scale) = (c.a, c.p, c.scale);
    let period = c.positive(a.period, "period")? / scale;
    c.tick(period, "period")?;
    let jitter = a.jitter.map_or(0.0, |j| j.0) / scale;
    if jitter >= period {
        return Err(FieldError::new(
            format!("{p}.jitter"),
            "jitter must be smaller than the period",
        ));
    }
    let sources = a.sources.unwrap_or(1);
    if sources == 0 {
        return Err(FieldError::new(
            format!("{p}.sources"),
            "sources must be at least 1",
        ));
    }
    c.unbounded(a.count)?;
    Ok(Arrival::Periodic {
        period,
        jitter,
        count: a.count,
        start: c.start(),
        sources,
    })
}

/// A finite `f64` with a total order, for the reorder buffer.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Ordered(f64);
impl Eq for Ordered {}
impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Generator state.
#[derive(Debug)]
pub(super) struct State {
    period: f64,
    jitter: f64,
    start: f64,
    /// Source phases, sorted, in [0, period).
    phases: Vec<f64>,
    /// Index of the next nominal arrival to generate.
    k: u64,
    buf: BinaryHeap<Reverse<Ordered>>,
}

impl State {
    /// Draws the phases of several sources from `rng`.
    pub(super) fn new(
        period: f64,
        jitter: f64,
        start: f64,
        sources: u32,
        rng: &mut ChaCha8Rng,
    ) -> Self {
        let mut phases = vec![0.0];
        if sources > 1 {
            phases = (0..sources).map(|_| rng.random::<f64>() * period).collect();
            phases.sort_by(f64::total_cmp);
        }
        State {
            period,
            jitter,
            start,
            phases,
            k: 0,
            buf: BinaryHeap::new(),
        }
    }

    pub(super) fn next(&mut self, rng: &mut ChaCha8Rng) -> Option<f64> {
        let State {
            period,
            jitter,
            start,
            phases,
            k,
            buf,
        } = self;
        let n = phases.len() as u64;
        let nominal =
            |k: u64| -> f64 { *start + phases[(k % n) as usize] + (k / n) as f64 * *period };
        Some(if *jitter <= 0.0 {
            let t = nominal(*k);
            *k += 1;
            t
        } else {
            // Any arrival generated later is at or after nominal(k) - jitter/2.
            while buf
                .peek()
                .is_none_or(|Reverse(Ordered(m))| *m > nominal(*k) - 0.5 * *jitter)
            {
                let u: f64 = Uniform::new(-0.5, 0.5).expect("valid").sample(rng);
                buf.push(Reverse(Ordered((nominal(*k) + u * *jitter).max(0.0))));
                *k += 1;
            }
            buf.pop().expect("filled above").0.0
        })
    }
}
