//! `hetsim import`: a trace turned into a scenario-ready file.
//!
//! The output format follows the extension of the output path:
//! - `.yaml`, `.yml`, `.json`: a complete scenario that `hetsim run` accepts as is. Its
//!   header comment records the command, the trace's account (records, jobs, dropped,
//!   malformed) and the field mapping. The jobs are listed under `workload.jobs`; the
//!   datacenter is the trace's inventory when it has one (an Alibaba node list, Gavel's
//!   throughput matrix, an SWF log's MaxProcs) and otherwise a placeholder class that
//!   runs every kind at speed 1, marked as such, to be replaced by real devices.
//! - `.csv`: the plain job list of [`crate::trace::joblist`], which a scenario can replay with
//!   `workload.traces: [{format: csv, file: ...}]`.
//!
//! Arrival times are shifted so the first job arrives at 0.

use crate::catalog::Catalog;
use crate::model::Category;
use crate::trace::{Format, GpuShare, Options, Selection, Trace, TraceError, alibaba, gavel};
use indexmap::IndexMap;
use serde_json::{Map, Value, json};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What to import and how.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Trace format.
    pub format: Format,
    /// Trace file.
    pub file: PathBuf,
    /// Output file (`.yaml`, `.yml`, `.json` or `.csv`).
    pub out: PathBuf,
    /// Reader options.
    pub read: Options,
    /// Give every job this kind instead of the trace's categories.
    pub kind: Option<String>,
    /// Alibaba: node list to use as the device inventory.
    pub nodes: Option<PathBuf>,
    /// Gavel: throughput matrix to use for speeds.
    pub throughputs: Option<PathBuf>,
    /// Keep at most this many jobs.
    pub limit: Option<u64>,
    /// The command line, for the header.
    pub command: String,
}

/// What an import did.
#[derive(Clone, Debug)]
pub struct ImportReport {
    /// The trace's account line.
    pub account: String,
    /// Jobs written.
    pub jobs: usize,
    /// Kinds written.
    pub kinds: Vec<String>,
    /// The file written.
    pub out: PathBuf,
}

/// Reads the trace and writes the output file.
pub fn import(o: &ImportOptions) -> Result<ImportReport, TraceError> {
    let trace = crate::trace::read(o.format, &o.file, &o.read)?;
    let ext = o
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let out_err = |m: String| TraceError {
        file: o.out.clone(),
        line: None,
        message: m,
    };
    if !matches!(ext.as_str(), "yaml" | "yml" | "json" | "csv") {
        return Err(out_err(
            "the output must end in .yaml, .yml, .json (a scenario) or .csv (a job list)".into(),
        ));
    }
    if trace.jobs.is_empty() {
        return Err(TraceError {
            file: o.file.clone(),
            line: None,
            message: format!("no jobs to import ({})", trace.account()),
        });
    }
    let sel = trace.select(&Selection {
        limit: o.limit,
        ..Selection::default()
    });
    let kind_of = |cat: u32| -> String {
        o.kind
            .clone()
            .unwrap_or_else(|| trace.categories[cat as usize].clone())
    };
    let mut kinds: Vec<String> = Vec::new();
    for s in &sel {
        let k = kind_of(trace.jobs[s.index].category);
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    if ext == "csv" {
        let text = csv_text(&trace, &sel, &kind_of);
        write_checked_csv(&o.out, &text)?;
    } else {
        let (mut doc, notes) = scenario(o, &trace, &sel, &kinds, &kind_of)?;
        let render = |doc: &Value| {
            if ext == "json" {
                // JSON has no comments: the account goes into the description.
                serde_json::to_string_pretty(doc).expect("serializable") + "\n"
            } else {
                let mut s = header(o, &trace, sel.len(), &notes);
                yaml(doc, 0, &mut s);
                s
            }
        };
        // A long job list goes to a CSV job list beside the scenario, which the
        // scenario replays: YAML parsing has an event budget and every scenario a
        // size limit, so a big trace listed inline would not load.
        let mut text = if ext != "json" && sel.len() > MAX_INLINE_YAML_JOBS {
            String::new()
        } else {
            render(&doc)
        };
        let mut list = None;
        if text.is_empty() || text.len() as u64 > crate::scenario::MAX_FILE_BYTES {
            let name = format!("{}.jobs.csv", file_stem(&o.out));
            let path = o.out.with_file_name(&name);
            write_checked_csv(&path, &csv_text(&trace, &sel, &kind_of))?;
            if let Some(w) = doc.get_mut("workload").and_then(Value::as_object_mut) {
                w.remove("jobs");
                w.insert("traces".into(), json!([{"format": "csv", "file": name}]));
            }
            text = render(&doc);
            list = Some(path);
        }
        if let Err(e) = check_loads(&o.out, &text) {
            if let Some(p) = &list {
                let _ = std::fs::remove_file(p);
            }
            return Err(out_err(format!(
                "the imported scenario would not load, so it was not written: {e}"
            )));
        }
        crate::output::write_atomic(&o.out, text.as_bytes())
            .map_err(|e| out_err(format!("cannot write: {e}")))?;
    }
    Ok(ImportReport {
        account: trace.account(),
        jobs: sel.len(),
        kinds,
        out: o.out.clone(),
    })
}

/// Most jobs listed inline in an imported YAML scenario; more go to a job list.
pub const MAX_INLINE_YAML_JOBS: usize = 50_000;

/// The name of `p` without its extension.
fn file_stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "trace".into())
}

