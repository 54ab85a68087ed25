//! The command line, the only top layer: one file per subcommand. It parses
//! arguments, calls the library, prints what the library reports, and turns errors
//! into exit codes in one place ([`exit_code`]). No library module imports it.

pub mod catalog;
pub mod compare;
pub mod export;
pub mod import;
pub mod plot;
pub mod policies;
pub mod run;
pub mod signals;
pub mod sweep;
pub mod validate;

use clap::{Parser, Subcommand};

/// hetsim: simulate datacenters built from heterogeneous accelerators.
#[derive(Parser, Debug)]
#[command(name = "hetsim", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario and write its run folder.
    ///
    /// Example: hetsim run scenarios/manufacturing.yaml --policy eft --out reports/m-eft
    Run(run::RunArgs),
    /// Check scenario files without running them.
    Validate(validate::ValidateArgs),
    /// List the placement policies and their parameters.
    Policies,
    /// List the device catalog and PUE presets (use `device: NAME` in a class).
    Catalog,
    /// Import a job trace as a scenario-ready file (.yaml/.json scenario or .csv job list).
    ///
    /// Formats: swf (Parallel Workloads Archive, .swf or .swf.gz), alibaba (GPU cluster
    /// 2023 pod list), azure-llm (Azure LLM inference 2023), gavel (Philly-derived
    /// trace), csv (plain job list). Malformed lines stop the import with their line
    /// number unless --skip-bad is given.
    ///
    /// Example: hetsim import swf ../shared/data/swf/KTH-SP2-1996-2.1-cln.swf.gz -o kth.yaml
    Import(import::ImportArgs),
    /// Redraw the charts and index.html of an existing run folder from its files.
    ///
    /// Example: hetsim plot reports/manufacturing
    Plot(plot::PlotArgs),
    /// Compare runs: overlaid energy, power and response-time charts, and a metrics
    /// table with differences relative to the first run.
    ///
    /// Example: hetsim compare reports/m-fcfs reports/m-eft --out reports/m-compare
    Compare(compare::CompareArgs),
    /// Export a run's jobs for other tools (Batsim's jobs CSV, which evalys reads).
    ///
    /// Example: hetsim export batsim reports/manufacturing
    Export(export::ExportArgs),
    /// Run a parameter sweep (parallel, resumable), or merge shards, or write Slurm jobs.
    ///
    /// Example: hetsim sweep scenarios/sweeps/mmc-load.yaml --out reports/mmc-load
    /// (then `hetsim sweep merge --help`, `hetsim sweep slurm --help` for clusters)
    Sweep(sweep::SweepCmd),
}

/// A mistake on the command line that is not in a file (a bad `--shard`, an `--out`
/// folder hetsim must not replace, failed validation): exit code 2 like an
/// [`InputError`](crate::scenario::InputError). Displays as the error it wraps.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Usage(pub Box<dyn std::error::Error + Send + Sync + 'static>);

/// Runs the CLI.
pub fn main_with(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(a) => run::main(a),
        Command::Validate(a) => validate::main(a),
        Command::Policies => policies::main(),
        Command::Catalog => catalog::main(),
        Command::Import(a) => import::main(a),
        Command::Plot(a) => plot::main(a),
        Command::Compare(a) => compare::main(a),
        Command::Export(a) => export::main(a),
        Command::Sweep(a) => sweep::main(a),
    }
}

/// The whole `hetsim` program with extra policies available by name: what a crate
/// with its own policies calls from its `main` (`examples/custom_policy.rs`). It
/// installs `extra` ([`crate::policy::install`]), then parses the command line, runs
/// it, prints any error and returns the exit code, exactly as the `hetsim` binary.
pub fn main_with_policies(extra: &'static [crate::policy::PolicyInfo]) -> std::process::ExitCode {
    use std::process::ExitCode;
    // Die quietly on a closed pipe (`hetsim policies | head`) like other Unix tools,
    // instead of panicking in println!.
    #[cfg(unix)]
    // SAFETY: setting a signal disposition to its default before any threads start.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    if let Err(e) = crate::policy::install(extra) {
        eprintln!("error: {e}");
        return ExitCode::from(1);
    }
    signals::install();
    let cli = Cli::parse();
    match main_with(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit_code(&e))
        }
    }
}

/// Refuses an LLM serving run folder (requests.csv, no devices.csv) where a job run
/// is expected, saying `why` (exit code 2).
fn refuse_serving_folder(dir: &std::path::Path, why: &str) -> Result<(), Usage> {
    if dir.join("requests.csv").is_file() && !dir.join("devices.csv").exists() {
        return Err(Usage(
            format!("{} is an LLM serving run folder: {why}", dir.display()).into(),
        ));
    }
    Ok(())
}

/// The process exit code of an error: 2 when the user's input is at fault (an
/// input error anywhere in the chain, a trace that cannot be imported, a [`Usage`]
/// error), 1 otherwise.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    let input = e.chain().any(|c| {
        c.is::<crate::scenario::InputError>()
            || c.is::<crate::trace::TraceError>()
            || c.is::<Usage>()
            || folder_usage(c)
            || c.downcast_ref::<crate::sweep::SweepError>()
                .is_some_and(crate::sweep::SweepError::is_input)
    });
    if input { 2 } else { 1 }
}

/// Whether `e` is an output path the user chose that hetsim cannot write (a busy
/// folder, a dangling link, a foreign folder). The error types that wrap a
/// [`FolderError`](crate::output::FolderError) display it transparently, which also
/// hides it from the error chain, so each wrapper is looked into here.
fn folder_usage(e: &(dyn std::error::Error + 'static)) -> bool {
    use crate::output::FolderError;
    let f: Option<&FolderError> = e
        .downcast_ref::<FolderError>()
        .or_else(|| match e.downcast_ref::<crate::run::RunError>() {
            Some(crate::run::RunError::Folder(f)) => Some(f),
            _ => None,
        })
        .or_else(|| match e.downcast_ref::<crate::sweep::SweepError>() {
            Some(crate::sweep::SweepError::Folder(f)) => Some(f),
            _ => None,
        })
        .or_else(|| match e.downcast_ref::<crate::report::ReportError>() {
            Some(crate::report::ReportError::Folder(f)) => Some(f),
            _ => None,
        });
    f.is_some_and(FolderError::is_usage)
}

/// An error and its causes as `error: cause: cause` (what `{:#}` prints for an
/// `anyhow::Error`).
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}
