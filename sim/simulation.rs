//! The datacenter simulation: glue between the engine, the cluster, the workload, the
//! policy and the meters. One event flows like this:
//!
//! 1. The engine pops the earliest event and the clock moves to its time.
//! 2. Before any state changes, the meter integrates power over the elapsed segment.
//! 3. `Arrival`: the workload draws the job, it gets a slot and an id, the policy is
//!    told (`on_arrival`) and its decisions are applied; the stream's next arrival is
//!    scheduled. `Complete`: the devices go idle, the record is emitted, each device
//!    starts its next committed job, freed devices enter the index, and the policy is
//!    told (`on_free`).
//! 4. Decisions append jobs to device queues; a job whose devices are all ready starts
//!    and its completion is scheduled.
//!
//! The simulation writes nothing itself: records go to an [`Observer`].

use crate::cluster::{Cluster, ClusterView, DevState, DeviceId, JobInfo};
use crate::engine::{Engine, Time, secs, to_secs};
use crate::metrics::{
    ClassSummary, Collector, JobRecord, Summary, mean, quantile_sorted, slowdowns,
};
use crate::model::Scenario;
use crate::policy::{self, Decision, Policy};
use crate::power::{Levels, Meter, PowerRow};
use crate::workload::{NewJob, Workload};
use std::time::Instant;

/// Engine payload: small and `Copy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Next job of workload stream `stream`.
    Arrival {
        /// Stream index.
        stream: u32,
    },
    /// The job in `slot` finishes (dropped if `generation` is stale).
    Complete {
        /// Job slot.
        slot: u32,
        /// Slot generation when scheduled.
        generation: u32,
    },
}

/// Receives what the simulation produces. Errors stop the run.
pub trait Observer {
    /// A job finished.
    fn job(&mut self, r: &JobRecord) -> anyhow::Result<()>;
    /// A row of the power series.
    fn power(&mut self, r: &PowerRow) -> anyhow::Result<()>;
    /// Called every few thousand events with the clock and jobs finished.
    fn progress(&mut self, _now_s: f64, _jobs_done: u64) {}
}

/// An observer that keeps nothing (for tests and sweeps).
pub struct NullObserver;
impl Observer for NullObserver {
    fn job(&mut self, _: &JobRecord) -> anyhow::Result<()> {
        Ok(())
    }
    fn power(&mut self, _: &PowerRow) -> anyhow::Result<()> {
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
    /// Asleep time, s (no sleep states yet).
    pub asleep_s: f64,
    /// Transition time, s (no transitions yet).
    pub transition_s: f64,
    /// Energy, J.
    pub energy_j: f64,
    /// Jobs completed.
    pub jobs: u64,
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
    start: Time,
    run: Time,
    deadline_rel: Option<f64>,
}

/// One simulation run.
pub struct Simulation<'a> {
    sc: &'a Scenario,
    engine: Engine<Event>,
    cluster: Cluster,
    workload: Workload,
    policy: Box<dyn Policy>,
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
    seed: u64,
}

impl<'a> Simulation<'a> {
    /// Prepares a run of `sc` with `seed` and the scenario's policy.
    pub fn new(sc: &'a Scenario, seed: u64) -> Result<Self, String> {
        let policy = policy::build(&sc.policy, sc)?;
        Ok(Self::with_policy(sc, seed, policy))
    }

    /// Prepares a run with a given policy object (for policies written outside hetsim).
    pub fn with_policy(sc: &'a Scenario, seed: u64, policy: Box<dyn Policy>) -> Self {
        let cluster = Cluster::new(sc);
        let class_w = sc
            .classes
            .iter()
            .map(|c| c.idle_w * c.count as f64)
            .collect();
        Simulation {
            sc,
            engine: Engine::with_capacity(4096),
            cluster,
            workload: Workload::new(sc, seed),
            policy,
            meter: Meter::new(
                sc.classes.len(),
                sc.facility.pue,
                sc.facility.power_cap_w,
                sc.output.power_interval.map(secs),
            ),
            levels: Levels {
                class_w,
                queue_len: 0,
                busy: 0,
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
            seed,
        }
    }

    /// Runs to the end (all arrivals done and every job finished).
    pub fn run(mut self, obs: &mut dyn Observer) -> anyhow::Result<Outcome> {
        let wall = Instant::now();
        for s in 0..self.workload.len() {
            self.schedule_arrival(s as u32);
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
            }
            if self.engine.events_processed() & 0xffff == 0 {
                obs.progress(to_secs(t), self.collector.waits.len() as u64);
            }
        }
        let end = self.engine.now();
        self.advance(end, obs)?;
        let mut err = Ok(());
        self.meter.finish(&mut |r| {
            if err.is_ok() {
                err = obs.power(&r);
            }
        });
        err?;
        if self.policy.waiting() > 0 || self.jobs.iter().any(|j| j.is_some()) {
            anyhow::bail!(
                "policy `{}` left {} job(s) unplaced at the end of the run",
                self.policy.name(),
                self.policy
                    .waiting()
                    .max(self.jobs.iter().filter(|j| j.is_some()).count())
            );
        }
        Ok(self.finish(end, wall.elapsed().as_secs_f64()))
    }

