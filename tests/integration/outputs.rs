//! What a run folder holds and how much of it: per-kind and per-class job metrics
//! (checked against jobs.csv), `output.jobs` / `output.power` formats, the bound on
//! power.csv's rows (energies exact), the recorded `--set` options, and `compare`'s
//! table files.

use crate::common::{hetsim, read_csv, root, scenario};
use std::io::Read;
use std::path::{Path, PathBuf};

fn run(t: &Path, name: &str, file: &Path, sets: &[&str]) -> PathBuf {
    let out = t.join(name);
    let mut cmd = hetsim();
    cmd.arg("run").arg(file).arg("--out").arg(&out).arg("-q");
    for s in sets {
        cmd.args(["--set", s]);
    }
    cmd.assert().success();
    out
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

fn nearest_rank(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let r = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[r - 1]
}

/// A two-kind scenario on two classes, with deadlines on one kind, and enough
/// changes that power.csv has thousands of rows per change.
const TWO_KINDS: &str = "
name: two-kinds
seed: 3
datacenter:
  pue: 1.5
  classes:
    cpu: {category: cpu, count: 3, speed: {a: 1, b: 1}, idle_power: 10W, busy_power: 50W}
    gpu: {category: gpu, count: 1, speed: {a: 4}, idle_power: 30W, busy_power: 200W}
workload:
  kinds:
    a:
      arrival: {process: poisson, rate: 3/s, count: 3000}
      size: {dist: exponential, mean: 1}
      deadline: 2s
    b:
      arrival: {process: poisson, rate: 1/s, count: 1000}
      size: {dist: exponential, mean: 0.5}
policy:
  name: eft
output: {}
";

fn two_kinds(t: &Path) -> PathBuf {
    let f = t.join("two-kinds.yaml");
    std::fs::write(&f, TWO_KINDS).unwrap();
    f
}

#[test]
fn per_kind_and_per_class_metrics_match_jobs_csv() {
    let t = tempfile::tempdir().unwrap();
    let dir = run(t.path(), "r", &two_kinds(t.path()), &[]);
    let s = summary(&dir);
    let (h, rows) = read_csv(&dir.join("jobs.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (kind, class, resp, wait, energy, met) = (
        col("kind"),
        col("class"),
        col("response_s"),
        col("wait_s"),
        col("energy_j"),
        col("deadline_met"),
    );
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1e-9);
    for (group, key, idx) in [
        ("per_kind", "a", kind),
        ("per_kind", "b", kind),
        ("per_class", "cpu", class),
        ("per_class", "gpu", class),
    ] {
        let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r[idx] == key).collect();
        let g = &s[group][key];
        let f = |r: &&Vec<String>, c: usize| r[c].parse::<f64>().unwrap();
        let r: Vec<f64> = mine.iter().map(|x| f(x, resp)).collect();
        let w: Vec<f64> = mine.iter().map(|x| f(x, wait)).collect();
        assert_eq!(
            g["jobs"].as_u64().unwrap() as usize,
            mine.len(),
            "{group}.{key}"
        );
        assert!(close(
            g["response_mean_s"].as_f64().unwrap(),
            r.iter().sum::<f64>() / r.len() as f64
        ));
        assert!(close(
            g["response_p99_s"].as_f64().unwrap(),
            nearest_rank(r.clone(), 0.99)
        ));
        assert!(close(
            g["wait_p95_s"].as_f64().unwrap(),
            nearest_rank(w.clone(), 0.95)
        ));
        if group == "per_kind" {
            let e: f64 = mine.iter().map(|x| f(x, energy)).sum();
            assert!(close(g["energy_j"].as_f64().unwrap(), e));
        }
        let with: Vec<&&Vec<String>> = mine.iter().filter(|x| !x[met].is_empty()).collect();
        if with.is_empty() {
            assert!(
                g["deadline_miss_rate"].is_null(),
                "{group}.{key}: no deadline, no rate"
            );
        } else {
            let missed = with.iter().filter(|x| x[met] == "false").count();
            assert!(close(
                g["deadline_miss_rate"].as_f64().unwrap(),
                missed as f64 / with.len() as f64
            ));
        }
    }
    // Kinds add up to the whole.
    let total: u64 = ["a", "b"]
        .iter()
        .map(|k| s["per_kind"][k]["jobs"].as_u64().unwrap())
        .sum();
    assert_eq!(total, s["jobs_completed"].as_u64().unwrap());
    // summary.csv carries them as columns.
    let (sh, sv) = read_csv(&dir.join("summary.csv"));
    let i = sh
        .iter()
        .position(|c| c == "per_kind.a.response_p99_s")
        .expect("per-kind column");
    assert!(close(
        sv[0][i].parse().unwrap(),
        s["per_kind"]["a"]["response_p99_s"].as_f64().unwrap()
    ));
}

