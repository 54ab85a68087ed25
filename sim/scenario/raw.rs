//! Raw scenario schema: what the file says, before cross-field validation.
//!
//! Every struct denies unknown fields. Per-value checks (finite, non-negative, units)
//! run during deserialization so their errors carry a file position.

use crate::model::Category;
use crate::units::{Bytes, Joules, NonNeg, Seconds, Watts};
use indexmap::IndexMap;
use serde::{Deserialize, Deserializer};

/// An optional field that, when written, has a value: `count: ~` or `count:` with
/// nothing after it is refused rather than read as "not given" (which would silently
/// mean the default). Leaving the field out gives the default.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    match Option::<T>::deserialize(d)? {
        Some(v) => Ok(Some(v)),
        None => Err(serde::de::Error::custom(
            "no value given (`~` or nothing after the colon): write a value, or leave the field out for its default",
        )),
    }
}

/// Top level of a scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Scenario name (default: the file stem).
    #[serde(default, deserialize_with = "present")]
    pub name: Option<String>,
    /// Free-text description.
    #[serde(default)]
    pub description: String,
    /// Run seed (default 1).
    #[serde(default, deserialize_with = "present")]
    pub seed: Option<u64>,
    /// Arrivals stop at this time.
    #[serde(default, deserialize_with = "present")]
    pub horizon: Option<Seconds>,
    /// Devices and facility.
    pub datacenter: RawDatacenter,
    /// Jobs (may be left out of a serving scenario).
    #[serde(default)]
    pub workload: RawWorkload,
    /// Placement policy (default `fcfs`).
    #[serde(default, deserialize_with = "present")]
    pub policy: Option<RawPolicy>,
    /// Power manager (default `always-on`).
    #[serde(default, deserialize_with = "present")]
    pub power_manager: Option<RawPolicy>,
    /// Output settings.
    #[serde(default, deserialize_with = "present")]
    pub output: Option<RawOutput>,
    /// The window energy, carbon and cost are accounted over.
    #[serde(default, deserialize_with = "present")]
    pub accounting: Option<RawAccounting>,
    /// LLM serving: when present, the scenario is run by the serving model.
    #[serde(default, deserialize_with = "present")]
    pub serving: Option<super::serving::RawServing>,
}

/// `accounting:` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccounting {
    /// End of the accounting window (from time 0); default: the arrival bound plus the
    /// listed jobs' work at the slowest capable speed.
    #[serde(default, deserialize_with = "present")]
    pub until: Option<Seconds>,
}

/// `datacenter:` section.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDatacenter {
    /// Power usage effectiveness (default 1.0), or a catalog preset name
    /// (`enterprise` 1.58, `hyperscale` 1.12, `best` 1.10).
    #[serde(default, deserialize_with = "present")]
    pub pue: Option<RawPue>,
    /// Power cap: a power (`"5kW"`) or a series.
    #[serde(default, deserialize_with = "present")]
    pub power_cap: Option<RawCap>,
    /// Carbon intensity, g CO2/kWh (default 0): a number or a series.
    #[serde(default, deserialize_with = "present")]
    pub carbon_intensity: Option<RawSignal>,
    /// Electricity price per kWh (default 0): a number or a series.
    #[serde(default, deserialize_with = "present")]
    pub price: Option<RawSignal>,
    /// Device classes by name, in file order.
    pub classes: IndexMap<String, RawClass>,
}

/// A PUE: a number or a preset name from the catalog.
#[derive(Debug)]
pub enum RawPue {
    /// A number.
    Value(NonNeg),
    /// A preset.
    Preset(String),
}

