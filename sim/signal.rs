//! Piecewise-constant time signals: carbon intensity, electricity price, a power cap.
//!
//! A signal holds values from given times on (the last value holds forever, or the
//! whole series repeats with a period). Integrals are exact and cost O(log n) through
//! prefix sums, so energy x intensity can be integrated between any two events without
//! events at every signal step.

use crate::engine::{NANOS_PER_SEC, Time};

/// Points that do not make a signal.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SignalError {
    /// No points at all.
    #[error("a signal needs at least one point")]
    Empty,
    /// A time is not after the one before it.
    #[error("signal times must increase (found {found} after {after} ns)")]
    NotIncreasing {
        /// The earlier time, ns.
        after: Time,
        /// The time found after it, ns.
        found: Time,
    },
    /// A value is infinite or NaN.
    #[error("signal value {0} is not finite")]
    NotFinite(f64),
    /// A point of a repeating series lies at or after the period.
    #[error("point at {0} s lies outside the repeat period")]
    OutsidePeriod(f64),
}

/// A piecewise-constant signal over simulated time.
#[derive(Clone, Debug, PartialEq)]
pub struct Signal {
    /// Change times, ns, strictly increasing, first is 0.
    times: Vec<Time>,
    /// Value from `times[i]` on.
    values: Vec<f64>,
    /// Integral from 0 to `times[i]`, value x s.
    prefix: Vec<f64>,
    /// Repeat period, ns (the series covers [0, period)).
    period: Option<Time>,
    /// What the given points cover, ns: the first point to the last plus the longest
    /// step (`(0, Time::MAX)` for a constant).
    given: (Time, Time),
}

impl Signal {
    /// A constant signal.
    pub fn constant(v: f64) -> Signal {
        Signal {
            times: vec![0],
            values: vec![v],
            prefix: vec![0.0],
            period: None,
            given: (0, Time::MAX),
        }
    }

    /// A signal from (time, value) points, sorted by time. Before the first point the
    /// first value holds. With `period`, the series repeats (points must lie in
    /// [0, period)).
    pub fn from_points(
        points: &[(Time, f64)],
        period: Option<Time>,
    ) -> Result<Signal, SignalError> {
        if points.is_empty() {
            return Err(SignalError::Empty);
        }
        let mut times = vec![0];
        let mut values = vec![points[0].1];
        for w in points.windows(2) {
            if w[1].0 <= w[0].0 {
                return Err(SignalError::NotIncreasing {
                    after: w[0].0,
                    found: w[1].0,
                });
            }
        }
        for &(t, v) in points {
            if !v.is_finite() {
                return Err(SignalError::NotFinite(v));
            }
            if let Some(p) = period
                && t >= p
            {
                return Err(SignalError::OutsidePeriod(t as f64 / NANOS_PER_SEC));
            }
            if t == 0 {
                values[0] = v;
            } else {
                times.push(t);
                values.push(v);
            }
        }
        let mut prefix = vec![0.0; times.len()];
        for i in 1..times.len() {
            prefix[i] =
                prefix[i - 1] + values[i - 1] * (times[i] - times[i - 1]) as f64 / NANOS_PER_SEC;
        }
        // What the data covers: first point to last point plus the longest step (a
        // single point is a constant).
        let step = points.windows(2).map(|w| w[1].0 - w[0].0).max();
        let given = match step {
            Some(step) => (points[0].0, points[points.len() - 1].0.saturating_add(step)),
            None => (0, Time::MAX),
        };
        Ok(Signal {
            times,
            values,
            prefix,
            period,
            given,
        })
    }

    /// The span of simulated time a series' data covers, for a series that does not
    /// repeat: from its first point to its last point plus its longest step (after that
    /// the last value only holds). `None` for a constant or a repeating signal.
    pub fn covered(&self) -> Option<(Time, Time)> {
        if self.period.is_some() || self.given.1 == Time::MAX {
            return None;
        }
        Some(self.given)
    }

    /// Whether the signal never changes.
    pub fn is_constant(&self) -> bool {
        self.values.iter().all(|v| *v == self.values[0])
    }

    fn index(&self, t: Time) -> usize {
        self.times.partition_point(|&x| x <= t) - 1
    }

    fn local(&self, t: Time) -> (u64, Time) {
        match self.period {
            Some(p) => (t / p, t % p),
            None => (0, t),
        }
    }

    /// Value at time `t`.
    pub fn at(&self, t: Time) -> f64 {
        self.values[self.index(self.local(t).1)]
    }

    /// Integral from 0 to a time within one period (or anywhere, without a period).
    fn integral_local(&self, t: Time) -> f64 {
        let i = self.index(t);
        self.prefix[i] + self.values[i] * (t - self.times[i]) as f64 / NANOS_PER_SEC
    }

    /// Integral of the signal from 0 to `t`, in value x seconds.
    pub fn integral_to(&self, t: Time) -> f64 {
        match self.period {
            None => self.integral_local(t),
            Some(p) => {
                let (n, r) = self.local(t);
                n as f64 * self.integral_local(p) + self.integral_local(r)
            }
        }
    }

    /// Integral over [t0, t1], value x seconds.
    pub fn integral(&self, t0: Time, t1: Time) -> f64 {
        self.integral_to(t1) - self.integral_to(t0)
    }

    /// The first time after `t` at which the value changes, if any.
    pub fn next_change(&self, t: Time) -> Option<Time> {
        if self.is_constant() {
            return None;
        }
        let (n, r) = self.local(t);
        let i = self.index(r);
        if let Some(&next) = self.times.get(i + 1) {
            return Some(next + self.period.map_or(0, |p| n * p));
        }
        self.period.map(|p| (n + 1) * p)
    }

    /// Smallest and largest value.
    pub fn range(&self) -> (f64, f64) {
        let lo = self.values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self
            .values
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const S: Time = 1_000_000_000;

    #[test]
    fn integrals_are_exact() {
        let s = Signal::from_points(&[(0, 100.0), (10 * S, 300.0)], None).unwrap();
        assert_eq!(s.at(5 * S), 100.0);
        assert_eq!(s.at(10 * S), 300.0);
        assert!((s.integral(5 * S, 15 * S) - (500.0 + 1500.0)).abs() < 1e-9);
        assert_eq!(s.next_change(0), Some(10 * S));
        assert_eq!(s.next_change(10 * S), None);
    }

    #[test]
    fn periodic_signals_repeat() {
        let s = Signal::from_points(&[(0, 1.0), (12 * S, 3.0)], Some(24 * S)).unwrap();
        assert_eq!(s.at(30 * S), 1.0);
        assert_eq!(s.at(40 * S), 3.0);
        assert!((s.integral_to(48 * S) - 2.0 * (12.0 + 36.0)).abs() < 1e-9);
        assert_eq!(s.next_change(13 * S), Some(24 * S));
        assert_eq!(s.next_change(25 * S), Some(36 * S));
    }

    #[test]
    fn constant_signal() {
        let s = Signal::constant(5.0);
        assert!((s.integral(0, 2 * S) - 10.0).abs() < 1e-12);
        assert_eq!(s.next_change(0), None);
    }
}
