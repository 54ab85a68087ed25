//! Reads power.csv into one time series, with carbon and cost rates derived from it.

use super::csv_file::{CsvFile, need, parse_f64};
use crate::report::charts::series::{Grid, HourlyBuilder, SeriesBuilder, TimeSeries};
use crate::report::error::Result;
use crate::schema::derived::{CARBON_RATE, COST_RATE};
use crate::schema::{POWER_CSV, power, summary};
use serde_json::{Map, Value};
use std::path::Path;

/// How carbon and cost accrue: from a time-series column of power.csv when the run
/// has one, else at the run's constant rate per joule of facility energy.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Signals {
    carbon_per_j: f64,
    cost_per_j: f64,
}

impl Signals {
    pub(super) fn from_summary(s: &Map<String, Value>) -> Signals {
        let get = |k: &str| s.get(k).and_then(Value::as_f64).unwrap_or(0.0);
        let fac = get(summary::ENERGY_FACILITY_J);
        if fac > 0.0 {
            Signals {
                carbon_per_j: get(summary::CARBON_G) / fac,
                cost_per_j: get(summary::COST) / fac,
            }
        } else {
            Signals::default()
        }
    }
}

/// Where a carbon or cost rate (per second) comes from, best first.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Rate {
    /// A column with the amount in each row (`carbon_g`, `cost`): amount / duration.
    Amount(usize),
    /// Facility power times a signal column per kWh.
    PerKwh(usize, usize),
    /// Facility power times the run's constant rate per joule.
    Constant(usize, f64),
}

impl Rate {
    fn find(
        names: &[String],
        amount: &str,
        prefix: &str,
        fac: Option<usize>,
        per_j: f64,
    ) -> Option<Rate> {
        if let Some(a) = names.iter().position(|n| n == amount) {
            return Some(Rate::Amount(a));
        }
        let fac = fac?;
        match signal_col(names, prefix) {
            Some(c) => Some(Rate::PerKwh(fac, c)),
            None => (per_j > 0.0).then_some(Rate::Constant(fac, per_j)),
        }
    }

    fn per_s(self, vals: &[f64], dur: f64) -> f64 {
        match self {
            Rate::Amount(a) => vals[a] / dur,
            Rate::PerKwh(f, c) => vals[f] * vals[c] / 3.6e6,
            Rate::Constant(f, k) => vals[f] * k,
        }
    }
}

/// A power.csv column holding a signal per kWh: its name starts with `prefix` and
/// ends in `_per_kwh` (for example `carbon_g_per_kwh`, `price_per_kwh`).
fn signal_col(names: &[String], prefix: &str) -> Option<usize> {
    names
        .iter()
        .position(|n| n.starts_with(prefix) && n.ends_with("_per_kwh"))
}

/// Streams power.csv into a series of every column but `time_s` and `duration_s`, plus
/// the derived carbon and cost rates ([`CARBON_RATE`], [`COST_RATE`]), computed row by
/// row (from the `carbon_g` and `cost` amounts of each row when power.csv has them)
/// so their integrals are exact however the series is downsampled.
/// Reads power.csv into the chart series and, when `hourly_end_s` is given, the hourly
/// means of IT power over `[0, hourly_end_s)`.
pub(super) fn read_power(
    dir: &Path,
    grid: Grid,
    sig: Signals,
    hourly_end_s: Option<f64>,
) -> Result<(TimeSeries, Vec<Option<f64>>)> {
    let file = CsvFile::open(dir.join(POWER_CSV))?;
    let h = &file.header;
    let ti = need(h, power::TIME_S, POWER_CSV)?;
    let di = need(h, power::DURATION_S, POWER_CSV)?;
    let value_cols: Vec<usize> = (0..h.len()).filter(|&i| i != ti && i != di).collect();
    let mut names: Vec<String> = value_cols
        .iter()
        .map(|&i| String::from_utf8_lossy(&h[i]).into_owned())
        .collect();
    let fac = names.iter().position(|n| n == power::FACILITY_W);
    let carbon = Rate::find(&names, power::CARBON_G, "carbon", fac, sig.carbon_per_j);
    let cost = Rate::find(&names, power::COST, "price", fac, sig.cost_per_j);
    let n = names.len();
    if carbon.is_some() {
        names.push(CARBON_RATE.into());
    }
    if cost.is_some() {
        names.push(COST_RATE.into());
    }
    let width = names.len();
    let it = names.iter().position(|n| n == power::IT_W);
    let hourly_end = hourly_end_s.filter(|_| it.is_some()).unwrap_or(0.0);
    let parts = file.fold(
        || {
            (
                SeriesBuilder::new(names.clone(), grid),
                vec![0.0; width],
                HourlyBuilder::new(hourly_end),
            )
        },
        |(b, vals, hourly), rec| {
            for (v, &i) in vals.iter_mut().zip(&value_cols) {
                *v = parse_f64(rec.get(i));
            }
            let (t0, dur) = (parse_f64(rec.get(ti)), parse_f64(rec.get(di)));
            for (k, r) in (n..).zip([carbon, cost].into_iter().flatten()) {
                vals[k] = r.per_s(vals, dur);
            }
            b.push(t0, dur, vals);
            if let Some(i) = it {
                hourly.push(t0, dur, vals[i]);
            }
            Ok(())
        },
    )?;
    let mut parts = parts.into_iter().map(|p| (p.0, p.2));
    let (mut b, mut h) = parts.next().expect("at least one chunk");
    for (p, q) in parts {
        b.merge(p);
        h.merge(q);
    }
    Ok((b.finish(), h.finish()))
}
