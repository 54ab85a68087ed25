//! Writers for the run folder's CSV and JSON files.

use crate::metrics::{JobRecord, Summary};
use crate::model::Scenario;
use crate::power::PowerRow;
use crate::report::error::{Context, Result};
use crate::schema::{
    DEVICES_CSV, JOB_COLUMNS, JOBS_CSV, POWER_CSV, SUMMARY_CSV, SUMMARY_JSON, power,
};
use crate::simulation::{DeviceRecord, Observer};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Streams jobs.csv and power.csv while the simulation runs.
pub struct CsvObserver {
    jobs: BufWriter<File>,
    line: Vec<u8>,
    power: csv::Writer<BufWriter<File>>,
    row: Vec<String>,
    progress: Option<Box<dyn FnMut(f64, u64)>>,
    jobs_written: u64,
}

impl CsvObserver {
    /// Creates jobs.csv and power.csv in `dir` with their headers.
    pub fn create(dir: &Path, sc: &Scenario) -> Result<Self> {
        let open = |name: &str| -> Result<csv::Writer<BufWriter<File>>> {
            let f =
                File::create(dir.join(name)).with_context(|| format!("cannot create {name}"))?;
            Ok(csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(BufWriter::with_capacity(1 << 16, f)))
        };
        let f = File::create(dir.join(JOBS_CSV)).context(format!("cannot create {JOBS_CSV}"))?;
        let mut jobs = BufWriter::with_capacity(1 << 16, f);
        writeln!(jobs, "{}", JOB_COLUMNS.join(","))?;
        let mut power = open(POWER_CSV)?;
        let mut header = vec![power::TIME_S.to_string(), power::DURATION_S.to_string()];
        header.extend(sc.classes.iter().map(|c| power::class_w(&c.name)));
        header.extend(power::TOTALS.map(String::from));
        power.write_record(&header)?;
        Ok(CsvObserver {
            jobs,
            power,
            row: Vec::new(),
            progress: None,
            jobs_written: 0,
            line: Vec::with_capacity(256),
        })
    }

    /// Sets a progress callback.
    pub fn with_progress(mut self, f: Box<dyn FnMut(f64, u64)>) -> Self {
        self.progress = Some(f);
        self
    }

    /// Flushes both files.
    pub fn finish(mut self) -> Result<()> {
        self.jobs.flush()?;
        self.power.flush()?;
        Ok(())
    }
}

impl Observer for CsvObserver {
    fn job(&mut self, r: &JobRecord) -> std::io::Result<()> {
        self.jobs_written += 1;
        self.line.clear();
        r.write_csv(&mut self.line);
        self.jobs.write_all(&self.line)?;
        Ok(())
    }
    fn power(&mut self, r: &PowerRow) -> std::io::Result<()> {
        self.row.clear();
        self.row.push(r.time_s.to_string());
        self.row.push(r.duration_s.to_string());
        self.row.extend(r.class_w.iter().map(|w| w.to_string()));
        self.row.push(r.it_w.to_string());
        self.row.push(r.facility_w.to_string());
        self.row
            .push(r.cap_w.map(|c| c.to_string()).unwrap_or_default());
        self.row.push(r.queue_len.to_string());
        self.row.push(r.busy_devices.to_string());
        self.row.push(r.asleep_devices.to_string());
        self.row.push(r.transition_devices.to_string());
        self.row.push(r.carbon_g.to_string());
        self.row.push(r.cost.to_string());
        self.power.write_record(&self.row)?;
        Ok(())
    }
    fn progress(&mut self, now_s: f64, jobs: u64) {
        if let Some(p) = &mut self.progress {
            p(now_s, jobs);
        }
    }
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

fn scalar(v: &serde_json::Value) -> String {
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
