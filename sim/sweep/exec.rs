//! Running a sweep (or one shard of it) on this machine: rayon over the runs, rows
//! streamed to `runs.csv`, resume from a previous attempt, progress reported to a
//! [`SweepProgress`].

use super::error::SweepError;
use super::journal::{self, Table, Timing, Writer};
use super::plan::{Manifest, Plan};
use super::progress::{Silent, SweepNotice, SweepProgress};
use crate::output::write_atomic;
use crate::run::{RunNotice, RunProgress};
use crate::scenario::InputError;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use super::shard::{SHARD_INDEX_VARS, Shard};

/// Options of `hetsim sweep FILE`.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Threads (default: `SLURM_CPUS_PER_TASK` if set, else all cores).
    pub jobs: Option<usize>,
    /// Output folder (default: `reports/NAME`, or
    /// `reports/NAME-shards/I` for a shard).
    pub out: Option<PathBuf>,
    /// Run only this shard.
    pub shard: Option<Shard>,
    /// Also write each run's own folder to `runs/RUN/` (jobs.csv, power.csv, ...;
    /// its `scenario.yaml` is the run's full scenario, as JSON). Not part of the
    /// byte-identical output (its summary has `wall_s`), and not merged.
    pub run_folders: bool,
    /// With `run_folders`, draw each run's charts too (skipped by default).
    pub run_charts: bool,
}

/// What a sweep did.
#[derive(Clone, Debug)]
pub struct Report {
    /// The sweep's name.
    pub name: String,
    /// The output folder.
    pub dir: PathBuf,
    /// Runs in scope (the whole plan, or the shard's).
    pub runs: usize,
    /// Runs found already done (resume).
    pub resumed: usize,
    /// Runs simulated now.
    pub ran: usize,
    /// Threads used.
    pub jobs: usize,
    /// Wall-clock seconds spent simulating (the parallel phase).
    pub run_s: f64,
    /// Compared runs accounted over different windows (also in `warnings.txt`).
    pub warnings: Vec<String>,
}

/// Threads to use: `jobs`, else `SLURM_CPUS_PER_TASK`, else all cores.
pub fn threads(jobs: Option<usize>) -> usize {
    jobs.filter(|&j| j > 0)
        .or_else(|| {
            std::env::var("SLURM_CPUS_PER_TASK")
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .filter(|&j: &usize| j > 0)
        })
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
}

/// Prepares an output folder for `m`: creates it, or checks it holds the same plan
/// (resume), and writes `manifest.json` (and `shard.json` for a shard). A folder
/// holding another plan, another shard, or files not written by a sweep is refused.
///
/// Returns `manifest.json` opened and exclusively locked (an advisory lock, released
/// when the file is dropped or the process dies, SIGKILL included): a second sweep
/// into the same folder fails instead of interleaving rows. Leftover temporary files
/// of a killed sweep are removed.
pub fn prepare(
    dir: &Path,
    m: &Manifest,
    shard: Option<Shard>,
) -> Result<std::fs::File, SweepError> {
    let mpath = dir.join(super::MANIFEST);
    let spath = dir.join(super::SHARD);
    if dir.exists() {
        if !dir.is_dir() {
            return Err(InputError::file(dir, "exists and is not a folder").into());
        }
        if mpath.exists() {
            let bytes = journal::read_file(&mpath)?;
            let old = Manifest::from_bytes(&bytes, &mpath)?;
            if old.plan_hash != m.plan_hash {
                return Err(InputError::file(
                    dir,
                    format!(
                        "holds another sweep plan (plan_hash {} from hetsim {}, this plan is {} from hetsim {})",
                        &old.plan_hash[..12],
                        old.hetsim_version,
                        &m.plan_hash[..12],
                        m.hetsim_version
                    ),
                )
                .with_hint("the sweep file, base scenario or hetsim version changed: choose another --out, or delete the folder to start over")
                .into());
            }
            let old_shard: Option<Shard> = match journal::read_file(&spath) {
                Ok(b) => Some(
                    serde_json::from_slice(&b).map_err(|source| SweepError::Json {
                        context: format!("{} is not a shard description", spath.display()),
                        source,
                    })?,
                ),
                Err(_) => None,
            };
            if old_shard != shard {
                let say = |s: Option<Shard>| match s {
                    Some(s) => format!("shard {}/{}", s.index, s.count),
                    None => "the whole sweep".to_string(),
                };
                return Err(InputError::file(
                    dir,
                    format!("holds {}, not {}", say(old_shard), say(shard)),
                )
                .with_hint("give each shard its own --out; merge them with `hetsim sweep merge`")
                .into());
            }
        } else if std::fs::read_dir(dir)?.next().is_some() {
            return Err(InputError::file(
                dir,
                "exists, is not empty and holds no sweep manifest; refusing to write into it",
            )
            .with_hint("choose another --out")
            .into());
        }
    } else {
        std::fs::create_dir_all(dir).map_err(SweepError::file(format!(
            "cannot create output folder {}",
            dir.display()
        )))?;
    }
    let bytes = m.to_bytes();
    if journal::read_file(&mpath).ok().as_deref() != Some(&bytes[..]) {
        write_atomic(&mpath, &bytes).map_err(SweepError::file(format!(
            "cannot write {}",
            mpath.display()
        )))?;
    }
    let lock = std::fs::File::open(&mpath)
        .map_err(SweepError::file(format!("cannot open {}", mpath.display())))?;
    if lock.try_lock().is_err() {
        return Err(
            InputError::file(dir, "another hetsim sweep is writing into this folder")
                .with_hint("wait for it to finish, or choose another --out")
                .into(),
        );
    }
    // Temporary files and folders of a sweep killed while writing (".NAME.tmp-PID"),
    // here and among the per-run folders.
    for d in [dir.to_path_buf(), dir.join("runs")] {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.contains(".tmp-") {
                let p = e.path();
                if p.is_dir() {
                    std::fs::remove_dir_all(&p)?;
                } else {
                    std::fs::remove_file(&p)?;
                }
            }
        }
    }
    if let Some(s) = shard {
        let mut b = serde_json::to_vec_pretty(&s)?;
        b.push(b'\n');
        write_atomic(&spath, &b)?;
    }
    Ok(lock)
}

