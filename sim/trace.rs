//! Trace readers: public job traces turned into jobs, with a documented field mapping.
//!
//! Each format has its own module, whose documentation is the mapping of trace fields
//! to job fields:
//!
//! | format | module | what it reads |
//! |---|---|---|
//! | `swf` | [`swf`] | Standard Workload Format (Parallel Workloads Archive), plain or `.gz` |
//! | `alibaba` | [`alibaba`] | Alibaba GPU cluster trace 2023 pod list (+ node list as inventory) |
//! | `azure-llm` | [`azure`] | Azure LLM inference trace 2023 (prefill and decode work from tokens) |
//! | `gavel` | [`gavel`] | Gavel's Philly-derived trace (+ Gavel's throughput matrix as speeds) |
//! | `csv` | [`joblist`] | A plain CSV job list with documented columns, for users' own data |
//!
//! A reader returns a [`Trace`]: the jobs in file order with their trace times, the
//! categories the trace distinguishes (mapped to job kinds by the scenario or by
//! `hetsim import`), and counts of what it read, dropped and skipped.
//!
//! Two kinds of bad input are told apart. A **malformed** line (too few fields, text
//! where a number belongs) is an error naming the file and line, unless the caller
//! asks to skip such lines ([`Options::skip_bad`]); then it is counted. A **dropped**
//! record is well formed but unusable by the format's own rules (an SWF run time of
//! -1, an Alibaba pod that was never scheduled); these are always dropped and counted
//! by reason.

pub mod alibaba;
pub mod azure;
pub mod gavel;
pub mod joblist;
pub mod swf;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// A trace format.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Standard Workload Format.
    Swf,
    /// Alibaba GPU cluster trace 2023 (pod list).
    Alibaba,
    /// Azure LLM inference trace 2023.
    AzureLlm,
    /// Gavel's Philly-derived trace.
    Gavel,
    /// Plain CSV job list.
    Csv,
}

impl Format {
    /// Every format, in documentation order.
    pub const ALL: [Format; 5] = [
        Format::Swf,
        Format::Alibaba,
        Format::AzureLlm,
        Format::Gavel,
        Format::Csv,
    ];

    /// Name as written in scenarios and on the command line.
    pub fn as_str(self) -> &'static str {
        self.info().name
    }

    /// The field mapping of this format, one line per rule (written into imported
    /// files).
    pub fn mapping(self) -> &'static [&'static str] {
        self.info().mapping
    }

    fn info(self) -> &'static FormatInfo {
        &FORMATS[self as usize]
    }
}

/// What the registry knows of a format: its name, mapping and reader.
struct FormatInfo {
    name: &'static str,
    mapping: &'static [&'static str],
    read: Reader,
}

/// A format's reader: fills the context's trace from the opened file.
type Reader = fn(Box<dyn BufRead>, &mut Ctx, &Options) -> Result<(), TraceError>;

/// The registry, in [`Format`] order (a new format: a module with `MAPPING` and
/// `read`, a [`Format`] variant and one row here).
const FORMATS: [FormatInfo; 5] = [
    FormatInfo {
        name: "swf",
        mapping: swf::MAPPING,
        read: |r, ctx, opts| swf::read(r, ctx, opts.procs),
    },
    FormatInfo {
        name: "alibaba",
        mapping: alibaba::MAPPING,
        read: alibaba::read,
    },
    FormatInfo {
        name: "azure-llm",
        mapping: azure::MAPPING,
        read: azure::read,
    },
    FormatInfo {
        name: "gavel",
        mapping: gavel::MAPPING,
        read: |r, ctx, _| gavel::read(r, ctx),
    },
    FormatInfo {
        name: "csv",
        mapping: joblist::MAPPING,
        read: |r, ctx, _| joblist::read(r, ctx),
    },
];

/// A trace format name that is not one of [`Format::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown trace format `{0}`; formats: {formats}", formats = Format::ALL.map(|f| f.as_str()).join(", "))]
pub struct UnknownFormat(pub String);

