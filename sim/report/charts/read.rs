//! Reads a run folder (summary.json, devices.csv, power.csv, jobs.csv and the
//! scenario copy) into the reduced series the charts and the HTML report draw.
//!
//! Each CSV is streamed once and columns are found by name, so columns added later
//! are tolerated. Memory stays bounded however many jobs the run had: jobs feed the
//! series builders of [`super::series`] and are not kept, except for the Gantt chart
//! of small runs.

use super::series::{
    BusyBuilder, Cdf, CdfBuilder, Deadlines, GanttJob, Grid, SeriesBuilder, TimeSeries,
};
use crate::model::Scenario;
use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Limits and resolution used when reading a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReadOptions {
    /// Drawing columns of time-series charts (about the plot width in pixels).
    pub cols: usize,
    /// The Gantt chart is drawn only for runs with at most this many devices...
    pub gantt_max_devices: usize,
    /// ...and at most this many jobs.
    pub gantt_max_jobs: usize,
    /// Response times kept exactly per kind before switching to a histogram.
    pub exact_cdf: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            cols: 1000,
            gantt_max_devices: 64,
            gantt_max_jobs: 2000,
            exact_cdf: 4096,
        }
    }
}

/// A device class of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassInfo {
    /// Class name.
    pub name: String,
    /// Number of devices.
    pub devices: u32,
}

/// The response times and deadlines of one job kind.
#[derive(Clone, Debug, PartialEq)]
pub struct KindData {
    /// Kind name.
    pub name: String,
    /// Empirical CDF of response times.
    pub cdf: Cdf,
    /// Relative deadlines and how many were met.
    pub deadlines: Deadlines,
}

/// Everything the charts and report of one run are drawn from.
#[derive(Clone, Debug)]
pub struct RunData {
    /// The run folder.
    pub dir: PathBuf,
    /// summary.json as read (stable keys of DESIGN.md section 6 and any others).
    pub summary: Map<String, Value>,
    /// Device classes, in file order.
    pub classes: Vec<ClassInfo>,
    /// Class index of each device id.
    pub device_class: Vec<usize>,
    /// Job kinds, in scenario order, then any others in order of appearance.
    pub kinds: Vec<KindData>,
    /// power.csv: every column except `time_s` and `duration_s`, by name.
    pub power: TimeSeries,
    /// Fraction of each class's devices busy over time (tracks in class order).
    pub busy: TimeSeries,
    /// Jobs for the Gantt chart, or why it is not drawn.
    pub gantt: Result<Vec<GanttJob>, String>,
    /// The scenario (the run's own when given, else parsed from the copy).
    pub scenario: Option<Scenario>,
    /// File name of the scenario copy in the run folder.
    pub scenario_file: Option<String>,
    /// Things a reader should know (data inconsistencies, parse failures).
    pub notes: Vec<String>,
}

impl RunData {
    /// A numeric summary value.
    pub fn num(&self, key: &str) -> Option<f64> {
        self.summary.get(key).and_then(Value::as_f64)
    }

    /// A summary value as text (empty when absent or null).
    pub fn text(&self, key: &str) -> String {
        match self.summary.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        }
    }

    /// Total number of devices.
    pub fn device_count(&self) -> u64 {
        self.classes.iter().map(|c| c.devices as u64).sum()
    }

    /// Index of power.csv's column `name`.
    pub fn power_col(&self, name: &str) -> Option<usize> {
        self.power.names.iter().position(|n| n == name)
    }
}

