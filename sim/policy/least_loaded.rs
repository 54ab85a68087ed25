//! `least-loaded`: join the least-loaded devices. Optimises load balance (and so
//! waiting time), ignoring speed and energy.
//!
//! `by: work` (default): each job goes to the class whose `k` (gang size) least-loaded
//! devices are done with their committed work first, i.e. the least remaining
//! committed work per device, in seconds (the "least work left" rule); it differs from
//! `eft` in not counting the job's own run time, so a slow class with idle devices wins
//! over a fast busy one. Ties: the class with the fewer busy devices per device, then
//! file order. O(classes x (log n + k)).
//!
//! `by: jobs`: each job goes to the class with the fewest committed jobs per device
//! (running or queued, a gang counting once per device it holds; "join the shortest
//! queue" normalised by class size), on its least-loaded devices. Ties: the earlier
//! start, then file order. The policy counts its own commitments and retires each at
//! its end time (exact, as run times are), which costs O(log n) amortised per job.
//!
//! Jobs are committed at arrival and queue behind the devices' committed work.

use super::{ClassId, ClusterView, Decision, JobInfo, Policy};
use crate::engine::Time;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What `least-loaded` measures load by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadBy {
    /// Remaining committed work of the least-loaded devices, s.
    Work,
    /// Committed jobs per device.
    Jobs,
}

/// The least-loaded policy.
pub struct LeastLoaded {
    by: LoadBy,
    /// `by: jobs`: per class, (end, devices held) of committed jobs not yet retired.
    committed: Vec<BinaryHeap<Reverse<(Time, u32)>>>,
    /// `by: jobs`: per class, the devices held by those jobs.
    held: Vec<u64>,
}

impl LeastLoaded {
    /// A policy measuring load `by` work or jobs.
    pub fn new(by: LoadBy) -> Self {
        LeastLoaded {
            by,
            committed: Vec::new(),
            held: Vec::new(),
        }
    }

    fn retire(&mut self, view: &ClusterView) {
        let n = view.class_count();
        if self.committed.len() != n {
            self.committed = (0..n).map(|_| BinaryHeap::new()).collect();
            self.held = vec![0; n];
        }
        let now = view.now();
        for c in 0..n {
            while let Some(&Reverse((end, k))) = self.committed[c].peek() {
                if end > now {
                    break;
                }
                self.committed[c].pop();
                self.held[c] -= k as u64;
            }
        }
    }
}

impl Policy for LeastLoaded {
    fn name(&self) -> &'static str {
        "least-loaded"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let k = job.devices() as usize;
        if self.by == LoadBy::Jobs {
            self.retire(view);
        }
        // (class, start of its k least-loaded devices)
        let mut best: Option<(ClassId, Time)> = None;
        for c in view.classes() {
            if !view.can_run(c, &job) {
                continue;
            }
            let Some(start) = view.earliest_start(c, k) else {
                continue;
            };
            let better = match best {
                None => true,
                Some((b, bstart)) => {
                    // Per-device ratios compared exactly by cross-multiplication.
                    let (nc, nb) = (view.class_size(c) as u64, view.class_size(b) as u64);
                    match self.by {
                        LoadBy::Work => {
                            let (bc, bb) = (view.busy_count(c) as u64, view.busy_count(b) as u64);
                            start < bstart || (start == bstart && bc * nb < bb * nc)
                        }
                        LoadBy::Jobs => {
                            let (lc, lb) = (self.held[c.index()] * nb, self.held[b.index()] * nc);
                            lc < lb || (lc == lb && start < bstart)
                        }
                    }
                }
            };
            if better {
                best = Some((c, start));
            }
        }
        let Some((c, start)) = best else { return };
        let devices = view.earliest_devices(c, k).map(|(d, _)| d).collect();
        if self.by == LoadBy::Jobs {
            let end = start.saturating_add(view.runtime(c, &job).unwrap_or(0));
            self.committed[c.index()].push(Reverse((end, job.devices())));
            self.held[c.index()] += job.devices() as u64;
        }
        out.push(Decision::Assign {
            job: job.slot(),
            devices,
        });
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}
