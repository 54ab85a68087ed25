//! `eft`: earliest finish time, heterogeneous list scheduling in the style of HEFT.
//! Optimises each job's completion time given the work already committed.
//!
//! For each class that can run the job, the finish time is the time its `k` (gang
//! size) earliest-available devices are all free plus the run time there; the job is
//! committed to the class with the earliest finish (ties: file order). Per class this
//! costs O(log n + k), so a decision is O(classes x (log n + k)).

use super::{ClusterView, Decision, JobInfo, Policy, assign_by, finish_on};

/// The earliest-finish-time policy.
pub struct Eft;

impl Policy for Eft {
    fn name(&self) -> &'static str {
        "eft"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        out.extend(assign_by(&job, view, |c| {
            finish_on(&job, view, c).unwrap_or(u64::MAX)
        }));
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}