pub use super::journal::MAX_SWEEP_FILE_BYTES;

/// Default output folder of a sweep or shard.
pub fn default_out(name: &str, shard: Option<Shard>) -> PathBuf {
    let base = crate::run::default_out(name);
    match shard {
        None => base,
        Some(s) => {
            let mut p = base.into_os_string();
            p.push("-shards");
            PathBuf::from(p).join(s.index.to_string())
        }
    }
}

/// Runs a sweep file (all of it, or one shard) and writes its output folder, reporting
/// nothing ([`run_with`] reports progress). See the module docs of [`crate::sweep`]
/// for the files.
pub fn run(sweep_file: &Path, opts: &Options) -> Result<Report, SweepError> {
    run_with(sweep_file, opts, &Silent)
}

/// Passes a run's notices on to the sweep's receiver.
struct RunNotices<'a>(&'a dyn SweepProgress);
impl RunProgress for RunNotices<'_> {
    fn notice(&mut self, notice: RunNotice) {
        self.0.notice(SweepNotice::Run(notice));
    }
}

/// [`run`], telling `progress` how it goes.
pub fn run_with(
    sweep_file: &Path,
    opts: &Options,
    progress: &dyn SweepProgress,
) -> Result<Report, SweepError> {
    let jobs = threads(opts.jobs);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(SweepError::ThreadPool)?;
    // Planning checks every point's scenario in parallel: in this pool too.
    let plan = pool.install(|| Plan::load(sweep_file))?;
    let m = &plan.manifest;
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| default_out(&m.name, opts.shard));
    let _lock = prepare(&dir, m, opts.shard)?;
    let in_scope: Vec<usize> = (0..m.runs.len())
        .filter(|&k| opts.shard.is_none_or(|s| s.contains(k)))
        .collect();
    let table = journal::read(&dir, m)?;
    let writer = Writer::open(&dir, &table)?;
    let todo: Vec<usize> = in_scope
        .iter()
        .copied()
        .filter(|k| !table.rows.contains_key(k))
        .collect();
    let resumed = in_scope.len() - todo.len();
    progress.notice(SweepNotice::Started {
        name: m.name.clone(),
        shard: opts.shard,
        runs: in_scope.len(),
        resumed,
        todo: todo.len(),
        jobs,
        dir: dir.clone(),
    });
    if table.dropped > 0 {
        progress.notice(SweepNotice::DroppedRows {
            dropped: table.dropped,
        });
    }
    if !table.header.is_empty() {
        super::output::check_metrics(m, &table.header)?;
    }
    progress.start(todo.len());
    let started = Instant::now();
    let one = |k: usize| -> Result<(), SweepError> {
        let t0 = Instant::now();
        let mut loaded = plan.loaded(k)?;
        let t1 = Instant::now();
        let (header, row) = if plan.is_serving() {
            serving_run(&plan, k, &loaded, opts, &dir)?
        } else {
            let failed = |source| SweepError::Run {
                context: run_context(m, k),
                source,
            };
            let outcome = if opts.run_folders || opts.run_charts {
                loaded.text = plan.document_text(k)?;
                let ro = crate::run::RunOptions {
                    out: Some(dir.join("runs").join(k.to_string())),
                    no_charts: !opts.run_charts,
                };
                crate::run::run_to_folder_with(&loaded, &ro, &mut RunNotices(progress))
                    .map_err(failed)?
                    .outcome
            } else {
                crate::run::run_in_memory(&loaded).map_err(failed)?
            };
            if outcome.summary.seed != m.runs[k].seed {
                return Err(SweepError::Inconsistent(format!(
                    "run {k}: the summary reports seed {}, the plan says {}",
                    outcome.summary.seed, m.runs[k].seed
                )));
            }
            journal::row_of(m, k, &outcome.summary)?
        };
        let t2 = Instant::now();
        let timing = Timing {
            load_s: (t1 - t0).as_secs_f64(),
            simulate_s: (t2 - t1).as_secs_f64(),
            total_s: t0.elapsed().as_secs_f64(),
        };
        writer.append(&header, &row, k, &timing)?;
        progress.run_done();
        Ok(())
    };

    let mut rest = &todo[..];
    if table.header.is_empty()
        && let Some((&first, tail)) = todo.split_first()
    {
        // The first row fixes the columns: check the chart metrics exist before
        // spending the other runs.
        one(first)?;
        super::output::check_metrics(m, &writer.header())?;
        rest = tail;
    }
    let res = pool.install(|| {
        use rayon::prelude::*;
        rest.par_iter().try_for_each(|&k| one(k))
    });
    progress.finish();
    res?;
    let run_s = started.elapsed().as_secs_f64();
    drop(writer);

    let table = journal::read(&dir, m)?;
    let missing: Vec<usize> = in_scope
        .iter()
        .copied()
        .filter(|k| !table.rows.contains_key(k))
        .collect();
    if !missing.is_empty() {
        return Err(SweepError::Inconsistent(format!(
            "{} run(s) have no valid row after the sweep (first: {}); run the sweep again to redo them",
            missing.len(),
            missing[0]
        )));
    }
    let warnings = if opts.shard.is_some() {
        write_atomic(&dir.join(super::RUNS), &table.to_bytes())?;
        Vec::new()
    } else {
        super::output::write_final(&dir, m, &table)?
    };
    Ok(Report {
        name: m.name.clone(),
        dir,
        runs: in_scope.len(),
        resumed,
        ran: todo.len(),
        jobs,
        run_s,
        warnings,
    })
}

