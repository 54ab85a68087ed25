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
    /// Label of a run in charts and tables, in run order (repeatable; runs without
    /// one are labelled by their folder name).
    #[arg(long = "label", value_name = "NAME")]
    pub labels: Vec<String>,
}

/// Runs `hetsim compare`.
pub fn main(a: CompareArgs) -> anyhow::Result<()> {
    for d in &a.runs {
        super::refuse_serving_folder(
            d,
            "compare reads job runs; compare serving configurations with \
             `hetsim sweep scenarios/sweeps/llm-serving.yaml` (summary.csv)",
        )?;
    }
    let c = crate::report::compare::compare(&a.runs, &a.labels, a.out.as_deref())?;
    for w in &c.warnings {
        eprintln!("warning: {w}");
    }
    print!("{}", c.table);
    println!(
        "wrote {} (all metrics: {}, {})",
        c.dir.join("index.html").display(),
        crate::report::compare::COMPARISON_CSV,
        crate::report::compare::COMPARISON_MD
    );
    Ok(())
}