#[test]
fn power_csv_is_bounded_and_keeps_energy_exact() {
    let t = tempfile::tempdir().unwrap();
    let f = two_kinds(t.path());
    let per_change = run(t.path(), "all", &f, &["output.power_max_rows=0"]);
    let bounded = run(t.path(), "bounded", &f, &["output.power_max_rows=200"]);
    let (_, all_rows) = read_csv(&per_change.join("power.csv"));
    let (h, rows) = read_csv(&bounded.join("power.csv"));
    assert!(all_rows.len() > 2000, "{} rows per change", all_rows.len());
    assert!(rows.len() <= 200 && rows.len() >= 50, "{} rows", rows.len());
    let s = summary(&bounded);
    let dt = s["power_interval_s"].as_f64().expect("interval stated");
    assert!(summary(&per_change)["power_interval_s"].is_null());
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (d, it, fac, q) = (
        col("duration_s"),
        col("it_w"),
        col("facility_w"),
        col("queue_len"),
    );
    let num = |r: &Vec<String>, c: usize| r[c].parse::<f64>().unwrap();
    for r in &rows[..rows.len() - 1] {
        assert_eq!(num(r, d), dt, "whole intervals of the stated length");
    }
    let e: f64 = rows.iter().map(|r| num(r, it) * num(r, d)).sum();
    let ef: f64 = rows.iter().map(|r| num(r, fac) * num(r, d)).sum();
    let qa: f64 = rows.iter().map(|r| num(r, q) * num(r, d)).sum();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs();
    assert!(close(e, s["energy_it_j"].as_f64().unwrap()), "{e}");
    assert!(close(ef, s["energy_facility_j"].as_f64().unwrap()));
    assert!(close(
        qa / s["horizon_s"].as_f64().unwrap(),
        s["queue_mean"].as_f64().unwrap()
    ));
    // The run's other figures do not depend on how power.csv is written.
    let strip = |mut v: serde_json::Value| {
        let m = v.as_object_mut().unwrap();
        m.remove("wall_s");
        m.remove("power_interval_s");
        v
    };
    assert_eq!(strip(summary(&per_change)), strip(s));
}

fn gunzip(p: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(p).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn jobs_and_power_can_be_compressed_or_left_out() {
    let t = tempfile::tempdir().unwrap();
    let f = two_kinds(t.path());
    let plain = run(t.path(), "plain", &f, &[]);
    let gz = run(
        t.path(),
        "gz",
        &f,
        &["output.jobs=csv.gz", "output.power=csv.gz"],
    );
    assert!(!gz.join("jobs.csv").exists() && !gz.join("power.csv").exists());
    assert_eq!(
        gunzip(&gz.join("jobs.csv.gz")),
        std::fs::read(plain.join("jobs.csv")).unwrap()
    );
    assert_eq!(
        gunzip(&gz.join("power.csv.gz")),
        std::fs::read(plain.join("power.csv")).unwrap()
    );
    // Charts are drawn from the compressed files too, identically.
    for c in ["power", "response_cdf", "utilization"] {
        assert_eq!(
            std::fs::read(gz.join(format!("charts/{c}.svg"))).unwrap(),
            std::fs::read(plain.join(format!("charts/{c}.svg"))).unwrap(),
            "{c}"
        );
    }
    let none = run(
        t.path(),
        "none",
        &f,
        &["output.jobs=none", "output.power=none"],
    );
    for n in ["jobs.csv", "jobs.csv.gz", "power.csv", "power.csv.gz"] {
        assert!(!none.join(n).exists(), "{n}");
    }
    let html = std::fs::read_to_string(none.join("index.html")).unwrap();
    assert!(html.contains("output.jobs: none") && html.contains("output.power: none"));
    // The summary does not depend on what was written.
    let strip = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("wall_s");
        v
    };
    assert_eq!(strip(summary(&none)), strip(summary(&plain)));
    // A bad format is a located input error.
    hetsim()
        .arg("run")
        .arg(&f)
        .args(["--set", "output.jobs=parquet", "--out"])
        .arg(t.path().join("bad"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("output.jobs"));
}

#[test]
fn set_options_are_recorded_for_the_reproduce_command() {
    let t = tempfile::tempdir().unwrap();
    let dir = run(
        t.path(),
        "r",
        &scenario("seed-example.yaml"),
        &["policy.name=min-energy", "datacenter.pue=1.25"],
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("overrides.txt")).unwrap(),
        "policy.name=min-energy\ndatacenter.pue=1.25\n"
    );
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(
        html.contains(
            "hetsim run scenario.yaml --set policy.name=min-energy --set datacenter.pue=1.25"
        ),
        "reproduce command"
    );
    // Rerunning it from the folder gives the same summary.
    let again = t.path().join("again");
    hetsim()
        .current_dir(&dir)
        .args([
            "run",
            "scenario.yaml",
            "--set",
            "policy.name=min-energy",
            "--set",
            "datacenter.pue=1.25",
            "-q",
            "--no-charts",
            "--out",
        ])
        .arg(&again)
        .assert()
        .success();
    let strip = |mut v: serde_json::Value| {
        v.as_object_mut().unwrap().remove("wall_s");
        v
    };
    assert_eq!(strip(summary(&again)), strip(summary(&dir)));
    let _ = root();
}

