//! The validated model of one scenario: device classes, job kinds, explicit jobs.
//!
//! Everything here is checked and in base units (seconds, watts, bytes, work units).
//! The model knows nothing about files; `scenario` builds it from YAML or JSON, and
//! reports a value it cannot build as a [`FieldError`] about one field.

mod ids;
mod math;
mod power_model;
mod workload;

pub use ids::{ClassId, JobSlot, KindId};
pub use math::{gamma_fn, normal_cdf, normal_pdf, truncated_normal_moments};
pub use power_model::{PowerModel, interpolate};
pub use workload::{Arrival, Interpolation, RateProfile, Sampler, Size, SizeDist};

use crate::signal::Signal;
use serde::{Deserialize, Serialize};

/// A validation failure about one field, before it is located in the file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("field `{path}`: {message}")]
pub struct FieldError {
    /// Field path such as `workload.kinds.inspection.arrival.rate`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when we can tell.
    pub hint: Option<String>,
}

impl FieldError {
    /// An error about the field at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same error one level down: `prefix.path` (used by readers that know only
    /// their own field names).
    pub fn under(mut self, prefix: &str) -> Self {
        self.path = if self.path.is_empty() {
            prefix.to_string()
        } else {
            format!("{prefix}.{}", self.path)
        };
        self
    }

    /// Checks that of the fields `set` (name, whether given) only those in `allowed`
    /// are given, for the `{what}` named `name` at `p` (an arrival process, a size
    /// distribution).
    pub fn only(
        p: &str,
        what: &str,
        name: &str,
        set: &[(&str, bool)],
        allowed: &[&str],
    ) -> Result<(), FieldError> {
        for &(field, is_set) in set {
            if is_set && !allowed.contains(&field) {
                return Err(FieldError::new(
                    format!("{p}.{field}"),
                    format!("`{field}` does not apply to {what} `{name}`"),
                )
                .with_hint(if allowed.is_empty() {
                    format!("{what} `{name}` takes no parameters")
                } else {
                    format!("{what} `{name}` takes: {}", allowed.join(", "))
                }));
            }
        }
        Ok(())
    }
}

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
    /// Jobs a device runs at once (cores, accelerator shares); 1: one job at a time.
    /// A job on `k` of the `slots` runs at `k / slots` of the class's speed and may use
    /// `k / slots` of its memory; a job asking more slots than a device has takes the
    /// whole device. Classes with more than one slot have no sleep state
    /// and no P-states below the top one (checked when loading).
    pub slots: u32,
    /// How a device's power follows its load (busy slots / slots).
    pub power_model: PowerModel,
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

/// What a job asks of the cluster: the requirement fields shared by a kind's
/// defaults ([`JobKind::req`]), an explicit or trace job ([`JobSpec::req`]) and a
/// generated job ([`crate::workload::NewJob::req`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JobRequirements {
    /// Work units.
    pub work: f64,
    /// Devices needed at once (gang size).
    pub devices: u32,
    /// Memory needed per device, bytes.
    pub memory: f64,
    /// Slots asked for on one device (`devices` is then 1); `None`: whole devices.
    pub slots: Option<u32>,
    /// Relative deadline, s.
    pub deadline: Option<f64>,
    /// Priority (larger is more important); used by priority-aware policies.
    pub priority: i32,
    /// The user's run-time estimate, the requested time (an SWF trace's field 9, a job
    /// list's `estimate` column, a kind's estimate rule), s. Policies read it through
    /// [`crate::cluster::JobInfo::estimate`].
    pub estimate: Option<f64>,
    /// Deferrable: the job may start up to this long after arrival without harm, s.
    pub slack: Option<f64>,
    /// The work may be split across devices (as the study's allocation weights assume).
    pub divisible: bool,
    /// Not a requirement: the trace's own id of the job (SWF field 1, ...), carried to
    /// jobs.csv's `source_id`; `None` for generated and explicit jobs.
    pub source_id: Option<u64>,
}

impl JobRequirements {
    /// The same requirements with `work` units of work.
    pub fn with_work(self, work: f64) -> Self {
        JobRequirements { work, ..self }
    }
}

