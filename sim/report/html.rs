//! The run report, `index.html`: the scenario (name, description, devices, workload,
//! policy), the summary metrics and every chart, in one self-contained file.
//!
//! The page has no JavaScript and loads nothing: charts are inlined as SVG and the
//! style sheet is embedded, so it reads the same offline, from a mail attachment or in
//! a paper's supplementary material. The PNG and SVG files next to it are linked for
//! download only.

use crate::model::{Arrival, Scenario, SizeDist};
use crate::report::charts::read::RunData;
use crate::report::charts::{CHART_DIR, Charts};
use crate::report::kit::html::{esc, head, inline_svg};
use crate::report::kit::style::{self, css};
use crate::schema::summary as keys;
use serde_json::Value;
use std::fmt::Write as _;

/// Human name, unit kind and meaning of the stable summary keys.
fn describe(key: &str) -> Option<(&'static str, Kind)> {
    use Kind::*;
    Some(match key {
        "scenario" => ("scenario name", Text),
        "policy" => ("placement policy", Text),
        "power_manager" => ("power manager (sleep states, P-states)", Text),
        "seed" => ("random seed", Count),
        "horizon_s" => ("simulated time span (0 to the last event)", Seconds),
        "makespan_s" => ("time of the last completion", Seconds),
        "jobs_arrived" => ("jobs released", Count),
        "jobs_completed" => ("jobs finished", Count),
        "jobs_rejected" => ("jobs rejected", Count),
        "throughput_jobs_per_s" => ("jobs finished per second of makespan", PerSecond),
        "wait_mean_s" => ("mean wait (start − arrival)", Seconds),
        "wait_p50_s" => ("median wait", Seconds),
        "wait_p95_s" => ("95th percentile wait", Seconds),
        "wait_p99_s" => ("99th percentile wait", Seconds),
        "response_mean_s" => ("mean response (end − arrival)", Seconds),
        "response_p50_s" => ("median response", Seconds),
        "response_p95_s" => ("95th percentile response", Seconds),
        "response_p99_s" => ("99th percentile response", Seconds),
        "slowdown_mean" => ("mean slowdown (response / run time)", Plain),
        "bounded_slowdown_mean" => ("mean bounded slowdown (10 s threshold)", Plain),
        "deadline_miss_rate" => ("share of deadlines missed", Percent),
        "jobs_with_deadline" => ("jobs that had a deadline", Count),
        "utilization" => ("busy device-seconds / device-seconds", Percent),
        "energy_it_j" => ("IT energy", Energy),
        "energy_facility_j" => ("facility energy (IT × PUE)", Energy),
        "energy_per_job_j" => ("IT energy per finished job", Energy),
        "energy_jobs_j" => ("energy attributed to jobs (busy power × run time)", Energy),
        "energy_busy_j" => ("energy of busy devices", Energy),
        "energy_idle_j" => ("energy of idle devices", Energy),
        "energy_asleep_j" => ("energy of sleeping devices", Energy),
        "energy_transition_j" => ("energy of sleep and wake transitions", Energy),
        "wakeups" => ("device wake-ups", Count),
        "cap_delayed_jobs" => ("jobs whose start waited for power under the cap", Count),
        "cap_delay_s" => ("total time jobs waited for power under the cap", Seconds),
        "carbon_per_job_g" => ("carbon per finished job", Carbon),
        "power_peak_w" => ("highest IT power", Power),
        "power_mean_w" => ("mean IT power", Power),
        "power_cap_w" => ("IT power cap at the start", Power),
        "time_at_cap_s" => ("time with IT power at the cap", Seconds),
        "carbon_g" => ("carbon of facility energy", Carbon),
        "cost" => ("electricity cost of facility energy", Plain),
        "queue_mean" => ("time-averaged jobs waiting", Plain),
        "events" => ("events processed", Count),
        "wall_s" => (
            "wall-clock time of the simulation (varies run to run)",
            Seconds,
        ),
        _ => return None,
    })
}