impl std::str::FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, UnknownFormat> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an LLM request becomes jobs.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LlmMode {
    /// One job per request: work = context tokens + decode_weight x generated tokens.
    #[default]
    Combined,
    /// Two jobs per request: `prefill` (work = context tokens), then `decode` (work =
    /// generated tokens), released when the prefill completes.
    Split,
}

/// Which SWF processor count is a job's device count.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum SwfProcs {
    /// Field 8 (requested processors, what the scheduler knew at submit), else field
    /// 5 (allocated) when it is -1.
    #[default]
    Requested,
    /// Field 5 (allocated processors, what the job got), else field 8 when it is -1.
    Allocated,
}

/// How an Alibaba task's fractional GPU (`gpu_milli` < 1000) is modelled.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum GpuShare {
    /// The task holds a whole GPU for (share x run time): the same GPU-seconds.
    #[default]
    Scaled,
    /// The task holds a whole GPU for its whole run time.
    Whole,
    /// The task runs on its share of one GPU: `gpu_milli / 10` of the GPU's
    /// [`GPU_SLOTS`] slots (the device classes need `slots: 100`), for its traced run
    /// time.
    Slots,
}

/// Slots per GPU for [`GpuShare::Slots`]: the Alibaba 2023 trace gives GPU shares in
/// thousandths, all multiples of 10, so 100 slots represent every share exactly.
pub const GPU_SLOTS: u32 = 100;

/// Reader options.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Skip and count malformed lines instead of failing on the first.
    pub skip_bad: bool,
    /// swf: requested-first or allocated-first processor counts.
    pub procs: SwfProcs,
    /// azure-llm: combined or split.
    pub mode: LlmMode,
    /// azure-llm combined: cost of one generated token in prompt-token units.
    pub decode_weight: f64,
    /// alibaba: fractional GPUs.
    pub gpu_share: GpuShare,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            skip_bad: false,
            procs: SwfProcs::Requested,
            mode: LlmMode::Combined,
            decode_weight: azure::DEFAULT_DECODE_WEIGHT,
            gpu_share: GpuShare::Scaled,
        }
    }
}

/// One job read from a trace. Optional fields fall back to the job kind's values.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceJob {
    /// 1-based line in the file.
    pub line: u64,
    /// Arrival in trace time, s (not shifted).
    pub arrival: f64,
    /// Index into [`Trace::categories`].
    pub category: u32,
    /// Work units.
    pub work: f64,
    /// Gang size.
    pub devices: Option<u32>,
    /// Slots of one device (a share of a GPU); `None`: whole devices.
    pub slots: Option<u32>,
    /// Memory per device, bytes.
    pub memory: Option<f64>,
    /// Relative deadline, s.
    pub deadline: Option<f64>,
    /// Priority.
    pub priority: Option<i32>,
    /// The user's run-time estimate, s.
    pub estimate: Option<f64>,
    /// Deferral slack, s.
    pub slack: Option<f64>,
    /// Index (in [`Trace::jobs`], always earlier) of the job whose completion releases
    /// this one.
    pub after: Option<u32>,
    /// The trace's own id of the job (SWF field 1, a job list's numeric `id`, the
    /// 0-based data row of an Azure or Gavel trace); `None` when the format has none.
    pub source_id: Option<u64>,
}

/// A class of devices found in a trace's inventory (a node list, a throughput matrix).
#[derive(Clone, Debug, PartialEq)]
pub struct InventoryClass {
    /// Class name (a slug usable as a scenario key).
    pub name: String,
    /// `cpu` or `gpu`.
    pub category: crate::model::Category,
    /// Number of devices.
    pub count: u64,
    /// Where the class comes from (the trace's own model name).
    pub model: String,
    /// Speed per category (work units per second), for traces that give speeds.
    pub speed: BTreeMap<String, f64>,
}