impl<'de> Deserialize<'de> for RawPue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, Visitor};
        struct V;
        impl Visitor<'_> for V {
            type Value = RawPue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number (1.58) or a preset name (enterprise, hyperscale, best)")
            }
            fn visit_f64<E: Error>(self, v: f64) -> Result<RawPue, E> {
                NonNeg::parse(&v.to_string())
                    .map(RawPue::Value)
                    .map_err(E::custom)
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<RawPue, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<RawPue, E> {
                self.visit_f64(v as f64)
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<RawPue, E> {
                match v.parse::<f64>() {
                    Ok(x) => self.visit_f64(x),
                    Err(_) => Ok(RawPue::Preset(v.to_string())),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// One device class.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawClass {
    /// A device from the catalog (`hetsim catalog`); it supplies the category, idle and
    /// busy power and memory that this class does not give itself.
    #[serde(default, deserialize_with = "present")]
    pub device: Option<String>,
    /// Category (cpu, gpu, tpu, fpga, asic, other); required without `device`.
    #[serde(default, deserialize_with = "present")]
    pub category: Option<Category>,
    /// Number of devices (default 1).
    #[serde(default, deserialize_with = "present")]
    pub count: Option<u64>,
    /// Work units per second per job kind; a kind not listed cannot run here.
    pub speed: IndexMap<String, NonNeg>,
    /// Idle power (default 0 W).
    #[serde(default, deserialize_with = "present")]
    pub idle_power: Option<Watts>,
    /// Busy power: one value, or a map kind -> power; required without `device`.
    #[serde(default, deserialize_with = "present")]
    pub busy_power: Option<RawBusyPower>,
    /// Memory per device (default unlimited).
    #[serde(default, deserialize_with = "present")]
    pub memory: Option<Bytes>,
    /// P-states below the top one (the top state, speed 1 and power 1, is implied).
    #[serde(default, deserialize_with = "present")]
    pub pstates: Option<Vec<RawPState>>,
    /// P-state switch time (default 0).
    #[serde(default, deserialize_with = "present")]
    pub pstate_switch: Option<Seconds>,
    /// Sleep state.
    #[serde(default, deserialize_with = "present")]
    pub sleep: Option<RawSleep>,
    /// Jobs a device runs at once (cores, accelerator shares; default 1).
    #[serde(default, deserialize_with = "present")]
    pub slots: Option<u64>,
    /// How power follows load: `linear` (default), `cubic`, or `{points: [[load, W],
    /// ...]}`.
    #[serde(default, deserialize_with = "present")]
    pub power_model: Option<RawPowerModel>,
}

/// A class's power model.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawPowerModel {
    /// `linear` or `cubic`.
    Name(String),
    /// Measured points: load in [0, 1] and power.
    Points {
        /// `[load, W]` pairs, load strictly increasing from 0 to 1.
        points: Vec<(f64, Watts)>,
    },
}

/// A P-state, relative to the top state.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPState {
    /// Speed factor in (0, 1].
    pub speed: NonNeg,
    /// Busy-power factor in (0, 1].
    pub power: NonNeg,
}

/// A sleep state.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSleep {
    /// Power while asleep.
    pub power: Watts,
    /// Wake-up time.
    pub wake_latency: Seconds,
    /// Wake-up energy (default: wake latency x idle power).
    #[serde(default, deserialize_with = "present")]
    pub wake_energy: Option<Joules>,
    /// Time to fall asleep (default 0).
    #[serde(default, deserialize_with = "present")]
    pub sleep_latency: Option<Seconds>,
    /// Energy to fall asleep (default: sleep latency x idle power).
    #[serde(default, deserialize_with = "present")]
    pub sleep_energy: Option<Joules>,
}

/// A time signal: a constant, inline points, or a CSV file.
#[derive(Debug)]
pub enum RawSignal {
    /// One value for all time.
    Constant(NonNeg),
    /// A series.
    Series(RawSeries),
}

/// A series given inline or from a CSV file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeries {
    /// Inline `[time, value]` points.
    #[serde(default, deserialize_with = "present")]
    pub points: Option<Vec<(Seconds, NonNeg)>>,
    /// CSV file (relative to the scenario file).
    #[serde(default, deserialize_with = "present")]
    pub csv: Option<String>,
    /// Time column of the CSV (seconds, or `YYYY-MM-DD HH:MM[:SS]`); default the first.
    #[serde(default, deserialize_with = "present")]
    pub time_column: Option<String>,
    /// Value column of the CSV; default the second.
    #[serde(default, deserialize_with = "present")]
    pub value_column: Option<String>,
    /// Datetime in the CSV that is simulated time 0 (default: the first row).
    #[serde(default, deserialize_with = "present")]
    pub start: Option<String>,
    /// Repeat the series with this period.
    #[serde(default, deserialize_with = "present")]
    pub repeat: Option<Seconds>,
    /// Multiply every value by this (e.g. 0.001 for g -> kg).
    #[serde(default, deserialize_with = "present")]
    pub scale: Option<NonNeg>,
}

