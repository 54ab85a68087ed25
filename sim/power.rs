//! Power accounting: exact energy integrals of piecewise-constant power, and the
//! power time series (at change points or time-averaged over fixed intervals).

use crate::engine::{NANOS_PER_SEC, Time, to_secs};

/// One row of the power time series.
#[derive(Clone, Debug, PartialEq)]
pub struct PowerRow {
    /// Start of the segment or interval, s.
    pub time_s: f64,
    /// Length of the segment or interval, s.
    pub duration_s: f64,
    /// IT power per class, W (interval mode: mean over the interval).
    pub class_w: Vec<f64>,
    /// IT power, W.
    pub it_w: f64,
    /// Facility power (IT x PUE), W.
    pub facility_w: f64,
    /// Jobs released and not started (policy queue plus device queues).
    pub queue_len: f64,
    /// Devices busy.
    pub busy_devices: f64,
}

/// The instantaneous state the meter integrates.
#[derive(Clone, Debug, Default)]
pub struct Levels {
    /// IT power per class, W.
    pub class_w: Vec<f64>,
    /// Jobs waiting.
    pub queue_len: u64,
    /// Devices busy.
    pub busy: u64,
}

/// Integrates power and emits series rows. Call [`Meter::advance`] with the state that
/// held since the previous call, before changing it.
#[derive(Debug)]
pub struct Meter {
    pue: f64,
    cap_w: Option<f64>,
    interval: Option<Time>,
    last: Time,
    /// Energy per class, J.
    pub class_j: Vec<f64>,
    /// IT energy, J.
    pub it_j: f64,
    /// Highest IT power seen, W.
    pub peak_w: f64,
    /// Time spent with IT power at or above the cap, ns.
    pub at_cap_ns: Time,
    /// Integral of queue length over time, job-ns.
    pub queue_integral: f64,
    // Interval accumulation.
    acc_start: Time,
    acc_class_j: Vec<f64>,
    acc_queue: f64,
    acc_busy: f64,
    last_row: Option<(Vec<f64>, u64, u64)>,
}

impl Meter {
    /// A meter for `classes` classes.
    pub fn new(classes: usize, pue: f64, cap_w: Option<f64>, interval: Option<Time>) -> Self {
        Meter {
            pue,
            cap_w,
            interval,
            last: 0,
            class_j: vec![0.0; classes],
            it_j: 0.0,
            peak_w: 0.0,
            at_cap_ns: 0,
            queue_integral: 0.0,
            acc_start: 0,
            acc_class_j: vec![0.0; classes],
            acc_queue: 0.0,
            acc_busy: 0.0,
            last_row: None,
        }
    }

    /// Facility energy, J.
    pub fn facility_j(&self) -> f64 {
        self.it_j * self.pue
    }

    /// Integrates `lv` over [last, t) and emits rows through `emit`.
    pub fn advance(&mut self, t: Time, lv: &Levels, emit: &mut dyn FnMut(PowerRow)) {
        if t < self.last {
            return;
        }
        let dt = t - self.last;
        if dt == 0 {
            // A state that held for no time (between two events at one instant).
            return;
        }
        let it: f64 = lv.class_w.iter().sum();
        if it > self.peak_w {
            self.peak_w = it;
        }
        let dts = dt as f64 / NANOS_PER_SEC;
        for (e, w) in self.class_j.iter_mut().zip(&lv.class_w) {
            *e += w * dts;
        }
        self.it_j += it * dts;
        self.queue_integral += lv.queue_len as f64 * dt as f64;
        if self.cap_w.is_some_and(|c| it >= c - 1e-9) {
            self.at_cap_ns += dt;
        }
        match self.interval {
            None => {
                let key = (lv.class_w.clone(), lv.queue_len, lv.busy);
                // Merge segments whose state did not change.
                if self.last_row.as_ref() != Some(&key) {
                    self.flush_segment(emit);
                    self.acc_start = self.last;
                    self.last_row = Some(key);
                }
            }
            Some(iv) => {
                let mut from = self.last;
                while from < t {
                    let boundary = (from / iv + 1) * iv;
                    let to = boundary.min(t);
                    let d = (to - from) as f64 / NANOS_PER_SEC;
                    for (a, w) in self.acc_class_j.iter_mut().zip(&lv.class_w) {
                        *a += w * d;
                    }
                    self.acc_queue += lv.queue_len as f64 * d;
                    self.acc_busy += lv.busy as f64 * d;
                    if to == boundary {
                        self.flush_interval(boundary, emit);
                    }
                    from = to;
                }
            }
        }
        self.last = t;
    }

