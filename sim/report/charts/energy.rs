//! Cumulative energy (IT and facility), with carbon and cost when they are not zero.

use super::read::RunData;
use super::registry::{Chart, Skip};
use crate::report::error::Result;
use crate::report::kit::axes::{
    HEIGHT, Swatch, WIDTH, cartesian, dashed, time_axis, with_legend, zero_axis,
};
use crate::report::kit::render::Drawable;
use crate::report::kit::style::{self, Unit, tick};
use crate::schema::power as power_cols;
use plotters::coord::Shift;
use plotters::prelude::*;

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
        let it = run.power_col(power_cols::IT_W)?;
        if run.power.segs.is_empty() {
            return None;
        }
        let cum = |name: &str| run.power_col(name).map(|k| run.power.cumulative(k));
        // A carbon or cost curve that stays at zero (no intensity or price set) is an
        // empty panel: leave it out (the caption says why).
        let nonzero = |c: Option<Vec<(f64, f64)>>| c.filter(|v| v.iter().any(|&(_, y)| y != 0.0));
        Some(EnergyChart {
            end_s: run.power.end_s,
            it_j: run.power.cumulative(it),
            facility_j: cum("facility_w").unwrap_or_default(),
            carbon_g: nonzero(cum(crate::schema::derived::CARBON_RATE)),
            cost: nonzero(cum(crate::schema::derived::COST_RATE)),
        })
    }
}

impl Drawable for EnergyChart {
    fn stem(&self) -> &'static str {
        "energy"
    }
    fn title(&self) -> String {
        Self::TITLE.into()
    }
    fn size(&self) -> (u32, u32) {
        if self.carbon_g.is_some() || self.cost.is_some() {
            (WIDTH, 960)
        } else {
            (WIDTH, HEIGHT)
        }
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        draw_energy(root, &self.title(), self)
    }
}

impl Chart for EnergyChart {
    const TITLE: &'static str = "Cumulative energy";

    fn build(run: &RunData) -> Result<Self, Skip> {
        Self::from_run(run).ok_or(Skip::Quietly)
    }

    fn caption(&self, run: &RunData) -> String {
        let _ = run;
        let e = self;
        format!(
            "Energy drawn since the start, the integral of power.csv; it ends at the summary's energy_it_j and energy_facility_j.{}",
            match (e.carbon_g.is_some(), e.cost.is_some()) {
                (true, true) =>
                    " The lower panel converts facility energy to carbon and cost with the scenario's carbon intensity and price.",
                (true, false) =>
                    " The lower panel converts facility energy to carbon with the scenario's carbon intensity; there is no cost panel because the scenario sets no electricity price.",
                (false, true) =>
                    " The lower panel converts facility energy to cost with the scenario's electricity price; there is no carbon panel because the scenario sets no carbon intensity.",
                (false, false) =>
                    " There are no carbon and cost panels because the scenario sets neither a carbon intensity nor an electricity price.",
            }
        )
    }
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
