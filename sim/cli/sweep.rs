//! `hetsim sweep`: run a sweep (or a shard), `merge` shards, write `slurm` scripts.
//! Messages go to stderr (unless `--quiet`), a progress bar to a terminal.

use super::Usage;
use crate::sweep::exec::{Options, Shard};
use crate::sweep::slurm::SlurmOptions;
use crate::sweep::{SweepNotice, SweepProgress};
use clap::{Args, Subcommand};
use std::path::PathBuf;

/// `hetsim sweep`: run a parameter sweep, or merge shards, or write Slurm scripts.
///
/// Examples:
///   hetsim sweep scenarios/sweeps/mmc-load.yaml --out reports/mmc-load
///   hetsim sweep FILE --shard 3/8 --out shards/3      (one slice, e.g. on a cluster)
///   hetsim sweep merge shards/0 shards/1 ... --out reports/mmc-load
///   hetsim sweep slurm FILE --shards 8                (writes array + merge jobs)
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SweepCmd {
    /// Merge shards or write Slurm scripts instead of running.
    #[command(subcommand)]
    pub action: Option<SweepAction>,
    /// Sweep file (.yaml, .yml or .json).
    #[arg(required = true)]
    pub file: Option<PathBuf>,
    /// Threads (default: SLURM_CPUS_PER_TASK if set, else all cores).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Output folder (default: reports/NAME, or reports/NAME-shards/I
    /// with --shard). A folder holding the same plan is resumed.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only shard I of N (runs k with k % N == I). `auto/N` takes I from
    /// SLURM_ARRAY_TASK_ID (or JOB_COMPLETION_INDEX, HETSIM_SHARD_INDEX).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write every run's own folder to OUT/runs/RUN/ (no charts).
    #[arg(long)]
    pub run_folders: bool,
    /// Like --run-folders, with each run's charts.
    #[arg(long)]
    pub run_charts: bool,
}

