//! A plain CSV job list, for users' own data and for `hetsim import ... -o FILE.csv`.
//!
//! The first line is a header naming the columns, in any order. Columns:
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `arrival` | yes | arrival time: seconds, or with a unit (`90s`, `2.5h`) |
//! | `work` | yes | work units (a number) |
//! | `kind` | no | job kind (category); default `job` |
//! | `devices` | no | gang size; default: the kind's |
//! | `memory` | no | memory per device: bytes or with a unit (`16GB`); default: the kind's |
//! | `deadline` | no | relative deadline (duration); default: the kind's |
//! | `priority` | no | integer; default: the kind's |
//! | `estimate` | no | the user's run-time estimate (duration) |
//! | `slack` | no | how long the job may be deferred (duration) |
//! | `id` | no | a name other rows can refer to in `after` (unique) |
//! | `after` | no | the `id` of an earlier row whose completion releases this job (pipelines); its `arrival` is then ignored |
//!
//! Empty cells take the default. Unknown columns are an error (a typo would otherwise
//! be silently ignored). Rows need not be sorted by arrival.

use super::{Ctx, RecordError, TraceError, TraceJob};
use crate::units::{Bytes, Seconds};
use std::collections::HashMap;
use std::io::BufRead;

/// The columns, in the order `hetsim import` writes them.
pub const COLUMNS: &[&str] = &[
    "arrival", "kind", "work", "devices", "memory", "deadline", "priority", "estimate", "slack",
    "id", "after",
];

/// The mapping, one line per rule (for imported files).
pub const MAPPING: &[&str] = &[
    "columns: arrival (s or duration), work, kind (default job), devices, memory, deadline, priority, estimate, slack, id, after",
    "empty cells take the kind's defaults; after = id of an earlier row released on completion",
];

/// Reads a CSV job list.
pub fn read(r: Box<dyn BufRead>, ctx: &mut Ctx) -> Result<(), TraceError> {
    let mut cols: Option<[Option<usize>; 11]> = None;
    let mut ids: HashMap<String, u32> = HashMap::new();
    super::each_csv_record(r, ctx, b',', true, |ctx, line, header, rec| {
        let c = match cols {
            Some(c) => c,
            None => {
                let mut c = [None; 11];
                for (i, h) in header.iter().enumerate() {
                    let h = h.trim();
                    let k = COLUMNS.iter().position(|n| *n == h).ok_or_else(|| {
                        ctx.error(
                            Some(1),
                            format!("unknown column `{h}`; columns: {}", COLUMNS.join(", ")),
                        )
                    })?;
                    if c[k].is_some() {
                        return Err(ctx.error(Some(1), format!("column `{h}` appears twice")));
                    }
                    c[k] = Some(i);
                }
                for req in [0, 2] {
                    if c[req].is_none() {
                        return Err(ctx.error(
                            Some(1),
                            format!("the header has no `{}` column", COLUMNS[req]),
                        ));
                    }
                }
                cols = Some(c);
                c
            }
        };
        let cell = |k: usize| {
            c[k].and_then(|i| rec.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let dur = |k: usize| -> Result<Option<f64>, RecordError> {
            cell(k)
                .map(|s| {
                    Seconds::parse(s)
                        .map(|v| v.0)
                        .map_err(|m| RecordError::Invalid(format!("{}: {m}", COLUMNS[k])))
                })
                .transpose()
        };
        let parsed = (|| -> Result<TraceJob, RecordError> {
            let arrival = dur(0)?.unwrap_or(0.0);
            let work = super::number(cell(2).unwrap_or(""), "work")?;
            if work < 0.0 {
                return Err(format!("work: {work} is negative").into());
            }
            let devices = cell(3)
                .map(|s| {
                    s.parse::<u32>()
                        .map_err(|_| RecordError::Invalid(format!("devices: `{s}` is not a count")))
                })
                .transpose()?;
            if devices == Some(0) {
                return Err("devices: must be at least 1".into());
            }
            let memory = cell(4)
                .map(|s| {
                    Bytes::parse(s)
                        .map(|b| b.0)
                        .map_err(|m| RecordError::Invalid(format!("memory: {m}")))
                })
                .transpose()?;
            let priority = cell(6)
                .map(|s| {
                    s.parse::<i32>().map_err(|_| {
                        RecordError::Invalid(format!("priority: `{s}` is not an integer"))
                    })
                })
                .transpose()?;
            let after = match cell(10) {
                None => None,
                Some(a) => Some(
                    *ids.get(a)
                        .ok_or_else(|| format!("after: no earlier row has id `{a}`"))?,
                ),
            };
            Ok(TraceJob {
                line,
                arrival,
                category: 0,
                work,
                devices,
                memory,
                deadline: dur(5)?,
                priority,
                estimate: dur(7)?,
                slack: dur(8)?,
                after,
                slots: None,
                source_id: cell(9).and_then(|s| s.parse::<u64>().ok()),
            })
        })();
        let mut job = match parsed {
            Ok(j) => j,
            Err(m) => return ctx.malformed(line, m),
        };
        job.category = ctx.trace.category(cell(1).unwrap_or("job"));
        if let Some(id) = cell(9) {
            if ids.contains_key(id) {
                return ctx.malformed(line, format!("id `{id}` is used twice"));
            }
            ids.insert(id.to_string(), ctx.trace.jobs.len() as u32);
        }
        ctx.trace.jobs.push(job);
        Ok(())
    })
}
