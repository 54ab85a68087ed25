//! Charts of an LLM serving run: TTFT and TBT CDFs, output tokens/s and IT power over
//! time. They are drawn from the serving outcome when the run is written (a serving
//! run folder has no jobs.csv or power.csv for the job-run charts).

use crate::report::error::Result;
use crate::report::kit::axes::{Swatch, cartesian, time_axis, with_legend, zero_axis};
use crate::report::kit::render::{Drawable, render};
use crate::report::kit::style::{self, kind_color, tick};
use crate::report::serving_files::series;
use crate::serving::sim::ServingOutcome;
use crate::serving::summary::latencies;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Most steps a latency CDF draws (more values are drawn at every k-th rank).
const MAX_STEPS: usize = 4096;

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
        let n = self.values.len();
        // Past MAX_STEPS values, every (n / MAX_STEPS)-th rank and the last: steps
        // finer than a pixel, and an SVG of bounded size.
        let stride = n.div_ceil(MAX_STEPS).max(1);
        let ranks = (0..n)
            .step_by(stride)
            .chain((n > 0 && !(n - 1).is_multiple_of(stride)).then_some(n - 1));
        let nf = n as f64;
        let pts = ranks.flat_map(|i| {
            let v = self.values[i];
            [(v, i as f64 / nf), (v, (i + stride).min(n) as f64 / nf)]
        });
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

/// What the serving charts are drawn from: the finished requests' TTFT and TBT and
/// the per-bin series, from the simulation or read back from a run folder.
#[derive(Clone, Debug, PartialEq)]
pub struct ServingData {
    /// TTFT of the finished requests, s, sorted.
    pub ttft: Vec<f64>,
    /// TBT ((E2E - TTFT) / T) of the finished requests, s, sorted.
    pub tbt: Vec<f64>,
    /// (bin start s, output tokens/s, mean IT power W) per bin.
    pub series: Vec<(f64, f64, f64)>,
    /// Bin width, s.
    pub bin_s: f64,
    /// End of the serving part, s.
    pub end_s: f64,
}

impl ServingData {
    /// From a serving run's records.
    pub fn from_outcome(o: &ServingOutcome) -> ServingData {
        let (mut ttft, mut tbt) = (Vec::new(), Vec::new());
        for r in &o.requests {
            if let Some(l) = latencies(r) {
                ttft.push(l.0);
                tbt.push(l.1);
            }
        }
        ttft.sort_by(|a, b| a.total_cmp(b));
        tbt.sort_by(|a, b| a.total_cmp(b));
        ServingData {
            ttft,
            tbt,
            series: series(o),
            bin_s: o.bin_s,
            end_s: o.end_s,
        }
    }

