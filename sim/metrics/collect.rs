//! Job statistics collected while a run goes: the overall, per-kind and per-class
//! wait and response samples (exact quantiles in compact memory), and the sums the
//! summary needs.

use super::sketch::Sketch;
use super::{JobRecord, JobStats, quantile_sorted};

/// Values kept exactly before a [`Quantiles`] switches to its log histogram.
pub const EXACT_QUANTILE_LIMIT: usize = 1 << 20;

/// Relative accuracy of quantiles past [`EXACT_QUANTILE_LIMIT`] values.
pub const QUANTILE_ACCURACY: f64 = 1e-3;

/// Mean and quantiles of a stream of non-negative values in bounded memory.
///
/// Up to [`EXACT_QUANTILE_LIMIT`] values it keeps them all (nearest-rank quantiles,
/// exact). Beyond that it folds them into a logarithmic histogram in the manner of
/// DDSketch: bucket i holds values in (g^(i-1), g^i] with g = (1 + a) / (1 - a), so
/// every quantile is within a relative error a = [`QUANTILE_ACCURACY`]; zeros are
/// counted apart. Memory: at most 8 MiB of values, then the buckets (a dense window of
/// at most 512 KiB, typically a few thousand buckets, and an ordered map past it). The
/// mean is always exact (a running sum).
#[derive(Debug, Clone, Default)]
pub struct Quantiles {
    values: Vec<f64>,
    sketch: Option<Sketch>,
    zeros: u64,
    count: u64,
    sum: f64,
}

impl Quantiles {
    fn gamma_ln() -> f64 {
        ((1.0 + QUANTILE_ACCURACY) / (1.0 - QUANTILE_ACCURACY)).ln()
    }

    fn fold(sketch: &mut Sketch, zeros: &mut u64, v: f64) {
        if v <= 0.0 {
            *zeros += 1;
        } else {
            sketch.add((v.ln() / Self::gamma_ln()).ceil() as i32);
        }
    }

    /// Adds a value.
    pub fn add(&mut self, v: f64) {
        self.count += 1;
        self.sum += v;
        match &mut self.sketch {
            Some(s) => Self::fold(s, &mut self.zeros, v),
            None => {
                self.values.push(v);
                if self.values.len() > EXACT_QUANTILE_LIMIT {
                    let mut s = Sketch::default();
                    for &x in &self.values {
                        Self::fold(&mut s, &mut self.zeros, x);
                    }
                    self.values = Vec::new();
                    self.sketch = Some(s);
                }
            }
        }
    }

    /// The values kept exactly, in the order they came (empty once folded).
    fn exact(&self) -> &[f64] {
        &self.values
    }

    /// Number of values.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether no value was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Mean (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum / self.count as f64
        }
    }

    /// Sorts the kept values; call once before [`Quantiles::quantile`].
    pub fn finish(&mut self) {
        // Unstable is exact here: values equal under total_cmp are the same bits.
        self.values.sort_unstable_by(f64::total_cmp);
    }

    /// Nearest-rank quantiles `qs` (ascending), the values [`Quantiles::finish`] then
    /// [`Quantiles::quantile`] give, without sorting all the values: each is selected
    /// among the values at or above the previous one (O(n), not O(n log n)).
    pub fn quantiles<const N: usize>(&mut self, qs: [f64; N]) -> [f64; N] {
        let n = self.values.len();
        if self.sketch.is_some() || n == 0 {
            return qs.map(|q| self.quantile(q));
        }
        let mut out = [0.0; N];
        // After a selection at `lo`, values[lo] is in its sorted place and every
        // value after it is at least as large.
        let mut lo = 0;
        for (o, q) in out.iter_mut().zip(qs) {
            let idx = ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
            assert!(idx >= lo, "quantiles must be asked in ascending order");
            let (_, x, _) = self.values[lo..].select_nth_unstable_by(idx - lo, f64::total_cmp);
            *o = *x;
            lo = idx;
        }
        out
    }

    /// Nearest-rank quantile `q` in [0, 1] (after [`Quantiles::finish`]).
    pub fn quantile(&self, q: f64) -> f64 {
        let Some(s) = &self.sketch else {
            return quantile_sorted(&self.values, q);
        };
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        if rank <= self.zeros {
            return 0.0;
        }
        let mut seen = self.zeros;
        let g = Self::gamma_ln().exp();
        for (i, n) in s.iter() {
            seen += n;
            if seen >= rank {
                // The value that is within a relative error a of the whole bucket.
                return 2.0 * g.powi(i) / (g + 1.0);
            }
        }
        0.0
    }
}

