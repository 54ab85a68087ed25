//! `fastest`: the source study's `select_platform`. Optimises each job's run time.
//!
//! Each job goes to the device class with the highest speed for its kind (ties: file
//! order), on that class's earliest-available devices, queued behind work already
//! committed there. It ignores queueing, so it can pile work on one class.

use super::{ClusterView, Decision, JobInfo, Policy, assign_by};

/// The fastest-class policy.
pub struct Fastest;

impl Policy for Fastest {
    fn name(&self) -> &'static str {
        "fastest"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        // Highest speed first: minimise the negated speed.
        out.extend(assign_by(&job, view, |c| {
            -view.speed(c, &job).unwrap_or(0.0)
        }));
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}
