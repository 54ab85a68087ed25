//! The charts of one run: for each, a data struct built from [`RunData`] by a pure
//! function (tested on hand-made runs) and a drawing routine for any plotters backend.

use super::read::RunData;
use super::series::{Bar, Cdf, Segments, Track, gantt_bars, stack};
use super::style::{self, FAMILY, Unit, class_color, kind_color, tick};
use anyhow::Result;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use std::ops::Range;

/// Width of a chart, px (PNG) or user units (SVG).
pub const WIDTH: u32 = 1200;
/// Height of a single-panel chart.
pub const HEIGHT: u32 = 620;

/// Power over time, stacked by device class, with IT and facility totals and the cap.
#[derive(Clone, Debug, PartialEq)]
pub struct PowerChart {
    /// Segments of the series.
    pub segs: Segments,
    /// End of the time axis, s.
    pub end_s: f64,
    /// Stacked classes: name, class index (colour), devices.
    pub classes: Vec<(String, usize, u32)>,
    /// Top edge of each stacked class layer per segment, W.
    pub tops: Vec<Vec<f64>>,
    /// IT power, W.
    pub it: Track,
    /// Facility power (mean per segment), W.
    pub facility: Option<Vec<f64>>,
    /// Facility / IT energy (the effective PUE).
    pub pue: Option<f64>,
    /// IT power cap at the start, W (from the summary).
    pub cap_w: Option<f64>,
    /// IT power cap per segment from power.csv's `cap_w` column (lowest in the
    /// segment; NaN where there is none), when the run reports it.
    pub cap_series: Option<Vec<f64>>,
    /// Time at the cap, s.
    pub time_at_cap_s: f64,
}

impl PowerChart {
    /// Builds the chart data; `None` when power.csv has no IT column or no rows.
    pub fn from_run(run: &RunData) -> Option<PowerChart> {
        let it = run.power_col("it_w")?;
        if run.power.segs.is_empty() {
            return None;
        }
        let mut cols = Vec::new();
        let mut classes = Vec::new();
        for (i, c) in run.classes.iter().enumerate() {
            if let Some(k) = run.power_col(&format!("{}_w", c.name)) {
                cols.push(k);
                classes.push((c.name.clone(), i, c.devices));
            }
        }
        let facility = run
            .power_col("facility_w")
            .map(|k| run.power.tracks[k].mean.clone());
        let pue = match (run.num("energy_facility_j"), run.num("energy_it_j")) {
            (Some(f), Some(i)) if i > 0.0 => Some(f / i),
            _ => None,
        };
        Some(PowerChart {
            segs: run.power.segs.clone(),
            end_s: run.power.end_s,
            tops: stack(&run.power, &cols),
            classes,
            it: run.power.tracks[it].clone(),
            facility,
            pue,
            cap_w: run.num("power_cap_w"),
            cap_series: run
                .power_col("cap_w")
                .map(|k| {
                    run.power.tracks[k]
                        .min
                        .iter()
                        .map(|&v| if v.is_finite() { v } else { f64::NAN })
                        .collect::<Vec<f64>>()
                })
                .filter(|v| v.iter().any(|x| x.is_finite())),
            time_at_cap_s: run.num("time_at_cap_s").unwrap_or(0.0),
        })
    }
}

/// Cumulative energy (IT and facility), with carbon and cost when they are not zero.
#[derive(Clone, Debug, PartialEq)]
pub struct EnergyChart {
    /// End of the time axis, s.
    pub end_s: f64,
    /// Cumulative IT energy `(t s, J)`.
    pub it_j: Vec<(f64, f64)>,
    /// Cumulative facility energy `(t s, J)`.
    pub facility_j: Vec<(f64, f64)>,
    /// Cumulative carbon `(t s, g)`.
    pub carbon_g: Option<Vec<(f64, f64)>>,
    /// Cumulative cost `(t s, currency)`.
    pub cost: Option<Vec<(f64, f64)>>,
}

