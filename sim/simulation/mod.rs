//! The datacenter simulation: glue between the engine, the cluster, the workload, the
//! policy, the power manager and the meter. One event flows like this:
//!
//! 1. The engine pops the earliest event and the clock moves to its time.
//! 2. Before any state changes, the meter integrates power, carbon and cost over the
//!    elapsed segment.
//! 3. `Arrival`: the workload's job gets a slot and an id, the policy is told
//!    (`on_arrival`) and its decisions are applied; the stream's next arrival is
//!    scheduled. `Complete`: the devices go idle, the record is emitted, each device
//!    moves to its next committed job or becomes free (and may be put to sleep by the
//!    power manager), and the policy is told (`on_free`). `DeviceTimer` / `DeviceReady`:
//!    idle timeouts and the ends of sleep transitions. `CapChange`: the power cap moved.
//!    `PolicyTick`: a wake-up the policy asked for.
//! 4. Decisions append jobs to device queues. A device that reaches a job holds it; a
//!    sleeping device wakes first. When all of a job's devices hold it, the power
//!    manager picks the P-state, the cap is checked (a lower P-state or a wait if it
//!    would be exceeded), the job starts and its completion is scheduled.
//!
//! # Invariants
//! - IT power never exceeds the cap: every increase (start, wake-up, fall-asleep
//!   transition) is admitted against the cap, and a falling cap slows, then pauses,
//!   running jobs.
//! - Energy is the exact integral of piecewise-constant power, per device and in total.
//! - Per device, time busy + idle + asleep + in transition = the simulated span.
//!
//! The simulation writes nothing itself: records go to an [`Observer`].

use crate::cluster::{Cluster, ClusterView, DevState, DeviceId, JobInfo};
use crate::engine::{Engine, NANOS_PER_SEC, Time, secs, to_secs};
use crate::metrics::{ClassSummary, Collector, JobRecord, Summary, slowdowns};
use crate::model::Scenario;
use crate::policy::{self, Decision, Policy};
use crate::power::{Levels, Meter, PowerRow, Signals};
use crate::power_manager::{self, PowerManager};
use crate::workload::{NewJob, Workload};
use std::collections::VecDeque;
use std::time::Instant;

/// Longest run time of one job, s (100 years): keeps every time within the clock.
pub const MAX_RUN_S: f64 = 100.0 * 365.25 * 86400.0;

/// Engine payload: small and `Copy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Next job of workload stream `stream`.
    Arrival {
        /// Stream index.
        stream: u32,
    },
    /// The job in `slot` finishes (dropped if `generation` is stale: the job was
    /// slowed, paused or already finished).
    Complete {
        /// Job slot.
        slot: u32,
        /// Slot generation when scheduled.
        generation: u32,
    },
    /// A device's idle timeout expired.
    DeviceTimer {
        /// Device.
        device: DeviceId,
        /// Device timer generation when scheduled.
        generation: u32,
    },
    /// A device finished waking up or falling asleep.
    DeviceReady {
        /// Device.
        device: DeviceId,
        /// Device timer generation when scheduled.
        generation: u32,
    },
    /// The power cap changes now.
    CapChange,
    /// The policy asked to be woken now.
    PolicyTick {
        /// Tick generation when scheduled.
        generation: u32,
    },
}

/// Receives what the simulation produces. Errors stop the run.
pub trait Observer {
    /// A job finished.
    fn job(&mut self, r: &JobRecord) -> std::io::Result<()>;
    /// A row of the power series.
    fn power(&mut self, r: &PowerRow) -> std::io::Result<()>;
    /// Called every few thousand events with the clock and jobs finished.
    fn progress(&mut self, _now_s: f64, _jobs_done: u64) {}
}

/// An observer that keeps nothing (for tests and sweeps).
pub struct NullObserver;
impl Observer for NullObserver {
    fn job(&mut self, _: &JobRecord) -> std::io::Result<()> {
        Ok(())
    }
    fn power(&mut self, _: &PowerRow) -> std::io::Result<()> {
        Ok(())
    }
}

/// Final state of one device.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DeviceRecord {
    /// Device id.
    pub device: u32,
    /// Class name.
    pub class: String,
    /// Category.
    pub category: String,
    /// Busy time, s.
    pub busy_s: f64,
    /// Idle time, s.
    pub idle_s: f64,
    /// Asleep time, s.
    pub asleep_s: f64,
    /// Time waking up or falling asleep, s.
    pub transition_s: f64,
    /// Energy, J.
    pub energy_j: f64,
    /// Energy while busy, J.
    pub busy_j: f64,
    /// Energy while idle, J.
    pub idle_j: f64,
    /// Energy while asleep, J.
    pub asleep_j: f64,
    /// Energy in transitions, J.
    pub transition_j: f64,
    /// Carbon (facility share), g.
    pub carbon_g: f64,
    /// Cost (facility share).
    pub cost: f64,
    /// Jobs completed.
    pub jobs: u64,
    /// Wake-ups.
    pub wakeups: u64,
}

/// Everything a run produces besides the streamed rows.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The summary.
    pub summary: Summary,
    /// One record per device.
    pub devices: Vec<DeviceRecord>,
}

struct ActiveJob {
    info: JobInfo,
    generation: u32,
    devices: Vec<DeviceId>,
    ready: u32,
    /// Estimated end when committed (for index upkeep).
    est_end: Time,
    start: Option<Time>,
    /// Time the job first asked to start (all devices ready), for cap delay.
    ready_at: Time,
    /// P-state index the job runs at (None: paused by the cap).
    pstate: Option<usize>,
    /// P-state at start, for the record.
    start_pstate: usize,
    /// Work left at `seg_start`.
    remaining: f64,
    seg_start: Time,
    /// Work units per second in the current segment.
    rate: f64,
    /// Extra time (P-state switch) still to serve before work progresses, ns.
    overhead: Time,
    energy0: f64,
    carbon0: f64,
    cost0: f64,
    cap_delay: Time,
    /// For a part of a split job: the parent's slot.
    parent: Option<u32>,
    /// For a split job: parts not finished, and what finished parts add up to.
    parts_left: u32,
    agg: Option<PartsDone>,
    /// Pipeline position (jobs released by the workload; parts have none).
    lineage: Option<crate::workload::Lineage>,
}

