//! Writers for the run folder's CSV and JSON files.

use crate::metrics::{JobRecord, Summary};
use crate::model::{FileFormat, Scenario};
use crate::power::PowerRow;
use crate::report::error::{Context, Result};
use crate::report::power_rows::PowerRows;
use crate::schema::{
    Chunk, DEVICES_CSV, JOB_COLUMNS, JOBS_CSV, POWER_CSV, ROW_BYTES, SUMMARY_CSV, SUMMARY_JSON,
    csv_field, power,
};
use crate::simulation::{DeviceRecord, Observer};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// A streamed output file, plain or gzip-compressed.
enum Out {
    Plain(BufWriter<File>),
    Gz(flate2::write::GzEncoder<BufWriter<File>>),
}

impl Write for Out {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        match self {
            Out::Plain(w) => w.write(b),
            Out::Gz(w) => w.write(b),
        }
    }
    fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        match self {
            Out::Plain(w) => w.write_all(b),
            Out::Gz(w) => w.write_all(b),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Out::Plain(w) => w.flush(),
            Out::Gz(w) => w.flush(),
        }
    }
}

impl Out {
    /// Flushes, ending the gzip stream with its trailer (so write errors surface).
    fn finish(self) -> std::io::Result<()> {
        match self {
            Out::Plain(mut w) => w.flush(),
            Out::Gz(w) => w.finish()?.flush(),
        }
    }
}

/// A streamed output file, or none.
type Sink = Option<Out>;

/// Creates `name` in `dir` in `format` (`name.gz` for gzip); `None` for no file.
fn sink(dir: &Path, name: &str, format: FileFormat) -> Result<Sink> {
    let create = |n: &str| -> Result<BufWriter<File>> {
        let f = File::create(dir.join(n)).with_context(|| format!("cannot create {n}"))?;
        Ok(BufWriter::with_capacity(1 << 16, f))
    };
    Ok(match format {
        FileFormat::None => None,
        FileFormat::Csv => Some(Out::Plain(create(name)?)),
        // Level 1: most of the size gain at a fraction of the default level's time.
        FileFormat::CsvGz => Some(Out::Gz(flate2::write::GzEncoder::new(
            create(&format!("{name}.gz"))?,
            flate2::Compression::fast(),
        ))),
    })
}

/// Bytes of jobs.csv rows gathered before they are written. Small enough to stay in
/// the core's cache until the kernel copies it out: with 1 MiB chunks that copy read
/// cold memory and took a seventh of bench-1m's CPU; at 64 KiB it is under 1%.
const JOB_CHUNK: usize = 1 << 16;

/// Streams jobs.csv and power.csv while the simulation runs, each as plain CSV,
/// gzip or not at all (`output.jobs`, `output.power`). power.csv rows per change are
/// bounded by [`PowerRows`] unless the scenario sets `output.power_interval`.
pub struct CsvObserver {
    jobs: Sink,
    /// jobs.csv rows not yet written, formatted in place.
    chunk: Chunk,
    /// Scratch: a row too long for a chunk (it names hundreds of devices).
    line: Vec<u8>,
    power: Sink,
    bounded: Option<PowerRows>,
    row: Vec<u8>,
    progress: Option<Box<dyn FnMut(f64, u64)>>,
    jobs_written: u64,
}

impl CsvObserver {
    /// Creates jobs.csv and power.csv in `dir` with their headers (as the scenario's
    /// `output` section says).
    pub fn create(dir: &Path, sc: &Scenario) -> Result<Self> {
        let out = &sc.output;
        let mut jobs = sink(dir, JOBS_CSV, out.jobs)?;
        // Room for a full chunk and the row that completes it.
        let chunk = Chunk::new(match jobs {
            Some(_) => JOB_CHUNK + ROW_BYTES,
            None => 0,
        });
        if let Some(j) = &mut jobs {
            writeln!(j, "{}", JOB_COLUMNS.join(","))?;
        }
        let mut power = sink(dir, POWER_CSV, out.power)?;
        if let Some(p) = &mut power {
            let mut header = vec![power::TIME_S.to_string(), power::DURATION_S.to_string()];
            header.extend(sc.classes.iter().map(|c| power::class_w(&c.name)));
            header.extend(power::TOTALS.map(String::from));
            let mut line = Vec::new();
            for (i, h) in header.iter().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                csv_field(&mut line, h);
            }
            line.push(b'\n');
            p.write_all(&line)?;
        }
        let bounded = (power.is_some() && out.power_interval.is_none() && out.power_max_rows > 0)
            .then(|| PowerRows::new(out.power_max_rows, sc.facility.pue));
        Ok(CsvObserver {
            jobs,
            power,
            bounded,
            row: Vec::new(),
            progress: None,
            jobs_written: 0,
            chunk,
            line: Vec::new(),
        })
    }

    /// Sets a progress callback.
    pub fn with_progress(mut self, f: Box<dyn FnMut(f64, u64)>) -> Self {
        self.progress = Some(f);
        self
    }

    /// Writes the rows held back to bound power.csv and closes both files. Returns
    /// the interval power.csv's rows were folded into, s (`None`: rows per change or
    /// the scenario's `output.power_interval`).
    pub fn finish(mut self) -> Result<Option<f64>> {
        let mut interval = None;
        if let Some(b) = self.bounded.take() {
            interval = b.interval_s();
            for r in b.finish() {
                self.write_power(&r)?;
            }
        }
        if let Some(mut j) = self.jobs.take() {
            j.write_all(self.chunk.as_bytes())?;
            j.finish()?;
        }
        if let Some(p) = self.power.take() {
            p.finish()?;
        }
        Ok(interval)
    }

    fn write_power(&mut self, r: &PowerRow) -> std::io::Result<()> {
        let Some(w) = &mut self.power else {
            return Ok(());
        };
        // Numbers are formatted as `f64::to_string` would (Display), straight into
        // the row's bytes.
        let row = &mut self.row;
        row.clear();
        let num = |row: &mut Vec<u8>, v: f64| {
            let _ = write!(row, "{v},");
        };
        num(row, r.time_s);
        num(row, r.duration_s);
        for &c in &r.class_w {
            num(row, c);
        }
        num(row, r.it_w);
        num(row, r.facility_w);
        if let Some(c) = r.cap_w {
            let _ = write!(row, "{c}");
        }
        row.push(b',');
        for v in [
            r.queue_len,
            r.busy_devices,
            r.asleep_devices,
            r.transition_devices,
            r.carbon_g,
        ] {
            num(row, v);
        }
        let _ = writeln!(row, "{}", r.cost);
        w.write_all(row)
    }
}

