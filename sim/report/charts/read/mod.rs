//! Reads a run folder (summary.json, devices.csv, power.csv, jobs.csv and the
//! scenario copy) into the reduced series the charts and the HTML report draw.
//!
//! Each CSV is streamed once and columns are found by name, so columns added later
//! are tolerated. Memory stays bounded however many jobs the run had: jobs feed the
//! series builders of [`super::series`] and are not kept, except for the Gantt chart
//! of small runs.

mod csv_file;
mod jobs;
mod power;

use super::series::{Cdf, Deadlines, GanttJob, Grid, TimeSeries, Track};
use crate::model::Scenario;
use crate::report::error::{Context, ReportError, Result};
use crate::schema::{DEVICES_CSV, SUMMARY_JSON, devices, power as power_cols, summary as keys};
use csv_file::{col, need, parse_f64};
use jobs::read_jobs;
use power::{Signals, read_power};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

pub use crate::schema::derived::{CARBON_RATE, COST_RATE};

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
    /// Runs at least this long (s) also get IT power hour by hour (the day x hour
    /// view), read exactly from power.csv.
    pub hourly_min_s: f64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            cols: 1000,
            gantt_max_devices: 64,
            gantt_max_jobs: 2000,
            exact_cdf: 4096,
            hourly_min_s: 3.0 * 86400.0,
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
    /// Slots per device (1 unless the run's scenario gives the class slots).
    pub slots: u32,
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
    /// summary.json as read (the keys of `crate::schema::summary` and any others).
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
    /// True when `busy` comes from power.csv's `<class>_busy_devices` columns, false
    /// when it was rebuilt from jobs.csv.
    pub busy_from_power: bool,
    /// Mean IT power per hour since t = 0 (`None`: no power.csv row covers the hour);
    /// empty for runs shorter than [`ReadOptions::hourly_min_s`] or without power.csv.
    pub hourly_it_w: Vec<Option<f64>>,
    /// Jobs for the Gantt chart, or why it is not drawn.
    pub gantt: Result<Vec<GanttJob>, String>,
    /// The scenario (the run's own when given, else parsed from the copy).
    pub scenario: Option<Scenario>,
    /// File name of the scenario copy in the run folder.
    pub scenario_file: Option<String>,
    /// Things a reader should know (data inconsistencies, parse failures).
    pub notes: Vec<String>,
    /// A run with serving instances beside its jobs: the serving part's charts' data.
    pub serving: Option<super::serving::ServingData>,
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
    let summary_path = dir.join(SUMMARY_JSON);
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

    let mut classes: Vec<ClassInfo> = match summary.get(keys::PER_CLASS) {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(name, v)| ClassInfo {
                name: name.clone(),
                devices: v.get(keys::DEVICES).and_then(Value::as_u64).unwrap_or(0) as u32,
                slots: 1,
            })
            .collect(),
        _ => Vec::new(),
    };
    let (device_class, busy_from_devices) = read_devices(dir, &mut classes)?;

    let (scenario, scenario_file) = load_scenario(dir, scenario, &mut notes);
    let horizon = summary
        .get(keys::HORIZON_S)
        .and_then(Value::as_f64)
        .context("summary.json has no horizon_s")?;
    let grid = Grid::new(horizon, opts.cols);

    // Runs of several days also get IT power hour by hour (the day x hour view).
    let hourly_end = (horizon >= opts.hourly_min_s).then_some(horizon);
    let mut hourly_it_w = Vec::new();
    let power = if csv_file::existing(&dir.join(crate::schema::POWER_CSV)).is_some() {
        let (p, h) = read_power(dir, grid, Signals::from_summary(&summary), hourly_end)?;
        hourly_it_w = h;
        p
    } else {
        notes.push(
            "power.csv was not written (output.power: none), so there are no power, energy, carbon, cost or queue charts."
                .into(),
        );
        TimeSeries {
            end_s: horizon,
            ..TimeSeries::default()
        }
    };
    let busy_columns = class_busy_columns(&power, &classes);

    let mut kind_names: Vec<String> = scenario
        .as_ref()
        .map(|s| s.kinds.iter().map(|k| k.name.clone()).collect())
        .unwrap_or_default();
    let jobs_total = summary
        .get(keys::JOBS_COMPLETED)
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
    // Slots per class (from the run's scenario), so a job on k of a device's S slots
    // counts as k/S of a busy device, as the summary's utilisation does.
    if let Some(sc) = &scenario {
        for c in &mut classes {
            if let Some(k) = sc.classes.iter().find(|k| k.name == c.name) {
                c.slots = k.slots;
            }
        }
    }
    let has_jobs = csv_file::existing(&dir.join(crate::schema::JOBS_CSV)).is_some();
    let jobs = if has_jobs {
        read_jobs(
            dir,
            &classes,
            &device_class,
            &mut kind_names,
            grid,
            opts,
            &mut gantt,
        )?
    } else {
        notes.push(
            "jobs.csv was not written (output.jobs: none), so there are no response-time or Gantt charts."
                .into(),
        );
        gantt = Err("jobs.csv was not written, so there is no Gantt chart.".into());
        kind_names.clear();
        jobs::JobsRead {
            cdfs: Vec::new(),
            deadlines: Vec::new(),
            busy: TimeSeries {
                end_s: horizon,
                ..TimeSeries::default()
            },
            busy_s: busy_from_devices.clone(),
        }
    };
    // A run with serving beside its jobs: the serving part's files.
    let serving_end = summary
        .get("serving")
        .and_then(Value::as_object)
        .and_then(|g| g.values().next())
        .and_then(|v| v.get("makespan_s"))
        .and_then(Value::as_f64);
    let serving = match serving_end {
        Some(end) => super::serving::ServingData::read(dir, end)?,
        None => None,
    };
    // power.csv's per-class busy counts, when present, are exact for every kind of
    // job (split jobs included); jobs.csv then only feeds the CDFs and the Gantt.
    let busy_from_power = busy_columns.is_some();
    // Busy time from jobs must match devices.csv; say so if it does not (for example
    // if a later engine version lets devices be busy without a job record). Not
    // checked when power.csv gives the busy counts, nor beside serving devices (busy
    // without a job record by design).
    if !busy_from_power && serving.is_none() {
        for (i, c) in classes.iter().enumerate() {
            let from_jobs = jobs.busy_s[i];
            // devices.csv's busy_s is time with any slot busy; on a class with slots the
            // summary's utilisation (busy slot-seconds / slots) is the comparable figure.
            let slot_util = (c.slots > 1)
                .then(|| {
                    let u = summary
                        .get(keys::PER_CLASS)?
                        .get(&c.name)?
                        .get(keys::UTILIZATION)?
                        .as_f64()?;
                    // Utilization is over the jobs' span (`horizon_s`), not the window.
                    let span = summary.get("horizon_s")?.as_f64()?;
                    Some(u * c.devices as f64 * span)
                })
                .flatten();
            let from_dev =
                slot_util.unwrap_or_else(|| busy_from_devices.get(i).copied().unwrap_or(0.0));
            if (from_jobs - from_dev).abs() > 1e-6 * (1.0 + from_dev.abs()) {
                notes.push(format!(
                    "Busy time of class {} from jobs.csv ({:.6} device-s) differs from devices.csv ({:.6} device-s); the utilisation chart follows jobs.csv.",
                    c.name, from_jobs, from_dev
                ));
            }
        }
    }
    let busy = busy_columns.unwrap_or(jobs.busy);
    if serving.is_some() {
        notes.push(
            "Serving devices are busy while they run iterations, without a job in jobs.csv: the utilisation chart shows the jobs; the summary's utilisation counts both."
                .into(),
        );
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
        busy,
        busy_from_power,
        hourly_it_w,
        gantt,
        scenario,
        scenario_file,
        notes,
        serving,
    })
}

