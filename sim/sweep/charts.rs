//! Sweep charts (SVG and PNG, plotters): each chart metric against each numeric axis,
//! one line per series value (policy by default) with a 95% CI band, one chart per
//! combination of the other axes; and the Pareto front of two metrics.
//!
//! Plotters is built without system fonts: the bundled DejaVu Sans is registered as
//! `sans-serif` by the report kit's [`register_fonts`] before drawing.

use super::aggregate::{Aggregate, ParetoPoint};
use super::plan::Manifest;
use crate::report::error::{ReportError, Result};
use crate::report::kit::style::{fmt4, register_fonts, series_color};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Chart size in pixels (SVG and PNG).
pub const SIZE: (u32, u32) = (860, 520);

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
            for (si, slice) in slices.iter().enumerate() {
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
                let mut title = format!("{metric} vs {}", axis.path);
                if !others.is_empty() {
                    let fixed: Vec<String> = others
                        .iter()
                        .zip(slice)
                        .map(|(&a, &v)| {
                            format!(
                                "{}={}",
                                short(&m.axes[a].path),
                                super::plan::cell(&m.axes[a].values[v])
                            )
                        })
                        .collect();
                    title.push_str(&format!(" ({})", fixed.join(", ")));
                }
                let mut stem = format!("{}-vs-{}", slug(metric), slug(&axis.path));
                if slices.len() > 1 {
                    stem.push_str(&format!("-{si}"));
                }
                let spec = Spec::Lines {
                    title: &title,
                    xlabel: &axis.path,
                    ylabel: metric,
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
        let title = format!("Pareto front: {} vs {}", m.pareto.y, m.pareto.x);
        let mut groups: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
        for p in pareto {
            let label = match series {
                Some(s) => super::plan::cell(&m.axes[s].values[idx[p.point][s]]),
                None => "points".into(),
            };
            match groups.iter_mut().find(|g| g.0 == label) {
                Some(g) => g.1.push((p.x, p.y)),
                None => groups.push((label, vec![(p.x, p.y)])),
            }
        }
        let mut front: Vec<(f64, f64)> = pareto
            .iter()
            .filter(|p| p.on_front)
            .map(|p| (p.x, p.y))
            .collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0));
        let stem = "pareto".to_string();
        let spec = Spec::Pareto {
            title: &title,
            xlabel: &m.pareto.x,
            ylabel: &m.pareto.y,
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

/// The last two segments of a field path (`arrival.rate`), for titles.
fn short(path: &str) -> String {
    let segs: Vec<&str> = path.split('.').collect();
    segs[segs.len().saturating_sub(2)..].join(".")
}

type DrawResult = Result<(), String>;

/// A chart to draw on any backend.
enum Spec<'a> {
    Lines {
        title: &'a str,
        xlabel: &'a str,
        ylabel: &'a str,
        lines: &'a [Line],
    },
    Pareto {
        title: &'a str,
        xlabel: &'a str,
        ylabel: &'a str,
        groups: &'a [(String, Vec<(f64, f64)>)],
        front: &'a [(f64, f64)],
    },
}

fn draw_spec<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, spec: &Spec) -> DrawResult {
    match spec {
        Spec::Lines {
            title,
            xlabel,
            ylabel,
            lines,
        } => line_chart(root, title, xlabel, ylabel, lines),
        Spec::Pareto {
            title,
            xlabel,
            ylabel,
            groups,
            front,
        } => pareto_chart(root, title, xlabel, ylabel, groups, front),
    }
}

/// Draws `spec` to `dir/<stem>.svg` and `dir/<stem>.png`.
fn draw_both(dir: &Path, stem: &str, spec: &Spec) -> Result<()> {
    let svg = dir.join(format!("{stem}.svg"));
    {
        let root = SVGBackend::new(&svg, SIZE).into_drawing_area();
        draw_spec(&root, spec)
            .map_err(|e| ReportError::Draw(format!("chart {}: {e}", svg.display())))?;
    }
    let png = dir.join(format!("{stem}.png"));
    {
        let root = BitMapBackend::new(&png, SIZE).into_drawing_area();
        draw_spec(&root, spec)
            .map_err(|e| ReportError::Draw(format!("chart {}: {e}", png.display())))?;
    }
    Ok(())
}

