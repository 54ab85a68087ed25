//! Bounds the rows of power.csv: rows per change are kept while there are at most
//! `max_rows` of them; past that they are folded into intervals of a round length
//! (1 ms ... 1 day), doubled or more whenever the intervals would again exceed the
//! bound. Folding keeps every integral exact: an interval's power is its energy over
//! its length, its device counts and queue length are time averages, its carbon and
//! cost are the sums of its rows' (a row that straddles a boundary is split in
//! proportion to time), and its cap is the lowest cap in it.

use crate::power::PowerRow;

/// Interval lengths, s, each a multiple of the one before, so intervals merge whole.
const LADDER: [f64; 20] = [
    0.001, 0.002, 0.01, 0.02, 0.1, 0.2, 1.0, 2.0, 10.0, 20.0, 60.0, 120.0, 600.0, 1200.0, 3600.0,
    7200.0, 21600.0, 86400.0, 172800.0, 864000.0,
];

/// One interval being accumulated.
#[derive(Clone, Debug, Default)]
struct Bin {
    start: f64,
    dur: f64,
    class_j: Vec<f64>,
    queue: f64,
    busy: f64,
    asleep: f64,
    transition: f64,
    carbon_g: f64,
    cost: f64,
    cap_w: Option<f64>,
}

impl Bin {
    fn add(&mut self, r: &PowerRow, d: f64, share: f64) {
        if self.class_j.is_empty() {
            self.class_j = vec![0.0; r.class_w.len()];
        }
        for (a, w) in self.class_j.iter_mut().zip(&r.class_w) {
            *a += w * d;
        }
        self.dur += d;
        self.queue += r.queue_len * d;
        self.busy += r.busy_devices * d;
        self.asleep += r.asleep_devices * d;
        self.transition += r.transition_devices * d;
        self.carbon_g += r.carbon_g * share;
        self.cost += r.cost * share;
        if let Some(c) = r.cap_w {
            self.cap_w = Some(self.cap_w.map_or(c, |a| a.min(c)));
        }
    }

    fn merge(&mut self, o: &Bin) {
        if self.class_j.is_empty() {
            self.class_j = vec![0.0; o.class_j.len()];
        }
        for (a, b) in self.class_j.iter_mut().zip(&o.class_j) {
            *a += b;
        }
        self.dur += o.dur;
        self.queue += o.queue;
        self.busy += o.busy;
        self.asleep += o.asleep;
        self.transition += o.transition;
        self.carbon_g += o.carbon_g;
        self.cost += o.cost;
        if let Some(c) = o.cap_w {
            self.cap_w = Some(self.cap_w.map_or(c, |a| a.min(c)));
        }
    }

    fn row(&self, pue: f64) -> PowerRow {
        let d = if self.dur > 0.0 { self.dur } else { 1.0 };
        let class_w: Vec<f64> = self.class_j.iter().map(|e| e / d).collect();
        let it: f64 = class_w.iter().sum();
        PowerRow {
            time_s: self.start,
            duration_s: self.dur,
            class_w,
            it_w: it,
            facility_w: it * pue,
            cap_w: self.cap_w,
            queue_len: self.queue / d,
            busy_devices: self.busy / d,
            asleep_devices: self.asleep / d,
            transition_devices: self.transition / d,
            carbon_g: self.carbon_g,
            cost: self.cost,
        }
    }
}

/// Collects power rows and hands back at most `max_rows` of them.
#[derive(Debug)]
pub struct PowerRows {
    max_rows: usize,
    pue: f64,
    raw: Vec<PowerRow>,
    /// Interval length (index into [`LADDER`]) once folding started.
    step: Option<usize>,
    bins: Vec<Bin>,
}

impl PowerRows {
    /// Keeps at most `max_rows` rows (at least 2); `pue` turns IT into facility power.
    pub fn new(max_rows: u64, pue: f64) -> Self {
        PowerRows {
            max_rows: (max_rows as usize).max(2),
            pue,
            raw: Vec::new(),
            step: None,
            bins: Vec::new(),
        }
    }

    /// Adds a row (rows arrive in time order, contiguous).
    pub fn push(&mut self, r: PowerRow) {
        match self.step {
            None => {
                self.raw.push(r);
                if self.raw.len() > self.max_rows {
                    let end = self.raw.last().map_or(0.0, |r| r.time_s + r.duration_s);
                    let want = end / (self.max_rows / 2) as f64;
                    let step = LADDER
                        .iter()
                        .position(|&l| l >= want)
                        .unwrap_or(LADDER.len() - 1);
                    self.step = Some(step);
                    for r in std::mem::take(&mut self.raw) {
                        self.fold(&r);
                    }
                }
            }
            Some(_) => self.fold(&r),
        }
    }

