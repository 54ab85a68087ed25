//! The validated model of one scenario: device classes, job kinds, explicit jobs.
//!
//! Everything here is checked and in base units (seconds, watts, bytes, work units).
//! The model knows nothing about files; `scenario` builds it from YAML or JSON.

use crate::signal::Signal;
use serde::{Deserialize, Serialize};

/// Device category, for reports and catalogs. It does not change behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// General-purpose processor.
    Cpu,
    /// Graphics processor.
    Gpu,
    /// Tensor processor.
    Tpu,
    /// Field-programmable gate array.
    Fpga,
    /// Fixed-function accelerator.
    Asic,
    /// Anything else.
    Other,
}

impl Category {
    /// Lower-case name as written in scenarios.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Cpu => "cpu",
            Category::Gpu => "gpu",
            Category::Tpu => "tpu",
            Category::Fpga => "fpga",
            Category::Asic => "asic",
            Category::Other => "other",
        }
    }
}

/// One class of identical devices.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceClass {
    /// Class name, unique in the scenario.
    pub name: String,
    /// Category (cpu, gpu, ...).
    pub category: Category,
    /// Number of devices.
    pub count: u32,
    /// Work units per second, per job kind (index = kind index); `None`: cannot run it.
    pub speed: Vec<Option<f64>>,
    /// Power when idle, W.
    pub idle_w: f64,
    /// Power when busy, W, per job kind (index = kind index).
    pub busy_w: Vec<f64>,
    /// Memory per device, bytes (`f64::INFINITY` when not given).
    pub memory: f64,
    /// P-states, fastest first; `pstates[0]` is the top state {speed 1, power 1}.
    pub pstates: Vec<PState>,
    /// Time to switch P-state, s; a job started at a P-state other than the device's
    /// current one runs this much longer, at the new state's busy power.
    pub pstate_switch: f64,
    /// Sleep state, if the class has one.
    pub sleep: Option<SleepState>,
}

impl DeviceClass {
    /// Busy power for kind `k` at P-state `s`, W.
    pub fn busy_power(&self, k: usize, s: usize) -> f64 {
        self.busy_w[k] * self.pstates[s].power
    }
}

/// A performance state: speed and busy power relative to the top state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PState {
    /// Speed factor in (0, 1]; run time = work / (speed x factor).
    pub speed: f64,
    /// Busy-power factor in (0, 1]; busy power = class busy power x factor.
    pub power: f64,
}

/// A low-power state and the cost of entering and leaving it.
///
/// Transitions draw constant power `energy / latency` for their latency, so energy is
/// the exact integral of power across every transition.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SleepState {
    /// Power while asleep, W.
    pub power_w: f64,
    /// Time to wake up, s.
    pub wake_latency: f64,
    /// Energy to wake up, J.
    pub wake_energy: f64,
    /// Time to fall asleep, s.
    pub sleep_latency: f64,
    /// Energy to fall asleep, J.
    pub sleep_energy: f64,
}

impl SleepState {
    /// Power drawn while waking, W.
    pub fn wake_power(&self) -> f64 {
        if self.wake_latency > 0.0 {
            self.wake_energy / self.wake_latency
        } else {
            0.0
        }
    }
    /// Power drawn while falling asleep, W.
    pub fn sleep_power(&self) -> f64 {
        if self.sleep_latency > 0.0 {
            self.sleep_energy / self.sleep_latency
        } else {
            0.0
        }
    }
}

/// How jobs of a kind arrive.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrival {
    /// Poisson process of `rate` jobs/s from `start`, at most `count` jobs.
    Poisson {
        /// Mean arrivals per second.
        rate: f64,
        /// Stop after this many arrivals.
        count: Option<u64>,
        /// First possible arrival time, s.
        start: f64,
    },
    /// One job every `period` s from `start`, each displaced by a uniform jitter in
    /// [-jitter/2, +jitter/2] (sensor streams).
    Periodic {
        /// Period, s.
        period: f64,
        /// Total jitter width, s (must be below the period so order is kept).
        jitter: f64,
        /// Stop after this many arrivals.
        count: Option<u64>,
        /// Time of the first nominal arrival, s.
        start: f64,
    },
    /// `count` jobs all arriving at time `at` (a closed batch).
    Batch {
        /// Number of jobs.
        count: u64,
        /// Arrival time, s.
        at: f64,
    },
    /// No generated arrivals: the kind is used only by the explicit job list.
    None,
}