impl Observer for CsvObserver {
    fn job(&mut self, r: &JobRecord) -> std::io::Result<()> {
        let Some(j) = &mut self.jobs else {
            return Ok(());
        };
        self.jobs_written += 1;
        // Rows are formatted in place in one buffer, written out in chunks of
        // JOB_CHUNK bytes (at least the file's own buffer, so it is bypassed): no copy
        // of a row before the kernel's, one write call per few hundred rows.
        if !r.write_csv_in(&mut self.chunk) {
            // No room left: write the chunk out and try again. A row longer than a
            // whole chunk goes out on its own, after the rows before it.
            j.write_all(self.chunk.as_bytes())?;
            self.chunk.clear();
            if !r.write_csv_in(&mut self.chunk) {
                self.line.clear();
                r.write_csv(&mut self.line);
                j.write_all(&self.line)?;
            }
        }
        if self.chunk.len() >= JOB_CHUNK {
            j.write_all(self.chunk.as_bytes())?;
            self.chunk.clear();
        }
        Ok(())
    }
    fn power(&mut self, r: &PowerRow) -> std::io::Result<()> {
        match &mut self.bounded {
            Some(b) => {
                b.push(r.clone());
                Ok(())
            }
            None => self.write_power(r),
        }
    }
    fn progress(&mut self, now_s: f64, jobs: u64) {
        if let Some(p) = &mut self.progress {
            p(now_s, jobs);
        }
    }
}

/// overrides.txt: the run's `--set PATH=VALUE` options, one per line, in order.
pub const OVERRIDES_TXT: &str = "overrides.txt";

/// Writes overrides.txt when the run had `--set` options (the reproduce command of
/// the run page reads it).
pub fn write_overrides(dir: &Path, overrides: &[String]) -> std::io::Result<()> {
    if overrides.is_empty() {
        return Ok(());
    }
    let mut text = overrides.join("\n");
    text.push('\n');
    std::fs::write(dir.join(OVERRIDES_TXT), text)
}

/// Writes devices.csv.
pub fn write_devices(dir: &Path, devices: &[DeviceRecord]) -> Result<()> {
    let mut w = csv::Writer::from_writer(BufWriter::new(File::create(dir.join(DEVICES_CSV))?));
    for d in devices {
        w.serialize(d)?;
    }
    w.flush()?;
    Ok(())
}

/// Flattens the summary to (key, value) pairs: scalar keys, then `<class>.<field>`.
pub fn summary_pairs(s: &Summary) -> Vec<(String, String)> {
    let v = serde_json::to_value(s).expect("summary serializes");
    let mut out = Vec::new();
    if let serde_json::Value::Object(m) = v {
        for (k, v) in m {
            match v {
                serde_json::Value::Object(classes) => {
                    for (c, fields) in classes {
                        if let serde_json::Value::Object(f) = fields {
                            for (fk, fv) in f {
                                out.push((format!("{k}.{c}.{fk}"), scalar(&fv)));
                            }
                        }
                    }
                }
                other => out.push((k, scalar(&other))),
            }
        }
    }
    out
}

