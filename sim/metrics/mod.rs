//! Per-job records, the statistics collected from them, and the run summary
//! (`summary.rs`: built at the end from what the run recorded).

use serde::Serialize;

mod collect;
mod sketch;
mod summary;
mod warnings;
pub use collect::{Collector, EXACT_QUANTILE_LIMIT, GroupCollector, QUANTILE_ACCURACY, Quantiles};
pub use summary::{DeviceRecord, RunTotals, summarize};
pub use warnings::{scenario_warnings, warnings_for};

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
    /// When the job ends a pipeline branch: the pipeline (its first kind), else empty.
    pub pipeline: String,
    /// When the job ends a pipeline branch: end minus the pipeline's first arrival, s.
    pub e2e_s: Option<f64>,
    /// The trace's own id of the job (empty for generated and explicit jobs).
    pub source_id: Option<u64>,
    /// The job's requested time (estimate), s; empty when it has none.
    pub estimate_s: Option<f64>,
    /// Killed at its requested time (`workload.walltime: kill`).
    pub killed: bool,
    /// Every class that ran a part of the job, `;`-joined, in file order (`class` is
    /// the class of its first device).
    pub classes: String,
    /// Slots the job asked for on one device; empty for a whole-device job.
    pub slots: Option<u32>,
}

// jobs.csv's column names and the CSV field writers live in the run-folder schema.
pub use crate::schema::{Chunk, JOB_COLUMNS, RowOut, csv_f64, csv_field, csv_secs, csv_u64};

impl JobRecord {
    /// Appends this record as one jobs.csv line (the same text the csv crate writes,
    /// without the cost of serde per field).
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        self.write_to(out);
    }

    /// Appends this record's jobs.csv line to `out` if it fits in the room left there
    /// (the same bytes as [`JobRecord::write_csv`]); false, writing nothing, if not.
    pub fn write_csv_in(&self, out: &mut Chunk) -> bool {
        if !out.fits(JOB_COLUMNS.len(), self.text_len()) {
            return false;
        }
        self.write_to(out);
        true
    }

    /// Bytes of the row's text fields.
    fn text_len(&self) -> usize {
        self.kind.len()
            + self.class.len()
            + self.devices.len()
            + self.pipeline.len()
            + self.classes.len()
    }

    /// Writes the jobs.csv line to `out`.
    fn write_to(&self, out: &mut impl RowOut) {
        out.uint(self.id);
        out.byte(b',');
        out.field(&self.kind);
        for v in [
            self.arrival_s,
            self.start_s,
            self.end_s,
            self.wait_s,
            self.response_s,
            self.run_s,
        ] {
            out.byte(b',');
            out.secs(v);
        }
        for v in [self.slowdown, self.bounded_slowdown] {
            out.byte(b',');
            out.float(v);
        }
        out.byte(b',');
        out.field(&self.class);
        out.byte(b',');
        out.text(self.devices.as_bytes());
        for v in [self.work, self.energy_j, self.carbon_g, self.cost] {
            out.byte(b',');
            out.float(v);
        }
        out.byte(b',');
        out.uint(self.pstate.into());
        out.byte(b',');
        out.secs(self.cap_delay_s);
        out.byte(b',');
        if let Some(d) = self.deadline_s {
            out.secs(d);
        }
        out.byte(b',');
        if let Some(m) = self.deadline_met {
            out.text(if m { b"true" } else { b"false" });
        }
        out.byte(b',');
        out.field(&self.pipeline);
        out.byte(b',');
        if let Some(e) = self.e2e_s {
            out.secs(e);
        }
        out.byte(b',');
        if let Some(s) = self.source_id {
            out.uint(s);
        }
        out.byte(b',');
        if let Some(e) = self.estimate_s {
            out.secs(e);
        }
        out.byte(b',');
        out.text(if self.killed { b"true," } else { b"false," });
        out.field(&self.classes);
        out.byte(b',');
        if let Some(s) = self.slots {
            out.uint(s.into());
        }
        out.byte(b'\n');
    }
}

/// Per-class figures in the summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassSummary {
    /// Number of devices.
    pub devices: u32,
    /// Busy device-seconds / device-seconds (on devices with slots: busy
    /// slot-seconds / slot-seconds).
    pub utilization: f64,
    /// IT energy of the class's devices, J: a job that ran parts on several classes
    /// is charged to each by what its devices there drew.
    pub energy_j: f64,
    /// Jobs completed that ran at least a part on this class (a split or cross-class
    /// job counts in every class it used).
    pub jobs: u64,
    /// Wait, response and deadline figures of the jobs that ran on this class (their
    /// first device's class).
    #[serde(flatten)]
    pub stats: JobStats,
}

/// Wait, response and deadline figures of a group of finished jobs (one kind or one
/// class), as written under `per_kind.<kind>` and `per_class.<class>`.
#[derive(Clone, Debug, PartialEq, Serialize, Default)]
pub struct JobStats {
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
    /// Jobs that had a deadline.
    pub jobs_with_deadline: u64,
    /// Missed deadlines / jobs with a deadline (empty when none had one).
    pub deadline_miss_rate: Option<f64>,
}

/// Per-kind figures in the summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KindSummary {
    /// Jobs of this kind completed.
    pub jobs: u64,
    /// Energy its jobs' devices drew while running them, J.
    pub energy_j: f64,
    /// Wait, response and deadline figures.
    #[serde(flatten)]
    pub stats: JobStats,
}

