//! `hetsim validate FILE...`: check scenario files without running them.

use super::Usage;
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
                println!(
                    "{}: ok ({} device classes, {} devices, {} job kinds, {} listed jobs, policy {})",
                    f.display(),
                    s.classes.len(),
                    s.device_count(),
                    s.kinds.len(),
                    s.jobs.len(),
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
