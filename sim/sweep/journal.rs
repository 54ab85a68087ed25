//! `runs.csv` as a journal: rows appended as runs finish (one `write` per row), read
//! back and checked against the plan on resume and merge.

use super::error::SweepError;
use super::plan::Manifest;
use crate::metrics::Summary;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Summary keys left out of `runs.csv`: `wall_s` is wall-clock time (not
/// deterministic), `seed` is already the `seed` column.
pub const EXCLUDED_KEYS: &[&str] = &["wall_s", "seed"];

/// Summary keys whose values are text, not numbers (and per-class `class` and
/// `category`).
pub const TEXT_KEYS: &[&str] = &[
    "scenario",
    "policy",
    "power_manager",
    "walltime",
    "warnings",
];

/// The identifying columns: `run`, `point`, `replication`, one per axis, `seed`,
/// `hetsim_version`, `scenario_sha256`.
pub fn prefix_header(m: &Manifest) -> Vec<String> {
    let mut h: Vec<String> = ["run", "point", "replication"].map(String::from).to_vec();
    h.extend(m.axes.iter().map(|a| a.path.clone()));
    h.extend(["seed", "hetsim_version", "scenario_sha256"].map(String::from));
    h
}

/// The identifying cells of run `run`.
pub fn prefix_row(m: &Manifest, run: usize) -> Vec<String> {
    let spec = &m.runs[run];
    let mut r = vec![
        spec.run.to_string(),
        spec.point.to_string(),
        spec.replication.to_string(),
    ];
    r.extend(m.point_cells(spec.point));
    r.extend([
        spec.seed.to_string(),
        m.hetsim_version.clone(),
        m.scenario_sha256.clone(),
    ]);
    r
}

/// Header and row of one finished run. The summary columns are the summary's scalar
/// keys in their order (less [`EXCLUDED_KEYS`]), then `per_class.<class>.<field>` for
/// every class of the plan; a class absent from this run leaves its cells empty.
pub fn row_of(
    m: &Manifest,
    run: usize,
    s: &Summary,
) -> Result<(Vec<String>, Vec<String>), SweepError> {
    row_of_pairs(m, run, crate::report::files::summary_pairs(s))
}

/// [`row_of`] for a summary given as `(key, cell)` pairs (a serving run's flat
/// summary).
pub fn row_of_pairs(
    m: &Manifest,
    run: usize,
    pairs: Vec<(String, String)>,
) -> Result<(Vec<String>, Vec<String>), SweepError> {
    let mut header = prefix_header(m);
    let mut row = prefix_row(m, run);
    let mut class_fields: Option<Vec<String>> = None;
    let mut per_class: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in &pairs {
        if EXCLUDED_KEYS.contains(&k.as_str()) {
            continue;
        }
        if k.starts_with("per_class.") {
            per_class.insert(k.clone(), v.clone());
            continue;
        }
        header.push(k.clone());
        row.push(v.clone());
    }
    for c in &m.classes {
        let pre = format!("per_class.{c}.");
        if class_fields.is_none() {
            let f: Vec<String> = pairs
                .iter()
                .filter_map(|(k, _)| k.strip_prefix(&pre).map(String::from))
                .collect();
            if !f.is_empty() {
                class_fields = Some(f);
            }
        }
    }
    let fields = class_fields.unwrap_or_default();
    let mut used = 0;
    for c in &m.classes {
        for f in &fields {
            let k = format!("per_class.{c}.{f}");
            match per_class.get(&k) {
                Some(v) => {
                    used += 1;
                    row.push(v.clone());
                }
                None => row.push(String::new()),
            }
            header.push(k);
        }
    }
    if used != per_class.len() {
        return Err(SweepError::Inconsistent(format!(
            "run {run}: the summary has per-class keys outside the plan's classes ({})",
            m.classes.join(", ")
        )));
    }
    Ok((header, row))
}

/// Formats one CSV record with its trailing newline.
pub fn csv_line(cells: &[String]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(cells).expect("writing to memory");
    w.into_inner().expect("writing to memory")
}

/// The valid rows of a `runs.csv`.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Column names (empty when the file had no complete header).
    pub header: Vec<String>,
    /// Rows by run index.
    pub rows: BTreeMap<usize, Vec<String>>,
    /// Lines dropped: torn, malformed, not matching the plan, or duplicates.
    pub dropped: usize,
}

impl Table {
    /// The whole file (header and rows in run order).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.header.is_empty() {
            return out;
        }
        out.extend(csv_line(&self.header));
        for r in self.rows.values() {
            out.extend(csv_line(r));
        }
        out
    }
}

