//! Series builders: pure functions and accumulators that turn run data (rows of
//! power.csv, job intervals, response times) into exactly what each chart draws.
//!
//! Nothing here reads files or draws. Each builder accepts its input one item at a
//! time, so a run of millions of jobs is reduced while it streams past and only the
//! reduced series stay in memory.
//!
//! # Downsampling
//! A time series with at most [`EXACT_ROWS_PER_COLUMN`] rows per drawing column is
//! kept exactly. A longer one is reduced to one segment per drawing column (about one
//! pixel wide) holding the time-weighted mean, the minimum and the maximum of every
//! quantity in that column, so drawing the min..max band keeps every peak and the mean
//! keeps every integral (energy) exact.

mod busy;
mod cdf;
mod gantt;
mod hourly;

pub use busy::BusyBuilder;
pub use cdf::{Cdf, CdfBuilder, Deadlines};
pub use gantt::{Bar, GanttJob, gantt_bars};
pub use hourly::{HOUR_S, HourlyBuilder};

/// A series keeps its rows exactly while it has at most this many rows per column.
pub const EXACT_ROWS_PER_COLUMN: usize = 2;

/// Piecewise-constant segments `[t0, t1)` shared by the tracks of one series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Segments {
    /// Segment starts, s.
    pub t0: Vec<f64>,
    /// Segment ends, s.
    pub t1: Vec<f64>,
    /// Time covered by data inside each segment, s (equal to `t1 - t0` except where
    /// the data end inside a column).
    pub covered: Vec<f64>,
    /// True when every segment is one input row (no downsampling).
    pub exact: bool,
}

impl Segments {
    /// Number of segments.
    pub fn len(&self) -> usize {
        self.t0.len()
    }

    /// True when there are no segments.
    pub fn is_empty(&self) -> bool {
        self.t0.is_empty()
    }
}

/// One quantity over [`Segments`]: its time-weighted mean, minimum and maximum in each
/// segment (all three equal when the series is exact).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Track {
    /// Time-weighted mean per segment.
    pub mean: Vec<f64>,
    /// Minimum per segment.
    pub min: Vec<f64>,
    /// Maximum per segment.
    pub max: Vec<f64>,
}

impl Track {
    /// Largest value of the track (0 when empty).
    pub fn peak(&self) -> f64 {
        self.max.iter().copied().fold(0.0, f64::max)
    }
}

/// A reduced time series of several named quantities.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimeSeries {
    /// The segments.
    pub segs: Segments,
    /// Quantity names (for power.csv: the column names).
    pub names: Vec<String>,
    /// One track per name.
    pub tracks: Vec<Track>,
    /// End of the time axis, s.
    pub end_s: f64,
}

impl TimeSeries {
    /// The track of a quantity by name.
    pub fn track(&self, name: &str) -> Option<&Track> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| &self.tracks[i])
    }

    /// The integral of a track over time: points `(t, integral from 0 to t)` at 0 and
    /// at every segment end. Exact, because the mean times the covered time is the
    /// integral of the rows inside a segment.
    pub fn cumulative(&self, track: usize) -> Vec<(f64, f64)> {
        let tr = &self.tracks[track];
        let mut out = Vec::with_capacity(self.segs.len() + 1);
        out.push((0.0, 0.0));
        let mut acc = 0.0;
        for i in 0..self.segs.len() {
            acc += tr.mean[i] * self.segs.covered[i];
            out.push((self.segs.t1[i], acc));
        }
        out
    }
}

/// Equal columns over `[0, end_s]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    /// End of the time axis, s.
    pub end_s: f64,
    /// Number of columns (at least 1).
    pub cols: usize,
}

impl Grid {
    /// A grid of `cols` columns over `[0, end_s]`.
    pub fn new(end_s: f64, cols: usize) -> Grid {
        Grid {
            end_s: if end_s.is_finite() && end_s > 0.0 {
                end_s
            } else {
                0.0
            },
            cols: cols.max(1),
        }
    }

    /// Column width, s (1 s for an empty axis so arithmetic stays finite).
    pub fn width(&self) -> f64 {
        if self.end_s > 0.0 {
            self.end_s / self.cols as f64
        } else {
            1.0
        }
    }

