//! `lpt`: longest processing time first, the source study's rule "the largest job to
//! the strongest platform". Optimises makespan (LPT is the classic makespan heuristic
//! for uniform machines).
//!
//! Jobs that arrive at the same instant form a batch. The batch is sorted by
//! decreasing work (ties: arrival order) and each job in turn is committed to the
//! class where it would finish earliest, counting the work already committed there
//! and the batch's earlier jobs (ties: the faster class, then file order), on that
//! class's earliest-available devices. On an idle cluster this sends the largest job
//! to the strongest class, the next largest to the next strongest, and so on; once a
//! class is loaded, a job goes to a weaker class if that finishes it sooner. A job
//! arriving alone is placed at once by the same rule (which is then `eft`).
//!
//! # Knowing when a batch is complete
//! A policy is called once per arrival and cannot see whether more jobs arrive at the
//! same instant. This policy counts, from the scenario, the jobs known to arrive at
//! each instant (the explicit job list and closed batches, before the horizon) and
//! places a batch as soon as that many jobs arrived at its instant; jobs of random
//! streams count as batches of one. As a safety net, a batch still open when the
//! clock has moved on is placed at the next call, and the policy asks for a tick 1 ns
//! after the batch's instant ([`Policy::wakeup`]) so that call always comes. A
//! simulation hook called after the last event of an instant would make batching
//! exact for every workload (traces where many jobs share a time stamp included).
//!
//! # Cost
//! Sorting a batch of b jobs costs O(b log b); each job then costs
//! O(classes x (log n + k + u)), u the devices taken earlier in the same batch.

use super::overlay::{Overlay, finish_with};
use super::{ClassId, ClusterView, Decision, JobInfo, Policy};
use crate::engine::{Time, secs};
use crate::model::{Arrival, Scenario};
use std::collections::BTreeMap;

/// The LPT policy.
pub struct Lpt {
    /// Jobs known to arrive at each instant.
    expected: BTreeMap<Time, u64>,
    batch: Vec<JobInfo>,
    batch_at: Time,
}

/// Jobs the scenario says arrive at each instant: explicit jobs and closed batches
/// before the horizon (random streams are not counted).
pub fn expected_arrivals(sc: &Scenario) -> BTreeMap<Time, u64> {
    let horizon = sc.horizon.map(secs);
    let before = |t: Time| horizon.is_none_or(|h| t < h);
    let mut m = BTreeMap::new();
    // Jobs held for a pipeline predecessor arrive when it completes: not counted.
    for j in sc.jobs.iter().filter(|j| j.after.is_none()) {
        let t = secs(j.arrival);
        if before(t) {
            *m.entry(t).or_insert(0) += 1;
        }
    }
    for k in &sc.kinds {
        if let Arrival::Batch {
            count,
            at,
            every,
            batches,
        } = k.arrival
        {
            // A repeating batch arrives every `every` s, `batches` times or until the
            // horizon (the loader requires one of them).
            let n = match every {
                None => 1,
                Some(_) => batches.unwrap_or(u64::MAX),
            };
            for b in 0..n {
                let t = secs(at + every.unwrap_or(0.0) * b as f64);
                if !before(t) || count == 0 {
                    break;
                }
                *m.entry(t).or_insert(0) += count;
            }
        }
    }
    m
}

impl Lpt {
    /// A policy for scenario `sc` (which tells it the batch sizes).
    pub fn new(sc: &Scenario) -> Self {
        Lpt {
            expected: expected_arrivals(sc),
            batch: Vec::new(),
            batch_at: 0,
        }
    }

    fn flush(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        let mut batch = std::mem::take(&mut self.batch);
        batch.sort_by(|a, b| b.work().total_cmp(&a.work()).then(a.id().cmp(&b.id())));
        let mut ov = Overlay::new(view);
        for job in &batch {
            let mut best: Option<(Time, f64, ClassId, Vec<_>)> = None;
            for c in view.classes() {
                if !view.can_run(c, job) {
                    continue;
                }
                let Some((finish, slots)) = finish_with(job, view, &ov, c) else {
                    continue;
                };
                let s = view.speed(c, job).unwrap_or(0.0);
                if best
                    .as_ref()
                    .is_none_or(|(bf, bs, _, _)| finish < *bf || (finish == *bf && s > *bs))
                {
                    best = Some((finish, s, c, slots));
                }
            }
            let Some((finish, _, c, slots)) = best else {
                continue;
            };
            ov.commit_front(c, &slots, finish);
            out.push(Decision::Assign {
                job: job.slot(),
                devices: slots.iter().map(|s| s.id).collect(),
            });
        }
        batch.clear();
        self.batch = batch;
    }
}

impl Policy for Lpt {
    fn name(&self) -> &'static str {
        "lpt"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let now = view.now();
        if !self.batch.is_empty() && self.batch_at != now {
            self.flush(view, out);
        }
        self.batch_at = now;
        self.batch.push(job);
        let expected = self.expected.get(&now).copied().unwrap_or(0);
        if self.batch.len() as u64 >= expected {
            self.flush(view, out);
        }
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        if !self.batch.is_empty() && self.batch_at != view.now() {
            self.flush(view, out);
        }
    }
    fn waiting(&self) -> usize {
        self.batch.len()
    }
    fn wakeup(&self) -> Option<Time> {
        (!self.batch.is_empty()).then(|| self.batch_at.saturating_add(1))
    }
}
