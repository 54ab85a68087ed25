//! `hetsim compare`: overlays several run folders (for example one scenario under
//! different policies) and writes charts plus an HTML page with the metrics of every
//! run and their differences relative to the first (the baseline).
//!
//! Runs are read with the same streaming reader as the run report, so comparing large
//! runs costs about as much as plotting each. The output folder is written like a run
//! folder: into a temporary sibling, moved into place at the end.

use crate::output::StagedFolder;
use crate::report::charts::CHART_DIR;
use crate::report::charts::read::{ReadOptions, RunData, read_run};
use crate::report::charts::response_cdf::{CdfChart, KindCdf, draw_cdf};
use crate::report::charts::series::steps;
use crate::report::error::{Context, ReportError, Result};
use crate::report::kit::axes::{
    self as figures, Axis, Swatch, cartesian, text_font, time_axis, zero_axis,
};
use crate::report::kit::html::{esc, head, inline_svg};
use crate::report::kit::render::{Drawable, render};
use crate::report::kit::style::{self, Unit, css, run_color, tick};
use crate::report::metric;
use crate::schema::{power as power_cols, summary as keys};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod table;
pub use table::{Row, comparison_csv, markdown, rows, warnings};

/// One run in a comparison.
#[derive(Clone, Debug)]
pub struct Labeled {
    /// Short unique label (the folder name, numbered if two folders share a name).
    pub label: String,
    /// The run's data.
    pub run: RunData,
}

/// What a curve chart measures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Quantity {
    /// Energy, J.
    Energy,
    /// Power, W.
    Power,
}

/// One run's curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Run label.
    pub label: String,
    /// Colour.
    pub color: RGBColor,
    /// Points `(t s, value)`.
    pub points: Vec<(f64, f64)>,
    /// A dashed companion curve (facility energy when it differs from IT energy).
    pub dashed: Option<Vec<(f64, f64)>>,
}

/// Curves of several runs over time.
#[derive(Clone, Debug, PartialEq)]
pub struct Curves {
    /// File stem.
    pub stem: &'static str,
    /// Title.
    pub title: String,
    /// What the y values are.
    pub quantity: Quantity,
    /// End of the time axis, s.
    pub end_s: f64,
    /// One curve per run.
    pub curves: Vec<Curve>,
}

impl Curves {
    /// Cumulative IT energy of each run (with facility energy dashed when it differs).
    pub fn energy(runs: &[Labeled]) -> Curves {
        let curves = runs
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let it = r.run.power_col(power_cols::IT_W)?;
                let fac = r
                    .run
                    .power_col(power_cols::FACILITY_W)
                    .map(|k| r.run.power.cumulative(k))
                    .filter(|f| {
                        let (a, b) = (f.last().map_or(0.0, |p| p.1), r.run.num(keys::ENERGY_IT_J));
                        b.is_some_and(|b| (a - b).abs() > 1e-9 * (1.0 + b.abs()))
                    });
                Some(Curve {
                    label: r.label.clone(),
                    color: run_color(i),
                    points: r.run.power.cumulative(it),
                    dashed: fac,
                })
            })
            .collect();
        Curves {
            stem: "energy",
            title: "Cumulative energy".into(),
            quantity: Quantity::Energy,
            end_s: end(runs),
            curves,
        }
    }

    /// IT power of each run (mean per pixel column for long runs).
    pub fn power(runs: &[Labeled]) -> Curves {
        let curves = runs
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let it = r.run.power_col(power_cols::IT_W)?;
                let p = steps(&r.run.power.segs, &r.run.power.tracks[it].mean, 1.0, 1.0);
                Some(Curve {
                    label: r.label.clone(),
                    color: run_color(i),
                    points: p,
                    dashed: None,
                })
            })
            .collect();
        Curves {
            stem: "power",
            title: "IT power".into(),
            quantity: Quantity::Power,
            end_s: end(runs),
            curves,
        }
    }
}

fn end(runs: &[Labeled]) -> f64 {
    runs.iter().map(|r| r.run.power.end_s).fold(0.0, f64::max)
}

/// Response-time CDFs: one panel per job kind, one line per run.
#[derive(Clone, Debug, PartialEq)]
pub struct CdfPanels {
    /// Panels: kind name and its chart.
    pub panels: Vec<(String, CdfChart)>,
}

