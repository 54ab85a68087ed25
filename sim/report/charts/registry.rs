//! The [`Chart`] trait and the list of a run's charts, in report order.
//!
//! A chart is one file in `report/charts/` that implements [`Chart`] (and
//! [`Drawable`]) plus one line in [`CHARTS`].

use super::read::RunData;
use super::{
    energy, gantt, heatmap, power, power_states, queue, response_cdf, serving, utilization,
};
use crate::report::error::Result;
use crate::report::kit::render::{Drawable, render};
use crate::report::kit::style;
use std::path::Path;

/// Every chart of a run report, in report order.
pub const CHARTS: &[Entry] = &[
    entry::<power::PowerChart>,
    entry::<heatmap::HeatmapChart>,
    entry::<energy::EnergyChart>,
    entry::<utilization::UtilizationChart>,
    entry::<power_states::PowerStatesChart>,
    entry::<queue::QueueChart>,
    entry::<response_cdf::CdfChart>,
    entry::<gantt::GanttChart>,
    entry::<serving::TtftChart>,
    entry::<serving::TbtChart>,
    entry::<serving::TokensChart>,
    entry::<serving::ServingPowerChart>,
];

/// Why a chart is not drawn for a run.
#[derive(Clone, Debug, PartialEq)]
pub enum Skip {
    /// The run has nothing for it (e.g. no power management): left out silently.
    Quietly,
    /// The report lists the chart as not drawn, with this reason.
    Because(String),
}

/// One chart of the run report: its data, built from a run by a pure function, its
/// caption and (through [`Drawable`]) its file stem, title, size and drawing.
pub trait Chart: Drawable + Sized + 'static {
    /// Title, also listed when the chart is not drawn.
    const TITLE: &'static str;
    /// Builds the chart's data from a run.
    fn build(run: &RunData) -> Result<Self, Skip>;
    /// What the chart shows and how it was reduced, for the report.
    fn caption(&self, run: &RunData) -> String;
}

/// A built chart of any type, ready to render.
pub trait Figure {
    /// File stem (`charts/<stem>.png|svg`).
    fn stem(&self) -> &'static str;
    /// Title drawn on the chart.
    fn title(&self) -> String;
    /// Caption for the report.
    fn caption(&self, run: &RunData) -> String;
    /// Draws into `dir/<stem>.png` and `dir/<stem>.svg`; returns the SVG text.
    fn render(&self, dir: &Path) -> Result<String>;
}

impl<C: Chart> Figure for C {
    fn stem(&self) -> &'static str {
        Drawable::stem(self)
    }
    fn title(&self) -> String {
        Drawable::title(self)
    }
    fn caption(&self, run: &RunData) -> String {
        Chart::caption(self, run)
    }
    fn render(&self, dir: &Path) -> Result<String> {
        render(self, dir)
    }
}

/// A registry entry: builds one chart type, or says (with its title) why not.
pub type Entry = fn(&RunData) -> Result<Box<dyn Figure>, (&'static str, Skip)>;

fn entry<C: Chart>(run: &RunData) -> Result<Box<dyn Figure>, (&'static str, Skip)> {
    match C::build(run) {
        Ok(c) => Ok(Box::new(c)),
        Err(skip) => Err((C::TITLE, skip)),
    }
}

/// Caption sentence on power.csv's interval, when the scenario sets one.
pub fn interval_note(run: &RunData) -> String {
    super::power::power_interval(run)
        .map(|d| {
            format!(
                " power.csv holds means over {} intervals.",
                style::duration(d)
            )
        })
        .unwrap_or_default()
}

/// Caption sentence on downsampling, for series that are not drawn exactly.
pub fn reduced_note(exact: bool) -> String {
    if exact {
        String::new()
    } else {
        " Each pixel column shows the time-weighted mean, and the band spans the minimum to the maximum inside the column, so short peaks stay visible.".to_string()
    }
}