/// Job statistics of one group (a kind or a class).
///
/// While the run's overall samples are exact, a group keeps no samples of its own:
/// they are the overall ones tagged with the group ([`Collector`]), and
/// [`Collector::finish_groups`] gathers them at the end. Its [`Quantiles`] are then the
/// same as if every value had been added to it directly.
#[derive(Debug, Default)]
pub struct GroupCollector {
    /// Waits, s (filled only once the overall samples were folded, or at the end).
    waits: Quantiles,
    /// Responses, s (likewise).
    responses: Quantiles,
    /// Jobs completed.
    pub jobs: u64,
    /// Jobs with a deadline.
    pub with_deadline: u64,
    /// Deadlines missed.
    pub missed: u64,
    /// Attributed energy, J.
    pub energy_j: f64,
    /// The figures, once [`Collector::finish_groups`] computed them.
    stats: Option<JobStats>,
}

impl GroupCollector {
    fn count(&mut self, r: &JobRecord) {
        self.jobs += 1;
        if let Some(met) = r.deadline_met {
            self.with_deadline += 1;
            self.missed += u64::from(!met);
        }
        self.energy_j += r.energy_j;
    }

    fn compute(&mut self) -> JobStats {
        let [w50, w95, w99] = self.waits.quantiles([0.5, 0.95, 0.99]);
        let [r50, r95, r99] = self.responses.quantiles([0.5, 0.95, 0.99]);
        let (w, r) = (&self.waits, &self.responses);
        JobStats {
            wait_mean_s: w.mean(),
            wait_p50_s: w50,
            wait_p95_s: w95,
            wait_p99_s: w99,
            response_mean_s: r.mean(),
            response_p50_s: r50,
            response_p95_s: r95,
            response_p99_s: r99,
            jobs_with_deadline: self.with_deadline,
            deadline_miss_rate: (self.with_deadline > 0)
                .then(|| self.missed as f64 / self.with_deadline as f64),
        }
    }

    /// The group's figures ([`Collector::finish_groups`] must have run).
    pub fn stats(&self) -> JobStats {
        self.stats.clone().expect("Collector::finish_groups ran")
    }
}

/// Accumulates job statistics.
///
/// Memory: while the overall samples are exact (at most [`EXACT_QUANTILE_LIMIT`]
/// jobs), each job adds its wait and response once (16 bytes) and a 4-byte tag naming
/// its kind and class; the groups' samples are gathered from them at the end, one
/// group at a time. Past that, or with more than 65,535 kinds or classes, every group
/// keeps its own samples (each exact up to the same limit).
#[derive(Debug, Default)]
pub struct Collector {
    /// Per-kind statistics, by kind name (first completion order; the summary puts
    /// them in scenario order).
    pub per_kind: indexmap::IndexMap<String, GroupCollector>,
    /// Per-class statistics, by the class of a job's first device.
    pub per_class: indexmap::IndexMap<String, GroupCollector>,
    /// Waits, s.
    pub waits: Quantiles,
    /// Responses, s.
    pub responses: Quantiles,
    /// (kind, class) group indexes of the overall samples, in the same order (empty
    /// once the groups keep their own samples).
    tags: Vec<[u16; 2]>,
    /// Whether the groups keep their own samples (no more tags).
    untagged: bool,
    /// Sum of slowdowns.
    pub slowdown_sum: f64,
    /// Sum of bounded slowdowns.
    pub bsld_sum: f64,
    /// Jobs with a deadline.
    pub with_deadline: u64,
    /// Deadlines missed.
    pub missed: u64,
    /// Attributed energy, J.
    pub job_energy: f64,
    /// Last completion, s.
    pub makespan_s: f64,
    /// Jobs killed at their requested time.
    pub killed: u64,
}

/// The group `key` of `map`, created on first use; its index.
fn group<'m>(
    map: &'m mut indexmap::IndexMap<String, GroupCollector>,
    key: &str,
) -> (usize, &'m mut GroupCollector) {
    // Look up before inserting: most calls find the group, and the key is cloned only
    // for a group's first job. A few groups (kinds, classes) are found faster by
    // comparing names than by hashing the key (twice per job).
    let found = if map.len() <= 8 {
        map.keys().position(|k| k == key)
    } else {
        map.get_index_of(key)
    };
    let i = match found {
        Some(i) => i,
        None => {
            map.insert_full(key.to_string(), GroupCollector::default())
                .0
        }
    };
    (i, &mut map[i])
}

