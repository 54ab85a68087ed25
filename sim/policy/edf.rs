//! `edf`: earliest deadline first. Optimises deadline misses.
//!
//! Waiting jobs are ordered by absolute deadline, earliest first; jobs without a
//! deadline come after all jobs with one, in arrival order (ties: arrival order). The
//! head starts on the fastest class with enough free capable devices; it blocks the
//! queue until it fits (strict order, no backfilling). A decision costs
//! O(classes + log q).

use super::ordered::OrderedQueue;
use super::{ClusterView, Decision, JobInfo, Policy};

/// The earliest-deadline-first policy.
#[derive(Default)]
pub struct Edf {
    queue: OrderedQueue,
}

impl Policy for Edf {
    fn name(&self) -> &'static str {
        "edf"
    }
    fn on_arrival(&mut self, job: JobInfo, _: &ClusterView, _: &mut Vec<Decision>) {
        self.queue.push(job.deadline().unwrap_or(u64::MAX), job);
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.queue.drain(view, out);
    }
    fn waiting(&self) -> usize {
        self.queue.len()
    }
}
