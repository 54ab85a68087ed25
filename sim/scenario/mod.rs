//! Scenario files: YAML or JSON (picked by extension), one strict schema.
//!
//! Loading has two stages. [`raw`] mirrors the file and rejects unknown fields and bad
//! values while parsing, so those errors carry a line and column. [`validate`] then
//! checks what involves several fields (a kind no device can run, a missing rate) and
//! builds the [`Scenario`] model. Every error is an [`InputError`] naming the file,
//! position and field path.

pub mod error;
pub mod file;
pub mod limits;
pub mod locate;
mod overrides;
mod power_model;
pub mod raw;
pub mod series;
pub mod serving;
pub use serving::serving_spec;
mod workload;

pub use error::{FieldError, InputError};
pub use file::read_text;
pub use overrides::{OverrideError, apply_override, set_path};
pub(crate) use overrides::{take_placeholder, touches_jobs};

use crate::model::*;
use raw::*;
use std::path::{Path, PathBuf};

pub use power_model::MAX_SLOTS;

/// Largest total number of devices a scenario may declare. It bounds memory before
/// anything is allocated; raise it here if you really have a bigger machine room.
pub const MAX_DEVICES: u64 = 10_000_000;
/// Largest scenario file read, bytes.
pub const MAX_FILE_BYTES: u64 = 64 << 20;
/// Largest number of jobs all `batch` arrivals of a scenario may declare together.
/// A batch arrives at one instant, so all of its jobs are in memory at once (about
/// 400 bytes each: some 4 GB at this limit); raise it here if you have the memory.
pub const MAX_BATCH_JOBS: u64 = 10_000_000;
pub use crate::workload::arrival::{MAX_RATE, MIN_PERIOD};

/// File format of a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// YAML (`.yaml`, `.yml`).
    Yaml,
    /// JSON (`.json`).
    Json,
}

impl Format {
    /// Picks the format from a file extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// A loaded scenario with where it came from.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// The file it came from.
    pub path: PathBuf,
    /// The file's text (copied into the run folder).
    pub text: String,
    /// The `--set PATH=VALUE` overrides applied to it, in order (recorded in the run
    /// folder so its reproduce command is complete).
    pub overrides: Vec<String>,
    /// The size budget it was checked against; a run also stops if more jobs wait at
    /// once than `budget.max_waiting`.
    pub budget: limits::Budget,
}

/// The scenario entry a policy or power-manager error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// `policy:`.
    Policy,
    /// `power_manager:`.
    PowerManager,
}

/// An error from building the scenario's policy or power manager (an unknown name, a
/// bad parameter), located at the entry's `name` in the file, with the hint to list
/// them. This is the scenario layer's conversion for the policy and power-manager
/// parameter readers' errors.
pub fn entry_error(l: &Loaded, entry: Entry, message: impl Into<String>) -> InputError {
    let (name, path, hint) = match entry {
        Entry::Policy => (
            "policy.name",
            "policy",
            "`hetsim policies` lists the policies and their parameters",
        ),
        Entry::PowerManager => (
            "power_manager.name",
            "power_manager",
            "`hetsim policies` lists the power managers and their parameters",
        ),
    };
    let pos = locate::locate(&l.text, name);
    InputError {
        file: l.path.clone(),
        line: pos.map(|p| p.0),
        column: pos.map(|p| p.1),
        path: path.into(),
        message: message.into(),
        hint: Some(hint.into()),
    }
}

/// Loads and validates a scenario file. `overrides` are `path=value` settings applied
/// to the document before validation (the `--set` option). The run's estimated size
/// must be within the default [`limits::Budget`].
pub fn load(path: &Path, overrides: &[String]) -> Result<Loaded, InputError> {
    load_with_budget(path, overrides, &limits::Budget::default())
}

/// [`load`] with a size budget of the caller's choice.
pub fn load_with_budget(
    path: &Path,
    overrides: &[String],
    budget: &limits::Budget,
) -> Result<Loaded, InputError> {
    let format = Format::from_path(path).ok_or_else(|| {
        InputError::file(path, "unknown file extension")
            .with_hint("scenario files end in .yaml, .yml or .json")
    })?;
    let text = read_text(path)?;
    let raw = parse_with_overrides(&text, format, path, overrides)?;
    let scenario = validate_document(raw, path, &text, budget)?;
    Ok(Loaded {
        scenario,
        path: path.into(),
        text,
        overrides: overrides.to_vec(),
        budget: *budget,
    })
}

