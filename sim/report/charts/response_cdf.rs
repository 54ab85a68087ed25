//! Response-time CDFs per job kind.

use super::read::RunData;
use super::registry::{Chart, Skip};
use super::series::Cdf;
use crate::report::error::Result;
use crate::report::kit::axes::{
    Axis, Swatch, cartesian, dashed, nice_ticks, text_font, with_legend,
};
use crate::report::kit::render::Drawable;
use crate::report::kit::style::{self, kind_color, tick};
use plotters::coord::Shift;
use plotters::prelude::*;

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
    /// Deadline labels name the lines' kinds (run charts); `false` when every line
    /// is the same kind (compare panels: lines are runs).
    pub name_deadlines: bool,
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
        Some(CdfChart {
            kinds,
            lo,
            hi,
            log,
            name_deadlines: true,
        })
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

impl Drawable for CdfChart {
    fn stem(&self) -> &'static str {
        "response_cdf"
    }
    fn title(&self) -> String {
        Self::TITLE.into()
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_cdf(root, &self.title(), self)
    }
}

impl Chart for CdfChart {
    const TITLE: &'static str = "Response time by job kind (CDF)";

    fn build(run: &RunData) -> Result<Self, Skip> {
        Self::from_run(run).ok_or(Skip::Because("no job finished".into()))
    }

    fn caption(&self, run: &RunData) -> String {
        let _ = run;
        let c = self;
        format!(
            "Fraction of jobs of each kind whose response time (arrival to end) is at most x; dashed vertical lines mark deadlines.{}{}",
            if c.log {
                " The x axis is logarithmic and starts at the 0.1st percentile of the fastest kind."
            } else {
                ""
            },
            if c.kinds.iter().all(|k| k.cdf.exact) {
                ""
            } else {
                " Kinds with more than 4096 jobs are drawn from a histogram whose buckets are at most 0.8 % wide."
            }
        )
    }
}

