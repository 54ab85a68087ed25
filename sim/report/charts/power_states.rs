//! Devices per power state over time.

use super::lines::{LinesChart, draw_lines};
use super::read::RunData;
use super::registry::{Chart, Skip, interval_note, reduced_note};
use super::series::Track;
use crate::report::error::Result;

use crate::report::kit::render::Drawable;
use crate::schema::power as power_cols;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The power-state chart.
#[derive(Clone, Debug, PartialEq)]
pub struct PowerStatesChart(pub LinesChart);

impl LinesChart {
    /// Devices per power state over time, from power.csv's `<state>_devices` columns;
    /// `None` unless the run reports a state besides `busy_devices` (power management
    /// on).
    pub fn power_states(run: &RunData) -> Option<LinesChart> {
        // `<state>_devices` columns, but not per-class columns (`<class>_busy_devices`).
        let mut lines: Vec<(String, Track)> = run
            .power
            .names
            .iter()
            .zip(&run.power.tracks)
            .filter(|(n, _)| {
                !run.classes
                    .iter()
                    .any(|c| n.starts_with(&format!("{}_", c.name)))
            })
            .filter_map(|(n, t)| {
                n.strip_suffix(power_cols::DEVICES_SUFFIX)
                    .map(|s| (s.replace('_', " "), t.clone()))
            })
            .collect();
        if !lines.iter().any(|(n, t)| n != "busy" && t.peak() > 0.0) {
            return None;
        }
        // Devices in no reported state are idle: the states then stack to the
        // device count.
        let total = run.device_count() as f64;
        let idle: Vec<f64> = (0..run.power.segs.len())
            .map(|i| (total - lines.iter().map(|(_, t)| t.mean[i]).sum::<f64>()).max(0.0))
            .collect();
        let at = lines
            .iter()
            .position(|(n, _)| n == "busy")
            .map_or(0, |p| p + 1);
        lines.insert(
            at,
            (
                "idle".into(),
                Track {
                    min: idle.clone(),
                    max: idle.clone(),
                    mean: idle,
                },
            ),
        );
        Some(LinesChart {
            stem: "power_states",
            title: "Devices per power state".into(),
            y_label: "devices".into(),
            segs: run.power.segs.clone(),
            end_s: run.power.end_s,
            lines,
            stacked: true,
        })
    }
}

impl Drawable for PowerStatesChart {
    fn stem(&self) -> &'static str {
        "power_states"
    }
    fn title(&self) -> String {
        self.0.title.clone()
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_lines(root, &self.title(), &self.0)
    }
}

impl Chart for PowerStatesChart {
    const TITLE: &'static str = "Devices per power state";

    fn build(run: &RunData) -> Result<Self, Skip> {
        LinesChart::power_states(run)
            .map(PowerStatesChart)
            .ok_or(Skip::Quietly)
    }

    fn caption(&self, run: &RunData) -> String {
        format!(
            "Devices in each power state, from power.csv's *_devices columns.{}{}",
            interval_note(run),
            reduced_note(self.0.segs.exact)
        )
    }
}
