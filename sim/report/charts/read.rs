//! Reads a run folder (summary.json, devices.csv, power.csv, jobs.csv and the
//! scenario copy) into the reduced series the charts and the HTML report draw.
//!
//! Each CSV is streamed once and columns are found by name, so columns added later
//! are tolerated. Memory stays bounded however many jobs the run had: jobs feed the
//! series builders of [`super::series`] and are not kept, except for the Gantt chart
//! of small runs.

use super::series::{
    BusyBuilder, Cdf, CdfBuilder, Deadlines, GanttJob, Grid, SeriesBuilder, TimeSeries, Track,
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
    /// True when `busy` comes from power.csv's `<class>_busy_devices` columns, false
    /// when it was rebuilt from jobs.csv.
    pub busy_from_power: bool,
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
    let busy_columns = class_busy_columns(&power, &classes);

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
    // power.csv's per-class busy counts, when present, are exact for every kind of
    // job (split jobs included); jobs.csv then only feeds the CDFs and the Gantt.
    let busy_from_power = busy_columns.is_some();
    let busy = match busy_columns {
        Some(b) => {
            notes.retain(|n| !n.starts_with("Busy time of class"));
            b
        }
        None => jobs.busy,
    };
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
        gantt,
        scenario,
        scenario_file,
        notes,
    })
}

/// Busy fraction per class from power.csv's `<class>_busy_devices` columns, when it
/// has one for every class.
fn class_busy_columns(power: &TimeSeries, classes: &[ClassInfo]) -> Option<TimeSeries> {
    let mut tracks = Vec::with_capacity(classes.len());
    for c in classes {
        let t = power.track(&format!("{}_busy_devices", c.name))?;
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

fn col(headers: &csv::ByteRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| h == name.as_bytes())
}

fn need(headers: &csv::ByteRecord, name: &str, file: &str) -> Result<usize> {
    col(headers, name).with_context(|| format!("{file} has no column `{name}`"))
}

/// Parses a CSV number; NaN when it is not one.
///
/// Plain decimals (`-12.345678901`, as the run files write times) take a fast path
/// that gives exactly what `str::parse` gives: the digits form an integer `n` below
/// 2^53 and `n / 10^k` is one correctly rounded division of two exact values, which is
/// the correctly rounded decimal. Anything else goes through `str::parse`.
fn parse_f64(b: &[u8]) -> f64 {
    if let Some(v) = parse_plain_decimal(b) {
        return v;
    }
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(f64::NAN)
}

fn parse_plain_decimal(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 17 {
        return None;
    }
    let mut n: u64 = 0;
    let mut frac: Option<usize> = None;
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => n = n * 10 + (c - b'0') as u64,
            b'.' if frac.is_none() && i > 0 => frac = Some(digits.len() - i - 1),
            _ => return None,
        }
    }
    let k = frac.unwrap_or(0);
    if n >= 1 << 53 || k >= POW10.len() || frac == Some(0) {
        return None;
    }
    let v = n as f64 / POW10[k];
    Some(if neg { -v } else { v })
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

/// Files at least this large are read in [`CHUNKS`] parallel chunks.
const PARALLEL_BYTES: u64 = 8 << 20;
/// Number of chunks of a large file. Fixed, not the core count, so results (float
/// sums merged chunk by chunk) are the same on every machine.
const CHUNKS: usize = 8;

/// A CSV file's header and where its data start.
struct CsvFile {
    path: PathBuf,
    header: csv::ByteRecord,
    data_start: u64,
    len: u64,
}

