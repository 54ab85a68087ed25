//! Gavel's Philly-derived trace and throughput matrix (Narayanan et al., "Gavel",
//! OSDI'20; `stanford-futuredata/gavel`, `scheduler/traces/msr/seed=0/*.trace` and
//! `scheduler/simulation_throughputs.json`).
//!
//! The trace is tab-separated, 7 fields: `job_type, command, num_steps_arg,
//! needs_data_dir, total_steps, arrival_time_s, scale_factor`. The mapping:
//!
//! | job field | from | rule |
//! |---|---|---|
//! | arrival | `arrival_time_s` | |
//! | work | `total_steps` | training steps; a class's speed for the kind is the job's whole throughput in steps/s on that GPU type at that scale, so run time = steps / throughput |
//! | devices | `scale_factor` | number of GPUs (a gang) |
//! | kind | `job_type`, `scale_factor` | slug of the job type and `-x<GPUs>`, e.g. `ResNet-50 (batch size 64)` on 8 GPUs is `resnet-50-bs64-x8` |
//!
//! Not mapped: `command`, `num_steps_arg`, `needs_data_dir`.
//!
//! The throughput matrix ([`read_throughputs`]) has, per GPU type (`k80`, `p100`,
//! `v100`; the `_unconsolidated` variants are not used), per `(job type, scale factor)`,
//! the isolated throughput under the key `"null"` (the other keys are space-sharing
//! pairs, not used). A throughput of 0 means the job does not fit that GPU type (no
//! speed: cannot run there). The matrix covers scale factors 1, 2, 4 and 8; for other
//! sizes ([`Throughputs::speed`]) the largest measured size `s' <= s` is scaled by
//! `s / s'` (linear scaling: an assumption, counted in the import notes).

use super::{Ctx, RecordError, TraceError, TraceJob, number, slug};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

/// The mapping, one line per rule (for imported files).
pub const MAPPING: &[&str] = &[
    "arrival  = arrival_time_s",
    "work     = total_steps (training steps)",
    "devices  = scale_factor (GPUs, a gang)",
    "kind     = slug(job_type)-x<scale_factor>, e.g. resnet-50-bs64-x8",
    "speeds   = Gavel isolated throughput (steps/s of the whole job) for (job_type, scale_factor) per GPU type; 0 -> cannot run; unmeasured scale s -> throughput(s') x s/s' for the largest measured s' <= s (assumption)",
];

/// The kind name of a job type at a scale factor.
pub fn kind_name(job_type: &str, scale: u32) -> String {
    let t = job_type
        .replace("(batch size ", "(bs")
        .replace("batch size ", "bs");
    format!("{}-x{scale}", slug(&t))
}

