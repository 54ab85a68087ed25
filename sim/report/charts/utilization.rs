//! Fraction of devices busy per class over time.

use super::read::RunData;
use super::registry::{Chart, Skip};
use super::series::{Segments, steps};
use crate::report::error::Result;
use crate::report::kit::axes::{Swatch, cartesian, nice_ticks, time_axis, with_legend, zero_axis};
use crate::report::kit::render::Drawable;
use crate::report::kit::style::{self, class_color, tick};
use crate::schema::summary as keys;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One class on the utilisation chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassBusy {
    /// Class name.
    pub name: String,
    /// Class index (colour).
    pub index: usize,
    /// Devices in the class.
    pub devices: u32,
    /// Fraction of the class's devices busy, per segment.
    pub busy: Vec<f64>,
    /// The run's mean utilisation of the class, from the summary.
    pub mean: Option<f64>,
}

/// Fraction of devices busy per class over time.
#[derive(Clone, Debug, PartialEq)]
pub struct UtilizationChart {
    /// Segments.
    pub segs: Segments,
    /// End of the time axis, s.
    pub end_s: f64,
    /// Per class, in class order.
    pub classes: Vec<ClassBusy>,
    /// All devices together (only with more than one class).
    pub overall: Option<Vec<f64>>,
    /// The run's mean utilisation over all devices, from the summary.
    pub overall_mean: Option<f64>,
}

impl UtilizationChart {
    /// Builds the chart data; `None` for a run without devices or time.
    pub fn from_run(run: &RunData) -> Option<UtilizationChart> {
        if run.busy.segs.is_empty() || run.classes.is_empty() {
            return None;
        }
        let classes: Vec<_> = run
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| ClassBusy {
                name: c.name.clone(),
                index: i,
                devices: c.devices,
                busy: run.busy.tracks[i].mean.clone(),
                mean: run
                    .summary
                    .get(keys::PER_CLASS)
                    .and_then(|p| p.get(&c.name)?.get(keys::UTILIZATION)?.as_f64()),
            })
            .collect();
        let total = run.device_count() as f64;
        let overall = (classes.len() > 1 && total > 0.0).then(|| {
            (0..run.busy.segs.len())
                .map(|s| {
                    classes
                        .iter()
                        .map(|c| c.busy[s] * c.devices as f64)
                        .sum::<f64>()
                        / total
                })
                .collect()
        });
        Some(UtilizationChart {
            segs: run.busy.segs.clone(),
            end_s: run.busy.end_s,
            classes,
            overall,
            overall_mean: run.num(keys::UTILIZATION),
        })
    }
}

impl Drawable for UtilizationChart {
    fn stem(&self) -> &'static str {
        "utilization"
    }
    fn title(&self) -> String {
        Self::TITLE.into()
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_utilization(root, &self.title(), self)
    }
}

impl Chart for UtilizationChart {
    const TITLE: &'static str = "Utilisation by device class";

    fn build(run: &RunData) -> Result<Self, Skip> {
        Self::from_run(run).ok_or(Skip::Quietly)
    }

    fn caption(&self, run: &RunData) -> String {
        let u = self;
        format!(
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
        )
    }
}

fn draw_utilization<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    c: &UtilizationChart,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let tu = style::time_unit(c.end_s);
    let mut legend: Vec<(String, Swatch)> = c
        .classes
        .iter()
        .map(|cb| {
            let mean = cb
                .mean
                .map(|m| format!(", mean {}", percent1(m)))
                .unwrap_or_default();
            (
                format!("{} ({}{mean})", cb.name, style::devices(cb.devices)),
                Swatch::Line(class_color(cb.index), false),
            )
        })
        .collect();
    if c.overall.is_some() {
        let mean = c
            .overall_mean
            .map(|m| format!(" (mean {})", percent1(m)))
            .unwrap_or_default();
        legend.push((format!("all devices{mean}"), Swatch::Line(BLACK, false)));
    }
    let plot = with_legend(root, &legend)?;
    let peak = c
        .classes
        .iter()
        .flat_map(|x| x.busy.iter().copied())
        .fold(0.0, f64::max);
    // Zoom in on lightly loaded runs, but never past 100 %.
    let ymax = if peak > 0.6 {
        1.0
    } else {
        (peak * 1.15).max(0.01)
    };
    let f = |v: &f64| tick(*v);
    let mut y = zero_axis(ymax * 100.0, "devices busy (%)".into(), &f);
    if peak > 0.6 {
        y.range = 0.0..101.0;
        y.ticks = nice_ticks(0.0, 100.0, 5);
    }
    let mut chart = cartesian(&plot, title, time_axis(c.end_s, tu, &f), y)?;
    for cb in &c.classes {
        chart.draw_series(LineSeries::new(
            steps(&c.segs, &cb.busy, tu.div, 0.01),
            class_color(cb.index).stroke_width(2),
        ))?;
    }
    if let Some(o) = &c.overall {
        chart.draw_series(LineSeries::new(
            steps(&c.segs, o, tu.div, 0.01),
            BLACK.mix(0.8).stroke_width(1),
        ))?;
    }
    Ok(())
}

/// A share with one decimal, so legend entries side by side have one precision
/// ("0.9 %", "22.9 %"); nonzero shares below 0.05 % read "< 0.1 %".
fn percent1(frac: f64) -> String {
    let p = 100.0 * frac;
    if p > 0.0 && p < 0.05 {
        "< 0.1 %".into()
    } else {
        format!("{p:.1} %")
    }
}
