//! Axes, fonts, legends and step lines shared by every chart: one coordinate type
//! ([`Ticked`]) with our own round ticks, and the layout every chart uses.

use super::style::{FAMILY, Unit};
use crate::report::error::Result;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use std::ops::Range;

/// Width of a chart, px (PNG) or user units (SVG).
pub const WIDTH: u32 = 1200;
/// Height of a single-panel chart.
pub const HEIGHT: u32 = 620;

/// A linear f64 axis whose ticks are chosen by us (round numbers, decades on log
/// axes, device rows), so every chart shares one coordinate type.
#[derive(Clone, Debug)]
pub struct Ticked {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let len = limit.1 - limit.0;
        if len == 0 || span == 0.0 {
            return limit.1;
        }
        let logic = (v - self.range.start) / span;
        // Clamp far outliers so pixel arithmetic cannot overflow.
        let px = (len as f64 * logic.clamp(-10.0, 10.0) + 1e-3).floor();
        limit.0 + px as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

impl Axis<'_> {
    fn coord(&self) -> Ticked {
        Ticked {
            range: self.range.clone(),
            ticks: self.ticks.clone(),
        }
    }
}

/// The coordinates of every chart.
pub type Coord = Cartesian2d<Ticked, Ticked>;

/// One axis: range, tick positions, label and tick format.
pub struct Axis<'f> {
    /// Value range.
    pub range: Range<f64>,
    /// Tick positions.
    pub ticks: Vec<f64>,
    /// Axis label with unit.
    pub label: String,
    /// Tick label format.
    pub fmt: &'f dyn Fn(&f64) -> String,
}

/// Ticks at 1, 2 or 5 times a power of ten, about `target` of them over `[lo, hi]`.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let span = hi - lo;
    if span.is_nan() || span <= 0.0 || span.is_infinite() {
        return vec![lo];
    }
    let step = nice_step(span / target.max(1) as f64);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

fn nice_step(raw: f64) -> f64 {
    let p = 10f64.powf(raw.log10().floor());
    let m = raw / p;
    let n = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    n * p
}

/// An axis from 0 to a round value above `max` (never empty).
pub fn zero_axis<'f>(max: f64, label: String, fmt: &'f dyn Fn(&f64) -> String) -> Axis<'f> {
    let max = if max > 0.0 && max.is_finite() {
        max
    } else {
        1.0
    };
    let step = nice_step(max * 1.08 / 6.0);
    let n = (max * 1.08 / step).ceil() as i64;
    Axis {
        range: 0.0..n as f64 * step,
        ticks: (0..=n).map(|k| k as f64 * step).collect(),
        label,
        fmt,
    }
}

/// A time axis from 0 to `end_s` in unit `u`, with about 10 round ticks.
pub fn time_axis<'f>(end_s: f64, u: Unit, fmt: &'f dyn Fn(&f64) -> String) -> Axis<'f> {
    let mut hi = if end_s > 0.0 { end_s / u.div } else { 1.0 };
    // An 8 h shift that ends a few ms early still gets its "8" tick.
    let step = nice_step(hi / 10.0);
    let round = (hi / step).ceil() * step;
    if round - hi <= 0.02 * hi {
        hi = round;
    }
    Axis {
        range: 0.0..hi,
        ticks: nice_ticks(0.0, hi, 10),
        label: format!("simulated time ({})", u.label),
        fmt,
    }
}

/// The chart title font.
pub fn title_font<'a>() -> TextStyle<'a> {
    (FAMILY, 30).into_font().style(FontStyle::Bold).into()
}

/// The font of labels and legends, `size` px.
pub fn text_font<'a>(size: u32) -> TextStyle<'a> {
    (FAMILY, size).into_font().into()
}

