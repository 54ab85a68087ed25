//! An independent, plain reference of textbook batch scheduling, for job-for-job
//! comparison with hetsim's batch policies. It shares no code with hetsim: it reads
//! SWF itself and simulates one pool of identical processors with its own loop,
//! written for clarity (O(n^2) passes are fine).
//!
//! Rules (the common convention of SWF replay studies):
//! - P = the header's `MaxProcs`, else `MaxNodes`.
//! - Per job: processors = field 8 (requested) if > 0, else field 5 (allocated); run
//!   time = field 4; estimate = field 9 if > 0, else the run time (or always the run
//!   time with `exact`). A job runs its recorded run time even past its estimate.
//! - Dropped (and counted): more processors than P, no processor count, negative run
//!   time or submit time. Status is ignored; zero run times are kept.
//! - Time: at each distinct time, all completions, then all arrivals, then one pass.
//!   A job that starts and ends at the same instant (run time 0) ends in a new batch at
//!   that instant, followed by another pass.
//! - Queue order: FCFS by (submit, position in file); SJF by (estimate, submit,
//!   position).
//! - A pass starts jobs from the head of the queue while they fit.
//! - EASY: when the head does not fit, the shadow time is the first estimated end of
//!   a running job (start + estimate; a job already past its estimate is expected to
//!   end now) at which the free processors, counting every running job expected to
//!   end by then, cover the head; the extra processors are those free at the shadow
//!   time beyond the head's need. Every other waiting job, in queue order, starts now
//!   if it fits now and either ends by estimate at or before the shadow time, or uses
//!   no more than the extra processors (which then shrink by its size).
//! - Conservative: every waiting job, in queue order, gets the earliest reservation in
//!   the profile of free processors (running jobs until their estimated end, earlier
//!   reservations over their estimates) where it fits for its whole estimate; those
//!   reserved now start. Reservations are rebuilt at each pass (which is compression
//!   when jobs end early). A running job past its estimate releases its processors an
//!   instant after now; a job with estimate 0 holds its processors for an instant.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// One SWF job as the reference sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct RefJob {
    /// Field 1.
    pub id: u64,
    /// Position among the kept jobs (file order).
    pub pos: usize,
    /// Field 2, seconds.
    pub submit: i64,
    /// Field 4, seconds.
    pub run: i64,
    /// Field 8 if > 0, else field 5.
    pub procs: i64,
    /// Field 9 if > 0, else the run time.
    pub estimate: i64,
}

/// A trace: the machine size and its kept jobs.
#[derive(Clone, Debug)]
pub struct RefTrace {
    /// Processors in the pool.
    pub procs: i64,
    /// Kept jobs, in file order.
    pub jobs: Vec<RefJob>,
    /// Records dropped by the rules above.
    pub dropped: usize,
}

/// Queue orders.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Order {
    /// By submit time.
    Fcfs,
    /// By estimate.
    Sjf,
}

/// Backfilling rules.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Backfill {
    /// Only the head may start.
    None,
    /// EASY (Lifka): protect the head only.
    Easy,
    /// Conservative: every waiting job holds a reservation.
    Conservative,
}

/// Reads the first `limit` job records of an SWF file (plain or gzip).
pub fn read_swf(path: &Path, limit: Option<usize>) -> RefTrace {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let (mut max_procs, mut max_nodes) = (None, None);
    let mut records = Vec::new();
    for line in BufReader::new(reader).lines() {
        let line = line.unwrap();
        let l = line.trim();
        if let Some(h) = l.strip_prefix(';') {
            let mut kv = h.splitn(2, ':');
            let (k, v) = (
                kv.next().unwrap_or("").trim(),
                kv.next().unwrap_or("").trim(),
            );
            match k {
                "MaxProcs" => max_procs = v.parse::<i64>().ok(),
                "MaxNodes" => max_nodes = v.parse::<i64>().ok(),
                _ => {}
            }
            continue;
        }
        if l.is_empty() {
            continue;
        }
        if limit.is_some_and(|n| records.len() >= n) {
            break;
        }
        let f: Vec<f64> = l.split_whitespace().map(|x| x.parse().unwrap()).collect();
        assert!(f.len() >= 18, "short SWF record: {l}");
        records.push(f);
    }
    let procs = max_procs.or(max_nodes).expect("MaxProcs or MaxNodes");
    let mut jobs = Vec::new();
    let mut dropped = 0;
    for f in records {
        let (submit, run) = (f[1] as i64, f[3] as i64);
        let p = if f[7] > 0.0 { f[7] as i64 } else { f[4] as i64 };
        if p <= 0 || p > procs || run < 0 || submit < 0 {
            dropped += 1;
            continue;
        }
        let estimate = if f[8] > 0.0 { f[8] as i64 } else { run };
        let pos = jobs.len();
        jobs.push(RefJob {
            id: f[0] as u64,
            pos,
            submit,
            run,
            procs: p,
            estimate,
        });
    }
    RefTrace {
        procs,
        jobs,
        dropped,
    }
}

