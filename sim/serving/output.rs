//! A serving run's files: `requests.csv` (one row per request), `series.csv` (output
//! tokens/s and IT power per bin), `summary.json` (flat keys, registered in
//! `report::metric`).

use super::ServingSpec;
use super::sim::ServingOutcome;
use super::summary::{ServingSummary, Stats, latencies};
use serde_json::{Map, Value, json};
use std::io::Write;
use std::path::Path;

/// Columns of requests.csv.
pub const REQUEST_COLUMNS: &[&str] = &[
    "request_id",
    "arrival_s",
    "prompt_tokens",
    "output_tokens",
    "prompt_instance",
    "token_instance",
    "ttft_s",
    "tbt_s",
    "tbt_decode_s",
    "e2e_s",
    "kv_transfer_s",
    "preemptions",
    "energy_j",
];

/// A time in seconds, rounded to the nanosecond the simulation keeps (differences of
/// f64 seconds would print as 0.09999999999999999).
fn t(v: Option<f64>) -> String {
    opt(v.map(|x| (x * 1e9).round() / 1e9))
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| ryu::Buffer::new().format(x).to_string())
        .unwrap_or_default()
}

/// Writes requests.csv.
pub fn write_requests(path: &Path, o: &ServingOutcome) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "{}", REQUEST_COLUMNS.join(","))?;
    for r in &o.requests {
        let l = latencies(r);
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.id,
            t(Some(r.arrival)),
            r.prompt,
            r.output,
            r.prompt_instance,
            r.token_instance,
            t(r.prefill_end.map(|p| p - r.arrival)),
            t(l.map(|l| l.1)),
            t(l.and_then(|l| l.2)),
            t(l.map(|l| l.3)),
            t(r.transfer_s),
            r.preemptions,
            opt(Some(r.energy_j)),
        )?;
    }
    w.flush()
}

/// Writes series.csv: bin start (s), output tokens/s, mean IT power (W).
pub fn write_series(path: &Path, o: &ServingOutcome) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "time_s,output_tokens_per_s,power_w")?;
    for (t, tok, p) in series(o) {
        writeln!(w, "{},{},{}", opt(Some(t)), opt(Some(tok)), opt(Some(p)))?;
    }
    w.flush()
}

/// (bin start s, output tokens/s, mean IT power W) per bin.
pub fn series(o: &ServingOutcome) -> Vec<(f64, f64, f64)> {
    let n = o.bin_energy_j.len().max(o.bin_tokens.len());
    (0..n)
        .map(|k| {
            let t = k as f64 * o.bin_s;
            let width = (o.end_s - t).clamp(0.0, o.bin_s);
            let width = if width > 0.0 { width } else { o.bin_s };
            let tok = o.bin_tokens.get(k).copied().unwrap_or(0) as f64 / width;
            let p = o.bin_energy_j.get(k).copied().unwrap_or(0.0) / width;
            (t, tok, p)
        })
        .collect()
}

fn stats(m: &mut Map<String, Value>, name: &str, unit: &str, s: &Stats) {
    for (q, v) in [
        ("mean", s.mean),
        ("p50", s.p50),
        ("p90", s.p90),
        ("p95", s.p95),
        ("p99", s.p99),
        ("p999", s.p999),
    ] {
        m.insert(format!("{name}_{q}{unit}"), json!(v));
    }
}

/// The summary as flat JSON keys, in order.
pub fn flat(s: &ServingSummary) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("scenario".into(), json!(s.scenario));
    m.insert("serving_config".into(), json!(s.serving_config));
    m.insert("instances".into(), json!(s.instances));
    m.insert("requests_arrived".into(), json!(s.requests_arrived));
    m.insert("requests_completed".into(), json!(s.requests_completed));
    m.insert("makespan_s".into(), json!(s.makespan_s));
    m.insert("requests_per_s".into(), json!(s.requests_per_s));
    m.insert("output_tokens_per_s".into(), json!(s.output_tokens_per_s));
    stats(&mut m, "ttft", "_s", &s.ttft_s);
    stats(&mut m, "tbt", "_s", &s.tbt_s);
    stats(&mut m, "tbt_decode", "_s", &s.tbt_decode_s);
    stats(&mut m, "e2e", "_s", &s.e2e_s);
    stats(&mut m, "kv_transfer", "_s", &s.kv_transfer_s);
    m.insert("kv_transfers".into(), json!(s.kv_transfers));
    m.insert("kv_transfer_retries".into(), json!(s.kv_transfer_retries));
    m.insert("preemptions".into(), json!(s.preemptions));
    m.insert("energy_it_j".into(), json!(s.energy_it_j));
    m.insert("energy_facility_j".into(), json!(s.energy_facility_j));
    m.insert("energy_busy_j".into(), json!(s.energy_busy_j));
    m.insert("energy_idle_j".into(), json!(s.energy_idle_j));
    m.insert(
        "energy_per_output_token_j".into(),
        json!(s.energy_per_output_token_j),
    );
    m.insert("power_mean_w".into(), json!(s.power_mean_w));
    stats(&mut m, "slowdown_ttft", "", &s.slowdown_ttft);
    stats(&mut m, "slowdown_tbt", "", &s.slowdown_tbt);
    stats(&mut m, "slowdown_e2e", "", &s.slowdown_e2e);
    m.insert("slo_met".into(), json!(s.slo_met));
    m.insert("slo_missed".into(), json!(s.slo_missed));
    m
}