/// Subcommands of `hetsim sweep`.
#[derive(Subcommand, Debug)]
pub enum SweepAction {
    /// Merge shard folders into the output a local sweep writes (byte for byte).
    ///
    /// Every run must be present in exactly one folder.
    Merge {
        /// Shard (or sweep) folders of one plan.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Write a Slurm array job (one task per shard), a merge job and submit.sh.
    ///
    /// Example: hetsim sweep slurm FILE --shards 16 --partition short --time 00:20:00
    Slurm {
        /// Sweep file.
        file: PathBuf,
        /// Number of shards (array tasks).
        #[arg(long)]
        shards: usize,
        /// Merged output folder (default: reports/NAME).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Folder for scripts, logs and shards (default: OUT.slurm).
        #[arg(long)]
        work: Option<PathBuf>,
        /// hetsim binary the jobs run (default: this executable).
        #[arg(long)]
        hetsim: Option<PathBuf>,
        /// Slurm partition (default: the cluster's default).
        #[arg(long)]
        partition: Option<String>,
        /// Time limit per shard task.
        #[arg(long, default_value = "01:00:00")]
        time: String,
        /// Memory per shard task.
        #[arg(long, default_value = "2G")]
        mem: String,
        /// Threads per shard task.
        #[arg(long, default_value_t = 1)]
        cpus_per_task: usize,
        /// Most shard tasks running at once.
        #[arg(long)]
        max_parallel: Option<usize>,
    },
}

/// Prints a sweep's warnings, even with --quiet (the comparison they flag is
/// misleading): the first three, then how many more `warnings.txt` holds.
fn print_warnings(warnings: &[String], dir: &std::path::Path) {
    const SHOWN: usize = 3;
    for w in warnings.iter().take(SHOWN) {
        eprintln!("warning: {w}");
    }
    if warnings.len() > SHOWN {
        eprintln!(
            "warning: {} more like these in {}",
            warnings.len() - SHOWN,
            dir.join("warnings.txt").display()
        );
    }
}

/// Runs `hetsim sweep ...`.
pub fn main(cmd: SweepCmd) -> anyhow::Result<()> {
    match cmd.action {
        Some(SweepAction::Merge { dirs, out, quiet }) => {
            let r = crate::sweep::merge::merge_with(&dirs, &out, &Progress::new(quiet))?;
            print_warnings(&r.warnings, &r.dir);
            if !quiet {
                eprintln!(
                    "merged {} runs from {} folder(s) into {}",
                    r.runs,
                    r.inputs,
                    r.dir.display()
                );
            }
            Ok(())
        }
        Some(SweepAction::Slurm {
            file,
            shards,
            out,
            work,
            hetsim,
            partition,
            time,
            mem,
            cpus_per_task,
            max_parallel,
        }) => {
            let o = SlurmOptions {
                shards,
                out,
                work,
                hetsim,
                partition,
                time,
                mem,
                cpus_per_task,
                max_parallel,
            };
            let s = crate::sweep::slurm::generate(&file, &o)?;
            println!("wrote {}", s.array.display());
            println!("wrote {}", s.merge.display());
            println!("wrote {}", s.submit.display());
            println!(
                "edit the #SBATCH lines if needed, then: bash {}",
                s.submit.display()
            );
            println!("merged output will be in {}", s.out.display());
            Ok(())
        }
        None => {
            let file = cmd.file.expect("clap requires FILE");
            let shard = match &cmd.shard {
                Some(s) => {
                    Some(Shard::parse(s).map_err(|m| Usage(format!("--shard: {m}").into()))?)
                }
                None => None,
            };
            let opts = Options {
                jobs: cmd.jobs,
                out: cmd.out,
                shard,
                run_folders: cmd.run_folders,
                run_charts: cmd.run_charts,
            };
            let progress = Progress::new(cmd.quiet);
            let r = crate::sweep::run_with(&file, &opts, &progress)?;
            print_warnings(&r.warnings, &r.dir);
            if !cmd.quiet {
                let rate = if r.run_s > 0.0 {
                    r.ran as f64 / r.run_s
                } else {
                    0.0
                };
                eprintln!(
                    "sweep {}: ran {} run(s) in {:.2} s ({:.1} runs/s); wrote {}",
                    r.name,
                    r.ran,
                    r.run_s,
                    rate,
                    r.dir.display()
                );
            }
            Ok(())
        }
    }
}

/// Prints a sweep's notices on stderr and draws its progress bar on a terminal.
struct Progress {
    quiet: bool,
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        Progress {
            quiet,
            bar: std::sync::OnceLock::new(),
        }
    }
}

impl SweepProgress for Progress {
    fn notice(&self, notice: SweepNotice) {
        match notice {
            SweepNotice::Started {
                name,
                shard,
                runs,
                resumed,
                todo,
                jobs,
                dir,
            } => {
                if self.quiet {
                    return;
                }
                let scope = match shard {
                    Some(s) => format!("shard {}/{}: ", s.index, s.count),
                    None => String::new(),
                };
                eprintln!(
                    "sweep {name}: {scope}{runs} runs, {resumed} already done, {todo} to do, {jobs} threads -> {}",
                    dir.display()
                );
            }
            // Printed even with --quiet: the folder was damaged.
            SweepNotice::DroppedRows { dropped } => {
                eprintln!(
                    "warning: dropped {dropped} torn, damaged or conflicting line(s) of {}; those runs are redone",
                    crate::sweep::RUNS
                );
            }
            // Printed even with --quiet.
            SweepNotice::MergeIgnored { dir, dropped } => {
                eprintln!(
                    "merge: {}: ignored {dropped} torn or invalid line(s)",
                    dir.display()
                );
            }
            SweepNotice::Run(n) => super::run::print_notice(n),
        }
    }

    fn start(&self, todo: usize) {
        if self.quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            return;
        }
        let b = indicatif::ProgressBar::new(todo as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} runs  {per_sec}  eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        let _ = self.bar.set(b);
    }

    fn run_done(&self) {
        if let Some(b) = self.bar.get() {
            b.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(b) = self.bar.get() {
            b.finish_and_clear();
        }
    }
}
