//! Name rules and resource limits checked at load time, so that a scenario either
//! loads into a run of bounded size with unambiguous output files, or fails with one
//! located error.

use super::FieldError;

/// Longest scenario, class or kind name, bytes.
pub const MAX_NAME_BYTES: usize = 200;

/// Class names a power.csv or summary column would collide with: `<class>_w` must not
/// be `it_w`, `facility_w` or `cap_w`, and the other fixed column stems are kept free
/// so every header stays unique and readable.
pub const RESERVED_CLASS_NAMES: &[&str] = &[
    "it",
    "facility",
    "cap",
    "time",
    "duration",
    "queue",
    "queue_len",
    "busy",
    "asleep",
    "transition",
    "carbon",
    "cost",
    "total",
];

/// A scenario name: it names the default run folder `reports/<name>`, so it must
/// not be empty, made of dots only (`.` and `..` are not folder names), or carry
/// control characters or path separators.
pub fn check_scenario_name(name: &str) -> Result<(), FieldError> {
    let bad = |m: &str| {
        Err(FieldError::new("name", m.to_string())
            .with_hint("use letters, digits, `-`, `_` and `.`, e.g. name: mmc-baseline"))
    };
    if name.trim().is_empty() {
        return bad("the scenario name is empty");
    }
    if name.chars().all(|c| c == '.') {
        return bad("the scenario name cannot be only dots");
    }
    if name.len() > MAX_NAME_BYTES {
        return bad(&format!(
            "the scenario name is {} bytes long, more than {MAX_NAME_BYTES}",
            name.len()
        ));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return bad("the scenario name contains a control character or a path separator");
    }
    Ok(())
}

