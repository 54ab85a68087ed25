//! Per-job records and the run summary (the keys of DESIGN.md section 6).

use serde::Serialize;

/// Bounded-slowdown threshold, s (the HPC literature's usual 10 s).
pub const BSLD_THRESHOLD_S: f64 = 10.0;

/// One finished job, as written to jobs.csv.
#[derive(Clone, Debug, PartialEq, Serialize, Default)]
pub struct JobRecord {
    /// Job id (arrival order).
    pub id: u64,
    /// Kind name.
    pub kind: String,
    /// Arrival, s.
    pub arrival_s: f64,
    /// Start, s.
    pub start_s: f64,
    /// End, s.
    pub end_s: f64,
    /// start - arrival, s.
    pub wait_s: f64,
    /// end - arrival, s.
    pub response_s: f64,
    /// end - start, s.
    pub run_s: f64,
    /// response / run (1 for zero-length jobs).
    pub slowdown: f64,
    /// max(1, response / max(run, 10 s)).
    pub bounded_slowdown: f64,
    /// Class of the devices (the first device's class).
    pub class: String,
    /// Device ids, separated by `;`.
    pub devices: String,
    /// Work units.
    pub work: f64,
    /// Energy drawn by its devices while it ran, J.
    pub energy_j: f64,
    /// Carbon of that energy (facility share: x PUE), g.
    pub carbon_g: f64,
    /// Electricity cost of that energy (facility share).
    pub cost: f64,
    /// P-state it started at (0 = fastest).
    pub pstate: u32,
    /// Time it waited for power under the cap, s.
    pub cap_delay_s: f64,
    /// Absolute deadline, s (empty when none).
    pub deadline_s: Option<f64>,
    /// Whether the job ended by its deadline (empty when none).
    pub deadline_met: Option<bool>,
}

/// Column names of jobs.csv, in [`JobRecord`] field order.
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

impl JobRecord {
    /// Appends this record as one jobs.csv line (the same text the csv crate writes,
    /// without the cost of serde per field).
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        let mut ib = itoa::Buffer::new();
        out.extend_from_slice(ib.format(self.id).as_bytes());
        out.push(b',');
        csv_field(out, &self.kind);
        for v in [
            self.arrival_s,
            self.start_s,
            self.end_s,
            self.wait_s,
            self.response_s,
            self.run_s,
        ] {
            out.push(b',');
            csv_secs(out, v);
        }
        for v in [self.slowdown, self.bounded_slowdown] {
            out.push(b',');
            csv_f64(out, v);
        }
        out.push(b',');
        csv_field(out, &self.class);
        out.push(b',');
        out.extend_from_slice(self.devices.as_bytes());
        for v in [self.work, self.energy_j, self.carbon_g, self.cost] {
            out.push(b',');
            csv_f64(out, v);
        }
        out.push(b',');
        out.extend_from_slice(ib.format(self.pstate).as_bytes());
        out.push(b',');
        csv_secs(out, self.cap_delay_s);
        out.push(b',');
        if let Some(d) = self.deadline_s {
            csv_secs(out, d);
        }
        out.push(b',');
        if let Some(m) = self.deadline_met {
            out.extend(if m {
                b"true".as_slice()
            } else {
                b"false".as_slice()
            });
        }
        out.push(b'\n');
    }
}

/// Per-class figures in the summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassSummary {
    /// Number of devices.
    pub devices: u32,
    /// Busy device-seconds / device-seconds.
    pub utilization: f64,
    /// IT energy, J.
    pub energy_j: f64,
    /// Jobs completed on this class.
    pub jobs: u64,
}

