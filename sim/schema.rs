//! The run folder's schema: file names, the columns of jobs.csv, power.csv and
//! devices.csv, the summary keys that readers look up, and the CSV field writers.
//!
//! The writers (`metrics::JobRecord::write_csv`, `report::files`), the chart readers
//! (`report::charts::read`) and the sweep journal name columns through this module, so
//! a column is renamed or added in one place. It depends on nothing else in the crate.
//!
//! # Adding an output column
//! - jobs.csv: add the name to [`JOB_COLUMNS`] and the field to `metrics::JobRecord`
//!   (its `write_csv` writes the fields in the same order);
//! - power.csv: add the name to [`power::TOTALS`] and the value to `power::PowerRow`
//!   and `report::files::CsvObserver::power`, in the same position;
//! - devices.csv: add the field to `simulation::DeviceRecord` (serde writes it) and,
//!   if a reader needs it, a constant to [`devices`].

/// jobs.csv: one row per finished job.
pub const JOBS_CSV: &str = "jobs.csv";
/// power.csv: one row per power interval.
pub const POWER_CSV: &str = "power.csv";
/// devices.csv: one row per device.
pub const DEVICES_CSV: &str = "devices.csv";
/// summary.json: the run's summary metrics.
pub const SUMMARY_JSON: &str = "summary.json";
/// summary.csv: the same metrics flattened to one header and one value row.
pub const SUMMARY_CSV: &str = "summary.csv";

/// Column names of jobs.csv, in `metrics::JobRecord` field order (the writer,
/// `JobRecord::write_csv`, writes them in this order).
pub const JOB_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "arrival_s",
    "start_s",
    "end_s",
    "wait_s",
    "response_s",
    "run_s",
    "slowdown",
    "bounded_slowdown",
    "class",
    "devices",
    "work",
    "energy_j",
    "carbon_g",
    "cost",
    "pstate",
    "cap_delay_s",
    "deadline_s",
    "deadline_met",
    "pipeline",
    "e2e_s",
    "source_id",
    "estimate_s",
    "killed",
    "classes",
    "slots",
];

