//! Quantities of power.csv over time as lines with min..max bands, or as stacked
//! areas: the drawing shared by the queue and power-state charts.

use super::series::{Segments, Track, band, steps};
use crate::report::error::Result;
use crate::report::kit::axes::{Swatch, cartesian, time_axis, with_legend, zero_axis};
use crate::report::kit::style::{self, kind_color, tick};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A quantity of power.csv over time as lines with min..max bands: the queue length,
/// or devices per power state.
#[derive(Clone, Debug, PartialEq)]
pub struct LinesChart {
    /// File stem.
    pub stem: &'static str,
    /// Title.
    pub title: String,
    /// Y axis label.
    pub y_label: String,
    /// Segments.
    pub segs: Segments,
    /// End of the time axis, s.
    pub end_s: f64,
    /// Named tracks.
    pub lines: Vec<(String, Track)>,
    /// Draw the means as stacked areas (quantities that partition a whole).
    pub stacked: bool,
}

/// Colours of power states on the stacked chart.
fn state_color(name: &str, i: usize) -> RGBColor {
    match name {
        "busy" => RGBColor(0, 114, 178),
        "idle" => RGBColor(170, 200, 225),
        "transition" => RGBColor(230, 159, 0),
        "asleep" => RGBColor(110, 110, 110),
        _ => kind_color(i),
    }
}

/// Draws a lines chart (stacked areas when `c.stacked`).
pub fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    c: &LinesChart,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    if c.stacked {
        return draw_stacked(root, title, c);
    }
    let tu = style::time_unit(c.end_s);
    let colors = |i: usize| {
        if c.lines.len() == 1 {
            BLACK
        } else {
            kind_color(i)
        }
    };
    let mut legend: Vec<(String, Swatch)> = c
        .lines
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.clone(), Swatch::Line(colors(i), false)))
        .collect();
    if !c.segs.exact {
        legend.push((
            "min–max within each pixel column".into(),
            Swatch::Fill(RGBColor(120, 120, 120), 0.35),
        ));
    }
    let plot = with_legend(root, &legend)?;
    let ymax = c.lines.iter().map(|(_, t)| t.peak()).fold(0.0, f64::max);
    let f = |v: &f64| tick(*v);
    let mut chart = cartesian(
        &plot,
        title,
        time_axis(c.end_s, tu, &f),
        zero_axis(ymax, c.y_label.clone(), &f),
    )?;
    for (i, (_, t)) in c.lines.iter().enumerate() {
        if !c.segs.exact {
            chart.draw_series(std::iter::once(Polygon::new(
                band(&c.segs, &t.min, &t.max, tu.div, 1.0),
                colors(i).mix(0.25).filled(),
            )))?;
        }
        chart.draw_series(LineSeries::new(
            steps(&c.segs, &t.mean, tu.div, 1.0),
            colors(i).stroke_width(2),
        ))?;
    }
    Ok(())
}

fn draw_stacked<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    c: &LinesChart,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let tu = style::time_unit(c.end_s);
    let legend: Vec<(String, Swatch)> = c
        .lines
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.clone(), Swatch::Fill(state_color(n, i), 0.85)))
        .collect();
    let plot = with_legend(root, &legend)?;
    let tracks: Vec<&Track> = c.lines.iter().map(|l| &l.1).collect();
    let mut tops: Vec<Vec<f64>> = Vec::new();
    for (k, t) in tracks.iter().enumerate() {
        let top = match k {
            0 => t.mean.clone(),
            _ => tops[k - 1]
                .iter()
                .zip(&t.mean)
                .map(|(a, b)| a + b)
                .collect(),
        };
        tops.push(top);
    }
    let ymax = tops
        .last()
        .map_or(0.0, |t| t.iter().copied().fold(0.0, f64::max));
    let f = |v: &f64| tick(*v);
    let mut chart = cartesian(
        &plot,
        title,
        time_axis(c.end_s, tu, &f),
        zero_axis(ymax, c.y_label.clone(), &f),
    )?;
    let zeros = vec![0.0; c.segs.len()];
    for (k, (n, _)) in c.lines.iter().enumerate() {
        let lo = if k == 0 { &zeros } else { &tops[k - 1] };
        chart.draw_series(std::iter::once(Polygon::new(
            band(&c.segs, lo, &tops[k], tu.div, 1.0),
            state_color(n, k).mix(0.85).filled(),
        )))?;
    }
    Ok(())
}
