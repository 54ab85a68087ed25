//! Power managers: when devices sleep and at which P-state jobs run.
//!
//! A power manager is chosen by name in the scenario (`power_manager: {name, params}`),
//! independently of the placement policy. The simulation asks it two things:
//! [`PowerManager::idle_timeout`] when a device with a sleep state runs out of work
//! (`None`: stay idle; `Some(d)`: fall asleep after `d` more idle time, cancelled if work
//! arrives first), and [`PowerManager::pstate`] when a job is about to start (an index
//! into the class's P-states, 0 = fastest). The power cap may still lower the P-state.
//!
//! # Adding a power manager
//! Write a type implementing [`PowerManager`] in its own file here, and add an entry to
//! [`REGISTRY`] (name, summary, parameter lines, constructor reading its parameters with
//! the shared parameter reader).

mod always_on;
mod dvfs_deadline;
mod fixed_pstate;
mod idle_timeout;
mod race_to_idle;

pub use always_on::AlwaysOn;
pub use dvfs_deadline::DvfsDeadline;
pub use fixed_pstate::FixedPstate;
pub use idle_timeout::IdleTimeout;
pub use race_to_idle::RaceToIdle;

use crate::cluster::JobInfo;
use crate::engine::{Time, secs};
use crate::model::{DeviceClass, PolicySpec};
use crate::policy::{Entry, Owner, ParamError, ParamReader, Params, Registry};

/// Decides sleep and P-states.
pub trait PowerManager: Send {
    /// Registered name.
    fn name(&self) -> &'static str;
    /// Idle time after which a free device of `class` goes to sleep, if ever.
    fn idle_timeout(&mut self, class: &DeviceClass) -> Option<Time>;
    /// P-state for `job` starting `now` on devices of `class`, whose top-state speed for
    /// the job is `speed` (work units/s).
    fn pstate(&mut self, job: &JobInfo, class: &DeviceClass, speed: f64, now: Time) -> usize;
    /// Whether it ever puts devices to sleep (a setting that has no effect on classes
    /// without a sleep state is worth a warning).
    fn sleeps(&self) -> bool {
        false
    }
    /// Whether it ever picks a P-state below the top one.
    fn scales(&self) -> bool {
        false
    }
}

/// Builds a power manager from its parameters.
pub type PowerManagerBuilder = fn(&Params) -> Result<Box<dyn PowerManager>, ParamError>;

/// A registered power manager.
pub type PowerManagerInfo = Entry<PowerManagerBuilder>;

/// Reads a power manager's parameters, checked against its entry's parameter lines.
fn reader<'a>(
    name: &'static str,
    p: &'a Params,
    params: &[&str],
) -> Result<ParamReader<'a>, ParamError> {
    ParamReader::with_owner(Owner::PowerManager(name), p, params)
}

const IDLE_TIMEOUT_PARAMS: &[&str] = &["timeout: idle time before sleeping (default 60s)"];
const DVFS_PARAMS: &[&str] = &["sleep_after: also sleep after this idle time (default: never)"];
const FIXED_PARAMS: &[&str] = &[
    "state: the P-state index every job runs at, 0 = top (default 0; a class with fewer states runs at its slowest)",
    "sleep_after: also sleep after this idle time (default: never)",
];

/// Every built-in power manager.
pub const REGISTRY: Registry<PowerManagerBuilder> = Registry {
    what: "power manager",
    entries: &[
        PowerManagerInfo {
            name: "always-on",
            summary: "devices never sleep; jobs run at the top P-state",
            params: &[],
            build: |p| {
                reader("always-on", p, &[])?;
                Ok(Box::new(AlwaysOn))
            },
        },
        PowerManagerInfo {
            name: "idle-timeout",
            summary: "a device with a sleep state sleeps after `timeout` of idleness; top P-state",
            params: IDLE_TIMEOUT_PARAMS,
            build: |p| {
                let r = reader("idle-timeout", p, IDLE_TIMEOUT_PARAMS)?;
                let timeout = r.duration("timeout")?.unwrap_or(secs(60.0));
                Ok(Box::new(IdleTimeout { timeout }))
            },
        },
        PowerManagerInfo {
            name: "race-to-idle",
            summary: "top P-state, then sleep as soon as a device is idle",
            params: &[],
            build: |p| {
                reader("race-to-idle", p, &[])?;
                Ok(Box::new(RaceToIdle))
            },
        },
        PowerManagerInfo {
            name: "dvfs-deadline",
            summary: "the slowest P-state that still meets the job's deadline (top state without one)",
            params: DVFS_PARAMS,
            build: |p| {
                let r = reader("dvfs-deadline", p, DVFS_PARAMS)?;
                let sleep_after = r.duration("sleep_after")?;
                Ok(Box::new(DvfsDeadline { sleep_after }))
            },
        },
        PowerManagerInfo {
            name: "fixed-pstate",
            summary: "every job at one chosen P-state (for comparing states one by one); the cap may lower it",
            params: FIXED_PARAMS,
            build: |p| {
                let r = reader("fixed-pstate", p, FIXED_PARAMS)?;
                let state = r.count("state", 0, 0)? as usize;
                let sleep_after = r.duration("sleep_after")?;
                Ok(Box::new(FixedPstate { state, sleep_after }))
            },
        },
    ],
};

/// Builds the power manager a scenario names.
pub fn build(spec: &PolicySpec) -> Result<Box<dyn PowerManager>, ParamError> {
    let info = REGISTRY.get(&spec.name)?;
    (info.build)(&spec.params)
}
