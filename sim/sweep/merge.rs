//! `hetsim sweep merge DIR... --out OUT`: combines shard folders (or any sweep folders
//! of the same plan) into the output a local sweep writes, byte for byte.

use super::error::SweepError;
use super::exec::{Shard, prepare};
use super::journal::{self, Table};
use super::plan::Manifest;
use super::progress::{Silent, SweepNotice, SweepProgress};
use crate::scenario::InputError;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a merge did.
#[derive(Clone, Debug)]
pub struct MergeReport {
    /// Output folder.
    pub dir: PathBuf,
    /// Runs merged.
    pub runs: usize,
    /// Input folders.
    pub inputs: usize,
    /// Compared runs accounted over different windows (also in `warnings.txt`).
    pub warnings: Vec<String>,
}

/// Merges the sweep folders `dirs` into `out`. Every folder must hold the same plan
/// (`plan_hash`); every run must have a valid row in exactly one folder. Writes
/// `manifest.json`, `runs.csv`, `summary.csv`, `pareto.csv`, `charts/`, `index.html`
/// (exactly what a local sweep writes) and `timing.csv` (the inputs' timing lines, by
/// run). Reports nothing ([`merge_with`] does).
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<MergeReport, SweepError> {
    merge_with(dirs, out, &Silent)
}

/// [`merge`], telling `progress` about inputs with torn or invalid lines.
pub fn merge_with(
    dirs: &[PathBuf],
    out: &Path,
    progress: &dyn SweepProgress,
) -> Result<MergeReport, SweepError> {
    if dirs.is_empty() {
        return Err(InputError::file(out, "no folders to merge").into());
    }
    let out_canon = out.canonicalize().ok();
    let mut manifest: Option<(Manifest, PathBuf)> = None;
    let mut rows: BTreeMap<usize, (Vec<String>, usize)> = BTreeMap::new();
    let mut header: Option<(Vec<String>, usize)> = None;
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut shard_of: Vec<Option<Shard>> = Vec::new();
    for (di, d) in dirs.iter().enumerate() {
        let canon = d
            .canonicalize()
            .map_err(|e| InputError::file(d, format!("cannot open folder: {e}")))?;
        if seen.contains(&canon) {
            return Err(InputError::file(d, "listed twice").into());
        }
        if out_canon.as_ref() == Some(&canon) {
            return Err(InputError::file(d, "is also the --out folder")
                .with_hint("merge into a new folder")
                .into());
        }
        seen.push(canon);
        let mpath = d.join(super::MANIFEST);
        let bytes = super::journal::read_file(&mpath).map_err(|e| {
            InputError::file(&mpath, format!("cannot read: {e}"))
                .with_hint("each folder must be a sweep or shard folder (it holds manifest.json)")
        })?;
        let m = Manifest::from_bytes(&bytes, &mpath)?;
        match &manifest {
            None => manifest = Some((m.clone(), d.clone())),
            Some((first, fdir)) if first.plan_hash != m.plan_hash => {
                return Err(InputError::file(
                    d,
                    format!(
                        "holds another plan than {} (plan_hash {} vs {})",
                        fdir.display(),
                        &m.plan_hash[..12],
                        &first.plan_hash[..12]
                    ),
                )
                .into());
            }
            Some(_) => {}
        }
        shard_of.push(
            super::journal::read_file(&d.join(super::SHARD))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok()),
        );
        let t = journal::read(d, &m)?;
        if t.dropped > 0 {
            progress.notice(SweepNotice::MergeIgnored {
                dir: d.clone(),
                dropped: t.dropped,
            });
        }
        if !t.header.is_empty() {
            match &header {
                None => header = Some((t.header.clone(), di)),
                Some((h, hi)) if *h != t.header => {
                    return Err(InputError::file(
                        d.join(super::RUNS),
                        format!(
                            "columns differ from {}",
                            dirs[*hi].join(super::RUNS).display()
                        ),
                    )
                    .into());
                }
                Some(_) => {}
            }
        }
        for (k, r) in t.rows {
            if let Some((_, other)) = rows.get(&k) {
                return Err(InputError::file(
                    d,
                    format!(
                        "run {k} is also in {}; each run must be in exactly one folder",
                        dirs[*other].display()
                    ),
                )
                .into());
            }
            rows.insert(k, (r, di));
        }
    }
    let (m, _) = manifest.expect("at least one folder");
    let missing: Vec<usize> = (0..m.runs.len())
        .filter(|k| !rows.contains_key(k))
        .collect();
    if !missing.is_empty() {
        let counts: Vec<usize> = shard_of.iter().flatten().map(|s| s.count).collect();
        let n = counts
            .first()
            .copied()
            .filter(|n| counts.iter().all(|c| c == n));
        let list: Vec<String> = missing
            .iter()
            .take(12)
            .map(|&k| match n {
                Some(n) => format!("{k} (shard {}/{n})", k % n),
                None => k.to_string(),
            })
            .collect();
        let mut shards: Vec<usize> = match n {
            Some(n) => missing.iter().map(|k| k % n).collect(),
            None => Vec::new(),
        };
        shards.sort_unstable();
        shards.dedup();
        let more = if missing.len() > list.len() {
            ", ..."
        } else {
            ""
        };
        let mut e = InputError::file(
            out,
            format!(
                "{} of {} runs are missing: {}{more}",
                missing.len(),
                m.runs.len(),
                list.join(", ")
            ),
        );
        if let Some(n) = n {
            e = e.with_hint(format!(
                "rerun shard(s) {} of {n} (e.g. sbatch --array={}); finished runs are kept",
                shards
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                shards
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
        return Err(e.into());
    }
    let table = Table {
        header: header.map(|h| h.0).unwrap_or_default(),
        rows: rows.into_iter().map(|(k, (r, _))| (k, r)).collect(),
        dropped: 0,
    };
    let _lock = prepare(out, &m, None)?;
    let warnings = super::output::write_final(out, &m, &table)?;
    // Timing lines (not deterministic): every input's, by run.
    let mut timing: Vec<(usize, String)> = Vec::new();
    for d in dirs {
        if let Ok(text) = super::journal::read_file(&d.join(super::TIMING))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
        {
            for line in text.lines().skip(1) {
                if let Some(k) = line.split(',').next().and_then(|k| k.parse().ok()) {
                    timing.push((k, line.to_string()));
                }
            }
        }
    }
    timing.sort_by_key(|t| t.0);
    let mut tbytes = b"run,load_s,simulate_s,total_s\n".to_vec();
    for (_, l) in timing {
        tbytes.extend(l.as_bytes());
        tbytes.push(b'\n');
    }
    crate::output::write_atomic(&out.join(super::TIMING), &tbytes).map_err(SweepError::file(
        format!("cannot write {}", out.join(super::TIMING).display()),
    ))?;
    Ok(MergeReport {
        dir: out.to_path_buf(),
        runs: m.runs.len(),
        inputs: dirs.len(),
        warnings,
    })
}
