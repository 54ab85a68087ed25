//! `hetsim compare RUN RUN...`: overlaid charts and a metrics table of run folders.

use clap::Args;
use std::path::PathBuf;

// The arguments of `hetsim compare`.
#[allow(missing_docs)]
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Run folders written by `hetsim run`; the first is the baseline.
    #[arg(required = true, num_args = 2..)]
    pub runs: Vec<PathBuf>,
    /// Output folder [default: reports/compare-<run>-vs-<run>...].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs `hetsim compare`.
pub fn main(a: CompareArgs) -> anyhow::Result<()> {
    let dir = crate::report::compare::compare(&a.runs, a.out.as_deref())?;
    println!("wrote {}", dir.join("index.html").display());
    Ok(())
}