    fn schedule_arrival(&mut self, stream: u32) {
        // Peek the next job's time by drawing it now and parking it in the stream.
        if let Some(job) = self.workload.next(stream as usize) {
            self.pending_push(stream, job);
        }
    }

    fn pending_push(&mut self, stream: u32, job: NewJob) {
        if self.pending.len() <= stream as usize {
            self.pending.resize(stream as usize + 1, None);
        }
        self.pending[stream as usize] = Some(job);
        let at = job.arrival.max(self.engine.now());
        self.engine
            .schedule_at(at, Event::Arrival { stream })
            .expect("not in the past");
    }

    fn advance(&mut self, t: Time, obs: &mut dyn Observer) -> anyhow::Result<()> {
        self.levels.queue_len = self.policy.waiting() as u64 + self.device_queued;
        let mut err = Ok(());
        self.meter.advance(t, &self.levels, &mut |r| {
            if err.is_ok() {
                err = obs.power(&r);
            }
        });
        err
    }

    fn on_arrival(&mut self, stream: u32) -> anyhow::Result<()> {
        let job = self.pending[stream as usize]
            .take()
            .expect("an arrival event has its job");
        self.schedule_arrival(stream);
        let now = self.engine.now();
        let slot = match self.free_slots.pop() {
            Some(s) => s,
            None => {
                self.jobs.push(None);
                self.gens.push(0);
                (self.jobs.len() - 1) as u32
            }
        };
        let info = JobInfo {
            slot,
            id: self.next_id,
            kind: job.kind,
            arrival: now,
            work: job.work,
            devices: job.devices,
            memory: job.memory,
            deadline: job.deadline.map(|d| now.saturating_add(secs(d))),
            priority: job.priority,
        };
        self.next_id += 1;
        self.arrived += 1;
        self.jobs[slot as usize] = Some(ActiveJob {
            info,
            generation: self.gens[slot as usize],
            devices: Vec::new(),
            ready: 0,
            start: 0,
            run: 0,
            deadline_rel: job.deadline,
        });
        let mut out = std::mem::take(&mut self.decisions);
        {
            let view = ClusterView::new(now, self.sc, &self.cluster);
            self.policy.on_arrival(info, &view, &mut out);
        }
        self.apply(&mut out)?;
        self.decisions = out;
        Ok(())
    }

    fn apply(&mut self, out: &mut Vec<Decision>) -> anyhow::Result<()> {
        let now = self.engine.now();
        for d in out.drain(..) {
            let Decision::Assign { job, devices } = d;
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
            let info = aj.info;
            if devices.len() != info.devices as usize {
                anyhow::bail!(
                    "policy `{}` gave job {} {} device(s), it needs {}",
                    self.policy.name(),
                    info.id,
                    devices.len(),
                    info.devices
                );
            }
            let mut min_speed = f64::INFINITY;
            for (i, &d) in devices.iter().enumerate() {
                let Some(dev) = self.cluster.devices.get(d as usize) else {
                    anyhow::bail!(
                        "policy `{}` named device {d}, which does not exist",
                        self.policy.name()
                    )
                };
                let c = dev.class as usize;
                if !self.sc.can_run(c, info.kind as usize, info.memory, 1)
                    || devices[..i].contains(&d)
                {
                    anyhow::bail!(
                        "policy `{}` put job {} on device {d} ({}), which cannot run it or is listed twice",
                        self.policy.name(),
                        info.id,
                        self.sc.classes[c].name
                    );
                }
                min_speed =
                    min_speed.min(self.sc.classes[c].speed[info.kind as usize].expect("checked"));
            }
            // A gang runs at its slowest member's speed.
            let run = secs(info.work / min_speed);
            let start_est = devices
                .iter()
                .map(|&d| self.cluster.devices[d as usize].avail_key.max(now))
                .max()
                .unwrap_or(now);
            let end_est = start_est.saturating_add(run);
            for &d in &devices {
                let dev = &mut self.cluster.devices[d as usize];
                dev.queue.push_back(job);
                self.cluster.set_free(d, false);
                self.cluster.set_avail(d, end_est);
            }
            self.device_queued += 1;
            {
                let aj = self.jobs[job as usize].as_mut().expect("checked");
                aj.devices = devices.clone();
                aj.run = run;
            }
            for &d in &devices {
                self.try_start_next(d);
            }
        }
        Ok(())
    }

