//! The datacenter simulation: glue between the engine, the cluster, the workload, the
//! policy, the power manager and the meter. One event flows like this:
//!
//! 1. The engine pops the earliest event and every other event of the same time (a
//!    decision instant); the clock moves to that time.
//! 2. Before any state changes, the meter integrates power, carbon and cost over the
//!    elapsed segment.
//! 3. The instant's events are applied in a fixed order, whatever order they were
//!    scheduled in: completions (by job id), then arrivals (by stream), then the rest.
//!    `Complete`: the devices go idle, the record is emitted, the policy gets a
//!    completion notice, pipeline successors are released, each device moves to its
//!    next committed job or becomes free. `Arrival`: the workload's job gets a slot
//!    and an id, the policy is told (`on_arrival`; placing-on-arrival policies decide
//!    there) and the stream's next arrival is scheduled. `DeviceReady`: the end of a
//!    sleep transition. `CapChange`: the power cap moved. `PolicyTick`: a wake-up the
//!    policy asked for.
//! 4. When nothing else is pending at that time and devices were freed, or jobs were
//!    released and the policy holds waiting jobs, the policy gets its one decision
//!    pass (`decide`). Then freed devices still
//!    idle are offered to the power manager, and idle timeouts (`DeviceTimer`) of the
//!    instant expire, so work placed at the instant cancels them.
//! 5. Decisions append jobs to device queues. A device that reaches a job holds it; a
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
//! - On a device with slots, power is the class's power model at its load (busy
//!   slots / slots), and the jobs' energy shares add up to its busy energy.
//!
//! The simulation writes nothing itself: records go to an [`Observer`].
//!
//! # Layout
//! The parts own their state; the event loop below only routes events to them.
//! - `jobs.rs`: the job table (slots, generations, per-job progress). (Job-table
//!   "slots" are entries of that table; a device's `slots` are its lanes, see
//!   [`crate::cluster`].)
//! - `cap.rs`: the cap gate (the cap now, the FIFO of what waits for power, counters).
//! - `devices.rs`: the device power-state machine (sleep, wake-up, timers, and
//!   `power_of`, the one place that says what a device draws); energy, carbon and
//!   cost per device are the meter's ([`crate::power::Meter`]).
//! - `placement.rs`: checking a policy's decisions and committing jobs to devices.
//! - `running.rs`: starting, slowing, pausing and resuming jobs under the cap.
//! - `complete.rs`: completions, split-job parts, pipeline releases, job records.
//! - The summary is built by [`crate::metrics::summarize`] from what the run recorded.

use crate::cluster::{Cluster, ClusterView, DeviceId, JobInfo};
use crate::engine::{Engine, Time, to_secs};
use crate::metrics::{Collector, JobRecord, Quantiles, RunTotals, Summary};
use crate::model::Scenario;
use crate::policy::{self, Decision, Policy};
use crate::power::{Levels, Meter, PowerRow, Signals};
use crate::power_manager::{self, PowerManager};
use crate::workload::{NewJob, Workload};
use std::time::Instant;

mod cap;
mod complete;
mod devices;
mod jobs;
mod placement;
mod running;

use cap::CapGate;
use jobs::JobTable;

pub use crate::error::{MAX_RUN_S, SimError};
pub use crate::metrics::DeviceRecord;
pub(crate) use devices::{host_power, power_of};

/// The order class of idle timeouts in an instant (they expire after the pass).
const TIMERS: u8 = 4;

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

/// Everything a run produces besides the streamed rows.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The summary.
    pub summary: Summary,
    /// One record per device.
    pub devices: Vec<DeviceRecord>,
}