/// A device class name: it becomes part of CSV column names (`<class>_w`) and summary
/// keys (`per_class.<class>.<field>`), so it is letters, digits, `_` and `-` only,
/// and not one of [`RESERVED_CLASS_NAMES`].
pub fn check_class_name(name: &str) -> Result<(), FieldError> {
    let path = format!("datacenter.classes.{name}");
    let hint = "class names are letters, digits, `_` and `-` (they become column names such as `<class>_w`)";
    if name.is_empty() {
        return Err(
            FieldError::new("datacenter.classes", "a class name cannot be empty").with_hint(hint),
        );
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(FieldError::new(
            path,
            format!(
                "class name is {} bytes, more than {MAX_NAME_BYTES}",
                name.len()
            ),
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Err(FieldError::new(
            path,
            format!(
                "class name `{}` contains `{}`",
                shorten(name),
                c.escape_default()
            ),
        )
        .with_hint(hint));
    }
    if RESERVED_CLASS_NAMES.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(FieldError::new(
            path,
            format!(
                "class name `{name}` is reserved: its columns would collide with power.csv's own"
            ),
        )
        .with_hint(format!("reserved: {}", RESERVED_CLASS_NAMES.join(", "))));
    }
    Ok(())
}

/// A job kind name: not empty, at most [`MAX_NAME_BYTES`], no control characters.
pub fn check_kind_name(name: &str) -> Result<(), FieldError> {
    let path = format!("workload.kinds.{}", shorten(name));
    if name.trim().is_empty() {
        return Err(FieldError::new(
            "workload.kinds",
            "a kind name cannot be empty",
        ));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(FieldError::new(
            path,
            format!(
                "kind name is {} bytes, more than {MAX_NAME_BYTES}",
                name.len()
            ),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(FieldError::new(
            path,
            "kind name contains a control character",
        ));
    }
    Ok(())
}

/// At most 40 characters of `s` for a message, with `...` when cut.
pub fn shorten(s: &str) -> String {
    if s.chars().count() <= 40 {
        return s.to_string();
    }
    let mut t: String = s.chars().take(40).collect();
    t.push_str("...");
    t
}

/// The work rate of `class` for kind `ki` at its slowest P-state (units/s), if it can
/// run the kind at all.
fn slowest_rate(class: &crate::model::DeviceClass, ki: usize) -> Option<f64> {
    let ps = class.pstates.last().map_or(1.0, |p| p.speed);
    class.speed[ki].map(|s| s * ps)
}

/// Every job must finish within the simulation clock's range
/// ([`crate::error::MAX_RUN_S`]) on every class that can run it, at its slowest
/// P-state, or the run would stop with an error half-way: a kind's mean work, each
/// explicit job's work and each replayed job's work are checked at load time. The
/// loader checks the explicit jobs as it validates the list, where each job's index
/// is known, and passes the first failure as `listed`; it is reported after the
/// kinds' and before the replayed jobs'.
pub fn check_run_times(
    sc: &crate::model::Scenario,
    w: &super::raw::RawWorkload,
    listed: Option<FieldError>,
) -> Result<(), FieldError> {
    let names: Vec<&str> = sc.kinds.iter().map(|k| k.name.as_str()).collect();
    let limit = RunTimes::new(&sc.classes, &names);
    for (ki, k) in sc.kinds.iter().enumerate() {
        limit.check(ki, k.size().mean(), &|| "the mean job".to_string(), &|| {
            format!("workload.kinds.{}.size", k.name)
        })?;
    }
    if let Some(e) = listed {
        return Err(e);
    }
    // Listed jobs passed when the list was validated: a job failing here is replayed.
    let path = || {
        if w.traces.len() == 1 {
            "workload.traces[0]".to_string()
        } else {
            "workload.traces".to_string()
        }
    };
    for j in &sc.jobs {
        limit.check(
            j.kind.index(),
            j.req.work,
            &|| format!("a job arriving at {} s", j.arrival),
            &path,
        )?;
    }
    Ok(())
}

/// The run-time limit of [`check_run_times`], found once per kind (the slowest
/// class, its rate and the fastest rate) so a job list of 10^6 entries is checked in
/// O(1) per job. The error points at the size or work when even a speed of 1 unit/s
/// on the fastest class could not run it in time, else at the class whose speed is
/// too slow.
pub(super) struct RunTimes<'a> {
    classes: &'a [crate::model::DeviceClass],
    kinds: &'a [&'a str],
    rates: Vec<Option<(usize, f64, f64)>>,
}

impl<'a> RunTimes<'a> {
    /// The limits for `kinds` (names, by kind index) on `classes`.
    pub(super) fn new(classes: &'a [crate::model::DeviceClass], kinds: &'a [&'a str]) -> Self {
        let rates = (0..kinds.len())
            .map(|ki| {
                let rates: Vec<(usize, f64)> = classes
                    .iter()
                    .enumerate()
                    .filter_map(|(ci, c)| slowest_rate(c, ki).map(|r| (ci, r)))
                    .collect();
                let &(slow_ci, slow) = rates.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
                let fast = rates.iter().map(|r| r.1).fold(0.0, f64::max);
                Some((slow_ci, slow, fast))
            })
            .collect();
        RunTimes {
            classes,
            kinds,
            rates,
        }
    }

    /// Checks `work` units of kind `ki`; `what` (the job, for the message) and
    /// `size_path` (the field holding its work) are built only for the error.
    pub(super) fn check(
        &self,
        ki: usize,
        work: f64,
        what: &dyn Fn() -> String,
        size_path: &dyn Fn() -> String,
    ) -> Result<(), FieldError> {
        use crate::error::MAX_RUN_S;
        if !(work.is_finite() && work > 0.0) {
            return Ok(());
        }
        let Some((slow_ci, slow, fast)) = self.rates[ki] else {
            return Ok(());
        };
        let run_s = work / slow;
        if run_s.is_nan() || run_s <= MAX_RUN_S {
            return Ok(());
        }
        let years = |s: f64| s / (365.25 * 86400.0);
        let kind = self.kinds[ki];
        let class = &self.classes[slow_ci].name;
        // Too much work even at 1 unit/s on the fastest class: the work is at fault;
        // otherwise the class's speed.
        let (path, hint) = if work / fast.max(1.0) > MAX_RUN_S {
            (
                size_path(),
                "the work is too large for every class that can run it",
            )
        } else {
            (
                format!("datacenter.classes.{class}.speed.{kind}"),
                "this class is too slow for the work (speed x slowest P-state speed)",
            )
        };
        Err(FieldError::new(
            path,
            format!(
                "{} of kind `{}` ({work:e} units) would run {run_s:.3e} s ({:.3e} years) on class `{class}` at its slowest P-state, more than the limit of 100 years",
                what(),
                shorten(kind),
                years(run_s)
            ),
        )
        .with_hint(hint))
    }
}

/// The size a run may reach before it is refused at load time. The defaults keep a
/// run within a few GB of memory and disk; the command line raises them with
/// `--max-jobs`, `--max-power-rows` and `--max-waiting`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    /// Jobs released over the run (generated, listed and replayed).
    pub max_jobs: f64,
    /// Rows of power.csv (`output.power_interval` over the run).
    pub max_power_rows: f64,
    /// Jobs waiting at once when arrivals exceed the cluster's capacity (each waiting
    /// job holds some hundreds of bytes of memory): refused at load time if the
    /// estimate passes it, and the run stops if the queue really does.
    pub max_waiting: f64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_jobs: 1e8,
            max_power_rows: 1e8,
            max_waiting: 1e7,
        }
    }
}

