//! `power-capped`: any base policy, made cap-aware. Optimises throughput under a power
//! cap: when the base policy's choice would not fit the cap's headroom now, the job goes
//! to the class with a free device that fits with the least power per unit of work; if
//! none fits (the cap binds), to the earliest-available device of the class with the
//! least power per unit of work, since while power is the bottleneck the work done
//! per second is the cap divided by that figure.
//!
//! The simulation enforces the cap for every policy (starts wait or run at a lower
//! P-state). This wrapper changes placement so that fewer starts have to wait and the
//! power that is there does the most work. Without a cap, or while the base policy's
//! choices fit, it is exactly the base policy. Cost: O(classes x log n) per job.

use super::{ClassId, ClusterView, Decision, JobInfo, Policy};

/// The cap-aware wrapper.
pub struct PowerCapped {
    base: Box<dyn Policy>,
    buf: Vec<Decision>,
}

impl PowerCapped {
    /// Wraps a base policy.
    pub fn new(base: Box<dyn Policy>) -> Self {
        PowerCapped {
            base,
            buf: Vec::new(),
        }
    }

    /// The job on the earliest-available devices of the capable class with the least
    /// power increase per unit of work per second (ties: the lower class index).
    fn most_efficient(job: &JobInfo, view: &ClusterView) -> Option<Decision> {
        let n = job.devices() as usize;
        let mut best: Option<(f64, ClassId)> = None;
        for c in view.classes() {
            if !view.can_run(c, job) || (view.class_size(c) as usize) < n {
                continue;
            }
            let per_work = view.power_increase(c, job) / view.speed(c, job)?;
            if best.is_none_or(|(b, _)| per_work < b) {
                best = Some((per_work, c));
            }
        }
        let (_, c) = best?;
        let devices = view.earliest_devices(c, n).map(|(d, _)| d).collect();
        Some(Decision::Assign {
            job: job.slot(),
            devices,
        })
    }

    fn rewrite(&mut self, job: Option<&JobInfo>, view: &ClusterView, out: &mut Vec<Decision>) {
        let mut headroom = view.headroom();
        for d in self.buf.drain(..) {
            let Decision::Assign { job: slot, devices } = &d else {
                out.push(d);
                continue;
            };
            let Some(job) = job.filter(|j| j.slot() == *slot) else {
                out.push(d);
                continue;
            };
            let c = view.class_of(devices[0]);
            let need = view.power_increase(c, job);
            if need <= headroom || !headroom.is_finite() {
                headroom -= need;
                out.push(d);
                continue;
            }
            // Classes with enough free devices whose increase fits, least W per work/s.
            let mut best: Option<(f64, ClassId)> = None;
            for c in view.classes() {
                if !view.can_run(c, job) || view.free_count(c) < job.devices() as usize {
                    continue;
                }
                let inc = view.power_increase(c, job);
                if inc > headroom {
                    continue;
                }
                let w_per_speed = inc / view.speed(c, job).unwrap_or(f64::MIN_POSITIVE);
                if best.is_none_or(|(b, _)| w_per_speed < b) {
                    best = Some((w_per_speed, c));
                }
            }
            match best {
                Some((_, c)) => {
                    headroom -= view.power_increase(c, job);
                    let devices = view.free_devices(c, job.devices() as usize).collect();
                    out.push(Decision::Assign {
                        job: job.slot(),
                        devices,
                    });
                }
                None => out.push(Self::most_efficient(job, view).unwrap_or(d)),
            }
        }
    }
}

impl Policy for PowerCapped {
    fn name(&self) -> &'static str {
        "power-capped"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        self.base.on_arrival(job, view, &mut self.buf);
        self.rewrite(Some(&job), view, out);
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.base.decide(view, out);
    }
    fn waiting(&self) -> usize {
        self.base.waiting()
    }
    fn wakeup(&self) -> Option<crate::engine::Time> {
        self.base.wakeup()
    }
    fn on_tick(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.base.on_tick(view, out);
    }
}
