//! Standard Workload Format (Parallel Workloads Archive), version 2.2.
//!
//! Lines starting with `;` are header comments; `MaxProcs` (or, when absent, `MaxNodes`)
//! gives the machine size. Every other non-empty line is one job of 18
//! whitespace-separated fields, -1 meaning unknown. The mapping:
//!
//! | job field | from | rule |
//! |---|---|---|
//! | arrival | field 2, submit time (s) | |
//! | work | field 4, run time (s) | work units = seconds on one of the traced machine's processors, so a class with speed 1 replays the trace's run times. -1: dropped ("run time unknown") |
//! | devices | field 8, requested processors (what a scheduler knows at submit); with `procs: allocated` (`--procs allocated`), field 5 first | -1: the other field (field 5, allocated processors, by default); both -1: dropped ("processor count unknown"); more than the machine's processors (MaxProcs, else MaxNodes): dropped and counted |
//! | estimate | field 9, requested time (s) | -1: none (policies fall back to the run time, as RLScheduler does) |
//! | kind | (none) | category `job` |
//!
//! Not mapped: wait time (field 3; the simulator computes its own), CPU time, memory
//! (fields 6, 7, 10), status (field 11: failed and cancelled jobs held their processors
//! for their run time, so they are kept), user, group, application, queue, partition
//! (fields 12 to 16), and dependencies (fields 17, 18: -1 in all four logs in
//! `../shared/data/swf/`). A line with fewer than 18 fields, or a field that is not a
//! number, is malformed.

use super::{Ctx, SwfProcs, TraceError, TraceJob};
use std::io::BufRead;

/// The mapping, one line per rule (for imported files).
pub const MAPPING: &[&str] = &[
    "arrival  = field 2 (submit time, s)",
    "work     = field 4 (run time, s): seconds on one traced processor; speed 1 replays the trace; -1 -> dropped",
    "devices  = field 8 (requested processors), else field 5 (allocated) when -1 (procs: allocated: field 5 first); both -1 -> dropped; > MaxProcs (else MaxNodes) -> dropped",
    "estimate = field 9 (requested time, s); -1 -> none",
    "source_id = field 1 (job number); time origin = header UnixStartTime (else 0)",
    "kind     = category `job`; status, wait, memory, user, queue and dependency fields are not mapped",
];

/// Reads an SWF log.
pub fn read(r: Box<dyn BufRead>, ctx: &mut Ctx, which: SwfProcs) -> Result<(), TraceError> {
    let cat = ctx.trace.category("job");
    let mut max_nodes = None;
    let mut fields = [0.0f64; 18];
    for (i, line) in r.lines().enumerate() {
        let lineno = i as u64 + 1;
        let line = line.map_err(|e| ctx.error(Some(lineno), format!("read error: {e}")))?;
        let s = line.trim();
        if s.is_empty() {
            continue;
        }
        if let Some(h) = s.strip_prefix(';') {
            header(h, ctx, &mut max_nodes);
            continue;
        }
        ctx.trace.records += 1;
        let mut n = 0;
        let mut bad = None;
        for (k, tok) in s.split_whitespace().enumerate() {
            if k >= 18 {
                n += 1;
                continue;
            }
            match tok.parse::<f64>() {
                Ok(v) if v.is_finite() => fields[k] = v,
                _ => {
                    bad.get_or_insert(format!("field {} is `{tok}`, not a number", k + 1));
                }
            }
            n += 1;
        }
        if n < 18 {
            ctx.malformed(lineno, format!("{n} fields, SWF has 18"))?;
            continue;
        }
        if let Some(m) = bad {
            ctx.malformed(lineno, m)?;
            continue;
        }
        let submit = fields[1];
        let run = fields[3];
        if submit < 0.0 {
            ctx.trace.drop_record("submit time unknown");
            continue;
        }
        if run < 0.0 {
            ctx.trace.drop_record("run time unknown");
            continue;
        }
        // By default what the scheduler knew at submit (requested), else what the job
        // got; `procs: allocated` the other way round.
        let (first, second) = match which {
            SwfProcs::Requested => (fields[7], fields[4]),
            SwfProcs::Allocated => (fields[4], fields[7]),
        };
        let procs = if first > 0.0 { first } else { second };
        if procs <= 0.0 {
            ctx.trace.drop_record("processor count unknown");
            continue;
        }
        let max = ctx.trace.max_procs.or(max_nodes);
        if max.is_some_and(|m| procs > m as f64) {
            ctx.trace.drop_record("more processors than MaxProcs");
            continue;
        }
        ctx.trace.jobs.push(TraceJob {
            line: lineno,
            arrival: submit,
            category: cat,
            work: run,
            devices: Some(procs.round() as u32),
            memory: None,
            deadline: None,
            priority: None,
            estimate: (fields[8] > 0.0).then_some(fields[8]),
            slack: None,
            after: None,
            slots: None,
            source_id: (fields[0] >= 0.0 && fields[0].fract() == 0.0).then_some(fields[0] as u64),
        });
    }
    if ctx.trace.max_procs.is_none() {
        ctx.trace.max_procs = max_nodes;
    }
    Ok(())
}

fn header(h: &str, ctx: &mut Ctx, max_nodes: &mut Option<u64>) {
    let Some((key, value)) = h.split_once(':') else {
        return;
    };
    let (key, value) = (key.trim(), value.trim());
    match key {
        "MaxProcs" => ctx.trace.max_procs = value.parse().ok().filter(|&v: &u64| v > 0),
        "MaxNodes" => *max_nodes = value.parse().ok().filter(|&v: &u64| v > 0),
        "UnixStartTime" => ctx.trace.time_base = value.parse().ok().filter(|v: &f64| v.is_finite()),
        "Computer" | "Installation" | "Acknowledge" | "StartTime" | "EndTime" => {
            ctx.trace.notes.push(format!("{key}: {value}"))
        }
        _ => {}
    }
}