/// Reads `dir/runs.csv` (a missing file is an empty table). Keeps complete lines
/// (ending in a newline) whose cells match the plan and whose metric cells are
/// numbers as hetsim writes them; drops and counts the rest (their runs are done
/// again, and the count is reported). A run found twice with different cells is
/// dropped whole. A header whose identifying columns differ from the plan's is an
/// error.
pub fn read(dir: &Path, m: &Manifest) -> Result<Table, SweepError> {
    let path = dir.join(super::RUNS);
    let bytes = match read_file(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Table::default()),
        Err(e) => {
            return Err(SweepError::file(format!("cannot read {}", path.display()))(
                e,
            ));
        }
    };
    let complete = match bytes.iter().rposition(|&b| b == b'\n') {
        Some(i) => &bytes[..=i],
        None => &bytes[..0],
    };
    let mut table = Table {
        dropped: usize::from(complete.len() < bytes.len()),
        ..Table::default()
    };
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(complete);
    let mut records = rd.records();
    match records.next() {
        None => return Ok(table),
        Some(Err(e)) => {
            return Err(SweepError::Inconsistent(format!(
                "{}: unreadable header: {e}",
                path.display()
            )));
        }
        Some(Ok(h)) => table.header = h.iter().map(String::from).collect(),
    }
    let prefix = prefix_header(m);
    if table.header.len() < prefix.len() || table.header[..prefix.len()] != prefix[..] {
        return Err(SweepError::Inconsistent(format!(
            "{}: header does not match the plan in {} (expected it to start with {})",
            path.display(),
            super::MANIFEST,
            prefix.join(",")
        )));
    }
    let mut found: Vec<(usize, Vec<String>)> = Vec::new();
    for rec in records {
        let Ok(rec) = rec else {
            table.dropped += 1;
            continue;
        };
        let cells: Vec<String> = rec.iter().map(String::from).collect();
        let run = match cells.first().and_then(|c| c.parse::<usize>().ok()) {
            Some(r) if r < m.runs.len() => r,
            _ => {
                table.dropped += 1;
                continue;
            }
        };
        if cells.len() != table.header.len() || cells[..prefix.len()] != prefix_row(m, run)[..] {
            table.dropped += 1;
            continue;
        }
        found.push((run, cells));
    }
    // Metric cells as hetsim writes them: a JSON number is always finite (a
    // non-finite value is written empty), so `NaN`, `inf` or `1e999` is damage; so is
    // a word in a column that holds numbers in other rows.
    let text_col = |h: &str| {
        TEXT_KEYS.contains(&h)
            || h.strip_prefix("per_class.")
                .is_some_and(|r| r.ends_with(".class") || r.ends_with(".category"))
    };
    let numeric: Vec<bool> = (0..table.header.len())
        .map(|c| {
            c >= prefix.len()
                && !text_col(&table.header[c])
                && found
                    .iter()
                    .any(|(_, r)| r[c].parse::<f64>().is_ok_and(f64::is_finite))
        })
        .collect();
    let damaged = |r: &[String]| {
        (prefix.len()..r.len()).any(|c| {
            let v = r[c].trim();
            !text_col(&table.header[c])
                && match v.parse::<f64>() {
                    Ok(x) => !x.is_finite(),
                    Err(_) => numeric[c] && !v.is_empty(),
                }
        })
    };
    // A run found twice with different cells: neither copy can be trusted, so the
    // run is done again; an exact repeat is dropped.
    let mut conflicting = std::collections::BTreeSet::new();
    for (run, cells) in found {
        if damaged(&cells) {
            table.dropped += 1;
            continue;
        }
        match table.rows.get(&run) {
            Some(prev) if *prev != cells => {
                conflicting.insert(run);
                table.dropped += 1;
            }
            Some(_) => table.dropped += 1,
            None => {
                table.rows.insert(run, cells);
            }
        }
    }
    for run in conflicting {
        table.rows.remove(&run);
        table.dropped += 1;
    }
    Ok(table)
}

/// Appends rows to `runs.csv` and `timing.csv` from many threads.
#[derive(Debug)]
pub struct Writer {
    inner: Mutex<WriterState>,
    runs_path: PathBuf,
}

#[derive(Debug)]
struct WriterState {
    runs: File,
    timing: File,
    header: Vec<String>,
}

/// Wall-clock seconds spent on one run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timing {
    /// Building the run's scenario from the plan.
    pub load_s: f64,
    /// The simulation.
    pub simulate_s: f64,
    /// Everything, including formatting and writing the row.
    pub total_s: f64,
}