/// Checks that scenario `text`, to be written at `out`, loads as `hetsim run` would
/// load it (schema, name rules, run times, size budget).
fn check_loads(out: &Path, text: &str) -> Result<(), crate::scenario::InputError> {
    use crate::scenario::{self, Format as ScFormat, limits};
    let format = ScFormat::from_path(out).unwrap_or(ScFormat::Yaml);
    let sc = scenario::parse_str(text, format, out)?;
    limits::check_budget(&sc, &limits::Budget::default()).map_err(|e| e.located(out, text))
}

/// Writes a job list atomically after checking that it reads back as one.
fn write_checked_csv(path: &Path, text: &str) -> Result<(), TraceError> {
    crate::output::write_atomic(path, text.as_bytes()).map_err(|e| TraceError {
        file: path.into(),
        line: None,
        message: format!("cannot write: {e}"),
    })?;
    if let Err(e) = crate::trace::read(Format::Csv, path, &Options::default()) {
        let _ = std::fs::remove_file(path);
        return Err(TraceError {
            file: path.into(),
            line: e.line,
            message: format!(
                "the job list written does not read back, so it was removed: {}",
                e.message
            ),
        });
    }
    Ok(())
}

fn csv_text(
    trace: &Trace,
    sel: &[crate::trace::Selected],
    kind_of: &dyn Fn(u32) -> String,
) -> String {
    let mut has_succ = vec![false; sel.len()];
    for s in sel {
        if let Some(a) = s.after {
            has_succ[a as usize] = true;
        }
    }
    let mut out = crate::trace::joblist::COLUMNS.join(",");
    out.push('\n');
    for (i, s) in sel.iter().enumerate() {
        let j = &trace.jobs[s.index];
        let opt = |v: Option<f64>| v.map(num).unwrap_or_default();
        let kind = kind_of(j.category);
        let kind = if kind.contains([',', '"', '\n']) {
            format!("\"{}\"", kind.replace('"', "\"\""))
        } else {
            kind
        };
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            num(s.arrival),
            kind,
            num(j.work),
            j.devices.map(|d| d.to_string()).unwrap_or_default(),
            opt(j.memory),
            opt(j.deadline),
            j.priority.map(|p| p.to_string()).unwrap_or_default(),
            opt(j.estimate),
            opt(j.slack),
            if has_succ[i] {
                format!("j{i}")
            } else {
                String::new()
            },
            s.after.map(|a| format!("j{a}")).unwrap_or_default(),
        );
    }
    out
}