    /// Read back from a run folder's requests.csv and series.csv; `end_s` is the
    /// serving part's makespan (summary.json). `None` when the folder has no
    /// requests.csv.
    pub fn read(dir: &Path, end_s: f64) -> Result<Option<ServingData>> {
        use crate::report::error::Context;
        let path = dir.join(REQUESTS_CSV);
        if !path.is_file() {
            return Ok(None);
        }
        let mut rd = csv::Reader::from_path(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let head = rd.headers()?.clone();
        let col = |name: &str| {
            head.iter()
                .position(|h| h == name)
                .with_context(|| format!("{} has no column {name}", path.display()))
        };
        let (c_ttft, c_tbt) = (col("ttft_s")?, col("tbt_s")?);
        let (mut ttft, mut tbt) = (Vec::new(), Vec::new());
        for rec in rd.records() {
            let rec = rec?;
            let num = |c: usize| rec.get(c).and_then(|v| v.parse::<f64>().ok());
            // Unfinished requests have empty cells.
            if let (Some(a), Some(b)) = (num(c_ttft), num(c_tbt)) {
                ttft.push(a);
                tbt.push(b);
            }
        }
        ttft.sort_by(|a, b| a.total_cmp(b));
        tbt.sort_by(|a, b| a.total_cmp(b));
        let path = dir.join(SERIES_CSV);
        let mut rd = csv::Reader::from_path(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut series = Vec::new();
        for rec in rd.records() {
            let rec = rec?;
            let v: Vec<f64> = rec.iter().filter_map(|x| x.parse().ok()).collect();
            if v.len() == 3 {
                series.push((v[0], v[1], v[2]));
            }
        }
        let bin_s = match series.as_slice() {
            [a, b, ..] => b.0 - a.0,
            _ => end_s.max(1.0),
        };
        Ok(Some(ServingData {
            ttft,
            tbt,
            series,
            bin_s,
            end_s,
        }))
    }

    /// The four charts: TTFT CDF, TBT CDF, output tokens/s and IT power over time.
    fn charts(&self) -> (LatencyCdf, LatencyCdf, Timeline, Timeline) {
        let tu = style::time_unit(self.end_s).label;
        let timeline = |stem, title, y_label: &str, f: fn(&(f64, f64, f64)) -> f64| Timeline {
            stem,
            title,
            y_label: y_label.into(),
            points: self.series.iter().map(|p| (p.0, f(p))).collect(),
            bin_s: self.bin_s,
            end_s: self.end_s,
        };
        (
            LatencyCdf {
                stem: "ttft_cdf",
                title: "Time to first token".into(),
                x_label: "TTFT (s)".into(),
                values: self.ttft.clone(),
            },
            LatencyCdf {
                stem: "tbt_cdf",
                title: "Time between tokens, (E2E - TTFT) / T".into(),
                x_label: "TBT (s)".into(),
                values: self.tbt.clone(),
            },
            timeline(
                "tokens_per_s",
                format!("Output tokens per second ({} s bins)", self.bin_s),
                "tokens/s",
                |p| p.1,
            ),
            timeline(
                "serving_power",
                format!(
                    "IT power of the instances (mean per {} s bin; time in {tu})",
                    self.bin_s
                ),
                "W",
                |p| p.2,
            ),
        )
    }
}

/// requests.csv of a serving run (see `report::serving_files`).
pub const REQUESTS_CSV: &str = "requests.csv";
/// series.csv of a serving run.
pub const SERIES_CSV: &str = "series.csv";

/// Draws the four charts of a serving run into `dir`.
pub fn draw_all(dir: &Path, o: &ServingOutcome) -> Result<()> {
    draw_data(dir, &ServingData::from_outcome(o))
}

/// Draws the four charts from `d` into `dir` (`hetsim plot` on a serving folder).
pub fn draw_data(dir: &Path, d: &ServingData) -> Result<()> {
    let (a, b, c, e) = d.charts();
    render(&a, dir)?;
    render(&b, dir)?;
    render(&c, dir)?;
    render(&e, dir)?;
    Ok(())
}

/// The serving charts of a run with serving beside jobs, in its report (one type per
/// chart, for the registry).
macro_rules! serving_chart {
    ($name:ident, $inner:ty, $pick:tt, $title:expr, $caption:expr) => {
        #[doc = concat!("Serving chart: ", $title, ".")]
        pub struct $name($inner);
        impl Drawable for $name {
            fn stem(&self) -> &'static str {
                self.0.stem()
            }
            fn title(&self) -> String {
                self.0.title()
            }
            fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
            where
                DB::ErrorType: 'static,
            {
                self.0.draw(root)
            }
        }
        impl Chart for $name {
            const TITLE: &'static str = $title;
            fn build(run: &RunData) -> std::result::Result<Self, Skip> {
                let d = run.serving.as_ref().ok_or(Skip::Quietly)?;
                Ok($name(d.charts().$pick))
            }
            fn caption(&self, run: &RunData) -> String {
                let n = run.serving.as_ref().map_or(0, |d| d.ttft.len());
                format!($caption, n = n, figures = figures(run, $pick))
            }
        }
    };
}

use super::read::RunData;
use super::registry::{Chart, Skip};

/// The summary's serving figures a chart's caption quotes (`serving.<config>.*`).
fn figures(run: &RunData, chart: usize) -> String {
    let Some((config, g)) = run
        .summary
        .get("serving")
        .and_then(serde_json::Value::as_object)
        .and_then(|m| m.iter().next())
    else {
        return String::new();
    };
    let f = |k: &str| {
        g.get(k)
            .and_then(serde_json::Value::as_f64)
            .map_or("n/a".into(), |v| crate::report::metric::format(k, v))
    };
    match chart {
        0 => {
            let slo = match g.get("slo_met").and_then(serde_json::Value::as_bool) {
                Some(true) => " Splitwise's SLOs are met.".to_string(),
                Some(false) => format!(
                    " Splitwise's SLOs are missed ({}).",
                    g.get("slo_missed").and_then(|v| v.as_str()).unwrap_or("")
                ),
                None => String::new(),
            };
            format!(
                "Configuration {config}: median {}, p99 {}.{slo}",
                f("ttft_p50_s"),
                f("ttft_p99_s")
            )
        }
        1 => format!(
            "Median {}, p99 {}; end to end: median {}, p99 {}.",
            f("tbt_p50_s"),
            f("tbt_p99_s"),
            f("e2e_p50_s"),
            f("e2e_p99_s")
        ),
        2 => format!(
            "{} output tokens/s and {} requests/s over the serving part's {}.",
            f("output_tokens_per_s"),
            f("requests_per_s"),
            f("makespan_s")
        ),
        _ => format!(
            "{} serving devices; {} of IT energy per output token; over the accounting window they drew {} ({} of carbon).",
            f("serving_devices"),
            f("energy_per_output_token_j"),
            f("energy_it_window_j"),
            f("carbon_window_g")
        ),
    }
}

serving_chart!(
    TtftChart,
    LatencyCdf,
    0,
    "Serving: time to first token",
    "Empirical CDF of the time to first token (prefill end - arrival) of the {n} finished requests (requests.csv, column ttft_s). {figures}"
);
serving_chart!(
    TbtChart,
    LatencyCdf,
    1,
    "Serving: time between tokens",
    "Empirical CDF of the time between tokens, (E2E - TTFT) / T as Splitwise defines it, of the {n} finished requests (requests.csv, column tbt_s). {figures}"
);
serving_chart!(
    TokensChart,
    Timeline,
    2,
    "Serving: output tokens per second",
    "Output tokens per second of the serving instances, per bin of series.csv (each token counted at the end of its iteration); {n} requests finished: {figures}"
);
serving_chart!(
    ServingPowerChart,
    Timeline,
    3,
    "Serving: IT power of the instances",
    "IT power of the serving instances' devices, mean per bin of series.csv (busy and idle; without PUE); the power chart above holds the whole facility, serving included. {figures} ({n} requests finished.)"
);

/// Redraws the charts of a serving-only run folder (requests.csv, series.csv and
/// summary.json's makespan_s) into its `charts/`, replacing them only once all are
/// drawn. Returns the number of charts.
pub fn redraw_folder(dir: &Path) -> Result<usize> {
    use crate::report::error::Context;
    let summary = dir.join(crate::schema::SUMMARY_JSON);
    let text = std::fs::read_to_string(&summary)
        .with_context(|| format!("cannot read {}", summary.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not JSON", summary.display()))?;
    let end = v
        .get("makespan_s")
        .and_then(serde_json::Value::as_f64)
        .with_context(|| format!("{} has no makespan_s", summary.display()))?;
    let data = ServingData::read(dir, end)?
        .with_context(|| format!("{} has no {REQUESTS_CSV}", dir.display()))?;
    let tmp = dir.join(format!(".charts.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    if let Err(e) = draw_data(&tmp, &data) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let target = dir.join(crate::report::charts::CHART_DIR);
    if target.exists() {
        std::fs::remove_dir_all(&target)
            .with_context(|| format!("cannot replace {}", target.display()))?;
    }
    std::fs::rename(&tmp, &target)
        .with_context(|| format!("cannot move charts into {}", target.display()))?;
    Ok(4)
}
