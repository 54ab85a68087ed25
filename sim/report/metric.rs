//! The metric registry: for every summary key, its label, unit, scaling, the direction
//! that is better and how a value is written. The run page, `hetsim compare`, sweep
//! charts and pages and the terminal summary all name and format metrics through it,
//! so a key reads the same ("response time, mean (ms)", "1.19 MJ") everywhere.
//!
//! Nested keys (`per_kind.<kind>.<field>`, `per_class.<class>.<field>`,
//! `pipelines.<kind>.<field>`) take the field's entry, with the group in the label.

use crate::report::kit::style::{self, Unit};

/// What a metric measures; it fixes the base unit, the SI scaling and the format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// Text (scenario, policy).
    Text,
    /// A whole number (jobs, events): integer ticks, thousands separators.
    Count,
    /// A duration, s (scaled to ns ... h).
    Seconds,
    /// Jobs per second (scaled to per minute or hour when small).
    Throughput,
    /// A share in [0, 1], written in percent; differences in percentage points.
    Share,
    /// Energy, J (scaled to kJ, MJ; kWh in the terminal).
    Energy,
    /// Power, W (kW, MW).
    Power,
    /// Carbon, g CO₂e (kg, t).
    Carbon,
    /// Money, in the scenario's currency.
    Money,
    /// A dimensionless number.
    Plain,
}

/// Which direction of a metric is better (compare and sweep tables mark it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// Smaller is better (waits, energy).
    Lower,
    /// Larger is better (throughput).
    Higher,
    /// Neither (counts that describe the run).
    Neither,
}

/// One registered metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry {
    /// Summary key.
    pub key: &'static str,
    /// Short label for axes and table rows, without the unit.
    pub label: &'static str,
    /// What it measures.
    pub quantity: Quantity,
    /// Better direction.
    pub better: Better,
    /// Whether it is excluded from comparisons (not reproducible).
    pub volatile: bool,
}

const fn m(key: &'static str, label: &'static str, quantity: Quantity, better: Better) -> Entry {
    Entry {
        key,
        label,
        quantity,
        better,
        volatile: false,
    }
}

use Better::{Higher, Lower, Neither};
use Quantity::*;