/// Names run `k` in an error: its index, point and replication.
fn run_context(m: &Manifest, k: usize) -> String {
    format!(
        "run {k} (point {}: {}, replication {}) failed",
        m.runs[k].point,
        m.point_label(m.runs[k].point),
        m.runs[k].replication
    )
}

/// One run of a serving scenario (`serving:`): simulated by the serving model (its
/// run folder written with `--run-folders`), its flat summary as the journal row.
fn serving_run(
    plan: &Plan,
    k: usize,
    loaded: &crate::scenario::Loaded,
    opts: &Options,
    dir: &Path,
) -> Result<(Vec<String>, Vec<String>), SweepError> {
    let m = &plan.manifest;
    // The run's document (axis values applied) is what the serving section is read
    // from, and what its run folder records.
    let mut l = loaded.clone();
    l.text = plan.document_text(k)?;
    let spec = &crate::scenario::serving_spec(&l)?.ok_or_else(|| {
        SweepError::Inconsistent(format!("run {k}: the serving section disappeared"))
    })?;
    let summary = if opts.run_folders || opts.run_charts {
        let target = dir.join("runs").join(k.to_string());
        crate::run::serving::serving_to_folder(&l, spec, &target, !opts.run_charts)
            .map_err(|source| SweepError::Serving {
                context: run_context(m, k),
                source,
            })?
            .1
    } else {
        let outcome = crate::serving::sim::simulate(spec);
        crate::serving::summary::summarize(&loaded.scenario.name, spec, &outcome)
    };
    let mut pairs = vec![("seed".to_string(), loaded.scenario.seed.to_string())];
    for (key, v) in crate::serving::summary::flat(&summary) {
        let cell = crate::report::files::scalar(&v);
        pairs.push((key, cell));
    }
    if loaded.scenario.seed != m.runs[k].seed {
        return Err(SweepError::Inconsistent(format!(
            "run {k}: the scenario has seed {}, the plan says {}",
            loaded.scenario.seed, m.runs[k].seed
        )));
    }
    journal::row_of_pairs(m, k, pairs)
}

/// Reads the table of a sweep folder for tests and tools: the manifest and its valid
/// rows.
pub fn read_dir(dir: &Path) -> Result<(Manifest, Table), SweepError> {
    let mpath = dir.join(super::MANIFEST);
    let bytes = journal::read_file(&mpath)
        .map_err(SweepError::file(format!("cannot read {}", mpath.display())))?;
    let m = Manifest::from_bytes(&bytes, &mpath)?;
    let t = journal::read(dir, &m)?;
    Ok((m, t))
}
