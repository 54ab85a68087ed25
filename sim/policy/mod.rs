//! Placement policies: they see a read-only [`ClusterView`] and return [`Decision`]s.
//!
//! # The contract
//! The simulation calls [`Policy::on_arrival`] once per job when it is released, and
//! [`Policy::on_free`] after completions free devices. A policy answers by pushing
//! decisions into `out`; it may also keep jobs in its own waiting queue and place them
//! in a later call. The simulation applies every decision in order, then checks it:
//! a decision naming a device that cannot run the job, the wrong number of devices, or
//! a job already placed is a policy bug and ends the run with an error.
//!
//! `Decision::Assign` appends the job to each named device's local FIFO queue. A device
//! that is free starts it at once; a busy one starts it after its committed work (list
//! scheduling). A gang job starts when all its devices have reached it.
//!
//! # Adding a policy
//! Write a type implementing [`Policy`] in its own file, add it to [`REGISTRY`] with a
//! name, a one-line summary and its parameters. Policies must not scan all devices:
//! use the per-class queries on [`ClusterView`], which cost O(log n).

mod carbon_aware;
mod eft;
mod fastest;
mod fcfs;
mod min_energy;
mod power_capped;
mod proportional_split;

pub use crate::cluster::{ClusterView, DeviceId, JobInfo};
use crate::engine::Time;
use crate::model::{PolicySpec, Scenario};

/// What a policy asks the simulation to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Commit `job` to `devices` (exactly the job's gang size, distinct).
    Assign {
        /// The job's slot (from [`JobInfo::slot`]).
        job: u32,
        /// Devices, each appended to its local queue.
        devices: Vec<DeviceId>,
    },
    /// Split a divisible job into parts, each a (devices, work) pair committed like an
    /// `Assign`. The parts' work must add up to the job's; each part has the job's gang
    /// size. The job completes when its last part does.
    Split {
        /// The job's slot.
        job: u32,
        /// (devices, work units) per part.
        parts: Vec<(Vec<DeviceId>, f64)>,
    },
}

/// A placement policy.
pub trait Policy: Send {
    /// Registered name.
    fn name(&self) -> &'static str;
    /// A job was released. Place it now (push a decision) or keep it for later.
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>);
    /// Devices became free. Place kept jobs if the policy wants to.
    fn on_free(&mut self, view: &ClusterView, out: &mut Vec<Decision>);
    /// Jobs the policy holds and has not placed.
    fn waiting(&self) -> usize;
    /// A time at which the policy wants [`Policy::on_tick`] called (e.g. the start of
    /// a low-carbon hour). Asked after every event; `None` (the default): never.
    fn wakeup(&self) -> Option<Time> {
        None
    }
    /// The time asked for by [`Policy::wakeup`] has come. Default: as `on_free`.
    fn on_tick(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.on_free(view, out)
    }
}

/// Policy parameters as given in the scenario.
pub type Params = serde_json::Map<String, serde_json::Value>;

/// Builds a policy for a scenario from its parameters.
pub type PolicyBuilder = fn(&Scenario, &Params) -> Result<Box<dyn Policy>, String>;

/// A registered policy: name, summary, parameters, constructor.
pub struct PolicyInfo {
    /// Name used in scenarios and `--policy`.
    pub name: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
    /// Parameters, `name: meaning` (empty if none).
    pub params: &'static [&'static str],
    /// Builds it for a scenario with parameters.
    pub build: PolicyBuilder,
}

fn no_params<P: Policy + 'static>(
    params: &serde_json::Map<String, serde_json::Value>,
    p: P,
) -> Result<Box<dyn Policy>, String> {
    match params.keys().next() {
        Some(k) => Err(format!(
            "unknown parameter `{k}` for policy `{}` (it takes none)",
            p.name()
        )),
        None => Ok(Box::new(p)),
    }
}