impl Collector {
    /// Adds a finished job.
    pub fn add(&mut self, r: &JobRecord) {
        self.killed += u64::from(r.killed);
        self.slowdown_sum += r.slowdown;
        self.bsld_sum += r.bounded_slowdown;
        if let Some(met) = r.deadline_met {
            self.with_deadline += 1;
            if !met {
                self.missed += 1;
            }
        }
        self.job_energy += r.energy_j;
        self.makespan_s = self.makespan_s.max(r.end_s);
        let (k, gk) = group(&mut self.per_kind, &r.kind);
        gk.count(r);
        let (c, gc) = group(&mut self.per_class, &r.class);
        gc.count(r);
        let tag = match (u16::try_from(k), u16::try_from(c)) {
            (Ok(k), Ok(c)) if !self.untagged && self.waits.len() < EXACT_QUANTILE_LIMIT as u64 => {
                Some([k, c])
            }
            _ => None,
        };
        if let Some(t) = tag {
            self.tags.push(t);
        } else {
            // Before the overall samples are folded into their histogram (or a tag
            // cannot hold the index), the groups take their samples over.
            self.untag();
            for (g, key) in [
                (&mut self.per_kind, &r.kind),
                (&mut self.per_class, &r.class),
            ] {
                let g = &mut g[key.as_str()];
                g.waits.add(r.wait_s);
                g.responses.add(r.response_s);
            }
        }
        self.waits.add(r.wait_s);
        self.responses.add(r.response_s);
    }

    /// Hands the tagged overall samples to their groups, which keep their own from now
    /// on.
    fn untag(&mut self) {
        if self.untagged {
            return;
        }
        self.untagged = true;
        let tags = std::mem::take(&mut self.tags);
        for side in 0..2 {
            for gi in 0..self.groups(side).len() {
                self.gather(&tags, side, gi);
            }
        }
    }

    /// The groups of kinds (`side` 0) or of classes (1).
    fn groups(&mut self, side: usize) -> &mut indexmap::IndexMap<String, GroupCollector> {
        if side == 0 {
            &mut self.per_kind
        } else {
            &mut self.per_class
        }
    }

    /// Adds to group `gi` (of kinds: `side` 0, of classes: 1) its tagged samples, in
    /// the order they came.
    fn gather(&mut self, tags: &[[u16; 2]], side: usize, gi: usize) {
        // Not through `groups`: the overall samples are read while a group is written.
        let map = if side == 0 {
            &mut self.per_kind
        } else {
            &mut self.per_class
        };
        let g = &mut map[gi];
        if g.waits.is_empty() && g.jobs <= EXACT_QUANTILE_LIMIT as u64 {
            g.waits.values.reserve_exact(g.jobs as usize);
            g.responses.values.reserve_exact(g.jobs as usize);
        }
        for ((t, &w), &r) in tags
            .iter()
            .zip(self.waits.exact())
            .zip(self.responses.exact())
        {
            if t[side] as usize == gi {
                g.waits.add(w);
                g.responses.add(r);
            }
        }
    }

