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
