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
    // A serving-only run folder (requests.csv, no job files): its four charts.
    let d = &a.run_dir;
    if d.join("requests.csv").is_file() && !d.join("devices.csv").exists() {
        let n = crate::report::charts::serving::redraw_folder(d)?;
        println!("drew {n} charts");
        println!(
            "wrote {}",
            d.join(crate::report::charts::CHART_DIR).display()
        );
        return Ok(());
    }
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