/// A summary value as a CSV cell: null is empty, text is unquoted, numbers as JSON.
pub(crate) fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Writes summary.json and summary.csv (one header row, one value row).
pub fn write_summary(dir: &Path, s: &Summary) -> Result<()> {
    let mut f = BufWriter::new(File::create(dir.join(SUMMARY_JSON))?);
    serde_json::to_writer_pretty(&mut f, s)?;
    writeln!(f)?;
    f.flush()?;
    let pairs = summary_pairs(s);
    let mut w = csv::Writer::from_writer(BufWriter::new(File::create(dir.join(SUMMARY_CSV))?));
    w.write_record(pairs.iter().map(|p| p.0.as_str()))?;
    w.write_record(pairs.iter().map(|p| p.1.as_str()))?;
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CSV observer writing into a new temporary folder for the scenario `yaml`.
    fn observer(yaml: &str) -> (tempfile::TempDir, CsvObserver) {
        let sc =
            crate::scenario::parse_str(yaml, crate::scenario::Format::Yaml, Path::new("t.yaml"))
                .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let obs = CsvObserver::create(dir.path(), &sc).unwrap();
        (dir, obs)
    }

    /// jobs.csv holds every row in order, as `write_csv` writes it, across chunk
    /// boundaries and with rows too long for a chunk (tens of thousands of devices).
    #[test]
    fn job_rows_are_written_in_order_across_chunks() {
        let (dir, mut obs) = observer(
            "name: t\ndatacenter:\n  classes:\n    a: {category: cpu, count: 1, speed: {k: 1}, busy_power: 1W}\nworkload:\n  kinds:\n    k: {}\n",
        );
        let huge: Vec<String> = (0..20_000).map(|i| i.to_string()).collect();
        let mut want = format!("{}\n", JOB_COLUMNS.join(",")).into_bytes();
        for i in 0..3000u64 {
            let r = JobRecord {
                id: i,
                kind: "k".into(),
                end_s: i as f64 * 0.001,
                work: 1.0 / (i + 1) as f64,
                class: "a".into(),
                devices: if i % 1000 == 999 {
                    huge.join(";")
                } else {
                    "0".into()
                },
                ..Default::default()
            };
            r.write_csv(&mut want);
            obs.job(&r).unwrap();
        }
        obs.finish().unwrap();
        assert_eq!(std::fs::read(dir.path().join(JOBS_CSV)).unwrap(), want);
    }

    /// power.csv rows are formatted as the `to_string` of each number (Rust's
    /// `Display` for f64), written without intermediate strings: checked against
    /// the joined `to_string`s on awkward values (tiny, huge, inexact sums, -0).
    #[test]
    fn power_rows_format_as_display() {
        let (dir, mut obs) = observer(
            "name: t\ndatacenter:\n  classes:\n    a: {category: cpu, count: 1, speed: {k: 1}, busy_power: 1W}\n    b: {category: gpu, count: 1, speed: {k: 1}, busy_power: 1W}\nworkload:\n  kinds:\n    k: {}\noutput: {power_interval: 1s}\n",
        );
        let rows = [
            PowerRow {
                time_s: 0.1 + 0.2,
                duration_s: 1e-7,
                class_w: vec![1e21, -0.0],
                it_w: 123456.789,
                facility_w: f64::MIN_POSITIVE,
                cap_w: None,
                queue_len: 3.0,
                busy_devices: 0.5,
                asleep_devices: 0.0,
                transition_devices: 2.0 / 3.0,
                carbon_g: 1e300,
                cost: 5e-324,
            },
            PowerRow {
                cap_w: Some(7.25),
                ..PowerRow {
                    time_s: 1.0,
                    duration_s: 1.0,
                    class_w: vec![0.0, 1.0],
                    it_w: 1.0,
                    facility_w: 1.0,
                    cap_w: None,
                    queue_len: 0.0,
                    busy_devices: 0.0,
                    asleep_devices: 0.0,
                    transition_devices: 0.0,
                    carbon_g: 0.0,
                    cost: 0.0,
                }
            },
        ];
        let mut want = String::new();
        for r in &rows {
            obs.power(r).unwrap();
            let mut cells = vec![r.time_s.to_string(), r.duration_s.to_string()];
            cells.extend(r.class_w.iter().map(|w| w.to_string()));
            cells.push(r.it_w.to_string());
            cells.push(r.facility_w.to_string());
            cells.push(r.cap_w.map(|c| c.to_string()).unwrap_or_default());
            for v in [
                r.queue_len,
                r.busy_devices,
                r.asleep_devices,
                r.transition_devices,
                r.carbon_g,
                r.cost,
            ] {
                cells.push(v.to_string());
            }
            want.push_str(&cells.join(","));
            want.push('\n');
        }
        obs.finish().unwrap();
        let got = std::fs::read_to_string(dir.path().join(POWER_CSV)).unwrap();
        let (header, body) = got.split_once('\n').unwrap();
        assert_eq!(
            header,
            "time_s,duration_s,a_w,b_w,it_w,facility_w,cap_w,queue_len,busy_devices,asleep_devices,transition_devices,carbon_g,cost"
        );
        assert_eq!(body, want);
    }
}