impl CdfPanels {
    /// Panels for every kind that finished jobs in some run, in the first run's order.
    pub fn new(runs: &[Labeled]) -> CdfPanels {
        let mut kinds: Vec<String> = Vec::new();
        for r in runs {
            for k in &r.run.kinds {
                if !kinds.contains(&k.name) {
                    kinds.push(k.name.clone());
                }
            }
        }
        let panels = kinds
            .into_iter()
            .filter_map(|name| {
                let lines = runs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| {
                        let k = r.run.kinds.iter().find(|k| k.name == name)?;
                        Some(KindCdf {
                            name: r.label.clone(),
                            color: run_color(i),
                            cdf: k.cdf.clone(),
                            deadlines: k.deadlines.values_s(),
                            varied: k.deadlines.varied,
                            with_deadline: k.deadlines.with_deadline,
                            met: k.deadlines.met,
                        })
                    })
                    .collect();
                CdfChart::new(lines).map(|mut c| {
                    c.name_deadlines = false;
                    (name, c)
                })
            })
            .collect();
        CdfPanels { panels }
    }

    fn cols(&self) -> usize {
        if self.panels.len() > 1 { 2 } else { 1 }
    }
}

/// A chart of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum CompareFigure {
    /// Energy or power curves.
    Curves(Curves),
    /// CDF panels.
    Cdf(CdfPanels),
}

impl Drawable for CompareFigure {
    fn stem(&self) -> &'static str {
        match self {
            CompareFigure::Curves(c) => c.stem,
            CompareFigure::Cdf(_) => "response_cdf",
        }
    }

    fn title(&self) -> String {
        match self {
            CompareFigure::Curves(c) => c.title.clone(),
            CompareFigure::Cdf(_) => "Response time by job kind (CDF)".into(),
        }
    }

    fn size(&self) -> (u32, u32) {
        match self {
            CompareFigure::Curves(_) => (figures::WIDTH, figures::HEIGHT),
            CompareFigure::Cdf(p) => {
                let rows = p.panels.len().div_ceil(p.cols()) as u32;
                (figures::WIDTH, 60 + rows * 520)
            }
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        match self {
            CompareFigure::Curves(c) => draw_curves(root, c),
            CompareFigure::Cdf(p) => {
                let (head, body) = root.split_vertically(60);
                head.draw(&Text::new(
                    self.title(),
                    (figures::WIDTH as i32 / 2, 30),
                    text_font(30).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    )),
                ))?;
                let cols = p.cols();
                let rows = p.panels.len().div_ceil(cols);
                let areas = body.split_evenly((rows, cols));
                for ((name, chart), area) in p.panels.iter().zip(areas) {
                    draw_cdf(&area, &format!("job kind {name}"), chart)?;
                }
                Ok(())
            }
        }
    }
}

fn draw_curves<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &Curves) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let max = c
        .curves
        .iter()
        .flat_map(|x| {
            x.points
                .iter()
                .chain(x.dashed.iter().flatten())
                .map(|p| p.1)
        })
        .fold(0.0, f64::max);
    let (u, what) = match c.quantity {
        Quantity::Energy => (style::energy_unit(max), "energy"),
        Quantity::Power => (style::power_unit(max), "IT power"),
    };
    let mut legend: Vec<(String, Swatch)> = c
        .curves
        .iter()
        .map(|cv| {
            let s = match c.quantity {
                Quantity::Energy => format!(
                    "{}: {}",
                    cv.label,
                    style::with_unit(cv.points.last().map_or(0.0, |p| p.1), u)
                ),
                Quantity::Power => cv.label.clone(),
            };
            (s, Swatch::Line(cv.color, false))
        })
        .collect();
    if c.curves.iter().any(|x| x.dashed.is_some()) {
        legend.push((
            "dashed: facility energy (IT × PUE)".into(),
            Swatch::Line(RGBColor(110, 110, 110), true),
        ));
    }
    let plot = figures::with_legend(root, &legend)?;
    let tu = style::time_unit(c.end_s);
    let f = |v: &f64| tick(*v);
    let y: Axis<'_> = zero_axis(max / u.div, format!("{what} ({})", u.label), &f);
    let mut chart = cartesian(&plot, &c.title, time_axis(c.end_s, tu, &f), y)?;
    let scale = |v: &[(f64, f64)], u: Unit| -> Vec<(f64, f64)> {
        v.iter().map(|p| (p.0 / tu.div, p.1 / u.div)).collect()
    };
    let n = c.curves.len();
    for (i, cv) in c.curves.iter().enumerate() {
        // Earlier runs are drawn wider, so a run identical to a later one still shows
        // around it.
        let width = 2 + 2 * (n - 1 - i).min(2) as u32;
        chart.draw_series(LineSeries::new(
            scale(&cv.points, u),
            cv.color.stroke_width(width),
        ))?;
        if let Some(d) = &cv.dashed {
            figures::dashed(&mut chart, scale(d, u), cv.color.stroke_width(width))?;
        }
    }
    Ok(())
}

