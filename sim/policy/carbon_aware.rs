//! `carbon-aware`: defers deferrable jobs to the lowest-carbon time within their slack.
//! Optimises carbon; jobs without slack are placed at once by the base policy.
//!
//! At arrival, a job with `slack` s is held until the start of the lowest carbon-intensity
//! period in [arrival, arrival + s] (the earliest such period on ties), then handed to
//! the base policy (`base`, default `eft`). Finding that period walks the intensity
//! signal's change points inside the window only (at most `MAX_STEPS`).

use super::{ClusterView, Decision, JobInfo, Policy};
use crate::engine::Time;
use std::collections::BTreeMap;

/// Most signal steps examined per job.
const MAX_STEPS: usize = 100_000;

/// The carbon-aware deferral policy.
pub struct CarbonAware {
    base: Box<dyn Policy>,
    held: BTreeMap<(Time, u64), JobInfo>,
}

impl CarbonAware {
    /// Wraps a base policy.
    pub fn new(base: Box<dyn Policy>) -> Self {
        CarbonAware {
            base,
            held: BTreeMap::new(),
        }
    }
}

/// The earliest time in [now, now + slack] at which carbon intensity is lowest.
pub fn best_start(view: &ClusterView, now: Time, slack: Time) -> Time {
    let sig = &view.scenario().facility.carbon;
    let end = now.saturating_add(slack);
    let mut best = (sig.at(now), now);
    let mut t = now;
    for _ in 0..MAX_STEPS {
        match sig.next_change(t) {
            Some(n) if n <= end => {
                let v = sig.at(n);
                if v < best.0 {
                    best = (v, n);
                }
                t = n;
            }
            _ => break,
        }
    }
    best.1
}

impl Policy for CarbonAware {
    fn name(&self) -> &'static str {
        "carbon-aware"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let now = view.now();
        match job.slack() {
            Some(s) if s > 0 => {
                let t = best_start(view, now, s);
                if t <= now {
                    self.base.on_arrival(job, view, out);
                } else {
                    self.held.insert((t, job.id()), job);
                }
            }
            _ => self.base.on_arrival(job, view, out),
        }
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.base.decide(view, out);
    }
    fn waiting(&self) -> usize {
        self.held.len() + self.base.waiting()
    }
    fn wakeup(&self) -> Option<Time> {
        let own = self.held.keys().next().map(|k| k.0);
        match (own, self.base.wakeup()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
    fn on_tick(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        let now = view.now();
        while let Some((&(t, id), _)) = self.held.iter().next() {
            if t > now {
                break;
            }
            let job = self.held.remove(&(t, id)).expect("present");
            self.base.on_arrival(job, view, out);
        }
        self.base.on_tick(view, out);
    }
}
