//! Charts of a run folder (PNG and SVG, drawn with plotters and the bundled DejaVu
//! font) and the `index.html` report that shows them.
//!
//! The pipeline has three stages, each in its own module:
//! 1. [`read`] streams the run folder's files once into reduced series (memory stays
//!    bounded for any number of jobs; files of 8 MB and more are read in 8 chunks in
//!    parallel, whose mergeable accumulators give the same result on any machine);
//! 2. each chart, one file per chart implementing [`Chart`] and listed in
//!    [`registry::CHARTS`], turns those into the data it draws with a pure function,
//!    and draws it on any plotters backend;
//! 3. [`draw_charts`] writes `charts/<name>.png|svg`; `report::plot::draw_run` also
//!    writes `index.html` (`report::html`). This module depends on neither, so the
//!    HTML page depends on the charts' output list and not the reverse.
//!
//! `hetsim run` calls `draw_run` on the fresh run folder; `hetsim plot` calls it on
//! an existing one, so a restyle never needs a rerun.
//!
//! # Adding a chart
//! Write `charts/<name>.rs` with the chart's data struct, `impl Drawable` and
//! `impl Chart`, declare the module below and add one line to [`registry::CHARTS`].
//!
//! # Limits and methods (also stated in the report)
//! - Time series with more than two rows per pixel column are drawn as one segment
//!   per column: the time-weighted mean, and a band from the minimum to the maximum
//!   inside the column, so peaks are never dropped and energy integrals stay exact.
//! - Utilisation per class comes from power.csv's `<class>_busy_devices` columns when
//!   the run has them. Otherwise it is rebuilt from jobs.csv: a device is busy from its
//!   job's start to its end, which is how the simulation counts busy time (the exact
//!   step function for runs of at most [`read::ReadOptions::gantt_max_jobs`] jobs,
//!   else the exact mean busy fraction in each pixel column). The reader checks the
//!   rebuilt busy time against devices.csv and says in the report if they differ
//!   (jobs split into parts that end at different times are recorded as one interval).
//! - Response-time CDFs keep up to 4096 values per kind exactly, then switch to a
//!   histogram with buckets at most 0.8 % wide (drawn at their upper edge).
//! - The Gantt chart is drawn for runs of at most 64 devices and 2000 jobs.

pub mod energy;
pub mod gantt;
pub mod heatmap;
pub mod lines;
pub mod power;
pub mod power_states;
pub mod queue;
pub mod read;
pub mod registry;
pub mod response_cdf;
pub mod series;
pub mod utilization;

use crate::report::error::Result;
use read::RunData;
pub use registry::{CHARTS, Chart, Figure, Skip};
use std::path::Path;

/// Folder of the chart files inside a run folder.
pub const CHART_DIR: &str = "charts";

/// One drawn chart.
#[derive(Clone, Debug)]
pub struct Drawn {
    /// File stem (`charts/<stem>.png` and `.svg`).
    pub stem: String,
    /// Title.
    pub title: String,
    /// The SVG document (inlined into the HTML report).
    pub svg: String,
    /// What the chart shows and how it was reduced, for the report.
    pub caption: String,
}

/// The charts of a run and the ones that were not drawn.
#[derive(Clone, Debug, Default)]
pub struct Charts {
    /// Drawn charts, in report order.
    pub charts: Vec<Drawn>,
    /// Charts not drawn: (title, reason).
    pub skipped: Skipped,
}

/// Charts not drawn: (title, reason).
pub type Skipped = Vec<(String, String)>;

/// The figures of a run, in report order, and the ones that cannot be drawn with why.
pub fn figures(run: &RunData) -> (Vec<Box<dyn Figure>>, Skipped) {
    let mut figs = Vec::new();
    let mut skipped = Vec::new();
    for build in CHARTS {
        match build(run) {
            Ok(f) => figs.push(f),
            Err((_, Skip::Quietly)) => {}
            Err((title, Skip::Because(why))) => skipped.push((title.to_string(), why)),
        }
    }
    (figs, skipped)
}

/// Draws every chart of `run` into `dir/<stem>.png|svg`.
pub fn draw_charts(run: &RunData, dir: &Path) -> Result<Charts> {
    let (figs, skipped) = figures(run);
    let mut charts = Charts {
        charts: Vec::new(),
        skipped,
    };
    for fig in &figs {
        let svg = fig.render(dir)?;
        charts.charts.push(Drawn {
            stem: fig.stem().into(),
            title: fig.title(),
            svg,
            caption: fig.caption(run),
        });
    }
    Ok(charts)
}
