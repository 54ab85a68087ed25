//! The accounting window: energy, carbon and cost over one window that does not depend
//! on the policy, checked by hand on the worked example with idle power.

use crate::common::*;
use hetsim::run::run_in_memory;
use hetsim::scenario::{Format, parse_str};
use std::path::Path;

/// The worked example with 10 W idle on every device, run with `policy` (and `extra`
/// overrides).
fn idle10(policy: &str, extra: &[&str]) -> hetsim::metrics::Summary {
    let mut sets = vec![
        format!("policy.name={policy}"),
        "datacenter.classes.cpu.idle_power=10W".into(),
        "datacenter.classes.gpu.idle_power=10W".into(),
        "datacenter.classes.tpu.idle_power=10W".into(),
    ];
    sets.extend(extra.iter().map(|s| s.to_string()));
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    let l = load_with(&scenario("seed-example.yaml"), &sets);
    run_in_memory(&l).unwrap().summary
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6 * b.abs().max(1.0)
}

#[test]
fn two_policies_are_accounted_over_one_window() {
    // Default window: last arrival 0 s + Graham's list-scheduling bound at the slowest
    // capable speed (the CPU's 1 unit/s) on the 3 devices: (100 + 200 + 300) / 3 + the
    // longest job 300 = 500 s, whatever the policy.
    let fcfs = idle10("fcfs", &[]);
    let min = idle10("min-energy", &[]);
    assert!(close(fcfs.window_s, 500.0) && close(min.window_s, 500.0));
    // fcfs: CPU busy 0-100 s (0.5 W), GPU 0-133.33 s (0.5 W), TPU 0-150 s (4/3 W);
    // idle 10 W for the rest of 500 s on each.
    let busy = 50.0 + 200.0 / 3.0 + 200.0;
    let idle = 10.0 * (400.0 + (500.0 - 400.0 / 3.0) + 350.0);
    assert!(close(fcfs.energy_it_j, busy + idle), "{}", fcfs.energy_it_j);
    assert!(
        close(fcfs.energy_it_j, 11_483.333_333_333),
        "{}",
        fcfs.energy_it_j
    );
    assert!(close(fcfs.energy_idle_j, idle));
    // To the last completion (150 s), as before: 316.67 + 10 x (50 + 16.67) = 983.33 J.
    assert!(close(
        fcfs.energy_it_to_makespan_j,
        busy + 10.0 * (50.0 + 50.0 / 3.0)
    ));
    // min-energy: everything on the GPU, 0-400 s at 0.5 W; GPU idle 400-500 s; CPU and
    // TPU idle 500 s each.
    assert!(
        close(min.energy_it_j, 200.0 + 10.0 * (100.0 + 1000.0)),
        "{}",
        min.energy_it_j
    );
    assert!(close(min.energy_it_to_makespan_j, 200.0 + 8000.0));
    // Over the common window min-energy uses less (11,200 J against 11,483.33 J); to
    // each run's own end it looked 8 times worse (8,200 J against 983.33 J).
    assert!(min.energy_it_j < fcfs.energy_it_j);
    assert!(min.energy_it_to_makespan_j > fcfs.energy_it_to_makespan_j);
    assert!(fcfs.warnings.is_empty() && min.warnings.is_empty());
    assert!(close(fcfs.power_mean_w, fcfs.energy_it_j / 500.0));
}

#[test]
fn accounting_until_fixes_the_window_and_a_longer_drain_is_flagged() {
    let fcfs = idle10("fcfs", &["accounting={until: 1000s}"]);
    assert!(close(fcfs.window_s, 1000.0));
    let idle = 10.0 * (900.0 + (1000.0 - 400.0 / 3.0) + 850.0);
    assert!(close(fcfs.energy_it_j, 50.0 + 200.0 / 3.0 + 200.0 + idle));
    // A window shorter than the drain: min-energy ends at 400 s, past 300 s. The window
    // is extended to the run's end and the summary says so.
    let min = idle10("min-energy", &["accounting={until: 300s}"]);
    assert!(close(min.window_s, 400.0));
    assert!(close(min.energy_it_j, min.energy_it_to_makespan_j));
    assert_eq!(min.warnings.len(), 1);
    assert!(min.warnings[0].contains("drained past the accounting window"));
}