impl EnergyChart {
    /// Builds the chart data; `None` when power.csv has no IT column or no rows.
    pub fn from_run(run: &RunData) -> Option<EnergyChart> {
        let it = run.power_col("it_w")?;
        if run.power.segs.is_empty() {
            return None;
        }
        let cum = |name: &str| run.power_col(name).map(|k| run.power.cumulative(k));
        Some(EnergyChart {
            end_s: run.power.end_s,
            it_j: run.power.cumulative(it),
            facility_j: cum("facility_w").unwrap_or_default(),
            carbon_g: cum(super::read::CARBON_RATE),
            cost: cum(super::read::COST_RATE),
        })
    }
}

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
                    .get("per_class")
                    .and_then(|p| p.get(&c.name)?.get("utilization")?.as_f64()),
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
            overall_mean: run.num("utilization"),
        })
    }
}

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

impl LinesChart {
    /// Queue length over time; `None` without a `queue_len` column.
    pub fn queue(run: &RunData) -> Option<LinesChart> {
        let k = run.power_col("queue_len")?;
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
                n.strip_suffix("_devices")
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

/// One job kind's response-time CDF.
#[derive(Clone, Debug, PartialEq)]
pub struct KindCdf {
    /// Kind name.
    pub name: String,
    /// Line colour.
    pub color: RGBColor,
    /// The CDF.
    pub cdf: Cdf,
    /// Distinct relative deadlines, s.
    pub deadlines: Vec<f64>,
    /// Deadlines vary too much to mark.
    pub varied: bool,
    /// Jobs with a deadline.
    pub with_deadline: u64,
    /// Jobs that met it.
    pub met: u64,
}

/// Response-time CDFs per job kind.
#[derive(Clone, Debug, PartialEq)]
pub struct CdfChart {
    /// Kinds that had jobs.
    pub kinds: Vec<KindCdf>,
    /// X axis from, s.
    pub lo: f64,
    /// X axis to, s.
    pub hi: f64,
    /// Logarithmic x axis (values span more than a factor of 20).
    pub log: bool,
}

impl CdfChart {
    /// Builds the chart from per-kind CDFs; `None` when no job finished.
    pub fn new(kinds: Vec<KindCdf>) -> Option<CdfChart> {
        let kinds: Vec<KindCdf> = kinds.into_iter().filter(|k| k.cdf.n > 0).collect();
        if kinds.is_empty() {
            return None;
        }
        let xs = kinds
            .iter()
            .flat_map(|k| k.cdf.points.iter().map(|p| p.0).chain(k.deadlines.clone()));
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for x in xs.filter(|x| *x > 0.0 && x.is_finite()) {
            lo = lo.min(x);
            hi = hi.max(x);
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        let log = lo > 0.0 && hi / lo > 20.0;
        // A log axis starts at the 0.1st percentile of the fastest kind (or the first
        // deadline), so a handful of near-zero responses does not stretch it over
        // decades where nothing happens.
        let lo = if log {
            kinds
                .iter()
                .filter_map(|k| k.cdf.points.iter().find(|p| p.1 >= 0.001).map(|p| p.0))
                .chain(kinds.iter().flat_map(|k| k.deadlines.clone()))
                .filter(|x| *x > 0.0)
                .fold(f64::INFINITY, f64::min)
                .max(lo)
        } else {
            lo
        };
        let (lo, hi) = if log {
            (lo / 1.25, hi * 1.25)
        } else {
            (0.0, if hi > 0.0 { hi * 1.05 } else { 1.0 })
        };
        Some(CdfChart { kinds, lo, hi, log })
    }

    /// Builds the chart of a run.
    pub fn from_run(run: &RunData) -> Option<CdfChart> {
        Self::new(
            run.kinds
                .iter()
                .enumerate()
                .map(|(i, k)| KindCdf {
                    name: k.name.clone(),
                    color: kind_color(i),
                    cdf: k.cdf.clone(),
                    deadlines: k.deadlines.values_s(),
                    varied: k.deadlines.varied,
                    with_deadline: k.deadlines.with_deadline,
                    met: k.deadlines.met,
                })
                .collect(),
        )
    }
}

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
            end_s: run.num("horizon_s").unwrap_or(end).max(end),
        })
    }
}

/// Any chart of a run, for drawing and listing.
#[derive(Clone, Debug, PartialEq)]
pub enum Figure {
    /// Stacked power.
    Power(PowerChart),
    /// Cumulative energy.
    Energy(EnergyChart),
    /// Utilisation per class.
    Utilization(UtilizationChart),
    /// Queue length or power states.
    Lines(LinesChart),
    /// Response-time CDF.
    Cdf(CdfChart),
    /// Gantt chart.
    Gantt(GanttChart),
}

