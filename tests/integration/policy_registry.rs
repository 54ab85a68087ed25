//! The policy registry: every policy registered with a summary and checked
//! parameters, `hetsim policies`, every policy on every shipped scenario (the run
//! invariants of `properties.rs`), and custom policies (the `custom_policy` example).

use crate::policies::{one_class, parse, run};

#[test]
fn every_policy_is_registered_with_a_summary_and_validates_its_parameters() {
    let names: Vec<&str> = hetsim::policy::REGISTRY.iter().map(|p| p.name).collect();
    for n in [
        "fcfs",
        "sjf",
        "edf",
        "easy-backfill",
        "round-robin",
        "random",
        "least-loaded",
        "fastest",
        "min-energy",
        "eft",
        "lpt",
        "hetero-aware",
        "min-edp",
    ] {
        assert!(names.contains(&n), "{n} is not registered");
    }
    let sc = parse(&format!(
        "{}workload:\n  kinds: {{t: {{}}}}\n  jobs: [{{kind: t, work: 1}}]\n",
        one_class(1)
    ));
    for info in hetsim::policy::REGISTRY {
        assert!(!info.summary.is_empty());
        let mut bad = serde_json::Map::new();
        bad.insert("no_such_param".into(), 1.into());
        let err = (info.build)(&sc, &bad).err().unwrap_or_else(|| {
            panic!("{} accepted an unknown parameter", info.name);
        });
        let err = err.to_string();
        assert!(err.contains("no_such_param"), "{}: {err}", info.name);
        assert!((info.build)(&sc, &serde_json::Map::new()).is_ok());
    }
    let bad = |name: &str, key: &str, v: serde_json::Value| {
        let spec = hetsim::model::PolicySpec {
            name: name.into(),
            params: [(key.to_string(), v)].into_iter().collect(),
        };
        hetsim::policy::build(&spec, &sc).err().unwrap().to_string()
    };
    assert!(bad("sjf", "key", "size".into()).contains("one of estimate, runtime, work"));
    assert!(bad("hetero-aware", "threshold", 1.5.into()).contains("from 0 to 1"));
    assert!(bad("easy-backfill", "depth", (-1).into()).contains("whole number"));
    assert!(bad("round-robin", "over", 3.into()).contains("devices, classes"));
    assert!(bad("least-loaded", "by", "energy".into()).contains("work, jobs"));
}

#[test]
fn hetsim_policies_lists_every_policy_with_its_parameters() {
    let out = crate::common::hetsim().arg("policies").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for info in hetsim::policy::REGISTRY {
        assert!(text.contains(info.name), "{} missing", info.name);
        for p in info.params {
            assert!(text.contains(p), "{p} missing");
        }
    }
}