/// A trace read into memory.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// Jobs in file order.
    pub jobs: Vec<TraceJob>,
    /// Category names (kinds before mapping), by index.
    pub categories: Vec<String>,
    /// The trace's own label of each category (Gavel: the job type), by index.
    pub labels: Vec<String>,
    /// Data records read (lines that are not headers or comments).
    pub records: u64,
    /// Well-formed records dropped, by reason.
    pub dropped: BTreeMap<String, u64>,
    /// Malformed lines skipped (only with `skip_bad`).
    pub malformed: u64,
    /// The first malformed line skipped: line and message.
    pub first_malformed: Option<(u64, String)>,
    /// SWF header: MaxProcs (or MaxNodes).
    pub max_procs: Option<u64>,
    /// The absolute time of the trace's time 0, s (SWF header `UnixStartTime`), when
    /// the trace gives one.
    pub time_base: Option<f64>,
    /// Device inventory, when the trace gives one.
    pub inventory: Vec<InventoryClass>,
    /// Header lines worth keeping (SWF `Computer:`, `Installation:`, notes on scaling).
    pub notes: Vec<String>,
}

impl Trace {
    /// Index of a category, adding it if new (its label is its name).
    pub fn category(&mut self, name: &str) -> u32 {
        self.category_labeled(name, name)
    }

    /// Index of a category, adding it with the trace's own label if new.
    pub fn category_labeled(&mut self, name: &str, label: &str) -> u32 {
        match self.categories.iter().position(|c| c == name) {
            Some(i) => i as u32,
            None => {
                self.categories.push(name.to_string());
                self.labels.push(label.to_string());
                (self.categories.len() - 1) as u32
            }
        }
    }

    /// Counts a dropped record.
    pub fn drop_record(&mut self, reason: &str) {
        *self.dropped.entry(reason.to_string()).or_default() += 1;
    }

    /// Total dropped records.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.values().sum()
    }

    /// Number of jobs per category index.
    pub fn category_counts(&self) -> Vec<u64> {
        let mut c = vec![0; self.categories.len()];
        for j in &self.jobs {
            c[j.category as usize] += 1;
        }
        c
    }

    /// A one-line account: records, jobs, dropped by reason, malformed.
    pub fn account(&self) -> String {
        let mut s = format!("{} records read, {} jobs", self.records, self.jobs.len());
        for (r, n) in &self.dropped {
            s.push_str(&format!(", {n} dropped ({r})"));
        }
        if self.malformed > 0 {
            s.push_str(&format!(", {} malformed lines skipped", self.malformed));
            if let Some((l, m)) = &self.first_malformed {
                s.push_str(&format!(" (first: line {l}: {m})"));
            }
        }
        s
    }
}

/// Which jobs of a trace to keep and how to place them in time.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    /// Keep jobs arriving at or after this time (after the shift to 0), s.
    pub from: Option<f64>,
    /// Keep jobs arriving before this time (after the shift to 0), s.
    pub until: Option<f64>,
    /// Keep at most this many jobs that have no predecessor (their released successors
    /// are kept with them).
    pub limit: Option<u64>,
    /// Multiplies arrival times (after the window, relative to `from`).
    pub time_scale: f64,
    /// Added to arrival times after scaling, s.
    pub offset: f64,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            from: None,
            until: None,
            limit: None,
            time_scale: 1.0,
            offset: 0.0,
        }
    }
}

/// A job kept by [`Trace::select`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Selected {
    /// Index in [`Trace::jobs`].
    pub index: usize,
    /// Arrival time in simulation time, s.
    pub arrival: f64,
    /// Index, in the selection, of the predecessor.
    pub after: Option<u32>,
}