/// A chart with a title, two axes, their labels and a light grid.
pub fn cartesian<'a, DB: DrawingBackend + 'a>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x: Axis<'_>,
    y: Axis<'_>,
) -> Result<ChartContext<'a, DB, Coord>>
where
    DB::ErrorType: 'static,
{
    let mut b = ChartBuilder::on(area);
    if !title.is_empty() {
        b.caption(title, title_font());
    }
    let mut chart = b
        .margin(14)
        .margin_right(36)
        .x_label_area_size(62)
        .y_label_area_size(104)
        .build_cartesian_2d(x.coord(), y.coord())?;
    chart
        .configure_mesh()
        .x_desc(x.label.as_str())
        .y_desc(y.label.as_str())
        .x_label_formatter(x.fmt)
        .y_label_formatter(y.fmt)
        .axis_desc_style(text_font(21))
        .label_style(text_font(18))
        .bold_line_style(RGBColor(225, 225, 225))
        .light_line_style(TRANSPARENT)
        .axis_style(RGBColor(90, 90, 90))
        .draw()?;
    Ok(chart)
}

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug)]
pub enum Swatch {
    /// A filled square of a colour with an opacity.
    Fill(RGBColor, f64),
    /// A line of a colour, dashed or solid.
    Line(RGBColor, bool),
}

/// A legend below the plot, so it never hides data. Returns the height it needs.
fn legend_height<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Swatch)],
) -> u32 {
    let rows = legend_layout(area, entries)
        .iter()
        .map(|p| p.1)
        .max()
        .map_or(0, |r| r + 1);
    12 + 30 * rows
}

/// Left edge of the legend, px (aligned with the plot area).
pub const LEGEND_LEFT: i32 = 118;

fn legend_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Swatch)],
) -> Vec<(i32, u32)> {
    let width = area.dim_in_pixel().0 as i32 - 30;
    let font = text_font(18);
    let (mut x, mut row) = (LEGEND_LEFT, 0u32);
    let mut out = Vec::with_capacity(entries.len());
    for (label, _) in entries {
        let w = area
            .estimate_text_size(label, &font)
            .map(|s| s.0 as i32)
            .unwrap_or(8 * label.len() as i32)
            + 34;
        if x + w > width && x > LEGEND_LEFT {
            x = LEGEND_LEFT;
            row += 1;
        }
        out.push((x, row));
        x += w + 26;
    }
    out
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, Swatch)],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let font = text_font(18);
    for ((label, sw), (x, row)) in entries.iter().zip(legend_layout(area, entries)) {
        let y = 6 + 30 * row as i32 + 12;
        match *sw {
            Swatch::Fill(c, a) => area.draw(&Rectangle::new(
                [(x, y - 8), (x + 26, y + 8)],
                c.mix(a).filled(),
            ))?,
            Swatch::Line(c, dashed) => {
                let style = c.stroke_width(3);
                if dashed {
                    for k in 0..3 {
                        area.draw(&PathElement::new(
                            vec![(x + 10 * k, y), (x + 10 * k + 6, y)],
                            style,
                        ))?;
                    }
                } else {
                    area.draw(&PathElement::new(vec![(x, y), (x + 26, y)], style))?;
                }
            }
        }
        area.draw(&Text::new(
            label.clone(),
            (x + 34, y),
            font.pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            )),
        ))?;
    }
    Ok(())
}

/// Splits `root` into a plot area and a legend strip at the bottom.
pub fn with_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[(String, Swatch)],
) -> Result<DrawingArea<DB, Shift>>
where
    DB::ErrorType: 'static,
{
    let h = root.dim_in_pixel().1;
    let lh = legend_height(root, entries).min(h / 2);
    let (plot, legend) = root.split_vertically(h - lh);
    draw_legend(&legend, entries)?;
    Ok(plot)
}

/// Draws a dashed line through `pts`.
pub fn dashed<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Coord>,
    pts: Vec<(f64, f64)>,
    style: ShapeStyle,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    chart.draw_series(DashedLineSeries::new(pts, 10, 7, style))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::kit::style::tick;

    #[test]
    fn ticks_are_round() {
        assert_eq!(
            nice_ticks(0.0, 10.0, 5),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(
            nice_ticks(0.0, 1.0, 5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        let a = zero_axis(1863.9, String::new(), &|v: &f64| tick(*v));
        assert!(a.range.end >= 1863.9 * 1.08 && a.range.end <= 2500.0);
    }
}