/// How a summary value is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// Text as is.
    Text,
    /// Integer with separators.
    Count,
    /// Duration.
    Seconds,
    /// Rate per second.
    PerSecond,
    /// Share shown in percent.
    Percent,
    /// Energy with an auto unit.
    Energy,
    /// Power with an auto unit.
    Power,
    /// Carbon with an auto unit.
    Carbon,
    /// A plain number.
    Plain,
}

/// A summary value for people (the exact value is shown beside it), formatted by the
/// metric registry.
pub fn human(key: &str, v: &Value) -> String {
    match v {
        Value::Null => "none".into(),
        Value::String(s) => s.clone(),
        v => match v.as_f64() {
            Some(x) => crate::report::metric::format(key, x),
            None => v.to_string(),
        },
    }
}

fn raw(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

fn class_cell(name: &str, color: plotters::style::RGBColor) -> String {
    format!(
        "<span class=\"swatch\" style=\"background:{}\"></span>{}",
        css(color),
        esc(name)
    )
}

/// A constant signal's value, or the range of a time series.
fn signal(sig: &crate::signal::Signal, fmt: fn(f64) -> String) -> String {
    if sig.is_constant() {
        fmt(sig.at(0))
    } else {
        let (lo, hi) = sig.range();
        format!("a time series from {} to {}", fmt(lo), fmt(hi))
    }
}

fn watts(w: f64) -> String {
    style::with_unit(w, style::power_unit(w.abs()))
}

fn bytes(b: f64) -> String {
    if !b.is_finite() {
        "unlimited".into()
    } else if b >= 1e9 {
        format!("{} GB", style::num(b / 1e9))
    } else if b >= 1e6 {
        format!("{} MB", style::num(b / 1e6))
    } else {
        format!("{} B", style::num(b))
    }
}

/// Same value for every kind, or `kind: value` pairs.
fn per_kind(sc: &Scenario, vals: &[Option<String>]) -> String {
    let set: std::collections::BTreeSet<&Option<String>> = vals.iter().collect();
    if set.len() == 1 {
        return vals
            .first()
            .cloned()
            .flatten()
            .map(|v| esc(&v))
            .unwrap_or_else(|| "–".into());
    }
    vals.iter()
        .zip(&sc.kinds)
        .map(|(v, k)| {
            format!(
                "{}: {}",
                esc(&k.name),
                v.as_deref().map(esc).unwrap_or_else(|| "–".into())
            )
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

fn device_table(out: &mut String, run: &RunData) {
    let per_class = run.summary.get(keys::PER_CLASS).and_then(Value::as_object);
    let stat = |name: &str, field: &str| -> Option<&Value> { per_class?.get(name)?.get(field) };
    let _ = writeln!(
        out,
        "<table><tr><th>class</th><th>category</th><th class=\"r\">devices</th><th class=\"r\">idle power</th><th class=\"r\">busy power</th><th>speed (work units/s)</th><th class=\"r\">memory</th><th>P-states and sleep</th><th class=\"r\">utilisation</th><th class=\"r\">IT energy</th><th class=\"r\">jobs</th></tr>"
    );
    for (i, c) in run.classes.iter().enumerate() {
        let sc_class = run
            .scenario
            .as_ref()
            .and_then(|s| s.classes.iter().find(|x| x.name == c.name).map(|x| (s, x)));
        let pm = sc_class
            .map(|(_, x)| power_states_text(x))
            .unwrap_or_default();
        let (cat, idle, busy, speed, mem) = match sc_class {
            Some((s, x)) => (
                x.category.as_str().to_string(),
                watts(x.idle_w),
                per_kind(
                    s,
                    &x.busy_w
                        .iter()
                        .zip(&x.speed)
                        .map(|(w, sp)| sp.map(|_| watts(*w)))
                        .collect::<Vec<_>>(),
                ),
                per_kind(
                    s,
                    &x.speed
                        .iter()
                        .map(|sp| sp.map(style::num))
                        .collect::<Vec<_>>(),
                ),
                bytes(x.memory),
            ),
            None => Default::default(),
        };
        let cell = |f: &str, k: &str| {
            stat(&c.name, f)
                .map(|v| esc(&human(k, v)))
                .unwrap_or_default()
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td>{}</td><td class=\"r\">{}</td><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
            class_cell(&c.name, style::class_color(i)),
            esc(&cat),
            style::count(c.devices as u64),
            esc(&idle),
            busy,
            speed,
            esc(&mem),
            esc(&pm),
            cell("utilization", "utilization"),
            cell("energy_j", "energy_it_j"),
            cell("jobs", "jobs_completed"),
        );
    }
    out.push_str("</table>\n");
}

/// A rate in the unit a reader would write it in (6 jobs/h rather than 0.001667/s).
fn rate_text(per_s: f64) -> String {
    if per_s >= 1.0 || per_s == 0.0 {
        format!("{} jobs/s", style::num(per_s))
    } else if per_s * 60.0 >= 1.0 {
        format!("{} jobs/min", style::num(per_s * 60.0))
    } else {
        format!("{} jobs/h", style::num(per_s * 3600.0))
    }
}

/// P-states below the top one and the sleep state of a class, in a few words.
fn power_states_text(c: &crate::model::DeviceClass) -> String {
    let mut parts = Vec::new();
    let lower: Vec<String> = c
        .pstates
        .iter()
        .filter(|p| p.speed < 1.0 || p.power < 1.0)
        .map(|p| {
            format!(
                "{} % speed at {} % busy power",
                style::num(100.0 * p.speed),
                style::num(100.0 * p.power)
            )
        })
        .collect();
    if !lower.is_empty() {
        parts.push(format!("P-states: {}", lower.join("; ")));
    }
    if let Some(sl) = &c.sleep {
        parts.push(format!(
            "sleep at {}, wake-up {} and {}",
            watts(sl.power_w),
            style::duration(sl.wake_latency),
            style::with_unit(sl.wake_energy, style::energy_unit(sl.wake_energy))
        ));
    }
    if parts.is_empty() {
        "–".into()
    } else {
        parts.join("; ")
    }
}

fn arrival_text(a: &Arrival) -> String {
    let count = |c: &Option<u64>| {
        c.map(|c| format!(", at most {} jobs", style::count(c)))
            .unwrap_or_default()
    };
    match a {
        Arrival::Poisson {
            rate,
            count: c,
            start,
            ..
        } => format!(
            "Poisson, {}{}{}",
            rate_text(*rate),
            if *start > 0.0 {
                format!(" from {}", style::duration(*start))
            } else {
                String::new()
            },
            count(c)
        ),
        Arrival::Periodic {
            period,
            jitter,
            count: c,
            ..
        } => format!(
            "every {} (jitter {}){}",
            style::duration(*period),
            style::duration(*jitter),
            count(c)
        ),
        Arrival::Batch {
            count, at, every, ..
        } => format!(
            "batch of {} at {}{}",
            style::count(*count),
            style::duration(*at),
            every
                .map(|e| format!(", every {}", style::duration(e)))
                .unwrap_or_default()
        ),
        Arrival::Burst {
            on_rate,
            off_rate,
            on_mean,
            off_mean,
            count: c,
            ..
        } => format!(
            "on/off bursts: {} for {} on average, {} for {} off{}",
            rate_text(*on_rate),
            style::duration(*on_mean),
            rate_text(*off_rate),
            style::duration(*off_mean),
            count(c)
        ),
        Arrival::Profile {
            rate,
            profile,
            count: c,
            ..
        } => format!(
            "time-varying, {} x a {} profile (mean level {}){}",
            rate_text(*rate),
            style::duration(profile.period),
            style::num(profile.mean_level()),
            count(c)
        ),
        Arrival::None => "listed jobs only".into(),
    }
}

fn size_text(s: &SizeDist) -> String {
    match s {
        SizeDist::Constant(v) => format!("constant {}", style::num(*v)),
        SizeDist::Exponential { mean } => format!("exponential, mean {}", style::num(*mean)),
        SizeDist::Uniform { min, max } => {
            format!("uniform {} to {}", style::num(*min), style::num(*max))
        }
        SizeDist::Lognormal { mean, cv } => {
            format!(
                "lognormal, mean {}, cv {}",
                style::num(*mean),
                style::num(*cv)
            )
        }
        SizeDist::Normal { mean, sd, .. } => format!(
            "truncated normal, mean {}, sd {}",
            style::num(*mean),
            style::num(*sd)
        ),
        SizeDist::Gamma { shape, scale } => format!(
            "gamma, shape {}, scale {}",
            style::num(*shape),
            style::num(*scale)
        ),
        SizeDist::Weibull { shape, scale } => format!(
            "Weibull, shape {}, scale {}",
            style::num(*shape),
            style::num(*scale)
        ),
        SizeDist::Pareto { shape, scale, .. } => format!(
            "Pareto, shape {}, minimum {}",
            style::num(*shape),
            style::num(*scale)
        ),
        SizeDist::Empirical { samples, .. } => format!(
            "empirical, {} samples, mean {}",
            style::count(samples.len() as u64),
            style::num(s.mean())
        ),
    }
}

fn workload_table(out: &mut String, run: &RunData) {
    out.push_str("<table><tr><th>job kind</th><th>arrivals</th><th>work (units)</th><th class=\"r\">devices per job</th><th class=\"r\">deadline</th><th class=\"r\">priority</th><th class=\"r\">jobs finished</th><th class=\"r\">deadlines met</th></tr>\n");
    for (i, k) in run.kinds.iter().enumerate() {
        let spec = run
            .scenario
            .as_ref()
            .and_then(|s| s.kinds.iter().find(|x| x.name == k.name).map(|x| (s, x)));
        let (arr, size, gang, dl, prio) = match spec {
            Some((s, x)) => {
                let listed = s
                    .jobs
                    .iter()
                    .filter(|j| {
                        s.kinds
                            .get(j.kind as usize)
                            .is_some_and(|kk| kk.name == k.name)
                    })
                    .count();
                let mut arr = arrival_text(&x.arrival);
                if listed > 0 {
                    arr = match x.arrival {
                        Arrival::None => format!("{} listed jobs", style::count(listed as u64)),
                        _ => format!("{arr}; plus {} listed jobs", style::count(listed as u64)),
                    };
                }
                (
                    arr,
                    if matches!(x.arrival, Arrival::None) && listed > 0 {
                        "as listed".into()
                    } else {
                        size_text(x.size())
                    },
                    x.req.devices.to_string(),
                    x.req
                        .deadline
                        .map(style::duration)
                        .unwrap_or_else(|| "none".into()),
                    x.req.priority.to_string(),
                )
            }
            None => Default::default(),
        };
        let met = if k.deadlines.with_deadline > 0 {
            format!(
                "{} % of {}",
                style::num(100.0 * k.deadlines.met as f64 / k.deadlines.with_deadline as f64),
                style::count(k.deadlines.with_deadline)
            )
        } else {
            "–".into()
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}</td></tr>",
            class_cell(&k.name, style::kind_color(i)),
            esc(&arr),
            esc(&size),
            esc(&gang),
            esc(&dl),
            esc(&prio),
            style::count(k.cdf.n),
            esc(&met)
        );
    }
    out.push_str("</table>\n");
}

/// The metrics table: every flat key of summary.json, known keys described.
pub fn metrics_table(out: &mut String, summary: &serde_json::Map<String, Value>) {
    out.push_str("<table><tr><th>metric</th><th class=\"r\">value</th><th>exact value (summary.json)</th><th>meaning</th></tr>\n");
    for (k, v) in summary {
        if v.is_object() || v.is_array() {
            continue;
        }
        let meaning = describe(k).map(|d| d.0).unwrap_or("");
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td class=\"r\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(k),
            esc(&human(k, v)),
            esc(&raw(v)),
            esc(meaning)
        );
    }
    out.push_str("</table>\n");
}

/// `hetsim run <scenario copy>` with the run's `--set` options (overrides.txt), each
/// quoted for a POSIX shell when it needs to be.
pub fn reproduce_command(scenario_file: &str, dir: &std::path::Path) -> String {
    let quote = |s: &str| {
        if s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
        {
            s.to_string()
        } else {
            format!("'{}'", s.replace('\'', "'\\''"))
        }
    };
    let mut cmd = format!("hetsim run {}", quote(scenario_file));
    if let Ok(text) = std::fs::read_to_string(dir.join(crate::report::files::OVERRIDES_TXT)) {
        for l in text.lines().filter(|l| !l.is_empty()) {
            cmd.push_str(" --set ");
            cmd.push_str(&quote(l));
        }
    }
    cmd
}

/// Per-kind (or per-class) job figures of summary.json as one table, a row per
/// group, formatted by the metric registry; columns without data are left out.
pub fn group_table(
    out: &mut String,
    summary: &serde_json::Map<String, Value>,
    key: &str,
    what: &str,
) {
    let Some(Value::Object(groups)) = summary.get(key) else {
        return;
    };
    if groups.is_empty() {
        return;
    }
    const FIELDS: [&str; 9] = [
        "jobs",
        "wait_mean_s",
        "response_mean_s",
        "response_p50_s",
        "response_p95_s",
        "response_p99_s",
        "deadline_miss_rate",
        "energy_j",
        "jobs_with_deadline",
    ];
    let fields: Vec<&str> = FIELDS
        .iter()
        .copied()
        .filter(|f| *f != "jobs_with_deadline")
        .filter(|f| {
            groups
                .values()
                .any(|g| g.get(*f).is_some_and(|v| !v.is_null()))
        })
        .collect();
    let _ = write!(
        out,
        "<h3>By {what} (<code>{key}.&lt;name&gt;.&lt;field&gt;</code>)</h3>\n<table><tr><th>{what}</th>"
    );
    for f in &fields {
        let m = crate::report::metric::lookup(&format!("{key}.x.{f}"));
        let label = m.label.split_once(": ").map_or(m.label.as_str(), |p| p.1);
        let _ = write!(
            out,
            "<th class=\"r\" title=\"{}\">{}</th>",
            esc(f),
            esc(label)
        );
    }
    out.push_str("</tr>\n");
    for (name, g) in groups {
        let _ = write!(out, "<tr><td>{}</td>", esc(name));
        for f in &fields {
            let k = format!("{key}.{name}.{f}");
            let cell = match g.get(*f) {
                Some(Value::Null) | None => "–".to_string(),
                Some(v) => human(&k, v),
            };
            let _ = write!(out, "<td class=\"r\">{}</td>", esc(&cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// The report of one run.
pub fn index(run: &RunData, charts: &Charts) -> String {
    let name = run.text("scenario");
    let policy = run.text("policy");
    let seed = run.text("seed");
    let mut out = head(&format!("{name}: hetsim run report"));
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", esc(&name));
    if let Some(d) = run
        .scenario
        .as_ref()
        .map(|s| s.description.trim())
        .filter(|d| !d.is_empty())
    {
        let _ = writeln!(out, "<p class=\"desc\">{}</p>", esc(d));
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">Policy <b>{}</b>{} · seed {} · {} simulated · {} on {} in {}</p>",
        esc(&policy),
        match run.text("power_manager") {
            pm if pm.is_empty() => String::new(),
            pm => format!(" · power manager <b>{}</b>", esc(&pm)),
        },
        esc(&seed),
        esc(&style::duration(run.num(keys::HORIZON_S).unwrap_or(0.0))),
        crate::report::terminal::plural(
            run.num(keys::JOBS_COMPLETED).unwrap_or(0.0) as u64,
            "job",
            "jobs"
        ),
        crate::report::terminal::plural(run.device_count(), "device", "devices"),
        crate::report::terminal::plural(run.classes.len() as u64, "class", "classes"),
    );
    if let Some(f) = &run.scenario_file {
        let _ = writeln!(
            out,
            "<p class=\"meta\">Reproduce from this folder: <code>{}</code>. Redraw the charts and this page: <code>hetsim plot &lt;this folder&gt;</code>.</p>",
            esc(&reproduce_command(f, &run.dir)),
        );
    }
    out.push_str("</header>\n<nav><ul>\n<li><a href=\"#devices\">Devices</a></li>\n<li><a href=\"#workload\">Workload</a></li>\n<li><a href=\"#policy\">Policy</a></li>\n<li><a href=\"#metrics\">Summary metrics</a></li>\n");
    for c in &charts.charts {
        let _ = writeln!(
            out,
            "<li><a href=\"#fig-{}\">{}</a></li>",
            esc(&c.stem),
            esc(&c.title)
        );
    }
    out.push_str("<li><a href=\"#files\">Files</a></li>\n</ul></nav>\n");

    for n in &run.notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(n));
    }
    out.push_str("<section id=\"devices\">\n<h2>Devices</h2>\n");
    device_table(&mut out, run);
    out.push_str("</section>\n<section id=\"workload\">\n<h2>Workload</h2>\n");
    workload_table(&mut out, run);
    out.push_str("</section>\n<section id=\"policy\">\n<h2>Policy</h2>\n");
    let params = run
        .scenario
        .as_ref()
        .filter(|s| s.policy.name == policy)
        .map(|s| serde_json::Value::Object(s.policy.params.clone()).to_string())
        .filter(|p| p != "{}");
    let _ = writeln!(
        out,
        "<p>Placement policy <b>{}</b>{}. <code>hetsim policies</code> lists the policies and their parameters.</p>",
        esc(&policy),
        params
            .map(|p| format!(" with parameters <code>{}</code>", esc(&p)))
            .unwrap_or_default()
    );
    if let Some(s) = &run.scenario {
        let f = &s.facility;
        let _ = writeln!(
            out,
            "<p>Facility: PUE {}, carbon intensity {} g CO₂e/kWh, electricity price {} per kWh, IT power cap {}.</p>",
            style::num(f.pue),
            signal(&f.carbon, style::num),
            signal(&f.price, style::num),
            f.power_cap
                .as_ref()
                .map(|c| signal(c, watts))
                .unwrap_or_else(|| "none".into())
        );
    }
    out.push_str("</section>\n<section id=\"metrics\">\n<h2>Summary metrics</h2>\n");
    metrics_table(&mut out, &run.summary);
    group_table(&mut out, &run.summary, "per_kind", "job kind");
    out.push_str("</section>\n<section id=\"charts\">\n<h2>Charts</h2>\n");
    for c in &charts.charts {
        let _ = writeln!(
            out,
            "<figure class=\"chart\" id=\"fig-{stem}\">\n{svg}\n<figcaption><b>{title}.</b> {cap} <a href=\"{dir}/{stem}.png\">PNG</a> · <a href=\"{dir}/{stem}.svg\">SVG</a></figcaption>\n</figure>",
            stem = esc(&c.stem),
            svg = inline_svg(&c.svg, &c.title),
            title = esc(&c.title),
            cap = esc(&c.caption),
            dir = CHART_DIR,
        );
    }
    for (t, why) in &charts.skipped {
        let _ = writeln!(
            out,
            "<p class=\"note\"><b>{} not drawn.</b> {}</p>",
            esc(t),
            esc(why)
        );
    }
    out.push_str("</section>\n<section id=\"files\">\n<h2>Files</h2>\n<ul>\n");
    let mut files: Vec<String> = run.scenario_file.iter().cloned().collect();
    files.extend(
        [
            "summary.json",
            "summary.csv",
            "jobs.csv",
            "devices.csv",
            "power.csv",
        ]
        .map(String::from),
    );
    for f in files {
        if run.dir.join(&f).exists() {
            let _ = writeln!(out, "<li><a href=\"{0}\">{0}</a></li>", esc(&f));
        }
    }
    let _ = writeln!(
        out,
        "</ul>\n</section>\n<footer>Generated by hetsim {}. No scripts, no network: this page and its charts are self-contained.</footer>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humanises_known_keys() {
        assert_eq!(human("utilization", &serde_json::json!(0.25)), "25 %");
        assert_eq!(human("power_cap_w", &Value::Null), "none");
        assert_eq!(
            human("jobs_completed", &serde_json::json!(1266994)),
            "1,266,994"
        );
        assert_eq!(human("wait_mean_s", &serde_json::json!(0.0005)), "500 µs");
    }

    #[test]
    fn svg_is_inlined_with_a_name() {
        let s = inline_svg("<svg width=\"1\" height=\"1\"></svg>", "A & B");
        assert!(s.starts_with("<svg role=\"img\" aria-label=\"A &amp; B\" width"));
    }
}
