//! Sweep charts (SVG and PNG, plotters): each chart metric against each numeric axis,
//! one line per series value (policy by default) with a 95% CI band, one chart per
//! combination of the other axes; and the Pareto front of two metrics.
//!
//! Plotters is built without system fonts: the bundled DejaVu Sans is registered as
//! `sans-serif` by the report kit's [`register_fonts`] before drawing.

use super::aggregate::{Aggregate, ParetoPoint};
use super::plan::Manifest;
use crate::report::error::{ReportError, Result};
use crate::report::kit::axes::{Axis, Coord, Swatch, cartesian, dashed, nice_ticks, with_legend};
use crate::report::kit::style::{register_fonts, series_color, tick};
use crate::report::metric;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Chart size in pixels (SVG and PNG): the run charts' size.
pub const SIZE: (u32, u32) = (
    crate::report::kit::axes::WIDTH,
    crate::report::kit::axes::HEIGHT,
);

/// What kind of chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Metric against a numeric axis.
    Metric,
    /// The Pareto front.
    Pareto,
}

/// One drawn chart (both `charts/<stem>.svg` and `charts/<stem>.png`).
#[derive(Clone, Debug)]
pub struct ChartInfo {
    /// Kind.
    pub kind: Kind,
    /// The metric (y), or the Pareto y metric.
    pub metric: String,
    /// The axis (x), or the Pareto x metric.
    pub axis: String,
    /// Title drawn on the chart.
    pub title: String,
    /// File stem inside `charts/`.
    pub stem: String,
}

