//! `sjf`: shortest job first. Optimises mean waiting and response time.
//!
//! Waiting jobs are ordered by their size, shortest first (ties: arrival order). The
//! size is, by default (`key: estimate`), the job's requested time, or for a job with
//! none its run time on the fastest class that can run it, so sizes of different kinds
//! compare in seconds; `key: runtime` always uses that run time (an oracle no real
//! scheduler has); `key: work` orders by
//! work units instead (meaningful when all kinds run at similar speeds). The head
//! starts on the fastest class with enough free capable devices; it blocks the queue
//! until it fits (strict order, no backfilling). A decision costs O(classes + log q).

use super::ordered::OrderedQueue;
use super::{ClusterView, Decision, JobInfo, Policy};

/// What `sjf` orders by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SjfKey {
    /// The requested time (estimate), else the run time on the fastest capable class.
    Estimate,
    /// Run time on the fastest capable class (an oracle).
    Runtime,
    /// Work units.
    Work,
}

/// The shortest-job-first policy.
pub struct Sjf {
    key: SjfKey,
    queue: OrderedQueue,
}

impl Sjf {
    /// A policy ordering by `key`.
    pub fn new(key: SjfKey) -> Self {
        Sjf {
            key,
            queue: OrderedQueue::default(),
        }
    }
}

/// The size `sjf` orders `job` by (smaller first), as an integer key.
pub fn sjf_key(key: SjfKey, job: &JobInfo, view: &ClusterView) -> u64 {
    match key {
        SjfKey::Estimate => match job.estimate() {
            Some(e) => e,
            None => sjf_key(SjfKey::Runtime, job, view),
        },
        SjfKey::Runtime => view
            .classes()
            .filter(|&c| view.can_run(c, job))
            .filter_map(|c| view.runtime(c, job))
            .min()
            .unwrap_or(u64::MAX),
        // Work is finite and non-negative: its bits order like the number (+0.0
        // turns a -0.0 into 0.0).
        SjfKey::Work => (job.work() + 0.0).to_bits(),
    }
}

impl Policy for Sjf {
    fn name(&self) -> &'static str {
        "sjf"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, _: &mut Vec<Decision>) {
        self.queue.push(sjf_key(self.key, &job, view), job);
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.queue.drain(view, out);
    }
    fn waiting(&self) -> usize {
        self.queue.len()
    }
}
