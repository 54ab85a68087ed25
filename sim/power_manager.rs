//! Power managers: when devices sleep and at which P-state jobs run.
//!
//! A power manager is chosen by name in the scenario (`power_manager: {name, params}`),
//! independently of the placement policy. The simulation asks it two things:
//! [`PowerManager::idle_timeout`] when a device with a sleep state runs out of work
//! (`None`: stay idle; `Some(d)`: fall asleep after `d` more idle time, cancelled if work
//! arrives first), and [`PowerManager::pstate`] when a job is about to start (an index
//! into the class's P-states, 0 = fastest). The power cap may still lower the P-state.

use crate::cluster::JobInfo;
use crate::engine::{Time, secs};
use crate::model::{DeviceClass, PolicySpec};

/// Decides sleep and P-states.
pub trait PowerManager: Send {
    /// Registered name.
    fn name(&self) -> &'static str;
    /// Idle time after which a free device of `class` goes to sleep, if ever.
    fn idle_timeout(&mut self, class: &DeviceClass) -> Option<Time>;
    /// P-state for `job` starting `now` on devices of `class`, whose top-state speed for
    /// the job is `speed` (work units/s).
    fn pstate(&mut self, job: &JobInfo, class: &DeviceClass, speed: f64, now: Time) -> usize;
}

/// Devices never sleep; jobs run at the top P-state.
pub struct AlwaysOn;
impl PowerManager for AlwaysOn {
    fn name(&self) -> &'static str {
        "always-on"
    }
    fn idle_timeout(&mut self, _: &DeviceClass) -> Option<Time> {
        None
    }
    fn pstate(&mut self, _: &JobInfo, _: &DeviceClass, _: f64, _: Time) -> usize {
        0
    }
}

/// Sleep after a fixed idle time; top P-state.
pub struct IdleTimeout {
    timeout: Time,
}
impl PowerManager for IdleTimeout {
    fn name(&self) -> &'static str {
        "idle-timeout"
    }
    fn idle_timeout(&mut self, _: &DeviceClass) -> Option<Time> {
        Some(self.timeout)
    }
    fn pstate(&mut self, _: &JobInfo, _: &DeviceClass, _: f64, _: Time) -> usize {
        0
    }
}

/// Run at the top P-state, sleep as soon as idle.
pub struct RaceToIdle;
impl PowerManager for RaceToIdle {
    fn name(&self) -> &'static str {
        "race-to-idle"
    }
    fn idle_timeout(&mut self, _: &DeviceClass) -> Option<Time> {
        Some(0)
    }
    fn pstate(&mut self, _: &JobInfo, _: &DeviceClass, _: f64, _: Time) -> usize {
        0
    }
}

/// The slowest P-state at which the job still meets its deadline (top state for jobs
/// without one, or when none meets it); optionally sleep after an idle timeout.
pub struct DvfsDeadline {
    sleep_after: Option<Time>,
}
impl PowerManager for DvfsDeadline {
    fn name(&self) -> &'static str {
        "dvfs-deadline"
    }
    fn idle_timeout(&mut self, _: &DeviceClass) -> Option<Time> {
        self.sleep_after
    }
    fn pstate(&mut self, job: &JobInfo, class: &DeviceClass, speed: f64, now: Time) -> usize {
        let Some(deadline) = job.deadline else {
            return 0;
        };
        let switch = secs(class.pstate_switch);
        // Slowest first: the first state that meets the deadline saves the most power
        // (P-states are ordered with decreasing power).
        for s in (0..class.pstates.len()).rev() {
            let run =
                secs(job.work / (speed * class.pstates[s].speed)) + if s == 0 { 0 } else { switch };
            if now.saturating_add(run) <= deadline {
                return s;
            }
        }
        0
    }
}

/// A registered power manager.
pub struct PowerManagerInfo {
    /// Name used in scenarios.
    pub name: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
    /// Parameters.
    pub params: &'static [&'static str],
    /// Constructor.
    pub build: fn(&crate::policy::Params) -> Result<Box<dyn PowerManager>, String>,
}

fn duration_param(
    p: &serde_json::Map<String, serde_json::Value>,
    key: &str,
    allowed: &[&str],
    who: &str,
) -> Result<Option<Time>, String> {
    if let Some(k) = p.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!(
            "unknown parameter `{k}` for power manager `{who}` (it takes: {})",
            allowed.join(", ")
        ));
    }
    match p.get(key) {
        None => Ok(None),
        Some(v) => {
            let s = match v {
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::String(s) => s.clone(),
                other => return Err(format!("`{key}` must be a duration, got {other}")),
            };
            crate::units::Seconds::parse(&s)
                .map(|d| Some(secs(d.0)))
                .map_err(|e| format!("`{key}`: {e}"))
        }
    }
}

/// Every built-in power manager.
pub const REGISTRY: &[PowerManagerInfo] = &[
    PowerManagerInfo {
        name: "always-on",
        summary: "devices never sleep; jobs run at the top P-state",
        params: &[],
        build: |p| {
            duration_param(p, "", &[], "always-on")?;
            Ok(Box::new(AlwaysOn))
        },
    },
    PowerManagerInfo {
        name: "idle-timeout",
        summary: "a device with a sleep state sleeps after `timeout` of idleness; top P-state",
        params: &["timeout: idle time before sleeping (default 60s)"],
        build: |p| {
            let t =
                duration_param(p, "timeout", &["timeout"], "idle-timeout")?.unwrap_or(secs(60.0));
            Ok(Box::new(IdleTimeout { timeout: t }))
        },
    },
    PowerManagerInfo {
        name: "race-to-idle",
        summary: "top P-state, then sleep as soon as a device is idle",
        params: &[],
        build: |p| {
            duration_param(p, "", &[], "race-to-idle")?;
            Ok(Box::new(RaceToIdle))
        },
    },
    PowerManagerInfo {
        name: "dvfs-deadline",
        summary: "the slowest P-state that still meets the job's deadline (top state without one)",
        params: &["sleep_after: also sleep after this idle time (default: never)"],
        build: |p| {
            let s = duration_param(p, "sleep_after", &["sleep_after"], "dvfs-deadline")?;
            Ok(Box::new(DvfsDeadline { sleep_after: s }))
        },
    },
];

/// Builds the power manager a scenario names.
pub fn build(spec: &PolicySpec) -> Result<Box<dyn PowerManager>, String> {
    let info = REGISTRY
        .iter()
        .find(|p| p.name == spec.name)
        .ok_or_else(|| {
            format!(
                "unknown power manager `{}`; available: {}",
                spec.name,
                REGISTRY
                    .iter()
                    .map(|p| p.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
    (info.build)(&spec.params)
}
