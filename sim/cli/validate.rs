//! `hetsim validate FILE...`: check scenario files without running them.

use super::Usage;
use crate::report::terminal::plural;
use crate::scenario;
use clap::Args;
use std::path::PathBuf;

// The arguments of `hetsim validate`.
#[allow(missing_docs)]
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub budget: super::run::BudgetArgs,
}

/// Runs `hetsim validate`: one line per file on stdout, errors on stderr.
pub fn main(a: ValidateArgs) -> anyhow::Result<()> {
    let mut failed = false;
    for f in a.files {
        match scenario::load_with_budget(&f, &[], &a.budget.budget()) {
            Ok(l) => {
                let s = &l.scenario;
                let n = |v: usize, one: &str, many: &str| plural(v as u64, one, many);
                println!(
                    "{}: ok ({}, {}, {}, {}, policy {})",
                    f.display(),
                    n(s.classes.len(), "device class", "device classes"),
                    plural(s.device_count(), "device", "devices"),
                    n(s.kinds.len(), "job kind", "job kinds"),
                    n(s.jobs.len(), "listed job", "listed jobs"),
                    s.policy.name
                );
                if let Err(e) = crate::run::check_policies(&l) {
                    eprintln!("error: {e}");
                    failed = true;
                }
                for w in crate::metrics::scenario_warnings(s) {
                    eprintln!("warning: {}: {w}", f.display());
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    if failed {
        return Err(Usage("validation failed".into()).into());
    }
    Ok(())
}