/// Simulates the trace; returns each kept job's start time (seconds), by position.
pub fn schedule(t: &RefTrace, order: Order, backfill: Backfill, exact: bool) -> Vec<i64> {
    let n = t.jobs.len();
    let est: Vec<i64> = t
        .jobs
        .iter()
        .map(|j| if exact { j.run } else { j.estimate })
        .collect();
    let key = |i: usize| {
        let j = &t.jobs[i];
        match order {
            Order::Fcfs => (j.submit, 0, j.pos),
            Order::Sjf => (est[i], j.submit, j.pos),
        }
    };
    let mut arrivals: Vec<usize> = (0..n).collect();
    arrivals.sort_by_key(|&i| (t.jobs[i].submit, t.jobs[i].pos));
    let mut start: Vec<Option<i64>> = vec![None; n];
    let mut running: Vec<usize> = Vec::new();
    let mut waiting: Vec<usize> = Vec::new();
    let mut free = t.procs;
    let mut next = 0;
    loop {
        let t_arr = arrivals.get(next).map_or(i64::MAX, |&i| t.jobs[i].submit);
        let t_end = running
            .iter()
            .map(|&i| start[i].unwrap() + t.jobs[i].run)
            .min()
            .unwrap_or(i64::MAX);
        let now = t_arr.min(t_end);
        if now == i64::MAX {
            break;
        }
        running.retain(|&i| {
            let ends = start[i].unwrap() + t.jobs[i].run == now;
            if ends {
                free += t.jobs[i].procs;
            }
            !ends
        });
        while next < n && t.jobs[arrivals[next]].submit == now {
            waiting.push(arrivals[next]);
            next += 1;
        }
        waiting.sort_by_key(|&i| key(i));
        let begin =
            |i: usize, start: &mut [Option<i64>], free: &mut i64, running: &mut Vec<usize>| {
                start[i] = Some(now);
                *free -= t.jobs[i].procs;
                running.push(i);
            };
        // Start from the head while it fits.
        while let Some(&h) = waiting.first() {
            if t.jobs[h].procs > free {
                break;
            }
            waiting.remove(0);
            begin(h, &mut start, &mut free, &mut running);
        }
        if waiting.is_empty() {
            continue;
        }
        // Expected end of a running job: its estimate, or now when it is past it.
        let expected_end = |i: usize, start: &[Option<i64>]| (start[i].unwrap() + est[i]).max(now);
        match backfill {
            Backfill::None => {}
            Backfill::Easy => {
                let head = waiting[0];
                let need = t.jobs[head].procs;
                let mut ends: Vec<i64> = running.iter().map(|&i| expected_end(i, &start)).collect();
                ends.sort_unstable();
                ends.dedup();
                let (mut shadow, mut extra) = (i64::MAX, 0);
                for &e in &ends {
                    let avail = free
                        + running
                            .iter()
                            .filter(|&&i| expected_end(i, &start) <= e)
                            .map(|&i| t.jobs[i].procs)
                            .sum::<i64>();
                    if avail >= need {
                        shadow = e;
                        extra = avail - need;
                        break;
                    }
                }
                assert!(shadow < i64::MAX, "the head never fits");
                let mut k = 1;
                while k < waiting.len() {
                    let i = waiting[k];
                    let p = t.jobs[i].procs;
                    let before_shadow = now + est[i] <= shadow;
                    if p <= free && (before_shadow || p <= extra) {
                        if !before_shadow {
                            extra -= p;
                        }
                        waiting.remove(k);
                        begin(i, &mut start, &mut free, &mut running);
                    } else {
                        k += 1;
                    }
                }
            }
            Backfill::Conservative => {
                // The profile of free processors as a step function over half-seconds
                // (2t is time t, 2t+1 an instant after it): (from, free) breakpoints.
                let now2 = 2 * now;
                let mut releases: Vec<(i64, i64)> = running
                    .iter()
                    .map(|&i| {
                        let e = start[i].unwrap() + est[i];
                        (if e <= now { now2 + 1 } else { 2 * e }, t.jobs[i].procs)
                    })
                    .collect();
                releases.sort_unstable();
                let mut profile: Vec<(i64, i64)> = vec![(now2, free)];
                for (at, p) in releases {
                    let last = *profile.last().unwrap();
                    if last.0 == at {
                        profile.last_mut().unwrap().1 += p;
                    } else {
                        profile.push((at, last.1 + p));
                    }
                }
                let mut k = 0;
                // No job can start now once no processor is free now.
                while k < waiting.len() && free > 0 {
                    let i = waiting[k];
                    let p = t.jobs[i].procs;
                    let len = (2 * est[i]).max(1);
                    // Earliest breakpoint from which the job fits for `len`.
                    let mut a = 0;
                    let s = loop {
                        while profile[a].1 < p {
                            a += 1;
                        }
                        let end = profile[a].0 + len;
                        match profile[a..].iter().position(|&(at, f)| at < end && f < p) {
                            None => break a,
                            Some(bad) => a += bad,
                        }
                    };
                    let (from, to) = (profile[s].0, profile[s].0 + len);
                    // Split at `to`, then take p processors over [from, to).
                    let j = profile.partition_point(|&(at, _)| at < to);
                    if j == profile.len() || profile[j].0 != to {
                        let before = profile[j - 1].1;
                        profile.insert(j, (to, before));
                    }
                    for b in profile.iter_mut().filter(|b| b.0 >= from && b.0 < to) {
                        b.1 -= p;
                    }
                    if from == now2 {
                        waiting.remove(k);
                        begin(i, &mut start, &mut free, &mut running);
                    } else {
                        k += 1;
                    }
                }
            }
        }
    }
    start
        .into_iter()
        .map(|s| s.expect("every job starts"))
        .collect()
}

