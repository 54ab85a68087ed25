//! Sweep files and the run plan: parsing, axis expansion, seeds, and the manifest.

pub use super::range::MAX_RANGE_VALUES;
use super::range::{RawRange, expand_range};
use super::seed;
use crate::scenario::{self, Format, InputError, Loaded};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Format tag written in every manifest.
pub const FORMAT: &str = "hetsim-sweep/1";
/// Most runs one sweep may plan (guards against a runaway range).
pub const MAX_RUNS: usize = 1_000_000;
/// Metrics charted when the sweep file names none (those missing from the summary are
/// skipped).
pub const DEFAULT_METRICS: &[&str] = &[
    "response_mean_s",
    "response_p99_s",
    "wait_mean_s",
    "slowdown_mean",
    "utilization",
    "throughput_jobs_per_s",
    "energy_facility_j",
    "energy_per_job_j",
    "power_mean_w",
    "deadline_miss_rate",
];
/// Default Pareto axes: p99 response time (x) against facility energy (y), both
/// minimized.
pub const DEFAULT_PARETO: (&str, &str) = ("response_p99_s", "energy_facility_j");

/// The sweep file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    name: Option<String>,
    #[serde(default)]
    description: String,
    scenario: String,
    #[serde(default)]
    set: IndexMap<String, Value>,
    #[serde(default)]
    axes: IndexMap<String, Value>,
    replications: Option<u64>,
    #[serde(default)]
    same_seed_across: Vec<String>,
    series: Option<String>,
    metrics: Option<Vec<String>>,
    pareto: Option<RawPareto>,
    #[serde(default)]
    labels: IndexMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPareto {
    x: String,
    y: String,
}

/// One varied field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Axis {
    /// Field path, as for `hetsim run --set` (e.g. `workload.kinds.request.arrival.rate`).
    pub path: String,
    /// The values, in sweep order.
    pub values: Vec<Value>,
    /// Whether every value is a number (such axes get charts).
    pub numeric: bool,
}

/// Pareto chart axes (both minimized).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParetoSpec {
    /// Summary key on the x axis.
    pub x: String,
    /// Summary key on the y axis.
    pub y: String,
}

/// One planned run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Index in plan order.
    pub run: usize,
    /// Point index.
    pub point: usize,
    /// Replication within the point, from 0.
    pub replication: u64,
    /// The run's seed ([`seed::derive`]).
    pub seed: u64,
}

/// The plan as recorded in `manifest.json`: everything needed to check rows, merge
/// shards and draw the final outputs, without the sweep or scenario files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// hetsim's version (`CARGO_PKG_VERSION`) that planned the sweep.
    pub hetsim_version: String,
    /// SHA-256 of this manifest serialized compactly with `plan_hash` empty.
    pub plan_hash: String,
    /// Sweep name.
    pub name: String,
    /// Free-text description.
    pub description: String,
    /// File name of the sweep file.
    pub sweep_file: String,
    /// SHA-256 of the sweep file's bytes.
    pub sweep_sha256: String,
    /// The sweep file's text.
    pub sweep_text: String,
    /// Base scenario path as written in the sweep file.
    pub scenario: String,
    /// SHA-256 of the base scenario file's bytes (also in every `runs.csv` row).
    pub scenario_sha256: String,
    /// The base seed (scenario seed after `set`).
    pub base_seed: u64,
    /// The seed rule tag ([`seed::SEED_RULE`]).
    pub seed_rule: String,
    /// Fixed overrides applied to every run.
    pub set: IndexMap<String, Value>,
    /// The axes, first varying slowest.
    pub axes: Vec<Axis>,
    /// Runs per point.
    pub replications: u64,
    /// Axes left out of the seed key (common random numbers across them).
    pub same_seed_across: Vec<String>,
    /// Axis whose values are the chart lines.
    pub series: Option<String>,
    /// Metrics to chart.
    pub metrics: Vec<String>,
    /// Pareto axes.
    pub pareto: ParetoSpec,
    /// Device classes over all runs, in first-seen plan order (`per_class` columns).
    pub classes: Vec<String>,
    /// Number of points.
    pub points: usize,
    /// Every run, in plan order.
    pub runs: Vec<RunSpec>,
    /// Chart labels of axes (by field path) and metrics (by key) given in the sweep
    /// file's `labels:`, overriding the readable defaults.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub labels: IndexMap<String, String>,
}

