//! Charts of an LLM serving run: TTFT and TBT CDFs, output tokens/s and IT power over
//! time. They are drawn from the serving outcome when the run is written (a serving
//! run folder has no jobs.csv or power.csv for the job-run charts).

use crate::report::error::Result;
use crate::report::kit::axes::{Swatch, cartesian, time_axis, with_legend, zero_axis};
use crate::report::kit::render::{Drawable, render};
use crate::report::kit::style::{self, kind_color, tick};
use crate::serving::output::series;
use crate::serving::sim::ServingOutcome;
use crate::serving::summary::latencies;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// An empirical CDF of one latency.
#[derive(Clone, Debug, PartialEq)]
pub struct LatencyCdf {
    /// File stem.
    pub stem: &'static str,
    /// Title.
    pub title: String,
    /// X label.
    pub x_label: String,
    /// Sorted values, s.
    pub values: Vec<f64>,
}

impl Drawable for LatencyCdf {
    fn stem(&self) -> &'static str {
        self.stem
    }
    fn title(&self) -> String {
        self.title.clone()
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let legend = [(
            format!("{} finished requests", self.values.len()),
            Swatch::Line(kind_color(0), false),
        )];
        let plot = with_legend(root, &legend)?;
        let max = self.values.last().copied().unwrap_or(1.0);
        let f = |v: &f64| tick(*v);
        let mut chart = cartesian(
            &plot,
            &self.title,
            zero_axis(max, self.x_label.clone(), &f),
            zero_axis(1.0, "fraction of requests".into(), &f),
        )?;
        let n = self.values.len() as f64;
        let pts = self
            .values
            .iter()
            .enumerate()
            .flat_map(|(i, &v)| [(v, i as f64 / n), (v, (i + 1) as f64 / n)]);
        chart.draw_series(LineSeries::new(pts, kind_color(0).stroke_width(2)))?;
        Ok(())
    }
}

/// A quantity over time, one value per bin.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// File stem.
    pub stem: &'static str,
    /// Title.
    pub title: String,
    /// Y label.
    pub y_label: String,
    /// (bin start s, value) with the bin width.
    pub points: Vec<(f64, f64)>,
    /// Bin width, s.
    pub bin_s: f64,
    /// End of the run, s.
    pub end_s: f64,
}

impl Drawable for Timeline {
    fn stem(&self) -> &'static str {
        self.stem
    }
    fn title(&self) -> String {
        self.title.clone()
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let tu = style::time_unit(self.end_s);
        let ymax = self.points.iter().map(|p| p.1).fold(0.0, f64::max);
        let f = |v: &f64| tick(*v);
        let mut chart = cartesian(
            root,
            &self.title,
            time_axis(self.end_s, tu, &f),
            zero_axis(ymax, self.y_label.clone(), &f),
        )?;
        let steps = self.points.iter().flat_map(|&(t, v)| {
            let e = (t + self.bin_s).min(self.end_s.max(t));
            [(t / tu.div, v), (e / tu.div, v)]
        });
        chart.draw_series(LineSeries::new(steps, BLACK.stroke_width(2)))?;
        Ok(())
    }
}

/// Draws the four charts of a serving run into `dir`.
pub fn draw_all(dir: &Path, o: &ServingOutcome) -> Result<()> {
    let (mut ttft, mut tbt) = (Vec::new(), Vec::new());
    for r in &o.requests {
        if let Some(l) = latencies(r) {
            ttft.push(l.0);
            tbt.push(l.1);
        }
    }
    ttft.sort_by(|a, b| a.total_cmp(b));
    tbt.sort_by(|a, b| a.total_cmp(b));
    render(
        &LatencyCdf {
            stem: "ttft_cdf",
            title: "Time to first token".into(),
            x_label: "TTFT (s)".into(),
            values: ttft,
        },
        dir,
    )?;
    render(
        &LatencyCdf {
            stem: "tbt_cdf",
            title: "Time between tokens, (E2E - TTFT) / T".into(),
            x_label: "TBT (s)".into(),
            values: tbt,
        },
        dir,
    )?;
    let s = series(o);
    let tu = style::time_unit(o.end_s).label;
    render(
        &Timeline {
            stem: "tokens_per_s",
            title: format!("Output tokens per second ({} s bins)", o.bin_s),
            y_label: "tokens/s".into(),
            points: s.iter().map(|p| (p.0, p.1)).collect(),
            bin_s: o.bin_s,
            end_s: o.end_s,
        },
        dir,
    )?;
    render(
        &Timeline {
            stem: "serving_power",
            title: format!(
                "IT power of the instances (mean per {} s bin; time in {tu})",
                o.bin_s
            ),
            y_label: "W".into(),
            points: s.iter().map(|p| (p.0, p.2)).collect(),
            bin_s: o.bin_s,
            end_s: o.end_s,
        },
        dir,
    )?;
    Ok(())
}
