//! The `hetsim` binary end to end: runs, determinism, and one clear error per bad input.

use crate::common::*;
use predicates::prelude::*;
use std::path::Path;

fn files_of(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn run_writes_the_run_folder_and_prints_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("se");
    hetsim()
        .args(["run", "--no-charts", "--policy", "eft", "--out"])
        .arg(&out)
        .arg(scenario("seed-example.yaml"))
        .assert()
        .success()
        .stdout(predicate::str::contains("makespan 3.333 min"));
    for f in [
        "summary.json",
        "summary.csv",
        "jobs.csv",
        "devices.csv",
        "power.csv",
        "scenario.yaml",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for key in [
        "scenario",
        "policy",
        "seed",
        "horizon_s",
        "makespan_s",
        "jobs_arrived",
        "jobs_completed",
        "jobs_rejected",
        "throughput_jobs_per_s",
        "wait_mean_s",
        "wait_p50_s",
        "wait_p95_s",
        "wait_p99_s",
        "response_mean_s",
        "response_p50_s",
        "response_p95_s",
        "response_p99_s",
        "slowdown_mean",
        "bounded_slowdown_mean",
        "deadline_miss_rate",
        "utilization",
        "energy_it_j",
        "energy_facility_j",
        "energy_per_job_j",
        "power_peak_w",
        "power_mean_w",
        "time_at_cap_s",
        "carbon_g",
        "cost",
        "events",
        "wall_s",
        "per_class",
    ] {
        assert!(s.get(key).is_some(), "summary.json lacks {key}");
    }
    assert_eq!(s["policy"], "eft");
    let (h, rows) = read_csv(&out.join("jobs.csv"));
    assert_eq!(rows.len(), 3);
    assert_eq!(h[0], "id");
    // devices.csv energy sums to the summary energy.
    let (h, rows) = read_csv(&out.join("devices.csv"));
    let ei = h.iter().position(|c| c == "energy_j").unwrap();
    let sum: f64 = rows.iter().map(|r| r[ei].parse::<f64>().unwrap()).sum();
    assert!((sum - s["energy_it_j"].as_f64().unwrap()).abs() < 1e-6);
}

#[test]
fn same_scenario_and_seed_give_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dirs = Vec::new();
    for i in 0..2 {
        let out = tmp.path().join(format!("r{i}"));
        hetsim()
            .args([
                "run",
                "-q",
                "--no-charts",
                "--set",
                "workload.kinds.request.arrival.count=5000",
                "--out",
            ])
            .arg(&out)
            .arg(scenario("mmc.yaml"))
            .assert()
            .success();
        dirs.push(out);
    }
    assert_eq!(files_of(&dirs[0]), files_of(&dirs[1]));
    for f in files_of(&dirs[0]) {
        let strip = |p: &Path| -> String {
            let t = std::fs::read_to_string(p).unwrap();
            // wall_s is the one measured (non-simulated) value.
            if f.starts_with("summary.") {
                mask_wall(&t)
            } else {
                t
            }
        };
        assert_eq!(
            strip(&dirs[0].join(&f)),
            strip(&dirs[1].join(&f)),
            "{f} differs"
        );
    }
}

/// Replaces the wall_s value in summary.json / summary.csv.
fn mask_wall(t: &str) -> String {
    if t.trim_start().starts_with('{') {
        t.lines()
            .filter(|l| !l.contains("\"wall_s\""))
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        let mut lines = t.lines();
        let h: Vec<&str> = lines.next().unwrap().split(',').collect();
        let v: Vec<&str> = lines.next().unwrap().split(',').collect();
        let i = h.iter().position(|c| *c == "wall_s").unwrap();
        let mut v = v.clone();
        v[i] = "";
        format!("{}\n{}", h.join(","), v.join(","))
    }
}

#[test]
fn a_different_seed_gives_different_results() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |seed: &str, name: &str| {
        let out = tmp.path().join(name);
        hetsim()
            .args([
                "run",
                "-q",
                "--no-charts",
                "--seed",
                seed,
                "--set",
                "workload.kinds.request.arrival.count=500",
                "--out",
            ])
            .arg(&out)
            .arg(scenario("mmc.yaml"))
            .assert()
            .success();
        std::fs::read_to_string(out.join("jobs.csv")).unwrap()
    };
    assert_ne!(run("1", "a"), run("2", "b"));
}