impl Writer {
    /// Rewrites `dir/runs.csv` with `table` (dropping torn or invalid lines) and opens
    /// it and `dir/timing.csv` for appending.
    pub fn open(dir: &Path, table: &Table) -> Result<Writer, SweepError> {
        let runs_path = dir.join(super::RUNS);
        let mut bytes = Vec::new();
        if !table.header.is_empty() {
            bytes.extend(csv_line(&table.header));
            // Keep the order rows were found in; only their set matters until the end.
            for r in table.rows.values() {
                bytes.extend(csv_line(r));
            }
        }
        crate::output::write_atomic(&runs_path, &bytes).map_err(SweepError::file(format!(
            "cannot write {}",
            runs_path.display()
        )))?;
        let open = |p: &Path| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map_err(SweepError::file(format!("cannot open {}", p.display())))
        };
        let runs = open(&runs_path)?;
        let timing_path = dir.join(super::TIMING);
        let mut timing = open(&timing_path)?;
        if timing.metadata()?.len() == 0 {
            timing.write_all(b"run,load_s,simulate_s,total_s\n")?;
        }
        Ok(Writer {
            inner: Mutex::new(WriterState {
                runs,
                timing,
                header: table.header.clone(),
            }),
            runs_path,
        })
    }

    /// The header written so far (empty before the first row).
    pub fn header(&self) -> Vec<String> {
        self.inner.lock().expect("writer lock").header.clone()
    }

    /// Appends one run's row (and the header first, if the file has none) with a
    /// single `write` call, then its timing line.
    pub fn append(
        &self,
        header: &[String],
        row: &[String],
        run: usize,
        timing: &Timing,
    ) -> Result<(), SweepError> {
        let mut st = self.inner.lock().expect("writer lock");
        let mut bytes = Vec::new();
        if st.header.is_empty() {
            bytes.extend(csv_line(header));
            st.header = header.to_vec();
        } else if st.header != header {
            return Err(SweepError::Inconsistent(format!(
                "run {run}: columns differ from the rest of {} ({} vs {} columns)",
                self.runs_path.display(),
                header.len(),
                st.header.len()
            )));
        }
        bytes.extend(csv_line(row));
        st.runs
            .write_all(&bytes)
            .map_err(|source| SweepError::File {
                context: format!("cannot append to {}", self.runs_path.display()),
                source,
            })?;
        let t = format!(
            "{run},{:.6},{:.6},{:.6}\n",
            timing.load_s, timing.simulate_s, timing.total_s
        );
        st.timing.write_all(t.as_bytes())?;
        Ok(())
    }
}

/// Largest file of a sweep folder read back (manifest, shard, `runs.csv`), bytes.
pub const MAX_SWEEP_FILE_BYTES: u64 = 4 << 30;

/// Reads a file of a sweep folder: a regular file of at most
/// [`MAX_SWEEP_FILE_BYTES`] (a pipe or device put there is refused, not waited on).
/// A missing file keeps its `NotFound` kind.
pub(crate) fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use crate::scenario::file::{FileError, read_limited};
    read_limited(path, MAX_SWEEP_FILE_BYTES).map_err(|e| match e {
        FileError::Io(e) => e,
        e => std::io::Error::other(e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(m: &Manifest, run: usize, extra: &str) -> String {
        let mut cells = prefix_row(m, run);
        cells.push(extra.into());
        String::from_utf8(csv_line(&cells)).unwrap()
    }

    #[test]
    fn reading_keeps_valid_rows_and_drops_the_rest() {
        let m = crate::sweep::plan::test_manifest();
        let dir = tempfile::tempdir().unwrap();
        let mut header = prefix_header(&m);
        header.push("x".into());
        let mut text = String::from_utf8(csv_line(&header)).unwrap();
        text += &line(&m, 2, "1.5");
        text += &line(&m, 0, "2.5");
        text += &line(&m, 2, "9"); // a conflicting duplicate: run 2 is redone
        text += &line(&m, 0, "2.5"); // an exact repeat: one copy is kept
        text += &line(&m, 3, "4").replace(",103,", ",999,"); // wrong seed
        text += "4,4,0,y,2,104,0\n"; // too few cells
        text += &line(&m, 5, "1")[..10]; // torn: no newline
        std::fs::write(dir.path().join(crate::sweep::RUNS), &text).unwrap();
        let t = read(dir.path(), &m).unwrap();
        assert_eq!(t.header, header);
        assert_eq!(t.rows.keys().copied().collect::<Vec<_>>(), [0]);
        assert_eq!(t.dropped, 6);
        // Written back in run order.
        let bytes = String::from_utf8(t.to_bytes()).unwrap();
        assert_eq!(bytes.lines().nth(1).unwrap(), line(&m, 0, "2.5").trim_end());
    }

    #[test]
    fn a_header_of_another_plan_is_an_error() {
        let m = crate::sweep::plan::test_manifest();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(crate::sweep::RUNS),
            "run,point,replication,a,c\n",
        )
        .unwrap();
        assert!(read(dir.path(), &m).is_err());
        // A missing file is an empty table.
        let empty = tempfile::tempdir().unwrap();
        assert!(read(empty.path(), &m).unwrap().rows.is_empty());
    }
}