    /// If device `d` is idle and the head of its queue is a job not yet counted ready
    /// here, count it; start the job when all its devices are ready.
    fn try_start_next(&mut self, d: DeviceId) {
        let dev = &self.cluster.devices[d as usize];
        if dev.running.is_some() {
            return;
        }
        let Some(&slot) = dev.queue.front() else {
            return;
        };
        let aj = self.jobs[slot as usize]
            .as_mut()
            .expect("queued jobs are active");
        // Mark this device as having reached the job: it holds the job as `running`
        // (still idle) so it is counted once.
        self.cluster.devices[d as usize].running = Some(slot);
        aj.ready += 1;
        if aj.ready as usize == aj.devices.len() {
            self.start(slot);
        }
    }

    fn start(&mut self, slot: u32) {
        let now = self.engine.now();
        let aj = self.jobs[slot as usize].as_mut().expect("active");
        aj.start = now;
        let kind = aj.info.kind;
        let run = aj.run;
        let generation = aj.generation;
        let devices = std::mem::take(&mut aj.devices);
        for &d in &devices {
            let dev = &mut self.cluster.devices[d as usize];
            let c = dev.class as usize;
            let q = dev.queue.pop_front();
            debug_assert_eq!(q, Some(slot));
            let new_w = self.sc.classes[c].busy_w[kind as usize];
            Self::set_power(dev, &mut self.levels, c, new_w, now);
            dev.state = DevState::Busy(kind);
            self.cluster.classes[c].busy += 1;
        }
        self.levels.busy += devices.len() as u64;
        self.device_queued -= 1;
        self.jobs[slot as usize].as_mut().expect("active").devices = devices;
        self.engine
            .schedule_in(run, Event::Complete { slot, generation });
    }

    fn set_power(
        dev: &mut crate::cluster::Device,
        levels: &mut Levels,
        c: usize,
        w: f64,
        now: Time,
    ) {
        dev.energy_j += dev.power_w * (now - dev.last_change) as f64 / 1e9;
        if let DevState::Busy(_) = dev.state {
            dev.busy_ns += now - dev.last_change;
        }
        dev.last_change = now;
        levels.class_w[c] += w - dev.power_w;
        dev.power_w = w;
    }

    fn on_complete(&mut self, slot: u32, obs: &mut dyn Observer) -> anyhow::Result<()> {
        let now = self.engine.now();
        let aj = self.jobs[slot as usize]
            .take()
            .expect("completing job is active");
        self.gens[slot as usize] = self.gens[slot as usize].wrapping_add(1);
        self.free_slots.push(slot);
        let mut energy = 0.0;
        for &d in &aj.devices {
            let dev = &mut self.cluster.devices[d as usize];
            let c = dev.class as usize;
            energy += dev.power_w * (now - dev.last_change) as f64 / 1e9;
            let idle = self.sc.classes[c].idle_w;
            Self::set_power(dev, &mut self.levels, c, idle, now);
            dev.state = DevState::Idle;
            dev.running = None;
            dev.jobs_done += 1;
            self.cluster.classes[c].busy -= 1;
        }
        self.levels.busy -= aj.devices.len() as u64;
        let c0 = self.cluster.devices[aj.devices[0] as usize].class as usize;
        self.class_jobs[c0] += 1;
        let info = aj.info;
        let arrival = to_secs(info.arrival);
        let start = to_secs(aj.start);
        let end = to_secs(now);
        let run = end - start;
        let response = end - arrival;
        let (sd, bsld) = slowdowns(response, run);
        let rec = JobRecord {
            id: info.id,
            kind: self.sc.kinds[info.kind as usize].name.clone(),
            arrival_s: arrival,
            start_s: start,
            end_s: end,
            wait_s: start - arrival,
            response_s: response,
            run_s: run,
            slowdown: sd,
            bounded_slowdown: bsld,
            class: self.sc.classes[c0].name.clone(),
            devices: join_ids(&aj.devices),
            work: info.work,
            energy_j: energy,
            deadline_s: info.deadline.map(to_secs),
            deadline_met: info.deadline.map(|dl| now <= dl),
        };
        let _ = aj.deadline_rel;
        self.collector.add(&rec);
        obs.job(&rec)?;
        // Each device moves on to its next committed job, or becomes free.
        let mut freed = false;
        for &d in &aj.devices {
            if self.cluster.devices[d as usize].queue.is_empty() {
                self.cluster.set_free(d, true);
                self.cluster.set_avail(d, 0);
                freed = true;
            } else {
                self.try_start_next(d);
            }
        }
        if freed {
            let mut out = std::mem::take(&mut self.decisions);
            {
                let view = ClusterView::new(now, self.sc, &self.cluster);
                self.policy.on_free(&view, &mut out);
            }
            self.apply(&mut out)?;
            self.decisions = out;
        }
        Ok(())
    }