/// One line: (x, mean, ci95 half-width) points sorted by x.
struct Line {
    label: String,
    pts: Vec<(f64, f64, Option<f64>)>,
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Axis value indices of a point (mixed radix, first axis slowest).
fn indices(m: &Manifest, point: usize) -> Vec<usize> {
    let mut idx = point;
    let mut out = vec![0; m.axes.len()];
    for (i, a) in m.axes.iter().enumerate().rev() {
        out[i] = idx % a.values.len();
        idx /= a.values.len();
    }
    out
}

/// Draws every chart into `dir`; returns them in drawing order.
pub fn draw_all(
    dir: &Path,
    m: &Manifest,
    agg: &Aggregate,
    pareto: &[ParetoPoint],
) -> Result<Vec<ChartInfo>> {
    register_fonts();
    let mut out = Vec::new();
    let series = m
        .series
        .as_ref()
        .and_then(|s| m.axes.iter().position(|a| &a.path == s));
    let idx: Vec<Vec<usize>> = (0..m.points).map(|p| indices(m, p)).collect();
    for mi in chart_metrics(m, agg) {
        let metric = &agg.metrics[mi];
        for (xa, axis) in m.axes.iter().enumerate() {
            if !axis.numeric || axis.values.len() < 2 || Some(xa) == series {
                continue;
            }
            let others: Vec<usize> = (0..m.axes.len())
                .filter(|&a| a != xa && Some(a) != series)
                .collect();
            let mut slices: Vec<Vec<usize>> = Vec::new();
            for iv in &idx {
                let key: Vec<usize> = others.iter().map(|&a| iv[a]).collect();
                if !slices.contains(&key) {
                    slices.push(key);
                }
            }
            for slice in &slices {
                let n_series = series.map_or(1, |s| m.axes[s].values.len());
                let mut lines = Vec::new();
                for sv in 0..n_series {
                    let mut pts = Vec::new();
                    for (p, iv) in idx.iter().enumerate() {
                        let in_slice = others.iter().zip(slice).all(|(&a, &v)| iv[a] == v);
                        let in_series = series.is_none_or(|s| iv[s] == sv);
                        if !(in_slice && in_series) {
                            continue;
                        }
                        let Some(x) = axis.values[iv[xa]].as_f64() else {
                            continue;
                        };
                        if let Some(s) = agg.stat(p, mi) {
                            pts.push((x, s.mean, s.ci95));
                        }
                    }
                    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                    let label = match series {
                        Some(s) => super::plan::cell(&m.axes[s].values[sv]),
                        None => "mean".to_string(),
                    };
                    if !pts.is_empty() {
                        lines.push(Line { label, pts });
                    }
                }
                let fixed = fixed_text(m, &others, slice);
                let mlabel = metric::lookup(metric).label;
                let xl = axis_label(m, &axis.path);
                let xl = match xl.rfind(" (") {
                    Some(i) if xl.ends_with(')') => xl[..i].to_string(),
                    _ => xl,
                };
                let mut title = format!("{mlabel} vs {xl}");
                if !fixed.is_empty() {
                    title.push_str(&format!(" ({})", fixed.join(", ")));
                }
                let mut stem = format!("{}-vs-{}", slug(metric), slug(&short(&axis.path)));
                if slices.len() > 1 {
                    stem.push_str(&format!("-at-{}", slug(&fixed_stem(m, &others, slice))));
                }
                let max_abs = lines
                    .iter()
                    .flat_map(|l| l.pts.iter().map(|p| p.1.abs()))
                    .fold(0.0, f64::max);
                let integer = axis
                    .values
                    .iter()
                    .all(|v| v.as_f64().is_some_and(|x| x.fract() == 0.0));
                let spec = Spec::Lines {
                    title: &title,
                    x: AxisInfo {
                        label: axis_label(m, &axis.path),
                        integer,
                    },
                    y: MetricAxis::new(m, metric, max_abs),
                    lines: &lines,
                };
                draw_both(dir, &stem, &spec)?;
                out.push(ChartInfo {
                    kind: Kind::Metric,
                    metric: metric.clone(),
                    axis: axis.path.clone(),
                    title,
                    stem,
                });
            }
        }
    }
    if !pareto.is_empty() {
        out.extend(draw_pareto(dir, m, pareto, series, &idx)?);
    }
    Ok(out)
}

/// "name = value" of the fixed axes of a chart, for titles: the sweep file's label
/// or the path's last segment, so titles stay on one line.
fn fixed_text(m: &Manifest, others: &[usize], slice: &[usize]) -> Vec<String> {
    others
        .iter()
        .zip(slice)
        .map(|(&a, &v)| {
            let path = &m.axes[a].path;
            let name = m.labels.get(path).cloned().unwrap_or_else(|| {
                let segs: Vec<&str> = path.split('.').collect();
                let n = segs.len();
                // "server count" rather than just "count".
                if n >= 2 && ["count", "rate", "name"].contains(&segs[n - 1]) {
                    format!("{} {}", segs[n - 2], segs[n - 1])
                } else {
                    segs[n - 1].to_string()
                }
            });
            format!("{name} = {}", super::plan::cell(&m.axes[a].values[v]))
        })
        .collect()
}

/// "leaf=value" of the fixed axes, for file names.
fn fixed_stem(m: &Manifest, others: &[usize], slice: &[usize]) -> String {
    others
        .iter()
        .zip(slice)
        .map(|(&a, &v)| {
            format!(
                "{}={}",
                m.axes[a].path.rsplit('.').next().unwrap_or(""),
                super::plan::cell(&m.axes[a].values[v])
            )
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// One Pareto chart per combination of the axes other than the series, each with
/// its own front (points of different loads are not compared with each other).
fn draw_pareto(
    dir: &Path,
    m: &Manifest,
    pareto: &[ParetoPoint],
    series: Option<usize>,
    idx: &[Vec<usize>],
) -> Result<Vec<ChartInfo>> {
    let others: Vec<usize> = (0..m.axes.len()).filter(|&a| Some(a) != series).collect();
    let mut slices: Vec<Vec<usize>> = Vec::new();
    for p in pareto {
        let key: Vec<usize> = others.iter().map(|&a| idx[p.point][a]).collect();
        if !slices.contains(&key) {
            slices.push(key);
        }
    }
    let mut out = Vec::new();
    for slice in &slices {
        let pts: Vec<&ParetoPoint> = pareto
            .iter()
            .filter(|p| {
                others
                    .iter()
                    .zip(slice)
                    .all(|(&a, &v)| idx[p.point][a] == v)
            })
            .collect();
        let mut groups: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
        for p in &pts {
            let label = match series {
                Some(s) => super::plan::cell(&m.axes[s].values[idx[p.point][s]]),
                None => "points".into(),
            };
            match groups.iter_mut().find(|g| g.0 == label) {
                Some(g) => g.1.push((p.x, p.y)),
                None => groups.push((label, vec![(p.x, p.y)])),
            }
        }
        let mut front: Vec<(f64, f64)> = pts
            .iter()
            .filter(|p| {
                !pts.iter()
                    .any(|q| q.x <= p.x && q.y <= p.y && (q.x < p.x || q.y < p.y))
            })
            .map(|p| (p.x, p.y))
            .collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0));
        let fixed = fixed_text(m, &others, slice);
        let mut title = format!(
            "{} vs {}",
            metric::lookup(&m.pareto.y).label,
            metric::lookup(&m.pareto.x).label
        );
        if !fixed.is_empty() {
            title.push_str(&format!(" ({})", fixed.join(", ")));
        }
        let mut stem = format!("pareto-{}-vs-{}", slug(&m.pareto.y), slug(&m.pareto.x));
        if slices.len() > 1 {
            stem.push_str(&format!("-at-{}", slug(&fixed_stem(m, &others, slice))));
        }
        let maxx = pts.iter().map(|p| p.x.abs()).fold(0.0, f64::max);
        let maxy = pts.iter().map(|p| p.y.abs()).fold(0.0, f64::max);
        let spec = Spec::Pareto {
            title: &title,
            x: MetricAxis::new(m, &m.pareto.x, maxx),
            y: MetricAxis::new(m, &m.pareto.y, maxy),
            groups: &groups,
            front: &front,
        };
        draw_both(dir, &stem, &spec)?;
        out.push(ChartInfo {
            kind: Kind::Pareto,
            metric: m.pareto.y.clone(),
            axis: m.pareto.x.clone(),
            title,
            stem,
        });
    }
    Ok(out)
}

/// The last two segments of a field path (`arrival.rate`), for file names.
fn short(path: &str) -> String {
    let segs: Vec<&str> = path.split('.').collect();
    segs[segs.len().saturating_sub(2)..].join(".")
}

/// A chart to draw on any backend.
enum Spec<'a> {
    Lines {
        title: &'a str,
        x: AxisInfo,
        y: MetricAxis,
        lines: &'a [Line],
    },
    Pareto {
        title: &'a str,
        x: MetricAxis,
        y: MetricAxis,
        groups: &'a [(String, Vec<(f64, f64)>)],
        front: &'a [(f64, f64)],
    },
}

/// A parameter axis: its label and whether every value is a whole number.
#[derive(Clone, Debug)]
struct AxisInfo {
    label: String,
    integer: bool,
}

/// A metric axis: label with unit, the unit's divisor, integer ticks.
#[derive(Clone, Debug)]
struct MetricAxis {
    label: String,
    div: f64,
    integer: bool,
}

impl MetricAxis {
    fn new(m: &Manifest, key: &str, max_abs: f64) -> MetricAxis {
        let info = metric::lookup(key);
        let unit = metric::unit(info.quantity, max_abs);
        let label = match m.labels.get(key) {
            Some(l) => l.clone(),
            None => metric::axis_label(&info, unit),
        };
        MetricAxis {
            label,
            div: unit.map_or(1.0, |u| u.div),
            integer: metric::integer_axis(info.quantity),
        }
    }
}

/// The readable label of a sweep axis: the sweep file's `labels:` entry, else one
/// made from the field path.
pub fn axis_label(m: &Manifest, path: &str) -> String {
    m.labels
        .get(path)
        .cloned()
        .unwrap_or_else(|| metric::param_label(path))
}

/// Draws `spec` to `dir/<stem>.svg` and `dir/<stem>.png`, in the run charts' style.
fn draw_both(dir: &Path, stem: &str, spec: &Spec) -> Result<()> {
    let svg = dir.join(format!("{stem}.svg"));
    {
        let root = SVGBackend::new(&svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        draw_spec(&root, spec)
            .map_err(|e| ReportError::Draw(format!("chart {}: {e}", svg.display())))?;
        root.present()?;
    }
    let png = dir.join(format!("{stem}.png"));
    {
        let root = BitMapBackend::new(&png, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        draw_spec(&root, spec)
            .map_err(|e| ReportError::Draw(format!("chart {}: {e}", png.display())))?;
        root.present()?;
    }
    Ok(())
}

fn draw_spec<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, spec: &Spec) -> Result<()>
where
    DB::ErrorType: 'static,
{
    match spec {
        Spec::Lines { title, x, y, lines } => line_chart(root, title, x, y, lines),
        Spec::Pareto {
            title,
            x,
            y,
            groups,
            front,
        } => pareto_chart(root, title, x, y, groups, front),
    }
}

/// An axis over `[lo, hi]` with round ticks (whole numbers only when `integer`),
/// padded by `pad` of the span.
fn value_axis<'f>(
    lo: f64,
    hi: f64,
    pad: f64,
    integer: bool,
    label: String,
    fmt: &'f dyn Fn(&f64) -> String,
) -> Axis<'f> {
    let (lo, hi) = if !(lo.is_finite() && hi.is_finite()) {
        (0.0, 1.0)
    } else if hi > lo {
        (lo, hi)
    } else {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        (lo - d, hi + d)
    };
    let d = (hi - lo) * pad;
    let (a, b) = (lo - d, hi + d);
    let mut ticks = nice_ticks(a, b, 6);
    if integer {
        ticks.retain(|t| t.fract() == 0.0);
        if ticks.len() < 2 {
            ticks = ((a.ceil() as i64)..=(b.floor() as i64))
                .map(|v| v as f64)
                .collect();
        }
    }
    Axis {
        range: a..b,
        ticks,
        label,
        fmt,
    }
}