/// Validates a parsed scenario document read from `path` (whose `text` locates
/// errors): the model, the size budget and, for a serving scenario, its `serving:`
/// section. What [`load_with_budget`] does after parsing; sweeps call it on each
/// run's document.
pub fn validate_document(
    mut raw: RawScenario,
    path: &Path,
    text: &str,
    budget: &limits::Budget,
) -> Result<Scenario, InputError> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    let base = path.parent().unwrap_or(Path::new("."));
    let raw_serving = raw.serving.take();
    let serving_only = raw_serving.is_some() && raw.workload.kinds.is_empty();
    let mut scenario =
        validate_with(raw, &stem, base, serving_only).map_err(|e| e.located(path, text))?;
    scenario.serving = raw_serving.is_some();
    limits::check_budget(&scenario, budget).map_err(|e| e.located(path, text))?;
    if let Some(r) = raw_serving {
        // Checked now so a bad `serving:` fails at load time; built again by
        // `serving_spec` when run.
        serving::load(r, &scenario, path, text)?;
    }
    Ok(scenario)
}

/// The file's raw document with `--set` overrides applied.
pub(crate) fn parse_with_overrides(
    text: &str,
    format: Format,
    path: &Path,
    overrides: &[String],
) -> Result<RawScenario, InputError> {
    if overrides.is_empty() {
        return parse_raw(text, format, path);
    }
    if !overrides.iter().any(|o| touches_jobs(o)) {
        match with_jobs_apart(text, format, path, overrides) {
            Ok(Some(raw)) => return Ok(raw),
            Ok(None) => {}
            // Refused: the whole document decides which error comes first, as without
            // the list apart; one in the list is reported where the list read it (with
            // its line: the generic document has none).
            Err(apart) => {
                return match with_whole_document(text, format, path, overrides) {
                    Err(e) if in_job_list(&e.path) && in_job_list(&apart.path) => Err(apart),
                    r => r,
                };
            }
        }
    }
    with_whole_document(text, format, path, overrides)
}

fn in_job_list(field: &str) -> bool {
    field
        .strip_prefix("workload.jobs")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// The settings applied to the document with its job list apart; `None` if the list's
/// placeholder did not survive them.
fn with_jobs_apart(
    text: &str,
    format: Format,
    path: &Path,
    overrides: &[String],
) -> Result<Option<RawScenario>, InputError> {
    let (mut doc, jobs) = parse_without_jobs(text, format, path)?;
    apply_overrides(&mut doc, path, overrides)?;
    if jobs.is_some() && !take_placeholder(&mut doc) {
        return Ok(None);
    }
    let mut raw = from_document(&doc, path)?;
    if let Some(jobs) = jobs {
        raw.workload.jobs = jobs;
    }
    Ok(Some(raw))
}

fn with_whole_document(
    text: &str,
    format: Format,
    path: &Path,
    overrides: &[String],
) -> Result<RawScenario, InputError> {
    let mut doc = parse_value(text, format, path)?;
    apply_overrides(&mut doc, path, overrides)?;
    from_document(&doc, path)
}

fn apply_overrides(
    doc: &mut serde_json::Value,
    path: &Path,
    overrides: &[String],
) -> Result<(), InputError> {
    for o in overrides {
        apply_override(doc, o).map_err(|m| {
            InputError::file(path, m.to_string())
                .with_hint("--set takes PATH=VALUE, e.g. policy.name=eft")
        })?;
    }
    Ok(())
}

fn from_document(doc: &serde_json::Value, path: &Path) -> Result<RawScenario, InputError> {
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(doc, &mut track);
    serde::Deserialize::deserialize(de).map_err(|e: serde_json::Error| InputError {
        file: path.into(),
        line: None,
        column: None,
        path: track.path().to_string(),
        message: format!("{e} (after --set)"),
        hint: None,
    })
}

/// Parses a document into a generic value for settings to be applied to (`--set`, a
/// sweep's `set` and axes) in which its `workload.jobs` list is a `null` placeholder;
/// the list is returned read straight into its compact form, in the same pass: as a
/// generic value a listed job costs several hundred bytes (a 44 MB JSON list took
/// 0.7 GB). Settings that reach into the list ([`touches_jobs`]) need [`parse_value`]
/// instead; [`take_placeholder`] removes the placeholder before the value is
/// deserialized.
pub(crate) fn parse_without_jobs(
    text: &str,
    format: Format,
    path: &Path,
) -> Result<(serde_json::Value, Option<RawJobs>), InputError> {
    let w: overrides::WithoutJobs = parse_strict(text, format, path)?;
    Ok((w.doc, w.jobs))
}

/// Parses scenario text (no file access). `label` names the source in errors.
pub fn parse_str(text: &str, format: Format, label: &Path) -> Result<Scenario, InputError> {
    let raw = parse_raw(text, format, label)?;
    let stem = label
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    let base = label.parent().unwrap_or(Path::new("."));
    validate(raw, &stem, base).map_err(|e| e.located(label, text))
}

fn yaml_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_aliases: 1000,
            max_depth: 64,
            max_nodes: 2_000_000,
        },
        // An alias bomb (a few aliases of aliases) stops after 10^5 replayed events,
        // not saphyr's default 10^6 (several seconds of CPU in a debug build).
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
        },
        // A tag hetsim does not know (`!evil`) would otherwise be dropped without a word.
        reject_unsupported_tags: true,
        reject_tagged_field_names: true,
    }
}