    fn fold(&mut self, r: &PowerRow) {
        let Some(step) = self.step else { return };
        let dt = LADDER[step];
        let (mut from, end) = (r.time_s, r.time_s + r.duration_s);
        if r.duration_s <= 0.0 {
            return;
        }
        while from < end {
            let k = (from / dt + 1e-9).floor();
            let boundary = (k + 1.0) * dt;
            let to = boundary.min(end);
            let d = to - from;
            if self
                .bins
                .last()
                .is_none_or(|b| b.start < k * dt - 1e-9 * dt)
            {
                self.bins.push(Bin {
                    start: k * dt,
                    ..Bin::default()
                });
            }
            let b = self.bins.last_mut().expect("pushed");
            b.add(r, d, d / r.duration_s);
            from = to;
        }
        if self.bins.len() > self.max_rows {
            self.coarsen();
        }
    }

    /// Moves to the next interval length on the ladder that halves the rows.
    fn coarsen(&mut self) {
        let Some(step) = self.step else { return };
        let old = LADDER[step];
        let Some(next) = (step + 1..LADDER.len()).find(|&i| LADDER[i] >= 2.0 * old) else {
            return;
        };
        let dt = LADDER[next];
        let mut out: Vec<Bin> = Vec::with_capacity(self.bins.len() / 2 + 1);
        for b in &self.bins {
            let start = (b.start / dt + 1e-9).floor() * dt;
            match out.last_mut() {
                Some(o) if (o.start - start).abs() < 1e-9 * dt => o.merge(b),
                _ => {
                    let mut n = Bin {
                        start,
                        ..Bin::default()
                    };
                    n.merge(b);
                    out.push(n);
                }
            }
        }
        self.bins = out;
        self.step = Some(next);
    }

    /// The interval length, s, when the rows were folded; `None` for rows per change.
    pub fn interval_s(&self) -> Option<f64> {
        self.step.map(|s| LADDER[s])
    }

    /// The rows to write.
    pub fn finish(self) -> Vec<PowerRow> {
        match self.step {
            None => self.raw,
            Some(step) => {
                let dt = LADDER[step];
                self.bins
                    .iter()
                    .map(|b| {
                        let mut r = b.row(self.pue);
                        // A whole interval is written as its exact length, not the
                        // float sum of its pieces.
                        if (r.duration_s - dt).abs() <= 1e-9 * dt {
                            r.duration_s = dt;
                        }
                        r
                    })
                    .collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t: f64, d: f64, w: f64, q: f64) -> PowerRow {
        PowerRow {
            time_s: t,
            duration_s: d,
            class_w: vec![w, 2.0 * w],
            it_w: 3.0 * w,
            facility_w: 4.5 * w,
            cap_w: None,
            queue_len: q,
            busy_devices: 1.0,
            asleep_devices: 0.0,
            transition_devices: 0.0,
            carbon_g: d * w,
            cost: 0.5 * d,
        }
    }

    #[test]
    fn few_rows_pass_unchanged() {
        let mut p = PowerRows::new(10, 1.5);
        for i in 0..10 {
            p.push(row(i as f64, 1.0, i as f64, 0.0));
        }
        assert_eq!(p.interval_s(), None);
        let rows = p.finish();
        assert_eq!(rows.len(), 10);
        assert_eq!(rows[3], row(3.0, 1.0, 3.0, 0.0));
    }

    #[test]
    fn folded_rows_are_bounded_and_keep_integrals() {
        // 10^4 irregular rows of 0.3 s and 0.7 s, bounded to 100 rows.
        let mut p = PowerRows::new(100, 1.5);
        let (mut t, mut energy, mut queue, mut carbon) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..10_000 {
            let d = if i % 2 == 0 { 0.3 } else { 0.7 };
            let w = (i % 7) as f64 * 10.0;
            let q = (i % 3) as f64;
            energy += 3.0 * w * d;
            queue += q * d;
            carbon += d * w;
            p.push(row(t, d, w, q));
            t += d;
        }
        let dt = p.interval_s().expect("folded");
        let rows = p.finish();
        assert!(rows.len() <= 100, "{} rows", rows.len());
        assert!(rows.len() >= 25, "{} rows", rows.len());
        // Every row but the last covers one whole interval starting on a multiple.
        for r in &rows[..rows.len() - 1] {
            assert!((r.duration_s - dt).abs() < 1e-6, "{r:?}");
            assert!(((r.time_s / dt).round() * dt - r.time_s).abs() < 1e-6);
        }
        let e: f64 = rows.iter().map(|r| r.it_w * r.duration_s).sum();
        let q: f64 = rows.iter().map(|r| r.queue_len * r.duration_s).sum();
        let c: f64 = rows.iter().map(|r| r.carbon_g).sum();
        let span: f64 = rows.iter().map(|r| r.duration_s).sum();
        assert!((e - energy).abs() < 1e-9 * energy, "{e} vs {energy}");
        assert!((q - queue).abs() < 1e-9 * queue);
        assert!((c - carbon).abs() < 1e-9 * carbon);
        assert!((span - t).abs() < 1e-6);
        assert!((rows[0].facility_w - 1.5 * rows[0].it_w).abs() < 1e-9);
    }
}