#[test]
fn carbon_and_cost_cover_the_window() {
    // One device idle at 100 W with no jobs after 10 s; PUE 1, 360 g/kWh, price 1/kWh:
    // over 100 s: 100 W x 100 s = 10 kJ = 1/360 kWh -> 1 g and 1/360.
    let yaml = "datacenter:
  carbon_intensity: 360
  price: 1
  classes:
    dev: {category: cpu, speed: {a: 1}, idle_power: 100W, busy_power: 100W}
workload:
  kinds: {a: {}}
  jobs: [{kind: a, arrival: 0, work: 10}]
accounting: {until: 100s}
";
    let sc = parse_str(yaml, Format::Yaml, Path::new("t.yaml")).unwrap();
    let l = hetsim::scenario::Loaded {
        scenario: sc,
        path: "t.yaml".into(),
        text: yaml.into(),
        overrides: Vec::new(),
        budget: Default::default(),
    };
    let s = run_in_memory(&l).unwrap().summary;
    assert!(close(s.carbon_g, 1.0) && close(s.cost, 1.0 / 360.0));
    assert!(close(s.carbon_to_makespan_g, 0.1) && close(s.cost_to_makespan, 1.0 / 3600.0));
}

#[test]
fn a_window_that_is_not_positive_is_refused_with_its_field() {
    let yaml = "datacenter:
  classes:
    dev: {category: cpu, speed: {a: 1}, idle_power: 1W, busy_power: 2W}
workload:
  kinds: {a: {}}
  jobs: [{kind: a, arrival: 0, work: 10}]
accounting: {until: 0s}
";
    let e = parse_str(yaml, Format::Yaml, Path::new("t.yaml")).unwrap_err();
    let msg = format!("{e}");
    assert!(
        msg.contains("accounting.until") && msg.contains("must be positive"),
        "{msg}"
    );
    let yaml2 = yaml.replace("until: 0s", "untill: 10s");
    let e = parse_str(&yaml2, Format::Yaml, Path::new("t.yaml")).unwrap_err();
    assert!(format!("{e}").contains("untill"), "{e}");
}

#[test]
fn settings_with_no_effect_are_warned_about() {
    let yaml = "horizon: 50s
datacenter:
  carbon_intensity: {points: [[100s, 300], [110s, 200]]}
  classes:
    dev: {category: cpu, speed: {a: 1}, idle_power: 1W, busy_power: 2W}
    ghost: {category: gpu, speed: {a: 1}, idle_power: 0W, busy_power: 0W}
workload:
  kinds: {a: {}}
  jobs:
    - {kind: a, arrival: 0, work: 10}
    - {kind: a, arrival: 60, work: 10}
power_manager: {name: idle-timeout}
";
    let sc = parse_str(yaml, Format::Yaml, Path::new("t.yaml")).unwrap();
    let before = hetsim::metrics::scenario_warnings(&sc);
    let l = hetsim::scenario::Loaded {
        scenario: sc,
        path: "t.yaml".into(),
        text: yaml.into(),
        overrides: Vec::new(),
        budget: Default::default(),
    };
    let s = run_in_memory(&l).unwrap().summary;
    let has = |w: &[String], needle: &str| w.iter().any(|x| x.contains(needle));
    for w in [&before, &s.warnings] {
        assert!(has(w, "class dev, ghost has no sleep state"), "{w:?}");
        assert!(has(w, "class `ghost` draws 0 W"), "{w:?}");
        assert!(has(w, "1 listed job(s) arrive after the horizon"), "{w:?}");
        // Window: the last listed arrival (60 s, after the 50 s horizon) + 20 units at
        // speed 1 over 2 devices + the longest job (10 s) = 80 s; the carbon data covers 100 s to 110 s + its 10 s step.
        assert!(
            has(
                w,
                "`datacenter.carbon_intensity` has data for 100-120 s, not all of the accounting window [0, 80] s"
            ),
            "{w:?}"
        );
    }
    assert!(close(s.window_s, 80.0));
    // A scenario without such settings has no warnings.
    let plain = idle10("fcfs", &[]);
    assert!(plain.warnings.is_empty(), "{:?}", plain.warnings);
}