/// Every built-in policy.
pub const REGISTRY: &[PolicyInfo] = &[
    PolicyInfo {
        name: "fcfs",
        summary: "first come first served: the oldest job starts on the first free capable devices (classes in file order); it blocks the queue until it fits",
        params: &[],
        build: |_, p| no_params(p, fcfs::Fcfs::default()),
    },
    PolicyInfo {
        name: "fastest",
        summary: "the study's select_platform: each job goes to the class that runs it fastest, queued behind that class's earliest-available devices",
        params: &[],
        build: |_, p| no_params(p, fastest::Fastest),
    },
    PolicyInfo {
        name: "min-energy",
        summary: "the study's min W objective: each job goes to the class where it draws the least energy (busy power x run time), earliest-available devices",
        params: &[],
        build: |_, p| no_params(p, min_energy::MinEnergy),
    },
    PolicyInfo {
        name: "eft",
        summary: "earliest finish time (HEFT-like list scheduling): each job goes where it would finish first, counting work already committed to each device",
        params: &[],
        build: |_, p| no_params(p, eft::Eft),
    },
    PolicyInfo {
        name: "proportional-split",
        summary: "the study's allocation weights: a divisible job is split across classes so all parts finish together (in proportion to speed when all are free); other jobs as eft",
        params: &[],
        build: |_, p| no_params(p, proportional_split::ProportionalSplit),
    },
    PolicyInfo {
        name: "power-capped",
        summary: "a base policy made cap-aware: a job whose placement would not fit under the power cap goes to the class that fits with the least power per unit of work",
        params: &["base: the policy to wrap (default eft)"],
        build: |sc, p| {
            Ok(Box::new(power_capped::PowerCapped::new(base_param(
                sc,
                p,
                "power-capped",
            )?)))
        },
    },
    PolicyInfo {
        name: "carbon-aware",
        summary: "holds deferrable jobs (with `slack`) until the lowest carbon intensity within their slack, then places them with a base policy",
        params: &["base: the policy that places released jobs (default eft)"],
        build: |sc, p| {
            Ok(Box::new(carbon_aware::CarbonAware::new(base_param(
                sc,
                p,
                "carbon-aware",
            )?)))
        },
    },
];

/// Builds the `base` policy a wrapper names (default `eft`); no other parameters.
fn base_param(
    sc: &Scenario,
    params: &serde_json::Map<String, serde_json::Value>,
    who: &str,
) -> Result<Box<dyn Policy>, String> {
    if let Some(k) = params.keys().find(|k| k.as_str() != "base") {
        return Err(format!(
            "unknown parameter `{k}` for policy `{who}` (it takes: base)"
        ));
    }
    let name = match params.get("base") {
        None => "eft".to_string(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => return Err(format!("`base` must be a policy name, got {other}")),
    };
    if name == who {
        return Err(format!("`{who}` cannot wrap itself"));
    }
    build(
        &PolicySpec {
            name,
            params: Default::default(),
        },
        sc,
    )
}

/// Builds the policy a scenario names.
pub fn build(spec: &PolicySpec, sc: &Scenario) -> Result<Box<dyn Policy>, String> {
    let info = REGISTRY
        .iter()
        .find(|p| p.name == spec.name)
        .ok_or_else(|| {
            format!(
                "unknown policy `{}`; available: {}",
                spec.name,
                REGISTRY
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
    (info.build)(sc, &spec.params)
}

/// Picks, among classes that can run `job`, the one minimising `key` (ties: file order),
/// and returns the job's gang on that class's earliest-available devices.
pub(crate) fn assign_by<K: PartialOrd>(
    job: &JobInfo,
    view: &ClusterView,
    mut key: impl FnMut(usize) -> K,
) -> Option<Decision> {
    let mut best: Option<(K, usize)> = None;
    for c in 0..view.class_count() {
        if !view.can_run(c, job) {
            continue;
        }
        let k = key(c);
        if best.as_ref().is_none_or(|(bk, _)| k < *bk) {
            best = Some((k, c));
        }
    }
    let (_, c) = best?;
    let devices = view
        .earliest_devices(c, job.devices as usize)
        .map(|(d, _)| d)
        .collect();
    Some(Decision::Assign {
        job: job.slot,
        devices,
    })
}

/// Finish time of `job` on class `c` if committed now to its earliest devices.
pub(crate) fn finish_on(job: &JobInfo, view: &ClusterView, c: usize) -> Option<Time> {
    let start = view.earliest_start(c, job.devices as usize)?;
    Some(start.saturating_add(view.runtime(c, job)?))
}
