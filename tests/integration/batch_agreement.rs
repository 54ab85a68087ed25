//! The `batch` policy against the independent textbook reference
//! (`batch_reference.rs`), start time for start time, on the shared SWF traces; and
//! the ordering contract: permuting the order in which simultaneous events were
//! scheduled changes nothing.

use crate::batch_reference::{self as reference, Backfill, Order, RefTrace};
use hetsim::metrics::JobRecord;
use hetsim::power::PowerRow;
use hetsim::scenario::{Format, parse_str};
use hetsim::simulation::{Observer, Simulation};
use std::path::Path;

/// Keeps (id, arrival, start) of every job and the jobs.csv-like rows.
#[derive(Default)]
struct Starts {
    jobs: Vec<(u64, f64, f64)>,
    rows: Vec<String>,
}

impl Observer for Starts {
    fn job(&mut self, r: &JobRecord) -> std::io::Result<()> {
        self.jobs.push((r.id, r.arrival_s, r.start_s));
        self.rows.push(format!(
            "{},{},{},{},{},{},{}",
            r.id, r.kind, r.arrival_s, r.start_s, r.end_s, r.devices, r.energy_j
        ));
        Ok(())
    }
    fn power(&mut self, _: &PowerRow) -> std::io::Result<()> {
        Ok(())
    }
}

fn scenario(file: &Path, procs: i64, jobs: usize, policy: &str) -> String {
    format!(
        "name: agree\ndatacenter:\n  classes:\n    proc: {{category: cpu, count: {procs}, speed: {{hpc: 1}}, busy_power: 100W}}\n\
         workload:\n  kinds:\n    hpc: {{}}\n  traces:\n    - {{format: swf, file: \"{}\", kind: hpc, limit: {jobs}}}\n\
         policy: {policy}\n",
        file.display()
    )
}

/// Replays `t` (read from `file`) with `policy` in process; start times in the
/// trace's clock, by the reference's job position.
fn hetsim_starts(file: &Path, t: &RefTrace, policy: &str) -> Vec<i64> {
    let text = scenario(file, t.procs, t.jobs.len(), policy);
    let sc =
        parse_str(&text, Format::Yaml, Path::new("agree.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let mut obs = Starts::default();
    Simulation::new(&sc, 1)
        .unwrap()
        .run(&mut obs)
        .unwrap_or_else(|e| panic!("{e}"));
    // Job ids follow arrival order, ties in file order: the reference's (submit, pos).
    let mut by_arrival: Vec<usize> = (0..t.jobs.len()).collect();
    by_arrival.sort_by_key(|&i| (t.jobs[i].submit, t.jobs[i].pos));
    assert_eq!(obs.jobs.len(), t.jobs.len());
    let t0 = t.jobs[by_arrival[0]].submit;
    let mut starts = vec![0; t.jobs.len()];
    for &(id, arrival, start) in &obs.jobs {
        let i = by_arrival[id as usize];
        assert_eq!(
            arrival.round() as i64 + t0,
            t.jobs[i].submit,
            "job {id}: arrival"
        );
        starts[i] = start.round() as i64 + t0;
    }
    starts
}

fn agree(file: &str, limit: Option<usize>) {
    let path = crate::common::shared_data().join("swf").join(file);
    let t = reference::read_swf(&path, limit);
    let cases = [
        (Order::Fcfs, Backfill::None, "fcfs", "none"),
        (Order::Sjf, Backfill::None, "sjf", "none"),
        (Order::Fcfs, Backfill::Easy, "fcfs", "easy"),
        (Order::Sjf, Backfill::Easy, "sjf", "easy"),
        (Order::Fcfs, Backfill::Conservative, "fcfs", "conservative"),
    ];
    let mut failures = Vec::new();
    for (o, b, order, backfill) in cases {
        for exact in [false, true] {
            let key = if exact { "runtime" } else { "estimate" };
            let want = reference::schedule(&t, o, b, exact);
            let got = hetsim_starts(
                &path,
                &t,
                &format!(
                    "{{name: batch, params: {{order: {order}, backfill: {backfill}, key: {key}}}}}"
                ),
            );
            let same = want.iter().zip(&got).filter(|(a, b)| a == b).count();
            let (w, bs) = reference::metrics(&t, &got);
            eprintln!(
                "{file} ({} jobs) {order}+{backfill} key={key}: {same} / {} start times agree; hetsim mean wait {w:.2} s, mean bsld {bs:.2}",
                t.jobs.len(),
                t.jobs.len()
            );
            if same != t.jobs.len() {
                let first = want.iter().zip(&got).position(|(a, b)| a != b).unwrap();
                failures.push(format!(
                    "{order}+{backfill} key={key}: {same} / {} agree; first difference: job {} (trace id {}) reference {} hetsim {}",
                    t.jobs.len(),
                    first,
                    t.jobs[first].id,
                    want[first],
                    got[first]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{file}:\n{}", failures.join("\n"));
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn batch_agrees_with_the_reference_on_kth_sp2_first_5000() {
    agree("KTH-SP2-1996-2.1-cln.swf.gz", Some(5000));
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn batch_agrees_with_the_reference_on_lublin_256() {
    agree("lublin_256.swf", None);
}

/// Many jobs at few distinct times on a small cluster: completions, arrivals and
/// pipeline releases coincide. Every permutation of the scheduling order of
/// simultaneous events gives the same records.
#[test]
fn permuting_simultaneous_events_changes_nothing() {
    let mut jobs = String::new();
    for i in 0..60 {
        // Arrivals on a 5 s grid, work of whole seconds: many coincide with completions.
        let (at, work, n) = ((i / 4) * 5, 5 * (1 + i % 3), 1 + i % 3);
        let kind = if i % 5 == 0 { "a" } else { "b" };
        jobs.push_str(&format!(
            "    - {{kind: {kind}, arrival: {at}, work: {work}, devices: {n}}}\n"
        ));
    }
    for policy in [
        "{name: batch, params: {order: sjf, backfill: easy}}",
        "{name: batch, params: {order: fcfs, backfill: conservative}}",
        "{name: batch, params: {order: wfp3}}",
        "{name: fcfs}",
        "{name: sjf}",
        "{name: easy-backfill}",
        "{name: eft}",
        "{name: lpt}",
    ] {
        let text = format!(
            "name: ties\ndatacenter:\n  classes:\n    x: {{category: cpu, count: 4, speed: {{a: 1, b: 1, c: 1}}, busy_power: 100W, idle_power: 10W}}\n\
             workload:\n  kinds:\n    a: {{then: [c]}}\n    b: {{}}\n    c: {{size: {{dist: constant, value: 5}}}}\n  jobs:\n{jobs}\
             policy: {policy}\n"
        );
        let sc = parse_str(&text, Format::Yaml, Path::new("ties.yaml"))
            .unwrap_or_else(|e| panic!("{e}"));
        let run = |salt: u64| {
            let mut obs = Starts::default();
            Simulation::new(&sc, 1)
                .unwrap()
                .permute_ties(salt)
                .run(&mut obs)
                .unwrap_or_else(|e| panic!("{policy}: {e}"));
            obs.rows
        };
        let base = run(0);
        assert_eq!(base.len(), 72, "{policy}");
        for salt in [1, 0xdead_beef, u64::MAX / 3] {
            assert_eq!(run(salt), base, "{policy}, tie salt {salt}");
        }
    }
}
