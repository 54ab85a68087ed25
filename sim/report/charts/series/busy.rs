//! Busy devices per class over time, rebuilt from job intervals.

use super::{Grid, Segments, TimeSeries, Track};

/// Reconstructs busy devices per class over time from job intervals.
///
/// A device is busy from its job's start to its end (that is how the simulation
/// accounts busy time), so adding every job's devices over `[start, end)` gives the
/// exact busy-device count of each class at every instant. With few jobs the result is
/// that exact step function; with many it is the exact time-average in each column.
#[derive(Debug)]
pub struct BusyBuilder {
    names: Vec<String>,
    counts: Vec<f64>,
    grid: Grid,
    limit: usize,
    events: Option<Vec<(f64, u32, f64)>>,
    // Per class and column: busy device-seconds from partial columns, and a difference
    // array of devices busy for whole columns.
    partial: Vec<f64>,
    whole: Vec<f64>,
    total_s: Vec<f64>,
}

impl BusyBuilder {
    /// Classes `names` with `counts` devices each; at most `exact_jobs` jobs are kept
    /// for the exact step function.
    pub fn new(names: Vec<String>, counts: Vec<u32>, grid: Grid, exact_jobs: usize) -> Self {
        let k = names.len();
        BusyBuilder {
            counts: counts.iter().map(|&c| c as f64).collect(),
            names,
            grid,
            limit: exact_jobs * 2,
            events: Some(Vec::new()),
            partial: vec![0.0; k * grid.cols],
            whole: vec![0.0; k * (grid.cols + 1)],
            total_s: vec![0.0; k],
        }
    }

    /// Adds `nf` busy devices (device-equivalents: a job on k of S slots is k/S) of
    /// class `class` over `[start, end)`.
    pub fn add(&mut self, class: usize, nf: f64, start: f64, end: f64) {
        if end.is_nan() || end <= start || nf <= 0.0 {
            return;
        }
        self.total_s[class] += nf * (end - start);
        if let Some(ev) = &mut self.events {
            if ev.len() + 2 <= self.limit {
                ev.push((start, class as u32, nf));
                ev.push((end, class as u32, -nf));
            } else {
                self.events = None;
            }
        }
        let g = self.grid;
        let cols = g.cols;
        let (c0, c1) = (g.col(start), g.col(end));
        let row = class * cols;
        if c0 == c1 {
            self.partial[row + c0] += nf * (end - start);
            return;
        }
        self.partial[row + c0] += nf * (g.end(c0) - start);
        self.partial[row + c1] += nf * (end - g.start(c1));
        if c1 > c0 + 1 {
            let wrow = class * (cols + 1);
            self.whole[wrow + c0 + 1] += nf;
            self.whole[wrow + c1] -= nf;
        }
    }

    /// Adds the jobs another builder over the same classes and grid received.
    pub fn merge(&mut self, other: BusyBuilder) {
        for (a, b) in self.total_s.iter_mut().zip(&other.total_s) {
            *a += b;
        }
        self.events = match (self.events.take(), other.events) {
            (Some(mut a), Some(b)) if a.len() + b.len() <= self.limit => {
                a.extend(b);
                Some(a)
            }
            _ => None,
        };
        for (a, b) in self.partial.iter_mut().zip(&other.partial) {
            *a += b;
        }
        for (a, b) in self.whole.iter_mut().zip(&other.whole) {
            *a += b;
        }
    }

    /// Busy device-seconds added per class.
    pub fn busy_device_seconds(&self) -> &[f64] {
        &self.total_s
    }

    /// Fraction of each class's devices busy over time (0 to 1).
    pub fn finish(self) -> TimeSeries {
        let k = self.names.len();
        let mut tracks = vec![Track::default(); k];
        let mut segs = Segments::default();
        let end = self.grid.end_s;
        if let Some(mut ev) = self.events {
            segs.exact = true;
            ev.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut busy = vec![0.0; k];
            let mut t = 0.0;
            let mut i = 0;
            loop {
                // Apply every change at time t, then hold until the next change.
                while i < ev.len() && ev[i].0 <= t {
                    busy[ev[i].1 as usize] += ev[i].2;
                    i += 1;
                }
                let next = if i < ev.len() { ev[i].0 } else { end };
                if next > t {
                    segs.t0.push(t);
                    segs.t1.push(next);
                    segs.covered.push(next - t);
                    for (j, tr) in tracks.iter_mut().enumerate() {
                        let f = frac(busy[j], self.counts[j]);
                        tr.mean.push(f);
                        tr.min.push(f);
                        tr.max.push(f);
                    }
                }
                if i >= ev.len() {
                    break;
                }
                t = next;
            }
        } else {
            let cols = self.grid.cols;
            let w = self.grid.width();
            let mut whole = vec![0.0; k];
            for c in 0..cols {
                let t0 = self.grid.start(c);
                let t1 = if c + 1 == cols { end } else { t0 + w };
                let len = t1 - t0;
                if len <= 0.0 {
                    break;
                }
                segs.t0.push(t0);
                segs.t1.push(t1);
                segs.covered.push(len);
                for (j, tr) in tracks.iter_mut().enumerate() {
                    // Running prefix sum of the difference array: devices busy for
                    // the whole of column c.
                    whole[j] += self.whole[j * (cols + 1) + c];
                    let ds = self.partial[j * cols + c] + whole[j] * w.min(len);
                    let f = frac(ds / len, self.counts[j]);
                    tr.mean.push(f);
                    tr.min.push(f);
                    tr.max.push(f);
                }
            }
        }
        TimeSeries {
            segs,
            names: self.names,
            tracks,
            end_s: end,
        }
    }
}

fn frac(busy: f64, count: f64) -> f64 {
    if count > 0.0 { busy / count } else { 0.0 }
}
