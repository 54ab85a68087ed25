//! Charts of a run folder (PNG and SVG, drawn with plotters and the bundled DejaVu
//! font) and the `index.html` report that shows them.
//!
//! The pipeline has three stages, each in its own module:
//! 1. [`read`] streams the run folder's files once into reduced series (memory stays
//!    bounded for any number of jobs; files of 8 MB and more are read in 8 chunks in
//!    parallel, whose mergeable accumulators give the same result on any machine);
//! 2. [`figures`] turns those into the data each chart draws, with pure functions, and
//!    draws it on any plotters backend;
//! 3. [`draw_run`] writes `charts/<name>.png|svg` and `index.html`
//!    ([`crate::report::html`]).
//!
//! `hetsim run` calls [`draw_run`] on the fresh run folder; `hetsim plot` calls it on
//! an existing one, so a restyle never needs a rerun.
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

pub mod figures;
pub mod read;
pub mod series;
pub mod style;

use crate::model::Scenario;
use anyhow::{Context, Result};
use figures::{
    CdfChart, Drawable, EnergyChart, Figure, GanttChart, LinesChart, PowerChart, UtilizationChart,
};
use plotters::prelude::*;
use read::{ReadOptions, RunData};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Folder of the chart files inside a run folder.
pub const CHART_DIR: &str = "charts";

/// One drawn chart.
#[derive(Clone, Debug)]
pub struct Chart {
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
    pub charts: Vec<Chart>,
    /// Charts not drawn: (title, reason).
    pub skipped: Vec<(String, String)>,
}

/// What [`draw_run`] did, with timings.
#[derive(Clone, Debug)]
pub struct DrawStats {
    /// Charts drawn.
    pub charts: usize,
    /// Seconds spent reading the run's files.
    pub read_s: f64,
    /// Seconds spent drawing and writing charts and the report.
    pub draw_s: f64,
    /// Path of index.html.
    pub index: PathBuf,
}

/// The figures of a run, in report order, and the ones that cannot be drawn with why.
pub fn figures(run: &RunData) -> (Vec<Figure>, Vec<(String, String)>) {
    let mut figs = Vec::new();
    let mut skipped = Vec::new();
    match PowerChart::from_run(run) {
        Some(p) => figs.push(Figure::Power(p)),
        None => skipped.push((
            "Power by device class".into(),
            "power.csv has no rows".into(),
        )),
    }
    if let Some(e) = EnergyChart::from_run(run) {
        figs.push(Figure::Energy(e));
    }
    if let Some(u) = UtilizationChart::from_run(run) {
        figs.push(Figure::Utilization(u));
    }
    if let Some(s) = LinesChart::power_states(run) {
        figs.push(Figure::Lines(s));
    }
    if let Some(q) = LinesChart::queue(run) {
        figs.push(Figure::Lines(q));
    }
    match CdfChart::from_run(run) {
        Some(c) => figs.push(Figure::Cdf(c)),
        None => skipped.push((
            "Response time by job kind (CDF)".into(),
            "no job finished".into(),
        )),
    }
    match GanttChart::from_run(run) {
        Ok(g) => figs.push(Figure::Gantt(g)),
        Err(why) => skipped.push(("Jobs on devices (Gantt)".into(), why)),
    }
    (figs, skipped)
}

/// Draws a figure into `dir/<stem>.png` and `dir/<stem>.svg`; returns the SVG text.
pub fn render<F: Drawable>(fig: &F, dir: &Path) -> Result<String> {
    style::register_fonts();
    let size = fig.size();
    let png = dir.join(format!("{}.png", fig.stem()));
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        root.fill(&WHITE)?;
        fig.draw(&root)
            .with_context(|| format!("drawing {}", png.display()))?;
        root.present()
            .with_context(|| format!("writing {}", png.display()))?;
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        fig.draw(&root)?;
        root.present()?;
    }
    let path = dir.join(format!("{}.svg", fig.stem()));
    std::fs::write(&path, &svg).with_context(|| format!("writing {}", path.display()))?;
    Ok(svg)
}