/// Every summary key, in summary order. Helpers add theirs here when they add a key.
pub const REGISTRY: &[Entry] = &[
    m("scenario", "scenario", Text, Neither),
    m("policy", "policy", Text, Neither),
    m("power_manager", "power manager", Text, Neither),
    m("seed", "seed", Count, Neither),
    m("horizon_s", "simulated time span", Seconds, Neither),
    m("makespan_s", "makespan", Seconds, Lower),
    m("jobs_arrived", "jobs released", Count, Neither),
    m("jobs_completed", "jobs finished", Count, Higher),
    m("jobs_rejected", "jobs rejected", Count, Lower),
    m("throughput_jobs_per_s", "throughput", Throughput, Higher),
    m("wait_mean_s", "wait, mean", Seconds, Lower),
    m("wait_p50_s", "wait, median", Seconds, Lower),
    m("wait_p95_s", "wait, p95", Seconds, Lower),
    m("wait_p99_s", "wait, p99", Seconds, Lower),
    m("response_mean_s", "response time, mean", Seconds, Lower),
    m("response_p50_s", "response time, median", Seconds, Lower),
    m("response_p95_s", "response time, p95", Seconds, Lower),
    m("response_p99_s", "response time, p99", Seconds, Lower),
    m("slowdown_mean", "slowdown, mean", Plain, Lower),
    m(
        "bounded_slowdown_mean",
        "bounded slowdown, mean",
        Plain,
        Lower,
    ),
    m("deadline_miss_rate", "deadline miss rate", Share, Lower),
    m("jobs_with_deadline", "jobs with a deadline", Count, Neither),
    m("utilization", "utilisation", Share, Higher),
    m("energy_it_j", "IT energy", Energy, Lower),
    m("energy_facility_j", "facility energy", Energy, Lower),
    m("energy_per_job_j", "IT energy per job", Energy, Lower),
    m("energy_jobs_j", "energy of running jobs", Energy, Neither),
    m("energy_busy_j", "energy, busy devices", Energy, Neither),
    m("energy_idle_j", "energy, idle devices", Energy, Lower),
    m(
        "energy_asleep_j",
        "energy, sleeping devices",
        Energy,
        Neither,
    ),
    m(
        "energy_transition_j",
        "energy, sleep transitions",
        Energy,
        Lower,
    ),
    m("wakeups", "wake-ups", Count, Lower),
    m("power_peak_w", "IT power, peak", Power, Lower),
    m("power_mean_w", "IT power, mean", Power, Lower),
    m("power_cap_w", "IT power cap", Power, Neither),
    m("time_at_cap_s", "time at the power cap", Seconds, Neither),
    m("cap_delayed_jobs", "jobs delayed by the cap", Count, Lower),
    m("cap_delay_s", "delay under the cap", Seconds, Lower),
    m("carbon_g", "carbon", Carbon, Lower),
    m("carbon_per_job_g", "carbon per job", Carbon, Lower),
    m("cost", "electricity cost", Money, Lower),
    m("queue_mean", "jobs waiting, mean", Plain, Lower),
    m("events", "events", Count, Neither),
    Entry {
        volatile: true,
        ..m("wall_s", "wall-clock time", Seconds, Lower)
    },
    m("power_interval_s", "power.csv interval", Seconds, Neither),
    m("jobs_killed", "jobs killed at walltime", Count, Lower),
    m("walltime", "walltime rule (run or kill)", Text, Neither),
    m("time_origin_s", "time origin", Seconds, Neither),
    m("window_s", "accounting window", Seconds, Neither),
    m("cap_binding_s", "time the cap binds", Seconds, Neither),
    m(
        "jobs_rebound",
        "jobs placed again (late binding)",
        Count,
        Neither,
    ),
    m(
        "energy_it_to_makespan_j",
        "IT energy to the last job event",
        Energy,
        Lower,
    ),
    m(
        "energy_facility_to_makespan_j",
        "facility energy to the last job event",
        Energy,
        Lower,
    ),
    m(
        "carbon_to_makespan_g",
        "carbon to the last job event",
        Carbon,
        Lower,
    ),
    m(
        "cost_to_makespan",
        "cost to the last job event",
        Money,
        Lower,
    ), // LLM serving runs (sim/serving/output.rs).
    m("serving_config", "serving configuration", Text, Neither),
    m("instances", "model instances", Count, Neither),
    m("requests_arrived", "requests arrived", Count, Neither),
    m("requests_completed", "requests finished", Count, Higher),
    m("requests_per_s", "requests per second", Plain, Higher),
    m(
        "output_tokens_per_s",
        "output tokens per second",
        Plain,
        Higher,
    ),
    m("kv_transfers", "KV transfers", Count, Neither),
    m("kv_transfer_retries", "KV transfer retries", Count, Lower),
    m("preemptions", "decode preemptions", Count, Lower),
    m("energy_busy_j", "energy of iterations", Energy, Lower),
    m("energy_idle_j", "energy of idle instances", Energy, Lower),
    m(
        "energy_per_output_token_j",
        "IT energy per output token",
        Energy,
        Lower,
    ),
    m("slo_met", "Splitwise SLOs met", Text, Neither),
    m("slo_missed", "first SLO missed", Text, Neither),
    // Runs with serving beside jobs (sim/serving/mixed.rs), under `serving.<config>.`.
    m("serving_devices", "devices serving", Count, Neither),
    m(
        "energy_it_window_j",
        "IT energy over the accounting window",
        Energy,
        Lower,
    ),
    m(
        "carbon_window_g",
        "carbon over the accounting window",
        Carbon,
        Lower,
    ),
    m(
        "cost_window",
        "cost over the accounting window",
        Money,
        Lower,
    ),
];

/// Families of summary keys `<stem>_<stat>[_s]` for `stat` in [`STATS`] (the LLM
/// serving latencies and slowdowns): one line per family instead of one per key.
/// `suffix` is what follows the stat (`_s` for times, empty for ratios).
const FAMILIES: &[(&str, &str, Quantity, &str)] = &[
    ("ttft", "time to first token", Seconds, "_s"),
    ("tbt", "time between tokens", Seconds, "_s"),
    ("tbt_decode", "time between decode tokens", Seconds, "_s"),
    ("e2e", "end-to-end latency", Seconds, "_s"),
    ("kv_transfer", "KV transfer time", Seconds, "_s"),
    ("slowdown_ttft", "TTFT slowdown", Plain, ""),
    ("slowdown_tbt", "TBT slowdown", Plain, ""),
    ("slowdown_e2e", "E2E slowdown", Plain, ""),
];