/// A kind of job: its arrival process, size distribution and requirements.
#[derive(Clone, Debug, PartialEq)]
pub struct JobKind {
    /// Kind name, unique in the scenario.
    pub name: String,
    /// Arrival process (checked by the loader; read it with [`JobKind::arrival`]).
    pub(crate) arrival: Arrival,
    /// Work distribution with its sampler (built by the loader; read it with
    /// [`JobKind::size`]).
    pub(crate) size: Size,
    /// Requirements every job of the kind starts from: `work` is 0 (each job draws
    /// its own from `size`) and `estimate` is `None`; the rest are the kind's values.
    pub req: JobRequirements,
    /// How generated jobs of this kind get a requested time (estimate); `None`: they
    /// have none (policies then use the run time).
    pub estimate: Option<EstimateRule>,
    /// Pipeline successors: when a job of this kind completes, one job of each of these
    /// kinds (indices) is released at that instant, its work drawn from its own kind's
    /// size distribution. The graph is acyclic (checked when loading).
    pub then: Vec<u32>,
}

/// What happens to a job whose run would exceed its requested time (estimate).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Walltime {
    /// Jobs run to completion (the convention of published SWF replay studies).
    #[default]
    Run,
    /// A job is killed at start + estimate, as Slurm does; jobs without an estimate
    /// are never killed.
    Kill,
}

impl Walltime {
    /// `run` or `kill`.
    pub fn name(self) -> &'static str {
        match self {
            Walltime::Run => "run",
            Walltime::Kill => "kill",
        }
    }
}

/// A kind's estimate rule: a generated job's requested time is a factor times its run
/// time on the fastest class that can run it.
#[derive(Clone, Debug, PartialEq)]
pub enum EstimateRule {
    /// The same factor for every job (1: exact estimates).
    Factor(f64),
    /// A factor drawn per job from a distribution (over-estimation as measured on real
    /// systems), from the kind's own random stream `estimate/<kind>`.
    Dist(Size),
}

impl JobKind {
    /// The arrival process. Only the scenario loader sets it, so its parameters are
    /// valid for [`crate::workload::arrival::ArrivalStream`].
    pub fn arrival(&self) -> &Arrival {
        &self.arrival
    }

    /// The work distribution's parameters.
    pub fn size(&self) -> &SizeDist {
        self.size.dist()
    }

    /// The work distribution's sampler, built by the scenario loader.
    pub fn sampler(&self) -> &Sampler {
        self.size.sampler()
    }
}

/// One explicitly listed job.
#[derive(Clone, Debug, PartialEq)]
pub struct JobSpec {
    /// Kind index.
    pub kind: u32,
    /// Arrival time, s.
    pub arrival: f64,
    /// What the job asks for (the kind's values where the job gives none).
    pub req: JobRequirements,
    /// Pipeline predecessor: index (in [`Scenario::jobs`]) of the job whose completion
    /// releases this one. A job with a predecessor has no arrival of its own: it
    /// arrives when the predecessor completes (`arrival` is ignored).
    pub after: Option<u32>,
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
#[derive(Clone, Debug, PartialEq)]
pub struct OutputSpec {
    /// `None`: one power.csv row per time at which something changed, coarsened to
    /// a round interval when there would be more than `power_max_rows` rows;
    /// `Some(dt)`: one row per interval of `dt` s with time-averaged values.
    pub power_interval: Option<f64>,
    /// Bound on power.csv's rows without `power_interval` (0: none).
    pub power_max_rows: u64,
    /// How jobs.csv is written.
    pub jobs: FileFormat,
    /// How power.csv is written.
    pub power: FileFormat,
}

/// Default bound on power.csv's rows: enough for a smooth chart of any horizon,
/// about 2 MB.
pub const DEFAULT_POWER_MAX_ROWS: u64 = 20_000;

impl Default for OutputSpec {
    fn default() -> Self {
        OutputSpec {
            power_interval: None,
            power_max_rows: DEFAULT_POWER_MAX_ROWS,
            jobs: FileFormat::Csv,
            power: FileFormat::Csv,
        }
    }
}

/// How a streamed output file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// Plain CSV.
    Csv,
    /// Gzip-compressed CSV, file name ending in `.gz`.
    CsvGz,
    /// Not written.
    None,
}

/// Proof that a value came out of the scenario loader's checks: a [`Scenario`] holds
/// one, and only the loader (`crate::scenario::validate`) makes one, so code outside
/// the crate can build a scenario only by loading it (from a file or a string).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validated(());

impl Validated {
    /// For the loader only.
    pub(crate) fn new() -> Self {
        Validated(())
    }
}