fn range(lo: f64, hi: f64, pad: f64) -> std::ops::Range<f64> {
    if !(lo.is_finite() && hi.is_finite()) {
        return 0.0..1.0;
    }
    if hi > lo {
        let d = (hi - lo) * pad;
        (lo - d)..(hi + d)
    } else {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        (lo - d)..(hi + d)
    }
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

fn line_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    xlabel: &str,
    ylabel: &str,
    lines: &[Line],
) -> DrawResult {
    root.fill(&WHITE).map_err(err)?;
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
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(90)
        .build_cartesian_2d(range(x0, x1, 0.03), range(y0, y1, 0.06))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(xlabel)
        .y_desc(ylabel)
        .x_label_formatter(&|v| fmt4(*v))
        .y_label_formatter(&|v| fmt4(*v))
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    for (i, l) in lines.iter().enumerate() {
        let color = series_color(i);
        if l.pts.iter().any(|p| p.2.is_some()) {
            let mut poly: Vec<(f64, f64)> = l
                .pts
                .iter()
                .map(|p| (p.0, p.1 + p.2.unwrap_or(0.0)))
                .collect();
            poly.extend(l.pts.iter().rev().map(|p| (p.0, p.1 - p.2.unwrap_or(0.0))));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    color.mix(0.18).filled(),
                )))
                .map_err(err)?;
        }
        chart
            .draw_series(LineSeries::new(
                l.pts.iter().map(|p| (p.0, p.1)),
                color.stroke_width(2),
            ))
            .map_err(err)?
            .label(l.label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart
            .draw_series(
                l.pts
                    .iter()
                    .map(|p| Circle::new((p.0, p.1), 3, color.filled())),
            )
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

fn pareto_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    xlabel: &str,
    ylabel: &str,
    groups: &[(String, Vec<(f64, f64)>)],
    front: &[(f64, f64)],
) -> DrawResult {
    root.fill(&WHITE).map_err(err)?;
    // An axis whose positive values span more than two decades is drawn in log10.
    let all: Vec<(f64, f64)> = groups.iter().flat_map(|g| g.1.iter().copied()).collect();
    let wide = |v: &mut dyn Iterator<Item = f64>| {
        let (lo, hi, pos) = v.fold((f64::INFINITY, 0.0f64, true), |a, x| {
            (a.0.min(x), a.1.max(x), a.2 && x > 0.0)
        });
        pos && hi / lo > 100.0
    };
    let logx = wide(&mut all.iter().map(|p| p.0));
    let logy = wide(&mut all.iter().map(|p| p.1));
    let tf = |(x, y): (f64, f64)| {
        (
            if logx { x.log10() } else { x },
            if logy { y.log10() } else { y },
        )
    };
    let groups: Vec<(String, Vec<(f64, f64)>)> = groups
        .iter()
        .map(|(l, pts)| (l.clone(), pts.iter().map(|&p| tf(p)).collect()))
        .collect();
    let front: Vec<(f64, f64)> = front.iter().map(|&p| tf(p)).collect();
    let fmt_axis = |log: bool, v: f64| if log { fmt4(10f64.powf(v)) } else { fmt4(v) };
    let scale = |log: bool| if log { ", log scale" } else { "" };
    let all = groups.iter().flat_map(|g| g.1.iter().copied());
    let (x0, x1, y0, y1) = all.fold(
        (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ),
        |a, (x, y)| (a.0.min(x), a.1.max(x), a.2.min(y), a.3.max(y)),
    );
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 18))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(90)
        .build_cartesian_2d(range(x0, x1, 0.05), range(y0, y1, 0.06))
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(format!("{xlabel} (mean{}; lower is better)", scale(logx)))
        .y_desc(format!("{ylabel} (mean{}; lower is better)", scale(logy)))
        .x_label_formatter(&|v| fmt_axis(logx, *v))
        .y_label_formatter(&|v| fmt_axis(logy, *v))
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    if front.len() > 1 {
        chart
            .draw_series(LineSeries::new(
                front.iter().copied(),
                BLACK.stroke_width(1),
            ))
            .map_err(err)?
            .label("Pareto front")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(1)));
    }
    chart
        .draw_series(
            front
                .iter()
                .map(|&p| Circle::new(p, 7, BLACK.stroke_width(1))),
        )
        .map_err(err)?;
    for (i, (label, pts)) in groups.iter().enumerate() {
        let color = series_color(i);
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 4, color.filled())))
            .map_err(err)?
            .label(label.clone())
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
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