/// The statistics of a [`FAMILIES`] key and how labels name them.
const STATS: &[(&str, &str)] = &[
    ("mean", "mean"),
    ("p50", "median"),
    ("p90", "p90"),
    ("p95", "p95"),
    ("p99", "p99"),
    ("p999", "p99.9"),
];

/// The family entry of `key` (lower is better), with its label.
fn family(key: &str) -> Option<(Quantity, String)> {
    FAMILIES
        .iter()
        .find_map(|&(stem, label, quantity, suffix)| {
            let stat = key
                .strip_prefix(stem)?
                .strip_prefix('_')?
                .strip_suffix(suffix)?;
            let (_, name) = STATS.iter().find(|(s, _)| *s == stat)?;
            Some((quantity, format!("{label}, {name}")))
        })
}

/// Whether `key` is a registered summary key ([`REGISTRY`] or a `FAMILIES` key).
pub fn is_registered(key: &str) -> bool {
    REGISTRY.iter().any(|e| e.key == key) || family(key).is_some()
}

/// Fields of the per-kind, per-class and per-pipeline groups.
const GROUP_FIELDS: &[Entry] = &[
    m("jobs", "jobs finished", Count, Higher),
    m("devices", "devices", Count, Neither),
    m("utilization", "utilisation", Share, Higher),
    m("energy_j", "energy", Energy, Lower),
    m("wait_mean_s", "wait, mean", Seconds, Lower),
    m("wait_p50_s", "wait, median", Seconds, Lower),
    m("wait_p95_s", "wait, p95", Seconds, Lower),
    m("wait_p99_s", "wait, p99", Seconds, Lower),
    m("response_mean_s", "response time, mean", Seconds, Lower),
    m("response_p50_s", "response time, median", Seconds, Lower),
    m("response_p95_s", "response time, p95", Seconds, Lower),
    m("response_p99_s", "response time, p99", Seconds, Lower),
    m("jobs_with_deadline", "jobs with a deadline", Count, Neither),
    m("deadline_miss_rate", "deadline miss rate", Share, Lower),
    m("count", "branches finished", Count, Higher),
    m("e2e_mean_s", "end-to-end latency, mean", Seconds, Lower),
    m("e2e_p99_s", "end-to-end latency, p99", Seconds, Lower),
];

/// A metric as looked up: its entry and the full label (with the group, if any).
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    /// The summary key looked up.
    pub key: String,
    /// Label without unit, e.g. "request: response time, p99".
    pub label: String,
    /// What it measures.
    pub quantity: Quantity,
    /// Better direction.
    pub better: Better,
    /// Whether it is excluded from comparisons.
    pub volatile: bool,
}

/// The registry entry of `key`; unknown keys are plain numbers labelled by their key
/// (a missing entry is a gap in the registry, not an error).
pub fn lookup(key: &str) -> Metric {
    let from = |e: &Entry, label: String| Metric {
        key: key.to_string(),
        label,
        quantity: e.quantity,
        better: e.better,
        volatile: e.volatile,
    };
    if let Some(e) = REGISTRY.iter().find(|e| e.key == key) {
        return from(e, e.label.to_string());
    }
    if let Some((quantity, label)) = family(key) {
        return Metric {
            key: key.to_string(),
            label,
            quantity,
            better: Better::Lower,
            volatile: false,
        };
    }
    // A mixed run's serving figures: `serving.<config>.<serving key>`.
    if let Some(rest) = key.strip_prefix("serving.")
        && let Some((config, field)) = rest.rsplit_once('.')
        && is_registered(field)
    {
        let m = lookup(field);
        return Metric {
            key: key.to_string(),
            label: format!("serving {config}: {}", m.label),
            ..m
        };
    }
    for (prefix, what) in [
        ("per_kind.", "kind"),
        ("per_class.", "class"),
        ("pipelines.", "pipeline"),
    ] {
        if let Some(rest) = key.strip_prefix(prefix)
            && let Some((group, field)) = rest.rsplit_once('.')
            && let Some(e) = GROUP_FIELDS.iter().find(|e| e.key == field)
        {
            let label = if what == "class" && field == "energy_j" {
                "IT energy"
            } else {
                e.label
            };
            return from(e, format!("{what} {group}: {label}"));
        }
    }
    Metric {
        key: key.to_string(),
        label: key.to_string(),
        quantity: Plain,
        better: Neither,
        volatile: false,
    }
}