/// One simulation run.
pub struct Simulation<'a> {
    sc: &'a Scenario,
    engine: Engine<Event>,
    cluster: Cluster,
    workload: Workload<'a>,
    policy: Box<dyn Policy>,
    pm: Box<dyn PowerManager>,
    meter: Meter,
    levels: Levels,
    jobs: JobTable,
    gate: CapGate,
    /// Jobs committed to devices and not started.
    device_queued: u64,
    /// Jobs taken back from device queues and placed again (late binding).
    rebound: u64,
    /// Devices whose running job ends later than planned with jobs committed behind it
    /// (late binding at the end of the instant).
    stale: Vec<DeviceId>,
    /// A device finished waking this instant while jobs waited in device queues.
    woke: bool,
    collector: Collector,
    class_jobs: Vec<u64>,
    /// Scratch: the classes of one finished job.
    used_classes: Vec<usize>,
    /// Scratch: the devices of the job being committed or completed.
    walk: Vec<DeviceId>,
    decisions: Vec<Decision>,
    pending: Vec<Option<NewJob>>,
    tick_gen: u32,
    tick_at: Option<Time>,
    rec: JobRecord,
    released: Vec<NewJob>,
    pipelines: bool,
    e2e: Vec<Quantiles>,
    seed: u64,
    /// The events of the current instant, in application order.
    batch: Vec<((u8, u64, u32), Event)>,
    /// Devices were freed since the last decision pass.
    dirty: bool,
    /// A job was released since the last decision pass.
    released_now: bool,
    /// Devices freed this instant, offered to the power manager after the pass.
    idle_check: Vec<DeviceId>,
    /// Idle timeouts of this instant, held until after the pass.
    timers: Vec<Event>,
    next_progress: u64,
    /// Most jobs that may wait (released, not started) at once; past it the run stops
    /// with [`SimError::Overloaded`] rather than grow without bound.
    max_waiting: u64,
}

impl<'a> Simulation<'a> {
    /// Prepares a run of `sc` with `seed` and the scenario's policy and power manager.
    pub fn new(sc: &'a Scenario, seed: u64) -> Result<Self, SimError> {
        let policy = policy::build(&sc.policy, sc)?;
        let pm = power_manager::build(&sc.power_manager)?;
        Ok(Self::with_parts(sc, seed, policy, pm))
    }

    /// Prepares a run with a given policy object (for policies written outside hetsim)
    /// and the scenario's power manager (an error if the scenario names a bad one).
    pub fn with_policy(
        sc: &'a Scenario,
        seed: u64,
        policy: Box<dyn Policy>,
    ) -> Result<Self, SimError> {
        let pm = power_manager::build(&sc.power_manager)?;
        Ok(Self::with_parts(sc, seed, policy, pm))
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
        let interval = sc.output.power_interval.map(crate::engine::secs);
        Simulation {
            sc,
            engine: Engine::with_capacity(4096),
            meter: Meter::new(sc.classes.len(), signals, interval)
                .with_devices(cluster.hosts.len()),
            cluster,
            workload: Workload::new(sc, seed),
            policy,
            pm,
            levels: Levels::new(class_w),
            jobs: JobTable::default(),
            gate: CapGate::new(sc.facility.power_cap.as_ref().map(|c| c.at(0))),
            device_queued: 0,
            rebound: 0,
            stale: Vec::new(),
            woke: false,
            collector: Collector::default(),
            class_jobs: vec![0; sc.classes.len()],
            used_classes: Vec::new(),
            walk: Vec::new(),
            decisions: Vec::new(),
            pending: Vec::new(),
            tick_gen: 0,
            tick_at: None,
            rec: JobRecord::default(),
            released: Vec::new(),
            pipelines: false,
            e2e: vec![Default::default(); sc.kinds.len()],
            seed,
            batch: Vec::new(),
            dirty: false,
            released_now: false,
            idle_check: Vec::new(),
            timers: Vec::new(),
            next_progress: 0x10000,
            max_waiting: u64::MAX,
        }
    }

    /// Stops the run with [`SimError::Overloaded`] if more than `n` jobs wait at once
    /// (released and not started: the load-time estimate cannot foresee every
    /// overload, for example a trace's bursts or a policy that holds jobs back).
    /// Unbounded unless set; `run` sets the budget the scenario was loaded with.
    pub fn max_waiting(mut self, n: u64) -> Self {
        self.max_waiting = n;
        self
    }