/// Appends `s` as one CSV field, quoted only when it must be.
pub fn csv_field(out: &mut Vec<u8>, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend(s.replace('"', "\"\"").bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Appends a time in seconds as fixed-point with nanosecond resolution, the model's
/// own (`0.017137248`, not `0.017137247999999997`), trailing zeros trimmed.
pub fn csv_secs(out: &mut Vec<u8>, v: f64) {
    let ns = (v * 1e9).round();
    if !(0.0..9.0e18).contains(&ns) {
        return csv_f64(out, v);
    }
    let ns = ns as u64;
    let mut ib = itoa::Buffer::new();
    out.extend_from_slice(ib.format(ns / 1_000_000_000).as_bytes());
    let frac = ns % 1_000_000_000;
    out.push(b'.');
    if frac == 0 {
        out.push(b'0');
        return;
    }
    let digits = ib.format(frac);
    out.extend(std::iter::repeat_n(b'0', 9 - digits.len()));
    out.extend_from_slice(digits.trim_end_matches('0').as_bytes());
}

/// Appends a float in the shortest form that reads back exactly.
pub fn csv_f64(out: &mut Vec<u8>, v: f64) {
    if v.is_finite() {
        out.extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
    } else {
        out.extend_from_slice(v.to_string().as_bytes());
    }
}

/// Columns of jobs.csv by name (the entries of [`JOB_COLUMNS`] a reader looks up).
pub mod jobs {
    /// Job id.
    pub const ID: &str = "id";
    /// Kind name.
    pub const KIND: &str = "kind";
    /// Arrival, s.
    pub const ARRIVAL_S: &str = "arrival_s";
    /// Start, s.
    pub const START_S: &str = "start_s";
    /// End, s.
    pub const END_S: &str = "end_s";
    /// Response time, s.
    pub const RESPONSE_S: &str = "response_s";
    /// Device ids separated by `;`.
    pub const DEVICES: &str = "devices";
    /// Absolute deadline, s.
    pub const DEADLINE_S: &str = "deadline_s";
    /// Whether the deadline was met.
    pub const DEADLINE_MET: &str = "deadline_met";
    /// Slots the job held on one device (empty: whole devices).
    pub const SLOTS: &str = "slots";
}

/// Columns of power.csv: `time_s`, `duration_s`, one `<class>_w` per device class,
/// then [`power::TOTALS`]. Readers may also find `<class>_busy_devices` and
/// `<state>_devices` columns and signal columns ending in `_per_kwh`.
pub mod power {
    /// Start of the interval, s.
    pub const TIME_S: &str = "time_s";
    /// Length of the interval, s.
    pub const DURATION_S: &str = "duration_s";
    /// IT power, W.
    pub const IT_W: &str = "it_w";
    /// Facility power, W.
    pub const FACILITY_W: &str = "facility_w";
    /// IT power cap, W (empty without a cap).
    pub const CAP_W: &str = "cap_w";
    /// Jobs released and not yet started.
    pub const QUEUE_LEN: &str = "queue_len";
    /// Busy devices.
    pub const BUSY_DEVICES: &str = "busy_devices";
    /// Carbon emitted in the interval, g.
    pub const CARBON_G: &str = "carbon_g";
    /// Electricity cost of the interval.
    pub const COST: &str = "cost";
    /// The columns after the per-class power columns, in file order.
    pub const TOTALS: [&str; 9] = [
        IT_W,
        FACILITY_W,
        CAP_W,
        QUEUE_LEN,
        BUSY_DEVICES,
        "asleep_devices",
        "transition_devices",
        CARBON_G,
        COST,
    ];
    /// Suffix of the device-count columns (`busy_devices`, `<class>_busy_devices`).
    pub const DEVICES_SUFFIX: &str = "_devices";

    /// Power column of a device class, W.
    pub fn class_w(class: &str) -> String {
        format!("{class}_w")
    }

    /// Busy-device column of a device class.
    pub fn class_busy_devices(class: &str) -> String {
        format!("{class}_busy_devices")
    }
}

/// Columns of devices.csv a reader looks up (the writer serializes
/// `simulation::DeviceRecord`, whose field names are the columns).
pub mod devices {
    /// Device id.
    pub const DEVICE: &str = "device";
    /// Class name.
    pub const CLASS: &str = "class";
    /// Busy time, s.
    pub const BUSY_S: &str = "busy_s";
}

/// Keys of summary.json a reader looks up (the writer serializes `metrics::Summary`,
/// whose field names are the keys; per-class figures sit under [`summary::PER_CLASS`]).
pub mod summary {
    /// Scenario name.
    pub const SCENARIO: &str = "scenario";
    /// Policy name.
    pub const POLICY: &str = "policy";
    /// Seed.
    pub const SEED: &str = "seed";
    /// Simulated horizon, s.
    pub const HORIZON_S: &str = "horizon_s";
    /// Jobs completed.
    pub const JOBS_COMPLETED: &str = "jobs_completed";
    /// Mean utilisation of all devices.
    pub const UTILIZATION: &str = "utilization";
    /// IT energy, J.
    pub const ENERGY_IT_J: &str = "energy_it_j";
    /// Facility energy, J.
    pub const ENERGY_FACILITY_J: &str = "energy_facility_j";
    /// IT power cap at the start, W.
    pub const POWER_CAP_W: &str = "power_cap_w";
    /// Time at the cap, s.
    pub const TIME_AT_CAP_S: &str = "time_at_cap_s";
    /// Carbon, g.
    pub const CARBON_G: &str = "carbon_g";
    /// Electricity cost.
    pub const COST: &str = "cost";
    /// Wall-clock time of the run, s (not reproducible).
    pub const WALL_S: &str = "wall_s";
    /// Per-class figures, an object by class name.
    pub const PER_CLASS: &str = "per_class";
    /// Devices of a class (under [`PER_CLASS`]).
    pub const DEVICES: &str = "devices";
}

/// Names of tracks the chart reader derives from power.csv (never written to a file).
pub mod derived {
    /// The carbon rate, g/s.
    pub const CARBON_RATE: &str = "derived.carbon_g_per_s";
    /// The electricity cost rate, per s.
    pub const COST_RATE: &str = "derived.cost_per_s";
}