#[test]
fn compare_writes_tables_with_labels_points_and_warnings() {
    let t = tempfile::tempdir().unwrap();
    let a = run(t.path(), "fcfs", &scenario("seed-example.yaml"), &[]);
    let b = run(
        t.path(),
        "me",
        &scenario("seed-example.yaml"),
        &["policy.name=min-energy"],
    );
    let c = run(t.path(), "other", &two_kinds(t.path()), &[]);
    let out = t.path().join("cmp");
    let assert = hetsim()
        .arg("compare")
        .args([&a, &b, &c])
        .args(["--label", "FCFS", "--label", "min energy", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicates::str::contains("different scenarios"));
    let printed = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    // Energy 316.67 J (FCFS) vs 200 J (min-energy): -116.7 J, -36.8 %.
    assert!(
        printed.contains("| IT energy | 316.7 J | 200 J | -116.7 J (-36.8 %) |"),
        "{printed}"
    );
    let md = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(md.starts_with("| metric | FCFS | min energy | Δ vs FCFS | other | Δ vs FCFS |"));
    assert!(!md.contains("wall-clock") && !printed.contains("wall"));
    let (h, rows) = read_csv(&out.join("comparison.csv"));
    assert_eq!(
        h,
        [
            "metric", "label", "unit", "better", "run", "value", "diff_abs", "diff_rel"
        ]
    );
    let row = |m: &str, run: &str| rows.iter().find(|r| r[0] == m && r[4] == run).cloned();
    let e = row("energy_it_j", "min energy").unwrap();
    assert!((e[6].parse::<f64>().unwrap() + 116.666_666_666_666_67).abs() < 1e-9);
    assert!((e[7].parse::<f64>().unwrap() + 0.368_421_052_631_578_9).abs() < 1e-9);
    // Rates differ in points, never relatively; wall_s is not compared.
    let u = row("utilization", "min energy").unwrap();
    assert_eq!(u[2], "fraction");
    assert!(u[7].is_empty());
    assert!(row("wall_s", "FCFS").is_none());
    // Two runs with one label are refused.
    hetsim()
        .arg("compare")
        .args([&a, &b])
        .args(["--label", "x", "--label", "x", "--out"])
        .arg(t.path().join("cmp2"))
        .assert()
        .failure();
}

#[test]
fn export_batsim_writes_batsims_jobs_columns() {
    let t = tempfile::tempdir().unwrap();
    let dir = run(t.path(), "r", &two_kinds(t.path()), &["output.jobs=csv.gz"]);
    let out = t.path().join("batsim_jobs.csv");
    hetsim()
        .args(["export", "batsim"])
        .arg(&dir)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let (h, rows) = read_csv(&out);
    assert_eq!(h, hetsim::report::export::BATSIM_COLUMNS);
    let plain = run(t.path(), "p", &two_kinds(t.path()), &[]);
    let (jh, jobs) = read_csv(&plain.join("jobs.csv"));
    assert_eq!(rows.len(), jobs.len());
    let jc = |n: &str| jh.iter().position(|c| c == n).unwrap();
    let bc = |n: &str| h.iter().position(|c| c == n).unwrap();
    for (b, j) in rows.iter().zip(&jobs) {
        assert_eq!(b[bc("job_id")], j[jc("id")]);
        assert_eq!(b[bc("submission_time")], j[jc("arrival_s")]);
        assert_eq!(b[bc("starting_time")], j[jc("start_s")]);
        assert_eq!(b[bc("finish_time")], j[jc("end_s")]);
        // One device per job here: its id is the whole interval set.
        assert_eq!(b[bc("allocated_resources")], j[jc("devices")]);
        assert_eq!(b[bc("requested_number_of_resources")], "1");
        let (s, e, x): (f64, f64, f64) = (
            b[bc("starting_time")].parse().unwrap(),
            b[bc("finish_time")].parse().unwrap(),
            b[bc("execution_time")].parse().unwrap(),
        );
        assert!((e - s - x).abs() < 1e-6);
        assert_eq!(b[bc("final_state")], "COMPLETED_SUCCESSFULLY");
    }
    // A run without jobs.csv cannot be exported.
    let none = run(t.path(), "n", &two_kinds(t.path()), &["output.jobs=none"]);
    hetsim()
        .args(["export", "batsim"])
        .arg(&none)
        .assert()
        .failure()
        .stderr(predicates::str::contains("output.jobs: none"));
}
