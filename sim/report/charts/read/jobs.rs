//! Streams jobs.csv into response CDFs, deadlines, busy devices and Gantt jobs.

use super::csv_file::{CsvFile, Fields, col, need, parse_f64};
use super::{ClassInfo, ReadOptions};
use crate::report::charts::series::{
    BusyBuilder, CdfBuilder, Deadlines, GanttJob, Grid, TimeSeries,
};
use crate::report::error::{Context, ReportError, Result};
use crate::schema::{JOBS_CSV, jobs};
use std::path::Path;

pub(super) struct JobsRead {
    pub(super) cdfs: Vec<CdfBuilder>,
    pub(super) deadlines: Vec<Deadlines>,
    pub(super) busy: TimeSeries,
    pub(super) busy_s: Vec<f64>,
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
    slots: Option<usize>,
}

/// What one chunk of jobs.csv adds up to.
struct JobsAcc {
    kinds: Vec<Vec<u8>>,
    cdfs: Vec<CdfBuilder>,
    deadlines: Vec<Deadlines>,
    busy: BusyBuilder,
    // `None` once the chunk has more jobs than the Gantt chart shows.
    gantt: Option<Vec<GanttJob>>,
    // Devices (in device-equivalents: a job on k of S slots counts k/S) per class.
    per_class: Vec<f64>,
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
        class_slots: &[u32],
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
                return Err(ReportError::Data("bad device list".into()));
            }
            self.devs.push(v);
        }
        // Slots held on one device; more than a device has means the whole device.
        let held = c
            .slots
            .and_then(|i| std::str::from_utf8(rec.get(i)).ok()?.parse::<u32>().ok());
        for &d in &self.devs {
            let cl = *device_class
                .get(d as usize)
                .with_context(|| format!("unknown device {d}"))?;
            let s = class_slots.get(cl).copied().unwrap_or(1).max(1);
            self.per_class[cl] += held.map_or(1.0, |k| k.min(s) as f64 / s as f64);
        }
        for (cl, n) in self.per_class.iter_mut().enumerate() {
            if *n > 0.0 {
                self.busy.add(cl, *n, start, end);
                *n = 0.0;
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
pub(super) fn read_jobs(
    dir: &Path,
    classes: &[ClassInfo],
    device_class: &[usize],
    kind_names: &mut Vec<String>,
    grid: Grid,
    opts: &ReadOptions,
    gantt: &mut Result<Vec<GanttJob>, String>,
) -> Result<JobsRead> {
    let file = CsvFile::open(dir.join(JOBS_CSV))?;
    let h = &file.header;
    let f = JOBS_CSV;
    let cols = JobCols {
        kind: need(h, jobs::KIND, f)?,
        start: need(h, jobs::START_S, f)?,
        end: need(h, jobs::END_S, f)?,
        response: need(h, jobs::RESPONSE_S, f)?,
        devices: need(h, jobs::DEVICES, f)?,
        id: col(h, jobs::ID),
        arrival: col(h, jobs::ARRIVAL_S),
        deadline: col(h, jobs::DEADLINE_S),
        met: col(h, jobs::DEADLINE_MET),
        slots: col(h, jobs::SLOTS),
    };
    let class_slots: Vec<u32> = classes.iter().map(|c| c.slots).collect();
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
        per_class: vec![0.0; classes.len()],
        devs: Vec::new(),
        last_kind: 0,
        exact_cdf: opts.exact_cdf,
    };
    let parts = file.fold(init, |acc, rec| {
        acc.row(rec, &cols, device_class, &class_slots, opts.gantt_max_jobs)
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
