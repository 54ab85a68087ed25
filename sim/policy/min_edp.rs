//! `min-edp`: minimum energy-delay product. Optimises energy x response time per job,
//! trading the energy of `min-energy` against the speed of `eft`.
//!
//! For each class that can run the job, the energy is busy power x run time x gang
//! size (as `min-energy`: idle power is drawn wherever the job goes) and the delay is
//! the finish time, counting committed work, minus the arrival. The job is committed
//! to the class with the least product, J x s (ties: the earlier finish, then file
//! order), on its earliest-available devices. A decision costs
//! O(classes x (log n + k)).

use super::{ClassId, ClusterView, Decision, JobInfo, Policy, assign_earliest, finish_on};
use crate::engine::{Time, to_secs};

/// The minimum energy-delay-product policy.
pub struct MinEdp;

/// Energy-delay product of `job` finishing at `finish` on class `c`, J s.
pub fn edp(job: &JobInfo, view: &ClusterView, c: ClassId, finish: Time) -> f64 {
    let energy = view.job_energy(c, job).unwrap_or(f64::INFINITY);
    energy * to_secs(finish.saturating_sub(job.arrival()))
}

/// The class `min-edp` picks for `job` given each class's finish time.
pub fn pick(
    job: &JobInfo,
    view: &ClusterView,
    mut finish: impl FnMut(ClassId) -> Option<Time>,
) -> Option<ClassId> {
    let mut best: Option<(f64, Time, ClassId)> = None;
    for c in view.classes() {
        if !view.can_run(c, job) {
            continue;
        }
        let Some(f) = finish(c) else { continue };
        let p = edp(job, view, c, f);
        if best.is_none_or(|(bp, bf, _)| p < bp || (p == bp && f < bf)) {
            best = Some((p, f, c));
        }
    }
    best.map(|(_, _, c)| c)
}

impl Policy for MinEdp {
    fn name(&self) -> &'static str {
        "min-edp"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let Some(c) = pick(&job, view, |c| finish_on(&job, view, c)) else {
            return;
        };
        out.push(assign_earliest(&job, view, c));
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}