/// What the finished parts of a split job add up to.
#[derive(Clone, Debug)]
struct PartsDone {
    start: Time,
    devices: Vec<DeviceId>,
    energy: f64,
    carbon: f64,
    cost: f64,
    pstate: usize,
    cap_delay: Time,
}

impl ActiveJob {
    fn new(info: JobInfo, generation: u32) -> Self {
        ActiveJob {
            info,
            generation,
            devices: Vec::new(),
            ready: 0,
            est_end: 0,
            start: None,
            ready_at: 0,
            pstate: None,
            start_pstate: 0,
            remaining: info.work,
            seg_start: 0,
            rate: 0.0,
            overhead: 0,
            energy0: 0.0,
            carbon0: 0.0,
            cost0: 0.0,
            cap_delay: 0,
            parent: None,
            parts_left: 0,
            agg: None,
            lineage: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Blocked {
    Resume(u32),
    Start(u32),
    Wake(DeviceId),
}

/// One simulation run.
pub struct Simulation<'a> {
    sc: &'a Scenario,
    engine: Engine<Event>,
    cluster: Cluster,
    workload: Workload,
    policy: Box<dyn Policy>,
    pm: Box<dyn PowerManager>,
    meter: Meter,
    levels: Levels,
    jobs: Vec<Option<ActiveJob>>,
    free_slots: Vec<u32>,
    gens: Vec<u32>,
    next_id: u64,
    arrived: u64,
    device_queued: u64,
    collector: Collector,
    class_jobs: Vec<u64>,
    decisions: Vec<Decision>,
    pending: Vec<Option<NewJob>>,
    blocked: VecDeque<Blocked>,
    cap: Option<f64>,
    cap_delayed_jobs: u64,
    cap_delay_ns: Time,
    paused: u64,
    tick_gen: u32,
    tick_at: Option<Time>,
    active_jobs: u64,
    rec: JobRecord,
    released: Vec<NewJob>,
    pipelines: bool,
    e2e: Vec<crate::metrics::Quantiles>,
    seed: u64,
}

impl<'a> Simulation<'a> {
    /// Prepares a run of `sc` with `seed` and the scenario's policy and power manager.
    pub fn new(sc: &'a Scenario, seed: u64) -> Result<Self, String> {
        let policy = policy::build(&sc.policy, sc)?;
        let pm = power_manager::build(&sc.power_manager)?;
        Ok(Self::with_parts(sc, seed, policy, pm))
    }

    /// Prepares a run with a given policy object (for policies written outside hetsim)
    /// and the scenario's power manager.
    pub fn with_policy(sc: &'a Scenario, seed: u64, policy: Box<dyn Policy>) -> Self {
        let pm = power_manager::build(&sc.power_manager)
            .unwrap_or_else(|_| Box::new(power_manager::AlwaysOn));
        Self::with_parts(sc, seed, policy, pm)
    }

    /// Prepares a run with a given policy and power manager.
    pub fn with_parts(
        sc: &'a Scenario,
        seed: u64,
        policy: Box<dyn Policy>,
        pm: Box<dyn PowerManager>,
    ) -> Self {
        let cluster = Cluster::new(sc);
        let class_w = sc
            .classes
            .iter()
            .map(|c| c.idle_w * c.count as f64)
            .collect();
        let signals = Signals {
            pue: sc.facility.pue,
            carbon: sc.facility.carbon.clone(),
            price: sc.facility.price.clone(),
            cap: sc.facility.power_cap.clone(),
        };
        Simulation {
            sc,
            engine: Engine::with_capacity(4096),
            cluster,
            workload: Workload::new(sc, seed),
            policy,
            pm,
            meter: Meter::new(
                sc.classes.len(),
                signals,
                sc.output.power_interval.map(secs),
            ),
            levels: Levels {
                class_w,
                ..Default::default()
            },
            jobs: Vec::new(),
            free_slots: Vec::new(),
            gens: Vec::new(),
            next_id: 0,
            arrived: 0,
            device_queued: 0,
            collector: Collector::default(),
            class_jobs: vec![0; sc.classes.len()],
            decisions: Vec::new(),
            pending: Vec::new(),
            blocked: VecDeque::new(),
            cap: sc.facility.power_cap.as_ref().map(|c| c.at(0)),
            cap_delayed_jobs: 0,
            cap_delay_ns: 0,
            paused: 0,
            tick_gen: 0,
            tick_at: None,
            active_jobs: 0,
            rec: JobRecord::default(),
            released: Vec::new(),
            pipelines: false,
            e2e: vec![Default::default(); sc.kinds.len()],
            seed,
        }
    }

    /// Runs to the end (all arrivals done and every job finished).
    pub fn run(mut self, obs: &mut dyn Observer) -> anyhow::Result<Outcome> {
        let wall = Instant::now();
        self.pipelines = self.workload.has_pipelines();
        for s in 0..self.workload.len() {
            self.schedule_arrival(s as u32);
        }
        self.schedule_cap_change();
        // Devices that start free may sleep at once.
        for d in 0..self.cluster.devices.len() as DeviceId {
            self.on_device_free(d);
        }
        while let Some((t, ev)) = self.engine.pop() {
            self.advance(t, obs)?;
            match ev {
                Event::Arrival { stream } => self.on_arrival(stream)?,
                Event::Complete { slot, generation } => {
                    if self.gens[slot as usize] == generation {
                        self.on_complete(slot, obs)?;
                    }
                }
                Event::DeviceTimer { device, generation } => {
                    if self.cluster.devices[device as usize].timer_gen == generation {
                        self.try_sleep(device);
                    }
                }
                Event::DeviceReady { device, generation } => {
                    if self.cluster.devices[device as usize].timer_gen == generation {
                        self.on_device_ready(device);
                    }
                }
                Event::CapChange => self.on_cap_change(),
                Event::PolicyTick { generation } => {
                    if generation == self.tick_gen {
                        self.tick_at = None;
                        let mut out = std::mem::take(&mut self.decisions);
                        let view = ClusterView::new(self.engine.now(), self.sc, &self.cluster)
                            .with_power(self.levels.it(), self.cap);
                        self.policy.on_tick(&view, &mut out);
                        self.apply(&mut out)?;
                        self.decisions = out;
                    }
                }
            }
            self.schedule_tick();
            if self.engine.events_processed() & 0xffff == 0 {
                obs.progress(to_secs(t), self.collector.waits.len());
            }
            if self.only_timers_left() {
                break;
            }
        }
        let end = self.end_time();
        self.advance(end, obs)?;
        let mut err = Ok(());
        self.meter.finish(&mut |r| {
            if err.is_ok() {
                err = obs.power(&r);
            }
        });
        err?;
        let unfinished = self.jobs.iter().filter(|j| j.is_some()).count();
        if !self.blocked.is_empty() {
            anyhow::bail!(
                "{} job(s) never got power under the cap: policy `{}` placed them where they cannot fit (try policy `power-capped`, or P-states, or a higher cap)",
                self.blocked.len(),
                self.policy.name()
            );
        }
        if self.policy.waiting() > 0 || unfinished > 0 {
            anyhow::bail!(
                "policy `{}` left {} job(s) unfinished at the end of the run",
                self.policy.name(),
                self.policy.waiting().max(unfinished)
            );
        }
        Ok(self.finish(end, wall.elapsed().as_secs_f64()))
    }

    /// True when no job can arrive or run any more: only device timers, transitions
    /// and cap changes are pending, which would otherwise extend the run forever.
    fn only_timers_left(&self) -> bool {
        self.active_jobs == 0
            && self.pending.iter().all(|p| p.is_none())
            && self.policy.waiting() == 0
            && self.tick_at.is_none()
    }

    /// The run ends at the last job-related event: the last completion or arrival.
    fn end_time(&self) -> Time {
        self.engine.now()
    }

    fn schedule_arrival(&mut self, stream: u32) {
        if let Some(job) = self.workload.next(stream as usize) {
            if self.pending.len() <= stream as usize {
                self.pending.resize(stream as usize + 1, None);
            }
            self.pending[stream as usize] = Some(job);
            let at = job.arrival.max(self.engine.now());
            self.engine
                .schedule_at(at, Event::Arrival { stream })
                .expect("not in the past");
        }
    }

    fn schedule_cap_change(&mut self) {
        if let Some(cap) = &self.sc.facility.power_cap
            && let Some(t) = cap.next_change(self.engine.now())
        {
            self.engine
                .schedule_at(t, Event::CapChange)
                .expect("future");
        }
    }

    fn schedule_tick(&mut self) {
        let want = self.policy.wakeup().map(|t| t.max(self.engine.now()));
        if want != self.tick_at {
            self.tick_gen = self.tick_gen.wrapping_add(1);
            self.tick_at = want;
            if let Some(t) = want {
                self.engine
                    .schedule_at(
                        t,
                        Event::PolicyTick {
                            generation: self.tick_gen,
                        },
                    )
                    .expect("future");
            }
        }
    }

    fn advance(&mut self, t: Time, obs: &mut dyn Observer) -> anyhow::Result<()> {
        self.levels.queue_len = self.policy.waiting() as u64 + self.device_queued;
        let mut err = Ok(());
        self.meter.advance(t, &self.levels, &mut |r| {
            if err.is_ok() {
                err = obs.power(&r);
            }
        });
        Ok(err?)
    }

    /// Changes a device's state and power, closing the accounting of the old state.
    fn set_state(&mut self, d: DeviceId, state: DevState, w: f64) {
        let now = self.engine.now();
        let dev = &mut self.cluster.devices[d as usize];
        let c = dev.class as usize;
        let dt = now - dev.last_change;
        let e = dev.power_w * dt as f64 / NANOS_PER_SEC;
        let b = dev.state.bucket();
        dev.state_ns[b] += dt;
        dev.state_j[b] += e;
        dev.energy_j += e;
        if dt > 0 && dev.power_w != 0.0 {
            let (cg, co) = self.meter.carbon_cost(dev.power_w, dev.last_change, now);
            dev.carbon_g += cg;
            dev.cost += co;
        }
        dev.last_change = now;
        self.levels.class_w[c] += w - dev.power_w;
        dev.power_w = w;
        let old = dev.state;
        dev.state = state;
        let count = |l: &mut Levels, s: DevState, delta: i64| match s.bucket() {
            0 => l.busy = (l.busy as i64 + delta) as u64,
            2 => l.asleep = (l.asleep as i64 + delta) as u64,
            3 => l.transition = (l.transition as i64 + delta) as u64,
            _ => {}
        };
        count(&mut self.levels, old, -1);
        count(&mut self.levels, state, 1);
        if matches!(old, DevState::Busy(_)) {
            self.cluster.classes[c].busy -= 1;
        }
        if matches!(state, DevState::Busy(_)) {
            self.cluster.classes[c].busy += 1;
        }
    }

    fn headroom(&self) -> f64 {
        self.cap.map_or(f64::INFINITY, |c| c - self.levels.it())
    }

    /// Whether adding `delta` W keeps IT power under the cap (with a tolerance for
    /// rounding in the running sum).
    fn fits(&self, delta: f64) -> bool {
        delta <= self.headroom() + 1e-9 * self.cap.unwrap_or(0.0).abs().max(1.0)
    }

    fn on_arrival(&mut self, stream: u32) -> anyhow::Result<()> {
        let job = self.pending[stream as usize]
            .take()
            .expect("an arrival event has its job");
        self.schedule_arrival(stream);
        self.admit(job)
    }

    /// Gives a released job (an arrival, or a pipeline successor) a slot and an id and
    /// tells the policy.
    fn admit(&mut self, job: NewJob) -> anyhow::Result<()> {
        let now = self.engine.now();
        let slot = self.new_slot();
        let info = JobInfo {
            slot,
            id: self.next_id,
            kind: job.kind,
            arrival: now,
            work: job.req.work,
            devices: job.req.devices,
            memory: job.req.memory,
            deadline: job.req.deadline.map(|d| now.saturating_add(secs(d))),
            priority: job.req.priority,
            slack: job.req.slack,
            divisible: job.req.divisible,
        };
        self.next_id += 1;
        self.arrived += 1;
        let mut aj = ActiveJob::new(info, self.gens[slot as usize]);
        aj.lineage = Some(job.lineage);
        self.jobs[slot as usize] = Some(aj);
        let mut out = std::mem::take(&mut self.decisions);
        {
            let view = ClusterView::new(self.engine.now(), self.sc, &self.cluster)
                .with_power(self.levels.it(), self.cap);
            self.policy.on_arrival(info, &view, &mut out);
        }
        self.apply(&mut out)?;
        self.decisions = out;
        Ok(())
    }

    fn wake_delay(&self, d: DeviceId) -> Time {
        let dev = &self.cluster.devices[d as usize];
        let Some(sl) = self.sc.classes[dev.class as usize].sleep else {
            return 0;
        };
        match dev.state {
            DevState::Asleep | DevState::Waking => secs(sl.wake_latency),
            DevState::Sleeping => secs(sl.sleep_latency + sl.wake_latency),
            _ => 0,
        }
    }

    fn apply(&mut self, out: &mut Vec<Decision>) -> anyhow::Result<()> {
        for d in out.drain(..) {
            match d {
                Decision::Assign { job, devices } => {
                    let info = self.placeable(job)?;
                    self.check_devices(&info, &devices)?;
                    self.commit(job, devices);
                }
                Decision::Split { job, parts } => {
                    let info = self.placeable(job)?;
                    if !info.divisible {
                        anyhow::bail!(
                            "policy `{}` split job {}, which is not divisible",
                            self.policy.name(),
                            info.id
                        );
                    }
                    let total: f64 = parts.iter().map(|p| p.1).sum();
                    if parts.is_empty()
                        || parts.iter().any(|p| p.1.is_nan() || p.1 < 0.0)
                        || (total - info.work).abs() > 1e-9 * info.work.max(1.0)
                    {
                        anyhow::bail!(
                            "policy `{}` split job {} into parts of {total} units in all, it has {}",
                            self.policy.name(),
                            info.id,
                            info.work
                        );
                    }
                    for (devices, _) in &parts {
                        self.check_devices(&info, devices)?;
                    }
                    {
                        let parent = self.jobs[job as usize].as_mut().expect("checked");
                        parent.parts_left = parts.len() as u32;
                        // Marks the parent as placed.
                        parent.devices = vec![u32::MAX];
                    }
                    for (devices, work) in parts {
                        let slot = self.new_slot();
                        let mut child = ActiveJob::new(
                            JobInfo { slot, work, ..info },
                            self.gens[slot as usize],
                        );
                        child.parent = Some(job);
                        self.jobs[slot as usize] = Some(child);
                        self.commit(slot, devices);
                    }
                }
            }
        }
        Ok(())
    }

    /// The job a decision names, if it is waiting to be placed.
    fn placeable(&self, job: u32) -> anyhow::Result<JobInfo> {
        let aj = self.jobs.get(job as usize).and_then(|j| j.as_ref());
        let Some(aj) = aj else {
            anyhow::bail!(
                "policy `{}` placed job slot {job}, which is not waiting",
                self.policy.name()
            )
        };
        if !aj.devices.is_empty() {
            anyhow::bail!(
                "policy `{}` placed job {} twice",
                self.policy.name(),
                aj.info.id
            );
        }
        Ok(aj.info)
    }

    /// Checks a decision's devices: the gang size, existence, capability, no repeats.
    fn check_devices(&self, info: &JobInfo, devices: &[DeviceId]) -> anyhow::Result<()> {
        // A run time past the clock's range (a huge drawn size) would overflow the
        // nanosecond clock: refuse it, naming the job, at the slowest P-state.
        let slowest = devices
            .iter()
            .filter_map(|&d| self.cluster.devices.get(d as usize))
            .map(|dev| {
                let cl = &self.sc.classes[dev.class as usize];
                cl.speed[info.kind as usize].unwrap_or(f64::INFINITY)
                    * cl.pstates[cl.pstates.len() - 1].speed
            })
            .fold(f64::INFINITY, f64::min);
        let run_s = info.work / slowest;
        if run_s.is_nan() || run_s > MAX_RUN_S {
            anyhow::bail!(
                "job {} ({:e} units of `{}`) would run {run_s:.3e} s, more than the limit of {MAX_RUN_S:.0} s (100 years); check the size distribution",
                info.id,
                info.work,
                self.sc.kinds[info.kind as usize].name
            );
        }
        if devices.len() != info.devices as usize {
            anyhow::bail!(
                "policy `{}` gave job {} {} device(s), it needs {}",
                self.policy.name(),
                info.id,
                devices.len(),
                info.devices
            );
        }
        for (i, &d) in devices.iter().enumerate() {
            let Some(dev) = self.cluster.devices.get(d as usize) else {
                anyhow::bail!(
                    "policy `{}` named device {d}, which does not exist",
                    self.policy.name()
                )
            };
            let c = dev.class as usize;
            if !self.sc.can_run(c, info.kind as usize, info.memory, 1) || devices[..i].contains(&d)
            {
                anyhow::bail!(
                    "policy `{}` put job {} on device {d} ({}), which cannot run it or is listed twice",
                    self.policy.name(),
                    info.id,
                    self.sc.classes[c].name
                );
            }
        }
        Ok(())
    }

    fn new_slot(&mut self) -> u32 {
        self.active_jobs += 1;
        match self.free_slots.pop() {
            Some(s) => s,
            None => {
                self.jobs.push(None);
                self.gens.push(0);
                (self.jobs.len() - 1) as u32
            }
        }
    }

    /// Appends a checked job to its devices' queues and lets idle ones act.
    fn commit(&mut self, job: u32, devices: Vec<DeviceId>) {
        let now = self.engine.now();
        let info = self.jobs[job as usize].as_ref().expect("checked").info;
        let min_speed = devices
            .iter()
            .map(|&d| {
                self.sc.classes[self.cluster.devices[d as usize].class as usize].speed
                    [info.kind as usize]
                    .expect("checked")
            })
            .fold(f64::INFINITY, f64::min);
        // Index upkeep: estimate at the top P-state; corrected when the job starts.
        let run = secs(info.work / min_speed);
        let start_est = devices
            .iter()
            .map(|&d| {
                self.cluster.devices[d as usize]
                    .avail_key
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
        {
            let aj = self.jobs[job as usize].as_mut().expect("checked");
            aj.devices = devices.clone();
            aj.est_end = end_est;
        }
        for &d in &devices {
            self.kick(d);
        }
    }

    /// Lets device `d` act on the head of its queue: hold it (starting the job when all
    /// its devices hold it) or wake up first.
    fn kick(&mut self, d: DeviceId) {
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
                let aj = self.jobs[slot as usize]
                    .as_mut()
                    .expect("queued jobs are active");
                aj.ready += 1;
                if aj.ready as usize == aj.devices.len() {
                    aj.ready_at = self.engine.now();
                    self.request_start(slot);
                }
            }
            DevState::Asleep => self.begin_wake(d),
            // The end of the transition kicks again.
            DevState::Waking | DevState::Sleeping => {}
            DevState::Busy(_) => unreachable!("a busy device holds its job"),
        }
    }

    /// Power added by running `slot` at P-state `ps` on its devices.
    fn start_delta(&self, slot: u32, ps: usize) -> f64 {
        let aj = self.jobs[slot as usize].as_ref().expect("active");
        aj.devices
            .iter()
            .map(|&d| {
                let dev = &self.cluster.devices[d as usize];
                let cl = &self.sc.classes[dev.class as usize];
                cl.busy_power(aj.info.kind as usize, ps.min(cl.pstates.len() - 1)) - dev.power_w
            })
            .sum()
    }

    /// Chooses the P-state (power manager, then the cap) and starts the job, or queues
    /// it behind the cap.
    fn request_start(&mut self, slot: u32) {
        if !self.blocked.is_empty() {
            // Strict FIFO under the cap: no overtaking of jobs already waiting for power.
            self.block(Blocked::Start(slot));
            return;
        }
        if !self.try_start(slot) {
            self.block(Blocked::Start(slot));
        }
    }

    fn block(&mut self, b: Blocked) {
        if let Blocked::Wake(d) = b {
            self.cluster.devices[d as usize].cap_blocked = true;
        }
        if let Blocked::Start(s) = b {
            let aj = self.jobs[s as usize].as_ref().expect("active");
            if aj.cap_delay == 0 {
                self.cap_delayed_jobs += 1;
            }
        }
        self.blocked.push_back(b);
    }

    /// The slowest member class of a job and its top-state speed for the job.
    fn job_class_speed(&self, slot: u32) -> (usize, f64) {
        let aj = self.jobs[slot as usize].as_ref().expect("active");
        let k = aj.info.kind as usize;
        aj.devices
            .iter()
            .map(|&d| {
                let c = self.cluster.devices[d as usize].class as usize;
                (c, self.sc.classes[c].speed[k].expect("can run"))
            })
            .fold((0, f64::INFINITY), |a, b| if b.1 < a.1 { b } else { a })
    }

    fn try_start(&mut self, slot: u32) -> bool {
        let now = self.engine.now();
        let (c, speed) = self.job_class_speed(slot);
        let info = self.jobs[slot as usize].as_ref().expect("active").info;
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
        let aj = self.jobs[slot as usize].as_mut().expect("active");
        let kind = aj.info.kind as usize;
        let devices = std::mem::take(&mut aj.devices);
        aj.cap_delay = now - aj.ready_at;
        self.cap_delay_ns += aj.cap_delay;
        let switch = devices
            .iter()
            .any(|&d| self.cluster.devices[d as usize].pstate as usize != ps);
        let overhead = if switch { secs(class.pstate_switch) } else { 0 };
        let rate = speed * class.pstates[ps].speed;
        let run = overhead + secs(aj.remaining / rate);
        let delta_end = (now + run) as i128 - aj.est_end as i128;
        for &d in &devices {
            let dev = &mut self.cluster.devices[d as usize];
            let q = dev.queue.pop_front();
            debug_assert_eq!(q, Some(slot));
            let dc = dev.class as usize;
            let cl = &self.sc.classes[dc];
            let dps = ps.min(cl.pstates.len() - 1);
            dev.pstate = dps as u8;
            let w = cl.busy_power(kind, dps);
            self.set_state(d, DevState::Busy(kind as u32), w);
            // Keep the availability index exact now that the real end is known.
            let key = self.cluster.devices[d as usize].avail_key;
            let new_key = (key as i128 + delta_end).max((now + run) as i128) as Time;
            if new_key != key {
                self.cluster.set_avail(d, new_key);
            }
        }
        self.device_queued -= 1;
        let (e0, c0, k0) = devices.iter().fold((0.0, 0.0, 0.0), |a, &d| {
            let dev = &self.cluster.devices[d as usize];
            (a.0 + dev.energy_j, a.1 + dev.carbon_g, a.2 + dev.cost)
        });
        let aj = self.jobs[slot as usize].as_mut().expect("active");
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
        let aj = self.jobs[slot as usize].as_mut().expect("active");
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
        self.gens[slot as usize] = aj.generation;
        let generation = aj.generation;
        let kind = aj.info.kind as usize;
        let devices = aj.devices.clone();
        let remaining = aj.remaining;
        let overhead = aj.overhead;
        for &d in &devices {
            let dc = self.cluster.devices[d as usize].class as usize;
            let cl = &self.sc.classes[dc];
            match ps {
                Some(p) => {
                    let dp = p.min(cl.pstates.len() - 1);
                    self.cluster.devices[d as usize].pstate = dp as u8;
                    self.set_state(d, DevState::Busy(kind as u32), cl.busy_power(kind, dp));
                }
                None => {
                    let idle = cl.idle_w;
                    self.set_state(d, DevState::Idle, idle);
                }
            }
        }
        if rate_new > 0.0 {
            let run = overhead + secs(remaining / rate_new);
            self.engine
                .schedule_in(run, Event::Complete { slot, generation });
        }
    }

    fn on_cap_change(&mut self) {
        let now = self.engine.now();
        self.cap = self.sc.facility.power_cap.as_ref().map(|c| c.at(now));
        self.schedule_cap_change();
        if self.headroom() < 0.0 {
            self.throttle();
        } else {
            self.retry_blocked();
        }
    }

    /// Brings IT power under a cap that fell: first lower the P-state of running jobs
    /// (latest started first), then pause them.
    fn throttle(&mut self) {
        let mut running: Vec<(Time, u32)> = self
            .jobs
            .iter()
            .enumerate()
            .filter_map(|(s, j)| {
                j.as_ref()
                    .and_then(|j| Some((j.start?, s as u32)))
                    .filter(|_| j.as_ref().unwrap().pstate.is_some())
            })
            .collect();
        running.sort_by(|a, b| b.cmp(a));
        for &(_, slot) in &running {
            if self.headroom() >= 0.0 {
                return;
            }
            let (c, _) = self.job_class_speed(slot);
            let lowest = self.sc.classes[c].pstates.len() - 1;
            let cur = self.jobs[slot as usize]
                .as_ref()
                .expect("active")
                .pstate
                .expect("running");
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
            self.paused += 1;
            self.blocked.push_front(Blocked::Resume(slot));
        }
    }

    /// Admits waiting starts, wake-ups and resumptions in order while they fit.
    fn retry_blocked(&mut self) {
        while let Some(&b) = self.blocked.front() {
            let ok = match b {
                Blocked::Resume(slot) => {
                    let (c, _) = self.job_class_speed(slot);
                    let lowest = self.sc.classes[c].pstates.len() - 1;
                    match (0..=lowest).find(|&p| self.fits(self.start_delta(slot, p))) {
                        Some(p) => {
                            self.respeed(slot, Some(p));
                            self.paused -= 1;
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
            self.blocked.pop_front();
            if let Blocked::Wake(d) = b {
                self.cluster.devices[d as usize].cap_blocked = false;
            }
        }
    }

    fn begin_wake(&mut self, d: DeviceId) {
        if self.cluster.devices[d as usize].cap_blocked {
            return;
        }
        if !self.blocked.is_empty() || !self.try_wake(d) {
            self.block(Blocked::Wake(d));
        }
    }

    fn try_wake(&mut self, d: DeviceId) -> bool {
        let dev = &self.cluster.devices[d as usize];
        let sl = self.sc.classes[dev.class as usize]
            .sleep
            .expect("asleep devices can sleep");
        if !self.fits(sl.wake_power() - dev.power_w) {
            return false;
        }
        let dev = &mut self.cluster.devices[d as usize];
        dev.timer_gen = dev.timer_gen.wrapping_add(1);
        let generation = dev.timer_gen;
        if sl.wake_latency > 0.0 {
            self.set_state(d, DevState::Waking, sl.wake_power());
            self.engine.schedule_in(
                secs(sl.wake_latency),
                Event::DeviceReady {
                    device: d,
                    generation,
                },
            );
        } else {
            self.finish_wake(d);
        }
        true
    }

    fn finish_wake(&mut self, d: DeviceId) {
        let idle = self.sc.classes[self.cluster.devices[d as usize].class as usize].idle_w;
        self.set_state(d, DevState::Idle, idle);
        self.cluster.devices[d as usize].wakeups += 1;
        self.kick(d);
        if self.cluster.devices[d as usize].queue.is_empty() {
            self.on_device_free(d);
        }
    }

    fn on_device_ready(&mut self, d: DeviceId) {
        let dev = &self.cluster.devices[d as usize];
        let sl = self.sc.classes[dev.class as usize]
            .sleep
            .expect("transitions need a sleep state");
        match dev.state {
            DevState::Waking => self.finish_wake(d),
            DevState::Sleeping => {
                self.set_state(d, DevState::Asleep, sl.power_w);
                self.retry_blocked();
                self.kick(d);
            }
            _ => {}
        }
    }

    /// A device has nothing to do: ask the power manager whether it should sleep.
    fn on_device_free(&mut self, d: DeviceId) {
        let dev = &self.cluster.devices[d as usize];
        if dev.state != DevState::Idle || dev.running.is_some() || !dev.queue.is_empty() {
            return;
        }
        let class = &self.sc.classes[dev.class as usize];
        if class.sleep.is_none() {
            return;
        }
        if let Some(delay) = self.pm.idle_timeout(class) {
            let dev = &mut self.cluster.devices[d as usize];
            dev.timer_gen = dev.timer_gen.wrapping_add(1);
            let generation = dev.timer_gen;
            // An event even for a zero delay: work arriving at this same instant (already
            // scheduled, so popped first) then cancels it.
            self.engine.schedule_in(
                delay,
                Event::DeviceTimer {
                    device: d,
                    generation,
                },
            );
        }
    }

    fn try_sleep(&mut self, d: DeviceId) {
        let dev = &self.cluster.devices[d as usize];
        if dev.state != DevState::Idle || dev.running.is_some() || !dev.queue.is_empty() {
            return;
        }
        let sl = self.sc.classes[dev.class as usize]
            .sleep
            .expect("only classes with sleep get timers");
        let (state, w) = if sl.sleep_latency > 0.0 {
            (DevState::Sleeping, sl.sleep_power())
        } else {
            (DevState::Asleep, sl.power_w)
        };
        // Falling asleep may draw more than idling; it must fit under the cap too.
        if !self.fits(w - dev.power_w) {
            return;
        }
        let dev = &mut self.cluster.devices[d as usize];
        dev.timer_gen = dev.timer_gen.wrapping_add(1);
        let generation = dev.timer_gen;
        self.set_state(d, state, w);
        if state == DevState::Sleeping {
            self.engine.schedule_in(
                secs(sl.sleep_latency),
                Event::DeviceReady {
                    device: d,
                    generation,
                },
            );
        }
        self.retry_blocked();
    }

    fn on_complete(&mut self, slot: u32, obs: &mut dyn Observer) -> anyhow::Result<()> {
        let devices = self.jobs[slot as usize]
            .as_ref()
            .expect("active")
            .devices
            .clone();
        for &d in &devices {
            let c = self.cluster.devices[d as usize].class as usize;
            let idle = self.sc.classes[c].idle_w;
            self.set_state(d, DevState::Idle, idle);
            let dev = &mut self.cluster.devices[d as usize];
            dev.running = None;
            dev.jobs_done += 1;
        }
        let aj = self.jobs[slot as usize]
            .take()
            .expect("completing job is active");
        self.gens[slot as usize] = self.gens[slot as usize].wrapping_add(1);
        self.free_slots.push(slot);
        self.active_jobs -= 1;
        let (e1, c1, k1) = devices.iter().fold((0.0, 0.0, 0.0), |a, &d| {
            let dev = &self.cluster.devices[d as usize];
            (a.0 + dev.energy_j, a.1 + dev.carbon_g, a.2 + dev.cost)
        });
        let done = PartsDone {
            start: aj.start.expect("started"),
            devices: devices.clone(),
            energy: e1 - aj.energy0,
            carbon: c1 - aj.carbon0,
            cost: k1 - aj.cost0,
            pstate: aj.start_pstate,
            cap_delay: aj.cap_delay,
        };
        // A part of a split job: fold it into its parent, which completes with its last
        // part.
        let (info, done, lineage) = match aj.parent {
            None => (aj.info, Some(done), aj.lineage),
            Some(p) => {
                let parent = self.jobs[p as usize]
                    .as_mut()
                    .expect("parent of a running part");
                parent.parts_left -= 1;
                match &mut parent.agg {
                    None => parent.agg = Some(done),
                    Some(a) => {
                        a.start = a.start.min(done.start);
                        a.devices.extend(&done.devices);
                        a.energy += done.energy;
                        a.carbon += done.carbon;
                        a.cost += done.cost;
                        a.cap_delay = a.cap_delay.max(done.cap_delay);
                    }
                }
                if parent.parts_left == 0 {
                    let parent = self.jobs[p as usize].take().expect("checked");
                    self.gens[p as usize] = self.gens[p as usize].wrapping_add(1);
                    self.free_slots.push(p);
                    self.active_jobs -= 1;
                    (parent.info, parent.agg, parent.lineage)
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
            let n = self.workload.release(info.kind, lin, now, &mut released);
            if n == 0 && lin.depth > 0 {
                e2e = Some((lin.root, now - lin.origin));
            }
        }
        if let Some(done) = done {
            self.record(info, done, e2e, obs)?;
        }

        // Each device moves on to its next committed job, or becomes free.
        let mut freed = false;
        for &d in &devices {
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
            let mut out = std::mem::take(&mut self.decisions);
            {
                let view = ClusterView::new(self.engine.now(), self.sc, &self.cluster)
                    .with_power(self.levels.it(), self.cap);
                self.policy.on_free(&view, &mut out);
            }
            self.apply(&mut out)?;
            self.decisions = out;
            for &d in &devices {
                self.on_device_free(d);
            }
        }
        for job in released.drain(..) {
            self.admit(job)?;
        }
        self.released = released;
        Ok(())
    }

    fn record(
        &mut self,
        info: JobInfo,
        done: PartsDone,
        e2e: Option<(u32, Time)>,
        obs: &mut dyn Observer,
    ) -> anyhow::Result<()> {
        let now = self.engine.now();
        let c0 = self.cluster.devices[done.devices[0] as usize].class as usize;
        self.class_jobs[c0] += 1;
        let arrival = to_secs(info.arrival);
        let start = to_secs(done.start);
        let end = to_secs(now);
        let run = end - start;
        let response = end - arrival;
        let (sd, bsld) = slowdowns(response, run);
        // Fill the reusable record in place: no allocation per job.
        let mut rec = std::mem::take(&mut self.rec);
        rec.id = info.id;
        rec.kind.clear();
        rec.kind.push_str(&self.sc.kinds[info.kind as usize].name);
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
        rec.devices.clear();
        for (i, d) in done.devices.iter().enumerate() {
            if i > 0 {
                rec.devices.push(';');
            }
            rec.devices.push_str(itoa::Buffer::new().format(*d));
        }
        rec.work = info.work;
        rec.energy_j = done.energy;
        rec.carbon_g = done.carbon;
        rec.cost = done.cost;
        rec.pstate = done.pstate as u32;
        rec.cap_delay_s = to_secs(done.cap_delay);
        rec.deadline_s = info.deadline.map(to_secs);
        rec.deadline_met = info.deadline.map(|dl| now <= dl);
        rec.pipeline.clear();
        rec.e2e_s = None;
        if let Some((root, t)) = e2e {
            rec.pipeline.push_str(&self.sc.kinds[root as usize].name);
            rec.e2e_s = Some(to_secs(t));
            self.e2e[root as usize].add(to_secs(t));
        }
        self.collector.add(&rec);
        let r = obs.job(&rec);
        self.rec = rec;
        Ok(r?)
    }

    fn finish(mut self, end: Time, wall_s: f64) -> Outcome {
        let sc = self.sc;
        for d in 0..self.cluster.devices.len() as DeviceId {
            let dev = &self.cluster.devices[d as usize];
            let (st, w) = (dev.state, dev.power_w);
            self.set_state(d, st, w);
        }
        let mut devices = Vec::with_capacity(self.cluster.devices.len());
        let mut state_j = [0.0f64; 4];
        let mut wakeups = 0;
        for (i, dev) in self.cluster.devices.iter().enumerate() {
            let c = dev.class as usize;
            for (a, b) in state_j.iter_mut().zip(dev.state_j) {
                *a += b;
            }
            wakeups += dev.wakeups;
            devices.push(DeviceRecord {
                device: i as u32,
                class: sc.classes[c].name.clone(),
                category: sc.classes[c].category.as_str().into(),
                busy_s: to_secs(dev.state_ns[0]),
                idle_s: to_secs(dev.state_ns[1]),
                asleep_s: to_secs(dev.state_ns[2]),
                transition_s: to_secs(dev.state_ns[3]),
                energy_j: dev.energy_j,
                busy_j: dev.state_j[0],
                idle_j: dev.state_j[1],
                asleep_j: dev.state_j[2],
                transition_j: dev.state_j[3],
                carbon_g: dev.carbon_g,
                cost: dev.cost,
                jobs: dev.jobs_done,
                wakeups: dev.wakeups,
            });
        }
        let horizon = to_secs(end);
        let col = &mut self.collector;
        col.waits.finish();
        col.responses.finish();
        let done = col.waits.len();
        let n = done.max(1) as f64;
        let total_dev: u64 = sc.device_count();
        let busy_total: f64 = devices.iter().map(|d| d.busy_s).sum();
        let mut per_class = indexmap::IndexMap::new();
        let mut first = 0usize;
        for (ci, c) in sc.classes.iter().enumerate() {
            let range = &devices[first..first + c.count as usize];
            first += c.count as usize;
            let busy: f64 = range.iter().map(|d| d.busy_s).sum();
            per_class.insert(
                c.name.clone(),
                ClassSummary {
                    devices: c.count,
                    utilization: if horizon > 0.0 {
                        busy / (c.count as f64 * horizon)
                    } else {
                        0.0
                    },
                    energy_j: self.meter.class_j[ci],
                    jobs: self.class_jobs[ci],
                },
            );
        }
        let summary = Summary {
            scenario: sc.name.clone(),
            policy: self.policy.name().to_string(),
            power_manager: self.pm.name().to_string(),
            seed: self.seed,
            horizon_s: horizon,
            makespan_s: col.makespan_s,
            jobs_arrived: self.arrived,
            jobs_completed: done,
            jobs_rejected: 0,
            throughput_jobs_per_s: if col.makespan_s > 0.0 {
                done as f64 / col.makespan_s
            } else {
                0.0
            },
            wait_mean_s: col.waits.mean(),
            wait_p50_s: col.waits.quantile(0.5),
            wait_p95_s: col.waits.quantile(0.95),
            wait_p99_s: col.waits.quantile(0.99),
            response_mean_s: col.responses.mean(),
            response_p50_s: col.responses.quantile(0.5),
            response_p95_s: col.responses.quantile(0.95),
            response_p99_s: col.responses.quantile(0.99),
            slowdown_mean: col.slowdown_sum / n,
            bounded_slowdown_mean: col.bsld_sum / n,
            deadline_miss_rate: if col.with_deadline > 0 {
                col.missed as f64 / col.with_deadline as f64
            } else {
                0.0
            },
            jobs_with_deadline: col.with_deadline,
            utilization: if horizon > 0.0 && total_dev > 0 {
                busy_total / (total_dev as f64 * horizon)
            } else {
                0.0
            },
            energy_it_j: self.meter.it_j,
            energy_facility_j: self.meter.facility_j(),
            energy_per_job_j: if done > 0 {
                self.meter.it_j / done as f64
            } else {
                0.0
            },
            energy_jobs_j: col.job_energy,
            energy_busy_j: state_j[0],
            energy_idle_j: state_j[1],
            energy_asleep_j: state_j[2],
            energy_transition_j: state_j[3],
            wakeups,
            power_peak_w: self.meter.peak_w,
            power_mean_w: if horizon > 0.0 {
                self.meter.it_j / horizon
            } else {
                0.0
            },
            power_cap_w: sc.facility.power_cap.as_ref().map(|c| c.at(0)),
            time_at_cap_s: to_secs(self.meter.at_cap_ns),
            cap_delayed_jobs: self.cap_delayed_jobs,
            cap_delay_s: to_secs(self.cap_delay_ns),
            carbon_g: self.meter.carbon_g,
            carbon_per_job_g: if done > 0 {
                self.meter.carbon_g / done as f64
            } else {
                0.0
            },
            cost: self.meter.cost,
            queue_mean: if end > 0 {
                self.meter.queue_integral / end as f64
            } else {
                0.0
            },
            events: self.engine.events_processed(),
            wall_s,
            per_class,
            pipelines: self
                .sc
                .kinds
                .iter()
                .zip(self.e2e.iter_mut())
                .filter(|(_, q)| !q.is_empty())
                .map(|(k, q)| {
                    q.finish();
                    let p = crate::metrics::PipelineSummary {
                        count: q.len(),
                        e2e_mean_s: q.mean(),
                        e2e_p99_s: q.quantile(0.99),
                    };
                    (k.name.clone(), p)
                })
                .collect(),
        };
        Outcome { summary, devices }
    }
}