/// Draws CDF panel `c` (also used by `hetsim compare`).
pub fn draw_cdf<DB: DrawingBackend>(
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
    let log_ticks = if c.log {
        log_ticks(c.lo, c.hi, 7)
    } else {
        Vec::new()
    };
    let (xr, xt) = if c.log {
        let t = log_ticks.iter().map(|t| t.0.log10()).collect();
        ((c.lo.log10())..(c.hi.log10()), t)
    } else {
        let u = style::duration_unit(c.hi).div;
        let t = nice_ticks(c.lo / u, c.hi / u, 8);
        (c.lo..c.hi, t.into_iter().map(|v| v * u).collect())
    };
    // A linear axis uses one unit for every tick; a log axis names each tick with
    // its own round unit (1 ms, 1 s, 1 min).
    let lu = style::duration_unit(c.hi);
    let xf = |v: &f64| {
        if c.log {
            log_ticks
                .iter()
                .min_by(|a, b| (a.0.log10() - v).abs().total_cmp(&(b.0.log10() - v).abs()))
                .map(|t| t.1.clone())
                .unwrap_or_default()
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
    }
    // One marker per distinct deadline: lines that share it (the same kind in
    // several runs, or kinds with equal deadlines) share one dashed line and label.
    let mut marks: Vec<(f64, RGBColor, Vec<&str>)> = Vec::new();
    for k in &c.kinds {
        for &d in &k.deadlines {
            match marks.iter_mut().find(|m| m.0 == d) {
                Some(m) => {
                    if !m.2.contains(&k.name.as_str()) {
                        m.2.push(&k.name);
                    }
                    if c.name_deadlines {
                        m.1 = RGBColor(90, 90, 90);
                    }
                }
                None => marks.push((
                    d,
                    if c.name_deadlines {
                        k.color
                    } else {
                        RGBColor(90, 90, 90)
                    },
                    vec![&k.name],
                )),
            }
        }
    }
    marks.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (j, (d, color, names)) in marks.iter().enumerate() {
        let xd = tx(*d);
        dashed(
            &mut chart,
            vec![(xd, 0.0), (xd, 1.02)],
            color.stroke_width(2),
        )?;
        // Near the bottom: curves are low left of a deadline only for the jobs that
        // miss it, so labels there rarely cross a curve.
        let y = 0.06 + 0.08 * j as f64;
        let text = if c.name_deadlines {
            format!("{} deadline {}", names.join(", "), style::duration(*d))
        } else {
            format!("deadline {}", style::duration(*d))
        };
        // Labels right of the line, or left of it in the right half of the plot,
        // so they are never cut at the edge.
        let right = (xd - x0) / (x1 - x0) > 0.5;
        let pos = plotters::style::text_anchor::Pos::new(
            if right {
                plotters::style::text_anchor::HPos::Right
            } else {
                plotters::style::text_anchor::HPos::Left
            },
            plotters::style::text_anchor::VPos::Center,
        );
        let label = if right {
            format!("{text} ")
        } else {
            format!(" {text}")
        };
        chart.draw_series(std::iter::once(Text::new(
            label,
            (xd, y),
            text_font(17).color(color).pos(pos),
        )))?;
    }
    Ok(())
}

/// Round durations for log-axis ticks, with their labels and level (0: a main
/// tick such as 1 ms, 1 s, 1 min, 1 h, 1 day; 1: the 5 steps; 2: the 2 steps).
fn tick_candidates() -> Vec<(f64, String, u8)> {
    let mut out = Vec::new();
    for (p, unit) in [(-9, "ns"), (-6, "µs"), (-3, "ms"), (0, "s")] {
        for k in 0..3 {
            for (m, level) in [(1.0, 0u8), (2.0, 2), (5.0, 1)] {
                let shown = m * 10f64.powi(k);
                let v = shown * 10f64.powi(p);
                if unit == "s" && v > 50.0 {
                    continue;
                }
                out.push((v, format!("{} {unit}", style::num(shown)), level));
            }
        }
    }
    for (v, l, level) in [
        (60.0, "1 min", 0u8),
        (120.0, "2 min", 2),
        (300.0, "5 min", 1),
        (600.0, "10 min", 0),
        (1200.0, "20 min", 2),
        (1800.0, "30 min", 1),
        (3600.0, "1 h", 0),
        (7200.0, "2 h", 2),
        (18000.0, "5 h", 1),
        (36000.0, "10 h", 0),
        (86400.0, "1 day", 0),
        (172800.0, "2 days", 2),
        (432000.0, "5 days", 1),
        (864000.0, "10 days", 0),
        (1728000.0, "20 days", 2),
        (4320000.0, "50 days", 1),
        (8640000.0, "100 days", 0),
    ] {
        out.push((v, l.to_string(), level));
    }
    out
}

/// At most `max` round ticks in `[lo, hi]` (seconds) for a log axis: the 1-2-5
/// series when it fits, else 1-5, else the main ticks, else every other main tick.
pub fn log_ticks(lo: f64, hi: f64, max: usize) -> Vec<(f64, String)> {
    let all: Vec<(f64, String, u8)> = tick_candidates()
        .into_iter()
        .filter(|t| t.0 >= lo && t.0 <= hi)
        .collect();
    for level in [2u8, 1, 0] {
        let pick: Vec<(f64, String)> = all
            .iter()
            .filter(|t| t.2 <= level)
            .map(|t| (t.0, t.1.clone()))
            .collect();
        if pick.len() <= max {
            return pick;
        }
    }
    let main: Vec<(f64, String)> = all
        .into_iter()
        .filter(|t| t.2 == 0)
        .map(|t| (t.0, t.1))
        .collect();
    let step = main.len().div_ceil(max.max(1));
    main.into_iter().step_by(step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_follow_the_1_2_5_series_and_thin_out() {
        let labels = |v: Vec<(f64, String)>| v.into_iter().map(|t| t.1).collect::<Vec<_>>();
        assert_eq!(
            labels(log_ticks(0.004, 0.25, 10)),
            ["5 ms", "10 ms", "20 ms", "50 ms", "100 ms", "200 ms"]
        );
        assert_eq!(
            labels(log_ticks(0.02, 8.0, 5)),
            ["50 ms", "100 ms", "500 ms", "1 s", "5 s"]
        );
        // Decades in minutes and hours, never 16.67 min.
        assert_eq!(
            labels(log_ticks(30.0, 20000.0, 4)),
            ["1 min", "10 min", "1 h"]
        );
        assert!(log_ticks(1e-6, 1e7, 6).len() <= 6);
    }
}