/// What a scenario is expected to produce, estimated from its settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Estimate {
    /// Jobs released, per kind (explicit and replayed jobs not included).
    pub kind_jobs: Vec<f64>,
    /// Jobs released in all.
    pub jobs: f64,
    /// Simulated seconds: the horizon, or the last arrival without one.
    pub duration_s: f64,
    /// Rows of power.csv.
    pub power_rows: f64,
    /// Offered load: work asked per second over work the cluster can do, each kind
    /// against every class that can run it (1 or more: the queue grows).
    pub load: f64,
    /// Jobs waiting at the end when the load exceeds 1.
    pub waiting: f64,
}

/// Estimates a run's size from its settings (no simulation).
pub fn estimate(sc: &crate::model::Scenario) -> Estimate {
    let count = |a: &crate::model::Arrival| a.count_bound().map(|c| c as f64);
    // Without a horizon the run lasts until the last counted arrival.
    let last_arrival = sc
        .kinds
        .iter()
        .filter_map(|k| {
            let (r, s) = (k.arrival().mean_rate()?, k.arrival().start_s());
            Some(s + count(k.arrival())? / r)
        })
        .chain(sc.jobs.iter().map(|j| j.arrival))
        .filter(|t| t.is_finite())
        .fold(0.0, f64::max);
    let duration_s = sc.horizon.unwrap_or(last_arrival);
    let kind_jobs: Vec<f64> = sc
        .kinds
        .iter()
        .map(|k| {
            let by_rate = k
                .arrival()
                .mean_rate()
                .map(|r| r * (duration_s - k.arrival().start_s()).max(0.0))
                .unwrap_or(f64::INFINITY);
            count(k.arrival()).map_or(by_rate, |c| c.min(by_rate))
        })
        .map(|n| if n.is_finite() { n } else { 0.0 })
        .collect();
    let jobs = kind_jobs.iter().sum::<f64>() + sc.jobs.len() as f64;
    let power_rows = match sc.output.power_interval {
        Some(i) if i > 0.0 => duration_s / i,
        _ => 0.0,
    };
    let mut load = 0.0;
    for (ki, k) in sc.kinds.iter().enumerate() {
        let Some(rate) = k.arrival().mean_rate() else {
            continue;
        };
        let capacity: f64 = sc
            .classes
            .iter()
            .filter_map(|c| c.speed[ki].map(|s| s * c.count as f64))
            .sum();
        let need = rate * k.size().mean() * f64::from(k.req.devices.max(1));
        if capacity > 0.0 && need.is_finite() {
            load += need / capacity;
        }
    }
    let waiting = if load > 1.0 {
        jobs * (1.0 - 1.0 / load)
    } else {
        0.0
    };
    Estimate {
        kind_jobs,
        jobs,
        duration_s,
        power_rows,
        load,
        waiting,
    }
}

/// Refuses a scenario whose estimated size ([`estimate`]) is past `budget`, at the
/// field that drives it.
pub fn check_budget(sc: &crate::model::Scenario, budget: &Budget) -> Result<(), FieldError> {
    let e = estimate(sc);
    // The kind releasing the most jobs is the one to point at.
    let top = e
        .kind_jobs
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| format!("workload.kinds.{}.arrival", sc.kinds[i].name))
        .unwrap_or_else(|| "workload".into());
    if e.jobs > budget.max_jobs {
        return Err(FieldError::new(
            top,
            format!(
                "the run would release about {:.3e} jobs, more than the budget of {:.0e}",
                e.jobs, budget.max_jobs
            ),
        )
        .with_hint(
            "lower the rate, set a count or a shorter horizon, or raise the budget with --max-jobs",
        ));
    }
    if e.power_rows > budget.max_power_rows {
        return Err(FieldError::new(
            "output.power_interval",
            format!(
                "power.csv would have about {:.3e} rows ({:.3e} s of run / interval), more than the budget of {:.0e}",
                e.power_rows, e.duration_s, budget.max_power_rows
            ),
        )
        .with_hint("use a longer power_interval, or raise the budget with --max-power-rows"));
    }
    if e.waiting > budget.max_waiting {
        return Err(FieldError::new(
            top,
            format!(
                "arrivals ask for {:.3e} times the work the devices can do: about {:.3e} jobs would be waiting at the end, more than the budget of {:.0e}",
                e.load, e.waiting, budget.max_waiting
            ),
        )
        .with_hint("lower the rate or add devices, or raise the budget with --max-waiting"));
    }
    Ok(())
}