/// Builds the scenario document and the notes on the datacenter.
fn scenario(
    o: &ImportOptions,
    trace: &Trace,
    sel: &[crate::trace::Selected],
    kinds: &[String],
    kind_of: &dyn Fn(u32) -> String,
) -> Result<(Value, Vec<String>), TraceError> {
    let stem = o
        .file
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "trace".into());
    let stem = stem
        .trim_end_matches(".gz")
        .trim_end_matches(".swf")
        .trim_end_matches(".csv")
        .trim_end_matches(".trace")
        .to_string();
    let mut notes = Vec::new();
    let max_dev = sel
        .iter()
        .filter_map(|s| trace.jobs[s.index].devices)
        .max()
        .unwrap_or(1);
    let catalog = Catalog::builtin();
    let mut classes = Map::new();
    let mut kinds_doc = Map::new();
    for k in kinds {
        kinds_doc.insert(k.clone(), json!({}));
    }
    let power = |name: &str| -> Option<(f64, f64)> {
        catalog
            .device(name)
            .map(|d| (d.idle_power.value.0, d.busy_power.value.0))
    };
    let speed_all =
        |v: f64| -> Value { Value::Object(kinds.iter().map(|k| (k.clone(), jnum(v))).collect()) };
    let placeholder = |classes: &mut Map<String, Value>,
                       notes: &mut Vec<String>,
                       name: &str,
                       cat: &str,
                       count: u64| {
        notes.push(format!(
            "datacenter: `{name}` is a PLACEHOLDER ({count} devices, speed 1 for every kind, 0 W): \
             replace it with your devices (catalog/devices.yaml has sourced figures)"
        ));
        classes.insert(
            name.into(),
            json!({"category": cat, "count": count, "speed": speed_all(1.0),
                   "idle_power": "0W", "busy_power": "0W"}),
        );
    };
    match o.format {
        Format::Swf => match trace.max_procs {
            Some(m) => {
                notes.push(format!(
                    "datacenter: {m} processors from the header's MaxProcs; speed 1 replays the trace's run times; \
                     power 0 W is a PLACEHOLDER (the log has no power data)"
                ));
                classes.insert(
                    "proc".into(),
                    json!({"category": "cpu", "count": m, "speed": speed_all(1.0),
                           "idle_power": "0W", "busy_power": "0W"}),
                );
            }
            None => placeholder(&mut classes, &mut notes, "proc", "cpu", max_dev as u64),
        },
        Format::Alibaba => match &o.nodes {
            Some(nodes) => {
                let inv = alibaba::read_nodes(nodes, o.read.skip_bad)?;
                notes.push(format!(
                    "datacenter: the node list {} ({} classes); speed 1 = the traced GPU's own speed; \
                     a gpu-<models> kind runs only on those models",
                    nodes.display(),
                    inv.len()
                ));
                for c in &inv {
                    let mut speed = Map::new();
                    for k in kinds {
                        let ok = if c.category == Category::Cpu {
                            k == "cpu"
                        } else if k == "gpu" {
                            true
                        } else if let Some(models) = k.strip_prefix("gpu-") {
                            // The class slug must be one of the allowed models; models
                            // are joined with '-' and may contain '-' themselves only
                            // via slugging, which the Alibaba names do not.
                            models.split('-').any(|m| m == c.name)
                        } else {
                            false
                        };
                        if ok {
                            speed.insert(k.clone(), json!(1));
                        }
                    }
                    let cat_name = if c.name.starts_with("v100") {
                        "v100"
                    } else {
                        c.name.as_str()
                    };
                    let (idle, busy) = match power(cat_name) {
                        Some(p) => {
                            notes.push(format!("  {}: power from catalog `{cat_name}`", c.name));
                            p
                        }
                        None => {
                            notes.push(format!(
                                "  {}: power 0 W is a PLACEHOLDER (model `{}` not in the catalog)",
                                c.name, c.model
                            ));
                            (0.0, 0.0)
                        }
                    };
                    classes.insert(
                        c.name.clone(),
                        json!({"category": c.category.as_str(), "count": c.count, "speed": speed,
                               "idle_power": format!("{}W", num(idle)), "busy_power": format!("{}W", num(busy))}),
                    );
                }
            }
            None => placeholder(
                &mut classes,
                &mut notes,
                "gpu",
                "gpu",
                (max_dev as u64).max(8),
            ),
        },
        Format::AzureLlm => {
            // Splitwise profile: llama2-70b, DGX-A100, tensor parallel 2, batch 8.
            notes.push(
                "datacenter: 8 A100 (catalog `a100`) serving llama2-70b in pairs (devices: 2, tensor parallel 2); \
                 speeds from Splitwise's measured profile at batch 8: 2,566 prompt tokens/s, 130 generated tokens/s per pair"
                    .into(),
            );
            let mut speed = Map::new();
            for k in kinds {
                let v = match k.as_str() {
                    "decode" => 130.0,
                    _ => 2566.0,
                };
                speed.insert(k.clone(), jnum(v));
                kinds_doc.insert(k.clone(), json!({"devices": 2}));
            }
            let (idle, busy) = power("a100").unwrap_or((60.0, 400.0));
            classes.insert(
                "a100".into(),
                json!({"category": "gpu", "count": 8, "speed": speed,
                       "idle_power": format!("{}W", num(idle)), "busy_power": format!("{}W", num(busy)), "memory": "80GB"}),
            );
        }
        Format::Gavel => match &o.throughputs {
            Some(tp_path) => {
                let tp = gavel::read_throughputs(tp_path)?;
                notes.push(format!(
                    "datacenter: Gavel's heterogeneous cluster, 300 each of V100, P100, K80 (a size chosen here: the trace does not state one); \
                     speeds (steps/s of the whole job) from {}",
                    tp_path.display()
                ));
                let mut scaled = 0;
                let mut none = Vec::new();
                for (g, gpu) in tp.gpus.iter().enumerate() {
                    let mut speed = Map::new();
                    for (ci, cat) in trace.categories.iter().enumerate() {
                        let k = kind_of(ci as u32);
                        if !kinds.contains(&k) {
                            continue;
                        }
                        let scale = trace
                            .jobs
                            .iter()
                            .find(|j| j.category as usize == ci)
                            .and_then(|j| j.devices)
                            .unwrap_or(1);
                        match tp.speed(g, &trace.labels[ci], scale) {
                            gavel::Speed::Measured(v) => {
                                speed.insert(k, jnum(v));
                            }
                            gavel::Speed::Scaled(v) => {
                                scaled += 1;
                                speed.insert(k, jnum(v));
                            }
                            gavel::Speed::None => none.push(format!("{cat} on {gpu}")),
                        }
                    }
                    let (idle, busy) = power(gpu).unwrap_or((0.0, 0.0));
                    classes.insert(
                        gpu.clone(),
                        json!({"category": "gpu", "count": 300, "speed": speed,
                               "idle_power": format!("{}W", num(idle)), "busy_power": format!("{}W", num(busy))}),
                    );
                }
                notes.push(format!(
                    "{scaled} (kind, GPU type) speeds extrapolated linearly from a smaller measured scale (assumption)"
                ));
                if !none.is_empty() {
                    notes.push(format!(
                        "{} (kind, GPU type) pairs cannot run (throughput 0)",
                        none.len()
                    ));
                }
                // A kind no class can run would fail validation: say so now.
                for k in kinds {
                    let runs = classes
                        .values()
                        .any(|c| c["speed"].as_object().is_some_and(|s| s.contains_key(k)));
                    if !runs {
                        return Err(TraceError {
                            file: tp_path.clone(),
                            line: None,
                            message: format!("no throughput for kind `{k}` on any GPU type"),
                        });
                    }
                }
            }
            None => placeholder(
                &mut classes,
                &mut notes,
                "gpu",
                "gpu",
                (max_dev as u64).max(16),
            ),
        },
        Format::Csv => placeholder(&mut classes, &mut notes, "device", "other", max_dev as u64),
    }
    let mut jobs = Vec::with_capacity(sel.len());
    let mut ids = vec![false; sel.len()];
    for s in sel {
        if let Some(a) = s.after {
            ids[a as usize] = true;
        }
    }
    for (i, s) in sel.iter().enumerate() {
        let j = &trace.jobs[s.index];
        let mut m = Map::new();
        m.insert("kind".into(), json!(kind_of(j.category)));
        if s.after.is_none() {
            m.insert("arrival".into(), jnum(s.arrival));
        }
        m.insert("work".into(), jnum(j.work));
        if let Some(d) = j.devices {
            m.insert("devices".into(), json!(d));
        }
        if let Some(v) = j.memory {
            m.insert("memory".into(), jnum(v));
        }
        if let Some(v) = j.deadline {
            m.insert("deadline".into(), jnum(v));
        }
        if let Some(v) = j.priority {
            m.insert("priority".into(), json!(v));
        }
        if let Some(v) = j.estimate {
            m.insert("estimate".into(), jnum(v));
        }
        if let Some(v) = j.slack {
            m.insert("slack".into(), jnum(v));
        }
        if ids[i] {
            m.insert("id".into(), json!(format!("j{i}")));
        }
        if let Some(a) = s.after {
            m.insert("after".into(), json!(format!("j{a}")));
        }
        jobs.push(Value::Object(m));
    }
    let mut doc = IndexMap::new();
    doc.insert("name", json!(crate::trace::slug(&stem)));
    doc.insert(
        "description",
        json!(
            format!(
                "Imported from {} ({} format): {}. {}",
                o.file.display(),
                o.format,
                trace.account(),
                if o.read.gpu_share == GpuShare::Whole && o.format == Format::Alibaba {
                    "GPU shares not scaled."
                } else {
                    ""
                }
            )
            .trim()
            .to_string()
        ),
    );
    doc.insert("seed", json!(1));
    doc.insert("datacenter", json!({"classes": classes}));
    doc.insert("workload", json!({"kinds": kinds_doc, "jobs": jobs}));
    doc.insert("policy", json!({"name": "fcfs"}));
    let doc: Map<String, Value> = doc.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    Ok((Value::Object(doc), notes))
}