    /// Pops events scheduled for the same time in a scrambled order keyed by `salt`
    /// (0: scheduling order). Results must not change: the property tests use it.
    #[doc(hidden)]
    pub fn permute_ties(mut self, salt: u64) -> Self {
        self.engine.permute_ties(salt);
        self
    }

    /// Runs to the end (all arrivals done and every job finished).
    pub fn run(mut self, obs: &mut dyn Observer) -> Result<Outcome, SimError> {
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
            self.apply_instant(t, ev, obs)?;
            self.schedule_tick();
            if self.engine.events_processed() >= self.next_progress {
                self.next_progress = self.engine.events_processed() + 0x10000;
                obs.progress(to_secs(t), self.collector.waits.len());
            }
            if self.only_timers_left() {
                break;
            }
        }
        // The jobs end at the last job-related event: the last completion or arrival.
        let end = self.engine.now();
        self.advance(end, obs)?;
        let to_end = self.meter.totals();
        // Accounting continues to the window's end: devices keep drawing idle or asleep
        // power, and their idle timeouts and transitions still happen.
        let window = self.window_end(end);
        while let Some((t, ev)) = self.engine.pop_until(window) {
            self.advance(t, obs)?;
            self.dispatch(ev, obs)?;
        }
        self.advance(window, obs)?;
        let mut err = Ok(());
        self.meter.finish(&mut |r| {
            if err.is_ok() {
                err = obs.power(&r);
            }
        });
        err?;
        self.check_all_done()?;
        Ok(self.finish(end, window, to_end, wall.elapsed().as_secs_f64()))
    }

    /// Applies every event pending at `t` (the first, `first`, already popped) in the
    /// contract's order (completions by job id, then arrivals by stream, then the
    /// rest), then, once nothing else is pending at `t`, runs the decision pass.
    fn apply_instant(
        &mut self,
        t: Time,
        first: Event,
        obs: &mut dyn Observer,
    ) -> Result<(), SimError> {
        if self.engine.peek_time() != Some(t) && !matches!(first, Event::DeviceTimer { .. }) {
            // The common case: a lone event.
            self.dispatch(first, obs)?;
        } else {
            let mut batch = std::mem::take(&mut self.batch);
            batch.push(self.order_key(first));
            while self.engine.peek_time() == Some(t) {
                let (_, ev) = self.engine.pop().expect("peeked");
                batch.push(self.order_key(ev));
            }
            batch.sort_unstable_by_key(|&(k, _)| k);
            for &(k, ev) in &batch {
                if k.0 == TIMERS {
                    self.timers.push(ev);
                } else {
                    self.dispatch(ev, obs)?;
                }
            }
            batch.clear();
            self.batch = batch;
        }
        if self.engine.peek_time() != Some(t) {
            self.decision_pass()?;
            // Idle timeouts expire after the pass: work placed at this instant cancels
            // them.
            let mut timers = std::mem::take(&mut self.timers);
            for &ev in &timers {
                self.dispatch(ev, obs)?;
            }
            timers.clear();
            self.timers = timers;
        }
        Ok(())
    }

    /// The decision pass, once nothing else is pending now, if something changed.
    fn decision_pass(&mut self) -> Result<(), SimError> {
        // Late binding for plans that proved wrong this instant: a device woke (every
        // queue), or a job started to end later than planned (its devices' queues).
        if std::mem::take(&mut self.woke) {
            self.stale.clear();
            let all: Vec<DeviceId> = (0..self.cluster.devices.len() as DeviceId).collect();
            self.rebind_from(&all, true)?;
        } else if !self.stale.is_empty() {
            let mut stale = std::mem::take(&mut self.stale);
            stale.sort_unstable();
            stale.dedup();
            self.rebind_from(&stale, true)?;
            stale.clear();
            self.stale = stale;
        }
        // Released jobs that a placing-on-arrival policy already placed leave nothing
        // to decide: skip the pass then (it would be an empty call per arrival).
        let released = std::mem::take(&mut self.released_now);
        if self.dirty || (released && self.policy.waiting() > 0) {
            self.dirty = false;
            self.ask_policy(|p, view, out| p.decide(view, out))?;
            let mut idle = std::mem::take(&mut self.idle_check);
            for &d in &idle {
                self.on_device_free(d);
            }
            idle.clear();
            self.idle_check = idle;
        }
        Ok(())
    }

    /// Where an event goes in its instant: (class, job id, slot / stream / device).
    /// Stale events (dropped when dispatched) may share a key; their order is moot.
    fn order_key(&self, ev: Event) -> ((u8, u64, u32), Event) {
        let key = match ev {
            // A split job's parts share the job's id: then by slot.
            Event::Complete { slot, generation } => match self.jobs.get(slot) {
                Some(j) if self.jobs.generation(slot) == generation => (0, j.info.id(), slot),
                _ => (1, 0, slot),
            },
            Event::Arrival { stream } => (2, 0, stream),
            Event::DeviceReady { device, .. } => (3, 0, device),
            Event::DeviceTimer { device, .. } => (TIMERS, 0, device),
            Event::CapChange => (5, 0, 0),
            Event::PolicyTick { .. } => (6, 0, 0),
        };
        (key, ev)
    }

    /// Routes one event to the part that owns it; stale events (an old generation) are
    /// dropped.
    fn dispatch(&mut self, ev: Event, obs: &mut dyn Observer) -> Result<(), SimError> {
        match ev {
            Event::Arrival { stream } => self.on_arrival(stream)?,
            Event::Complete { slot, generation } => {
                if self.jobs.generation(slot) == generation {
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
            Event::CapChange => self.on_cap_change()?,
            Event::PolicyTick { generation } => {
                if generation == self.tick_gen {
                    self.tick_at = None;
                    self.ask_policy(|p, view, out| p.on_tick(view, out))?;
                }
            }
        }
        Ok(())
    }

    /// Fails if jobs still wait for power or were never finished.
    fn check_all_done(&self) -> Result<(), SimError> {
        let unfinished = self.jobs.count();
        if self.gate.any_waiting() {
            return Err(SimError::CapStarvation {
                policy: self.policy.name(),
                jobs: self.gate.waiting(),
            });
        }
        if self.policy.waiting() > 0 || unfinished > 0 {
            return Err(SimError::Unfinished {
                policy: self.policy.name(),
                jobs: self.policy.waiting().max(unfinished),
            });
        }
        Ok(())
    }

    /// True when no job can arrive or run any more: only device timers, transitions
    /// and cap changes are pending, which would otherwise extend the run forever.
    fn only_timers_left(&self) -> bool {
        self.jobs.active() == 0
            && self.pending.iter().all(|p| p.is_none())
            && self.policy.waiting() == 0
            && self.tick_at.is_none()
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

    /// Integrates power over the segment that ends now, before anything changes.
    fn advance(&mut self, t: Time, obs: &mut dyn Observer) -> Result<(), SimError> {
        self.track_binding(t);
        self.levels
            .set_queue_len(self.policy.waiting() as u64 + self.device_queued);
        let mut err = Ok(());
        self.meter.advance(t, &self.levels, &mut |r| {
            if err.is_ok() {
                err = obs.power(&r);
            }
        });
        Ok(err?)
    }

    /// Calls the policy with a fresh view and applies its decisions.
    fn ask_policy(
        &mut self,
        call: impl FnOnce(&mut dyn Policy, &ClusterView, &mut Vec<Decision>),
    ) -> Result<(), SimError> {
        let mut out = std::mem::take(&mut self.decisions);
        {
            let view = ClusterView::new(self.engine.now(), self.sc, &self.cluster)
                .with_power(self.levels.it(), self.gate.cap);
            call(self.policy.as_mut(), &view, &mut out);
        }
        self.apply(&mut out)?;
        self.decisions = out;
        Ok(())
    }

    fn on_arrival(&mut self, stream: u32) -> Result<(), SimError> {
        let job = self.pending[stream as usize]
            .take()
            .expect("an arrival event has its job");
        self.schedule_arrival(stream);
        self.admit(job)
    }

    /// Gives a released job (an arrival, or a pipeline successor) a slot and an id and
    /// tells the policy.
    fn admit(&mut self, job: NewJob) -> Result<(), SimError> {
        let now = self.engine.now();
        // Jobs held: waiting ones plus at most one running job per lane (an O(1) bound
        // that never refuses a run whose waiting jobs stay within the budget).
        // `active` is kept as a counter: a scan of the job table here made every
        // arrival O(jobs held) (bench-1m 3x slower).
        let held = self.jobs.active();
        if held >= self.max_waiting.saturating_add(self.sc.lane_count()) {
            return Err(SimError::Overloaded {
                at_s: to_secs(now),
                jobs: held,
                limit: self.max_waiting,
            });
        }
        let slot = self.jobs.new_slot();
        let info = JobInfo::new(slot, self.jobs.next_id(), job.kind.get(), now, job.req);
        let mut aj = jobs::ActiveJob::new(info, self.jobs.generation(slot));
        aj.lineage = Some(job.lineage);
        self.jobs.insert(slot, aj);
        self.released_now = true;
        self.ask_policy(|p, view, out| p.on_arrival(info, view, out))
    }

    /// The end of the accounting window: the scenario's (`accounting.until` or its
    /// policy-independent default), or the jobs' `end` if they ran past it.
    fn window_end(&self, end: Time) -> Time {
        self.sc
            .window()
            .map_or(end, |w| crate::engine::secs(w).max(end))
    }

    /// Closes every device's account at the window's end and builds the outcome.
    fn finish(
        mut self,
        end: Time,
        window: Time,
        to_end: crate::power::Totals,
        wall_s: f64,
    ) -> Outcome {
        let sc = self.sc;
        let mut devices = Vec::with_capacity(self.cluster.hosts.len());
        let mut slot_busy_s = Vec::with_capacity(self.cluster.hosts.len());
        for (i, host) in self.cluster.hosts.iter().enumerate() {
            let class = &sc.classes[host.class as usize];
            slot_busy_s.push((class.slots > 1).then(|| {
                let ns = host.lane_busy_ns + host.busy as u128 * (window - host.last_t) as u128;
                ns as f64 / 1e9 / class.slots as f64
            }));
            let (jobs_done, wakeups) = if class.slots > 1 {
                let bucket = if host.busy > 0 { 0 } else { 1 };
                self.meter.close_device(i, host.power_w, bucket, window);
                (host.jobs_done, 0)
            } else {
                let dev = &self.cluster.devices[host.first_lane as usize];
                self.meter
                    .close_device(i, dev.power_w, dev.state.bucket(), window);
                (dev.jobs_done, dev.wakeups)
            };
            devices.push(DeviceRecord::new(
                i as u32,
                class,
                self.meter.device(i),
                jobs_done,
                wakeups,
            ));
        }
        let totals = RunTotals {
            scenario: sc,
            policy: self.policy.name(),
            power_manager: self.pm.name(),
            seed: self.seed,
            end,
            window,
            to_end,
            wall_s,
            events: self.engine.events_processed(),
            jobs_arrived: self.jobs.arrived,
            class_jobs: &self.class_jobs,
            collector: std::mem::take(&mut self.collector),
            meter: &self.meter,
            cap_delayed_jobs: self.gate.delayed_jobs,
            cap_delay_ns: self.gate.delay_ns,
            cap_binding_ns: self.gate.binding_ns,
            jobs_rebound: self.rebound,
            slot_busy_s: &slot_busy_s,
            setting_warnings: crate::metrics::warnings_for(
                sc,
                self.pm.as_ref(),
                Some(crate::engine::to_secs(window)),
            ),
            e2e: std::mem::take(&mut self.e2e),
        };
        let summary = crate::metrics::summarize(totals, &devices);
        Outcome { summary, devices }
    }
}
