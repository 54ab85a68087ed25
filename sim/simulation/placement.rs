//! A policy's decisions: checked (a bad one is a policy bug), then committed to device
//! queues. A device that reaches a job holds it; the job starts when all its devices
//! hold it.

use super::jobs::ActiveJob;
use super::{MAX_RUN_S, SimError, Simulation};
use crate::cluster::{DevState, DeviceId, Gang, JobInfo};
use crate::engine::secs;
use crate::policy::Decision;

/// The job's top-state speed on a device of `class`: the class's speed for its kind,
/// times `k / slots` for a job on `k` of a device's slots.
fn slot_speed(class: &crate::model::DeviceClass, info: &JobInfo) -> f64 {
    let s = class.speed[info.kind().index()].expect("checked");
    match info.slots() {
        Some(k) if class.slots > 1 => s * k.min(class.slots) as f64 / class.slots as f64,
        _ => s,
    }
}

impl Simulation<'_> {
    /// A policy-bug error naming the policy.
    fn bug(&self, detail: String) -> SimError {
        SimError::BadDecision {
            policy: self.policy.name(),
            detail,
        }
    }

    pub(super) fn apply(&mut self, out: &mut Vec<Decision>) -> Result<(), SimError> {
        for d in out.drain(..) {
            match d {
                Decision::Assign { job, devices } => {
                    let job = job.get();
                    let info = self.placeable(job)?;
                    self.check_devices(&info, &devices)?;
                    let devices = self.expand(&info, devices);
                    self.commit(job, devices);
                }
                Decision::Split { job, parts } => {
                    let job = job.get();
                    let info = self.placeable(job)?;
                    if !info.divisible() {
                        return Err(
                            self.bug(format!("split job {}, which is not divisible", info.id()))
                        );
                    }
                    let work = info.work();
                    let total: f64 = parts.iter().map(|p| p.1).sum();
                    if parts.is_empty()
                        || parts.iter().any(|p| p.1.is_nan() || p.1 < 0.0)
                        || (total - work).abs() > 1e-9 * work.max(1.0)
                    {
                        return Err(self.bug(format!(
                            "split job {} into parts of {total} units in all, it has {work}",
                            info.id()
                        )));
                    }
                    for (devices, _) in &parts {
                        self.check_devices(&info, devices)?;
                    }
                    {
                        let parent = self.jobs.at_mut(job);
                        parent.parts_left = parts.len() as u32;
                        // Marks the parent as placed.
                        parent.devices = Gang::one(u32::MAX);
                    }
                    for (devices, work) in parts {
                        let slot = self.jobs.new_slot();
                        let mut child =
                            ActiveJob::new(info.part(slot, work), self.jobs.generation(slot));
                        child.parent = Some(job);
                        self.jobs.insert(slot, child);
                        let devices = self.expand(&info, devices.into());
                        self.commit(slot, devices);
                    }
                }
            }
        }
        Ok(())
    }

    /// The job a decision names, if it is waiting to be placed.
    fn placeable(&self, job: u32) -> Result<JobInfo, SimError> {
        let Some(aj) = self.jobs.get(job) else {
            return Err(self.bug(format!("placed job slot {job}, which is not waiting")));
        };
        if !aj.devices.is_empty() {
            return Err(self.bug(format!("placed job {} twice", aj.info.id())));
        }
        Ok(aj.info)
    }

    /// Checks a decision's devices: the gang size, existence, capability, no repeats.
    fn check_devices(&self, info: &JobInfo, devices: &[DeviceId]) -> Result<(), SimError> {
        // A run time past the clock's range (a huge drawn size) would overflow the
        // nanosecond clock: refuse it, naming the job, at the slowest P-state.
        let slowest = devices
            .iter()
            .filter_map(|&d| self.cluster.devices.get(d as usize))
            .map(|dev| {
                let cl = &self.sc.classes[dev.class as usize];
                cl.speed[info.kind().index()].unwrap_or(f64::INFINITY)
                    * cl.pstates[cl.pstates.len() - 1].speed
            })
            .fold(f64::INFINITY, f64::min);
        let run_s = info.work() / slowest;
        if run_s.is_nan() || run_s > MAX_RUN_S {
            return Err(SimError::PastClock {
                job: info.id(),
                work: info.work(),
                kind: self.sc.kinds[info.kind().index()].name.clone(),
                run_s,
            });
        }
        if devices.len() != info.devices() as usize {
            return Err(self.bug(format!(
                "gave job {} {} device(s), it needs {}",
                info.id(),
                devices.len(),
                info.devices()
            )));
        }
        for (i, &d) in devices.iter().enumerate() {
            let Some(dev) = self.cluster.devices.get(d as usize) else {
                return Err(self.bug(format!("named device {d}, which does not exist")));
            };
            let c = dev.class as usize;
            let gang = if self.sc.classes[c].slots > 1 {
                info.devices()
            } else {
                1
            };
            if !self
                .sc
                .can_run(c, info.kind().index(), info.memory(), gang, info.slots())
                || devices[..i].contains(&d)
            {
                return Err(self.bug(format!(
                    "put job {} on device {d} ({}), which cannot run it or is listed twice",
                    info.id(),
                    self.sc.classes[c].name
                )));
            }
        }
        Ok(())
    }

    /// The lanes a checked decision commits a job to. On a class with slots the policy
    /// names one lane; the job takes its `slots` (all slots for a whole-device job):
    /// that lane and the host's other lanes that finish their committed work first
    /// (free ones first, then by id). Elsewhere the named devices themselves.
    fn expand(&self, info: &JobInfo, devices: Gang) -> Gang {
        let first = devices[0];
        let dev = &self.cluster.devices[first as usize];
        let slots = self.sc.classes[dev.class as usize].slots;
        let need = info.slots().map_or(slots, |k| k.min(slots));
        if slots == 1 || need <= 1 {
            return devices;
        }
        let mut others: Vec<(crate::engine::Time, DeviceId)> = self
            .cluster
            .lanes_of(dev.host)
            .filter(|&l| l != first)
            .map(|l| (self.cluster.devices[l as usize].avail_key(), l))
            .collect();
        others.sort_unstable();
        let mut out = Vec::with_capacity(need as usize);
        out.push(first);
        out.extend(others.iter().take(need as usize - 1).map(|&(_, l)| l));
        out.into()
    }

    /// Appends a checked job to its devices' queues and lets idle ones act.
    fn commit(&mut self, job: u32, devices: Gang) {
        let now = self.engine.now();
        let info = self.jobs.at(job).info;
        let min_speed = devices
            .iter()
            .map(|&d| {
                let cl = &self.sc.classes[self.cluster.devices[d as usize].class as usize];
                slot_speed(cl, &info)
            })
            .fold(f64::INFINITY, f64::min);
        // Index upkeep: estimate at the top P-state; corrected when the job starts.
        let run = secs(info.work() / min_speed);
        let start_est = devices
            .iter()
            .map(|&d| {
                self.cluster.devices[d as usize]
                    .avail_key()
                    .max(now + self.wake_delay(d))
            })
            .max()
            .unwrap_or(now);
        let end_est = start_est.saturating_add(run);
        for &d in &devices {
            let dev = &mut self.cluster.devices[d as usize];
            dev.queue.push_back(job);
            // Work arrived: cancel a pending idle timeout.
            if dev.state == DevState::Idle {
                dev.timer_gen = dev.timer_gen.wrapping_add(1);
            }
            self.cluster.set_free(d, false);
            self.cluster.set_avail(d, end_est);
        }
        self.device_queued += 1;
        // The list moves into the job; the devices are kicked from a reused copy.
        let mut walk = std::mem::take(&mut self.walk);
        walk.clear();
        walk.extend_from_slice(&devices);
        {
            let aj = self.jobs.at_mut(job);
            aj.devices = devices;
            aj.est_end = end_est;
        }
        for &d in &walk {
            self.kick(d);
        }
        self.walk = walk;
    }

    /// Late binding: takes back every job committed to a device queue behind its head
    /// (the job the device holds, wakes for or takes next) and announces it to the
    /// policy again, in arrival order, as if it arrived now (its arrival time is kept).
    /// Called when capacity comes back (the cap rises, a device wakes up), so a
    /// backlog placed under a stale plan spreads over the devices that can now run it.
    /// Gang jobs (held across several queues) and parts of split jobs stay where they
    /// are. O(devices + taken x
    /// the policy's cost). Every device with work gets its availability key recomputed
    /// first ([`Self::reset_avail`]).
    pub(super) fn rebind_queued(&mut self) -> Result<(), SimError> {
        let all: Vec<DeviceId> = (0..self.cluster.devices.len() as DeviceId).collect();
        self.rebind_from(&all, false)
    }

    /// Late binding for the devices in `from` only: their committed jobs behind the
    /// head are announced to the policy again (see [`Self::rebind_queued`]). With
    /// `take_next`, a device running a started job gives back the job it would take
    /// next too (it does not hold it yet).
    pub(super) fn rebind_from(
        &mut self,
        from: &[DeviceId],
        take_next: bool,
    ) -> Result<(), SimError> {
        let now = self.engine.now();
        let mut taken: Vec<(u64, u32)> = Vec::new();
        for &d in from {
            let d = d as usize;
            let dev = &self.cluster.devices[d];
            let next_free = take_next
                && dev.queue.front().is_some_and(|&q| {
                    dev.running
                        .is_some_and(|r| r != q && self.jobs.at(r).start.is_some())
                });
            if dev.queue.len() < if next_free { 1 } else { 2 } {
                continue;
            }
            let queue = std::mem::take(&mut self.cluster.devices[d].queue);
            let mut kept = std::collections::VecDeque::with_capacity(1);
            for (i, slot) in queue.into_iter().enumerate() {
                let aj = self.jobs.at(slot);
                if (i == 0 && !next_free) || aj.devices.len() != 1 || aj.parent.is_some() {
                    kept.push_back(slot);
                    continue;
                }
                taken.push((aj.info.id(), slot));
            }
            self.cluster.devices[d].queue = kept;
        }
        for &d in from {
            let dev = &self.cluster.devices[d as usize];
            if dev.running.is_some() || !dev.queue.is_empty() {
                self.reset_avail(d, now);
            }
        }
        taken.sort_unstable();
        for &(_, slot) in &taken {
            let aj = self.jobs.at_mut(slot);
            aj.devices = Gang::default();
            aj.est_end = 0;
            self.device_queued -= 1;
        }
        self.rebound += taken.len() as u64;
        for (_, slot) in taken {
            let info = self.jobs.at(slot).info;
            self.ask_policy(|p, view, out| p.on_arrival(info, view, out))?;
        }
        Ok(())
    }

    /// Recomputes device `d`'s availability key from what it really has: the end of the
    /// job it runs (from its progress; now if paused or none), or its wake-up, then the
    /// estimated runs of its queued jobs at the top P-state. The keys kept incrementally
    /// drift from this under a cap (starts delayed, jobs slowed or paused), and a policy
    /// placing a whole backlog again must see the devices as they are.
    fn reset_avail(&mut self, d: DeviceId, now: crate::engine::Time) {
        let dev = &self.cluster.devices[d as usize];
        let class = &self.sc.classes[dev.class as usize];
        let mut t = now + self.wake_delay(d);
        if let Some(slot) = dev.running
            && let Some(aj) = self.jobs.get(slot)
            && aj.start.is_some()
            && aj.rate > 0.0
        {
            let left = aj.overhead + secs(aj.remaining / aj.rate);
            t = t.max((aj.seg_start + left).max(now));
        }
        for &slot in &dev.queue {
            if dev.running == Some(slot) && self.jobs.at(slot).start.is_some() {
                continue;
            }
            let info = self.jobs.at(slot).info;
            let speed = slot_speed(class, &info);
            t = t.saturating_add(secs(info.work() / speed));
        }
        self.cluster.set_avail(d, t);
    }

    /// Lets device `d` act on the head of its queue: hold it (starting the job when all
    /// its devices hold it) or wake up first.
    pub(super) fn kick(&mut self, d: DeviceId) {
        let dev = &self.cluster.devices[d as usize];
        if dev.running.is_some() {
            return;
        }
        let Some(&slot) = dev.queue.front() else {
            return;
        };
        match dev.state {
            DevState::Idle => {
                self.cluster.devices[d as usize].running = Some(slot);
                let now = self.engine.now();
                let aj = self.jobs.at_mut(slot);
                aj.ready += 1;
                if aj.ready as usize == aj.devices.len() {
                    aj.ready_at = now;
                    self.request_start(slot);
                }
            }
            DevState::Asleep => self.begin_wake(d),
            // The end of the transition kicks again.
            DevState::Waking | DevState::Sleeping => {}
            DevState::Busy(_) => unreachable!("a busy device holds its job"),
        }
    }
}
