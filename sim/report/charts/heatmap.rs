//! IT power by day and hour of day: the view that keeps a run of weeks or months
//! readable, where a time-series chart squeezes each day into a few pixels. Daily
//! patterns (load profiles, a cap window, night-time sleep) show as horizontal bands,
//! trends and outages across days as columns.

use super::read::RunData;
use super::registry::{Chart, Skip};
use crate::report::error::Result;
use crate::report::kit::axes::{Axis, cartesian, nice_ticks, text_font};
use crate::report::kit::render::Drawable;
use crate::report::kit::style::{self, tick};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Most day columns drawn; longer runs put several days in each column.
const MAX_COLUMNS: usize = 400;

/// The day x hour-of-day chart of mean IT power.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatmapChart {
    /// Days in each column.
    pub days_per_col: usize,
    /// Per column, the mean IT power of each hour of day (W); `None` where no
    /// power.csv row covers that hour.
    pub cols: Vec<[Option<f64>; 24]>,
    /// Colour scale range, W.
    pub lo_w: f64,
    /// Colour scale top, W.
    pub hi_w: f64,
}

impl HeatmapChart {
    /// Builds the chart from hourly means (hour 0 = the first hour of the run).
    pub fn from_hourly(hourly: &[Option<f64>]) -> Option<HeatmapChart> {
        let days = hourly.len().div_ceil(24);
        if days == 0 {
            return None;
        }
        let days_per_col = days.div_ceil(MAX_COLUMNS);
        let ncols = days.div_ceil(days_per_col);
        let mut cols = vec![[None; 24]; ncols];
        for (c, col) in cols.iter_mut().enumerate() {
            for (h, cell) in col.iter_mut().enumerate() {
                let (mut sum, mut n) = (0.0, 0usize);
                for d in c * days_per_col..((c + 1) * days_per_col).min(days) {
                    if let Some(Some(v)) = hourly.get(d * 24 + h) {
                        sum += v;
                        n += 1;
                    }
                }
                *cell = (n > 0).then(|| sum / n as f64);
            }
        }
        let vals = || cols.iter().flatten().flatten().copied();
        let lo = vals().fold(f64::INFINITY, f64::min);
        let hi = vals().fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() {
            return None;
        }
        Some(HeatmapChart {
            days_per_col,
            cols,
            lo_w: lo,
            hi_w: if hi > lo { hi } else { lo + 1.0 },
        })
    }
}

/// A perceptually ordered colour scale (viridis, 5 stops), `x` in [0, 1].
fn color(x: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let x = x.clamp(0.0, 1.0) * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Drawable for HeatmapChart {
    fn stem(&self) -> &'static str {
        "power_heatmap"
    }
    fn title(&self) -> String {
        "IT power by day and hour".into()
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let (w, _) = root.dim_in_pixel();
        let (plot, bar) = root.split_horizontally(w - 170);
        let days = (self.cols.len() * self.days_per_col) as f64;
        let f = |v: &f64| tick(*v);
        let x = Axis {
            range: 0.0..days,
            ticks: nice_ticks(0.0, days, 12),
            label: if self.days_per_col == 1 {
                "day of the run (one column per day)".into()
            } else {
                format!(
                    "day of the run (one column per {} days, their mean)",
                    self.days_per_col
                )
            },
            fmt: &f,
        };
        let y = Axis {
            range: 0.0..24.0,
            ticks: (0..=8).map(|k| k as f64 * 3.0).collect(),
            label: "hour of day (from the run's start)".into(),
            fmt: &f,
        };
        let mut chart = cartesian(&plot, &self.title(), x, y)?;
        let span = self.hi_w - self.lo_w;
        let step = self.days_per_col as f64;
        let cells = self.cols.iter().enumerate().flat_map(|(c, col)| {
            col.iter().enumerate().filter_map(move |(h, v)| {
                v.map(|v| {
                    let x0 = c as f64 * step;
                    Rectangle::new(
                        [(x0, h as f64), (x0 + step, h as f64 + 1.0)],
                        color((v - self.lo_w) / span).filled(),
                    )
                })
            })
        });
        chart.draw_series(cells)?;

        // Colour bar with its scale, in the strip to the right.
        let u = style::power_unit(self.hi_w);
        let (bh, top, bottom) = (bar.dim_in_pixel().1 as i32, 60, 80);
        let height = bh - top - bottom;
        for k in 0..height {
            let v = 1.0 - k as f64 / height as f64;
            bar.draw(&Rectangle::new(
                [(10, top + k), (40, top + k + 1)],
                color(v).filled(),
            ))?;
        }
        bar.draw(&Rectangle::new(
            [(10, top), (40, top + height)],
            RGBColor(90, 90, 90).stroke_width(1),
        ))?;
        let lo = self.lo_w / u.div;
        let hi = self.hi_w / u.div;
        for t in nice_ticks(lo, hi, 6) {
            let yk = top + ((hi - t) / (hi - lo) * height as f64).round() as i32;
            bar.draw(&PathElement::new(
                vec![(40, yk), (46, yk)],
                RGBColor(90, 90, 90),
            ))?;
            bar.draw(&Text::new(tick(t), (50, yk - 9), text_font(18)))?;
        }
        bar.draw(&Text::new(
            format!("IT power ({})", u.label),
            (4, top - 34),
            text_font(18),
        ))?;
        Ok(())
    }
}

impl Chart for HeatmapChart {
    const TITLE: &'static str = "IT power by day and hour";

    fn build(run: &RunData) -> Result<Self, Skip> {
        Self::from_hourly(&run.hourly_it_w).ok_or(Skip::Quietly)
    }

    fn caption(&self, _run: &RunData) -> String {
        format!(
            "Mean IT power in each hour of the run (exact hourly means of power.csv): {}, hours of the day from bottom to top, counted from the run's start. Daily patterns show as horizontal bands, changes across days as columns. Drawn for runs of 3 days or more, where the power chart above has too few pixels per day.",
            if self.days_per_col == 1 {
                "one column per day".to_string()
            } else {
                format!("one column per {} days (their mean)", self.days_per_col)
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_hold_the_hours_of_their_days() {
        // 3 days; hour h of day d at 100 d + h W.
        let hourly: Vec<Option<f64>> = (0..72)
            .map(|i| Some((i / 24 * 100 + i % 24) as f64))
            .collect();
        let c = HeatmapChart::from_hourly(&hourly).unwrap();
        assert_eq!(c.days_per_col, 1);
        assert_eq!(c.cols.len(), 3);
        assert_eq!(c.cols[2][5], Some(205.0));
        assert_eq!((c.lo_w, c.hi_w), (0.0, 223.0));
        // 1,000 days: 3 days per column, each the mean of its days.
        let long: Vec<Option<f64>> = (0..24_000).map(|i| Some((i / 24) as f64)).collect();
        let c = HeatmapChart::from_hourly(&long).unwrap();
        assert_eq!(c.days_per_col, 3);
        assert_eq!(c.cols.len(), 334);
        assert_eq!(c.cols[0][0], Some(1.0));
        assert_eq!(c.cols[333][0], Some(999.0)); // the last column holds one day
    }

    #[test]
    fn the_colour_scale_runs_from_dark_to_light() {
        assert_eq!(color(0.0), RGBColor(68, 1, 84));
        assert_eq!(color(1.0), RGBColor(253, 231, 37));
        assert_eq!(color(2.0), color(1.0));
    }
}