    fn flush_segment(&mut self, emit: &mut dyn FnMut(PowerRow)) {
        if let Some((class_w, q, b)) = self.last_row.take() {
            let it: f64 = class_w.iter().sum();
            emit(PowerRow {
                time_s: to_secs(self.acc_start),
                duration_s: to_secs(self.last - self.acc_start),
                it_w: it,
                facility_w: it * self.pue,
                class_w,
                queue_len: q as f64,
                busy_devices: b as f64,
            });
        }
    }

    fn flush_interval(&mut self, end: Time, emit: &mut dyn FnMut(PowerRow)) {
        let d = (end - self.acc_start) as f64 / NANOS_PER_SEC;
        if d <= 0.0 {
            return;
        }
        let class_w: Vec<f64> = self.acc_class_j.iter().map(|e| e / d).collect();
        let it: f64 = class_w.iter().sum();
        emit(PowerRow {
            time_s: to_secs(self.acc_start),
            duration_s: d,
            it_w: it,
            facility_w: it * self.pue,
            class_w,
            queue_len: self.acc_queue / d,
            busy_devices: self.acc_busy / d,
        });
        self.acc_class_j.iter_mut().for_each(|a| *a = 0.0);
        self.acc_queue = 0.0;
        self.acc_busy = 0.0;
        self.acc_start = end;
    }

    /// Ends the series at the meter's last time, flushing a partial interval.
    pub fn finish(&mut self, emit: &mut dyn FnMut(PowerRow)) {
        match self.interval {
            None => self.flush_segment(emit),
            Some(_) => {
                let end = self.last;
                self.flush_interval(end, emit)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lv(w: &[f64], q: u64) -> Levels {
        Levels {
            class_w: w.to_vec(),
            queue_len: q,
            busy: 0,
        }
    }

    #[test]
    fn energy_is_the_exact_integral() {
        let mut m = Meter::new(2, 1.5, None, None);
        let mut rows = Vec::new();
        m.advance(2_000_000_000, &lv(&[10.0, 5.0], 0), &mut |r| rows.push(r));
        m.advance(3_000_000_000, &lv(&[20.0, 5.0], 1), &mut |r| rows.push(r));
        m.finish(&mut |r| rows.push(r));
        assert!((m.it_j - (15.0 * 2.0 + 25.0)).abs() < 1e-9);
        assert!((m.facility_j() - 1.5 * 55.0).abs() < 1e-9);
        assert_eq!(rows.len(), 2);
        let series_j: f64 = rows.iter().map(|r| r.it_w * r.duration_s).sum();
        assert!((series_j - m.it_j).abs() < 1e-9);
    }

    #[test]
    fn interval_rows_average_power() {
        let mut m = Meter::new(1, 1.0, None, Some(1_000_000_000));
        let mut rows = Vec::new();
        m.advance(500_000_000, &lv(&[10.0], 2), &mut |r| rows.push(r));
        m.advance(1_500_000_000, &lv(&[30.0], 0), &mut |r| rows.push(r));
        m.finish(&mut |r| rows.push(r));
        assert_eq!(rows.len(), 2);
        assert!((rows[0].it_w - 20.0).abs() < 1e-9);
        assert!((rows[0].queue_len - 1.0).abs() < 1e-9);
        assert!((rows[1].it_w - 30.0).abs() < 1e-9);
        assert!((rows[1].duration_s - 0.5).abs() < 1e-9);
    }
}
