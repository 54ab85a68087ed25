//! Raw scenario schema: what the file says, before cross-field validation.
//!
//! Every struct denies unknown fields. Per-value checks (finite, non-negative, units)
//! run during deserialization so their errors carry a file position.

use crate::model::Category;
use crate::units::{Bytes, NonNeg, PerSecond, Seconds, Watts};
use indexmap::IndexMap;
use serde::Deserialize;

/// Top level of a scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Scenario name (default: the file stem).
    pub name: Option<String>,
    /// Free-text description.
    #[serde(default)]
    pub description: String,
    /// Run seed (default 1).
    pub seed: Option<u64>,
    /// Arrivals stop at this time.
    pub horizon: Option<Seconds>,
    /// Devices and facility.
    pub datacenter: RawDatacenter,
    /// Jobs.
    pub workload: RawWorkload,
    /// Placement policy (default `fcfs`).
    pub policy: Option<RawPolicy>,
    /// Output settings.
    pub output: Option<RawOutput>,
}

/// `datacenter:` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDatacenter {
    /// Power usage effectiveness (default 1.0).
    pub pue: Option<NonNeg>,
    /// IT power cap.
    pub power_cap: Option<Watts>,
    /// Carbon intensity, g CO2/kWh (default 0).
    pub carbon_intensity: Option<NonNeg>,
    /// Electricity price per kWh (default 0).
    pub price: Option<NonNeg>,
    /// Device classes by name, in file order.
    pub classes: IndexMap<String, RawClass>,
}

/// One device class.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClass {
    /// Category (cpu, gpu, tpu, fpga, asic, other).
    pub category: Category,
    /// Number of devices (default 1).
    pub count: Option<u64>,
    /// Work units per second per job kind; a kind not listed cannot run here.
    pub speed: IndexMap<String, NonNeg>,
    /// Idle power (default 0 W).
    pub idle_power: Option<Watts>,
    /// Busy power: one value, or a map kind -> power.
    pub busy_power: RawBusyPower,
    /// Memory per device (default unlimited).
    pub memory: Option<Bytes>,
}

/// Busy power, one value or per kind.
#[derive(Debug)]
pub enum RawBusyPower {
    /// The same busy power for every kind.
    Same(Watts),
    /// Busy power per kind; every kind the class can run must be listed.
    PerKind(IndexMap<String, Watts>),
}

impl<'de> Deserialize<'de> for RawBusyPower {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawBusyPower;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a power (\"300W\") or a map from job kind to power")
            }
            fn visit_f64<E: Error>(self, v: f64) -> Result<RawBusyPower, E> {
                Watts::parse(&v.to_string())
                    .map(RawBusyPower::Same)
                    .map_err(E::custom)
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<RawBusyPower, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<RawBusyPower, E> {
                self.visit_f64(v as f64)
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<RawBusyPower, E> {
                Watts::parse(v).map(RawBusyPower::Same).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<RawBusyPower, A::Error> {
                let mut out = IndexMap::new();
                while let Some((k, v)) = m.next_entry::<String, Watts>()? {
                    out.insert(k, v);
                }
                Ok(RawBusyPower::PerKind(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// `workload:` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    /// Job kinds by name, in file order.
    #[serde(default)]
    pub kinds: IndexMap<String, RawKind>,
    /// Explicit jobs.
    #[serde(default)]
    pub jobs: Vec<RawJob>,
}

/// Arrival processes by name.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawProcess {
    /// Poisson arrivals (`rate`).
    Poisson,
    /// Periodic arrivals (`period`, `jitter`).
    Periodic,
    /// A batch at one instant (`count`, `at`).
    Batch,
    /// No generated arrivals.
    None,
}

/// Arrival settings of a kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArrival {
    /// Process name.
    pub process: RawProcess,
    /// Poisson rate.
    pub rate: Option<PerSecond>,
    /// Periodic period.
    pub period: Option<Seconds>,
    /// Periodic jitter (total width).
    pub jitter: Option<Seconds>,
    /// Maximum number of arrivals (batch: the batch size).
    pub count: Option<u64>,
    /// First arrival time (poisson, periodic).
    pub start: Option<Seconds>,
    /// Batch arrival time.
    pub at: Option<Seconds>,
}

/// Size distributions by name.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawDist {
    /// `value`.
    Constant,
    /// `mean`.
    Exponential,
    /// `min`, `max`.
    Uniform,
    /// `mean`, `cv`.
    Lognormal,
}

/// Work distribution of a kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSize {
    /// Distribution name.
    pub dist: RawDist,
    /// Constant value.
    pub value: Option<NonNeg>,
    /// Mean.
    pub mean: Option<NonNeg>,
    /// Coefficient of variation.
    pub cv: Option<NonNeg>,
    /// Lower bound.
    pub min: Option<NonNeg>,
    /// Upper bound.
    pub max: Option<NonNeg>,
}

/// One job kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKind {
    /// Arrival process (default: none, explicit jobs only).
    pub arrival: Option<RawArrival>,
    /// Work distribution (required unless the kind has no generated arrivals).
    pub size: Option<RawSize>,
    /// Gang size (default 1).
    pub devices: Option<u32>,
    /// Memory per device.
    pub memory: Option<Bytes>,
    /// Relative deadline.
    pub deadline: Option<Seconds>,
    /// Priority (default 0).
    pub priority: Option<i32>,
}

/// One explicit job.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJob {
    /// Kind name.
    pub kind: String,
    /// Arrival time (default 0).
    pub arrival: Option<Seconds>,
    /// Work units.
    pub work: NonNeg,
    /// Gang size (default: the kind's).
    pub devices: Option<u32>,
    /// Memory per device (default: the kind's).
    pub memory: Option<Bytes>,
    /// Relative deadline (default: the kind's).
    pub deadline: Option<Seconds>,
    /// Priority (default: the kind's).
    pub priority: Option<i32>,
}

/// `policy:` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// Registered policy name (`hetsim policies` lists them).
    pub name: String,
    /// Policy parameters.
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// `output:` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutput {
    /// Sampling interval for power.csv (default: every change point).
    pub power_interval: Option<Seconds>,
}
