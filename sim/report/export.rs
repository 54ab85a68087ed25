//! `hetsim export batsim RUN_DIR`: a run's jobs.csv rewritten with the columns of
//! Batsim's `_jobs.csv` output, so Batsim tooling (evalys: Gantt charts, utilisation,
//! queue) reads hetsim runs.
//!
//! Mapping: `job_id` = id, `workload_name` = kind, `profile` = kind,
//! `submission_time` = arrival, `requested_number_of_resources` = number of devices,
//! `requested_time` = the job's estimate when jobs.csv has one (else -1: none),
//! `success` = 1 (0 for a job killed at its walltime), `final_state`,
//! `starting_time`, `execution_time` = end - start, `finish_time`, `waiting_time`,
//! `turnaround_time` = response, `stretch` = response / run time,
//! `allocated_resources` = the device ids as an interval set (`0-3 7`),
//! `consumed_energy` = the job's energy (J), `metadata` = the device class.

use crate::report::error::{Context, ReportError, Result};
use crate::schema::JOBS_CSV;
use std::io::{BufReader, Read, Write};
use std::path::Path;

/// Batsim's jobs columns, in its order.
pub const BATSIM_COLUMNS: [&str; 17] = [
    "job_id",
    "workload_name",
    "profile",
    "submission_time",
    "requested_number_of_resources",
    "requested_time",
    "success",
    "final_state",
    "starting_time",
    "execution_time",
    "finish_time",
    "waiting_time",
    "turnaround_time",
    "stretch",
    "allocated_resources",
    "consumed_energy",
    "metadata",
];

/// Device ids (`3;1;2;7`) as a Batsim interval set (`1-3 7`).
pub fn interval_set(devices: &str) -> Result<String> {
    let mut ids: Vec<u64> = devices
        .split(';')
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.trim()
                .parse()
                .map_err(|_| ReportError::Data(format!("bad device id {s:?}")))
        })
        .collect::<Result<_>>()?;
    ids.sort_unstable();
    ids.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            ids[i].to_string()
        } else {
            format!("{}-{}", ids[i], ids[j])
        });
        i = j + 1;
    }
    Ok(parts.join(" "))
}

/// Writes Batsim's jobs CSV for the run in `dir` to `out`; returns the number of jobs.
pub fn batsim(dir: &Path, out: &mut dyn Write) -> Result<u64> {
    let plain = dir.join(JOBS_CSV);
    let gz = dir.join(format!("{JOBS_CSV}.gz"));
    let input: Box<dyn Read> = if plain.exists() {
        Box::new(
            std::fs::File::open(&plain)
                .with_context(|| format!("cannot read {}", plain.display()))?,
        )
    } else if gz.exists() {
        Box::new(flate2::read::MultiGzDecoder::new(
            std::fs::File::open(&gz).with_context(|| format!("cannot read {}", gz.display()))?,
        ))
    } else {
        return Err(ReportError::Data(format!(
            "{} has no jobs.csv or jobs.csv.gz (was it run with output.jobs: none?)",
            dir.display()
        )));
    };
    let mut r = csv::Reader::from_reader(BufReader::with_capacity(1 << 20, input));
    let h = r.headers()?.clone();
    let col = |n: &str| h.iter().position(|c| c == n);
    let need = |n: &str| col(n).with_context(|| format!("jobs.csv has no column `{n}`"));
    let (id, kind, arr, start, end, wait, resp, run, class, devs, energy) = (
        need("id")?,
        need("kind")?,
        need("arrival_s")?,
        need("start_s")?,
        need("end_s")?,
        need("wait_s")?,
        need("response_s")?,
        need("run_s")?,
        need("class")?,
        need("devices")?,
        need("energy_j")?,
    );
    let (estimate, killed) = (col("estimate_s"), col("killed"));
    let mut w = csv::Writer::from_writer(out);
    w.write_record(BATSIM_COLUMNS)?;
    let mut n = 0;
    for rec in r.records() {
        let rec = rec?;
        let devices = interval_set(&rec[devs])?;
        let count = rec[devs].split(';').filter(|s| !s.is_empty()).count();
        let is_killed = killed.is_some_and(|k| &rec[k] == "true");
        let run_s: f64 = rec[run].parse().unwrap_or(0.0);
        let resp_s: f64 = rec[resp].parse().unwrap_or(0.0);
        let stretch = if run_s > 0.0 { resp_s / run_s } else { 1.0 };
        let requested = estimate
            .map(|e| rec[e].to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "-1".into());
        w.write_record([
            &rec[id],
            &rec[kind],
            &rec[kind],
            &rec[arr],
            &count.to_string(),
            &requested,
            if is_killed { "0" } else { "1" },
            if is_killed {
                "COMPLETED_WALLTIME_REACHED"
            } else {
                "COMPLETED_SUCCESSFULLY"
            },
            &rec[start],
            &rec[run],
            &rec[end],
            &rec[wait],
            &rec[resp],
            &stretch.to_string(),
            &devices,
            &rec[energy],
            &rec[class],
        ])?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_lists_become_interval_sets() {
        assert_eq!(interval_set("3;1;2;7").unwrap(), "1-3 7");
        assert_eq!(interval_set("5").unwrap(), "5");
        assert_eq!(interval_set("0;1;2;3;9;10").unwrap(), "0-3 9-10");
        assert!(interval_set("a").is_err());
    }
}