/// Something drawn into `<stem>.png` and `<stem>.svg`.
pub trait Drawable {
    /// File stem.
    fn stem(&self) -> &'static str;
    /// Title drawn on the chart.
    fn title(&self) -> String;
    /// Size in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws onto `root` (already filled white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static;
}

impl Drawable for Figure {
    fn stem(&self) -> &'static str {
        Figure::stem(self)
    }
    fn title(&self) -> String {
        Figure::title(self)
    }
    fn size(&self) -> (u32, u32) {
        Figure::size(self)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        Figure::draw(self, root)
    }
}

impl Figure {
    /// File stem of the chart (`charts/<stem>.png|svg`).
    pub fn stem(&self) -> &'static str {
        match self {
            Figure::Power(_) => "power",
            Figure::Energy(_) => "energy",
            Figure::Utilization(_) => "utilization",
            Figure::Lines(l) => l.stem,
            Figure::Cdf(_) => "response_cdf",
            Figure::Gantt(_) => "gantt",
        }
    }

    /// Title drawn on the chart.
    pub fn title(&self) -> String {
        match self {
            Figure::Power(_) => "Power by device class".into(),
            Figure::Energy(_) => "Cumulative energy".into(),
            Figure::Utilization(_) => "Utilisation by device class".into(),
            Figure::Lines(l) => l.title.clone(),
            Figure::Cdf(_) => "Response time by job kind (CDF)".into(),
            Figure::Gantt(_) => "Jobs on devices (Gantt)".into(),
        }
    }

    /// Size in pixels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Figure::Energy(e) if e.carbon_g.is_some() || e.cost.is_some() => (WIDTH, 960),
            Figure::Gantt(g) => (WIDTH, (230 + 24 * g.rows.len() as u32).max(HEIGHT)),
            _ => (WIDTH, HEIGHT),
        }
    }

    /// Draws the chart onto `root` (already filled white).
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let title = self.title();
        match self {
            Figure::Power(c) => draw_power(root, &title, c),
            Figure::Energy(c) => draw_energy(root, &title, c),
            Figure::Utilization(c) => draw_utilization(root, &title, c),
            Figure::Lines(c) => draw_lines(root, &title, c),
            Figure::Cdf(c) => draw_cdf(root, &title, c),
            Figure::Gantt(c) => draw_gantt(root, &title, c),
        }
    }
}

// ---------------------------------------------------------------------------------
// Drawing helpers.

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

pub(crate) type Coord = Cartesian2d<Ticked, Ticked>;

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
pub(crate) fn zero_axis<'f>(max: f64, label: String, fmt: &'f dyn Fn(&f64) -> String) -> Axis<'f> {
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

pub(crate) fn time_axis<'f>(end_s: f64, u: Unit, fmt: &'f dyn Fn(&f64) -> String) -> Axis<'f> {
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

fn title_font<'a>() -> TextStyle<'a> {
    (FAMILY, 30).into_font().style(FontStyle::Bold).into()
}

pub(crate) fn text_font<'a>(size: u32) -> TextStyle<'a> {
    (FAMILY, size).into_font().into()
}

