//! Batch arrivals: `count` arrivals at the same instant `at`, optionally repeated
//! every `every` s, `batches` times (or until the horizon).

use super::Checks;
use crate::model::{Arrival, FieldError};

/// Settings a batch takes.
pub(super) const FIELDS: &[&str] = &["count", "at", "every", "batches"];

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<Arrival, FieldError> {
    let (a, p, scale) = (c.a, c.p, c.scale);
    let count = a
        .count
        .ok_or_else(|| FieldError::new(format!("{p}.count"), "missing `count` for a batch"))?;
    if count == 0 {
        return Err(FieldError::new(
            format!("{p}.count"),
            "count must be at least 1",
        ));
    }
    let count = ((count as f64) * scale).round().max(1.0) as u64;
    let every = match a.every {
        None => {
            if a.batches.is_some() {
                return Err(FieldError::new(
                    format!("{p}.batches"),
                    "`batches` needs `every`",
                ));
            }
            None
        }
        Some(e) if e.0 > 0.0 => {
            c.tick(e.0, "every")?;
            Some(e.0)
        }
        Some(_) => {
            return Err(FieldError::new(
                format!("{p}.every"),
                "`every` must be positive",
            ));
        }
    };
    if every.is_some() && a.batches.is_none() && c.horizon.is_none() {
        return Err(
            FieldError::new(format!("{p}.every"), "a repeating batch needs an end")
                .with_hint("set `batches` here or a top-level `horizon`"),
        );
    }
    Ok(Arrival::Batch {
        count,
        at: a.at.map_or(0.0, |s| s.0),
        every,
        batches: a.batches,
    })
}

/// Generator state.
#[derive(Debug)]
pub(super) struct State {
    count: u64,
    at: f64,
    every: Option<f64>,
    batches: Option<u64>,
    in_batch: u64,
    batch: u64,
}

impl State {
    pub(super) fn new(count: u64, at: f64, every: Option<f64>, batches: Option<u64>) -> Self {
        State {
            count,
            at,
            every,
            batches,
            in_batch: 0,
            batch: 0,
        }
    }

    pub(super) fn next(&mut self) -> Option<f64> {
        if self.in_batch == self.count {
            self.in_batch = 0;
            self.batch += 1;
        }
        let more = match self.every {
            None => self.batch == 0,
            Some(_) => self.batches.is_none_or(|b| self.batch < b),
        };
        if !more || self.count == 0 {
            return None;
        }
        self.in_batch += 1;
        Some(self.at + self.every.unwrap_or(0.0) * self.batch as f64)
    }
}