    fn finish(mut self, end: Time, wall_s: f64) -> Outcome {
        let sc = self.sc;
        let mut devices = Vec::with_capacity(self.cluster.devices.len());
        for (i, dev) in self.cluster.devices.iter_mut().enumerate() {
            let c = dev.class as usize;
            let w = dev.power_w;
            Self::set_power(dev, &mut self.levels, c, w, end);
            let busy = to_secs(dev.busy_ns);
            devices.push(DeviceRecord {
                device: i as u32,
                class: sc.classes[c].name.clone(),
                category: sc.classes[c].category.as_str().into(),
                busy_s: busy,
                idle_s: to_secs(end - dev.busy_ns),
                asleep_s: 0.0,
                transition_s: 0.0,
                energy_j: dev.energy_j,
                jobs: dev.jobs_done,
            });
        }
        let horizon = to_secs(end);
        let col = &mut self.collector;
        col.waits.sort_by(f64::total_cmp);
        col.responses.sort_by(f64::total_cmp);
        let done = col.waits.len() as u64;
        let n = done.max(1) as f64;
        let total_dev: u64 = sc.device_count();
        let busy_total: f64 = devices.iter().map(|d| d.busy_s).sum();
        let mut per_class = indexmap::IndexMap::new();
        for (ci, c) in sc.classes.iter().enumerate() {
            let busy: f64 = devices
                .iter()
                .filter(|d| d.class == c.name)
                .map(|d| d.busy_s)
                .sum();
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
        let kwh = self.meter.facility_j() / 3.6e6;
        let summary = Summary {
            scenario: sc.name.clone(),
            policy: self.policy.name().to_string(),
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
            wait_mean_s: mean(&col.waits),
            wait_p50_s: quantile_sorted(&col.waits, 0.5),
            wait_p95_s: quantile_sorted(&col.waits, 0.95),
            wait_p99_s: quantile_sorted(&col.waits, 0.99),
            response_mean_s: mean(&col.responses),
            response_p50_s: quantile_sorted(&col.responses, 0.5),
            response_p95_s: quantile_sorted(&col.responses, 0.95),
            response_p99_s: quantile_sorted(&col.responses, 0.99),
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
            power_peak_w: self.meter.peak_w,
            power_mean_w: if horizon > 0.0 {
                self.meter.it_j / horizon
            } else {
                0.0
            },
            power_cap_w: sc.facility.power_cap_w,
            time_at_cap_s: to_secs(self.meter.at_cap_ns),
            carbon_g: kwh * sc.facility.carbon_g_per_kwh,
            cost: kwh * sc.facility.price_per_kwh,
            queue_mean: if end > 0 {
                self.meter.queue_integral / end as f64
            } else {
                0.0
            },
            events: self.engine.events_processed(),
            wall_s,
            per_class,
        };
        Outcome { summary, devices }
    }
}

fn join_ids(ids: &[DeviceId]) -> String {
    let mut s = String::new();
    for (i, d) in ids.iter().enumerate() {
        if i > 0 {
            s.push(';');
        }
        s.push_str(&d.to_string());
    }
    s
}
