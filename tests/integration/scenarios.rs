//! The shipped application scenarios: they validate, document their sources, the JSON
//! twin loads to the same scenario as its YAML, the workloads have the intended shape
//! (shift and rush-hour profiles, trace replay), and each runs to completion.

use crate::common::{hetsim, load, load_with, scenario, shared_data};
use hetsim::engine::to_secs;
use hetsim::model::{Arrival, Scenario};
use hetsim::simulation::{NullObserver, Simulation};
use hetsim::workload::Workload;

/// Scenarios that read ../shared/data (skipped when it is absent).
const NEED_DATA: &[&str] = &["llm-cluster.yaml", "hpc-swf.yaml", "llm-serving.yaml"];
/// The application scenarios this project ships with header comments.
const APPLICATION: &[&str] = &[
    "manufacturing.yaml",
    "traffic.yaml",
    "finance.yaml",
    "llm-cluster.yaml",
    "hpc-swf.yaml",
];

#[test]
fn every_shipped_scenario_validates() {
    validate_shipped(false);
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn every_trace_replaying_scenario_validates() {
    shared_data();
    validate_shipped(true);
}

/// Validates the shipped scenarios that need ../shared/data, or those that do not.
fn validate_shipped(data: bool) {
    let mut files: Vec<_> = std::fs::read_dir(crate::common::root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .filter(|p| data == NEED_DATA.iter().any(|n| p.ends_with(n)))
        .collect();
    files.sort();
    assert!(
        files.len() >= if data { NEED_DATA.len() } else { 7 },
        "{files:?}"
    );
    hetsim().arg("validate").args(&files).assert().success();
}

#[test]
fn application_scenarios_say_what_they_model_and_where_figures_come_from() {
    for name in APPLICATION {
        let text = std::fs::read_to_string(scenario(name)).unwrap();
        let header: String = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(header.contains("What it models"), "{name}");
        assert!(
            header.contains("assumption"),
            "{name}: unknown figures must be marked"
        );
        assert!(header.contains("Run: hetsim run scenarios/"), "{name}");
        // Every device power figure is traceable: the catalog, a datasheet or SPECpower.
        assert!(
            header.contains("catalog") || header.contains("SPECpower"),
            "{name}"
        );
    }
}

#[test]
fn finance_json_twin_loads_to_the_same_scenario() {
    let yaml = load(&scenario("finance.yaml")).scenario;
    let json = load(&scenario("finance.json")).scenario;
    assert_eq!(yaml, json);
}

/// Arrival counts of every generated stream of a scenario, by kind name.
fn counts(sc: &Scenario) -> Vec<(String, usize)> {
    let mut w = Workload::new(sc, sc.seed);
    let kinds: Vec<usize> = (0..sc.kinds.len())
        .filter(|&k| *sc.kinds[k].arrival() != Arrival::None)
        .collect();
    kinds
        .iter()
        .enumerate()
        .map(|(s, &k)| {
            let n = std::iter::from_fn(|| w.next(s)).count();
            (sc.kinds[k].name.clone(), n)
        })
        .collect()
}

fn count(c: &[(String, usize)], kind: &str) -> f64 {
    c.iter().find(|(k, _)| k == kind).unwrap().1 as f64
}

#[test]
fn manufacturing_follows_three_shifts() {
    let sc = load(&scenario("manufacturing.yaml")).scenario;
    let c = counts(&sc);
    // 8 gateways at 1 Hz for 24 h.
    assert!((count(&c, "inspection") - 691_200.0).abs() <= 8.0);
    // 4/s x the shift level's integral: night 0.6 x (6 h + 1.5 h), three handovers
    // 0.3 x 0.5 h, early and late shifts 1.0 x 2 x 7.5 h.
    let level_hours = 0.6 * 7.5 + 0.3 * 1.5 + 1.0 * 15.0;
    let expect = 4.0 * 3600.0 * level_hours;
    assert!(
        (count(&c, "fault-prediction") - expect).abs() < 4.0 * expect.sqrt(),
        "{c:?}"
    );
    // Three re-planning batches of 4 (05:00, 13:00, 21:00).
    assert_eq!(count(&c, "production-optimisation"), 12.0);
    // scale 2 doubles the streams.
    let big = load_with(&scenario("manufacturing.yaml"), &["workload.scale=2"]).scenario;
    let c2 = counts(&big);
    assert!((count(&c2, "inspection") - 2.0 * 691_200.0).abs() <= 16.0);
    assert_eq!(count(&c2, "production-optimisation"), 24.0);
}

#[test]
fn traffic_and_finance_have_their_peaks() {
    let sc = load(&scenario("traffic.yaml")).scenario;
    let mut w = Workload::new(&sc, sc.seed);
    let perception: Vec<f64> = std::iter::from_fn(|| w.next(0))
        .map(|j| to_secs(j.arrival))
        .collect();
    let in_hour = |h: f64| {
        perception
            .iter()
            .filter(|&&t| t >= h * 3600.0 && t < (h + 1.0) * 3600.0)
            .count() as f64
    };
    // Rush hour (07:00-08:00 around the 07:30 peak) against the night minimum.
    assert!(
        in_hour(7.0) > 10.0 * in_hour(3.0),
        "{} {}",
        in_hour(7.0),
        in_hour(3.0)
    );
    assert!(in_hour(17.0) > 1.5 * in_hour(12.0));

    let sc = load(&scenario("finance.yaml")).scenario;
    let mut w = Workload::new(&sc, sc.seed);
    let trades: Vec<f64> = std::iter::from_fn(|| w.next(0))
        .map(|j| to_secs(j.arrival))
        .collect();
    // Nothing outside 09:30-16:00; 20/s x (0.5 h x 3 + 5.5 h + 0.5 h x 3) in the session.
    assert!(
        trades
            .iter()
            .all(|&t| (9.5 * 3600.0..16.0 * 3600.0).contains(&t))
    );
    let expect = 20.0 * 3600.0 * 8.5;
    assert!((trades.len() as f64 - expect).abs() < 4.0 * expect.sqrt());
    let open = trades.iter().filter(|&&t| t < 10.0 * 3600.0).count() as f64;
    let midday = trades
        .iter()
        .filter(|&&t| (12.0 * 3600.0..12.5 * 3600.0).contains(&t))
        .count() as f64;
    assert!((open / midday - 3.0).abs() < 0.15, "{open} {midday}");
}

/// Runs a scenario (shortened) and checks it completes every job.
fn run(sc: &Scenario) -> hetsim::metrics::Summary {
    let out = Simulation::new(sc, sc.seed)
        .unwrap()
        .run(&mut NullObserver)
        .unwrap();
    let s = out.summary;
    assert_eq!(s.jobs_completed, s.jobs_arrived, "{}", sc.name);
    assert!(s.jobs_completed > 0);
    s
}

#[test]
fn application_scenarios_run() {
    // Two simulated hours each (the full days run in seconds in release builds).
    for (name, sets) in [
        ("manufacturing.yaml", vec!["horizon=2h"]),
        ("traffic.yaml", vec!["horizon=8h", "workload.scale=0.25"]),
        ("finance.yaml", vec!["horizon=11h", "workload.scale=0.2"]),
    ] {
        let sc = load_with(&scenario(name), &sets).scenario;
        let s = run(&sc);
        assert!(
            s.energy_it_j > 0.0 && s.energy_facility_j > s.energy_it_j,
            "{name}"
        );
        assert!(s.carbon_g > 0.0, "{name}");
    }
}

#[test]
fn finance_trade_deadlines_need_accelerators() {
    // On CPUs alone a trade prediction takes 1.25 ms against a 1 ms deadline.
    let sc = load_with(
        &scenario("finance.yaml"),
        &["horizon=10h", "workload.scale=0.05", "policy.name=fcfs"],
    )
    .scenario;
    let fcfs = run(&sc);
    let sc = load_with(
        &scenario("finance.yaml"),
        &["horizon=10h", "workload.scale=0.05", "policy.name=eft"],
    )
    .scenario;
    let eft = run(&sc);
    assert!(fcfs.deadline_miss_rate > 0.9, "{}", fcfs.deadline_miss_rate);
    assert!(eft.deadline_miss_rate < 0.01, "{}", eft.deadline_miss_rate);
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn llm_cluster_serves_beside_its_training_gangs_under_a_carbon_series() {
    shared_data();
    let l = load(&scenario("llm-cluster.yaml"));
    let spec = hetsim::scenario::serving_spec(&l).unwrap().unwrap();
    // Splitwise-HA: 2 DGX-H100 prompt and 2 DGX-A100 token instances; 5.5 requests/s
    // for 24 h.
    assert_eq!(spec.instances.len(), 4);
    assert!(spec.instances.iter().all(|i| i.devices == 8));
    let n = spec.requests.len() as f64;
    assert!((n / (5.5 * 86400.0) - 1.0).abs() < 0.01, "{n}");
    // A shortened run: 10 minutes of requests, a smaller pretraining run.
    let short = load_with(
        &scenario("llm-cluster.yaml"),
        &[
            "serving.requests.until=600s",
            "horizon=1h",
            "workload.kinds.pretrain.size.value=20000",
        ],
    );
    let spec = hetsim::scenario::serving_spec(&short).unwrap().unwrap();
    let m = hetsim::serving::mixed::simulate(&short.scenario, &spec, u64::MAX, &mut NullObserver)
        .unwrap();
    let s = &m.outcome.summary;
    assert_eq!(s.jobs_completed, s.jobs_arrived);
    assert_eq!(s.jobs_arrived, 2 + short_finetunes(&short.scenario));
    assert_eq!(
        m.serving_summary.requests_completed,
        spec.requests.len() as u64
    );
    assert_eq!(m.serving_summary.slo_met, Some(true));
    // Every device of the datacenter is accounted: 16 of each GPU class serve.
    assert_eq!(s.per_class["h100"].devices, 48);
    assert_eq!(s.per_class["a100"].devices, 48);
    let dev_j: f64 = m.outcome.devices.iter().map(|d| d.energy_j).sum();
    assert!((dev_j / s.energy_it_j - 1.0).abs() < 1e-9);
    let serving_j = s.serving.as_ref().unwrap()["splitwise-ha"]["energy_it_window_j"]
        .as_f64()
        .unwrap();
    assert!(serving_j > 0.0 && serving_j < s.energy_it_j);
    assert!(s.carbon_g > 0.0);
}

fn short_finetunes(sc: &Scenario) -> u64 {
    let c = counts(sc);
    count(&c, "finetune") as u64
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn hpc_swf_replays_the_kth_log() {
    shared_data();
    let sc = load(&scenario("hpc-swf.yaml")).scenario;
    assert_eq!(sc.jobs.len(), 28_475);
    assert_eq!(sc.classes[0].count, 100);
    let first = &sc.jobs[0];
    assert_eq!(
        (first.arrival, first.req.work, first.req.devices),
        (0.0, 3477.0, 4)
    );
    let short = load_with(
        &scenario("hpc-swf.yaml"),
        &["workload.traces[0].limit=3000"],
    )
    .scenario;
    let s = run(&short);
    assert_eq!(s.jobs_completed, 3000);
    // Work conservation: busy node-seconds = sum of run time x processors.
    let busy: f64 = short
        .jobs
        .iter()
        .map(|j| j.req.work * j.req.devices as f64)
        .sum();
    assert!((s.utilization * 100.0 * s.horizon_s - busy).abs() < 1e-6 * busy);
}

/// A long explicit list is validated a chunk at a time: every job keeps its fields and
/// its list index, past the first chunk too (an error names the right job), and a list
/// out of arrival order is sorted with its `after` links renumbered.
#[test]
fn long_job_lists_keep_every_job_and_its_index() {
    use hetsim::scenario::{Format, parse_str};
    use std::fmt::Write as _;
    use std::path::Path;
    let n: usize = 70_000;
    let doc = |bad: Option<usize>| {
        let mut s = String::from(
            r#"{"name":"long","datacenter":{"classes":{"c":{"category":"cpu","count":4,"speed":{"a":1,"b":2},"idle_power":"10W","busy_power":"50W"}}},"workload":{"kinds":{"a":{},"b":{"priority":3}},"jobs":["#,
        );
        for i in 0..n {
            let sep = if i > 0 { "," } else { "" };
            // Arrivals descend, so the list is sorted on load; every 7th job gives a
            // priority of its own; job 1 follows job 0.
            let kind = if i.is_multiple_of(3) { "b" } else { "a" };
            let arrival = (n - i) as f64 / 10.0;
            let _ = write!(s, r#"{sep}{{"kind":"{kind}","work":{}"#, i as f64 + 0.5);
            match i {
                0 => s.push_str(r#","id":"first","arrival":9999"#),
                1 => s.push_str(r#","after":"first""#),
                _ => {
                    let _ = write!(s, r#","arrival":{arrival}"#);
                }
            }
            if i.is_multiple_of(7) {
                let _ = write!(s, r#","priority":{}"#, i % 5);
            }
            if Some(i) == bad {
                s.push_str(r#","devices":0"#);
            }
            s.push('}');
        }
        s.push_str("]}}");
        s
    };
    let sc = parse_str(&doc(None), Format::Json, Path::new("long.json")).unwrap();
    assert_eq!(sc.jobs.len(), n);
    assert!(sc.jobs.windows(2).all(|w| w[0].arrival <= w[1].arrival));
    // Each listed job is found once, with its own kind, priority and work.
    let mut seen = vec![false; n];
    for j in &sc.jobs {
        let i = (j.req.work - 0.5) as usize;
        assert!(!seen[i], "job {i} twice");
        seen[i] = true;
        let want_kind = if i.is_multiple_of(3) { "b" } else { "a" };
        assert_eq!(sc.kinds[j.kind.index()].name, want_kind, "job {i}");
        let kind_priority = if i.is_multiple_of(3) { 3 } else { 0 };
        let want = if i.is_multiple_of(7) {
            (i % 5) as i32
        } else {
            kind_priority
        };
        assert_eq!(j.req.priority, want, "job {i}");
    }
    // Job 1 follows job 0 wherever the sort put them, and arrives with it.
    let at = |w: f64| sc.jobs.iter().position(|j| j.req.work == w).unwrap();
    let (first, second) = (at(0.5), at(1.5));
    assert_eq!(sc.jobs[second].after, Some(first as u32));
    assert_eq!(sc.jobs[second].arrival, sc.jobs[first].arrival);
    // An error past the first chunk names its job.
    let e = parse_str(&doc(Some(66_001)), Format::Json, Path::new("long.json")).unwrap_err();
    assert_eq!(e.path, "workload.jobs[66001].devices", "{e}");
}
