//! `hetero-aware`: heterogeneity-aware placement from the throughput matrix, in the
//! spirit of Gavel (Narayanan et al., OSDI 2020). Optimises total normalised
//! throughput: each job's speed relative to its best class, summed over jobs.
//!
//! A job's normalised throughput on class `c` is `speed(c, kind) / speed(best, kind)`,
//! where `best` is the fastest class that can run it, so 1 on its best class. A job is
//! only placed on classes where it keeps at least `threshold` of its best throughput
//! (parameter, 0 to 1, default 0.5), and among those goes where it finishes earliest,
//! counting committed work (ties: the higher normalised throughput, then file order),
//! on that class's earliest-available devices.
//!
//! This gives each class to the jobs with a comparative advantage on it: a job that is
//! 10x faster on a GPU waits for a GPU rather than crawl on a CPU, while a job only 2x
//! faster spills to idle CPUs. `threshold: 1` keeps every job on its best class (ties
//! by earliest finish); `threshold: 0` is `eft`. Jobs are committed at arrival; a
//! decision costs O(classes x (log n + k)).

use super::{ClassId, ClusterView, Decision, JobInfo, Policy, assign_earliest, finish_on};
use crate::engine::Time;

/// Default `threshold`.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// The heterogeneity-aware policy.
pub struct HeteroAware {
    threshold: f64,
}

impl HeteroAware {
    /// A policy keeping each job on classes with at least `threshold` of its best
    /// throughput.
    pub fn new(threshold: f64) -> Self {
        HeteroAware { threshold }
    }
}

/// The class `hetero-aware` picks for `job` given each class's finish time.
pub fn pick(
    job: &JobInfo,
    view: &ClusterView,
    threshold: f64,
    mut finish: impl FnMut(ClassId) -> Option<Time>,
) -> Option<ClassId> {
    let best_speed = view
        .classes()
        .filter(|&c| view.can_run(c, job))
        .filter_map(|c| view.speed(c, job))
        .fold(0.0, f64::max);
    let mut best: Option<(Time, f64, ClassId)> = None;
    for c in view.classes() {
        if !view.can_run(c, job) {
            continue;
        }
        let ratio = view.speed(c, job).unwrap_or(0.0) / best_speed;
        if ratio < threshold {
            continue;
        }
        let Some(f) = finish(c) else { continue };
        if best.is_none_or(|(bf, br, _)| f < bf || (f == bf && ratio > br)) {
            best = Some((f, ratio, c));
        }
    }
    best.map(|(_, _, c)| c)
}

impl Policy for HeteroAware {
    fn name(&self) -> &'static str {
        "hetero-aware"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let Some(c) = pick(&job, view, self.threshold, |c| finish_on(&job, view, c)) else {
            return;
        };
        out.push(assign_earliest(&job, view, c));
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}