/// Distribution of a job's work (units of work; run time = work / speed).
#[derive(Clone, Debug, PartialEq)]
pub enum SizeDist {
    /// Always `value`.
    Constant(f64),
    /// Exponential with the given mean.
    Exponential {
        /// Mean work.
        mean: f64,
    },
    /// Uniform on [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Lognormal given by its mean and coefficient of variation.
    Lognormal {
        /// Mean work.
        mean: f64,
        /// Standard deviation / mean.
        cv: f64,
    },
}

impl SizeDist {
    /// The distribution's mean.
    pub fn mean(&self) -> f64 {
        match *self {
            SizeDist::Constant(v) => v,
            SizeDist::Exponential { mean } | SizeDist::Lognormal { mean, .. } => mean,
            SizeDist::Uniform { min, max } => 0.5 * (min + max),
        }
    }
}

/// A kind of job: its arrival process, size distribution and requirements.
#[derive(Clone, Debug, PartialEq)]
pub struct JobKind {
    /// Kind name, unique in the scenario.
    pub name: String,
    /// Arrival process.
    pub arrival: Arrival,
    /// Work distribution.
    pub size: SizeDist,
    /// Devices needed at once (gang size).
    pub devices: u32,
    /// Memory needed per device, bytes.
    pub memory: f64,
    /// Relative deadline, s.
    pub deadline: Option<f64>,
    /// Priority (larger is more important); used by priority-aware policies.
    pub priority: i32,
    /// Deferrable: the job may start up to this long after arrival without harm, s.
    pub slack: Option<f64>,
    /// The work may be split across devices (as the study's allocation weights assume).
    pub divisible: bool,
}

/// One explicitly listed job.
#[derive(Clone, Debug, PartialEq)]
pub struct JobSpec {
    /// Kind index.
    pub kind: u32,
    /// Arrival time, s.
    pub arrival: f64,
    /// Work units.
    pub work: f64,
    /// Gang size (overrides the kind's).
    pub devices: u32,
    /// Memory per device, bytes.
    pub memory: f64,
    /// Relative deadline, s.
    pub deadline: Option<f64>,
    /// Priority.
    pub priority: i32,
    /// Deferrable slack, s.
    pub slack: Option<f64>,
    /// The work may be split across devices.
    pub divisible: bool,
}

/// Facility-level parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Facility {
    /// Power usage effectiveness: facility power = IT power x PUE.
    pub pue: f64,
    /// Carbon intensity of electricity, g CO2 per kWh.
    pub carbon: Signal,
    /// Electricity price per kWh (any currency).
    pub price: Signal,
    /// IT power cap, W (a facility cap is converted by dividing by the PUE). The
    /// simulation never lets IT power exceed it: starts wait, running jobs slow down.
    pub power_cap: Option<Signal>,
}

/// Name and parameters of a policy.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PolicySpec {
    /// Registered policy name.
    pub name: String,
    /// Policy parameters (validated by the policy).
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// Output settings.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct OutputSpec {
    /// `None`: one power.csv row per time at which something changed;
    /// `Some(dt)`: one row per interval of `dt` s with time-averaged values.
    pub power_interval: Option<f64>,
}

/// A complete, validated scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Scenario name (default: file stem).
    pub name: String,
    /// Free-text description.
    pub description: String,
    /// Run seed.
    pub seed: u64,
    /// Arrivals stop at this time, s (`None`: when every finite stream is exhausted).
    pub horizon: Option<f64>,
    /// Device classes, in file order.
    pub classes: Vec<DeviceClass>,
    /// Job kinds, in file order.
    pub kinds: Vec<JobKind>,
    /// Explicit jobs, sorted by arrival (stable).
    pub jobs: Vec<JobSpec>,
    /// Facility parameters.
    pub facility: Facility,
    /// Placement policy.
    pub policy: PolicySpec,
    /// Power manager (sleep and P-state decisions); default `always-on`.
    pub power_manager: PolicySpec,
    /// Output settings.
    pub output: OutputSpec,
}

impl Scenario {
    /// Total number of devices.
    pub fn device_count(&self) -> u64 {
        self.classes.iter().map(|c| c.count as u64).sum()
    }

    /// Index of a kind by name.
    pub fn kind_index(&self, name: &str) -> Option<usize> {
        self.kinds.iter().position(|k| k.name == name)
    }

    /// Whether a device of class `c` can run a job of kind `k` needing `mem` bytes
    /// per device on `gang` devices.
    pub fn can_run(&self, c: usize, k: usize, mem: f64, gang: u32) -> bool {
        let cl = &self.classes[c];
        cl.speed[k].is_some() && mem <= cl.memory && gang <= cl.count
    }
}