    /// Computes every group's figures ([`GroupCollector::stats`]), one group's samples
    /// in memory at a time. Call before the overall quantiles are taken (they reorder
    /// the overall samples).
    pub fn finish_groups(&mut self) {
        let tags = std::mem::take(&mut self.tags);
        for side in 0..2 {
            for gi in 0..self.groups(side).len() {
                if !self.untagged {
                    self.gather(&tags, side, gi);
                }
                let g = &mut self.groups(side)[gi];
                g.stats = Some(g.compute());
                // The samples are no longer needed.
                g.waits = Quantiles::default();
                g.responses = Quantiles::default();
            }
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    /// Selection gives exactly the sorted nearest-rank quantiles: many sizes (with
    /// ties, zeros, -0.0 and repeated ranks), against sorting the same values.
    #[test]
    fn selected_quantiles_equal_sorted_ones() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for n in [1usize, 2, 3, 7, 100, 1001] {
            let mut a = Quantiles::default();
            let mut b = Quantiles::default();
            for i in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let v = match i % 5 {
                    0 => 0.0,
                    1 => -0.0,
                    2 => (x % 7) as f64,
                    _ => (x % 100_000) as f64 / 1e3,
                };
                a.add(v);
                b.add(v);
            }
            b.finish();
            let qs = [0.0, 0.01, 0.5, 0.5, 0.95, 0.99, 1.0];
            let got = a.quantiles(qs);
            let want = qs.map(|q| b.quantile(q));
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "n = {n}");
        }
    }

    #[test]
    fn quantiles_are_exact_then_within_the_stated_accuracy() {
        let mut q = Quantiles::default();
        let n = EXACT_QUANTILE_LIMIT as u64 * 2;
        // Values 0, 1e-6, 2e-6, ...: a quarter of them zero.
        for i in 0..n {
            q.add(if i % 4 == 0 { 0.0 } else { i as f64 * 1e-6 });
        }
        q.finish();
        assert_eq!(q.len(), n);
        let exact = |p: f64| {
            let mut v: Vec<f64> = (0..n)
                .map(|i| if i % 4 == 0 { 0.0 } else { i as f64 * 1e-6 })
                .collect();
            v.sort_by(f64::total_cmp);
            quantile_sorted(&v, p)
        };
        for p in [0.1, 0.5, 0.95, 0.99] {
            let (a, b) = (q.quantile(p), exact(p));
            assert!(
                (a - b).abs() <= QUANTILE_ACCURACY * b + 1e-12,
                "p{p}: {a} vs {b}"
            );
        }
        let mean = (0..n)
            .filter(|i| i % 4 != 0)
            .map(|i| i as f64 * 1e-6)
            .sum::<f64>()
            / n as f64;
        assert!((q.mean() - mean).abs() < 1e-9 * mean);
    }

    /// Per-group figures from the tagged overall samples equal those of samples kept
    /// per group (the groups' own `Quantiles`, sorted nearest rank), before and after
    /// the overall samples are folded into their histogram (past the exact limit, when
    /// the groups take their samples over).
    #[test]
    fn tagged_group_samples_give_the_groups_own_figures() {
        for n in [1usize, 5, 1000, EXACT_QUANTILE_LIMIT + 3000] {
            let mut col = Collector::default();
            let mut own: Vec<(Quantiles, Quantiles)> = vec![Default::default(); 5];
            let mut x = 0x9e37_79b9_7f4a_7c15u64;
            let mut r = JobRecord::default();
            for i in 0..n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let (k, c) = ((x % 3) as usize, 3 + (x >> 20) as usize % 2);
                r.kind = ["a", "b", "c"][k].into();
                r.class = ["gpu", "cpu"][c - 3].into();
                r.wait_s = if i % 7 == 0 {
                    0.0
                } else {
                    (x >> 30) as f64 * 1e-6
                };
                r.response_s = r.wait_s + (x % 1000) as f64 * 1e-3;
                r.deadline_met = (i % 3 == 0).then_some(i % 2 == 0);
                for g in [k, c] {
                    own[g].0.add(r.wait_s);
                    own[g].1.add(r.response_s);
                }
                col.add(&r);
            }
            assert_eq!(!col.untagged, n <= EXACT_QUANTILE_LIMIT, "n = {n}");
            col.finish_groups();
            let groups = [("a", 0), ("b", 1), ("c", 2), ("gpu", 3), ("cpu", 4)];
            for (name, g) in groups {
                let got = match col.per_kind.get(name) {
                    Some(gc) => gc,
                    None => match col.per_class.get(name) {
                        Some(gc) => gc,
                        None => continue,
                    },
                };
                assert_eq!(got.jobs, own[g].0.len());
                let got = got.stats();
                let (w, rs) = &mut own[g];
                w.finish();
                rs.finish();
                let want = [
                    w.mean(),
                    w.quantile(0.5),
                    w.quantile(0.95),
                    w.quantile(0.99),
                ]
                .into_iter()
                .chain([
                    rs.mean(),
                    rs.quantile(0.5),
                    rs.quantile(0.95),
                    rs.quantile(0.99),
                ]);
                let have = [
                    got.wait_mean_s,
                    got.wait_p50_s,
                    got.wait_p95_s,
                    got.wait_p99_s,
                    got.response_mean_s,
                    got.response_p50_s,
                    got.response_p95_s,
                    got.response_p99_s,
                ];
                for (h, w) in have.into_iter().zip(want) {
                    assert_eq!(h.to_bits(), w.to_bits(), "n = {n}, group {name}");
                }
            }
        }
    }
}