    /// Column holding time `t` (clamped to the grid).
    pub fn col(&self, t: f64) -> usize {
        let c = (t / self.width()).floor();
        if c.is_nan() || c < 0.0 {
            0
        } else {
            (c as usize).min(self.cols - 1)
        }
    }

    /// Start of column `c`, s.
    pub fn start(&self, c: usize) -> f64 {
        c as f64 * self.width()
    }

    /// End of column `c`, s. The last column extends to infinity so rows that end a
    /// rounding error after `end_s` are not lost.
    pub fn end(&self, c: usize) -> f64 {
        if c + 1 == self.cols {
            f64::INFINITY
        } else {
            (c + 1) as f64 * self.width()
        }
    }
}

/// Builds a [`TimeSeries`] from rows `(start, duration, values)` given in time order,
/// such as power.csv.
#[derive(Debug)]
pub struct SeriesBuilder {
    names: Vec<String>,
    grid: Grid,
    limit: usize,
    // Exact rows while there are few: starts, durations, values (row-major).
    raw: Option<(Vec<f64>, Vec<f64>, Vec<f64>)>,
    // Per column: covered time, then per quantity sum(value x overlap), min, max.
    covered: Vec<f64>,
    sum: Vec<f64>,
    min: Vec<f64>,
    max: Vec<f64>,
    last_end: f64,
}

impl SeriesBuilder {
    /// A builder for the quantities `names` over `grid`.
    pub fn new(names: Vec<String>, grid: Grid) -> Self {
        let k = names.len();
        let n = grid.cols * k;
        SeriesBuilder {
            names,
            grid,
            limit: grid.cols * EXACT_ROWS_PER_COLUMN,
            raw: Some((Vec::new(), Vec::new(), Vec::new())),
            covered: vec![0.0; grid.cols],
            sum: vec![0.0; n],
            min: vec![f64::INFINITY; n],
            max: vec![f64::NEG_INFINITY; n],
            last_end: 0.0,
        }
    }

    /// Adds a row: `values[k]` held from `t0` for `dur` seconds. Rows of zero length
    /// hold for no time and are ignored.
    pub fn push(&mut self, t0: f64, dur: f64, values: &[f64]) {
        let k = self.names.len();
        debug_assert_eq!(values.len(), k);
        if dur.is_nan() || dur <= 0.0 {
            return;
        }
        let t1 = t0 + dur;
        self.last_end = self.last_end.max(t1);
        if let Some((ts, ds, vs)) = &mut self.raw {
            if ts.len() < self.limit {
                ts.push(t0);
                ds.push(dur);
                vs.extend_from_slice(values);
            } else {
                self.raw = None;
            }
        }
        let mut c = self.grid.col(t0);
        loop {
            let a = t0.max(self.grid.start(c));
            let b = t1.min(self.grid.end(c));
            let overlap = (b - a).max(0.0);
            if overlap > 0.0 {
                self.covered[c] += overlap;
                let base = c * k;
                for (j, &v) in values.iter().enumerate() {
                    // A cell that is not a number (a future text column) is absent.
                    if v.is_nan() {
                        continue;
                    }
                    self.sum[base + j] += v * overlap;
                    if v < self.min[base + j] {
                        self.min[base + j] = v;
                    }
                    if v > self.max[base + j] {
                        self.max[base + j] = v;
                    }
                }
            }
            if c + 1 >= self.grid.cols || self.grid.end(c) >= t1 {
                break;
            }
            c += 1;
        }
    }

    /// Adds the rows another builder over the same quantities and grid received after
    /// this one's rows (used to read a file in chunks).
    pub fn merge(&mut self, other: SeriesBuilder) {
        debug_assert_eq!(self.names, other.names);
        self.raw = match (self.raw.take(), other.raw) {
            (Some((mut t, mut d, mut v)), Some((t2, d2, v2)))
                if t.len() + t2.len() <= self.limit =>
            {
                t.extend(t2);
                d.extend(d2);
                v.extend(v2);
                Some((t, d, v))
            }
            _ => None,
        };
        for (a, b) in self.covered.iter_mut().zip(&other.covered) {
            *a += b;
        }
        for (a, b) in self.sum.iter_mut().zip(&other.sum) {
            *a += b;
        }
        for (a, b) in self.min.iter_mut().zip(&other.min) {
            *a = a.min(*b);
        }
        for (a, b) in self.max.iter_mut().zip(&other.max) {
            *a = a.max(*b);
        }
        self.last_end = self.last_end.max(other.last_end);
    }