/// A complete, validated scenario. Built only by the loader ([`Validated`]); its
/// kinds' arrival processes and size distributions are crate-private, so generators
/// can rely on their parameters.
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
    /// The accounting window's end (`accounting.until`), s; `None`: the default
    /// ([`Scenario::default_window`]).
    pub accounting_until: Option<f64>,
    /// The trace time at simulated time 0, s (absolute when the trace states its own
    /// origin: SWF `UnixStartTime`); `None` for workloads without a trace.
    pub time_origin: Option<f64>,
    /// What happens to a job that outlives its requested time (`workload.walltime`).
    pub walltime: Walltime,
    /// Made by the loader.
    pub(crate) validated: Validated,
}

impl Scenario {
    /// Total number of devices.
    pub fn device_count(&self) -> u64 {
        self.classes.iter().map(|c| c.count as u64).sum()
    }

    /// Total number of slots (lanes) over all devices.
    pub fn lane_count(&self) -> u64 {
        self.classes
            .iter()
            .map(|c| c.count as u64 * c.slots as u64)
            .sum()
    }

    /// The end of the window energy, carbon and cost are accounted over, s, when the
    /// scenario does not fix it (`accounting.until`). It depends on the scenario only,
    /// never on the policy, so runs of one scenario compare over one window: the
    /// arrival bound (the horizon, or the last listed arrival if later) plus a drain
    /// allowance for the listed jobs, Graham's bound for list scheduling on the devices
    /// that can run them at the slowest of their speeds: total device-time / devices +
    /// the longest job. A policy that keeps devices busy while work waits finishes
    /// within it (gangs and deliberately idle devices can exceed it; such a run is
    /// accounted to its end instead and says so in its warnings). `None` when generated
    /// streams have no horizon (their arrivals are not known before the run).
    pub fn default_window(&self) -> Option<f64> {
        let generated = self
            .kinds
            .iter()
            .any(|k| !matches!(k.arrival, Arrival::None));
        if generated && self.horizon.is_none() {
            return None;
        }
        let last = self
            .jobs
            .iter()
            .filter(|j| j.after.is_none())
            .map(|j| j.arrival)
            .fold(0.0f64, f64::max);
        let arrivals = self.horizon.unwrap_or(0.0).max(last);
        let (mut share, mut longest) = (0.0f64, 0.0f64);
        for j in &self.jobs {
            let k = j.kind as usize;
            // A job on k of a device's S slots runs at k/S of its speed and occupies
            // k/S of it: in device-time it counts as `run x k / S`.
            let (mut slowest, mut occupied, mut devices) = (f64::INFINITY, 1.0f64, 0u64);
            for c in &self.classes {
                if let Some(top) = c.speed[k] {
                    let low = c.pstates.last().map_or(1.0, |p| p.speed);
                    let frac = match j.req.slots {
                        Some(n) if c.slots > 1 => n.min(c.slots) as f64 / c.slots as f64,
                        _ => 1.0,
                    };
                    if top * low * frac < slowest {
                        slowest = top * low * frac;
                        occupied = frac;
                    }
                    devices += c.count as u64;
                }
            }
            if slowest.is_finite() && slowest > 0.0 && devices > 0 {
                let run = j.req.work / slowest;
                share += run * occupied * j.req.devices as f64 / devices as f64;
                longest = longest.max(run);
            }
        }
        Some(arrivals + share + longest)
    }

    /// The accounting window's end for this scenario: `accounting.until`, else
    /// [`Scenario::default_window`].
    pub fn window(&self) -> Option<f64> {
        self.accounting_until.or_else(|| self.default_window())
    }

    /// Index of a kind by name.
    pub fn kind_index(&self, name: &str) -> Option<usize> {
        self.kinds.iter().position(|k| k.name == name)
    }

    /// Whether a device of class `c` can run a job of kind `k` needing `mem` bytes
    /// per device on `gang` devices (or, with `slots`, on that many slots of one device,
    /// or the whole device if it has fewer, whose share of the device's memory must hold
    /// `mem`).
    pub fn can_run(&self, c: usize, k: usize, mem: f64, gang: u32, slots: Option<u32>) -> bool {
        let cl = &self.classes[c];
        match slots {
            // A device with slots runs a whole-device job alone: gangs of such devices
            // are not modelled.
            None => {
                cl.speed[k].is_some()
                    && mem <= cl.memory
                    && gang <= cl.count
                    && (cl.slots == 1 || gang == 1)
            }
            Some(s) => {
                // More slots than a device has: the whole device.
                cl.speed[k].is_some() && mem <= cl.memory * s.min(cl.slots) as f64 / cl.slots as f64
            }
        }
    }
}