/// End-to-end figures of one pipeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PipelineSummary {
    /// Branches completed (a pipeline that forks counts each branch).
    pub count: u64,
    /// Mean end-to-end latency (first arrival to branch end), s.
    pub e2e_mean_s: f64,
    /// 99th percentile end-to-end latency, s.
    pub e2e_p99_s: f64,
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
    /// IT energy over the accounting window [0, window_s], J.
    pub energy_it_j: f64,
    /// Facility energy (IT x PUE) over the window, J.
    pub energy_facility_j: f64,
    /// IT energy (over the window) / completed jobs, J.
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
    /// IT energy / window_s, W.
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
    /// End-to-end latency per pipeline (named by its first kind), for scenarios with
    /// pipelines.
    pub pipelines: indexmap::IndexMap<String, PipelineSummary>,
    /// Per-kind figures of the completed jobs, in scenario order (kinds with no
    /// completed job are left out).
    pub per_kind: indexmap::IndexMap<String, KindSummary>,
    /// Length of power.csv's rows, s: the scenario's `output.power_interval`, or the
    /// interval rows per change were folded into to bound the file; empty when
    /// power.csv has one row per change.
    pub power_interval_s: Option<f64>,
    /// Length of the accounting window, s: energy, carbon, cost, power_mean_w and the
    /// per-device figures cover [0, window_s]. The scenario's `accounting.until`, else a
    /// policy-independent default, extended to the run's end if it drained past it
    /// (then `warnings` says so).
    pub window_s: f64,
    /// IT energy from 0 to the last job event (horizon_s), J: what `energy_it_j` meant
    /// before the accounting window.
    pub energy_it_to_makespan_j: f64,
    /// Facility energy from 0 to horizon_s, J.
    pub energy_facility_to_makespan_j: f64,
    /// Carbon from 0 to horizon_s, g CO2.
    pub carbon_to_makespan_g: f64,
    /// Cost from 0 to horizon_s.
    pub cost_to_makespan: f64,
    /// Time during which the cap bound, s: a job waited for power (a start or wake-up
    /// held back, a paused job), or jobs waited while a free device's cheapest start did
    /// not fit under the cap. `time_at_cap_s` counts only time with IT power within
    /// 0.1 % of the cap, which a cap can bind without reaching.
    pub cap_binding_s: f64,
    /// Jobs taken back from device queues and placed again (late binding): when the
    /// cap rises, when a device wakes up, and when a job starts to end later than
    /// planned (the jobs committed behind it).
    pub jobs_rebound: u64,
    /// What happens to a job that outlives its requested time: `run` or `kill`
    /// (`workload.walltime`).
    pub walltime: String,
    /// Jobs killed at their requested time (0 unless `walltime` is `kill`).
    pub jobs_killed: u64,
    /// The trace time at simulated time 0, s: absolute (e.g. Unix time) when the trace
    /// states its origin (SWF `UnixStartTime`), else the trace's own clock; null for
    /// workloads without a trace. Trace time = time_origin_s + simulated time (with
    /// the trace's `time_scale` 1 and `offset` 0).
    pub time_origin_s: Option<f64>,
    /// What the reader of these figures must know (a window extended past its bound,
    /// settings with no effect, ...).
    pub warnings: Vec<String>,
    /// A run with LLM serving instances beside its jobs: the serving part's figures
    /// under its configuration's name (`serving::mixed`); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serving: Option<serde_json::Map<String, serde_json::Value>>,
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

    /// A row formatted in place in a chunk is the row written straight to a buffer:
    /// quoted fields, empty and filled optional columns, awkward numbers; a row too long
    /// for the chunk's room (many devices) is not written there (the writer takes the
    /// buffer path for it).
    #[test]
    fn chunk_rows_equal_buffer_rows() {
        let many: Vec<String> = (0..1500).map(|i| i.to_string()).collect();
        for (i, devices) in ["0".to_string(), "1;2;3".into(), many.join(";")]
            .into_iter()
            .enumerate()
        {
            let r = JobRecord {
                id: u64::MAX - i as u64,
                kind: "k,\"q\"".into(),
                arrival_s: 1e-9 * i as f64,
                start_s: 9.5e9,
                end_s: -0.4e-9,
                wait_s: f64::NAN,
                response_s: 123.456_789_012,
                run_s: 0.1 + 0.2,
                slowdown: 1e21,
                bounded_slowdown: f64::INFINITY,
                class: "gpu".into(),
                devices,
                work: 5e-324,
                energy_j: 1.0,
                deadline_s: (i == 1).then_some(2.5),
                deadline_met: (i > 0).then_some(i == 1),
                pipeline: "p\nq".into(),
                e2e_s: Some(0.000_000_1),
                source_id: Some(i as u64),
                estimate_s: Some(3.0),
                killed: i == 2,
                classes: "cpu;gpu".into(),
                slots: (i == 0).then_some(3),
                ..Default::default()
            };
            let mut want = Vec::new();
            r.write_csv(&mut want);
            // Written in place in a chunk when it fits (not the row naming 1,500
            // devices), nothing written otherwise.
            let mut chunk = Chunk::new(4096);
            assert_eq!(r.write_csv_in(&mut chunk), i < 2, "row {i}");
            let written: &[u8] = if i < 2 { &want } else { &[] };
            assert_eq!(chunk.as_bytes(), written, "row {i}");
        }
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
