//! Devices by jobs over time, for small runs.

use super::read::RunData;
use super::registry::{Chart, Skip};
use super::series::{Bar, gantt_bars};
use crate::report::error::Result;
use crate::report::kit::axes::{
    Axis, HEIGHT, Swatch, WIDTH, cartesian, text_font, time_axis, with_legend,
};
use crate::report::kit::render::Drawable;
use crate::report::kit::style::{self, class_color, kind_color, tick};
use crate::schema::summary as keys;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Devices by jobs over time, for small runs.
#[derive(Clone, Debug, PartialEq)]
pub struct GanttChart {
    /// Row labels (class and device id) and class index, by device id.
    pub rows: Vec<(String, usize)>,
    /// Bars.
    pub bars: Vec<Bar>,
    /// Kind names (colours by index).
    pub kinds: Vec<String>,
    /// End of the time axis, s.
    pub end_s: f64,
}

impl GanttChart {
    /// Builds the chart; `Err` says why it is not drawn.
    pub fn from_run(run: &RunData) -> Result<GanttChart, String> {
        let jobs = run.gantt.as_ref().map_err(Clone::clone)?;
        let rows = run
            .device_class
            .iter()
            .enumerate()
            .map(|(d, &c)| (format!("{} {d}", run.classes[c].name), c))
            .collect();
        let end = jobs.iter().map(|j| j.end_s).fold(0.0, f64::max);
        Ok(GanttChart {
            rows,
            bars: gantt_bars(jobs),
            kinds: run.kinds.iter().map(|k| k.name.clone()).collect(),
            end_s: run.num(keys::HORIZON_S).unwrap_or(end).max(end),
        })
    }
}

impl Drawable for GanttChart {
    fn stem(&self) -> &'static str {
        "gantt"
    }
    fn title(&self) -> String {
        Self::TITLE.into()
    }
    fn size(&self) -> (u32, u32) {
        (WIDTH, (230 + 24 * self.rows.len() as u32).max(HEIGHT))
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_gantt(root, &self.title(), self)
    }
}

impl Chart for GanttChart {
    const TITLE: &'static str = "Jobs on devices (Gantt)";

    fn build(run: &RunData) -> Result<Self, Skip> {
        Self::from_run(run).map_err(Skip::Because)
    }

    fn caption(&self, run: &RunData) -> String {
        let _ = run;
        "Each bar is a job on a device, coloured by job kind and labelled with the job id where it fits; row shading shows the device class.".to_string()
    }
}

fn draw_gantt<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    c: &GanttChart,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let used: std::collections::BTreeSet<usize> = c.bars.iter().map(|b| b.kind).collect();
    let legend: Vec<(String, Swatch)> = used
        .iter()
        .map(|&k| {
            let name = c
                .kinds
                .get(k)
                .cloned()
                .unwrap_or_else(|| format!("kind {k}"));
            (format!("job kind {name}"), Swatch::Fill(kind_color(k), 0.9))
        })
        .collect();
    let plot = with_legend(root, &legend)?;
    let n = c.rows.len();
    let tu = style::time_unit(c.end_s);
    let f = |v: &f64| tick(*v);
    // Device 0 at the top: row r is drawn at y = n - 1 - r.
    let yf = |v: &f64| {
        let r = n as f64 - 1.0 - v.round();
        if (v - v.round()).abs() < 1e-6 && r >= 0.0 && (r as usize) < n {
            c.rows[r as usize].0.clone()
        } else {
            String::new()
        }
    };
    let y = Axis {
        range: -0.6..n as f64 - 0.4,
        ticks: (0..n).map(|i| i as f64).collect(),
        label: "device (class and id)".into(),
        fmt: &yf,
    };
    let mut chart = cartesian(&plot, title, time_axis(c.end_s, tu, &f), y)?;
    let xmax = c.end_s / tu.div;
    for (r, (_, class)) in c.rows.iter().enumerate() {
        let y = (n - 1 - r) as f64;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y - 0.5), (xmax, y + 0.5)],
            class_color(*class).mix(0.10).filled(),
        )))?;
    }
    let (px, _) = chart.plotting_area().get_pixel_range();
    let per_px = xmax / (px.end - px.start).max(1) as f64;
    let label_font = text_font(15);
    for b in &c.bars {
        let y = (n - 1 - b.row as usize) as f64;
        let (x0, mut x1) = (b.t0 / tu.div, b.t1 / tu.div);
        // Keep very short jobs visible: at least one pixel wide.
        x1 = x1.max(x0 + per_px);
        let color = kind_color(b.kind);
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x0, y - 0.38), (x1, y + 0.38)],
            color.mix(0.9).filled(),
        )))?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(x0, y - 0.38), (x1, y + 0.38)],
            WHITE.stroke_width(1),
        )))?;
        let label = format!("#{}", b.id);
        let w_px = (x1 - x0) / per_px;
        let tw = root
            .estimate_text_size(&label, &label_font)
            .map(|s| s.0 as f64)
            .unwrap_or(40.0);
        if w_px > tw + 8.0 {
            chart.draw_series(std::iter::once(Text::new(
                label,
                ((x0 + x1) / 2.0, y),
                label_font
                    .color(&WHITE)
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    )),
            )))?;
        }
    }
    Ok(())
}