    /// The reduced series: exact rows if there were few, else one segment per column
    /// that holds data.
    pub fn finish(self) -> TimeSeries {
        let k = self.names.len();
        let mut tracks = vec![Track::default(); k];
        let mut segs = Segments::default();
        match self.raw {
            Some((ts, ds, vs)) => {
                segs.exact = true;
                for i in 0..ts.len() {
                    segs.t0.push(ts[i]);
                    segs.t1.push(ts[i] + ds[i]);
                    segs.covered.push(ds[i]);
                    for (j, tr) in tracks.iter_mut().enumerate() {
                        let v = vs[i * k + j];
                        tr.mean.push(v);
                        tr.min.push(v);
                        tr.max.push(v);
                    }
                }
            }
            None => {
                for c in 0..self.grid.cols {
                    let cov = self.covered[c];
                    if cov <= 0.0 {
                        continue;
                    }
                    let t0 = self.grid.start(c);
                    segs.t0.push(t0);
                    segs.t1.push(self.grid.end(c).min(self.last_end.max(t0)));
                    segs.covered.push(cov);
                    for (j, tr) in tracks.iter_mut().enumerate() {
                        tr.mean.push(self.sum[c * k + j] / cov);
                        tr.min.push(self.min[c * k + j]);
                        tr.max.push(self.max[c * k + j]);
                    }
                }
            }
        }
        TimeSeries {
            segs,
            names: self.names,
            tracks,
            end_s: self.grid.end_s.max(self.last_end),
        }
    }
}

/// Stacks tracks of a series: `out[k][i]` is the sum of the means of
/// `tracks[0..=k]` in segment `i` (the top edge of layer `k` in a stacked area chart).
pub fn stack(ts: &TimeSeries, tracks: &[usize]) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = Vec::with_capacity(tracks.len());
    for (k, &t) in tracks.iter().enumerate() {
        let mean = &ts.tracks[t].mean;
        let layer = match k {
            0 => mean.clone(),
            _ => out[k - 1].iter().zip(mean).map(|(a, b)| a + b).collect(),
        };
        out.push(layer);
    }
    out
}

/// Points of a step line: each segment's value held from its start to its end.
pub fn steps(segs: &Segments, v: &[f64], tdiv: f64, ydiv: f64) -> Vec<(f64, f64)> {
    let mut p = Vec::with_capacity(2 * v.len());
    for ((t0, t1), y) in segs.t0.iter().zip(&segs.t1).zip(v) {
        p.push((t0 / tdiv, y / ydiv));
        p.push((t1 / tdiv, y / ydiv));
    }
    p
}