fn header(o: &ImportOptions, trace: &Trace, jobs: usize, notes: &[String]) -> String {
    let mut h = String::new();
    let _ = writeln!(h, "# Imported by: {}", o.command);
    let _ = writeln!(h, "# Trace: {} ({} format)", o.file.display(), o.format);
    let _ = writeln!(h, "# {}; {jobs} jobs written", trace.account());
    for n in &trace.notes {
        let _ = writeln!(h, "#   {n}");
    }
    let _ = writeln!(h, "# Field mapping:");
    for m in o.format.mapping() {
        let _ = writeln!(h, "#   {m}");
    }
    if let Some(k) = &o.kind {
        let _ = writeln!(h, "#   every job gets kind `{k}` (--kind)");
    }
    for n in notes {
        let _ = writeln!(h, "# {n}");
    }
    h
}

/// A number written compactly: integers without a fraction, others rounded to the
/// nanosecond (nine decimals, the engine's time resolution) without trailing zeros.
fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.abs() < 1e9 {
        let s = format!("{v:.9}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v}")
    }
}

fn jnum(v: f64) -> Value {
    let s = num(v);
    match s.parse::<i64>() {
        Ok(i) => json!(i),
        Err(_) => json!(s.parse::<f64>().unwrap_or(v)),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => {
            let plain = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && !matches!(
                    s.as_str(),
                    "true" | "false" | "null" | "yes" | "no" | "on" | "off"
                );
            if plain {
                s.clone()
            } else {
                serde_json::to_string(s).expect("string")
            }
        }
        other => other.to_string(),
    }
}