/// Reads a run folder. `scenario` is the run's scenario when the caller has it (a
/// fresh run, whose `--set` overrides the copy does not show); otherwise the copy in
/// the folder is parsed.
pub fn read_run(dir: &Path, scenario: Option<&Scenario>, opts: &ReadOptions) -> Result<RunData> {
    let summary_path = dir.join("summary.json");
    let text = std::fs::read_to_string(&summary_path).with_context(|| {
        format!(
            "cannot read {} (is {} a hetsim run folder?)",
            summary_path.display(),
            dir.display()
        )
    })?;
    let summary: Map<String, Value> = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a JSON object", summary_path.display()))?;
    let mut notes = Vec::new();

    let mut classes: Vec<ClassInfo> = match summary.get("per_class") {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(name, v)| ClassInfo {
                name: name.clone(),
                devices: v.get("devices").and_then(Value::as_u64).unwrap_or(0) as u32,
            })
            .collect(),
        _ => Vec::new(),
    };
    let (device_class, busy_from_devices) = read_devices(dir, &mut classes)?;

    let (scenario, scenario_file) = load_scenario(dir, scenario, &mut notes);
    let horizon = summary
        .get("horizon_s")
        .and_then(Value::as_f64)
        .context("summary.json has no horizon_s")?;
    let grid = Grid::new(horizon, opts.cols);

    let power = read_power(dir, grid, Signals::from_summary(&summary))?;

    let mut kind_names: Vec<String> = scenario
        .as_ref()
        .map(|s| s.kinds.iter().map(|k| k.name.clone()).collect())
        .unwrap_or_default();
    let jobs_total = summary
        .get("jobs_completed")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let devices_total = device_class.len();
    let mut gantt = if devices_total > opts.gantt_max_devices {
        Err(format!(
            "The Gantt chart is drawn for runs of at most {} devices and {} jobs; this run has {} devices.",
            opts.gantt_max_devices, opts.gantt_max_jobs, devices_total
        ))
    } else if jobs_total as usize > opts.gantt_max_jobs {
        Err(format!(
            "The Gantt chart is drawn for runs of at most {} devices and {} jobs; this run has {} jobs.",
            opts.gantt_max_devices, opts.gantt_max_jobs, jobs_total
        ))
    } else if jobs_total == 0 {
        Err("The run has no jobs, so there is no Gantt chart.".to_string())
    } else {
        Ok(Vec::new())
    };
    let jobs = read_jobs(
        dir,
        &classes,
        &device_class,
        &mut kind_names,
        grid,
        opts,
        &mut gantt,
    )?;
    // Busy time from jobs must match devices.csv; say so if it does not (for example
    // if a later engine version lets devices be busy without a job record).
    for (i, c) in classes.iter().enumerate() {
        let from_jobs = jobs.busy_s[i];
        let from_dev = busy_from_devices.get(i).copied().unwrap_or(0.0);
        if (from_jobs - from_dev).abs() > 1e-6 * (1.0 + from_dev.abs()) {
            notes.push(format!(
                "Busy time of class {} from jobs.csv ({:.6} device-s) differs from devices.csv ({:.6} device-s); the utilisation chart follows jobs.csv.",
                c.name, from_jobs, from_dev
            ));
        }
    }
    let kinds = kind_names
        .into_iter()
        .zip(jobs.cdfs)
        .zip(jobs.deadlines)
        .map(|((name, cdf), deadlines)| KindData {
            name,
            cdf: cdf.finish(),
            deadlines,
        })
        .collect();
    Ok(RunData {
        dir: dir.to_path_buf(),
        summary,
        classes,
        device_class,
        kinds,
        power,
        busy: jobs.busy,
        gantt,
        scenario,
        scenario_file,
        notes,
    })
}

fn col(headers: &csv::ByteRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| h == name.as_bytes())
}

fn need(headers: &csv::ByteRecord, name: &str, file: &str) -> Result<usize> {
    col(headers, name).with_context(|| format!("{file} has no column `{name}`"))
}

fn parse_f64(b: &[u8]) -> f64 {
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Reads devices.csv: the class of each device id and busy seconds per class. Classes
/// missing from the summary are appended.
fn read_devices(dir: &Path, classes: &mut Vec<ClassInfo>) -> Result<(Vec<usize>, Vec<f64>)> {
    let path = dir.join("devices.csv");
    let mut r =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let h = r.byte_headers()?.clone();
    let (ci, cc) = (
        need(&h, "device", "devices.csv")?,
        need(&h, "class", "devices.csv")?,
    );
    let cb = col(&h, "busy_s");
    let mut device_class = Vec::new();
    let mut busy = vec![0.0; classes.len()];
    let mut counts = vec![0u32; classes.len()];
    let mut rec = csv::ByteRecord::new();
    while r.read_byte_record(&mut rec)? {
        let id: usize = std::str::from_utf8(&rec[ci])
            .ok()
            .and_then(|s| s.parse().ok())
            .context("devices.csv: bad device id")?;
        let name = String::from_utf8_lossy(&rec[cc]);
        let class = match classes.iter().position(|c| c.name == name) {
            Some(i) => i,
            None => {
                classes.push(ClassInfo {
                    name: name.into_owned(),
                    devices: 0,
                });
                busy.push(0.0);
                counts.push(0);
                classes.len() - 1
            }
        };
        if device_class.len() <= id {
            device_class.resize(id + 1, usize::MAX);
        }
        device_class[id] = class;
        counts[class] += 1;
        if let Some(cb) = cb {
            let b = parse_f64(&rec[cb]);
            if b.is_finite() {
                busy[class] += b;
            }
        }
    }
    if device_class.contains(&usize::MAX) {
        bail!("devices.csv does not list every device id");
    }
    for (c, n) in classes.iter_mut().zip(counts) {
        if c.devices == 0 {
            c.devices = n;
        }
    }
    Ok((device_class, busy))
}

/// Finds and parses the scenario copy (`scenario.yaml|yml|json`).
fn load_scenario(
    dir: &Path,
    given: Option<&Scenario>,
    notes: &mut Vec<String>,
) -> (Option<Scenario>, Option<String>) {
    let file = ["scenario.yaml", "scenario.yml", "scenario.json"]
        .into_iter()
        .find(|f| dir.join(f).is_file())
        .map(String::from);
    if let Some(sc) = given {
        return (Some(sc.clone()), file);
    }
    let Some(f) = &file else {
        notes.push("The run folder has no scenario copy.".into());
        return (None, None);
    };
    let path = dir.join(f);
    let parsed = std::fs::read_to_string(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| {
            let format =
                crate::scenario::Format::from_path(&path).ok_or("unknown extension".to_string())?;
            crate::scenario::parse_str(&text, format, &path).map_err(|e| e.to_string())
        });
    match parsed {
        Ok(sc) => (Some(sc), file),
        Err(e) => {
            notes.push(format!(
                "The scenario copy {f} could not be read ({e}); the device table comes from the summary."
            ));
            (None, file)
        }
    }
}

/// Name of the derived power.csv track holding the carbon rate, g/s.
pub const CARBON_RATE: &str = "derived.carbon_g_per_s";
/// Name of the derived power.csv track holding the electricity cost rate, per s.
pub const COST_RATE: &str = "derived.cost_per_s";

/// How carbon and cost accrue: from a time-series column of power.csv when the run
/// has one, else at the run's constant rate per joule of facility energy.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Signals {
    carbon_per_j: f64,
    cost_per_j: f64,
}

