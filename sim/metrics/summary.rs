//! The run summary and the per-device records, built once at the end of a run from
//! what it recorded: the job statistics ([`Collector`]), the meter's totals and
//! per-device accounts, and the simulation's counters.
//!
//! # Adding a summary key
//! Add the field to [`Summary`] (its name is the key in summary.json/.csv) and compute
//! it in [`summarize`] from [`RunTotals`] (add what it needs there, filled in by the
//! simulation's `finish`).

use super::{ClassSummary, Collector, KindSummary, PipelineSummary, Quantiles, Summary};
use crate::engine::{Time, to_secs};
use crate::model::{DeviceClass, Scenario};
use crate::power::{DeviceAccount, Meter};

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

impl DeviceRecord {
    /// The record of device `device` of `class` from its closed account.
    pub fn new(
        device: u32,
        class: &DeviceClass,
        acc: &DeviceAccount,
        jobs: u64,
        wakeups: u64,
    ) -> Self {
        DeviceRecord {
            device,
            class: class.name.clone(),
            category: class.category.as_str().into(),
            busy_s: to_secs(acc.state_ns[0]),
            idle_s: to_secs(acc.state_ns[1]),
            asleep_s: to_secs(acc.state_ns[2]),
            transition_s: to_secs(acc.state_ns[3]),
            energy_j: acc.energy_j,
            busy_j: acc.state_j[0],
            idle_j: acc.state_j[1],
            asleep_j: acc.state_j[2],
            transition_j: acc.state_j[3],
            carbon_g: acc.carbon_g,
            cost: acc.cost,
            jobs,
            wakeups,
        }
    }
}

/// What a run recorded besides the per-device records.
pub struct RunTotals<'a> {
    /// The scenario run.
    pub scenario: &'a Scenario,
    /// Policy name.
    pub policy: &'static str,
    /// Power manager name.
    pub power_manager: &'static str,
    /// Seed.
    pub seed: u64,
    /// End of the run: the last job-related event (completion or arrival).
    pub end: Time,
    /// End of the accounting window (at least `end`).
    pub window: Time,
    /// The meter's totals at `end`.
    pub to_end: crate::power::Totals,
    /// Wall-clock time of the run, s.
    pub wall_s: f64,
    /// Events processed.
    pub events: u64,
    /// Jobs released.
    pub jobs_arrived: u64,
    /// Jobs completed per class: every class that ran a part of a job counts it once.
    pub class_jobs: &'a [u64],
    /// Statistics of the finished jobs.
    pub collector: Collector,
    /// The meter, after the last segment.
    pub meter: &'a Meter,
    /// Jobs that waited for power before starting.
    pub cap_delayed_jobs: u64,
    /// Total wait for power, ns.
    pub cap_delay_ns: Time,
    /// Warnings about the scenario's settings ([`super::warnings_for`]).
    pub setting_warnings: Vec<String>,
    /// Jobs placed again by late binding.
    pub jobs_rebound: u64,
    /// Time during which the cap bound, ns.
    pub cap_binding_ns: Time,
    /// End-to-end latencies per pipeline root kind.
    pub e2e: Vec<Quantiles>,
    /// Per device: for a device with slots, its busy slot-seconds / slots (the time
    /// it would be busy if its load were packed), which utilisation counts instead of
    /// the time any slot was busy; `None` for one-slot devices.
    pub slot_busy_s: &'a [Option<f64>],
}

