//! `fcfs`: first come, first served. Optimises nothing; it is the baseline.
//!
//! Jobs wait in one FIFO queue. The head starts on the first free devices that can run
//! it, classes in file order, lowest device id first. If it does not fit, nothing behind
//! it starts (no backfilling), as in the classic batch-scheduler FCFS.

use super::{ClassId, ClusterView, Decision, Gang, JobInfo, Policy};
use std::collections::VecDeque;

/// The FCFS policy.
#[derive(Default)]
pub struct Fcfs {
    queue: VecDeque<JobInfo>,
}

impl Fcfs {
    fn drain(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        // Each placement removes free devices; the view is refreshed by the simulation
        // only between calls, so track what this call has already used.
        let mut used: Vec<(ClassId, usize)> = Vec::new(); // (class, devices taken)
        while let Some(job) = self.queue.front() {
            let k = job.devices() as usize;
            let mut placed = None;
            for c in view.classes() {
                if !view.can_run(c, job) {
                    continue;
                }
                let taken = used.iter().find(|u| u.0 == c).map_or(0, |u| u.1);
                if view.free_count(c) >= taken + k {
                    let devices: Gang = view.free_devices(c, taken + k).skip(taken).collect();
                    placed = Some((c, devices));
                    break;
                }
            }
            let Some((c, devices)) = placed else { break };
            match used.iter_mut().find(|u| u.0 == c) {
                Some(u) => u.1 += k,
                None => used.push((c, k)),
            }
            out.push(Decision::Assign {
                job: job.slot(),
                devices,
            });
            self.queue.pop_front();
        }
    }
}

impl Policy for Fcfs {
    fn name(&self) -> &'static str {
        "fcfs"
    }
    fn on_arrival(&mut self, job: JobInfo, _: &ClusterView, _: &mut Vec<Decision>) {
        self.queue.push_back(job);
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.drain(view, out);
    }
    fn waiting(&self) -> usize {
        self.queue.len()
    }
}