/// The run summary. Field names are stable: sweeps and tools read them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Policy name.
    pub policy: String,
    /// Power manager name.
    pub power_manager: String,
    /// Seed.
    pub seed: u64,
    /// Simulated time span (0 to the last event), s.
    pub horizon_s: f64,
    /// Time of the last completion, s.
    pub makespan_s: f64,
    /// Jobs released.
    pub jobs_arrived: u64,
    /// Jobs finished.
    pub jobs_completed: u64,
    /// Jobs rejected (none yet: every job that can run somewhere is accepted).
    pub jobs_rejected: u64,
    /// Completed jobs / makespan.
    pub throughput_jobs_per_s: f64,
    /// Mean wait, s.
    pub wait_mean_s: f64,
    /// Median wait, s.
    pub wait_p50_s: f64,
    /// 95th percentile wait, s.
    pub wait_p95_s: f64,
    /// 99th percentile wait, s.
    pub wait_p99_s: f64,
    /// Mean response, s.
    pub response_mean_s: f64,
    /// Median response, s.
    pub response_p50_s: f64,
    /// 95th percentile response, s.
    pub response_p95_s: f64,
    /// 99th percentile response, s.
    pub response_p99_s: f64,
    /// Mean slowdown.
    pub slowdown_mean: f64,
    /// Mean bounded slowdown (10 s threshold).
    pub bounded_slowdown_mean: f64,
    /// Missed deadlines / jobs with a deadline (0 when none has one).
    pub deadline_miss_rate: f64,
    /// Jobs that had a deadline.
    pub jobs_with_deadline: u64,
    /// Busy device-seconds / device-seconds.
    pub utilization: f64,
    /// IT energy, J.
    pub energy_it_j: f64,
    /// Facility energy (IT x PUE), J.
    pub energy_facility_j: f64,
    /// IT energy / completed jobs, J.
    pub energy_per_job_j: f64,
    /// Energy drawn by devices while running jobs, J.
    pub energy_jobs_j: f64,
    /// Energy of busy devices, J.
    pub energy_busy_j: f64,
    /// Energy of idle devices, J.
    pub energy_idle_j: f64,
    /// Energy of sleeping devices, J.
    pub energy_asleep_j: f64,
    /// Energy of sleep transitions, J.
    pub energy_transition_j: f64,
    /// Wake-ups.
    pub wakeups: u64,
    /// Highest IT power held for a positive time, W.
    pub power_peak_w: f64,
    /// IT energy / horizon, W.
    pub power_mean_w: f64,
    /// IT power cap at t = 0, W (empty when none).
    pub power_cap_w: Option<f64>,
    /// Time with IT power at the cap (within 0.1%), s.
    pub time_at_cap_s: f64,
    /// Jobs whose start waited for power under the cap.
    pub cap_delayed_jobs: u64,
    /// Total time jobs waited for power under the cap, s.
    pub cap_delay_s: f64,
    /// Carbon from facility energy, g CO2.
    pub carbon_g: f64,
    /// Carbon / completed jobs, g.
    pub carbon_per_job_g: f64,
    /// Electricity cost of facility energy.
    pub cost: f64,
    /// Time-averaged number of waiting jobs.
    pub queue_mean: f64,
    /// Events processed by the engine.
    pub events: u64,
    /// Wall-clock time of the simulation, s (not deterministic; not in summary.csv
    /// comparisons).
    pub wall_s: f64,
    /// Per-class figures, in file order.
    pub per_class: indexmap::IndexMap<String, ClassSummary>,
}

/// Accumulates job statistics.
#[derive(Debug, Default)]
pub struct Collector {
    /// Waits, s.
    pub waits: Vec<f64>,
    /// Responses, s.
    pub responses: Vec<f64>,
    /// Sum of slowdowns.
    pub slowdown_sum: f64,
    /// Sum of bounded slowdowns.
    pub bsld_sum: f64,
    /// Jobs with a deadline.
    pub with_deadline: u64,
    /// Deadlines missed.
    pub missed: u64,
    /// Attributed energy, J.
    pub job_energy: f64,
    /// Last completion, s.
    pub makespan_s: f64,
}

impl Collector {
    /// Adds a finished job.
    pub fn add(&mut self, r: &JobRecord) {
        self.waits.push(r.wait_s);
        self.responses.push(r.response_s);
        self.slowdown_sum += r.slowdown;
        self.bsld_sum += r.bounded_slowdown;
        if let Some(met) = r.deadline_met {
            self.with_deadline += 1;
            if !met {
                self.missed += 1;
            }
        }
        self.job_energy += r.energy_j;
        self.makespan_s = self.makespan_s.max(r.end_s);
    }
}

/// Mean of a slice (0 when empty).
pub fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Nearest-rank quantile of a sorted slice (0 when empty).
pub fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let rank = (q * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// Slowdown and bounded slowdown of a job.
pub fn slowdowns(response: f64, run: f64) -> (f64, f64) {
    let sd = if run > 0.0 { response / run } else { 1.0 };
    let bsld = (response / run.max(BSLD_THRESHOLD_S)).max(1.0);
    (sd, bsld)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile_sorted(&v, 0.5), 50.0);
        assert_eq!(quantile_sorted(&v, 0.95), 95.0);
        assert_eq!(quantile_sorted(&v, 0.99), 99.0);
        assert_eq!(quantile_sorted(&[3.0], 0.99), 3.0);
    }

    #[test]
    fn fast_csv_row_matches_the_csv_crate() {
        let r = JobRecord {
            id: 7,
            kind: "a,b".into(),
            arrival_s: 0.1,
            start_s: 1e-7,
            end_s: 3.0,
            class: "gpu".into(),
            devices: "1;2".into(),
            deadline_s: Some(2.5),
            deadline_met: Some(false),
            ..Default::default()
        };
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(&r).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), JOB_COLUMNS.join(","));
        let mut mine = Vec::new();
        r.write_csv(&mut mine);
        let mine = String::from_utf8(mine).unwrap();
        let parse = |line: &str| -> Vec<String> {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes())
                .records()
                .next()
                .unwrap()
                .unwrap()
                .iter()
                .map(String::from)
                .collect()
        };
        let (a, b) = (parse(mine.trim_end()), parse(lines.next().unwrap()));
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(p), Ok(q)) => assert!((p - q).abs() <= 1e-9 * q.abs().max(1.0), "{x} vs {y}"),
                _ => assert_eq!(x, y),
            }
        }
        // Times are written at nanosecond resolution without float noise.
        assert!(mine.contains(",0.0000001,"), "{mine}");
    }

    #[test]
    fn bounded_slowdown_uses_threshold() {
        assert_eq!(slowdowns(20.0, 2.0), (10.0, 2.0));
        assert_eq!(slowdowns(5.0, 5.0), (1.0, 1.0));
    }
}