impl Trace {
    /// Applies a selection. Times are shifted so the earliest job arrives at 0; then
    /// the `[from, until)` window and the `limit` apply; kept times become
    /// `(t - from) x time_scale + offset`. A job whose predecessor is not kept is not
    /// kept. The result is in file order.
    pub fn select(&self, sel: &Selection) -> Vec<Selected> {
        let t0 = self
            .jobs
            .iter()
            .map(|j| j.arrival)
            .fold(f64::INFINITY, f64::min);
        let from = sel.from.unwrap_or(0.0);
        let mut map = vec![u32::MAX; self.jobs.len()];
        let mut out = Vec::new();
        let mut roots = 0u64;
        for (i, j) in self.jobs.iter().enumerate() {
            let after = match j.after {
                Some(p) => match map[p as usize] {
                    u32::MAX => continue,
                    q => Some(q),
                },
                None => {
                    let t = j.arrival - t0;
                    if t < from || sel.until.is_some_and(|u| t >= u) {
                        continue;
                    }
                    if sel.limit.is_some_and(|l| roots >= l) {
                        continue;
                    }
                    roots += 1;
                    None
                }
            };
            let arrival = match after {
                Some(q) => out.get(q as usize).map_or(0.0, |s: &Selected| s.arrival),
                None => (j.arrival - t0 - from) * sel.time_scale + sel.offset,
            };
            map[i] = out.len() as u32;
            out.push(Selected {
                index: i,
                arrival,
                after,
            });
        }
        out
    }
}

/// A trace that cannot be read: the file, the line when known, and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "{}{}: {}",
    file.display(),
    line.map(|l| format!(":{l}")).unwrap_or_default(),
    crate::input::clip(message, 1200)
)]
pub struct TraceError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line, when the problem is on one line.
    pub line: Option<u64>,
    /// What is wrong.
    pub message: String,
}

/// Why one record of a trace is malformed (the reader adds the file and line).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RecordError {
    /// A field that must be a number is not one.
    #[error("{field}: `{text}` is not a number")]
    NotANumber {
        /// The field (column) name.
        field: String,
        /// The text found.
        text: String,
    },
    /// A number field is infinite or NaN.
    #[error("{field}: `{text}` is not a finite number")]
    NotFinite {
        /// The field (column) name.
        field: String,
        /// The text found.
        text: String,
    },
    /// Any other rule of the format, as a sentence.
    #[error("{0}")]
    Invalid(String),
}

impl From<String> for RecordError {
    fn from(m: String) -> Self {
        RecordError::Invalid(m)
    }
}

impl From<&str> for RecordError {
    fn from(m: &str) -> Self {
        RecordError::Invalid(m.to_string())
    }
}

/// Reads a trace file of the given format.
pub fn read(format: Format, path: &Path, opts: &Options) -> Result<Trace, TraceError> {
    let mut ctx = Ctx::new(path, opts.skip_bad);
    let r = open(path)?;
    (format.info().read)(r, &mut ctx, opts)?;
    Ok(ctx.trace)
}

/// Largest trace read, bytes after decompression. It bounds what a device, a pipe or
/// a compressed bomb can make hetsim read; the biggest shipped trace is far below.
pub const MAX_TRACE_BYTES: u64 = 4 << 30;

/// Opens a trace file for reading (a regular file only, see
/// [`crate::input::open_regular`]), decompressing `.gz` files, and failing
/// past [`MAX_TRACE_BYTES`] of text.
pub fn open(path: &Path) -> Result<Box<dyn BufRead>, TraceError> {
    use crate::input::{FileError, Limited, open_regular};
    let f = open_regular(path).map_err(|e| TraceError {
        file: path.into(),
        line: None,
        message: match e {
            FileError::Io(e) => format!("cannot open: {e}"),
            FileError::Directory => "is a directory, expected a trace file".into(),
            e => e.to_string(),
        },
    })?;
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    Ok(if gz {
        Box::new(BufReader::with_capacity(
            1 << 16,
            Limited::new(flate2::read::MultiGzDecoder::new(f), MAX_TRACE_BYTES),
        ))
    } else {
        Box::new(BufReader::with_capacity(
            1 << 16,
            Limited::new(f, MAX_TRACE_BYTES),
        ))
    })
}