impl<'de> Deserialize<'de> for RawSignal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawSignal;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a series {points | csv, ...}")
            }
            fn visit_f64<E: Error>(self, v: f64) -> Result<RawSignal, E> {
                NonNeg::parse(&v.to_string())
                    .map(RawSignal::Constant)
                    .map_err(E::custom)
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<RawSignal, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<RawSignal, E> {
                self.visit_f64(v as f64)
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<RawSignal, A::Error> {
                RawSeries::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(RawSignal::Series)
            }
        }
        d.deserialize_any(V)
    }
}

/// Whether a cap applies to IT or facility power.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CapScope {
    /// IT power (sum of devices).
    It,
    /// Facility power (IT x PUE).
    Facility,
}

/// A power cap: `"5kW"` or `{limit | points | csv, applies_to}`.
#[derive(Debug)]
pub struct RawCap {
    /// Constant limit.
    pub limit: Option<Watts>,
    /// Series of limits (values in W).
    pub series: Option<RawSeries>,
    /// IT (default) or facility.
    pub applies_to: CapScope,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapMap {
    limit: Option<Watts>,
    points: Option<Vec<(Seconds, Watts)>>,
    repeat: Option<Seconds>,
    csv: Option<String>,
    time_column: Option<String>,
    value_column: Option<String>,
    start: Option<String>,
    applies_to: Option<CapScope>,
}

impl<'de> Deserialize<'de> for RawCap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{Error, MapAccess, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawCap;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a power (\"5kW\") or {limit | points | csv, applies_to}")
            }
            fn visit_f64<E: Error>(self, v: f64) -> Result<RawCap, E> {
                Watts::parse(&v.to_string())
                    .map(|w| RawCap {
                        limit: Some(w),
                        series: None,
                        applies_to: CapScope::It,
                    })
                    .map_err(E::custom)
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<RawCap, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<RawCap, E> {
                self.visit_f64(v as f64)
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<RawCap, E> {
                Watts::parse(v)
                    .map(|w| RawCap {
                        limit: Some(w),
                        series: None,
                        applies_to: CapScope::It,
                    })
                    .map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<RawCap, A::Error> {
                let r = RawCapMap::deserialize(serde::de::value::MapAccessDeserializer::new(m))?;
                let series = if r.points.is_some() || r.csv.is_some() {
                    Some(RawSeries {
                        points: r
                            .points
                            .map(|v| v.into_iter().map(|(t, w)| (t, NonNeg(w.0))).collect()),
                        csv: r.csv,
                        time_column: r.time_column,
                        value_column: r.value_column,
                        start: r.start,
                        repeat: r.repeat,
                        scale: None,
                    })
                } else {
                    None
                };
                Ok(RawCap {
                    limit: r.limit,
                    series,
                    applies_to: r.applies_to.unwrap_or(CapScope::It),
                })
            }
        }
        d.deserialize_any(V)
    }
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
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    /// Job kinds by name, in file order.
    #[serde(default)]
    pub kinds: IndexMap<String, RawKind>,
    /// Explicit jobs.
    #[serde(default)]
    pub jobs: RawJobs,
    /// Traces replayed as jobs (paths relative to the scenario file).
    #[serde(default)]
    pub traces: Vec<RawTrace>,
    /// Multiplies the intensity of every generated arrival process (rates, batch
    /// sizes; periodic periods are divided by it). Traces and pipeline releases are
    /// not scaled. Default 1.
    #[serde(default, deserialize_with = "present")]
    pub scale: Option<NonNeg>,
    /// `run` (default: jobs finish) or `kill` (a job is killed at start + its
    /// requested time; jobs without one are never killed).
    #[serde(default, deserialize_with = "present")]
    pub walltime: Option<crate::model::Walltime>,
}

pub use crate::workload::arrival::{RawArrival, RawInterpolation, RawProcess, RawProfile};

pub use crate::workload::size::{RawDist, RawSize};

/// One job kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKind {
    /// Arrival process (default: none, explicit jobs only).
    #[serde(default, deserialize_with = "present")]
    pub arrival: Option<RawArrival>,
    /// Work distribution (required unless the kind has no generated arrivals).
    #[serde(default, deserialize_with = "present")]
    pub size: Option<RawSize>,
    /// Gang size (default 1).
    #[serde(default, deserialize_with = "present")]
    pub devices: Option<u32>,
    /// Slots of one device the job runs on (default: whole devices).
    #[serde(default, deserialize_with = "present")]
    pub slots: Option<u32>,
    /// Memory per device.
    #[serde(default, deserialize_with = "present")]
    pub memory: Option<Bytes>,
    /// Relative deadline.
    #[serde(default, deserialize_with = "present")]
    pub deadline: Option<Seconds>,
    /// Priority (default 0).
    #[serde(default, deserialize_with = "present")]
    pub priority: Option<i32>,
    /// Deferrable: how long the job may wait without harm (carbon-aware policies use it).
    #[serde(default, deserialize_with = "present")]
    pub slack: Option<Seconds>,
    /// The work may be split across devices (default false).
    #[serde(default, deserialize_with = "present")]
    pub divisible: Option<bool>,
    /// Pipeline: kinds released (one job each) when a job of this kind completes.
    #[serde(default, deserialize_with = "present")]
    pub then: Option<Vec<String>>,
    /// Requested times of generated jobs (default: none).
    #[serde(default, deserialize_with = "present")]
    pub estimate: Option<RawEstimate>,
}

