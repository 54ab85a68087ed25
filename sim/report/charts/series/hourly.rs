//! Hour-by-hour means of one quantity (IT power) over a long run, for the day x
//! hour-of-day view. Each power.csv row `[t, t + d)` adds its value x overlap to every
//! hour it covers, so each hour's mean is exact (the integral over the hour / 3600 s),
//! whatever the rows' interval.

/// Seconds in an hour.
pub const HOUR_S: f64 = 3600.0;

/// Integrals of a quantity per hour since t = 0.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HourlyBuilder {
    /// Integral per hour (value x s).
    integral: Vec<f64>,
    /// Seconds covered by rows per hour.
    covered: Vec<f64>,
}

impl HourlyBuilder {
    /// An accumulator for `[0, end_s)`.
    pub fn new(end_s: f64) -> Self {
        let n = (end_s / HOUR_S).ceil().max(0.0) as usize;
        HourlyBuilder {
            integral: vec![0.0; n],
            covered: vec![0.0; n],
        }
    }

    /// Adds a row: `value` over `[t0, t0 + dur)`. Rows past the end are ignored.
    pub fn push(&mut self, t0: f64, dur: f64, value: f64) {
        if !(dur > 0.0 && t0.is_finite() && value.is_finite()) {
            return;
        }
        let t1 = t0 + dur;
        let mut h = (t0 / HOUR_S).floor().max(0.0) as usize;
        while h < self.integral.len() {
            let (a, b) = (h as f64 * HOUR_S, (h + 1) as f64 * HOUR_S);
            if a >= t1 {
                break;
            }
            let overlap = t1.min(b) - t0.max(a);
            if overlap > 0.0 {
                self.integral[h] += value * overlap;
                self.covered[h] += overlap;
            }
            h += 1;
        }
    }

    /// Adds another accumulator over the same range (rows read in parallel chunks).
    pub fn merge(&mut self, o: HourlyBuilder) {
        for (a, b) in self.integral.iter_mut().zip(o.integral) {
            *a += b;
        }
        for (a, b) in self.covered.iter_mut().zip(o.covered) {
            *a += b;
        }
    }

    /// The mean per hour; `None` for an hour no row covers.
    pub fn finish(self) -> Vec<Option<f64>> {
        self.integral
            .into_iter()
            .zip(self.covered)
            .map(|(i, c)| (c > 0.0).then(|| i / c))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_split_exactly_across_hours() {
        // 100 W from 0.5 h to 2.25 h, 300 W from 2.25 h to 3 h.
        let mut b = HourlyBuilder::new(4.0 * HOUR_S);
        b.push(0.5 * HOUR_S, 1.75 * HOUR_S, 100.0);
        let mut c = HourlyBuilder::new(4.0 * HOUR_S);
        c.push(2.25 * HOUR_S, 0.75 * HOUR_S, 300.0);
        b.merge(c);
        let m = b.finish();
        assert_eq!(m[0], Some(100.0)); // covered half an hour, all at 100 W
        assert_eq!(m[1], Some(100.0));
        assert_eq!(m[2], Some(0.25 * 100.0 + 0.75 * 300.0));
        assert_eq!(m[3], None);
    }
}