/// Reading state shared by the readers: the file, the malformed-line policy, the
/// trace being built.
pub struct Ctx {
    /// The file.
    pub file: PathBuf,
    /// Skip and count malformed lines.
    pub skip_bad: bool,
    /// The trace so far.
    pub trace: Trace,
}

impl Ctx {
    fn new(path: &Path, skip_bad: bool) -> Self {
        Ctx {
            file: path.into(),
            skip_bad,
            trace: Trace::default(),
        }
    }

    /// An error at a line.
    pub fn error(&self, line: Option<u64>, message: impl Into<String>) -> TraceError {
        TraceError {
            file: self.file.clone(),
            line,
            message: message.into(),
        }
    }

    /// A malformed line: an error, or counted when skipping.
    pub fn malformed(&mut self, line: u64, message: impl fmt::Display) -> Result<(), TraceError> {
        let message = message.to_string();
        if self.skip_bad {
            self.trace.malformed += 1;
            if self.trace.first_malformed.is_none() {
                self.trace.first_malformed = Some((line, message));
            }
            Ok(())
        } else {
            Err(self.error(Some(line), message))
        }
    }
}

/// Reads CSV records with a header, calling `f(ctx, line, header, record)` for each;
/// a record whose field count differs from the header's is malformed.
pub(crate) fn each_csv_record(
    r: Box<dyn BufRead>,
    ctx: &mut Ctx,
    delimiter: u8,
    has_header: bool,
    mut f: impl FnMut(&mut Ctx, u64, &csv::StringRecord, &csv::StringRecord) -> Result<(), TraceError>,
) -> Result<(), TraceError> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(has_header)
        .flexible(true)
        .from_reader(r as Box<dyn Read>);
    let header = if has_header {
        rdr.headers()
            .map_err(|e| ctx.error(Some(1), format!("cannot read the header: {e}")))?
            .clone()
    } else {
        csv::StringRecord::new()
    };
    let mut rec = csv::StringRecord::new();
    loop {
        let line_hint = rdr.position().line();
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map_or(line_hint, |p| p.line());
                if rec.len() == 1 && rec.get(0).is_some_and(|s| s.trim().is_empty()) {
                    continue;
                }
                ctx.trace.records += 1;
                if has_header && rec.len() != header.len() {
                    ctx.malformed(
                        line,
                        format!("{} fields, the header has {}", rec.len(), header.len()),
                    )?;
                    continue;
                }
                f(ctx, line, &header, &rec)?;
            }
            Err(e) => {
                let line = e.position().map_or(line_hint, |p| p.line());
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(ctx.error(Some(line), format!("read error: {e}")));
                }
                ctx.trace.records += 1;
                ctx.malformed(line, format!("not valid CSV: {e}"))?;
            }
        }
    }
    Ok(())
}

/// Position of a column in a CSV header, or an error naming the columns found.
pub(crate) fn column(
    ctx: &Ctx,
    header: &csv::StringRecord,
    name: &str,
) -> Result<usize, TraceError> {
    header.iter().position(|h| h.trim() == name).ok_or_else(|| {
        ctx.error(
            Some(1),
            format!(
                "no column `{name}` in the header (columns: {})",
                header.iter().collect::<Vec<_>>().join(", ")
            ),
        )
    })
}

/// Parses a number field, with a message naming the field.
pub(crate) fn number(s: &str, field: &str) -> Result<f64, RecordError> {
    let t = s.trim();
    let v: f64 = t.parse().map_err(|_| RecordError::NotANumber {
        field: field.to_string(),
        text: t.to_string(),
    })?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(RecordError::NotFinite {
            field: field.to_string(),
            text: t.to_string(),
        })
    }
}

/// A kind-name-safe slug: lower case, runs of other characters become one `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod registry_tests {
    use super::*;

    #[test]
    fn registry_rows_follow_the_format_order() {
        for (i, f) in Format::ALL.into_iter().enumerate() {
            assert_eq!(f as usize, i);
            let named: Format = serde_json::from_value(serde_json::json!(f.as_str())).unwrap();
            assert_eq!(named, f);
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
        }
    }
}
