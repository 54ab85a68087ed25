//! Response-time CDFs per job kind.

use super::read::RunData;
use super::registry::{Chart, Skip};
use super::series::Cdf;
use crate::report::error::Result;
use crate::report::kit::axes::{
    Axis, HEIGHT, Swatch, WIDTH, cartesian, dashed, nice_ticks, text_font, with_legend,
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

impl Drawable for CdfChart {
    fn stem(&self) -> &'static str {
        "response_cdf"
    }
    fn title(&self) -> String {
        Self::TITLE.into()
    }
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
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