impl CsvFile {
    fn open(path: PathBuf) -> Result<CsvFile> {
        let mut r = csv::Reader::from_path(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let header = r.byte_headers()?.clone();
        let data_start = r.position().byte();
        let len = std::fs::metadata(&path)?.len();
        Ok(CsvFile {
            path,
            header,
            data_start,
            len,
        })
    }

    fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// Folds the data lines with `f` into one accumulator per chunk, chunks read in
    /// parallel, and returns the accumulators in file order. A chunk owns the lines
    /// that start inside its byte range.
    fn fold<A: Send>(
        &self,
        init: impl Fn() -> A + Sync,
        f: impl Fn(&mut A, &Fields<'_>) -> Result<()> + Sync,
    ) -> Result<Vec<A>> {
        use rayon::prelude::*;
        let body = self.len.saturating_sub(self.data_start);
        let chunks = if self.len >= PARALLEL_BYTES {
            CHUNKS
        } else {
            1
        };
        let bounds: Vec<(u64, u64)> = (0..chunks as u64)
            .map(|i| {
                (
                    self.data_start + body * i / chunks as u64,
                    self.data_start + body * (i + 1) / chunks as u64,
                )
            })
            .collect();
        bounds
            .par_iter()
            .map(|&(from, to)| {
                let mut acc = init();
                self.fold_range(from, to, &mut acc, &f)?;
                Ok(acc)
            })
            .collect()
    }

    fn fold_range<A>(
        &self,
        from: u64,
        to: u64,
        acc: &mut A,
        f: &(impl Fn(&mut A, &Fields<'_>) -> Result<()> + Sync),
    ) -> Result<()> {
        use std::io::{BufRead, BufReader, Seek, SeekFrom};
        let file = std::fs::File::open(&self.path)?;
        let mut r = BufReader::with_capacity(1 << 20, file);
        let mut line = Vec::with_capacity(256);
        let mut pos = from;
        if from > self.data_start {
            // Start after the line that began before `from`: look at the byte before
            // it, so a line starting exactly at `from` is ours.
            r.seek(SeekFrom::Start(from - 1))?;
            pos = from - 1 + r.read_until(b'\n', &mut line)? as u64;
        } else {
            r.seek(SeekFrom::Start(from))?;
        }
        let mut bounds = Vec::new();
        while pos < to {
            line.clear();
            let n = r.read_until(b'\n', &mut line)?;
            if n == 0 {
                break;
            }
            let at = pos;
            pos += n as u64;
            let l = line.strip_suffix(b"\n").unwrap_or(&line);
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            if l.is_empty() {
                continue;
            }
            let fields = Fields::split(l, std::mem::take(&mut bounds));
            let res = fields
                .as_ref()
                .map_err(|e| anyhow::anyhow!("{e}"))
                .and_then(|fl| f(acc, fl));
            res.with_context(|| {
                format!(
                    "{} at byte {at}: {}",
                    self.name(),
                    String::from_utf8_lossy(l)
                )
            })?;
            if let Ok(fl) = fields {
                bounds = fl.bounds;
            }
        }
        Ok(())
    }
}

/// Splits a line at commas into `(start, end)` field bounds, eight bytes at a time
/// (this loop dominates reading a large jobs.csv). Returns false, leaving `bounds` in
/// an unspecified state, if the line has a quote and needs a real CSV parser.
fn split_commas(line: &[u8], bounds: &mut Vec<(usize, usize)>) -> bool {
    const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const ONES: u64 = 0x0101_0101_0101_0101;
    // High bit set in exactly the bytes of `v` that are zero.
    let zero_bytes = |v: u64| !(((v & LO7).wrapping_add(LO7)) | v | LO7);
    let mut start = 0;
    let mut i = 0;
    while i + 8 <= line.len() {
        let w = u64::from_le_bytes(line[i..i + 8].try_into().expect("8 bytes"));
        if zero_bytes(w ^ (ONES * b'"' as u64)) != 0 {
            return false;
        }
        let mut m = zero_bytes(w ^ (ONES * b',' as u64));
        while m != 0 {
            let at = i + (m.trailing_zeros() / 8) as usize;
            bounds.push((start, at));
            start = at + 1;
            m &= m - 1;
        }
        i += 8;
    }
    for (j, &b) in line[i..].iter().enumerate() {
        match b {
            b'"' => return false,
            b',' => {
                bounds.push((start, i + j));
                start = i + j + 1;
            }
            _ => {}
        }
    }
    bounds.push((start, line.len()));
    true
}

/// The fields of one CSV line. Lines without quotes are split in place; a line with a
/// quote (a name containing a comma) goes through the csv crate.
struct Fields<'a> {
    bounds: Vec<(usize, usize)>,
    line: &'a [u8],
    quoted: Option<csv::ByteRecord>,
}

impl<'a> Fields<'a> {
    /// Splits `line`, reusing the `bounds` buffer.
    fn split(line: &'a [u8], mut bounds: Vec<(usize, usize)>) -> Result<Fields<'a>, csv::Error> {
        bounds.clear();
        if !split_commas(line, &mut bounds) {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line);
            let mut rec = csv::ByteRecord::new();
            r.read_byte_record(&mut rec)?;
            return Ok(Fields {
                bounds,
                line,
                quoted: Some(rec),
            });
        }
        Ok(Fields {
            bounds,
            line,
            quoted: None,
        })
    }

    fn get(&self, i: usize) -> &[u8] {
        match &self.quoted {
            Some(rec) => rec.get(i).unwrap_or(b""),
            None => self
                .bounds
                .get(i)
                .map_or(&b""[..], |&(a, b)| &self.line[a..b]),
        }
    }
}

/// Streams power.csv into a series of every column but `time_s` and `duration_s`, plus
/// the derived carbon and cost rates ([`CARBON_RATE`], [`COST_RATE`]), computed row by
/// row (from the `carbon_g` and `cost` amounts of each row when power.csv has them)
/// so their integrals are exact however the series is downsampled.
fn read_power(dir: &Path, grid: Grid, sig: Signals) -> Result<TimeSeries> {
    let file = CsvFile::open(dir.join("power.csv"))?;
    let h = &file.header;
    let ti = need(h, "time_s", "power.csv")?;
    let di = need(h, "duration_s", "power.csv")?;
    let value_cols: Vec<usize> = (0..h.len()).filter(|&i| i != ti && i != di).collect();
    let mut names: Vec<String> = value_cols
        .iter()
        .map(|&i| String::from_utf8_lossy(&h[i]).into_owned())
        .collect();
    let fac = names.iter().position(|n| n == "facility_w");
    let carbon = Rate::find(&names, "carbon_g", "carbon", fac, sig.carbon_per_j);
    let cost = Rate::find(&names, "cost", "price", fac, sig.cost_per_j);
    let n = names.len();
    if carbon.is_some() {
        names.push(CARBON_RATE.into());
    }
    if cost.is_some() {
        names.push(COST_RATE.into());
    }
    let width = names.len();
    let parts = file.fold(
        || (SeriesBuilder::new(names.clone(), grid), vec![0.0; width]),
        |(b, vals), rec| {
            for (v, &i) in vals.iter_mut().zip(&value_cols) {
                *v = parse_f64(rec.get(i));
            }
            let (t0, dur) = (parse_f64(rec.get(ti)), parse_f64(rec.get(di)));
            for (k, r) in (n..).zip([carbon, cost].into_iter().flatten()) {
                vals[k] = r.per_s(vals, dur);
            }
            b.push(t0, dur, vals);
            Ok(())
        },
    )?;
    let mut parts = parts.into_iter().map(|p| p.0);
    let mut b = parts.next().expect("at least one chunk");
    for p in parts {
        b.merge(p);
    }
    Ok(b.finish())
}

struct JobsRead {
    cdfs: Vec<CdfBuilder>,
    deadlines: Vec<Deadlines>,
    busy: TimeSeries,
    busy_s: Vec<f64>,
}

/// Columns of jobs.csv the reader uses.
#[derive(Clone, Copy)]
struct JobCols {
    kind: usize,
    start: usize,
    end: usize,
    response: usize,
    devices: usize,
    id: Option<usize>,
    arrival: Option<usize>,
    deadline: Option<usize>,
    met: Option<usize>,
}

/// What one chunk of jobs.csv adds up to.
struct JobsAcc {
    kinds: Vec<Vec<u8>>,
    cdfs: Vec<CdfBuilder>,
    deadlines: Vec<Deadlines>,
    busy: BusyBuilder,
    // `None` once the chunk has more jobs than the Gantt chart shows.
    gantt: Option<Vec<GanttJob>>,
    per_class: Vec<u32>,
    devs: Vec<u32>,
    last_kind: usize,
    exact_cdf: usize,
}

impl JobsAcc {
    fn kind(&mut self, name: &[u8]) -> usize {
        if self
            .kinds
            .get(self.last_kind)
            .is_some_and(|x| x.as_slice() == name)
        {
            return self.last_kind;
        }
        let k = match self.kinds.iter().position(|x| x.as_slice() == name) {
            Some(i) => i,
            None => {
                self.kinds.push(name.to_vec());
                self.cdfs.push(CdfBuilder::new(self.exact_cdf));
                self.deadlines.push(Deadlines::default());
                self.kinds.len() - 1
            }
        };
        self.last_kind = k;
        k
    }

    fn row(
        &mut self,
        rec: &Fields<'_>,
        c: &JobCols,
        device_class: &[usize],
        gantt_max: usize,
    ) -> Result<()> {
        let k = self.kind(rec.get(c.kind));
        self.cdfs[k].push(parse_f64(rec.get(c.response)));
        if let Some(cdl) = c.deadline {
            let dl = rec.get(cdl);
            if !dl.is_empty() {
                let arrival = c.arrival.map_or(f64::NAN, |i| parse_f64(rec.get(i)));
                let met = c.met.is_some_and(|i| rec.get(i) == b"true");
                self.deadlines[k].add(parse_f64(dl) - arrival, met);
            }
        }
        let (start, end) = (parse_f64(rec.get(c.start)), parse_f64(rec.get(c.end)));
        self.devs.clear();
        for part in rec.get(c.devices).split(|&b| b == b';') {
            let mut v: u32 = 0;
            let mut ok = !part.is_empty() && part.len() <= 9;
            for &b in part {
                if b.is_ascii_digit() {
                    v = v * 10 + (b - b'0') as u32;
                } else {
                    ok = false;
                }
            }
            if !ok {
                bail!("bad device list");
            }
            self.devs.push(v);
        }
        for &d in &self.devs {
            let cl = *device_class
                .get(d as usize)
                .with_context(|| format!("unknown device {d}"))?;
            self.per_class[cl] += 1;
        }
        for (cl, n) in self.per_class.iter_mut().enumerate() {
            if *n > 0 {
                self.busy.add(cl, *n, start, end);
                *n = 0;
            }
        }
        if let Some(g) = &mut self.gantt {
            if g.len() < gantt_max {
                let id =
                    c.id.and_then(|i| std::str::from_utf8(rec.get(i)).ok()?.parse().ok())
                        .unwrap_or(u64::MAX);
                g.push(GanttJob {
                    id,
                    kind: k,
                    start_s: start,
                    end_s: end,
                    devices: self.devs.clone(),
                });
            } else {
                self.gantt = None;
            }
        }
        Ok(())
    }

    /// Adds a later chunk. Kinds new to this chunk are appended in the later chunk's
    /// order, so kinds stay in order of first appearance in the file.
    fn merge(&mut self, other: JobsAcc, gantt_max: usize) {
        let map: Vec<usize> = other.kinds.iter().map(|k| self.kind(k)).collect();
        for ((cdf, dl), &k) in other.cdfs.into_iter().zip(other.deadlines).zip(&map) {
            self.cdfs[k].merge(cdf);
            self.deadlines[k].merge(dl);
        }
        self.busy.merge(other.busy);
        self.gantt = match (self.gantt.take(), other.gantt) {
            (Some(mut a), Some(b)) if a.len() + b.len() <= gantt_max => {
                a.extend(b.into_iter().map(|mut j| {
                    j.kind = map[j.kind];
                    j
                }));
                Some(a)
            }
            _ => None,
        };
    }
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
    let file = CsvFile::open(dir.join("jobs.csv"))?;
    let h = &file.header;
    let f = "jobs.csv";
    let cols = JobCols {
        kind: need(h, "kind", f)?,
        start: need(h, "start_s", f)?,
        end: need(h, "end_s", f)?,
        response: need(h, "response_s", f)?,
        devices: need(h, "devices", f)?,
        id: col(h, "id"),
        arrival: col(h, "arrival_s"),
        deadline: col(h, "deadline_s"),
        met: col(h, "deadline_met"),
    };
    let want_gantt = gantt.is_ok();
    let init = || JobsAcc {
        kinds: kind_names.iter().map(|k| k.as_bytes().to_vec()).collect(),
        cdfs: kind_names
            .iter()
            .map(|_| CdfBuilder::new(opts.exact_cdf))
            .collect(),
        deadlines: kind_names.iter().map(|_| Deadlines::default()).collect(),
        busy: BusyBuilder::new(
            classes.iter().map(|c| c.name.clone()).collect(),
            classes.iter().map(|c| c.devices).collect(),
            grid,
            opts.gantt_max_jobs,
        ),
        gantt: want_gantt.then(Vec::new),
        per_class: vec![0; classes.len()],
        devs: Vec::new(),
        last_kind: 0,
        exact_cdf: opts.exact_cdf,
    };
    let parts = file.fold(init, |acc, rec| {
        acc.row(rec, &cols, device_class, opts.gantt_max_jobs)
    })?;
    let mut parts = parts.into_iter();
    let mut acc = parts.next().expect("at least one chunk");
    for p in parts {
        acc.merge(p, opts.gantt_max_jobs);
    }
    for k in &acc.kinds[kind_names.len()..] {
        kind_names.push(String::from_utf8_lossy(k).into_owned());
    }
    if want_gantt {
        *gantt = acc.gantt.ok_or_else(|| {
            format!(
                "The Gantt chart is drawn for runs of at most {} jobs; this run has more.",
                opts.gantt_max_jobs
            )
        });
    }
    let busy_s = acc.busy.busy_device_seconds().to_vec();
    Ok(JobsRead {
        cdfs: acc.cdfs,
        deadlines: acc.deadlines,
        busy: acc.busy.finish(),
        busy_s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_decimals_equal_std_parse() {
        for t in [
            "0",
            "0.0",
            "1.5",
            "-2.25",
            "39054.010970511",
            "0.006911861",
            "0.1",
            "123456789.123456",
            "0.30000000000000004",
            "1e-3",
            "",
            "-",
            "1.",
            ".5",
            "NaN",
            "inf",
            "12a",
            "9007199254740993",
            "0.15614978731853763",
        ] {
            let want: f64 = t.parse().unwrap_or(f64::NAN);
            let got = parse_f64(t.as_bytes());
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{t}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn commas_split_like_a_csv_reader() {
        let mut b = Vec::new();
        let line = b"12,kind,0.5,,a;b,last-field-longer-than-8";
        assert!(split_commas(line, &mut b));
        let fields: Vec<&[u8]> = b.iter().map(|&(x, y)| &line[x..y]).collect();
        let want: Vec<&[u8]> = vec![
            b"12",
            b"kind",
            b"0.5",
            b"",
            b"a;b",
            b"last-field-longer-than-8",
        ];
        assert_eq!(fields, want);
        b.clear();
        assert!(!split_commas(b"1,\"a,b\",2", &mut b));
        b.clear();
        assert!(split_commas(b"", &mut b));
        assert_eq!(b, vec![(0, 0)]);
        // A quote in the scalar tail is caught too.
        b.clear();
        assert!(!split_commas(b"12345678,\"", &mut b));
    }
}