/// The display unit for values up to `max` (absolute) of a quantity; `None` for
/// quantities written without a unit.
pub fn unit(q: Quantity, max: f64) -> Option<Unit> {
    let max = max.abs();
    Some(match q {
        Seconds => style::duration_unit(max),
        Energy => si_unit(max, "J"),
        Power => si_unit(max, "W"),
        Carbon => style::carbon_unit(max),
        Throughput => {
            if max >= 1.0 || max == 0.0 {
                Unit {
                    div: 1.0,
                    label: "jobs/s",
                }
            } else if max * 60.0 >= 1.0 {
                Unit {
                    div: 1.0 / 60.0,
                    label: "jobs/min",
                }
            } else {
                Unit {
                    div: 1.0 / 3600.0,
                    label: "jobs/h",
                }
            }
        }
        Share => Unit {
            div: 0.01,
            label: "%",
        },
        Text | Count | Money | Plain => return None,
    })
}

/// SI prefix for values up to `max` of base unit `base` (J or W): k, M, G, T.
fn si_unit(max: f64, base: &'static str) -> Unit {
    const J: [(f64, &str); 5] = [
        (1e12, "TJ"),
        (1e9, "GJ"),
        (1e6, "MJ"),
        (1e3, "kJ"),
        (1.0, "J"),
    ];
    const W: [(f64, &str); 5] = [
        (1e12, "TW"),
        (1e9, "GW"),
        (1e6, "MW"),
        (1e3, "kW"),
        (1.0, "W"),
    ];
    let table = if base == "J" { &J } else { &W };
    for &(div, label) in table {
        if max >= div {
            return Unit { div, label };
        }
    }
    Unit {
        div: 1.0,
        label: base,
    }
}

/// The axis or column label: "response time, mean (ms)".
pub fn axis_label(m: &Metric, u: Option<Unit>) -> String {
    match u {
        Some(u) => format!("{} ({})", m.label, u.label),
        None if m.quantity == Money => format!("{} (currency units)", m.label),
        None => m.label.clone(),
    }
}

/// Whether an axis of this quantity should get integer ticks.
pub fn integer_axis(q: Quantity) -> bool {
    q == Count
}

/// `v` with 3 significant digits (never scientific for 1e-3..1e9; integers grouped).
pub fn sig(v: f64, digits: i32) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e9).contains(&a) {
        return format!("{:.*e}", (digits - 1).max(0) as usize, v);
    }
    let decimals = (digits - 1 - a.log10().floor() as i32).max(0) as usize;
    let p = 10f64.powi(digits - 1 - a.log10().floor() as i32);
    let r = (v * p).round() / p;
    let s = format!("{r:.decimals$}");
    if a >= 1e4 && !s.contains('.') {
        let sign = if r < 0.0 { "-" } else { "" };
        format!("{sign}{}", style::count(r.abs() as u64))
    } else {
        s
    }
}

/// A value of metric `key` for people: SI-scaled with its unit, 4 significant digits
/// (`1.194 MJ`, `12.5 ms`, `3.8 %`, `1,234 jobs`).
pub fn format(key: &str, v: f64) -> String {
    format_q(lookup(key).quantity, v)
}

/// [`fn@format`] by quantity.
pub fn format_q(q: Quantity, v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    match q {
        Count if v.fract() == 0.0 && v >= 0.0 => style::count(v as u64),
        Seconds => style::duration(v),
        Share => style::percent(v),
        Text | Count | Money | Plain => style::num(v),
        _ => {
            let u = unit(q, v).expect("scaled quantity");
            format!("{} {}", style::num(v / u.div), u.label)
        }
    }
}