pub(crate) fn cartesian<'a, DB: DrawingBackend + 'a>(
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
pub(crate) enum Swatch {
    Fill(RGBColor, f64),
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

pub(crate) const LEGEND_LEFT: i32 = 118;

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
pub(crate) fn with_legend<DB: DrawingBackend>(
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

/// "1 device", "4 devices".
fn devices(n: u32) -> String {
    if n == 1 {
        "1 device".into()
    } else {
        format!("{} devices", style::count(n as u64))
    }
}

/// Points of a step line: each segment's value held from its start to its end.
pub(crate) fn steps(segs: &Segments, v: &[f64], tdiv: f64, ydiv: f64) -> Vec<(f64, f64)> {
    let mut p = Vec::with_capacity(2 * v.len());
    for ((t0, t1), y) in segs.t0.iter().zip(&segs.t1).zip(v) {
        p.push((t0 / tdiv, y / ydiv));
        p.push((t1 / tdiv, y / ydiv));
    }
    p
}

/// A closed polygon between two step lines.
fn band(segs: &Segments, lo: &[f64], hi: &[f64], tdiv: f64, ydiv: f64) -> Vec<(f64, f64)> {
    let mut p = steps(segs, hi, tdiv, ydiv);
    let mut low = steps(segs, lo, tdiv, ydiv);
    low.reverse();
    p.extend(low);
    p
}

pub(crate) fn dashed<DB: DrawingBackend>(
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

// ---------------------------------------------------------------------------------
// The charts.

fn draw_power<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    c: &PowerChart,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let fac_max = c
        .facility
        .as_ref()
        .map_or(0.0, |f| f.iter().copied().fold(0.0, f64::max));
    let cap_max = c
        .cap_series
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .fold(c.cap_w.unwrap_or(0.0), f64::max);
    let ymax = c.it.peak().max(fac_max).max(cap_max);
    let pu = style::power_unit(ymax);
    let tu = style::time_unit(c.end_s);
    let mut legend: Vec<(String, Swatch)> = c
        .classes
        .iter()
        .map(|(n, i, d)| {
            (
                format!("{n} ({})", devices(*d)),
                Swatch::Fill(class_color(*i), 0.8),
            )
        })
        .collect();
    // With a PUE of 1 the facility line would hide under the IT line: say so instead.
    let facility = c.facility.as_ref().filter(|f| *f != &c.it.mean);
    let it_label = if c.facility.is_some() && facility.is_none() {
        "IT total (= facility total, PUE 1)"
    } else {
        "IT total"
    };
    legend.push((it_label.into(), Swatch::Line(BLACK, false)));
    if !c.segs.exact {
        legend.push((
            "IT min–max within each pixel column".into(),
            Swatch::Fill(RGBColor(120, 120, 120), 0.35),
        ));
    }
    if facility.is_some() {
        let pue = c
            .pue
            .map(|p| format!(" (IT × PUE {})", style::num(p)))
            .unwrap_or_default();
        legend.push((
            format!("facility total{pue}"),
            Swatch::Line(RGBColor(110, 110, 110), true),
        ));
    }
    let varies = c.cap_series.as_ref().is_some_and(|v| {
        let finite: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        finite.len() < v.len() || finite.iter().any(|x| *x != finite[0])
    });
    if varies {
        legend.push((
            format!(
                "IT power cap, varying (at cap {})",
                style::duration(c.time_at_cap_s)
            ),
            Swatch::Line(RED, true),
        ));
    } else if let Some(cap) = c.cap_w.or_else(|| c.cap_series.as_ref().map(|v| v[0])) {
        legend.push((
            format!(
                "IT power cap {} (at cap {})",
                style::with_unit(cap, pu),
                style::duration(c.time_at_cap_s)
            ),
            Swatch::Line(RED, true),
        ));
    }
    let plot = with_legend(root, &legend)?;
    let f = |v: &f64| tick(*v);
    let mut chart = cartesian(
        &plot,
        title,
        time_axis(c.end_s, tu, &f),
        zero_axis(ymax / pu.div, format!("power ({})", pu.label), &f),
    )?;
    let zeros = vec![0.0; c.segs.len()];
    for (k, (_, i, _)) in c.classes.iter().enumerate() {
        let lo = if k == 0 { &zeros } else { &c.tops[k - 1] };
        let poly = band(&c.segs, lo, &c.tops[k], tu.div, pu.div);
        chart.draw_series(std::iter::once(Polygon::new(
            poly,
            class_color(*i).mix(0.8).filled(),
        )))?;
    }
    if !c.segs.exact {
        let poly = band(&c.segs, &c.it.min, &c.it.max, tu.div, pu.div);
        chart.draw_series(std::iter::once(Polygon::new(
            poly,
            RGBColor(120, 120, 120).mix(0.35).filled(),
        )))?;
    }
    chart.draw_series(LineSeries::new(
        steps(&c.segs, &c.it.mean, tu.div, pu.div),
        BLACK.stroke_width(2),
    ))?;
    if let Some(fac) = facility {
        dashed(
            &mut chart,
            steps(&c.segs, fac, tu.div, pu.div),
            RGBColor(110, 110, 110).stroke_width(2),
        )?;
    }
    match &c.cap_series {
        // Each stretch where a cap holds, drawn as steps.
        Some(cap) => {
            let mut run: Vec<(f64, f64)> = Vec::new();
            for i in 0..=c.segs.len() {
                let v = cap.get(i).copied().unwrap_or(f64::NAN);
                if v.is_finite() {
                    run.push((c.segs.t0[i] / tu.div, v / pu.div));
                    run.push((c.segs.t1[i] / tu.div, v / pu.div));
                } else if !run.is_empty() {
                    dashed(&mut chart, std::mem::take(&mut run), RED.stroke_width(2))?;
                }
            }
        }
        None => {
            if let Some(cap) = c.cap_w {
                let x1 = c.end_s / tu.div;
                dashed(
                    &mut chart,
                    vec![(0.0, cap / pu.div), (x1, cap / pu.div)],
                    RED.stroke_width(2),
                )?;
            }
        }
    }

    Ok(())
}

fn draw_energy<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    c: &EnergyChart,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let tu = style::time_unit(c.end_s);
    let f = |v: &f64| tick(*v);
    let two = c.carbon_g.is_some() || c.cost.is_some();
    let (top, bottom) = if two {
        let h = root.dim_in_pixel().1;
        let (a, b) = root.split_vertically(h * 52 / 100);
        (a, Some(b))
    } else {
        (root.clone(), None)
    };
    let last = |v: &[(f64, f64)]| v.last().map_or(0.0, |p| p.1);
    let emax = last(&c.it_j).max(last(&c.facility_j));
    let eu = style::energy_unit(emax);
    let mut legend = vec![(
        format!("IT energy: {}", style::with_unit(last(&c.it_j), eu)),
        Swatch::Line(BLACK, false),
    )];
    if !c.facility_j.is_empty() {
        legend.push((
            format!(
                "facility energy: {}",
                style::with_unit(last(&c.facility_j), eu)
            ),
            Swatch::Line(RGBColor(110, 110, 110), true),
        ));
    }
    let plot = with_legend(&top, &legend)?;
    let mut chart = cartesian(
        &plot,
        title,
        time_axis(c.end_s, tu, &f),
        zero_axis(emax / eu.div, format!("energy ({})", eu.label), &f),
    )?;
    let scale = |v: &[(f64, f64)], ydiv: f64| -> Vec<(f64, f64)> {
        v.iter().map(|p| (p.0 / tu.div, p.1 / ydiv)).collect()
    };
    chart.draw_series(LineSeries::new(
        scale(&c.it_j, eu.div),
        BLACK.stroke_width(2),
    ))?;
    if !c.facility_j.is_empty() {
        dashed(
            &mut chart,
            scale(&c.facility_j, eu.div),
            RGBColor(110, 110, 110).stroke_width(2),
        )?;
    }
    let Some(bottom) = bottom else {
        return Ok(());
    };
    // Carbon and cost side by side, each on its own axis: with constant signals
    // both are facility energy times a constant, and one shared axis would either
    // hide one curve behind the other or need a second scale read off the wrong side.
    let green = RGBColor(0, 140, 90);
    let orange = RGBColor(200, 110, 0);
    type Panel<'p> = (&'p str, &'p Vec<(f64, f64)>, RGBColor, Unit, String);
    let mut panels: Vec<Panel<'_>> = Vec::new();
    if let Some(cg) = &c.carbon_g {
        let cu = style::carbon_unit(last(cg));
        panels.push((
            "Cumulative carbon",
            cg,
            green,
            cu,
            format!("carbon ({})", cu.label),
        ));
    }
    if let Some(k) = &c.cost {
        let ku = Unit {
            div: 1.0,
            label: "",
        };
        panels.push((
            "Cumulative electricity cost",
            k,
            orange,
            ku,
            "cost (currency of the price)".into(),
        ));
    }
    let w = bottom.dim_in_pixel().0;
    let areas = if panels.len() == 2 {
        let (a, b) = bottom.split_horizontally(w / 2);
        vec![a, b]
    } else {
        vec![bottom]
    };
    for ((name, v, color, u, ylabel), area) in panels.into_iter().zip(areas) {
        let total = last(v);
        let label = if u.label.is_empty() {
            format!("total {}", style::num(total))
        } else {
            format!("total {}", style::with_unit(total, u))
        };
        let plot = with_legend(&area, &[(label, Swatch::Line(color, false))])?;
        let mut chart = cartesian(
            &plot,
            name,
            time_axis(c.end_s, tu, &f),
            zero_axis(total / u.div, ylabel, &f),
        )?;
        chart.draw_series(LineSeries::new(scale(v, u.div), color.stroke_width(3)))?;
    }
    Ok(())
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
                .map(|m| format!(", mean {}", style::percent(m)))
                .unwrap_or_default();
            (
                format!("{} ({}{mean})", cb.name, devices(cb.devices)),
                Swatch::Line(class_color(cb.index), false),
            )
        })
        .collect();
    if c.overall.is_some() {
        let mean = c
            .overall_mean
            .map(|m| format!(" (mean {})", style::percent(m)))
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

fn draw_lines<DB: DrawingBackend>(
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

pub(crate) fn draw_cdf<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    c: &CdfChart,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let legend: Vec<(String, Swatch)> = c
        .kinds
        .iter()
        .map(|k| {
            let mut s = format!("{}: {} jobs", k.name, style::count(k.cdf.n));
            if k.with_deadline > 0 {
                s += &format!(
                    ", {} met their deadline",
                    style::percent(k.met as f64 / k.with_deadline as f64)
                );
            }
            (s, Swatch::Line(k.color, false))
        })
        .collect();
    let plot = with_legend(root, &legend)?;
    let tx = |x: f64| if c.log { x.max(c.lo).log10() } else { x };
    let (xr, xt) = if c.log {
        let (a, b) = (c.lo.log10(), c.hi.log10());
        let mut t: Vec<f64> = ((a.ceil() as i64)..=(b.floor() as i64))
            .map(|k| k as f64)
            .collect();
        if t.len() < 4 {
            let extra: Vec<f64> = t
                .iter()
                .flat_map(|&k| [k + 2f64.log10(), k + 5f64.log10(), k - 1.0 + 5f64.log10()])
                .filter(|v| (a..=b).contains(v))
                .collect();
            t.extend(extra);
            t.sort_by(f64::total_cmp);
            t.dedup();
        }
        (a..b, t)
    } else {
        let u = style::duration_unit(c.hi).div;
        let t = nice_ticks(c.lo / u, c.hi / u, 8);
        (c.lo..c.hi, t.into_iter().map(|v| v * u).collect())
    };
    // A linear axis uses one unit for every tick; a log axis names each decade.
    let lu = style::duration_unit(c.hi);
    let xf = |v: &f64| {
        if c.log {
            style::duration(10f64.powf(*v))
        } else {
            tick(*v / lu.div)
        }
    };
    let yf = |v: &f64| tick(*v);
    let x = Axis {
        range: xr.clone(),
        ticks: xt,
        label: if c.log {
            "response time (arrival to end), log scale".into()
        } else {
            format!("response time (arrival to end, {})", lu.label)
        },
        fmt: &xf,
    };
    let y = Axis {
        range: 0.0..1.02,
        ticks: nice_ticks(0.0, 1.0, 5),
        label: "fraction of jobs done within x".into(),
        fmt: &yf,
    };
    let mut chart = cartesian(&plot, title, x, y)?;
    let (x0, x1) = (xr.start, xr.end);
    for (n, k) in c.kinds.iter().enumerate() {
        let color = k.color;
        let mut pts = vec![(x0, k.cdf.at_zero)];
        let mut f = k.cdf.at_zero;
        for &(x, fx) in &k.cdf.points {
            let xx = tx(x);
            pts.push((xx, f));
            pts.push((xx, fx));
            f = fx;
        }
        pts.push((x1, f));
        // Earlier lines are wider, so a line drawn over an identical one still shows.
        let width = 3 + (c.kinds.len() - 1 - n).min(3) as u32;
        chart.draw_series(LineSeries::new(pts, color.stroke_width(width)))?;
        for (j, &d) in k.deadlines.iter().enumerate() {
            let xd = tx(d);
            dashed(
                &mut chart,
                vec![(xd, 0.0), (xd, 1.02)],
                color.stroke_width(2),
            )?;
            let y = 0.95 - 0.07 * (n + j) as f64;
            chart.draw_series(std::iter::once(Text::new(
                format!(" {} deadline {}", k.name, style::duration(d)),
                (xd, y),
                text_font(17).color(&color),
            )))?;
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

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