/// Busy fraction per class from power.csv's `<class>_busy_devices` columns, when it
/// has one for every class.
fn class_busy_columns(power: &TimeSeries, classes: &[ClassInfo]) -> Option<TimeSeries> {
    let mut tracks = Vec::with_capacity(classes.len());
    for c in classes {
        let t = power.track(&power_cols::class_busy_devices(&c.name))?;
        let n = (c.devices as f64).max(1.0);
        let scale = |v: &[f64]| v.iter().map(|x| x / n).collect::<Vec<f64>>();
        tracks.push(Track {
            mean: scale(&t.mean),
            min: scale(&t.min),
            max: scale(&t.max),
        });
    }
    Some(TimeSeries {
        segs: power.segs.clone(),
        names: classes.iter().map(|c| c.name.clone()).collect(),
        tracks,
        end_s: power.end_s,
    })
}

/// Reads devices.csv: the class of each device id and busy seconds per class. Classes
/// missing from the summary are appended.
fn read_devices(dir: &Path, classes: &mut Vec<ClassInfo>) -> Result<(Vec<usize>, Vec<f64>)> {
    let path = dir.join(DEVICES_CSV);
    let mut r =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let h = r.byte_headers()?.clone();
    let (ci, cc) = (
        need(&h, devices::DEVICE, DEVICES_CSV)?,
        need(&h, devices::CLASS, DEVICES_CSV)?,
    );
    let cb = col(&h, devices::BUSY_S);
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
                    slots: 1,
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
        return Err(ReportError::Data(
            "devices.csv does not list every device id".into(),
        ));
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
