//! `hetsim export batsim RUN_DIR`: a run's jobs in another tool's format.

use clap::{Args, Subcommand};
use std::path::PathBuf;

// The arguments of `hetsim export`.
#[allow(missing_docs)]
#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub format: ExportFormat,
}

/// Formats `hetsim export` writes.
#[derive(Subcommand, Debug)]
pub enum ExportFormat {
    /// Batsim's jobs CSV (`_jobs.csv` columns: job_id, submission_time, starting_time,
    /// finish_time, allocated_resources, consumed_energy ...), which evalys reads.
    /// Example: hetsim export batsim reports/manufacturing --out m_jobs.csv
    Batsim {
        /// A run folder written by `hetsim run`.
        run: PathBuf,
        /// Output file [default: <run>/batsim_jobs.csv].
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs `hetsim export`.
pub fn main(a: ExportArgs) -> anyhow::Result<()> {
    match a.format {
        ExportFormat::Batsim { run, out } => {
            let out = out.unwrap_or_else(|| run.join("batsim_jobs.csv"));
            let f = std::fs::File::create(&out)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", out.display()))?;
            let mut w = std::io::BufWriter::new(f);
            let n = crate::report::export::batsim(&run, &mut w)?;
            std::io::Write::flush(&mut w)?;
            println!("wrote {} ({n} jobs, Batsim jobs CSV)", out.display());
            Ok(())
        }
    }
}