/// Reads a Gavel trace.
pub fn read(r: Box<dyn BufRead>, ctx: &mut Ctx) -> Result<(), TraceError> {
    for (i, line) in r.lines().enumerate() {
        let lineno = i as u64 + 1;
        let line = line.map_err(|e| ctx.error(Some(lineno), format!("read error: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        ctx.trace.records += 1;
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 7 {
            ctx.malformed(
                lineno,
                format!("{} tab-separated fields, Gavel traces have 7", f.len()),
            )?;
            continue;
        }
        let parsed = (|| -> Result<(f64, f64, u32), RecordError> {
            let steps = number(f[4], "total_steps")?;
            let at = number(f[5], "arrival_time_s")?;
            let scale = number(f[6], "scale_factor")?;
            if steps < 0.0 || at < 0.0 {
                return Err("negative total_steps or arrival_time_s".into());
            }
            if scale < 1.0 || scale.fract() != 0.0 {
                return Err(format!("scale_factor: `{}` is not a GPU count", f[6]).into());
            }
            Ok((steps, at, scale as u32))
        })();
        let (steps, at, scale) = match parsed {
            Ok(v) => v,
            Err(m) => {
                ctx.malformed(lineno, m)?;
                continue;
            }
        };
        let job_type = f[0].trim();
        if job_type.is_empty() {
            ctx.malformed(lineno, "empty job_type")?;
            continue;
        }
        let category = ctx
            .trace
            .category_labeled(&kind_name(job_type, scale), job_type);
        ctx.trace.jobs.push(TraceJob {
            line: lineno,
            arrival: at,
            category,
            work: steps,
            devices: Some(scale),
            memory: None,
            deadline: None,
            priority: None,
            estimate: None,
            slack: None,
            after: None,
            slots: None,
            source_id: Some(ctx.trace.records - 1),
        });
    }
    Ok(())
}

/// Gavel's isolated throughputs: GPU type -> (job type, scale factor) -> steps/s.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Throughputs {
    /// GPU types in file order (`k80`, `p100`, `v100`).
    pub gpus: Vec<String>,
    /// Per GPU type (same order): (job type, scale) -> throughput (0: does not fit).
    pub table: Vec<BTreeMap<(String, u32), f64>>,
}

/// How a speed was found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Speed {
    /// Measured at this scale.
    Measured(f64),
    /// Extrapolated linearly from a smaller measured scale.
    Scaled(f64),
    /// The job does not fit this GPU type (throughput 0), or the type was never measured.
    None,
}

impl Throughputs {
    /// Speed (steps/s of the whole job) of `job_type` on `scale` GPUs of type `gpu`.
    pub fn speed(&self, gpu: usize, job_type: &str, scale: u32) -> Speed {
        let t = &self.table[gpu];
        if let Some(&v) = t.get(&(job_type.to_string(), scale)) {
            return if v > 0.0 {
                Speed::Measured(v)
            } else {
                Speed::None
            };
        }
        let base = t
            .range((job_type.to_string(), 0)..(job_type.to_string(), scale))
            .next_back();
        match base {
            Some(((_, s), &v)) if v > 0.0 => Speed::Scaled(v * scale as f64 / *s as f64),
            _ => Speed::None,
        }
    }
}

/// Reads `simulation_throughputs.json`.
pub fn read_throughputs(path: &Path) -> Result<Throughputs, TraceError> {
    let err = |m: String| TraceError {
        file: path.into(),
        line: None,
        message: m,
    };
    let mut text = String::new();
    std::io::Read::read_to_string(&mut super::open(path)?, &mut text)
        .map_err(|e| err(format!("cannot read: {e}")))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| TraceError {
        file: path.into(),
        line: Some(e.line() as u64),
        message: format!("not valid JSON: {e}"),
    })?;
    let obj = v
        .as_object()
        .ok_or_else(|| err("expected an object of GPU types".into()))?;
    let mut out = Throughputs::default();
    for (gpu, jobs) in obj {
        if gpu.contains('_') {
            continue;
        }
        let jobs = jobs
            .as_object()
            .ok_or_else(|| err(format!("`{gpu}` is not an object")))?;
        let mut table = BTreeMap::new();
        for (key, entry) in jobs {
            let (jt, scale) = parse_key(key)
                .ok_or_else(|| err(format!("`{gpu}`: key `{key}` is not ('job type', scale)")))?;
            let tp = entry.get("null").and_then(|x| x.as_f64()).ok_or_else(|| {
                err(format!(
                    "`{gpu}`.`{key}` has no isolated throughput (\"null\")"
                ))
            })?;
            table.insert((jt, scale), tp);
        }
        out.gpus.push(gpu.clone());
        out.table.push(table);
    }
    if out.gpus.is_empty() {
        return Err(err("no GPU types found".into()));
    }
    Ok(out)
}

/// Parses `('ResNet-18 (batch size 16)', 1)`.
fn parse_key(k: &str) -> Option<(String, u32)> {
    let inner = k.trim().strip_prefix('(')?.strip_suffix(')')?;
    let (name, scale) = inner.rsplit_once(',')?;
    let name = name.trim().trim_matches('\'').trim_matches('"');
    Some((name.to_string(), scale.trim().parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_slugs() {
        assert_eq!(
            kind_name("ResNet-50 (batch size 64)", 8),
            "resnet-50-bs64-x8"
        );
        assert_eq!(kind_name("A3C", 1), "a3c-x1");
        assert_eq!(
            parse_key("('LM (batch size 10)', 2)"),
            Some(("LM (batch size 10)".into(), 2))
        );
    }
}
