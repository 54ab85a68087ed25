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

/// Records the estimate every released job carries, placing nothing itself (wraps eft).
struct SeeEstimates {
    seen: std::sync::Arc<std::sync::Mutex<Vec<Option<f64>>>>,
}

impl hetsim::policy::Policy for SeeEstimates {
    fn name(&self) -> &'static str {
        "see-estimates"
    }
    fn on_arrival(
        &mut self,
        job: hetsim::policy::JobInfo,
        view: &hetsim::policy::ClusterView,
        out: &mut Vec<hetsim::policy::Decision>,
    ) {
        self.seen
            .lock()
            .unwrap()
            .push(job.estimate().map(hetsim::engine::to_secs));
        let devices = view
            .free_devices(hetsim::policy::ClassId::new(0), 1)
            .collect();
        out.push(hetsim::policy::Decision::Assign {
            job: job.slot(),
            devices,
        });
    }
    fn decide(&mut self, _: &hetsim::policy::ClusterView, _: &mut Vec<hetsim::policy::Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}

fn estimates_seen(estimate: &str) -> Result<Vec<Option<f64>>, String> {
    // Speeds 2 (fast) and 1: a job of work w runs w / 2 s on the fastest class.
    let text = format!(
        "name: est\ndatacenter:\n  classes:\n    fast: {{category: gpu, count: 50, speed: {{a: 2}}, busy_power: 100W}}\n    slow: {{category: cpu, count: 50, speed: {{a: 1}}, busy_power: 100W}}\n\
         workload:\n  kinds:\n    a: {{arrival: {{process: periodic, period: 1s, count: 20}}, size: {{dist: uniform, min: 10, max: 30}}{estimate}}}\n\
         policy: {{name: eft}}\n"
    );
    let sc = parse_str(&text, Format::Yaml, Path::new("est.yaml")).map_err(|e| e.to_string())?;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let p = Box::new(SeeEstimates { seen: seen.clone() });
    let mut obs = Starts::default();
    Simulation::with_policy(&sc, 7, p)
        .unwrap()
        .run(&mut obs)
        .unwrap();
    let v = seen.lock().unwrap().clone();
    Ok(v)
}

#[test]
fn a_kinds_estimate_rule_gives_generated_jobs_requested_times() {
    // No rule: no estimate.
    assert!(estimates_seen("").unwrap().iter().all(|e| e.is_none()));
    // A factor: factor x run time on the fastest class (work / 2). The work draws are
    // the same with and without the rule (the estimate has its own stream).
    let exact = estimates_seen(", estimate: {factor: 1}").unwrap();
    let double = estimates_seen(", estimate: {factor: 2}").unwrap();
    assert_eq!(exact.len(), 20);
    for (e, d) in exact.iter().zip(&double) {
        let (e, d) = (e.unwrap(), d.unwrap());
        assert!((5.0..=15.0).contains(&e), "{e}");
        assert!((d - 2.0 * e).abs() < 1e-8, "{d} vs 2 x {e}"); // ns rounding
    }
    // A drawn factor in [1, 3]: between 1x and 3x the exact estimate, not all equal,
    // and the same on a second run.
    let drawn =
        estimates_seen(", estimate: {factor_dist: {dist: uniform, min: 1, max: 3}}").unwrap();
    let ratios: Vec<f64> = drawn
        .iter()
        .zip(&exact)
        .map(|(d, e)| d.unwrap() / e.unwrap())
        .collect();
    assert!(
        ratios.iter().all(|r| (1.0 - 1e-9..=3.0 + 1e-9).contains(r)),
        "{ratios:?}"
    );
    assert!(ratios.iter().any(|r| (r - ratios[0]).abs() > 1e-6));
    assert_eq!(
        drawn,
        estimates_seen(", estimate: {factor_dist: {dist: uniform, min: 1, max: 3}}").unwrap()
    );
    // Both or neither: a located error with a hint.
    let e = estimates_seen(", estimate: {factor: 1, factor_dist: {dist: constant, value: 1}}")
        .unwrap_err();
    assert!(
        e.contains("kinds.a.estimate") && e.contains("factor"),
        "{e}"
    );
    let e = estimates_seen(", estimate: {}").unwrap_err();
    assert!(e.contains("kinds.a.estimate"), "{e}");
}

/// One device; hand-computed schedules for the orders the reference does not cover.
/// Job 0 (work 10) runs 0-10; jobs 1-3 wait, all arriving at 1:
/// job 1: work 4, priority 3, deadline 100; job 2: work 2, priority 5, deadline 50;
/// job 3: work 3, priority 1, deadline 30.
fn order_starts(order: &str) -> Vec<f64> {
    let text = format!(
        "name: o\ndatacenter:\n  classes:\n    x: {{category: cpu, count: 1, speed: {{a: 1}}, busy_power: 100W}}\n\
         workload:\n  kinds:\n    a: {{}}\n  jobs:\n\
         \x20   - {{kind: a, arrival: 0, work: 10}}\n\
         \x20   - {{kind: a, arrival: 1, work: 4, priority: 3, deadline: 99}}\n\
         \x20   - {{kind: a, arrival: 1, work: 2, priority: 5, deadline: 49}}\n\
         \x20   - {{kind: a, arrival: 1, work: 3, priority: 1, deadline: 29}}\n\
         policy: {{name: batch, params: {{order: {order}}}}}\n"
    );
    let sc = parse_str(&text, Format::Yaml, Path::new("o.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let mut obs = Starts::default();
    Simulation::new(&sc, 1).unwrap().run(&mut obs).unwrap();
    let mut s = vec![0.0; 4];
    for (id, _, start) in obs.jobs {
        s[id as usize] = start;
    }
    s
}

#[test]
fn batch_orders_match_hand_computed_schedules() {
    // fcfs: 1, 2, 3 -> 10, 14, 16.
    assert_eq!(order_starts("fcfs"), [0.0, 10.0, 14.0, 16.0]);
    // sjf and saf (one device each): 2 (2 s), 3 (3 s), 1 (4 s) -> 10, 12, 15.
    assert_eq!(order_starts("sjf"), [0.0, 15.0, 10.0, 12.0]);
    assert_eq!(order_starts("saf"), [0.0, 15.0, 10.0, 12.0]);
    // priority: 2 (5), 1 (3), 3 (1) -> 10, 12, 16.
    assert_eq!(order_starts("priority"), [0.0, 12.0, 10.0, 16.0]);
    // edf: 3 (30), 2 (50), 1 (100) -> 3 at 10, 2 at 13, 1 at 15.
    assert_eq!(order_starts("edf"), [0.0, 15.0, 13.0, 10.0]);
    // wfp3 at t = 10, all waited 9 s: -(9/r)^3 x 1 is smallest for the shortest: 2, 3
    // (at 12: waits 11, r 3 vs 4: 3 first), 1.
    assert_eq!(order_starts("wfp3"), [0.0, 15.0, 10.0, 12.0]);
    // unicef with n = 1: log2(1 + 1e-15) is tiny and positive, so the score is
    // -(w + 1e-15) / (tiny x r): the shortest first, as wfp3.
    assert_eq!(order_starts("unicef"), [0.0, 15.0, 10.0, 12.0]);
    // f1 = log10(r) x n + 870 x log10(s): all arrive at 1 (s = 1), so by log10(r):
    // shortest first.
    assert_eq!(order_starts("f1"), [0.0, 15.0, 10.0, 12.0]);
}
