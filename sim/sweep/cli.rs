//! The `hetsim sweep` command line: run a sweep (or a shard), `merge`, `slurm`.

use super::exec::{Options, Shard};
use super::slurm::SlurmOptions;
use crate::cli::Exit;
use crate::scenario::InputError;
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

fn exit(e: anyhow::Error) -> Exit {
    let input = e.chain().any(|c| c.is::<InputError>());
    Exit {
        code: if input { 2 } else { 1 },
        error: e,
    }
}

fn usage(msg: String) -> Exit {
    Exit {
        code: 2,
        error: anyhow::anyhow!(msg),
    }
}

/// Runs `hetsim sweep ...`.
pub fn main(cmd: SweepCmd) -> Result<(), Exit> {
    match cmd.action {
        Some(SweepAction::Merge { dirs, out, quiet }) => {
            let r = super::merge::merge(&dirs, &out).map_err(exit)?;
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
            let s = super::slurm::generate(&file, &o).map_err(exit)?;
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
                Some(s) => Some(Shard::parse(s).map_err(|m| usage(format!("--shard: {m}")))?),
                None => None,
            };
            let opts = Options {
                jobs: cmd.jobs,
                out: cmd.out,
                shard,
                quiet: cmd.quiet,
                run_folders: cmd.run_folders,
                run_charts: cmd.run_charts,
            };
            super::exec::run(&file, &opts).map_err(exit)?;
            Ok(())
        }
    }
}