/// A closed polygon between two step lines.
pub fn band(segs: &Segments, lo: &[f64], hi: &[f64], tdiv: f64, ydiv: f64) -> Vec<(f64, f64)> {
    let mut p = steps(segs, hi, tdiv, ydiv);
    let mut low = steps(segs, lo, tdiv, ydiv);
    low.reverse();
    p.extend(low);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    fn power_rows() -> SeriesBuilder {
        // Two classes, IT = sum: [0,2) 10+5, [2,3) 20+5, [3,7) 0+5.
        let names = ["a_w", "b_w", "it_w"].map(String::from).to_vec();
        let mut b = SeriesBuilder::new(names, Grid::new(7.0, 1000));
        b.push(0.0, 2.0, &[10.0, 5.0, 15.0]);
        b.push(2.0, 1.0, &[20.0, 5.0, 25.0]);
        b.push(3.0, 4.0, &[0.0, 5.0, 5.0]);
        b
    }

    #[test]
    fn few_rows_stay_exact() {
        let ts = power_rows().finish();
        assert!(ts.segs.exact);
        assert_eq!(ts.segs.t0, vec![0.0, 2.0, 3.0]);
        assert_eq!(ts.segs.t1, vec![2.0, 3.0, 7.0]);
        assert_eq!(ts.track("it_w").unwrap().mean, vec![15.0, 25.0, 5.0]);
    }

    #[test]
    fn stacked_power_equals_sum_of_classes() {
        let ts = power_rows().finish();
        let st = stack(&ts, &[0, 1]);
        assert_eq!(st[0], vec![10.0, 20.0, 0.0]);
        assert_eq!(st[1], ts.tracks[2].mean);
    }

    #[test]
    fn cumulative_energy_ends_at_the_integral() {
        let ts = power_rows().finish();
        let cum = ts.cumulative(2);
        assert_eq!(cum.first(), Some(&(0.0, 0.0)));
        assert_eq!(cum.last(), Some(&(7.0, 15.0 * 2.0 + 25.0 + 5.0 * 4.0)));
        assert!(cum.windows(2).all(|w| w[1].1 >= w[0].1));
    }

    #[test]
    fn downsampling_keeps_peaks_and_integrals() {
        // 10,000 one-second rows over 4 columns: a 1 s spike of 1000 W in column 2.
        let mut b = SeriesBuilder::new(vec!["it_w".into()], Grid::new(10_000.0, 4));
        let mut energy = 0.0;
        for i in 0..10_000 {
            let w = if i == 6000 {
                1000.0
            } else {
                10.0 + (i % 7) as f64
            };
            energy += w;
            b.push(i as f64, 1.0, &[w]);
        }
        let ts = b.finish();
        assert!(!ts.segs.exact);
        assert_eq!(ts.segs.len(), 4);
        assert_eq!(ts.tracks[0].max[2], 1000.0);
        assert_eq!(ts.tracks[0].min[2], 10.0);
        assert!(ts.tracks[0].mean[2] < 20.0);
        assert!(close(ts.cumulative(0).last().unwrap().1, energy));
        assert_eq!(ts.segs.t0, vec![0.0, 2500.0, 5000.0, 7500.0]);
    }

    #[test]
    fn a_row_spanning_columns_adds_to_each() {
        let mut b = SeriesBuilder::new(vec!["q".into()], Grid::new(10.0, 10));
        b.limit = 0; // force downsampling
        b.push(0.5, 9.5, &[3.0]);
        let ts = b.finish();
        assert_eq!(ts.segs.len(), 10);
        assert!(close(ts.segs.covered[0], 0.5));
        assert!(ts.tracks[0].mean.iter().all(|&m| m == 3.0));
        assert!(close(ts.cumulative(0).last().unwrap().1, 28.5));
    }

    fn busy(exact_jobs: usize) -> TimeSeries {
        // Class a has 4 devices, class b 1: a job on two a devices over [1, 3),
        // one on a over [2, 6), one on b over [0, 8).
        let mut b = BusyBuilder::new(
            vec!["a".into(), "b".into()],
            vec![4, 1],
            Grid::new(8.0, 8),
            exact_jobs,
        );
        b.add(0, 2.0, 1.0, 3.0);
        b.add(0, 1.0, 2.0, 6.0);
        b.add(1, 1.0, 0.0, 8.0);
        assert_eq!(b.busy_device_seconds(), &[8.0, 8.0]);
        b.finish()
    }

    #[test]
    fn exact_busy_devices_per_class() {
        let ts = busy(10);
        assert!(ts.segs.exact);
        assert_eq!(ts.segs.t0, vec![0.0, 1.0, 2.0, 3.0, 6.0]);
        assert_eq!(ts.segs.t1, vec![1.0, 2.0, 3.0, 6.0, 8.0]);
        // Class a: 0, 2, 3, 1, 0 of 4 devices busy.
        assert_eq!(ts.tracks[0].mean, vec![0.0, 0.5, 0.75, 0.25, 0.0]);
        assert_eq!(ts.tracks[1].mean, vec![1.0; 5]);
    }

    #[test]
    fn binned_busy_devices_are_exact_means() {
        let ts = busy(0);
        assert!(!ts.segs.exact);
        assert_eq!(ts.segs.len(), 8);
        assert_eq!(
            ts.tracks[0].mean,
            vec![0.0, 0.5, 0.75, 0.25, 0.25, 0.25, 0.0, 0.0]
        );
        let a_ds: f64 = ts.tracks[0].mean.iter().map(|f| f * 4.0).sum();
        assert!(close(a_ds, 8.0));
    }

    #[test]
    fn busy_mean_over_partial_columns() {
        let mut b = BusyBuilder::new(vec!["a".into()], vec![1], Grid::new(10.0, 4), 0);
        b.add(0, 1.0, 1.0, 9.0);
        let ts = b.finish();
        // Columns of 2.5 s: busy 1.5, 2.5, 2.5, 1.5 s.
        assert_eq!(ts.tracks[0].mean, vec![0.6, 1.0, 1.0, 0.6]);
    }

    #[test]
    fn cdf_is_monotone_and_ends_at_one() {
        let mut b = CdfBuilder::new(100);
        for x in [3.0, 1.0, 2.0, 2.0, 0.0] {
            b.push(x);
        }
        let c = b.finish();
        assert!(c.exact);
        assert_eq!(c.n, 5);
        assert_eq!(c.at_zero, 0.2);
        assert_eq!(c.points, vec![(1.0, 0.4), (2.0, 0.8), (3.0, 1.0)]);
    }

    #[test]
    fn large_cdf_uses_buckets_within_one_percent() {
        let mut b = CdfBuilder::new(1000);
        let n = 100_000;
        for i in 1..=n {
            b.push(i as f64 * 1e-3);
        }
        let c = b.finish();
        assert!(!c.exact);
        assert_eq!(c.n, n);
        assert_eq!(c.points.last().unwrap().1, 1.0);
        assert!(
            c.points
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1)
        );
        // The median is 50 s: the bucket edge where F crosses 0.5 is within 0.8 %.
        let med = c.points.iter().find(|p| p.1 >= 0.5).unwrap().0;
        assert!((med / 50.0 - 1.0).abs() < 0.008, "{med}");
        assert!(c.points.len() < 2000);
    }

    #[test]
    fn deadlines_keep_distinct_values() {
        let mut d = Deadlines::default();
        d.add(0.05, true);
        d.add(0.050000000001, false);
        d.add(2.0, true);
        assert_eq!(d.values_s(), vec![0.05, 2.0]);
        assert_eq!((d.with_deadline, d.met), (3, 2));
        for i in 0..10 {
            d.add(i as f64, true);
        }
        assert!(d.varied);
        assert!(d.values_s().is_empty());
    }

    #[test]
    fn merged_builders_equal_one_builder() {
        let rows: Vec<(f64, f64)> = (0..5000)
            .map(|i| (i as f64, 1.0 + (i % 13) as f64))
            .collect();
        let names = vec!["w".to_string()];
        let grid = Grid::new(5000.0, 100);
        let mut one = SeriesBuilder::new(names.clone(), grid);
        let mut a = SeriesBuilder::new(names.clone(), grid);
        let mut b = SeriesBuilder::new(names, grid);
        let mut c1 = CdfBuilder::new(3000);
        let mut ca = CdfBuilder::new(3000);
        let mut cb = CdfBuilder::new(3000);
        for (i, &(t, v)) in rows.iter().enumerate() {
            one.push(t, 1.0, &[v]);
            c1.push(v);
            if i < 2000 {
                a.push(t, 1.0, &[v]);
                ca.push(v);
            } else {
                b.push(t, 1.0, &[v]);
                cb.push(v);
            }
        }
        a.merge(b);
        ca.merge(cb);
        assert_eq!(a.finish(), one.finish());
        assert_eq!(ca.finish(), c1.finish());
        // Small sets stay exact through a merge.
        let mut x = CdfBuilder::new(10);
        let mut y = CdfBuilder::new(10);
        x.push(2.0);
        y.push(1.0);
        x.merge(y);
        assert_eq!(x.finish().points, vec![(1.0, 0.5), (2.0, 1.0)]);
    }

    #[test]
    fn gantt_has_one_bar_per_device() {
        let jobs = vec![
            GanttJob {
                id: 0,
                kind: 0,
                start_s: 1.0,
                end_s: 2.0,
                devices: vec![2, 0],
            },
            GanttJob {
                id: 1,
                kind: 1,
                start_s: 0.0,
                end_s: 1.0,
                devices: vec![2],
            },
        ];
        let bars = gantt_bars(&jobs);
        let rows: Vec<(u32, u64)> = bars.iter().map(|b| (b.row, b.id)).collect();
        assert_eq!(rows, vec![(0, 0), (2, 1), (2, 0)]);
    }
}
