//! Completions: the devices go idle, the job's record is emitted (a split job's parts
//! fold into their parent, which completes with its last part), pipeline successors are
//! released, each device moves on to its next committed job or becomes free, and the
//! policy gets a completion notice (its decision pass comes at the end of the instant).

use super::jobs::PartsDone;
use super::{Observer, SimError, Simulation};
use crate::cluster::{DevState, JobInfo};
use crate::engine::{Time, to_secs};
use crate::metrics::slowdowns;
use crate::policy::Completion;

impl Simulation<'_> {
    pub(super) fn on_complete(
        &mut self,
        slot: u32,
        obs: &mut dyn Observer,
    ) -> Result<(), SimError> {
        // The job's device list moves into its record; the loops after the record walk
        // a copy in a reused buffer (no allocation per job).
        let devices = std::mem::take(&mut self.jobs.at_mut(slot).devices);
        let mut walk = std::mem::take(&mut self.walk);
        walk.clear();
        // Pushed one by one: most jobs have one device, and a call to copy 4 bytes
        // costs more than the loop.
        for &d in &devices {
            walk.push(d);
        }
        let mut last_host = None;
        for &d in &walk {
            self.enter(d, DevState::Idle);
            let dev = &mut self.cluster.devices[d as usize];
            dev.running = None;
            dev.jobs_done += 1;
            // A job on several slots of a device counts once for the device. Only a
            // class with slots reads the host's count (devices.csv takes a one-slot
            // device's from the lane): skipping it spares a cache miss per job.
            if self.sc.classes[dev.class as usize].slots > 1 && last_host != Some(dev.host) {
                last_host = Some(dev.host);
                self.cluster.hosts[dev.host as usize].jobs_done += 1;
            }
        }
        let (e1, c1, k1) = self.job_acc(&walk);
        // What the record needs is read in place; the slot is then freed without
        // moving the job out.
        let aj = self.jobs.at(slot);
        let paused = aj.pstate.is_none();
        let (info, parent, lineage) = (aj.info, aj.parent, aj.lineage);
        let done = PartsDone {
            start: aj.start.expect("started"),
            devices,
            energy: e1 - aj.energy0,
            carbon: c1 - aj.carbon0,
            cost: k1 - aj.cost0,
            pstate: aj.start_pstate,
            cap_delay: aj.cap_delay,
            killed: aj.killed,
        };
        self.jobs.release(slot);
        if paused {
            // Killed while paused by the cap: it no longer waits to resume.
            self.gate.drop_paused(slot);
        }
        // A part of a split job: fold it into its parent, which completes with its last
        // part.
        let (info, done, lineage) = match parent {
            None => (info, Some(done), lineage),
            Some(p) => {
                let parent = self.jobs.at_mut(p);
                parent.parts_left -= 1;
                match &mut parent.agg {
                    None => parent.agg = Some(Box::new(done)),
                    Some(a) => a.fold(done),
                }
                if parent.parts_left == 0 {
                    let parent = self.jobs.remove(p);
                    (parent.info, parent.agg.map(|a| *a), parent.lineage)
                } else {
                    (parent.info, None, None)
                }
            }
        };
        // A finished job may release its pipeline successors; a branch that releases
        // none has ended, and its end-to-end latency is recorded with the job.
        let mut released = std::mem::take(&mut self.released);
        let mut e2e = None;
        if let (Some(_), Some(lin)) = (&done, lineage)
            && self.pipelines
        {
            let now = self.engine.now();
            let n = self.workload.release(info.kind(), lin, now, &mut released);
            if n == 0 && lin.depth > 0 {
                e2e = Some((lin.root, now - lin.origin));
            }
        }
        if let Some(done) = done {
            let notice = Completion {
                job: &info,
                devices: &done.devices,
                start: done.start,
                end: self.engine.now(),
                killed: done.killed,
            };
            self.policy.on_complete(&notice);
            self.record(info, done, e2e, obs)?;
        }

        // Each device moves on to its next committed job, or becomes free.
        let mut freed = false;
        for &d in &walk {
            if self.cluster.devices[d as usize].queue.is_empty() {
                self.cluster.set_free(d, true);
                self.cluster.set_avail(d, 0);
                freed = true;
            } else {
                self.kick(d);
            }
        }
        // Power went down: admit what waits for the cap first (it is older).
        self.retry_blocked();
        if freed {
            // The policy sees the freed devices in this instant's decision pass; only
            // after it may the power manager put the ones left idle to sleep.
            self.dirty = true;
            self.idle_check.extend_from_slice(&walk);
        }
        self.walk = walk;
        for job in released.drain(..) {
            self.admit(job)?;
        }
        self.released = released;
        Ok(())
    }

    /// Emits the record of a finished job and adds it to the statistics.
    fn record(
        &mut self,
        info: JobInfo,
        done: PartsDone,
        e2e: Option<(u32, Time)>,
        obs: &mut dyn Observer,
    ) -> Result<(), SimError> {
        let now = self.engine.now();
        let c0 = self.cluster.devices[done.devices[0] as usize].class as usize;
        // Every class that ran a part counts the job once (devices.csv counts it on
        // each of its devices); jobs.csv lists them in file order.
        // The reusable record is filled in place: no allocation or copy per job.
        let rec = &mut self.rec;
        rec.classes.clear();
        let mut used = std::mem::take(&mut self.used_classes);
        used.clear();
        used.extend(
            done.devices
                .iter()
                .map(|&d| self.cluster.devices[d as usize].class as usize),
        );
        used.sort_unstable();
        used.dedup();
        for &c in &used {
            self.class_jobs[c] += 1;
            if !rec.classes.is_empty() {
                rec.classes.push(';');
            }
            rec.classes.push_str(&self.sc.classes[c].name);
        }
        self.used_classes = used;
        rec.slots = info.slots();
        let arrival = to_secs(info.arrival());
        let start = to_secs(done.start);
        let end = to_secs(now);
        let run = end - start;
        let response = end - arrival;
        let (sd, bsld) = slowdowns(response, run);
        rec.id = info.id();
        rec.kind.clear();
        rec.kind.push_str(&self.sc.kinds[info.kind().index()].name);
        rec.arrival_s = arrival;
        rec.start_s = start;
        rec.end_s = end;
        rec.wait_s = start - arrival;
        rec.response_s = response;
        rec.run_s = run;
        rec.slowdown = sd;
        rec.bounded_slowdown = bsld;
        rec.class.clear();
        rec.class.push_str(&self.sc.classes[c0].name);
        // Physical devices: a job's slots on one device name it once.
        rec.devices.clear();
        let mut last = None;
        for &d in &done.devices {
            let h = self.cluster.devices[d as usize].host;
            if last == Some(h) {
                continue;
            }
            if last.is_some() {
                rec.devices.push(';');
            }
            last = Some(h);
            rec.devices.push_str(itoa::Buffer::new().format(h));
        }
        rec.work = info.work();
        rec.energy_j = done.energy;
        rec.carbon_g = done.carbon;
        rec.cost = done.cost;
        rec.pstate = done.pstate as u32;
        rec.cap_delay_s = to_secs(done.cap_delay);
        rec.deadline_s = info.deadline().map(to_secs);
        rec.deadline_met = info.deadline().map(|dl| now <= dl);
        rec.pipeline.clear();
        rec.e2e_s = None;
        rec.source_id = info.requirements().source_id;
        rec.estimate_s = info.estimate().map(to_secs);
        rec.killed = done.killed;
        if let Some((root, t)) = e2e {
            rec.pipeline.push_str(&self.sc.kinds[root as usize].name);
            rec.e2e_s = Some(to_secs(t));
            self.e2e[root as usize].add(to_secs(t));
        }
        self.collector.add(rec);
        Ok(obs.job(rec)?)
    }
}
