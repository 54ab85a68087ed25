//! The numbers of a comparison: one row per metric with every run's value, the
//! differences from the baseline, `comparison.csv`, the markdown table and the
//! like-for-like warnings.

use super::Labeled;
use crate::report::error::{ReportError, Result};
use crate::report::html::human;
use crate::report::metric;
use crate::schema::summary as keys;
use serde_json::Value;
use std::fmt::Write as _;

/// Flat metric rows: the summary's flat keys, then `per_class.<class>.<field>`.
fn metric_rows(runs: &[Labeled]) -> Vec<(String, Vec<Option<Value>>)> {
    let mut keys: Vec<String> = Vec::new();
    for r in runs {
        for (k, v) in &r.run.summary {
            match v {
                Value::Object(classes) => {
                    for (c, fields) in classes {
                        if let Value::Object(f) = fields {
                            for fk in f.keys() {
                                let key = format!("{k}.{c}.{fk}");
                                if !keys.contains(&key) {
                                    keys.push(key);
                                }
                            }
                        }
                    }
                }
                Value::Array(_) => {}
                _ => {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
            }
        }
    }
    // Flat keys first, in summary order; per-class keys after them.
    keys.sort_by_key(|k| k.contains('.'));
    keys.into_iter()
        .map(|k| {
            let vals = runs
                .iter()
                .map(|r| {
                    let mut parts = k.split('.');
                    let first = parts.next()?;
                    let mut v = r.run.summary.get(first)?;
                    for p in parts {
                        v = v.get(p)?;
                    }
                    Some(v.clone())
                })
                .collect();
            (k, vals)
        })
        .collect()
}

/// One row of the comparison table: a metric and its value in every run.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Summary key.
    pub key: String,
    /// Values per run (None: the run has no such key, shown as unknown).
    pub values: Vec<Option<Value>>,
}

impl Row {
    fn num(&self, i: usize) -> Option<f64> {
        self.values[i].as_ref().and_then(Value::as_f64)
    }

    /// The value in run `i` for people ("–" when unknown).
    pub fn shown(&self, i: usize) -> String {
        self.values[i]
            .as_ref()
            .map(|v| human(&self.key, v))
            .unwrap_or_else(|| "–".into())
    }

    /// Absolute and relative difference of run `i` from the first run.
    pub fn diff(&self, i: usize) -> (String, Option<String>) {
        match (self.num(0), self.num(i)) {
            (Some(b), Some(x)) => metric::difference(&self.key, b, x),
            _ => (String::new(), None),
        }
    }
}

/// The metric rows compared: numeric keys that are reproducible (no `wall_s`) and
/// not identity fields (scenario, policy, seed are in the runs table); the deadline
/// miss rate only when some run had jobs with a deadline.
pub fn rows(runs: &[Labeled]) -> Vec<Row> {
    let deadlines = runs
        .iter()
        .any(|r| r.run.num("jobs_with_deadline").is_none_or(|n| n > 0.0));
    metric_rows(runs)
        .into_iter()
        .filter(|(k, _)| deadlines || k != "deadline_miss_rate")
        .filter(|(k, vals)| {
            let m = metric::lookup(k);
            !m.volatile
                && m.quantity != metric::Quantity::Text
                && k != keys::SEED
                && vals.iter().flatten().all(|v| v.is_number() || v.is_null())
        })
        .map(|(key, values)| Row { key, values })
        .collect()
}

/// Warnings for comparisons that may not be like for like: different scenarios,
/// different accounting windows or horizons (a run without the key is unknown and
/// not compared).
pub fn warnings(runs: &[Labeled]) -> Vec<String> {
    let mut out = Vec::new();
    let first = &runs[0];
    let scen: Vec<String> = runs.iter().map(|r| r.run.text(keys::SCENARIO)).collect();
    if scen.iter().any(|s| s != &scen[0]) {
        out.push(format!(
            "the runs come from different scenarios ({}): differences mix model and policy effects",
            scen.join(", ")
        ));
    }
    // The accounting window must match exactly; the horizon (to the last event)
    // differs a little with the policy, so only a gap above 1 % is reported.
    for (key, tol) in [("window_s", 1e-9), (keys::HORIZON_S, 1e-2)] {
        let Some(b) = first.run.num(key) else {
            continue;
        };
        let differ: Vec<&str> = runs[1..]
            .iter()
            .filter(|r| {
                r.run
                    .num(key)
                    .is_some_and(|v| (v - b).abs() > tol * b.abs().max(1.0))
            })
            .map(|r| r.label.as_str())
            .collect();
        if !differ.is_empty() {
            let what = if key == "window_s" {
                "accounting window"
            } else {
                "simulated time span"
            };
            out.push(format!(
                "the {what} ({key}) differs from {}'s in {}: energy, carbon and cost totals cover different spans",
                first.label,
                differ.join(", ")
            ));
            break;
        }
    }
    out
}