/// A kind's estimate rule: `{factor: 1}` (exact), `{factor: 2}`, or
/// `{factor_dist: {dist: ..., ...}}` (a factor drawn per job).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEstimate {
    /// Requested time = factor x run time on the fastest capable class.
    #[serde(default, deserialize_with = "present")]
    pub factor: Option<NonNeg>,
    /// The factor's distribution.
    #[serde(default, deserialize_with = "present")]
    pub factor_dist: Option<RawSize>,
}

/// The explicit job list, compacted as it is read: each job is parsed whole (so its
/// errors carry their position and field path) and then kept as a [`ListedJob`],
/// with its kind name interned and its rarely given fields boxed. A list of 10^6
/// jobs then holds about 56 bytes per job until validation, not a 200-byte record
/// and a string each.
#[derive(Clone, Debug, Default)]
pub struct RawJobs {
    /// Kind names, in order of first use; a job names one by index. (Crate-private,
    /// like `jobs`: only the deserializer builds a list, so every index is valid and
    /// every name is used.)
    pub(crate) kinds: Vec<String>,
    /// The jobs, in file order.
    pub(crate) jobs: Vec<ListedJob>,
}

/// One explicit job as read (see [`RawJobs`]).
#[derive(Clone, Debug)]
pub struct ListedJob {
    /// Index of its kind name in the list's names.
    pub kind: u32,
    /// Arrival time (default 0; ignored with `after`).
    pub arrival: Option<Seconds>,
    /// Work units.
    pub work: NonNeg,
    /// Run-time estimate (requested time).
    pub estimate: Option<Seconds>,
    /// The other fields, when the job gives any.
    pub more: Option<Box<JobExtras>>,
}

/// The fields of an explicit job that most lists leave to the kind.
#[derive(Clone, Debug, Default)]
pub struct JobExtras {
    /// Gang size (default: the kind's).
    pub devices: Option<u32>,
    /// Slots of one device (default: the kind's).
    pub slots: Option<u32>,
    /// Memory per device (default: the kind's).
    pub memory: Option<Bytes>,
    /// Relative deadline (default: the kind's).
    pub deadline: Option<Seconds>,
    /// Priority (default: the kind's).
    pub priority: Option<i32>,
    /// Name, for `after` references (unique).
    pub id: Option<String>,
    /// Pipeline: the `id` of the job whose completion releases this one.
    pub after: Option<String>,
    /// Deferrable slack (default: the kind's).
    pub slack: Option<Seconds>,
    /// Divisible (default: the kind's).
    pub divisible: Option<bool>,
}

