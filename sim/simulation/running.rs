//! Running jobs under the cap: the P-state a job starts at (the power manager's choice,
//! lowered while it would not fit), the FIFO of starts waiting for power, and the
//! reaction to a cap that moves (slow, then pause running jobs; admit waiting ones).

use super::cap::Blocked;
use super::{Event, SimError, Simulation, host_power, power_of};
use crate::cluster::{DevState, DeviceId};
use crate::engine::{NANOS_PER_SEC, Time, secs};
use crate::model::Walltime;

impl Simulation<'_> {
    /// Power added by running `slot` at P-state `ps` on its devices (from what they
    /// draw now: 0 for a running job at its current state).
    fn start_delta(&self, slot: u32, ps: usize) -> f64 {
        let aj = self.jobs.at(slot);
        let mut delta = 0.0;
        let mut i = 0;
        while i < aj.devices.len() {
            let dev = &self.cluster.devices[aj.devices[i] as usize];
            let cl = &self.sc.classes[dev.class as usize];
            if cl.slots == 1 {
                delta += power_of(cl, DevState::Busy(aj.info.kind().get()), ps) - dev.power_w;
                i += 1;
                continue;
            }
            // The job's lanes on one host are listed together: the host's power with
            // all of them busy with the job, minus its power now.
            let h = dev.host;
            let host = &self.cluster.hosts[h as usize];
            let mut by_kind = host.by_kind.clone();
            let mut busy = host.busy;
            while i < aj.devices.len() && self.cluster.devices[aj.devices[i] as usize].host == h {
                let lane = &self.cluster.devices[aj.devices[i] as usize];
                if let DevState::Busy(k) = lane.state {
                    by_kind[k as usize] -= 1;
                    busy -= 1;
                }
                by_kind[aj.info.kind().index()] += 1;
                busy += 1;
                i += 1;
            }
            delta += host_power(cl, busy, &by_kind) - host.power_w;
        }
        delta
    }

    /// Per-job accounts of `devices` (energy J, carbon g, cost): a device's own account
    /// on a one-slot class, the host's per-busy-lane share on a class with slots.
    pub(super) fn job_acc(&self, devices: &[DeviceId]) -> (f64, f64, f64) {
        devices.iter().fold((0.0, 0.0, 0.0), |a, &d| {
            let dev = &self.cluster.devices[d as usize];
            let host = &self.cluster.hosts[dev.host as usize];
            if self.sc.classes[dev.class as usize].slots > 1 {
                let l = host.lane_acc;
                (a.0 + l[0], a.1 + l[1], a.2 + l[2])
            } else {
                let acc = self.meter.device(dev.host as usize);
                (a.0 + acc.energy_j, a.1 + acc.carbon_g, a.2 + acc.cost)
            }
        })
    }

    /// Whether adding `delta` W keeps IT power under the cap.
    pub(super) fn fits(&self, delta: f64) -> bool {
        self.gate.fits(delta, self.levels.it())
    }

    fn headroom(&self) -> f64 {
        self.gate.headroom(self.levels.it())
    }

    /// Whether the cap binds in the present state: something waits for power at the
    /// gate, or jobs wait (in the policy or in device queues) while a class has a free
    /// device whose cheapest start (its slowest P-state, for any kind it runs) does not
    /// fit under the cap. IT power need not reach the cap for it to bind.
    pub(super) fn cap_binds(&self) -> bool {
        if self.gate.cap.is_none() {
            return false;
        }
        if self.gate.any_waiting() {
            return true;
        }
        if self.policy.waiting() == 0 && self.device_queued == 0 {
            return false;
        }
        let headroom = self.headroom();
        self.sc.classes.iter().enumerate().any(|(c, cl)| {
            let low = cl.pstates[cl.pstates.len() - 1].power;
            let cheapest = (0..self.sc.kinds.len())
                .filter(|&k| cl.speed[k].is_some())
                .map(|k| {
                    if cl.slots > 1 {
                        // One more busy slot on an idle device.
                        cl.power_model.power(cl.idle_w, cl.slots, 1, cl.busy_w[k]) - cl.idle_w
                    } else {
                        cl.busy_w[k] * low - cl.idle_w
                    }
                })
                .fold(f64::INFINITY, f64::min);
            cheapest > headroom && self.cluster.has_free(c)
        })
    }

    /// Integrates the time the cap binds up to `t`, for the state that held since the
    /// previous event (call before anything changes at `t`).
    pub(super) fn track_binding(&mut self, t: Time) {
        if t > self.gate.binding_last && self.cap_binds() {
            self.gate.binding_ns += t - self.gate.binding_last;
        }
        self.gate.binding_last = self.gate.binding_last.max(t);
    }

    /// Chooses the P-state (power manager, then the cap) and starts the job, or queues
    /// it behind the cap.
    pub(super) fn request_start(&mut self, slot: u32) {
        // Strict FIFO under the cap: no overtaking of jobs already waiting for power.
        if self.gate.any_waiting() || !self.try_start(slot) {
            self.block(Blocked::Start(slot));
        }
    }

    /// Queues `b` behind the cap.
    pub(super) fn block(&mut self, b: Blocked) {
        let first_wait = match b {
            Blocked::Wake(d) => {
                self.cluster.devices[d as usize].cap_blocked = true;
                false
            }
            Blocked::Start(s) => self.jobs.at(s).cap_delay == 0,
            Blocked::Resume(_) => false,
        };
        self.gate.block(b, first_wait);
    }

    /// The slowest member class of a job and its top-state speed for the job (on a
    /// class with slots, `k / slots` of the class's speed for a job on `k` slots).
    fn job_class_speed(&self, slot: u32) -> (usize, f64) {
        let aj = self.jobs.at(slot);
        let k = aj.info.kind().index();
        aj.devices
            .iter()
            .map(|&d| {
                let c = self.cluster.devices[d as usize].class as usize;
                let cl = &self.sc.classes[c];
                let s = cl.speed[k].expect("can run");
                match aj.info.slots() {
                    Some(n) if cl.slots > 1 => (c, s * n.min(cl.slots) as f64 / cl.slots as f64),
                    _ => (c, s),
                }
            })
            .fold((0, f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a })
    }

    fn try_start(&mut self, slot: u32) -> bool {
        let now = self.engine.now();
        let (c, speed) = self.job_class_speed(slot);
        let info = self.jobs.at(slot).info;
        let class = &self.sc.classes[c];
        let want = self
            .pm
            .pstate(&info, class, speed, now)
            .min(class.pstates.len() - 1);
        let lowest = class.pstates.len() - 1;
        let Some(ps) = (want..=lowest).find(|&ps| self.fits(self.start_delta(slot, ps))) else {
            return false;
        };
        self.start(slot, ps);
        true
    }

    fn start(&mut self, slot: u32, ps: usize) {
        let now = self.engine.now();
        let (c, speed) = self.job_class_speed(slot);
        let class = &self.sc.classes[c];
        let aj = self.jobs.at_mut(slot);
        let kind = aj.info.kind().get();
        let devices = std::mem::take(&mut aj.devices);
        aj.cap_delay = now - aj.ready_at;
        self.gate.delay_ns += aj.cap_delay;
        let switch = devices
            .iter()
            .any(|&d| self.cluster.devices[d as usize].pstate as usize != ps);
        let overhead = if switch { secs(class.pstate_switch) } else { 0 };
        let rate = speed * class.pstates[ps].speed;
        let run = overhead + secs(aj.remaining / rate);
        // Walltime kill: the job ends at start + its requested time if it would run
        // longer (jobs without a requested time are never killed).
        aj.kill_at = match self.sc.walltime {
            Walltime::Kill => aj.info.estimate().map(|e| now + e),
            Walltime::Run => None,
        };
        let (end, killed) = match aj.kill_at {
            Some(k) if k < now + run => (k, true),
            _ => (now + run, false),
        };
        aj.killed = killed;
        let run = end - now;
        let delta_end = (now + run) as i128 - aj.est_end as i128;
        for &d in &devices {
            let dev = &mut self.cluster.devices[d as usize];
            let q = dev.queue.pop_front();
            debug_assert_eq!(q, Some(slot));
            let cl = &self.sc.classes[dev.class as usize];
            dev.pstate = ps.min(cl.pstates.len() - 1) as u8;
            self.set_state(
                d,
                DevState::Busy(kind),
                power_of(cl, DevState::Busy(kind), ps),
            );
            // Keep the availability index exact now that the real end is known.
            let key = self.cluster.devices[d as usize].avail_key();
            let new_key = (key as i128 + delta_end).max((now + run) as i128) as Time;
            if new_key != key {
                self.cluster.set_avail(d, new_key);
            }
            // The job ends later than planned (a lower P-state, a wait for power or for
            // gang partners): jobs committed behind it were placed on a stale plan.
            if delta_end > 0 && !self.cluster.devices[d as usize].queue.is_empty() {
                self.stale.push(d);
            }
        }
        self.device_queued -= 1;
        let (e0, c0, k0) = self.job_acc(&devices);
        let aj = self.jobs.at_mut(slot);
        aj.devices = devices;
        aj.start = Some(now);
        aj.pstate = Some(ps);
        aj.start_pstate = ps;
        aj.seg_start = now;
        aj.rate = rate;
        aj.overhead = overhead;
        aj.energy0 = e0;
        aj.carbon0 = c0;
        aj.cost0 = k0;
        let generation = aj.generation;
        self.engine
            .schedule_in(run, Event::Complete { slot, generation });
    }

    /// Moves a running job to P-state `ps` (or pauses it with `None`), rescheduling its
    /// completion.
    fn respeed(&mut self, slot: u32, ps: Option<usize>) {
        let now = self.engine.now();
        let (c, speed) = self.job_class_speed(slot);
        let rate_new = ps.map_or(0.0, |p| speed * self.sc.classes[c].pstates[p].speed);
        let aj = self.jobs.at_mut(slot);
        // Progress since the segment began: overhead first, then work.
        let elapsed = now - aj.seg_start;
        let served = elapsed.min(aj.overhead);
        aj.overhead -= served;
        let work_time = (elapsed - served) as f64 / NANOS_PER_SEC;
        aj.remaining = (aj.remaining - work_time * aj.rate).max(0.0);
        aj.seg_start = now;
        aj.rate = rate_new;
        aj.pstate = ps;
        aj.generation = aj.generation.wrapping_add(1);
        let generation = aj.generation;
        let kind = aj.info.kind().get();
        let devices = aj.devices.clone();
        let remaining = aj.remaining;
        let overhead = aj.overhead;
        self.jobs.set_generation(slot, generation);
        for &d in &devices {
            let cl = &self.sc.classes[self.cluster.devices[d as usize].class as usize];
            match ps {
                Some(p) => {
                    self.cluster.devices[d as usize].pstate = p.min(cl.pstates.len() - 1) as u8;
                    self.set_state(
                        d,
                        DevState::Busy(kind),
                        power_of(cl, DevState::Busy(kind), p),
                    );
                }
                None => self.set_state(d, DevState::Idle, power_of(cl, DevState::Idle, 0)),
            }
        }
        let natural = (rate_new > 0.0).then(|| now + overhead + secs(remaining / rate_new));
        let kill_at = self.jobs.at(slot).kill_at.map(|k| k.max(now));
        // A job paused past its requested time is still killed there.
        let (end, killed) = match (natural, kill_at) {
            (Some(n), Some(k)) if k < n => (Some(k), true),
            (None, Some(k)) => (Some(k), true),
            (n, _) => (n, false),
        };
        self.jobs.at_mut(slot).killed = killed;
        if let Some(end) = end {
            self.engine
                .schedule_at(end, Event::Complete { slot, generation })
                .expect("not in the past");
        }
    }

    /// The cap moved: slow or pause running jobs if it fell below IT power; admit what
    /// waits if there is room; if it rose, re-place committed work (late binding).
    pub(super) fn on_cap_change(&mut self) -> Result<(), SimError> {
        let now = self.engine.now();
        let old = self.gate.cap;
        self.gate.cap = self.sc.facility.power_cap.as_ref().map(|c| c.at(now));
        self.schedule_cap_change();
        if self.headroom() < 0.0 {
            self.throttle();
        } else {
            self.retry_blocked();
        }
        let rose = match (old, self.gate.cap) {
            (Some(a), Some(b)) => b > a,
            (Some(_), None) => true,
            _ => false,
        };
        if rose {
            self.rebind_queued()?;
        }
        Ok(())
    }

    /// Brings IT power under a cap that fell: first lower the P-state of running jobs
    /// (latest started first), then pause them.
    fn throttle(&mut self) {
        let mut running = self.jobs.running();
        running.sort_by(|a, b| b.cmp(a));
        for &(_, slot) in &running {
            if self.headroom() >= 0.0 {
                return;
            }
            let (c, _) = self.job_class_speed(slot);
            let lowest = self.sc.classes[c].pstates.len() - 1;
            let cur = self.jobs.at(slot).pstate.expect("running");
            if cur == lowest {
                continue;
            }
            // The fastest lower state that brings power under the cap, else the lowest.
            let cur_delta = self.start_delta(slot, cur);
            let target = (cur + 1..=lowest)
                .find(|&p| self.start_delta(slot, p) - cur_delta <= self.headroom())
                .unwrap_or(lowest);
            self.respeed(slot, Some(target));
        }
        for &(_, slot) in &running {
            if self.headroom() >= 0.0 {
                return;
            }
            self.respeed(slot, None);
            self.gate.pause(slot);
        }
    }

    /// Admits waiting starts, wake-ups and resumptions in order while they fit.
    pub(super) fn retry_blocked(&mut self) {
        while let Some(b) = self.gate.front() {
            let ok = match b {
                Blocked::Resume(slot) => {
                    let (c, _) = self.job_class_speed(slot);
                    let lowest = self.sc.classes[c].pstates.len() - 1;
                    match (0..=lowest).find(|&p| self.fits(self.start_delta(slot, p))) {
                        Some(p) => {
                            self.respeed(slot, Some(p));
                            true
                        }
                        None => false,
                    }
                }
                Blocked::Start(slot) => self.try_start(slot),
                Blocked::Wake(d) => self.try_wake(d),
            };
            if !ok {
                break;
            }
            self.gate.admitted();
            if let Blocked::Wake(d) = b {
                self.cluster.devices[d as usize].cap_blocked = false;
            }
        }
    }
}