/// Explains a figure for the report: what it shows and how it was reduced.
pub fn caption(fig: &Figure, run: &RunData) -> String {
    let interval = run
        .scenario
        .as_ref()
        .and_then(|s| s.output.power_interval)
        .map(|d| {
            format!(
                " power.csv holds means over {} intervals.",
                style::duration(d)
            )
        })
        .unwrap_or_default();
    let reduced = |exact: bool| {
        if exact {
            String::new()
        } else {
            " Each pixel column shows the time-weighted mean, and the band spans the minimum to the maximum inside the column, so short peaks stay visible.".to_string()
        }
    };
    match fig {
        Figure::Power(p) => format!(
            "IT power of each device class, stacked; the black line is total IT power and the dashed grey line facility power (IT power times PUE).{}{}{}",
            if p.cap_w.is_some() || p.cap_series.is_some() { " The red dashed line is the IT power cap." } else { "" },
            interval,
            reduced(p.segs.exact)
        ),
        Figure::Energy(e) => format!(
            "Energy drawn since the start, the integral of power.csv; it ends at the summary's energy_it_j and energy_facility_j.{}",
            if e.carbon_g.is_some() || e.cost.is_some() {
                " The lower panel converts facility energy to carbon and cost with the scenario's carbon intensity and price."
            } else {
                ""
            }
        ),
        Figure::Utilization(u) => format!(
            "Share of each class's devices that are busy, {}. {}",
            if run.busy_from_power {
                "from power.csv's per-class busy columns"
            } else {
                "rebuilt from jobs.csv (a device is busy from its job's start to its end, as the simulation counts it)"
            },
            if u.segs.exact {
                "Drawn exactly."
            } else {
                "Each pixel column shows the exact mean over the column."
            }
        ),
        Figure::Lines(l) if l.stem == "queue" => format!(
            "Jobs released and not yet started (policy queue and device queues).{}{}",
            interval,
            reduced(l.segs.exact)
        ),
        Figure::Lines(l) => format!(
            "Devices in each power state, from power.csv's *_devices columns.{}{}",
            interval,
            reduced(l.segs.exact)
        ),
        Figure::Cdf(c) => format!(
            "Fraction of jobs of each kind whose response time (arrival to end) is at most x; dashed vertical lines mark deadlines.{}{}",
            if c.log {
                " The x axis is logarithmic and starts at the 0.1st percentile of the fastest kind."
            } else {
                ""
            },
            if c.kinds.iter().all(|k| k.cdf.exact) {
                ""
            } else {
                " Kinds with more than 4096 jobs are drawn from a histogram whose buckets are at most 0.8 % wide."
            }
        ),
        Figure::Gantt(_) => "Each bar is a job on a device, coloured by job kind and labelled with the job id where it fits; row shading shows the device class.".to_string(),
    }
}

/// Reads a run folder, draws every chart into `charts/` and writes `index.html`.
/// `scenario` is the run's own scenario when the caller has it (see
/// [`read::read_run`]). Files are written to a temporary folder first and moved into
/// place, so a failure leaves the previous charts intact.
pub fn draw_run(dir: &Path, scenario: Option<&Scenario>) -> Result<DrawStats> {
    let t0 = Instant::now();
    let run = read::read_run(dir, scenario, &ReadOptions::default())?;
    let read_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let tmp = dir.join(format!(".charts.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let result = (|| -> Result<Charts> {
        let (figs, skipped) = figures(&run);
        let mut charts = Charts {
            charts: Vec::new(),
            skipped,
        };
        for fig in &figs {
            let svg = render(fig, &tmp)?;
            charts.charts.push(Chart {
                stem: fig.stem().into(),
                title: fig.title(),
                svg,
                caption: caption(fig, &run),
            });
        }
        let html = crate::report::html::index(&run, &charts);
        std::fs::write(tmp.join("index.html"), html)?;
        Ok(charts)
    })();
    let charts = match result {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    let index = dir.join("index.html");
    std::fs::rename(tmp.join("index.html"), &index)?;
    let target = dir.join(CHART_DIR);
    if target.exists() {
        std::fs::remove_dir_all(&target)
            .with_context(|| format!("cannot replace {}", target.display()))?;
    }
    std::fs::rename(&tmp, &target)
        .with_context(|| format!("cannot move charts into {}", target.display()))?;
    Ok(DrawStats {
        charts: charts.charts.len(),
        read_s,
        draw_s: t1.elapsed().as_secs_f64(),
        index,
    })
}