impl RawJobs {
    /// Number of jobs.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// No jobs listed.
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    fn push(&mut self, j: RawJob, index: &mut std::collections::HashMap<String, u32>) {
        // Lists mostly repeat the previous job's kind: compared before hashing.
        let prev = self.jobs.last().map(|p| p.kind);
        let kind = match prev.filter(|&k| self.kinds[k as usize] == j.kind) {
            Some(k) => k,
            None => match index.get(j.kind.as_str()) {
                Some(&k) => k,
                None => {
                    let k = self.kinds.len() as u32;
                    index.insert(j.kind.clone(), k);
                    self.kinds.push(j.kind);
                    k
                }
            },
        };
        let extras = JobExtras {
            devices: j.devices,
            slots: j.slots,
            memory: j.memory,
            deadline: j.deadline,
            priority: j.priority,
            id: j.id,
            after: j.after,
            slack: j.slack,
            divisible: j.divisible,
        };
        let given = extras.devices.is_some()
            || extras.slots.is_some()
            || extras.memory.is_some()
            || extras.deadline.is_some()
            || extras.priority.is_some()
            || extras.id.is_some()
            || extras.after.is_some()
            || extras.slack.is_some()
            || extras.divisible.is_some();
        self.jobs.push(ListedJob {
            kind,
            arrival: j.arrival,
            work: j.work,
            estimate: j.estimate,
            more: given.then(|| Box::new(extras)),
        });
    }
}

impl<'de> Deserialize<'de> for RawJobs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawJobs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawJobs, A::Error> {
                let mut out = RawJobs::default();
                let mut index = std::collections::HashMap::new();
                while let Some(j) = seq.next_element::<RawJob>()? {
                    out.push(j, &mut index);
                }
                out.jobs.shrink_to_fit();
                Ok(out)
            }
        }
        d.deserialize_seq(V)
    }
}

/// One explicit job, as written (read one at a time into [`RawJobs`]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJob {
    /// Kind name.
    pub kind: String,
    /// Arrival time (default 0; ignored with `after`).
    #[serde(default, deserialize_with = "present")]
    pub arrival: Option<Seconds>,
    /// Work units.
    pub work: NonNeg,
    /// Gang size (default: the kind's).
    #[serde(default, deserialize_with = "present")]
    pub devices: Option<u32>,
    /// Slots of one device (default: the kind's).
    #[serde(default, deserialize_with = "present")]
    pub slots: Option<u32>,
    /// Memory per device (default: the kind's).
    #[serde(default, deserialize_with = "present")]
    pub memory: Option<Bytes>,
    /// Relative deadline (default: the kind's).
    #[serde(default, deserialize_with = "present")]
    pub deadline: Option<Seconds>,
    /// Priority (default: the kind's).
    #[serde(default, deserialize_with = "present")]
    pub priority: Option<i32>,
    /// Name, for `after` references (unique).
    #[serde(default, deserialize_with = "present")]
    pub id: Option<String>,
    /// Pipeline: the `id` of the job whose completion releases this one.
    #[serde(default, deserialize_with = "present")]
    pub after: Option<String>,
    /// Run-time estimate (requested time), for backfilling policies.
    #[serde(default, deserialize_with = "present")]
    pub estimate: Option<Seconds>,
    /// Deferrable slack (default: the kind's).
    #[serde(default, deserialize_with = "present")]
    pub slack: Option<Seconds>,
    /// Divisible (default: the kind's).
    #[serde(default, deserialize_with = "present")]
    pub divisible: Option<bool>,
}

