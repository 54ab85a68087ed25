//! A serving run's files: `requests.csv` (one row per request), `series.csv` (output
//! tokens/s and IT power per bin), `summary.json` (flat keys from `serving::summary::flat`, registered in
//! `report::metric`).

use crate::serving::ServingSpec;
use crate::serving::sim::ServingOutcome;
use crate::serving::summary::{ServingSummary, latencies};
use serde_json::Value;
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

/// Writes summary.json.
pub fn write_summary(path: &Path, s: &ServingSummary) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(&Value::Object(crate::serving::summary::flat(s)))?;
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