#[test]
fn every_policy_runs_on_every_shipped_scenario() {
    every_policy_on_shipped(false);
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn every_policy_runs_on_every_trace_replaying_scenario() {
    crate::common::shared_data();
    every_policy_on_shipped(true);
}

/// Every registered policy on the shipped scenarios that replay ../shared/data
/// traces (`data`), or on those that do not.
fn every_policy_on_shipped(data: bool) {
    // Arrivals are cut after about 1000 expected jobs (at most 300 s) to keep the debug
    // build quick; every job that arrived must complete and the run invariants (no
    // overlap, start >= arrival, energy and time sums) hold.
    let mut files: Vec<_> = std::fs::read_dir(crate::common::root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files.retain(|f| std::fs::read_to_string(f).unwrap().contains("shared/data") == data);
    assert!(!files.is_empty());
    for f in &files {
        let mut sc = crate::common::load(f).scenario;
        let rate: f64 = sc
            .kinds
            .iter()
            .map(|k| match *k.arrival() {
                hetsim::model::Arrival::Poisson { rate, .. } => rate,
                hetsim::model::Arrival::Periodic { period, .. } => 1.0 / period,
                _ => 0.0,
            })
            .sum();
        let cut = (1000.0 / rate.max(1e-9)).min(300.0);
        sc.horizon = Some(sc.horizon.map_or(cut, |h| h.min(cut)));
        for info in hetsim::policy::REGISTRY {
            sc.policy.name = info.name.into();
            sc.policy.params.clear();
            let (out, recs) = run(&sc);
            assert_eq!(
                out.summary.jobs_completed,
                out.summary.jobs_arrived,
                "{} on {}",
                info.name,
                f.display()
            );
            crate::properties::check_run(info.name, &sc, &out, &recs);
        }
    }
}

// ---------------------------------------------------------------- the example

#[allow(dead_code)]
#[path = "../../examples/custom_policy.rs"]
mod custom_policy;

#[test]
fn the_custom_policy_example_runs_on_the_seed_example() {
    // The example's `cheapest-free` policy on the seed example: all three tasks arrive
    // at 0 with all platforms free. Energy C/E per free platform:
    //   100: cpu 50, gpu 33.3, tpu 75 -> gpu [0, 66.7]
    //   200: cpu 100, tpu 150 (gpu taken) -> cpu [0, 200]
    //   300: only tpu free -> tpu [0, 150], 300 / 1.5 = 200 J
    // Makespan 200 s, energy 33.3 + 100 + 200 = 333.33 J.
    let s = custom_policy::run(&crate::common::scenario("seed-example.yaml")).unwrap();
    assert_eq!(s.policy, "cheapest-free");
    assert_eq!(s.jobs_completed, 3);
    assert!((s.makespan_s - 200.0).abs() < 1e-9);
    assert!((s.energy_it_j - (100.0 / 3.0 + 100.0 + 200.0)).abs() < 1e-6);
}

#[test]
fn a_custom_policy_runs_by_name_through_run_sweep_and_compare() {
    use clap::Parser;
    use hetsim::cli::{Cli, main_with};
    hetsim::policy::install(custom_policy::POLICIES).unwrap();
    // A second install of the same list is harmless; a built-in name is refused.
    hetsim::policy::install(custom_policy::POLICIES).unwrap();
    static CLASH: &[hetsim::policy::PolicyInfo] = &[hetsim::policy::Entry {
        name: "eft",
        summary: "",
        params: &[],
        build: |_, _| unreachable!(),
    }];
    let e = hetsim::policy::install(CLASH).unwrap_err().to_string();
    assert!(e.contains("name of a built-in"), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let cli = |args: &[&str]| {
        let mut argv = vec!["hetsim"];
        argv.extend_from_slice(args);
        main_with(Cli::try_parse_from(argv).unwrap())
    };
    let seed = crate::common::scenario("seed-example.yaml");
    let seed = seed.to_str().unwrap();
    let run = |policy: &str| {
        let out = dir.path().join(policy);
        let o = out.to_str().unwrap();
        cli(&["run", seed, "--policy", policy, "--out", o]).unwrap();
        out
    };
    let custom = run("cheapest-free");
    let fcfs = run("fcfs");
    // The run folder is complete and holds the same numbers as the library route.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(custom.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["policy"], "cheapest-free");
    assert!((summary["energy_it_to_makespan_j"].as_f64().unwrap() - 1000.0 / 3.0).abs() < 1e-6);
    for f in [
        "jobs.csv",
        "devices.csv",
        "power.csv",
        "index.html",
        "charts",
    ] {
        assert!(custom.join(f).exists(), "{f} missing");
    }
    // In a scenario file, by name.
    let sc = std::fs::read_to_string(crate::common::scenario("seed-example.yaml")).unwrap();
    assert!(sc.contains("policy:\n  name: fcfs"));
    let named = dir.path().join("named.yaml");
    std::fs::write(
        &named,
        sc.replace("policy:\n  name: fcfs", "policy:\n  name: cheapest-free"),
    )
    .unwrap();
    let named_out = dir.path().join("named");
    cli(&[
        "run",
        named.to_str().unwrap(),
        "--out",
        named_out.to_str().unwrap(),
    ])
    .unwrap();
    assert_eq!(
        std::fs::read(named_out.join("jobs.csv")).unwrap(),
        std::fs::read(custom.join("jobs.csv")).unwrap()
    );
    // A sweep with the custom policy on its policy axis.
    let sweep = dir.path().join("sweep.yaml");
    std::fs::write(
        &sweep,
        format!(
            "name: custom\nscenario: {seed}\naxes:\n  policy.name: [fcfs, cheapest-free]\n\
             metrics: [energy_it_j, makespan_s]\n"
        ),
    )
    .unwrap();
    let sweep_out = dir.path().join("sweep");
    cli(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        sweep_out.to_str().unwrap(),
    ])
    .unwrap();
    let runs = std::fs::read_to_string(sweep_out.join("runs.csv")).unwrap();
    let rows = runs
        .lines()
        .filter(|l| l.split(',').nth(3) == Some("cheapest-free"));
    assert_eq!(rows.count(), 1, "{runs}");
    // Compare the custom run with a built-in one.
    let cmp = dir.path().join("cmp");
    cli(&[
        "compare",
        fcfs.to_str().unwrap(),
        custom.to_str().unwrap(),
        "--out",
        cmp.to_str().unwrap(),
    ])
    .unwrap();
    let table = std::fs::read_to_string(cmp.join("comparison.csv")).unwrap();
    assert!(table.contains("cheapest-free"), "{table}");
}