/// `mean ± ci` for sweep tables: the mean with 3 significant digits, the half-width
/// with 2, each with its own SI prefix (`1.19 MJ ± 28 kJ`).
pub fn format_ci(key: &str, mean: f64, ci: f64) -> String {
    let q = lookup(key).quantity;
    if !ci.is_finite() || ci == 0.0 {
        return format_sig(q, mean, 3);
    }
    if q == Throughput {
        // jobs/s and jobs/min side by side would mislead: one unit for both.
        let u = unit(q, mean).expect("scaled quantity");
        return format!(
            "{} ± {} {}",
            sig(mean / u.div, 3),
            sig(ci / u.div, 2),
            u.label
        );
    }
    format!("{} ± {}", format_sig(q, mean, 3), format_sig(q, ci, 2))
}

/// A value with `digits` significant digits and its SI unit.
pub fn format_sig(q: Quantity, v: f64, digits: i32) -> String {
    match q {
        Share => format!("{} %", sig(100.0 * v, digits)),
        Seconds => {
            let u = style::duration_unit(v);
            format!("{} {}", sig(v / u.div, digits), u.label)
        }
        Text | Count | Money | Plain => sig(v, digits),
        _ => {
            let u = unit(q, v).expect("scaled quantity");
            format!("{} {}", sig(v / u.div, digits), u.label)
        }
    }
}

/// The difference of `v` from the baseline `b`: absolute (with unit; percentage
/// points for shares) and relative in percent, the relative part left out when the
/// baseline is near zero (|b| below 1e-9 of the larger magnitude, or exactly 0) or
/// the quantity is a share.
pub fn difference(key: &str, b: f64, v: f64) -> (String, Option<String>) {
    let q = lookup(key).quantity;
    if v == b {
        return ("=".into(), None);
    }
    let d = v - b;
    let sign = if d > 0.0 { "+" } else { "" };
    // Scaled like the values compared (a throughput change of 1.1 jobs/min between
    // two runs near 10 jobs/s reads "+0.018 jobs/s").
    let abs = match (q, unit(q, b.abs().max(v.abs()))) {
        (Share, _) => format!("{sign}{} pp", style::num(100.0 * d)),
        (Seconds, _) | (_, None) => format!("{sign}{}", format_q(q, d)),
        (_, Some(u)) => format!("{sign}{} {}", style::num(d / u.div), u.label),
    };
    let near_zero = b == 0.0 || b.abs() < 1e-9 * v.abs().max(b.abs()) || !b.is_finite();
    let rel = if q == Share || near_zero || b.abs() < 1e-12 {
        None
    } else {
        let r = 100.0 * d / b.abs();
        Some(format!("{}{} %", if r > 0.0 { "+" } else { "" }, sig(r, 3)))
    };
    (abs, rel)
}