/// Dash patterns (dash, gap in px; 0: solid) and markers that tell lines apart when
/// they coincide.
const DASHES: [(u32, u32); 4] = [(0, 0), (12, 6), (4, 5), (16, 5)];

/// Draws series `i` of `n`'s markers: a shape per series, earlier series larger, so
/// points that coincide show as nested shapes.
fn marker<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Coord>,
    (i, n): (usize, usize),
    pts: &[(f64, f64)],
    color: RGBColor,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let style = color.filled();
    let r = 5 + 3 * (n - 1 - i).min(3) as i32;
    match i % 4 {
        0 => {
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, r, style)))?;
        }
        1 => {
            chart.draw_series(pts.iter().map(|&p| TriangleMarker::new(p, r + 2, style)))?;
        }
        2 => {
            chart.draw_series(
                pts.iter()
                    .map(|&p| EmptyElement::at(p) + Rectangle::new([(-r, -r), (r, r)], style)),
            )?;
        }
        _ => {
            chart.draw_series(
                pts.iter()
                    .map(|&p| Cross::new(p, r + 1, color.stroke_width(3))),
            )?;
        }
    }
    Ok(())
}

fn line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    xa: &AxisInfo,
    ya: &MetricAxis,
    lines: &[Line],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let legend: Vec<(String, Swatch)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            (
                l.label.clone(),
                Swatch::Line(series_color(i), DASHES[i % 4].0 > 0),
            )
        })
        .collect();
    let plot = with_legend(root, &legend)?;
    let xs = lines.iter().flat_map(|l| l.pts.iter().map(|p| p.0));
    let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |a, x| {
        (a.0.min(x), a.1.max(x))
    });
    let ys = lines.iter().flat_map(|l| {
        l.pts.iter().flat_map(|p| {
            let c = p.2.unwrap_or(0.0);
            [p.1 - c, p.1 + c]
        })
    });
    let (y0, y1) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |a, y| {
        (a.0.min(y), a.1.max(y))
    });
    let (y0, y1) = (y0 / ya.div, y1 / ya.div);
    let xf = |v: &f64| tick(*v);
    let yf = |v: &f64| tick(*v);
    let x = value_axis(x0, x1, 0.03, xa.integer, xa.label.clone(), &xf);
    let y = value_axis(y0, y1, 0.06, ya.integer, ya.label.clone(), &yf);
    let mut chart = cartesian(&plot, title, x, y)?;
    let n = lines.len();
    for (i, l) in lines.iter().enumerate() {
        let color = series_color(i);
        let pts: Vec<(f64, f64)> = l.pts.iter().map(|p| (p.0, p.1 / ya.div)).collect();
        if l.pts.iter().any(|p| p.2.is_some()) {
            let mut poly: Vec<(f64, f64)> = l
                .pts
                .iter()
                .map(|p| (p.0, (p.1 + p.2.unwrap_or(0.0)) / ya.div))
                .collect();
            poly.extend(
                l.pts
                    .iter()
                    .rev()
                    .map(|p| (p.0, (p.1 - p.2.unwrap_or(0.0)) / ya.div)),
            );
            chart.draw_series(std::iter::once(Polygon::new(
                poly,
                color.mix(0.15).filled(),
            )))?;
        }
        // Earlier lines are wider and dashes differ, so coincident lines stay visible.
        let width = 2 + (n - 1 - i).min(3) as u32;
        let (dash, gap) = DASHES[i % 4];
        if dash == 0 {
            chart.draw_series(LineSeries::new(pts.clone(), color.stroke_width(width)))?;
        } else {
            chart.draw_series(DashedLineSeries::new(
                pts.clone(),
                dash,
                gap,
                color.stroke_width(width),
            ))?;
        }
        marker(&mut chart, (i, n), &pts, color)?;
    }
    Ok(())
}