/// Writes `text` to a scenario file, runs it, expects exit 2, one error line naming
/// each of `needles`, and no output folder.
fn bad(name: &str, text: &str, needles: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join(name);
    std::fs::write(&file, text).unwrap();
    let out = tmp.path().join("out");
    let assert = hetsim()
        .args(["run", "-q", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for n in needles {
        assert!(err.contains(n), "error for {name} lacks `{n}`:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "output folder written for bad input {name}");
    let leftovers: Vec<_> = files_of(tmp.path())
        .into_iter()
        .filter(|f| f != name)
        .collect();
    assert!(leftovers.is_empty(), "left files behind: {leftovers:?}");
    // validate agrees.
    hetsim().arg("validate").arg(&file).assert().code(2);
}

const GOOD: &str = "datacenter:
  classes:
    cpu:
      category: cpu
      speed: {a: 1}
      busy_power: 10W
workload:
  kinds:
    a:
      arrival: {process: poisson, rate: 2/s, count: 10}
      size: {dist: constant, value: 1}
";

#[test]
fn good_minimal_scenario_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("ok.yaml");
    std::fs::write(&file, GOOD).unwrap();
    hetsim()
        .args(["run", "-q", "--no-charts", "--out"])
        .arg(tmp.path().join("o"))
        .arg(&file)
        .assert()
        .success();
}

#[test]
fn malformed_yaml_names_file_and_line() {
    bad(
        "m.yaml",
        &GOOD.replace("rate: 2/s,", "rate: [2/s,"),
        &["m.yaml:", ":10:"],
    );
}

#[test]
fn unknown_field_names_the_path_and_valid_fields() {
    bad(
        "u.yaml",
        &GOOD.replace("busy_power", "busy_powr"),
        &[
            "u.yaml:6:",
            "datacenter.classes.cpu",
            "busy_powr",
            "busy_power",
        ],
    );
}

#[test]
fn negative_rate_is_rejected_with_its_field() {
    bad(
        "n.yaml",
        &GOOD.replace("2/s", "-2/s"),
        &["n.yaml:10:", "workload.kinds.a.arrival.rate", "negative"],
    );
}

#[test]
fn nan_is_rejected_with_its_field() {
    bad(
        "nan.yaml",
        &GOOD.replace("value: 1", "value: .nan"),
        &["nan.yaml:11:", "workload.kinds.a.size.value", "finite"],
    );
}

#[test]
fn a_kind_no_device_can_run_is_rejected() {
    bad(
        "k.yaml",
        &GOOD.replace("speed: {a: 1}", "speed: {}"),
        &["k.yaml:9:", "workload.kinds.a", "no device can run"],
    );
}

#[test]
fn an_unknown_policy_is_an_input_error() {
    bad(
        "p.yaml",
        &format!("{GOOD}policy: {{name: nope}}\n"),
        &["p.yaml:12:", "unknown policy `nope`", "eft"],
    );
}

#[test]
fn missing_file_is_one_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let assert = hetsim()
        .args(["run"])
        .arg(tmp.path().join("nope.yaml"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        err.contains("nope.yaml") && err.contains("cannot read"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn json_errors_have_positions_too() {
    bad(
        "j.json",
        r#"{"datacenter": {"classes": {"c": {"category": "cpu", "speed": {"a": 1}, "busy_power": "10W"}}},
 "workload": {"kinds": {"a": {"arrival": {"process": "poisson", "rate": -3, "count": 3}, "size": {"dist": "constant", "value": 1}}}}}"#,
        &["j.json:2:", "workload.kinds.a.arrival.rate", "negative"],
    );
}

#[test]
fn an_existing_foreign_folder_is_not_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("thesis.tex"), "precious").unwrap();
    hetsim()
        .args(["run", "-q", "--no-charts", "--out"])
        .arg(&out)
        .arg(scenario("seed-example.yaml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not written by hetsim"));
    assert_eq!(
        std::fs::read_to_string(out.join("thesis.tex")).unwrap(),
        "precious"
    );
    // A previous run's folder is replaced whole.
    let run_dir = tmp.path().join("run");
    for _ in 0..2 {
        hetsim()
            .args(["run", "-q", "--no-charts", "--out"])
            .arg(&run_dir)
            .arg(scenario("seed-example.yaml"))
            .assert()
            .success();
    }
    assert_eq!(files_of(tmp.path()), vec!["mine", "run"]);
}

#[test]
fn set_with_a_bad_path_names_the_fields_there() {
    hetsim()
        .args(["run", "--set", "workload.kinds.requst.arrival.rate=3"])
        .arg(scenario("mmc.yaml"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no field `requst`").and(predicate::str::contains("request")),
        );
}

#[test]
fn validate_and_policies_list() {
    hetsim()
        .arg("validate")
        .arg(scenario("seed-example.yaml"))
        .arg(scenario("mmc.yaml"))
        .assert()
        .success();
    hetsim()
        .arg("policies")
        .assert()
        .success()
        .stdout(predicate::str::contains("eft").and(predicate::str::contains("min-energy")));
}

#[test]
fn set_null_removes_a_field_so_it_takes_its_default() {
    // seed-example sets `seed: 1`; with the field removed the default (1) applies,
    // and a horizon removed from manufacturing leaves the generated streams
    // unbounded, which the loader then refuses as it would a file without one.
    let sc = crate::common::scenario("seed-example.yaml");
    let removed = hetsim::scenario::load(&sc, &["seed=null".into()]).unwrap();
    assert_eq!(removed.scenario.seed, 1);
    let changed = hetsim::scenario::load(&sc, &["seed=9".into()]).unwrap();
    assert_eq!(changed.scenario.seed, 9);
    let m = crate::common::scenario("manufacturing.yaml");
    assert!(
        hetsim::scenario::load(&m, &[])
            .unwrap()
            .scenario
            .horizon
            .is_some()
    );
    let e = hetsim::scenario::load(&m, &["horizon=~".into()])
        .unwrap_err()
        .to_string();
    assert!(e.contains("an open arrival process needs an end"), "{e}");
}

#[test]
fn set_reads_an_untouched_job_list_as_the_file_gives_it() {
    // With `--set`, a job list the settings do not reach into is read straight into
    // its compact form, beside the generic document the settings change; a setting
    // inside the list still goes through the document.
    use hetsim::scenario::load;
    for f in ["seed-example.yaml", "seed-example.json"] {
        let sc = crate::common::scenario(f);
        let plain = load(&sc, &[]).unwrap().scenario;
        assert!(!plain.jobs.is_empty(), "{f} lists jobs");
        let seed = plain.seed;
        let set = load(&sc, &[format!("seed={seed}")]).unwrap().scenario;
        assert_eq!(set, plain, "{f}");
        let moved = load(&sc, &["seed=77".into()]).unwrap().scenario;
        assert_eq!((moved.seed, &moved.jobs), (77, &plain.jobs), "{f}");
        let work = plain.jobs[0].req.work + 1.5;
        let inside = load(&sc, &[format!("workload.jobs[0].work={work}")])
            .unwrap()
            .scenario;
        assert_eq!(inside.jobs[0].req.work, work, "{f}");
        assert_eq!(inside.jobs[1..], plain.jobs[1..], "{f}");
        // `set_path` reads `workload[.jobs` as `workload`, `jobs`: it reaches the list.
        let odd = load(&sc, &["workload[.jobs=[]".into()]).unwrap().scenario;
        assert!(odd.jobs.is_empty(), "{f}");
    }
}

#[test]
fn set_keeps_the_line_of_an_error_in_the_job_list() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("list.yaml");
    std::fs::write(
        &f,
        "datacenter:\n  classes:\n    cpu: {category: cpu, count: 1, speed: {a: 1}, idle_power: 1W, busy_power: 2W}\n\
         workload:\n  kinds:\n    a: {}\n  jobs:\n    - {kind: a, work: 1}\n    - {kind: a, work: -2}\n",
    )
    .unwrap();
    for set in [vec![], vec!["--set", "seed=3"]] {
        hetsim()
            .args(["run", "-q", "--out"])
            .arg(tmp.path().join("out"))
            .args(&set)
            .arg(&f)
            .assert()
            .code(2)
            .stderr(
                predicate::str::contains("list.yaml:9")
                    .and(predicate::str::contains("workload.jobs[1].work")),
            );
        assert!(!tmp.path().join("out").exists());
    }
}