/// A readable label for a sweep axis from its field path: the last meaningful
/// segments (list indexes and `params`/`arrival`-style containers kept only when
/// they add meaning), with `_` as spaces and a unit when the leaf name implies one:
/// `workload.kinds.request.arrival.rate` reads "request arrival rate (1/s)".
pub fn param_label(path: &str) -> String {
    let segs: Vec<&str> = path
        .split('.')
        .filter(|s| s.parse::<usize>().is_err())
        .collect();
    const CONTAINERS: [&str; 8] = [
        "workload",
        "kinds",
        "classes",
        "datacenter",
        "params",
        "facility",
        "devices",
        "output",
    ];
    let meaningful: Vec<&str> = segs
        .iter()
        .copied()
        .filter(|s| !CONTAINERS.contains(s))
        .collect();
    let take = meaningful.len().min(3);
    let tail = &meaningful[meaningful.len() - take..];
    let leaf = tail.last().copied().unwrap_or(path);
    let unit = match leaf {
        "rate" => Some("1/s"),
        "pue" => None,
        l if l.ends_with("_s") || l == "timeout" || l == "interval" => Some("s"),
        l if l.ends_with("_w") || l == "cap" => Some("W"),
        _ => None,
    };
    let words: Vec<String> = tail
        .iter()
        .map(|s| {
            let s = s.strip_suffix("_s").unwrap_or(s);
            let s = s.strip_suffix("_w").unwrap_or(s);
            match s {
                "pue" => "PUE".to_string(),
                "count" => "devices".into(),
                other => other.replace('_', " "),
            }
        })
        .collect();
    let text = if words.is_empty() {
        path.to_string()
    } else {
        words.join(" ")
    };
    match unit {
        Some(u) => format!("{text} ({u})"),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_summary_key_is_registered() {
        let l = crate::scenario::load(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/mmc.yaml")),
            &["workload.kinds.request.arrival.count=200".to_string()],
        )
        .unwrap();
        let o = crate::run::run_in_memory(&l).unwrap();
        let s = serde_json::to_value(&o.summary).unwrap();
        for (k, _) in s.as_object().unwrap() {
            // Maps of groups, and the list of warnings (text, not a metric).
            if ["per_class", "pipelines", "per_kind", "warnings"].contains(&k.as_str()) {
                continue;
            }
            assert!(is_registered(k), "{k} not registered");
        }
    }

    #[test]
    fn family_keys_have_their_labels_and_units() {
        let m = lookup("tbt_decode_p999_s");
        assert_eq!(m.label, "time between decode tokens, p99.9");
        assert_eq!((m.quantity, m.better), (Seconds, Lower));
        let m = lookup("slowdown_e2e_p50");
        assert_eq!(
            (m.label.as_str(), m.quantity),
            ("E2E slowdown, median", Plain)
        );
        assert!(is_registered("kv_transfer_mean_s"));
        assert!(!is_registered("ttft_p42_s") && !is_registered("ttft_p50"));
    }

    #[test]
    fn values_are_si_scaled() {
        assert_eq!(format("energy_it_j", 966_641_801_764.01), "966.6 GJ");
        assert_eq!(format("carbon_g", 132_789_732.4), "132.8 t CO₂e");
        assert_eq!(format("throughput_jobs_per_s", 0.000_05), "0.18 jobs/h");
        assert_eq!(format("jobs_completed", 1234567.0), "1,234,567");
        assert_eq!(format("deadline_miss_rate", 0.25), "25 %");
        assert_eq!(
            format_ci("energy_it_j", 1_194_000.0, 27_628.0),
            "1.19 MJ ± 28 kJ"
        );
        assert_eq!(
            format_ci("deadline_miss_rate", 4.325e-5, 1.861e-4),
            "0.00433 % ± 0.019 %"
        );
        assert_eq!(
            format_ci("throughput_jobs_per_s", 7.98, 0.2),
            "7.98 ± 0.20 jobs/s"
        );
    }

    #[test]
    fn differences_use_points_for_shares_and_skip_relative_near_zero() {
        assert_eq!(
            difference("deadline_miss_rate", 0.10, 0.15),
            ("+5 pp".into(), None)
        );
        assert_eq!(
            difference("energy_it_j", 2.0e6, 2.5e6),
            ("+0.5 MJ".into(), Some("+25.0 %".into()))
        );
        assert_eq!(
            difference("wait_mean_s", 0.0, 88.89),
            ("+88.89 s".into(), None)
        );
        assert_eq!(difference("wait_mean_s", 1e-15, 88.89).1, None);
        assert_eq!(difference("events", 3.0, 3.0), ("=".into(), None));
        assert_eq!(
            difference("throughput_jobs_per_s", 10.36, 10.38).0,
            "+0.02 jobs/s"
        );
    }

    #[test]
    fn serving_group_keys_take_the_serving_entry() {
        let m = lookup("serving.splitwise-ha.ttft_p99_s");
        assert_eq!(m.label, "serving splitwise-ha: time to first token, p99");
        assert_eq!((m.quantity, m.better), (Seconds, Lower));
        let m = lookup("serving.one.energy_it_window_j");
        assert_eq!(m.quantity, Energy);
        assert_eq!(m.key, "serving.one.energy_it_window_j");
    }

    #[test]
    fn nested_keys_take_the_field_entry() {
        let m = lookup("per_kind.request.response_p99_s");
        assert_eq!(m.label, "kind request: response time, p99");
        assert_eq!(m.quantity, Seconds);
        assert_eq!(
            lookup("per_class.gpu.energy_j").label,
            "class gpu: IT energy"
        );
        assert!(lookup("wall_s").volatile);
    }

    #[test]
    fn parameter_axes_read_well() {
        assert_eq!(
            param_label("workload.kinds.request.arrival.rate"),
            "request arrival rate (1/s)"
        );
        assert_eq!(param_label("datacenter.pue"), "PUE");
        assert_eq!(param_label("classes.0.count"), "devices");
        assert_eq!(param_label("seed"), "seed");
    }
}