fn key(k: &str) -> String {
    scalar(&Value::String(k.to_string()))
}

fn flow(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", key(k), flow(v)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(flow).collect::<Vec<_>>().join(", ")),
        other => scalar(other),
    }
}

fn is_flat(v: &Value) -> bool {
    match v {
        Value::Object(m) => m
            .values()
            .all(|x| !x.is_object() && !x.is_array() || is_small(x)),
        Value::Array(a) => a.iter().all(|x| !x.is_object() && !x.is_array()),
        _ => true,
    }
}

fn is_small(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.len() <= 12 && m.values().all(|x| !x.is_object() && !x.is_array()),
        _ => false,
    }
}

/// Writes a JSON value as block YAML: mappings as blocks, flat mappings and list items
/// in flow style.
fn yaml(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::Object(inner) if inner.is_empty() => {
                        let _ = writeln!(out, "{pad}{}: {{}}", key(k));
                    }
                    Value::Object(_) if is_flat(x) && indent >= 4 => {
                        let _ = writeln!(out, "{pad}{}: {}", key(k), flow(x));
                    }
                    Value::Object(_) => {
                        let _ = writeln!(out, "{pad}{}:", key(k));
                        yaml(x, indent + 2, out);
                    }
                    Value::Array(a) if a.iter().any(|e| e.is_object()) => {
                        let _ = writeln!(out, "{pad}{}:", key(k));
                        for e in a {
                            let _ = writeln!(out, "{pad}  - {}", flow(e));
                        }
                    }
                    other => {
                        let _ = writeln!(out, "{pad}{}: {}", key(k), flow(other));
                    }
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", flow(other));
        }
    }
}

/// Default output path for an import: the trace's name with `.yaml`, in the current
/// folder.
pub fn default_out(file: &Path) -> PathBuf {
    let name = file
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "trace".into());
    let stem = name
        .trim_end_matches(".gz")
        .rsplit_once('.')
        .map_or(name.as_str(), |(a, _)| a)
        .to_string();
    PathBuf::from(format!("{stem}.yaml"))
}
