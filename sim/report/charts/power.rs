//! Power over time, stacked by device class, with IT and facility totals and the cap.

use super::read::RunData;
use super::registry::{Chart, Skip, interval_note, reduced_note};
use super::series::{Segments, Track, band, stack, steps};
use crate::report::error::Result;
use crate::report::kit::axes::{Swatch, cartesian, dashed, time_axis, with_legend, zero_axis};
use crate::report::kit::render::Drawable;
use crate::report::kit::style::{self, class_color, tick};
use crate::schema::{power as power_cols, summary as keys};
use plotters::coord::Shift;
use plotters::prelude::*;

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
    /// Length of power.csv's rows when they are interval means, s (written on the
    /// y axis so a reader does not compare a mean with the summary's peak).
    pub interval_s: Option<f64>,
}

/// The length of power.csv's rows when they are interval means: the summary's
/// `power_interval_s` (set for automatic intervals too), else the scenario's.
pub fn power_interval(run: &RunData) -> Option<f64> {
    run.num("power_interval_s")
        .or_else(|| run.scenario.as_ref().and_then(|s| s.output.power_interval))
}

impl PowerChart {
    /// Builds the chart data; `None` when power.csv has no IT column or no rows.
    pub fn from_run(run: &RunData) -> Option<PowerChart> {
        let it = run.power_col(power_cols::IT_W)?;
        if run.power.segs.is_empty() {
            return None;
        }
        let mut cols = Vec::new();
        let mut classes = Vec::new();
        for (i, c) in run.classes.iter().enumerate() {
            if let Some(k) = run.power_col(&power_cols::class_w(&c.name)) {
                cols.push(k);
                classes.push((c.name.clone(), i, c.devices));
            }
        }
        let facility = run
            .power_col(power_cols::FACILITY_W)
            .map(|k| run.power.tracks[k].mean.clone());
        let pue = match (run.num(keys::ENERGY_FACILITY_J), run.num(keys::ENERGY_IT_J)) {
            (Some(f), Some(i)) if i > 0.0 => Some(f / i),
            _ => None,
        };
        Some(PowerChart {
            interval_s: power_interval(run),
            segs: run.power.segs.clone(),
            end_s: run.power.end_s,
            tops: stack(&run.power, &cols),
            classes,
            it: run.power.tracks[it].clone(),
            facility,
            pue,
            cap_w: run.num(keys::POWER_CAP_W),
            cap_series: run
                .power_col(power_cols::CAP_W)
                .map(|k| {
                    run.power.tracks[k]
                        .min
                        .iter()
                        .map(|&v| if v.is_finite() { v } else { f64::NAN })
                        .collect::<Vec<f64>>()
                })
                .filter(|v| v.iter().any(|x| x.is_finite())),
            time_at_cap_s: run.num(keys::TIME_AT_CAP_S).unwrap_or(0.0),
        })
    }
}

impl Drawable for PowerChart {
    fn stem(&self) -> &'static str {
        "power"
    }
    fn title(&self) -> String {
        Self::TITLE.into()
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_power(root, &self.title(), self)
    }
}

impl Chart for PowerChart {
    const TITLE: &'static str = "Power by device class";

    fn build(run: &RunData) -> Result<Self, Skip> {
        Self::from_run(run).ok_or(Skip::Because("power.csv has no rows".into()))
    }

    fn caption(&self, run: &RunData) -> String {
        let p = self;
        format!(
            "IT power of each device class, stacked; the black line is total IT power and the dashed grey line facility power (IT power times PUE).{}{}{}",
            if p.cap_w.is_some() || p.cap_series.is_some() {
                " The red dashed line is the IT power cap."
            } else {
                ""
            },
            interval_note(run),
            reduced_note(p.segs.exact)
        )
    }
}

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
                format!("{n} ({})", style::devices(*d)),
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
        zero_axis(
            ymax / pu.div,
            match c.interval_s {
                Some(d) => format!("power ({}, {} means)", pu.label, style::duration(d)),
                None => format!("power ({})", pu.label),
            },
            &f,
        ),
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