impl Signals {
    fn from_summary(s: &Map<String, Value>) -> Signals {
        let get = |k: &str| s.get(k).and_then(Value::as_f64).unwrap_or(0.0);
        let fac = get("energy_facility_j");
        if fac > 0.0 {
            Signals {
                carbon_per_j: get("carbon_g") / fac,
                cost_per_j: get("cost") / fac,
            }
        } else {
            Signals::default()
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
/// row so their integrals are exact however the series is downsampled.
fn read_power(dir: &Path, grid: Grid, sig: Signals) -> Result<TimeSeries> {
    let path = dir.join("power.csv");
    let mut r =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let h = r.byte_headers()?.clone();
    let ti = need(&h, "time_s", "power.csv")?;
    let di = need(&h, "duration_s", "power.csv")?;
    let value_cols: Vec<usize> = (0..h.len()).filter(|&i| i != ti && i != di).collect();
    let mut names: Vec<String> = value_cols
        .iter()
        .map(|&i| String::from_utf8_lossy(&h[i]).into_owned())
        .collect();
    let fac = names.iter().position(|n| n == "facility_w");
    let carbon_col = signal_col(&names, "carbon");
    let price_col = signal_col(&names, "price");
    // A rate per W of facility power: the signal column over 3.6e6 J/kWh, or the
    // run's constant rate.
    let carbon = fac.filter(|_| carbon_col.is_some() || sig.carbon_per_j > 0.0);
    let cost = fac.filter(|_| price_col.is_some() || sig.cost_per_j > 0.0);
    let n = names.len();
    if carbon.is_some() {
        names.push(CARBON_RATE.into());
    }
    if cost.is_some() {
        names.push(COST_RATE.into());
    }
    let mut b = SeriesBuilder::new(names.clone(), grid);
    let mut rec = csv::ByteRecord::new();
    let mut vals = vec![0.0; names.len()];
    while r.read_byte_record(&mut rec)? {
        for (v, &i) in vals.iter_mut().zip(&value_cols) {
            *v = parse_f64(&rec[i]);
        }
        let mut k = n;
        if let Some(f) = carbon {
            vals[k] = vals[f] * carbon_col.map_or(sig.carbon_per_j, |c| vals[c] / 3.6e6);
            k += 1;
        }
        if let Some(f) = cost {
            vals[k] = vals[f] * price_col.map_or(sig.cost_per_j, |c| vals[c] / 3.6e6);
        }
        b.push(parse_f64(&rec[ti]), parse_f64(&rec[di]), &vals);
    }
    Ok(b.finish())
}

struct JobsRead {
    cdfs: Vec<CdfBuilder>,
    deadlines: Vec<Deadlines>,
    busy: TimeSeries,
    busy_s: Vec<f64>,
}

/// Streams jobs.csv: response CDFs and deadlines per kind, busy devices per class, and
/// the Gantt jobs of a small run.
fn read_jobs(
    dir: &Path,
    classes: &[ClassInfo],
    device_class: &[usize],
    kind_names: &mut Vec<String>,
    grid: Grid,
    opts: &ReadOptions,
    gantt: &mut Result<Vec<GanttJob>, String>,
) -> Result<JobsRead> {
    let path = dir.join("jobs.csv");
    let mut r = csv::ReaderBuilder::new()
        .buffer_capacity(1 << 20)
        .from_path(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let h = r.byte_headers()?.clone();
    let f = "jobs.csv";
    let (ck, cs, ce, cr, cd) = (
        need(&h, "kind", f)?,
        need(&h, "start_s", f)?,
        need(&h, "end_s", f)?,
        need(&h, "response_s", f)?,
        need(&h, "devices", f)?,
    );
    let (cid, ca, cdl, cdm) = (
        col(&h, "id"),
        col(&h, "arrival_s"),
        col(&h, "deadline_s"),
        col(&h, "deadline_met"),
    );
    let mut kinds: Vec<Vec<u8>> = kind_names.iter().map(|k| k.as_bytes().to_vec()).collect();
    let mut cdfs: Vec<CdfBuilder> = kinds
        .iter()
        .map(|_| CdfBuilder::new(opts.exact_cdf))
        .collect();
    let mut deadlines: Vec<Deadlines> = kinds.iter().map(|_| Deadlines::default()).collect();
    let mut busy = BusyBuilder::new(
        classes.iter().map(|c| c.name.clone()).collect(),
        classes.iter().map(|c| c.devices).collect(),
        grid,
        opts.gantt_max_jobs,
    );
    let mut per_class = vec![0u32; classes.len()];
    let mut devs: Vec<u32> = Vec::new();
    let mut last_kind = 0usize;
    let mut rec = csv::ByteRecord::new();
    let mut row = 0u64;
    while r.read_byte_record(&mut rec)? {
        row += 1;
        let kb = &rec[ck];
        let k = if kinds.get(last_kind).is_some_and(|x| x.as_slice() == kb) {
            last_kind
        } else {
            match kinds.iter().position(|x| x.as_slice() == kb) {
                Some(i) => i,
                None => {
                    kinds.push(kb.to_vec());
                    kind_names.push(String::from_utf8_lossy(kb).into_owned());
                    cdfs.push(CdfBuilder::new(opts.exact_cdf));
                    deadlines.push(Deadlines::default());
                    kinds.len() - 1
                }
            }
        };
        last_kind = k;
        cdfs[k].push(parse_f64(&rec[cr]));
        if let Some(cdl) = cdl {
            let dl = &rec[cdl];
            if !dl.is_empty() {
                let arrival = ca.map(|i| parse_f64(&rec[i])).unwrap_or(f64::NAN);
                let met = cdm.is_some_and(|i| &rec[i] == b"true");
                deadlines[k].add(parse_f64(dl) - arrival, met);
            }
        }
        let (start, end) = (parse_f64(&rec[cs]), parse_f64(&rec[ce]));
        devs.clear();
        for part in rec[cd].split(|&b| b == b';') {
            let mut v: u32 = 0;
            let mut ok = !part.is_empty();
            for &b in part {
                if b.is_ascii_digit() {
                    v = v.wrapping_mul(10).wrapping_add((b - b'0') as u32);
                } else {
                    ok = false;
                }
            }
            if !ok {
                bail!("jobs.csv row {row}: bad device list");
            }
            devs.push(v);
        }
        for &d in &devs {
            let c = *device_class
                .get(d as usize)
                .with_context(|| format!("jobs.csv row {row}: unknown device {d}"))?;
            per_class[c] += 1;
        }
        for (c, n) in per_class.iter_mut().enumerate() {
            if *n > 0 {
                busy.add(c, *n, start, end);
                *n = 0;
            }
        }
        if let Ok(g) = gantt {
            if g.len() < opts.gantt_max_jobs {
                g.push(GanttJob {
                    id: cid
                        .and_then(|i| std::str::from_utf8(&rec[i]).ok()?.parse().ok())
                        .unwrap_or(row - 1),
                    kind: k,
                    start_s: start,
                    end_s: end,
                    devices: devs.clone(),
                });
            } else {
                *gantt = Err(format!(
                    "The Gantt chart is drawn for runs of at most {} jobs; this run has more.",
                    opts.gantt_max_jobs
                ));
            }
        }
    }
    let busy_s = busy.busy_device_seconds().to_vec();
    Ok(JobsRead {
        cdfs,
        deadlines,
        busy: busy.finish(),
        busy_s,
    })
}