/// Unique short labels: folder names, numbered when two are equal.
pub fn labels(dirs: &[PathBuf]) -> Vec<String> {
    let base: Vec<String> = dirs
        .iter()
        .map(|d| {
            let d = std::fs::canonicalize(d).unwrap_or_else(|_| d.clone());
            d.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| d.display().to_string())
        })
        .collect();
    base.iter()
        .enumerate()
        .map(|(i, b)| {
            if base.iter().filter(|x| *x == b).count() > 1 {
                format!("{b} #{}", i + 1)
            } else {
                b.clone()
            }
        })
        .collect()
}

/// Default output folder: `reports/compare-<a>-vs-<b>...`.
pub fn default_out(labels: &[String]) -> PathBuf {
    let mut name = String::from("compare-");
    name.push_str(&labels.join("-vs-"));
    let mut clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    clean.truncate(120);
    Path::new("reports").join(clean)
}

/// The comparison page.
pub fn page(runs: &[Labeled], charts: &[(String, String, String)]) -> String {
    let mut out = head(&format!("Comparison of {} hetsim runs", runs.len()));
    let _ = writeln!(out, "<header>\n<h1>Comparison of {} runs</h1>", runs.len());
    let _ = writeln!(
        out,
        "<p class=\"meta\">Differences are from the first run, <b>{}</b>: absolute (percentage points for rates), then relative where the baseline is not near zero. The wall-clock time is left out (it varies run to run).</p>\n</header>",
        esc(&runs[0].label)
    );
    for w in warnings(runs) {
        let _ = writeln!(out, "<p class=\"note\"><b>Warning:</b> {}</p>", esc(&w));
    }
    out.push_str("<h2>Runs</h2>\n<table><tr><th>run</th><th>folder</th><th>scenario</th><th>policy</th><th class=\"r\">seed</th><th class=\"r\">jobs</th><th class=\"r\">devices</th></tr>\n");
    for (i, r) in runs.iter().enumerate() {
        let _ = writeln!(
            out,
            "<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
            css(run_color(i)),
            esc(&r.label),
            esc(&r.run.dir.display().to_string()),
            esc(&r.run.text("scenario")),
            esc(&r.run.text("policy")),
            esc(&r.run.text("seed")),
            style::count(r.run.num(keys::JOBS_COMPLETED).unwrap_or(0.0) as u64),
            style::count(r.run.device_count()),
        );
    }
    out.push_str("</table>\n<h2 id=\"metrics\">Metrics</h2>\n<table><tr><th>metric</th>");
    for (i, r) in runs.iter().enumerate() {
        let _ = write!(
            out,
            "<th class=\"r\"><span class=\"swatch\" style=\"background:{}\"></span>{}</th>",
            css(run_color(i)),
            esc(&r.label)
        );
        if i > 0 {
            out.push_str("<th class=\"r\">vs first</th>");
        }
    }
    out.push_str("</tr>\n");
    for row in rows(runs) {
        let m = metric::lookup(&row.key);
        let _ = write!(
            out,
            "<tr><td title=\"{}\">{}</td>",
            esc(&row.key),
            esc(&m.label)
        );
        for i in 0..runs.len() {
            let exact = row.values[i]
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default();
            let _ = write!(
                out,
                "<td class=\"r\" title=\"{}\">{}</td>",
                esc(&exact),
                esc(&row.shown(i))
            );
            if i > 0 {
                let (abs, rel) = row.diff(i);
                let d = match rel {
                    Some(rel) => format!("{abs} ({rel})"),
                    None => abs,
                };
                let _ = write!(out, "<td class=\"r num\">{}</td>", esc(&d));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n<h2>Charts</h2>\n");
    for (stem, title, svg) in charts {
        let _ = writeln!(
            out,
            "<figure class=\"chart\" id=\"fig-{stem}\">\n{}\n<figcaption><b>{}.</b> <a href=\"{CHART_DIR}/{stem}.png\">PNG</a> · <a href=\"{CHART_DIR}/{stem}.svg\">SVG</a></figcaption>\n</figure>",
            inline_svg(svg, title),
            esc(title),
            stem = esc(stem),
        );
    }
    for r in runs {
        for n in &r.run.notes {
            let _ = writeln!(out, "<p class=\"note\">{}: {}</p>", esc(&r.label), esc(n));
        }
    }
    let _ = writeln!(
        out,
        "<footer>Generated by hetsim {} (<code>hetsim compare</code>). No scripts, no network.</footer>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    out
}

/// comparison.csv: every metric of every run with its differences.
pub const COMPARISON_CSV: &str = "comparison.csv";
/// comparison.md: the same as a markdown table, ready for a paper's draft.
pub const COMPARISON_MD: &str = "comparison.md";

/// What [`compare`] wrote.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The comparison folder.
    pub dir: PathBuf,
    /// The headline metrics as a markdown table (the CLI prints it).
    pub table: String,
    /// Warnings (different scenarios or accounting windows).
    pub warnings: Vec<String>,
}

/// Compares run folders and writes the comparison folder. `names` label the runs
/// (`--label`); runs without one are labelled by their folder name.
pub fn compare(dirs: &[PathBuf], names: &[String], out: Option<&Path>) -> Result<Comparison> {
    if dirs.len() < 2 {
        return Err(ReportError::Data(
            "compare needs at least two run folders".into(),
        ));
    }
    if names.len() > dirs.len() {
        return Err(ReportError::Data(format!(
            "{} labels for {} run folders",
            names.len(),
            dirs.len()
        )));
    }
    // No Gantt charts in comparisons.
    let opts = ReadOptions {
        gantt_max_devices: 0,
        ..ReadOptions::default()
    };
    let mut labels = labels(dirs);
    for (l, n) in labels.iter_mut().zip(names) {
        *l = n.clone();
    }
    if let Some(dup) = labels
        .iter()
        .enumerate()
        .find(|(i, l)| labels[..*i].contains(l))
    {
        return Err(ReportError::Data(format!(
            "two runs are labelled {:?}; give each a distinct --label",
            dup.1
        )));
    }
    let mut runs = Vec::with_capacity(dirs.len());
    for (d, label) in dirs.iter().zip(&labels) {
        let run =
            read_run(d, None, &opts).with_context(|| format!("reading run {}", d.display()))?;
        runs.push(Labeled {
            label: label.clone(),
            run,
        });
    }
    let target = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| default_out(&labels));
    let staging = StagedFolder::run(&target)?;
    let chart_dir = staging.dir().join(CHART_DIR);
    std::fs::create_dir(&chart_dir)?;
    let figs = [
        CompareFigure::Curves(Curves::energy(&runs)),
        CompareFigure::Curves(Curves::power(&runs)),
        CompareFigure::Cdf(CdfPanels::new(&runs)),
    ];
    let mut charts = Vec::new();
    for f in &figs {
        if let CompareFigure::Cdf(p) = f
            && p.panels.is_empty()
        {
            continue;
        }
        let svg = render(f, &chart_dir)?;
        charts.push((f.stem().to_string(), f.title(), svg));
    }
    let rows = rows(&runs);
    std::fs::write(
        staging.dir().join(COMPARISON_CSV),
        comparison_csv(&runs, &rows)?,
    )?;
    std::fs::write(
        staging.dir().join(COMPARISON_MD),
        markdown(&runs, &rows, true),
    )?;
    std::fs::write(staging.dir().join("index.html"), page(&runs, &charts))?;
    let dir = staging.commit()?;
    Ok(Comparison {
        dir,
        table: markdown(&runs, &rows, false),
        warnings: warnings(&runs),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_unique() {
        let l = labels(&[
            PathBuf::from("/nonexistent/a/run"),
            PathBuf::from("/nonexistent/b/run"),
            PathBuf::from("/nonexistent/c"),
        ]);
        assert_eq!(l, vec!["run #1", "run #2", "c"]);
        assert_eq!(
            default_out(&l),
            PathBuf::from("reports/compare-run__1-vs-run__2-vs-c")
        );
    }
}
