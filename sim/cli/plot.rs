//! `hetsim plot RUN_DIR`: redraw a run folder's charts and index.html from its files.

use clap::Args;
use std::path::PathBuf;

// The arguments of `hetsim plot`.
#[allow(missing_docs)]
#[derive(Args, Debug)]
pub struct PlotArgs {
    /// Run folder written by `hetsim run`.
    pub run_dir: PathBuf,
}

/// Runs `hetsim plot`.
pub fn main(a: PlotArgs) -> anyhow::Result<()> {
    // A serving run's charts come from the simulation's in-memory records, which its
    // files do not hold whole; say so instead of failing on a missing devices.csv.
    super::refuse_serving_folder(
        &a.run_dir,
        "its charts are drawn when the run is written; run its scenario again with \
         `hetsim run` to redraw them",
    )?;
    let st = crate::report::plot::draw_run(&a.run_dir, None)?;
    println!(
        "drew {} charts in {:.3} s (reading {:.3} s, drawing {:.3} s)",
        st.charts,
        st.read_s + st.draw_s,
        st.read_s,
        st.draw_s
    );
    println!("wrote {}", st.index.display());
    Ok(())
}