impl Manifest {
    /// Computes [`Manifest::plan_hash`] for the current content.
    pub fn compute_hash(&self) -> String {
        let mut m = self.clone();
        m.plan_hash = String::new();
        seed::sha256_hex(
            serde_json::to_string(&m)
                .expect("manifest serializes")
                .as_bytes(),
        )
    }

    /// The bytes of `manifest.json` (pretty JSON and a newline).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("manifest serializes");
        v.push(b'\n');
        v
    }

    /// Parses `manifest.json` and checks its format and hash.
    pub fn from_bytes(bytes: &[u8], file: &Path) -> Result<Manifest, InputError> {
        let m: Manifest = serde_json::from_slice(bytes)
            .map_err(|e| InputError::file(file, format!("not a hetsim sweep manifest: {e}")))?;
        if m.format != FORMAT {
            return Err(InputError::file(
                file,
                format!("manifest format `{}`, expected `{FORMAT}`", m.format),
            ));
        }
        if m.compute_hash() != m.plan_hash {
            return Err(InputError::file(
                file,
                "plan_hash does not match the manifest's content (edited by hand?)",
            ));
        }
        Ok(m)
    }

    /// The axis values of a point (mixed radix, first axis slowest).
    pub fn point_values(&self, point: usize) -> Vec<&Value> {
        let mut idx = point;
        let mut out = vec![&Value::Null; self.axes.len()];
        for (i, a) in self.axes.iter().enumerate().rev() {
            out[i] = &a.values[idx % a.values.len()];
            idx /= a.values.len();
        }
        out
    }

    /// A point's axis values as CSV cells.
    pub fn point_cells(&self, point: usize) -> Vec<String> {
        self.point_values(point).into_iter().map(cell).collect()
    }

    /// `path=value, ...` of a point, for messages.
    pub fn point_label(&self, point: usize) -> String {
        let v = self.point_values(point);
        if v.is_empty() {
            return "no axes".into();
        }
        self.axes
            .iter()
            .zip(v)
            .map(|(a, v)| format!("{}={}", a.path, cell(v)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A JSON value as a CSV cell: strings bare, other scalars as JSON, the rest compact
/// JSON.
pub fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A sweep ready to run: the manifest plus the base document to override.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The plan as recorded.
    pub manifest: Manifest,
    /// The sweep file.
    pub sweep_path: PathBuf,
    /// The base scenario file (resolved).
    pub scenario_path: PathBuf,
    /// The base scenario's text.
    pub scenario_text: String,
    /// The base scenario document with `set` applied (its `workload.jobs` a `null`
    /// placeholder when `base_jobs` holds them).
    base_doc: Value,
    /// The base scenario's job list, read once into its compact form, when neither
    /// `set` nor an axis reaches into it: each run then copies 56 bytes per job, not a
    /// generic document of several hundred.
    base_jobs: Option<scenario::raw::RawJobs>,
}

fn parse_sweep(text: &str, format: Format, file: &Path) -> Result<RawSweep, InputError> {
    crate::scenario::parse_strict(text, format, file)
}

/// Finds the line of `key:` under the top-level `section:` (keys may hold dots, which
/// the scenario locator would split).
fn locate_key(text: &str, section: &str, key: &str) -> Option<(u64, u64)> {
    let mut in_section = section.is_empty();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        if !in_section {
            if indent == 0
                && (t.starts_with(&format!("{section}:"))
                    || t.starts_with(&format!("\"{section}\":")))
            {
                in_section = true;
                if key.is_empty() {
                    return Some((i as u64 + 1, 1));
                }
            }
            continue;
        }
        for q in ["", "\"", "'"] {
            if t.starts_with(&format!("{q}{key}{q}:")) || t.contains(&format!(" {q}{key}{q}:")) {
                return Some((i as u64 + 1, indent as u64 + 1));
            }
        }
    }
    None
}

fn sweep_err(
    text: &str,
    file: &Path,
    section: &str,
    key: &str,
    message: impl Into<String>,
) -> InputError {
    let pos = locate_key(text, section, key);
    InputError {
        file: file.into(),
        line: pos.map(|p| p.0),
        column: pos.map(|p| p.1),
        path: if key.is_empty() {
            section.to_string()
        } else {
            format!("{section}.{key}")
        },
        message: message.into(),
        hint: None,
    }
}

impl Plan {
    /// Reads a sweep file, expands it, derives every seed and checks that every point's
    /// scenario is valid (so a bad value fails before any run).
    pub fn load(sweep_path: &Path) -> Result<Plan, InputError> {
        let format = Format::from_path(sweep_path).ok_or_else(|| {
            InputError::file(sweep_path, "unknown file extension")
                .with_hint("sweep files end in .yaml, .yml or .json")
        })?;
        let text = scenario::read_text(sweep_path)?;
        let bytes = scenario::file::read_limited(sweep_path, scenario::MAX_FILE_BYTES)
            .map_err(|e| InputError::file(sweep_path, e.to_string()))?;
        let raw = parse_sweep(&text, format, sweep_path)?;
        let file = sweep_path;
        let err = |section: &str, key: &str, msg: String| sweep_err(&text, file, section, key, msg);

        // Base scenario, relative to the sweep file.
        let dir = sweep_path.parent().unwrap_or(Path::new(""));
        let scenario_path = dir.join(&raw.scenario);
        let sc_format = Format::from_path(&scenario_path).ok_or_else(|| {
            err(
                "scenario",
                "",
                format!("`{}` is not a .yaml, .yml or .json file", raw.scenario),
            )
        })?;
        let scenario_text = scenario::read_text(&scenario_path).map_err(|e| {
            let mut e2 = err("scenario", "", e.to_string());
            e2.hint = Some("the scenario path is relative to the sweep file".into());
            e2
        })?;
        let scenario_bytes = scenario::file::read_limited(&scenario_path, scenario::MAX_FILE_BYTES)
            .map_err(|e| InputError::file(&scenario_path, e.to_string()))?;
        // A job list that no setting reaches into is read once into its compact form;
        // anything refused that way is read again whole, so errors are as without it.
        let apart = !(raw.set.keys().chain(raw.axes.keys())).any(|p| scenario::touches_jobs(p));
        let split = || {
            let (mut doc, jobs) =
                scenario::parse_without_jobs(&scenario_text, sc_format, &scenario_path).ok()?;
            apply_set(&mut doc, &raw.set).ok()?;
            Some((doc, jobs))
        };
        let (base_doc, base_jobs) = match apart.then(split).flatten() {
            Some(split) => split,
            None => {
                let mut doc = scenario::parse_value(&scenario_text, sc_format, &scenario_path)?;
                apply_set(&mut doc, &raw.set)
                    .map_err(|(path, m)| err("set", path, m.to_string()))?;
                (doc, None)
            }
        };

        // Axes.
        let mut axes = Vec::new();
        for (path, spec) in &raw.axes {
            if path == "seed" {
                return Err(err(
                    "axes",
                    path,
                    "`seed` cannot be an axis: seeds are derived per run".into(),
                )
                .with_hint("use `replications: N` for more seeds, or `set: {seed: S}` for another base seed"));
            }
            if path.trim().is_empty() {
                return Err(err("axes", path, "empty field path".into()));
            }
            let values = match spec {
                Value::Array(v) => v.clone(),
                Value::Object(_) => {
                    let r: RawRange = serde_json::from_value(spec.clone()).map_err(|e| {
                        err(
                            "axes",
                            path,
                            format!("a range is {{from, to, step}} with numbers: {e}"),
                        )
                    })?;
                    expand_range(&r).map_err(|m| err("axes", path, m))?
                }
                _ => {
                    return Err(err(
                        "axes",
                        path,
                        "an axis is a list of values or a range {from, to, step}".into(),
                    ));
                }
            };
            if values.is_empty() {
                return Err(err("axes", path, "an axis needs at least one value".into()));
            }
            for (i, v) in values.iter().enumerate() {
                if values[..i].contains(v) {
                    return Err(err("axes", path, format!("value {v} appears twice")));
                }
            }
            let numeric = values.iter().all(Value::is_number);
            axes.push(Axis {
                path: path.clone(),
                values,
                numeric,
            });
        }
        for a in &axes {
            let mut probe = base_doc.clone();
            scenario::set_path(&mut probe, &a.path, a.values[0].clone())
                .map_err(|m| err("axes", &a.path, m.to_string()))?;
        }
        for s in &raw.same_seed_across {
            if !raw.axes.contains_key(s) {
                return Err(err(
                    "same_seed_across",
                    "",
                    format!(
                        "`{s}` is not an axis (axes: {})",
                        raw.axes.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        let series = match &raw.series {
            Some(s) if !raw.axes.contains_key(s) => {
                return Err(err("series", "", format!("`{s}` is not an axis")));
            }
            Some(s) => Some(s.clone()),
            None => raw
                .axes
                .contains_key("policy.name")
                .then(|| "policy.name".to_string()),
        };
        let replications = raw.replications.unwrap_or(1);
        if replications == 0 {
            return Err(err(
                "replications",
                "",
                "replications must be at least 1".into(),
            ));
        }
        let points = axes
            .iter()
            .try_fold(1usize, |acc, a| acc.checked_mul(a.values.len()))
            .unwrap_or(usize::MAX);
        let n_runs = (points as u128) * (replications as u128);
        if n_runs > MAX_RUNS as u128 {
            return Err(err(
                "axes",
                "",
                format!("the sweep has {n_runs} runs, more than the limit of {MAX_RUNS}"),
            ));
        }
        let metrics = match raw.metrics {
            Some(m) if m.is_empty() => {
                return Err(err("metrics", "", "list at least one metric".into()));
            }
            Some(m) => m,
            None => DEFAULT_METRICS.iter().map(|s| s.to_string()).collect(),
        };
        let pareto = match raw.pareto {
            Some(p) => ParetoSpec { x: p.x, y: p.y },
            None => ParetoSpec {
                x: DEFAULT_PARETO.0.into(),
                y: DEFAULT_PARETO.1.into(),
            },
        };

        // Base scenario after `set`: its seed is the base seed.
        let base = build_scenario(
            Cow::Borrowed(&base_doc),
            base_jobs.as_ref(),
            &scenario_path,
            &scenario_text,
        )?;
        let name = raw.name.unwrap_or_else(|| {
            sweep_path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "sweep".into())
        });

        let mut manifest = Manifest {
            format: FORMAT.into(),
            hetsim_version: env!("CARGO_PKG_VERSION").into(),
            plan_hash: String::new(),
            name,
            description: raw.description,
            sweep_file: sweep_path
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            sweep_sha256: seed::sha256_hex(&bytes),
            sweep_text: text.clone(),
            scenario: raw.scenario.clone(),
            scenario_sha256: seed::sha256_hex(&scenario_bytes),
            base_seed: base.scenario.seed,
            seed_rule: seed::SEED_RULE.into(),
            set: raw.set,
            axes,
            replications,
            same_seed_across: raw.same_seed_across,
            series,
            metrics,
            pareto,
            classes: Vec::new(),
            points,
            runs: Vec::new(),
            labels: raw.labels,
        };
        let mut runs = Vec::with_capacity(n_runs as usize);
        for p in 0..points {
            let vals = manifest.point_values(p);
            let key: Vec<(&str, &Value)> = manifest
                .axes
                .iter()
                .zip(vals)
                .filter(|(a, _)| !manifest.same_seed_across.contains(&a.path))
                .map(|(a, v)| (a.path.as_str(), v))
                .collect();
            for r in 0..replications {
                runs.push(RunSpec {
                    run: runs.len(),
                    point: p,
                    replication: r,
                    seed: seed::derive(manifest.base_seed, &key, r),
                });
            }
        }
        manifest.runs = runs;

        let mut plan = Plan {
            manifest,
            sweep_path: sweep_path.into(),
            scenario_path,
            scenario_text,
            base_doc,
            base_jobs,
        };
        // Check every point (replications differ only by seed) and collect classes.
        use rayon::prelude::*;
        let checked: Vec<Result<Vec<String>, InputError>> = (0..points)
            .into_par_iter()
            .map(|p| {
                let run = p * replications as usize;
                plan.loaded(run)
                    .map(|l| l.scenario.classes.iter().map(|c| c.name.clone()).collect())
            })
            .collect();
        let mut classes: Vec<String> = Vec::new();
        for c in checked {
            for name in c? {
                if !classes.contains(&name) {
                    classes.push(name);
                }
            }
        }
        plan.manifest.classes = classes;
        plan.manifest.plan_hash = plan.manifest.compute_hash();
        Ok(plan)
    }

    /// The scenario of run `run` (axis values and seed applied), validated, with its
    /// policy checked.
    pub fn loaded(&self, run: usize) -> Result<Loaded, InputError> {
        build_scenario(
            Cow::Owned(self.document(run)?),
            self.base_jobs.as_ref(),
            &self.scenario_path,
            &self.scenario_text,
        )
        .map_err(|e| self.blame(e, self.manifest.runs[run].point))
    }

    /// [`Plan::document`] as pretty JSON text: what a run folder records as its
    /// scenario file.
    pub fn document_text(&self, run: usize) -> Result<String, InputError> {
        let doc = match self.base_jobs {
            None => self.document(run)?,
            // The job list is kept apart: read the whole document again (only runs that
            // keep a folder ask for it) and apply the same settings.
            Some(_) => {
                let format = Format::from_path(&self.scenario_path)
                    .expect("checked when the plan was loaded");
                let mut doc =
                    scenario::parse_value(&self.scenario_text, format, &self.scenario_path)?;
                apply_set(&mut doc, &self.manifest.set)
                    .map_err(|(_, m)| InputError::file(&self.sweep_path, m.to_string()))?;
                self.settle(run, doc)?
            }
        };
        let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value serializes");
        text.push('\n');
        Ok(text)
    }

    /// Whether the scenario is run by the LLM serving model (it has `serving:`).
    pub fn is_serving(&self) -> bool {
        self.base_doc.get("serving").is_some()
    }

    /// The scenario document of run `run`: the base scenario with `set`, the point's
    /// axis values and the run's seed applied (what `hetsim run BASE --set ...` reads).
    pub fn document(&self, run: usize) -> Result<Value, InputError> {
        self.settle(run, self.base_doc.clone())
    }

    /// Applies run `run`'s axis values and seed to the base document `doc`.
    fn settle(&self, run: usize, mut doc: Value) -> Result<Value, InputError> {
        let m = &self.manifest;
        let spec = &m.runs[run];
        for (a, v) in m.axes.iter().zip(m.point_values(spec.point)) {
            scenario::set_path(&mut doc, &a.path, v.clone()).map_err(|msg| {
                InputError::file(&self.sweep_path, format!("axis `{}`: {msg}", a.path))
            })?;
        }
        scenario::set_path(&mut doc, "seed", Value::from(spec.seed))
            .map_err(|msg| InputError::file(&self.sweep_path, msg.to_string()))?;
        Ok(doc)
    }

    /// Points an error about a field that an axis or a `set` entry gives at that line
    /// of the sweep file (the base scenario is not what is wrong there); other errors
    /// keep their place in the scenario. Both name the sweep point.
    fn blame(&self, mut e: InputError, point: usize) -> InputError {
        let m = &self.manifest;
        let covers = |path: &str| {
            e.path == path
                || e.path.starts_with(&format!("{path}."))
                || path.starts_with(&format!("{}.", e.path))
        };
        let values = m.point_values(point);
        let hit = m
            .axes
            .iter()
            .zip(&values)
            .find(|(a, _)| covers(&a.path))
            .map(|(a, v)| ("axes", a.path.clone(), format!("value `{}`: ", cell(v))))
            .or_else(|| {
                m.set
                    .keys()
                    .find(|k| covers(k))
                    .map(|k| ("set", k.clone(), String::new()))
            });
        let label = m.point_label(point);
        match hit {
            Some((section, key, value)) => {
                let pos = locate_key(&m.sweep_text, section, &key);
                let where_ = if e.path.is_empty() {
                    e.file.display().to_string()
                } else {
                    format!("field `{}` of {}", e.path, e.file.display())
                };
                e.message = format!(
                    "{value}{} (sweep point {point}: {label}; {where_})",
                    e.message
                );
                e.file = self.sweep_path.clone();
                e.line = pos.map(|p| p.0);
                e.column = pos.map(|p| p.1);
                e.path = format!("{section}.{key}");
            }
            None => e.message = format!("{} (sweep point {point}: {label})", e.message),
        }
        e
    }
}

/// Deserializes and validates a scenario document (the `--set` path of
/// `scenario::load`, without re-reading the file), and checks its policy.
fn build_scenario(
    mut doc: Cow<'_, Value>,
    jobs: Option<&scenario::raw::RawJobs>,
    path: &Path,
    text: &str,
) -> Result<Loaded, InputError> {
    // With the list apart the document holds its placeholder (and is small, so a
    // borrowed one is copied to remove it).
    let jobs = jobs.filter(|_| scenario::take_placeholder(doc.to_mut()));
    let doc = &*doc;
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(doc, &mut track);
    let mut raw: scenario::raw::RawScenario =
        serde::Deserialize::deserialize(de).map_err(|e: serde_json::Error| InputError {
            file: path.into(),
            line: None,
            column: None,
            path: track.path().to_string(),
            message: e.to_string(),
            hint: None,
        })?;
    if let Some(jobs) = jobs {
        raw.workload.jobs = jobs.clone();
    }
    let serving = raw.serving.is_some();
    let sc = scenario::validate_document(raw, path, text, &scenario::limits::Budget::default())?;
    if serving && crate::serving::mixed::is_mixed(&sc) {
        // Sweeps run serving-only or job-only scenarios; a run of both parts would be
        // silently cut to one of them.
        return Err(InputError::file(
            path,
            "a sweep cannot run a scenario with `serving:` beside jobs yet",
        )
        .with_hint("run its points with `hetsim run --set ...`"));
    }
    let loaded = Loaded {
        scenario: sc,
        path: path.into(),
        text: text.to_string(),
        overrides: Vec::new(),
        budget: scenario::limits::Budget::default(),
    };
    crate::run::check_policy(&loaded)?;
    Ok(loaded)
}

/// Applies a sweep's `set` entries to a document; an error names the entry's path.
fn apply_set<'s>(
    doc: &mut Value,
    set: &'s IndexMap<String, Value>,
) -> Result<(), (&'s str, scenario::OverrideError)> {
    for (path, v) in set {
        scenario::set_path(doc, path, v.clone()).map_err(|m| (path.as_str(), m))?;
    }
    Ok(())
}

/// A two-axis manifest (a: x, y; b: 1, 2, 3), one replication, for unit tests.
#[cfg(test)]
pub(crate) fn test_manifest() -> Manifest {
    use serde_json::json;
    let mut m = Manifest {
        format: FORMAT.into(),
        hetsim_version: "0".into(),
        plan_hash: String::new(),
        name: "t".into(),
        description: String::new(),
        sweep_file: String::new(),
        sweep_sha256: String::new(),
        sweep_text: String::new(),
        scenario: String::new(),
        scenario_sha256: String::new(),
        base_seed: 1,
        seed_rule: String::new(),
        set: IndexMap::new(),
        axes: vec![
            Axis {
                path: "a".into(),
                values: vec![json!("x"), json!("y")],
                numeric: false,
            },
            Axis {
                path: "b".into(),
                values: vec![json!(1), json!(2), json!(3)],
                numeric: true,
            },
        ],
        replications: 1,
        same_seed_across: vec![],
        series: None,
        metrics: vec![],
        pareto: ParetoSpec {
            x: "x".into(),
            y: "y".into(),
        },
        classes: vec![],
        points: 6,
        runs: vec![],
        labels: IndexMap::new(),
    };
    m.runs = (0..6)
        .map(|p| RunSpec {
            run: p,
            point: p,
            replication: 0,
            seed: 100 + p as u64,
        })
        .collect();
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_dotted_keys() {
        let t = "scenario: a.yaml\naxes:\n  policy.name: [fcfs]\n  x.y: {from: 1}\n";
        assert_eq!(locate_key(t, "axes", "x.y"), Some((4, 3)));
        assert_eq!(locate_key(t, "axes", "policy.name"), Some((3, 3)));
        assert_eq!(locate_key(t, "axes", ""), Some((2, 1)));
    }

    #[test]
    fn point_values_first_axis_slowest() {
        let m = test_manifest();
        assert_eq!(m.point_cells(0), ["x", "1"]);
        assert_eq!(m.point_cells(2), ["x", "3"]);
        assert_eq!(m.point_cells(3), ["y", "1"]);
        assert_eq!(m.point_label(5), "a=y, b=3");
    }
}