fn pareto_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    xa: &MetricAxis,
    ya: &MetricAxis,
    groups: &[(String, Vec<(f64, f64)>)],
    front: &[(f64, f64)],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let mut legend: Vec<(String, Swatch)> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.0.clone(), Swatch::Fill(series_color(i), 1.0)))
        .collect();
    if front.len() > 1 {
        legend.push((
            "Pareto front (lower is better on both)".into(),
            Swatch::Line(BLACK, true),
        ));
    }
    let plot = with_legend(root, &legend)?;
    let sc = |p: &(f64, f64)| (p.0 / xa.div, p.1 / ya.div);
    let all: Vec<(f64, f64)> = groups.iter().flat_map(|g| g.1.iter().map(sc)).collect();
    let (x0, x1, y0, y1) = all.iter().fold(
        (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ),
        |a, &(x, y)| (a.0.min(x), a.1.max(x), a.2.min(y), a.3.max(y)),
    );
    let f = |v: &f64| tick(*v);
    let x = value_axis(x0, x1, 0.06, xa.integer, format!("{}, mean", xa.label), &f);
    let y = value_axis(y0, y1, 0.08, ya.integer, format!("{}, mean", ya.label), &f);
    let mut chart = cartesian(&plot, title, x, y)?;
    let front: Vec<(f64, f64)> = front.iter().map(sc).collect();
    if front.len() > 1 {
        dashed(&mut chart, front.clone(), BLACK.stroke_width(2))?;
    }
    chart.draw_series(
        front
            .iter()
            .map(|&p| Circle::new(p, 9, BLACK.stroke_width(2))),
    )?;
    for (i, (_, pts)) in groups.iter().enumerate() {
        let pts: Vec<(f64, f64)> = pts.iter().map(sc).collect();
        marker(&mut chart, (i, groups.len()), &pts, series_color(i))?;
    }
    Ok(())
}

/// The metrics that get charts: the manifest's, present and not constant.
pub fn chart_metrics(m: &Manifest, agg: &Aggregate) -> Vec<usize> {
    m.metrics
        .iter()
        .filter_map(|k| agg.index(k))
        .filter(|&i| !agg.is_constant(i))
        .collect()
}
