//! Queue length over time.

use super::lines::{LinesChart, draw_lines};
use super::read::RunData;
use super::registry::{Chart, Skip, interval_note, reduced_note};
use crate::report::error::Result;

use crate::report::kit::render::Drawable;
use crate::report::kit::style::{self};
use crate::schema::power as power_cols;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The queue-length chart.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueChart(pub LinesChart);

impl LinesChart {
    /// Queue length over time; `None` without a `queue_len` column.
    pub fn queue(run: &RunData) -> Option<LinesChart> {
        let k = run.power_col(power_cols::QUEUE_LEN)?;
        let label = match run.scenario.as_ref().and_then(|s| s.output.power_interval) {
            Some(d) => format!(
                "jobs waiting (mean over each {} interval of power.csv)",
                style::duration(d)
            ),
            None => "jobs waiting".into(),
        };
        Some(LinesChart {
            stem: "queue",
            title: "Queue length".into(),
            y_label: "jobs waiting to start".into(),
            segs: run.power.segs.clone(),
            end_s: run.power.end_s,
            lines: vec![(label, run.power.tracks[k].clone())],
            stacked: false,
        })
    }
}

impl Drawable for QueueChart {
    fn stem(&self) -> &'static str {
        "queue"
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

impl Chart for QueueChart {
    const TITLE: &'static str = "Queue length";

    fn build(run: &RunData) -> Result<Self, Skip> {
        // A flat line at zero tells nothing a sentence does not.
        if run.num("queue_mean") == Some(0.0) {
            return Err(Skip::Because(
                "No job waited to start: the queue was empty throughout, so there is no queue chart."
                    .into(),
            ));
        }
        LinesChart::queue(run).map(QueueChart).ok_or(Skip::Quietly)
    }

    fn caption(&self, run: &RunData) -> String {
        format!(
            "Jobs released and not yet started (policy queue and device queues).{}{}",
            interval_note(run),
            reduced_note(self.0.segs.exact)
        )
    }
}
