//! The cap made visible and used: `cap_binding_s`, late binding when the cap lifts, and
//! `power-capped` preferring the devices that do the most work per watt, each against a
//! hand computation.

use crate::common::Keep;
use hetsim::scenario::{Format, parse_str};
use hetsim::simulation::{Outcome, Simulation};
use std::path::Path;

fn run(yaml: &str) -> (Outcome, Keep) {
    let sc = parse_str(yaml, Format::Yaml, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let mut keep = Keep::default();
    let out = Simulation::new(&sc, sc.seed)
        .unwrap()
        .run(&mut keep)
        .unwrap();
    (out, keep)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6 * b.abs().max(1.0)
}

/// `fast`: speed 2 at 200 W (100 W per unit/s); `eco`: speed 1 at 50 W (50 W per
/// unit/s); no idle power; a 210 W cap; three jobs of 10 units at t = 0.
fn two_classes(policy: &str) -> String {
    format!(
        "datacenter:
  power_cap: 210W
  classes:
    fast: {{category: gpu, speed: {{a: 2}}, idle_power: 0W, busy_power: 200W}}
    eco: {{category: cpu, speed: {{a: 1}}, idle_power: 0W, busy_power: 50W}}
workload:
  kinds: {{a: {{}}}}
  jobs:
    - {{kind: a, arrival: 0, work: 10}}
    - {{kind: a, arrival: 0, work: 10}}
    - {{kind: a, arrival: 0, work: 10}}
policy: {{name: {policy}}}
"
    )
}

#[test]
fn power_capped_uses_the_cap_and_differs_from_eft() {
    // eft: J1 on fast [0, 5] (200 W; 10 W of headroom left). J2 and J3 go to the
    // device that finishes first by the estimate (one to each class, whichever way the
    // tie goes); the eco start (50 W) waits for power until J1 ends at 5 s and runs
    // [5, 15]; the fast one (200 W) waits behind it (250 W > 210 W) and runs [15, 20].
    // Energy: 3 x 1000 J on fast + 500 J on eco = 2500 J.
    let (eft, _) = run(&two_classes("eft"));
    let e = &eft.summary;
    assert!(close(e.makespan_s, 20.0) && close(e.energy_it_to_makespan_j, 2500.0));
    // power-capped: J1 as eft (200 W fits). J2 fits nowhere (10 W of headroom), so it
    // goes to the class with the least power per unit of work: eco, where it waits for
    // power until 5 s, then runs [5, 15]. J3 likewise queues on eco: [15, 25].
    // Energy: 1000 J on fast + 2 x 500 J on eco = 2000 J.
    let (pc, keep) = run(&two_classes("power-capped"));
    let s = &pc.summary;
    assert!(close(s.makespan_s, 25.0), "{}", s.makespan_s);
    assert!(
        close(s.energy_it_to_makespan_j, 2000.0),
        "{}",
        s.energy_it_to_makespan_j
    );
    let on_eco = keep.jobs.iter().filter(|r| r.class == "eco").count();
    assert_eq!(on_eco, 2);
    // The cap bound 0-15 s, though IT power (200 W, then 50 W) never came within 0.1 %
    // of it (210 W): J2 waited for power 0-5 s; J3 waited on eco 5-15 s while the fast
    // device was free and its 200 W did not fit in the 160 W left.
    assert_eq!(s.cap_delayed_jobs, 1);
    assert!(close(s.cap_binding_s, 15.0), "{}", s.cap_binding_s);
    assert_eq!(s.time_at_cap_s, 0.0);
    // eft: J2 or J3 waited 0-15 s in all (the eco one 0-5, the fast one 0-15).
    assert!(close(e.cap_binding_s, 15.0), "{}", e.cap_binding_s);
}

/// `eco` (1 device, speed 1, 50 W) and `fast` (2 devices, speed 1, 200 W); the cap is
/// 100 W until 25 s, then 10 kW; ten jobs of 10 units arrive at 0, 1, ..., 9 s.
const LIFT: &str = "datacenter:
  power_cap: {points: [[0s, 100W], [25s, 10kW]]}
  classes:
    eco: {category: cpu, count: 1, speed: {a: 1}, idle_power: 0W, busy_power: 50W}
    fast: {category: gpu, count: 2, speed: {a: 1}, idle_power: 0W, busy_power: 200W}
workload:
  kinds: {a: {}}
  jobs:
    - {kind: a, arrival: 0, work: 10}
    - {kind: a, arrival: 1, work: 10}
    - {kind: a, arrival: 2, work: 10}
    - {kind: a, arrival: 3, work: 10}
    - {kind: a, arrival: 4, work: 10}
    - {kind: a, arrival: 5, work: 10}
    - {kind: a, arrival: 6, work: 10}
    - {kind: a, arrival: 7, work: 10}
    - {kind: a, arrival: 8, work: 10}
    - {kind: a, arrival: 9, work: 10}
policy: {name: power-capped}
";

#[test]
fn a_backlog_is_placed_again_when_the_cap_lifts() {
    // Under the 100 W cap no fast device fits (200 W), so power-capped queues every job
    // on eco: J1 [0, 10], J2 [10, 20], J3 [20, 30], J4.. waiting behind. At 25 s the cap
    // lifts: eco keeps J4 (its next job) and J5..J10 are placed again by eft, in order,
    // against eco's queue ending at 40 s: J5, J6 on the two fast devices [25, 35];
    // J7, J8 on them [35, 45] (eco would end 50); J9 on eco [40, 50] (fast: 55); J10
    // on fast [45, 55]. Without late binding eco would run all ten, to 100 s.
    let (out, keep) = run(LIFT);
    let s = &out.summary;
    assert!(close(s.makespan_s, 55.0), "{}", s.makespan_s);
    // Job ids count from 0: J1 is id 0.
    let job = |n: u64| keep.jobs.iter().find(|r| r.id == n - 1).unwrap();
    assert!(close(job(4).start_s, 30.0) && job(4).class == "eco");
    assert!(close(job(5).start_s, 25.0) && job(5).class == "fast");
    assert!(close(job(6).start_s, 25.0) && job(6).class == "fast");
    assert!(close(job(9).start_s, 40.0) && job(9).class == "eco");
    assert!(close(job(10).start_s, 45.0) && job(10).class == "fast");
    // Within one job's run time (10 s) of the lift every device is busy: what capacity
    // and the queue allow.
    let busy_at = |t: f64| {
        keep.power
            .iter()
            .find(|r| r.time_s <= t && t < r.time_s + r.duration_s)
            .map_or(0.0, |r| r.busy_devices)
    };
    assert_eq!(busy_at(24.0), 1.0);
    assert_eq!(busy_at(26.0), 3.0);
    assert_eq!(busy_at(36.0), 3.0);
    // Energy: eco busy 50 s x 50 W + fast 50 s x 200 W.
    assert!(close(s.energy_it_to_makespan_j, 2500.0 + 10000.0));
    assert_eq!(s.jobs_rebound, 6);
    // The cap bound from J2's arrival (1 s: a job waits, the fast devices are free and
    // 200 W does not fit in 50 W) until it lifted at 25 s; nothing waited for power at
    // the gate.
    assert!(close(s.cap_binding_s, 24.0), "{}", s.cap_binding_s);
    assert_eq!(s.cap_delayed_jobs, 0);
}

/// Late binding when a plan proves wrong: `slow` runs every job at a quarter of its
/// speed (fixed P-state 1) although eft plans with the top state; `ok` has no P-states.
/// All four jobs arrive at 0 and eft commits them at once:
///   A (8 units): tie at 8 s -> slow (file order); it really ends at 32.
///   B (36): slow 32 + 36 vs ok 36 -> ok, ends 36.
///   C (2): slow 34 vs ok 38 -> slow, behind A.
///   D (4): slow 38 vs ok 40 -> slow, behind C.
/// At 32 C starts and will end at 40, not 34: D is placed again, and eft now sees slow
/// free at 40 + 4 against ok at 36 + 4 = 40, so D runs on ok from 36 to 40. Without late
/// binding it would run on slow from 40 to 56.
#[test]
fn a_plan_that_proves_wrong_is_placed_again() {
    let (out, keep) = run("datacenter:
  classes:
    slow: {category: cpu, speed: {a: 1}, idle_power: 0W, busy_power: 100W, pstates: [{speed: 0.25, power: 0.25}]}
    ok: {category: cpu, speed: {a: 1}, idle_power: 0W, busy_power: 100W}
workload:
  kinds: {a: {}}
  jobs:
    - {kind: a, arrival: 0, work: 8}
    - {kind: a, arrival: 0, work: 36}
    - {kind: a, arrival: 0, work: 2}
    - {kind: a, arrival: 0, work: 4}
policy: {name: eft}
power_manager: {name: fixed-pstate, params: {state: 1}}
");
    let mut jobs = keep.jobs.clone();
    jobs.sort_by_key(|j| j.id);
    let got: Vec<(&str, f64, f64)> = jobs
        .iter()
        .map(|j| (j.class.as_str(), j.start_s, j.end_s))
        .collect();
    assert_eq!(
        got,
        vec![
            ("slow", 0.0, 32.0),
            ("ok", 0.0, 36.0),
            ("slow", 32.0, 40.0),
            ("ok", 36.0, 40.0)
        ]
    );
    assert_eq!(out.summary.jobs_rebound, 1);
}