/// A trace replayed as jobs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTrace {
    /// Trace format: swf, alibaba, azure-llm, gavel, csv.
    pub format: crate::trace::Format,
    /// Trace file, relative to the scenario file (`.gz` is read transparently).
    pub file: String,
    /// Kind of every job (overrides the trace's own categories).
    #[serde(default, deserialize_with = "present")]
    pub kind: Option<String>,
    /// Trace category -> kind name, for categories named differently from the kinds.
    #[serde(default, deserialize_with = "present")]
    pub kinds: Option<IndexMap<String, String>>,
    /// Keep jobs arriving at or after this trace time (after shifting the first job to 0).
    #[serde(default, deserialize_with = "present")]
    pub from: Option<Seconds>,
    /// Keep jobs arriving before this trace time.
    #[serde(default, deserialize_with = "present")]
    pub until: Option<Seconds>,
    /// Keep at most this many jobs (after `from`/`until`).
    #[serde(default, deserialize_with = "present")]
    pub limit: Option<u64>,
    /// Multiplies arrival times (0.5 doubles the load). Default 1.
    #[serde(default, deserialize_with = "present")]
    pub time_scale: Option<NonNeg>,
    /// Multiplies every job's work. Default 1.
    #[serde(default, deserialize_with = "present")]
    pub work_scale: Option<NonNeg>,
    /// Added to every arrival time after scaling. Default 0.
    #[serde(default, deserialize_with = "present")]
    pub offset: Option<Seconds>,
    /// Replay the kept jobs this many times back to back (default 1).
    #[serde(default, deserialize_with = "present")]
    pub repeat: Option<u64>,
    /// Interval between repetitions, in simulation time (default: `(until - from) x
    /// time_scale` when `until` is given).
    #[serde(default, deserialize_with = "present")]
    pub every: Option<Seconds>,
    /// Skip and count malformed lines instead of failing. Default false.
    #[serde(default, deserialize_with = "present")]
    pub skip_bad: Option<bool>,
    /// swf: `requested` (default: field 8, else 5) or `allocated` (field 5, else 8).
    #[serde(default, deserialize_with = "present")]
    pub procs: Option<crate::trace::SwfProcs>,
    /// Relative deadline for every job (default: the kind's).
    #[serde(default, deserialize_with = "present")]
    pub deadline: Option<Seconds>,
    /// Deferral slack for every job (default: the kind's).
    #[serde(default, deserialize_with = "present")]
    pub slack: Option<Seconds>,
    /// azure-llm: `combined` (one job per request, default) or `split` (prefill, then
    /// decode as a pipeline).
    #[serde(default, deserialize_with = "present")]
    pub mode: Option<crate::trace::LlmMode>,
    /// azure-llm combined: work of one generated token in prompt-token units.
    #[serde(default, deserialize_with = "present")]
    pub decode_weight: Option<NonNeg>,
    /// alibaba: `scaled` (default: work = run time x GPU share) or `whole`.
    #[serde(default, deserialize_with = "present")]
    pub gpu_share: Option<crate::trace::GpuShare>,
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
    /// Sampling interval for power.csv (default: every change point, coarsened
    /// automatically past `power_max_rows` rows).
    #[serde(default, deserialize_with = "present")]
    pub power_interval: Option<Seconds>,
    /// Most rows of power.csv without a `power_interval` (default 20000; 0: no bound).
    #[serde(default, deserialize_with = "present")]
    pub power_max_rows: Option<u64>,
    /// How jobs.csv is written: `csv` (default), `csv.gz` or `none`.
    #[serde(default, deserialize_with = "present")]
    pub jobs: Option<RawFileFormat>,
    /// How power.csv is written: `csv` (default), `csv.gz` or `none`.
    #[serde(default, deserialize_with = "present")]
    pub power: Option<RawFileFormat>,
}

/// `output.jobs` / `output.power`.
#[derive(Debug, Deserialize, Clone, Copy)]
pub enum RawFileFormat {
    /// Plain CSV.
    #[serde(rename = "csv")]
    Csv,
    /// Gzip-compressed CSV (`.csv.gz`).
    #[serde(rename = "csv.gz")]
    CsvGz,
    /// Not written.
    #[serde(rename = "none")]
    None,
}