/// comparison.csv: one row per metric and run, with the exact value and the
/// absolute and relative difference from the first run (relative left empty for
/// shares, which differ in percentage points, and near-zero baselines).
pub fn comparison_csv(runs: &[Labeled], rows: &[Row]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "metric", "label", "unit", "better", "run", "value", "diff_abs", "diff_rel",
    ])?;
    for r in rows {
        let m = metric::lookup(&r.key);
        let base_unit = base_unit(m.quantity);
        let better = match m.better {
            metric::Better::Lower => "lower",
            metric::Better::Higher => "higher",
            metric::Better::Neither => "",
        };
        for (i, run) in runs.iter().enumerate() {
            let v = r.num(i);
            let (abs, rel) = match (r.num(0), v) {
                (Some(b), Some(x)) if i > 0 => {
                    let d = x - b;
                    let near_zero = b == 0.0 || b.abs() < 1e-9 * x.abs().max(b.abs());
                    let rel = if m.quantity == metric::Quantity::Share || near_zero {
                        String::new()
                    } else {
                        (d / b.abs()).to_string()
                    };
                    (d.to_string(), rel)
                }
                _ => (String::new(), String::new()),
            };
            w.write_record([
                r.key.as_str(),
                m.label.as_str(),
                base_unit,
                better,
                run.label.as_str(),
                &v.map(|x| x.to_string()).unwrap_or_default(),
                &abs,
                &rel,
            ])?;
        }
    }
    String::from_utf8(w.into_inner().map_err(|e| e.into_error())?)
        .map_err(|e| ReportError::Data(e.to_string()))
}

fn base_unit(q: metric::Quantity) -> &'static str {
    use metric::Quantity::*;
    match q {
        Seconds => "s",
        Energy => "J",
        Power => "W",
        Carbon => "g",
        Throughput => "1/s",
        Share => "fraction",
        Count => "count",
        Text | Money | Plain => "",
    }
}

/// The markdown table: one column per run, differences from the first run in
/// brackets; the headline metrics only unless `all`.
pub fn markdown(runs: &[Labeled], rows: &[Row], all: bool) -> String {
    let mut o = String::from("| metric |");
    for (i, r) in runs.iter().enumerate() {
        let _ = write!(o, " {} |", r.label.replace('|', "\\|"));
        if i > 0 {
            let _ = write!(o, " Δ vs {} |", runs[0].label.replace('|', "\\|"));
        }
    }
    o.push_str("\n|---|");
    for i in 0..runs.len() {
        o.push_str(if i > 0 { "---:|---:|" } else { "---:|" });
    }
    o.push('\n');
    for r in rows
        .iter()
        .filter(|r| all || HEADLINE.contains(&r.key.as_str()))
    {
        let m = metric::lookup(&r.key);
        let _ = write!(o, "| {} |", m.label);
        for i in 0..runs.len() {
            let _ = write!(o, " {} |", r.shown(i));
            if i > 0 {
                let (abs, rel) = r.diff(i);
                match rel {
                    Some(rel) => {
                        let _ = write!(o, " {abs} ({rel}) |");
                    }
                    None => {
                        let _ = write!(o, " {abs} |");
                    }
                }
            }
        }
        o.push('\n');
    }
    o
}

/// Metrics of the printed table (comparison.md and comparison.csv have them all).
pub const HEADLINE: &[&str] = &[
    "jobs_completed",
    "makespan_s",
    "throughput_jobs_per_s",
    "wait_mean_s",
    "response_mean_s",
    "response_p99_s",
    "bounded_slowdown_mean",
    "deadline_miss_rate",
    "utilization",
    "energy_it_j",
    "energy_facility_j",
    "energy_per_job_j",
    "power_peak_w",
    "carbon_g",
    "cost",
];