fn parse_raw(text: &str, format: Format, file: &Path) -> Result<RawScenario, InputError> {
    parse_strict(text, format, file)
}

/// Deserializes a strict YAML or JSON document (scenario, sweep file) with the
/// scenario loader's limits, reporting errors with file, position and field path.
pub fn parse_strict<T: serde::de::DeserializeOwned>(
    text: &str,
    format: Format,
    file: &Path,
) -> Result<T, InputError> {
    match format {
        Format::Json => {
            let located = |path: String, inner: serde_json::Error| InputError {
                file: file.into(),
                line: Some(inner.line() as u64),
                column: Some(inner.column() as u64),
                path: if path == "." { String::new() } else { path },
                message: strip_position(&inner.to_string()),
                hint: None,
            };
            let mut de = serde_json::Deserializer::from_str(text);
            let value = serde_path_to_error::deserialize(&mut de)
                .map_err(|e| located(e.path().to_string(), e.into_inner()))?;
            // Trailing characters after the document are an error too.
            de.end().map_err(|e| located(String::new(), e))?;
            Ok(value)
        }
        Format::Yaml => {
            let mut path = String::new();
            let r =
                serde_saphyr::with_deserializer_from_str_with_options(text, yaml_options(), |de| {
                    serde_path_to_error::deserialize(de).map_err(|e| {
                        path = e.path().to_string();
                        e.into_inner()
                    })
                });
            r.map_err(|e| yaml_error(e, path, file))
        }
    }
}