/// Writes summary.json.
pub fn write_summary(path: &Path, s: &ServingSummary) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(&Value::Object(flat(s)))?;
    std::fs::write(path, text + "\n")
}

/// Writes every file of a serving run into `dir`.
pub fn write_all(
    dir: &Path,
    _spec: &ServingSpec,
    o: &ServingOutcome,
    s: &ServingSummary,
) -> std::io::Result<()> {
    write_requests(&dir.join("requests.csv"), o)?;
    write_series(&dir.join("series.csv"), o)?;
    write_summary(&dir.join("summary.json"), s)
}

/// Why a serving run folder could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ServingError {
    /// The run folder could not be prepared or moved into place.
    #[error(transparent)]
    Folder(#[from] crate::output::FolderError),
    /// A file could not be written.
    #[error("cannot write run folder {}", .0.display())]
    Io(std::path::PathBuf, #[source] std::io::Error),
    /// A chart could not be drawn.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
}

/// Simulates `spec` and writes the run folder `target` (atomically): the scenario
/// file, overrides.txt, requests.csv, series.csv, summary.json and, unless
/// `no_charts`, the charts. Returns the folder and the summary.
pub fn run_to_folder(
    loaded: &crate::scenario::Loaded,
    spec: &ServingSpec,
    target: &Path,
    no_charts: bool,
) -> Result<(std::path::PathBuf, ServingSummary), ServingError> {
    let staging = crate::output::StagedFolder::run(target)?;
    let dir = staging.dir().to_path_buf();
    let io = |e| ServingError::Io(target.to_path_buf(), e);
    let ext = loaded
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("yaml");
    std::fs::write(dir.join(format!("scenario.{ext}")), &loaded.text).map_err(io)?;
    crate::report::files::write_overrides(&dir, &loaded.overrides)?;
    let o = super::sim::simulate(spec);
    let s = super::summary::summarize(&loaded.scenario.name, spec, &o);
    write_all(&dir, spec, &o, &s).map_err(io)?;
    if !no_charts {
        let charts = dir.join("charts");
        std::fs::create_dir_all(&charts).map_err(io)?;
        crate::report::charts::serving::draw_all(&charts, &o)?;
    }
    let dir = staging.commit()?;
    Ok((dir, s))
}

/// Runs a scenario with serving instances beside its jobs ([`super::mixed`]) and
/// writes its run folder `target` (atomically): what a job run writes (jobs.csv;
/// power.csv, devices.csv and summary.json with both parts; charts and index.html
/// unless `no_charts`) plus the serving part's requests.csv and series.csv.
pub fn run_mixed_to_folder(
    loaded: &crate::scenario::Loaded,
    spec: &ServingSpec,
    target: &Path,
    no_charts: bool,
) -> Result<(std::path::PathBuf, super::mixed::MixedOutcome), crate::run::RunError> {
    use crate::report::files;
    use crate::run::RunError;
    let sc = &loaded.scenario;
    let staging = crate::output::StagedFolder::run(target)?;
    let dir = staging.dir().to_path_buf();
    let ext = loaded
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("yaml");
    let written = (|| -> Result<super::mixed::MixedOutcome, RunError> {
        std::fs::write(dir.join(format!("scenario.{ext}")), &loaded.text)?;
        files::write_overrides(&dir, &loaded.overrides)?;
        let mut obs = files::CsvObserver::create(&dir, sc)?;
        let mut m = super::mixed::simulate(sc, spec, &mut obs).map_err(|e| match e {
            crate::error::SimError::Output(io) => RunError::Io(io),
            e => RunError::SimulationInFolder(e),
        })?;
        if let Some(dt) = obs.finish()? {
            m.outcome.summary.power_interval_s = Some(dt);
        }
        files::write_devices(&dir, &m.outcome.devices)?;
        files::write_summary(&dir, &m.outcome.summary)?;
        write_requests(&dir.join("requests.csv"), &m.serving)?;
        write_series(&dir.join("series.csv"), &m.serving)?;
        Ok(m)
    })()
    .map_err(|e| match e {
        RunError::Io(_) | RunError::Report(_) => RunError::Writing {
            target: target.to_path_buf(),
            staging: dir.clone(),
            source: Box::new(e),
        },
        e => e,
    })?;
    if !no_charts {
        crate::report::plot::draw_run(&dir, Some(sc))?;
    }
    let dir = staging.commit()?;
    Ok((dir, written))
}