/// Mean wait and mean bounded slowdown (threshold 10 s) of a schedule.
pub fn metrics(t: &RefTrace, starts: &[i64]) -> (f64, f64) {
    let n = t.jobs.len() as f64;
    let mut wait = 0.0;
    let mut bsld = 0.0;
    for (j, &s) in t.jobs.iter().zip(starts) {
        let w = (s - j.submit) as f64;
        wait += w;
        bsld += ((w + j.run as f64) / (j.run as f64).max(10.0)).max(1.0);
    }
    (wait / n, bsld / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trace from (submit, procs, run, estimate) tuples.
    fn trace(procs: i64, jobs: &[(i64, i64, i64, i64)]) -> RefTrace {
        RefTrace {
            procs,
            jobs: jobs
                .iter()
                .enumerate()
                .map(|(pos, &(submit, p, run, estimate))| RefJob {
                    id: pos as u64 + 1,
                    pos,
                    submit,
                    run,
                    procs: p,
                    estimate,
                })
                .collect(),
            dropped: 0,
        }
    }

    // Hand-computed cases.

    #[test]
    fn reference_fcfs_blocks_and_easy_backfills_a_short_job() {
        // P=4. J1 takes 3 procs for 10 s; J2 (2 procs) must wait for it; J3 (1 proc,
        // 2 s) arrives at 1: FCFS keeps it behind J2, EASY backfills it (ends at 3,
        // before the shadow time 10).
        let t = trace(4, &[(0, 3, 10, 10), (0, 2, 5, 5), (1, 1, 2, 2)]);
        assert_eq!(
            schedule(&t, Order::Fcfs, Backfill::None, false),
            [0, 10, 10]
        );
        assert_eq!(schedule(&t, Order::Fcfs, Backfill::Easy, false), [0, 10, 1]);
        assert_eq!(
            schedule(&t, Order::Fcfs, Backfill::Conservative, false),
            [0, 10, 1]
        );
    }

    #[test]
    fn reference_easy_may_delay_the_second_job_conservative_may_not() {
        // P=4. J1: 3 procs 0-10. J2 (head, 2 procs): shadow 10, extra 2. J3 (4 procs)
        // second. J4 (1 proc, 20 s) at 3 fits the extra processors: EASY starts it,
        // which delays J3 from 20 to 23; conservative reserves J3 at 20 and J4 at 30.
        let t = trace(
            4,
            &[
                (0, 3, 10, 10),
                (1, 2, 10, 10),
                (2, 4, 10, 10),
                (3, 1, 20, 20),
            ],
        );
        assert_eq!(
            schedule(&t, Order::Fcfs, Backfill::Easy, false),
            [0, 10, 23, 3]
        );
        assert_eq!(
            schedule(&t, Order::Fcfs, Backfill::Conservative, false),
            [0, 10, 20, 30]
        );
        assert_eq!(
            schedule(&t, Order::Fcfs, Backfill::None, false),
            [0, 10, 20, 30]
        );
    }

    #[test]
    fn reference_sees_simultaneous_completion_and_arrival_in_one_pass() {
        // P=1. J1 ends at 10 when J3 (1 s) arrives; J2 (100 s) has waited since 5.
        // SJF sees both at 10 and starts J3 first.
        let t = trace(1, &[(0, 1, 10, 10), (5, 1, 100, 100), (10, 1, 1, 1)]);
        assert_eq!(schedule(&t, Order::Sjf, Backfill::None, false), [0, 11, 10]);
        assert_eq!(
            schedule(&t, Order::Fcfs, Backfill::None, false),
            [0, 10, 110]
        );
    }

    #[test]
    fn reference_uses_estimates_not_run_times_unless_exact() {
        // P=2. J1: 2 procs 0-10. J2 (2 procs) estimates 3 s; J3 (1 proc) runs 5 s but
        // estimates 20; J4 (1 proc) runs 8 s but estimates 1. SJF by estimate at 10:
        // J4, J2, J3: J4 starts, J2 blocks the rest until J4 ends at 18; J2 18-21; J3
        // at 21.
        let t = trace(
            2,
            &[(0, 2, 10, 10), (1, 2, 3, 3), (2, 1, 5, 20), (3, 1, 8, 1)],
        );
        assert_eq!(
            schedule(&t, Order::Sjf, Backfill::None, false),
            [0, 18, 21, 10]
        );
        // Exact run times: J2 (3), J3 (5), J4 (8): J2 at 10-13, then J3 and J4 at 13.
        assert_eq!(
            schedule(&t, Order::Sjf, Backfill::None, true),
            [0, 10, 13, 13]
        );
    }

    #[test]
    fn reference_easy_expects_an_overdue_job_to_end_now() {
        // P=2. J1: 1 proc, runs 10 but estimated 2. J2 (head) needs 2. At 3 (J3
        // arrives, 1 proc, 5 s) J1 is overdue: shadow = 3, extra = 2 - 2 = 0, and
        // J3 does not end by 3: not backfilled. J2 starts at 10, J3 at 12.
        let t = trace(2, &[(0, 1, 10, 2), (1, 2, 2, 2), (3, 1, 5, 5)]);
        assert_eq!(
            schedule(&t, Order::Fcfs, Backfill::Easy, false),
            [0, 10, 12]
        );
        // Conservative: J2 reserved an instant after 3, J3 after J2: same starts.
        assert_eq!(
            schedule(&t, Order::Fcfs, Backfill::Conservative, false),
            [0, 10, 12]
        );
    }

    #[test]
    fn reference_zero_run_time_jobs_free_their_processors_at_once() {
        // P=1: two zero-length jobs and a 5 s job, all at 0: all start at 0 (the
        // second and third after the first's completion at the same instant).
        let t = trace(1, &[(0, 1, 0, 0), (0, 1, 0, 0), (0, 1, 5, 5)]);
        for b in [Backfill::None, Backfill::Easy, Backfill::Conservative] {
            assert_eq!(schedule(&t, Order::Fcfs, b, false), [0, 0, 0], "{b:?}");
        }
    }
}

/// The reference on the shared SWF traces (timings and magnitudes, for development).
#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn reference_on_shared_traces() {
    let d = crate::common::shared_data().join("swf");
    for (f, n) in [
        ("KTH-SP2-1996-2.1-cln.swf.gz", 5000),
        ("lublin_256.swf", 10000),
    ] {
        let t = read_swf(&d.join(f), Some(n));
        for (o, b) in [
            (Order::Fcfs, Backfill::None),
            (Order::Sjf, Backfill::None),
            (Order::Fcfs, Backfill::Easy),
            (Order::Sjf, Backfill::Easy),
            (Order::Fcfs, Backfill::Conservative),
        ] {
            for exact in [false, true] {
                let t0 = std::time::Instant::now();
                let s = schedule(&t, o, b, exact);
                let (w, bs) = metrics(&t, &s);
                eprintln!(
                    "{f} {n} (kept {}, dropped {}) {o:?} {b:?} exact={exact}: wait {w:.2} bsld {bs:.2} ({:.2} s)",
                    t.jobs.len(),
                    t.dropped,
                    t0.elapsed().as_secs_f64()
                );
            }
        }
    }
}
