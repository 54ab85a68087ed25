//! A strictly ordered waiting queue placing on free devices, shared by `sjf` and `edf`.
//!
//! Jobs wait in a binary heap ordered by (key, job id). The head starts on the fastest
//! class (for its kind) that has enough free capable devices, lowest ids first; if no
//! class has, nothing behind it starts, as in fcfs (no backfilling: that is
//! `easy-backfill`). Placing a job costs O(classes + log q + k), q the queue length,
//! k its gang size; a blocked head costs O(classes).

use super::overlay::{FreeUse, fastest_free};
use super::{ClusterView, Decision, JobInfo};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

struct Entry {
    key: u64,
    job: JobInfo,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        (self.key, self.job.id()) == (o.key, o.job.id())
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.key, self.job.id()).cmp(&(o.key, o.job.id()))
    }
}

/// Waiting jobs, smallest (key, id) first.
#[derive(Default)]
pub(crate) struct OrderedQueue {
    heap: BinaryHeap<Reverse<Entry>>,
}

impl OrderedQueue {
    /// Adds a job with its key.
    pub(crate) fn push(&mut self, key: u64, job: JobInfo) {
        self.heap.push(Reverse(Entry { key, job }));
    }

    /// Starts jobs from the head while they fit on free devices.
    pub(crate) fn drain(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        let mut used = FreeUse::new(view);
        while let Some(Reverse(top)) = self.heap.peek() {
            let job = top.job;
            let Some(c) = fastest_free(&job, view, &used) else {
                break;
            };
            let devices = used.take(view, c, job.devices() as usize);
            out.push(Decision::Assign {
                job: job.slot(),
                devices,
            });
            self.heap.pop();
        }
    }

    /// Number of waiting jobs.
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }
}