/// Builds the summary.
pub fn summarize(t: RunTotals, devices: &[DeviceRecord]) -> Summary {
    let sc = t.scenario;
    let end = t.end;
    let meter = t.meter;
    let mut state_j = [0.0f64; 4];
    let mut wakeups = 0;
    for dev in devices {
        let dev_state_j = [dev.busy_j, dev.idle_j, dev.asleep_j, dev.transition_j];
        for (a, b) in state_j.iter_mut().zip(dev_state_j) {
            *a += b;
        }
        wakeups += dev.wakeups;
    }
    let horizon = to_secs(end);
    let window_s = to_secs(t.window);
    let mut warnings = window_warnings(sc, end);
    warnings.extend(t.setting_warnings);
    let mut col = t.collector;
    // Before the overall quantiles, which reorder the samples the groups come from.
    col.finish_groups();
    let [w50, w95, w99] = col.waits.quantiles([0.5, 0.95, 0.99]);
    let [r50, r95, r99] = col.responses.quantiles([0.5, 0.95, 0.99]);
    let done = col.waits.len();
    let n = done.max(1) as f64;
    let total_dev: u64 = sc.device_count();
    let busy_of =
        |i: usize, d: &DeviceRecord| t.slot_busy_s.get(i).copied().flatten().unwrap_or(d.busy_s);
    let busy_total: f64 = devices.iter().enumerate().map(|(i, d)| busy_of(i, d)).sum();
    let mut per_class = indexmap::IndexMap::new();
    let mut first = 0usize;
    for (ci, c) in sc.classes.iter().enumerate() {
        let range = &devices[first..first + c.count as usize];
        let busy: f64 = range
            .iter()
            .enumerate()
            .map(|(i, d)| busy_of(first + i, d))
            .sum();
        first += c.count as usize;
        per_class.insert(
            c.name.clone(),
            ClassSummary {
                devices: c.count,
                utilization: if horizon > 0.0 {
                    busy / (c.count as f64 * horizon)
                } else {
                    0.0
                },
                energy_j: meter.class_j()[ci],
                jobs: t.class_jobs[ci],
                stats: col
                    .per_class
                    .get(c.name.as_str())
                    .map(|g| g.stats())
                    .unwrap_or_default(),
            },
        );
    }
    let mut e2e = t.e2e;
    // Scenario kinds first, in file order; then any other kind a job carried (trace
    // and explicit jobs), in first-completion order.
    let mut order: Vec<String> = sc
        .kinds
        .iter()
        .map(|k| k.name.clone())
        .filter(|k| col.per_kind.contains_key(k.as_str()))
        .collect();
    for k in col.per_kind.keys() {
        if !sc.kinds.iter().any(|x| &x.name == k) {
            order.push(k.clone());
        }
    }
    let per_kind = order
        .into_iter()
        .map(|k| {
            let g = &col.per_kind[k.as_str()];
            let s = KindSummary {
                jobs: g.jobs,
                energy_j: g.energy_j,
                stats: g.stats(),
            };
            (k, s)
        })
        .collect();
    Summary {
        scenario: sc.name.clone(),
        policy: t.policy.to_string(),
        power_manager: t.power_manager.to_string(),
        seed: t.seed,
        horizon_s: horizon,
        makespan_s: col.makespan_s,
        jobs_arrived: t.jobs_arrived,
        jobs_completed: done,
        jobs_rejected: 0,
        throughput_jobs_per_s: if col.makespan_s > 0.0 {
            done as f64 / col.makespan_s
        } else {
            0.0
        },
        wait_mean_s: col.waits.mean(),
        wait_p50_s: w50,
        wait_p95_s: w95,
        wait_p99_s: w99,
        response_mean_s: col.responses.mean(),
        response_p50_s: r50,
        response_p95_s: r95,
        response_p99_s: r99,
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
        energy_it_j: meter.it_j(),
        energy_facility_j: meter.facility_j(),
        energy_per_job_j: if done > 0 {
            meter.it_j() / done as f64
        } else {
            0.0
        },
        energy_jobs_j: col.job_energy,
        energy_busy_j: state_j[0],
        energy_idle_j: state_j[1],
        energy_asleep_j: state_j[2],
        energy_transition_j: state_j[3],
        wakeups,
        power_peak_w: meter.peak_w(),
        power_mean_w: if window_s > 0.0 {
            meter.it_j() / window_s
        } else {
            0.0
        },
        power_cap_w: sc.facility.power_cap.as_ref().map(|c| c.at(0)),
        time_at_cap_s: to_secs(meter.at_cap_ns()),
        cap_delayed_jobs: t.cap_delayed_jobs,
        cap_delay_s: to_secs(t.cap_delay_ns),
        carbon_g: meter.carbon_g(),
        carbon_per_job_g: if done > 0 {
            meter.carbon_g() / done as f64
        } else {
            0.0
        },
        cost: meter.cost(),
        queue_mean: if end > 0 {
            meter.queue_integral() / end as f64
        } else {
            0.0
        },
        events: t.events,
        wall_s: t.wall_s,
        per_class,
        pipelines: sc
            .kinds
            .iter()
            .zip(e2e.iter_mut())
            .filter(|(_, q)| !q.is_empty())
            .map(|(k, q)| {
                q.finish();
                let p = PipelineSummary {
                    count: q.len(),
                    e2e_mean_s: q.mean(),
                    e2e_p99_s: q.quantile(0.99),
                };
                (k.name.clone(), p)
            })
            .collect(),
        per_kind,
        power_interval_s: sc.output.power_interval,
        window_s,
        energy_it_to_makespan_j: t.to_end.it_j,
        energy_facility_to_makespan_j: t.to_end.facility_j,
        carbon_to_makespan_g: t.to_end.carbon_g,
        cost_to_makespan: t.to_end.cost,
        cap_binding_s: to_secs(t.cap_binding_ns),
        jobs_rebound: t.jobs_rebound,
        walltime: sc.walltime.name().to_string(),
        jobs_killed: col.killed,
        time_origin_s: sc.time_origin,
        warnings,
        serving: None,
    }
}

/// What the summary must say about its accounting window: none could be fixed, or the
/// run drained past it (then it was extended to the run's end, which depends on the
/// policy).
fn window_warnings(sc: &Scenario, end: Time) -> Vec<String> {
    let mut out = Vec::new();
    match sc.window() {
        None => out.push(format!(
            "no common accounting window: generated arrivals without a horizon; energy, \
             carbon and cost are accounted to this run's end ({:.3} s), which depends on \
             the policy; set `accounting.until` to compare runs",
            to_secs(end)
        )),
        Some(w) if to_secs(end) > w => out.push(format!(
            "the run drained past the accounting window ({w:.3} s) to {:.3} s; energy, \
             carbon and cost are accounted to {:.3} s, so runs with another window_s do \
             not compare; raise `accounting.until`",
            to_secs(end),
            to_secs(end)
        )),
        Some(_) => {}
    }
    out
}