fn yaml_error(e: serde_saphyr::Error, path: String, file: &Path) -> InputError {
    let loc = e.location();
    let msg = e.without_snippet().to_string();
    // saphyr prefixes "line L column C: "; we print the position ourselves.
    let msg = match msg.split_once(": ") {
        Some((head, rest)) if head.starts_with("line ") => rest.to_string(),
        _ => msg,
    };
    // Some messages end in " at line L, column C" instead: drop that too.
    let msg = match msg.rsplit_once(" at line ") {
        Some((head, tail))
            if tail
                .split_once(", column ")
                .is_some_and(|(l, c)| is_digits(l) && is_digits(c)) =>
        {
            head.to_string()
        }
        _ => msg,
    };
    // Say what is wanted in the file's terms, not the library's.
    let msg = match msg.as_str() {
        "invalid u64" | "invalid u32" => "expected a whole number, 0 or more".to_string(),
        "invalid i32" | "invalid i64" => "expected a whole number".to_string(),
        m if m.starts_with("multiple YAML documents detected") => {
            "more than one YAML document (a second `---`): a scenario is one document".into()
        }
        m if m.starts_with("simple key expected") => {
            "a key must be followed by `:` on the same line (and be at most 1024 characters)".into()
        }
        m if m.starts_with("non-finite float ")
            && m.ends_with(" rejected by the configured policy") =>
        {
            let v =
                &m["non-finite float ".len()..m.len() - " rejected by the configured policy".len()];
            format!("must be a finite number, got {v}")
        }
        _ => match msg.split_once(", set DuplicateKeyPolicy") {
            Some((head, _)) => head.to_string(),
            None => msg,
        },
    };
    let hint = (msg.contains("budget breached") || msg.contains("alias replay limit")).then(|| {
        "the document nests too deeply or expands to too many nodes (aliases are expanded \
         where used); the limits are in hetsim::scenario::yaml_options"
            .to_string()
    });
    InputError {
        file: file.into(),
        line: loc.map(|l| l.line()),
        column: loc.map(|l| l.column()),
        // serde_path_to_error writes `?` for a position it cannot name.
        path: if path == "." || path == "?" {
            String::new()
        } else {
            path
        },
        message: msg,
        hint,
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Parses a document into a generic value (for `--set`).
pub fn parse_value(
    text: &str,
    format: Format,
    file: &Path,
) -> Result<serde_json::Value, InputError> {
    match format {
        Format::Json => serde_json::from_str(text).map_err(|e| InputError {
            file: file.into(),
            line: Some(e.line() as u64),
            column: Some(e.column() as u64),
            path: String::new(),
            message: strip_position(&e.to_string()),
            hint: None,
        }),
        Format::Yaml => serde_saphyr::from_str_with_options(text, yaml_options())
            .map_err(|e| yaml_error(e, String::new(), file)),
    }
}

/// Stage two: cross-field checks, defaults, and the model.
pub fn validate(raw: RawScenario, default_name: &str, base: &Path) -> Result<Scenario, FieldError> {
    validate_with(raw, default_name, base, false)
}

/// [`validate`]; `serving_only`: a serving scenario without job kinds.
fn validate_with(
    mut raw: RawScenario,
    default_name: &str,
    base: &Path,
    serving_only: bool,
) -> Result<Scenario, FieldError> {
    let kinds_raw = &raw.workload.kinds;
    let mut kind_names: Vec<String> = kinds_raw.keys().cloned().collect();
    kind_names
        .iter()
        .try_for_each(|k| limits::check_kind_name(k))?;
    // Kinds used only by explicit jobs must still be declared.
    // The list's kind names are in order of first use, so the first unknown one is
    // the one the earliest offending job names.
    let listed = &raw.workload.jobs;
    for (ki, name) in listed.kinds.iter().enumerate() {
        if !kind_names.contains(name) {
            let i = listed
                .jobs
                .iter()
                .position(|j| j.kind == ki as u32)
                .expect("a listed kind name is used by a job");
            return Err(FieldError::new(
                format!("workload.jobs[{i}].kind"),
                format!("unknown job kind `{name}`"),
            )
            .with_hint(format!(
                "declare it under workload.kinds (declared: {})",
                if kind_names.is_empty() {
                    "none".into()
                } else {
                    kind_names.join(", ")
                }
            )));
        }
    }
    if kind_names.is_empty() && !serving_only {
        return Err(FieldError::new("workload.kinds", "no job kinds declared"));
    }
    kind_names.dedup();

    // Device classes.
    if raw.datacenter.classes.is_empty() {
        return Err(FieldError::new(
            "datacenter.classes",
            "no device classes declared",
        ));
    }
    let mut total: u64 = 0;
    let mut classes = Vec::new();
    for (cname, c) in &raw.datacenter.classes {
        limits::check_class_name(cname)?;
        let p = format!("datacenter.classes.{cname}");
        let count = c.count.unwrap_or(1);
        if count == 0 {
            return Err(FieldError::new(
                format!("{p}.count"),
                "count must be at least 1",
            ));
        }
        // Every slot is a lane the simulation keeps: slots count against the limit.
        total = total.saturating_add(count.saturating_mul(c.slots.unwrap_or(1).max(1)));
        if total > MAX_DEVICES {
            return Err(FieldError::new(
                format!("{p}.count"),
                format!("{total} devices in total, more than the limit of {MAX_DEVICES}"),
            )
            .with_hint("raise scenario::MAX_DEVICES if you need more"));
        }
        let mut speed = vec![None; kind_names.len()];
        for (k, v) in &c.speed {
            let ki = kind_names.iter().position(|n| n == k).ok_or_else(|| {
                FieldError::new(format!("{p}.speed.{k}"), format!("unknown job kind `{k}`"))
                    .with_hint(format!("kinds: {}", kind_names.join(", ")))
            })?;
            if v.0 <= 0.0 {
                return Err(
                    FieldError::new(format!("{p}.speed.{k}"), "speed must be positive")
                        .with_hint("leave the kind out if this class cannot run it"),
                );
            }
            speed[ki] = Some(v.0);
        }
        let catalog =
            match &c.device {
                None => None,
                Some(name) => Some(crate::catalog::Catalog::builtin().lookup(name).map_err(
                    |m| {
                        FieldError::new(format!("{p}.device"), m.to_string())
                            .with_hint("`hetsim catalog` lists the devices")
                    },
                )?),
            };
        let category = match (c.category, catalog) {
            (Some(cat), _) => cat,
            (None, Some(d)) => d.category,
            (None, None) => {
                return Err(FieldError::new(
                    format!("{p}.category"),
                    "missing `category` (or name a catalog `device`)",
                ));
            }
        };
        let busy_default;
        let busy_power = match (&c.busy_power, catalog) {
            (Some(b), _) => b,
            (None, Some(d)) => {
                busy_default = RawBusyPower::Same(d.busy_power.value);
                &busy_default
            }
            // Set from the points below.
            (None, None) if matches!(c.power_model, Some(RawPowerModel::Points { .. })) => {
                busy_default = RawBusyPower::Same(crate::units::Watts(0.0));
                &busy_default
            }
            (None, None) => {
                return Err(FieldError::new(
                    format!("{p}.busy_power"),
                    "missing `busy_power` (or name a catalog `device`)",
                ));
            }
        };
        let busy_w = match busy_power {
            RawBusyPower::Same(w) => vec![w.0; kind_names.len()],
            RawBusyPower::PerKind(m) => {
                let mut v = vec![0.0; kind_names.len()];
                for (k, w) in m {
                    let ki = kind_names.iter().position(|n| n == k).ok_or_else(|| {
                        FieldError::new(
                            format!("{p}.busy_power.{k}"),
                            format!("unknown job kind `{k}`"),
                        )
                    })?;
                    v[ki] = w.0;
                }
                for (ki, s) in speed.iter().enumerate() {
                    if s.is_some() && !m.contains_key(&kind_names[ki]) {
                        return Err(FieldError::new(
                            format!("{p}.busy_power"),
                            format!(
                                "no busy power for kind `{}`, which this class can run",
                                kind_names[ki]
                            ),
                        ));
                    }
                }
                v
            }
        };
        let idle_w = c
            .idle_power
            .or(catalog.map(|d| d.idle_power.value))
            .map_or(0.0, |w| w.0);
        let mut pstates = vec![PState {
            speed: 1.0,
            power: 1.0,
        }];
        for (i, ps) in c.pstates.iter().flatten().enumerate() {
            let pp = format!("{p}.pstates[{i}]");
            let prev = pstates[pstates.len() - 1];
            if !(ps.speed.0 > 0.0 && ps.speed.0 <= 1.0 && ps.power.0 > 0.0 && ps.power.0 <= 1.0) {
                return Err(FieldError::new(
                    pp,
                    "speed and power factors must be in (0, 1] (relative to the top state)",
                ));
            }
            if ps.speed.0 > prev.speed || ps.power.0 > prev.power {
                return Err(FieldError::new(pp, "P-states must be listed fastest first, each slower and lower-power than the one before").with_hint("the top state (speed 1, power 1) is implied; list only the lower ones"));
            }
            pstates.push(PState {
                speed: ps.speed.0,
                power: ps.power.0,
            });
        }
        let sleep = match &c.sleep {
            None => None,
            Some(sl) => {
                let wake_latency = sl.wake_latency.0;
                let sleep_latency = sl.sleep_latency.map_or(0.0, |x| x.0);
                let wake_energy = sl.wake_energy.map_or(wake_latency * idle_w, |e| e.0);
                let sleep_energy = sl.sleep_energy.map_or(sleep_latency * idle_w, |e| e.0);
                if wake_latency == 0.0 && wake_energy > 0.0 {
                    return Err(FieldError::new(
                        format!("{p}.sleep.wake_energy"),
                        "a wake-up with energy needs a positive wake_latency (energy is drawn over it)",
                    ));
                }
                if sleep_latency == 0.0 && sleep_energy > 0.0 {
                    return Err(FieldError::new(
                        format!("{p}.sleep.sleep_energy"),
                        "falling asleep with energy needs a positive sleep_latency",
                    ));
                }
                Some(SleepState {
                    power_w: sl.power.0,
                    wake_latency,
                    wake_energy,
                    sleep_latency,
                    sleep_energy,
                })
            }
        };
        let (slots, power_model, idle_w, busy_w) = power_model::slots_and_power(
            &p,
            c,
            catalog,
            sleep.is_some(),
            pstates.len(),
            idle_w,
            busy_w,
            kind_names.len(),
        )?;
        classes.push(DeviceClass {
            name: cname.clone(),
            category,
            count: count as u32,
            speed,
            idle_w,
            busy_w,
            slots,
            power_model,
            memory: c
                .memory
                .or(catalog.and_then(|d| d.memory.as_ref().map(|m| m.value)))
                .map_or(f64::INFINITY, |b| b.0),
            pstates,
            pstate_switch: c.pstate_switch.map_or(0.0, |x| x.0),
            sleep,
        });
    }

    let horizon = raw.horizon.map(|h| h.0);
    if horizon == Some(0.0) {
        return Err(
            FieldError::new("horizon", "the horizon is 0 s: nothing would run")
                .with_hint("give a positive duration (e.g. horizon: 1h), or leave it out"),
        );
    }
    // The listed jobs move into validation, which frees each one's raw form.
    let listed = std::mem::take(&mut raw.workload.jobs);
    let (kinds, jobs, time_origin, listed_too_long) =
        workload::build(&raw.workload, listed, &classes, &kind_names, horizon, base)?;

    let policy = match raw.policy {
        Some(p) => PolicySpec {
            name: p.name,
            params: p.params,
        },
        None => PolicySpec {
            name: "fcfs".into(),
            params: Default::default(),
        },
    };
    let power_manager = match raw.power_manager {
        Some(p) => PolicySpec {
            name: p.name,
            params: p.params,
        },
        None => PolicySpec {
            name: "always-on".into(),
            params: Default::default(),
        },
    };
    let pue = match &raw.datacenter.pue {
        None => 1.0,
        Some(RawPue::Value(v)) => v.0,
        Some(RawPue::Preset(name)) => crate::catalog::Catalog::builtin()
            .lookup_pue(name)
            .map_err(|m| FieldError::new("datacenter.pue", m.to_string()))?,
    };
    let signal =
        |s: &Option<RawSignal>, field: &str| -> Result<crate::signal::Signal, FieldError> {
            match s {
                None => Ok(crate::signal::Signal::constant(0.0)),
                Some(RawSignal::Constant(v)) => Ok(crate::signal::Signal::constant(v.0)),
                Some(RawSignal::Series(sr)) => series::build(sr, base, 1.0)
                    .map_err(|m| FieldError::new(format!("datacenter.{field}"), m.to_string())),
            }
        };
    let carbon = signal(&raw.datacenter.carbon_intensity, "carbon_intensity")?;
    let price = signal(&raw.datacenter.price, "price")?;
    let power_cap = match &raw.datacenter.power_cap {
        None => None,
        Some(cap) => {
            let to_it = if cap.applies_to == CapScope::Facility {
                1.0 / pue.max(1.0)
            } else {
                1.0
            };
            let sig = match (&cap.limit, &cap.series) {
                (Some(w), None) => crate::signal::Signal::constant(w.0 * to_it),
                (None, Some(sr)) => series::build(sr, base, to_it)
                    .map_err(|m| FieldError::new("datacenter.power_cap", m.to_string()))?,
                _ => {
                    return Err(FieldError::new(
                        "datacenter.power_cap",
                        "give either `limit` or a series (`points` or `csv`)",
                    ));
                }
            };
            Some(sig)
        }
    };
    let facility = Facility {
        pue,
        carbon,
        price,
        power_cap,
    };
    if facility.pue < 1.0 {
        return Err(FieldError::new(
            "datacenter.pue",
            format!("PUE must be at least 1.0, got {}", facility.pue),
        )
        .with_hint("PUE = facility power / IT power; 1.58 is the industry average"));
    }
    let format = |f: Option<raw::RawFileFormat>| match f {
        None | Some(raw::RawFileFormat::Csv) => crate::model::FileFormat::Csv,
        Some(raw::RawFileFormat::CsvGz) => crate::model::FileFormat::CsvGz,
        Some(raw::RawFileFormat::None) => crate::model::FileFormat::None,
    };
    let ro = raw.output.as_ref();
    let output = OutputSpec {
        power_interval: match ro.and_then(|o| o.power_interval) {
            Some(s) if s.0 <= 0.0 => {
                return Err(FieldError::new("output.power_interval", "must be positive"));
            }
            Some(s) => Some(s.0),
            None => None,
        },
        power_max_rows: ro
            .and_then(|o| o.power_max_rows)
            .unwrap_or(crate::model::DEFAULT_POWER_MAX_ROWS),
        jobs: format(ro.and_then(|o| o.jobs)),
        power: format(ro.and_then(|o| o.power)),
    };
    let accounting_until = match raw.accounting.as_ref().and_then(|a| a.until) {
        Some(s) if s.0 <= 0.0 => {
            return Err(FieldError::new("accounting.until", "must be positive")
                .with_hint("the end of the accounting window, e.g. `until: 24h`"));
        }
        Some(s) => Some(s.0),
        None => None,
    };
    let name = raw.name.unwrap_or_else(|| default_name.to_string());
    limits::check_scenario_name(&name)?;
    let sc = Scenario {
        name,
        description: raw.description,
        seed: raw.seed.unwrap_or(1),
        horizon,
        classes,
        kinds,
        jobs,
        facility,
        policy,
        power_manager,
        output,
        accounting_until,
        time_origin,
        walltime: raw.workload.walltime.unwrap_or_default(),
        serving: false,
        validated: Validated::new(),
    };
    // The cap must leave room for every device idling (or asleep, if it can sleep).
    if let Some(cap) = &sc.facility.power_cap {
        let floor: f64 = sc
            .classes
            .iter()
            .map(|c| c.count as f64 * c.sleep.map_or(c.idle_w, |s| s.power_w.min(c.idle_w)))
            .sum();
        let idle: f64 = sc.classes.iter().map(|c| c.count as f64 * c.idle_w).sum();
        let (lo, _) = cap.range();
        if lo < idle {
            return Err(FieldError::new("datacenter.power_cap", format!(
                    "the cap ({lo} W of IT power at its lowest) is below the idle power of the datacenter ({idle} W)"
                )).with_hint(format!(
                    "raise the cap; with every device asleep the floor would be {floor} W, but idle devices cannot be forced to sleep"
                )));
        }
        // Every job must fit under the cap on some class at its lowest P-state.
        for (ki, k) in sc.kinds.iter().enumerate() {
            let fits = sc.classes.iter().any(|c| {
                c.speed[ki].is_some() && {
                    let ps = c.pstates.len() - 1;
                    match k.req.slots {
                        // A job on k slots of one otherwise idle device.
                        Some(n) if c.slots > 1 => {
                            let n = n.min(c.slots);
                            let w =
                                c.power_model
                                    .power(c.idle_w, c.slots, n, n as f64 * c.busy_w[ki]);
                            idle - c.idle_w + w <= lo
                        }
                        _ => {
                            idle - c.idle_w * k.req.devices as f64
                                + c.busy_power(ki, ps) * k.req.devices as f64
                                <= lo
                        }
                    }
                }
            });
            if !fits && (k.arrival != Arrival::None || sc.jobs.iter().any(|j| j.kind.index() == ki))
            {
                return Err(FieldError::new(
                    format!("workload.kinds.{}", k.name),
                    format!(
                        "no job of kind `{}` fits under the power cap ({lo} W) on any class",
                        k.name
                    ),
                ));
            }
        }
    }

    workload::check_runnable(&sc)?;
    limits::check_run_times(&sc, &raw.workload, listed_too_long)?;
    Ok(sc)
}
