//! `hetsim sweep`: the plan and its seeds, statistics, byte-identical output whatever
//! the threads, a SIGKILL and resume, shards and merge, and clear errors.

use crate::common::*;
use hetsim::sweep::{self, Options, Shard};
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// A small heterogeneous scenario: policies place jobs differently on it.
const HET: &str = r#"
name: het
seed: 11
datacenter:
  classes:
    cpu: {category: cpu, count: 4, speed: {job: 1}, idle_power: 10W, busy_power: 50W}
    gpu: {category: gpu, count: 2, speed: {job: 4}, idle_power: 30W, busy_power: 250W}
workload:
  kinds:
    job:
      arrival: {process: poisson, rate: 2/s, count: 150}
      size: {dist: exponential, mean: 2}
policy:
  name: fcfs
"#;

/// Writes `het.yaml` and a sweep file `name.yaml` with `body` into `dir`.
pub fn sweep_file(dir: &Path, name: &str, body: &str) -> PathBuf {
    std::fs::write(dir.join("het.yaml"), HET).unwrap();
    let p = dir.join(format!("{name}.yaml"));
    std::fs::write(&p, body).unwrap();
    p
}

/// 3 policies x 2 rates (range) x 2 GPU counts x 3 replications = 36 runs.
pub const THREE_AXES: &str = r#"
name: three
scenario: het.yaml
axes:
  policy.name: [fcfs, eft, min-energy]
  workload.kinds.job.arrival.rate: {from: 2, to: 3, step: 1}
  datacenter.classes.gpu.count: [1, 2]
replications: 3
same_seed_across: [policy.name]
metrics: [response_mean_s, energy_facility_j]
"#;

/// [`THREE_AXES`] with a single chart metric (charts are the slow part of a debug
/// build).
fn light() -> String {
    THREE_AXES.replace("[response_mean_s, energy_facility_j]", "[response_mean_s]")
}

/// Every file under `dir` (relative paths, sorted) except the timing log.
fn files(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    // timing.csv is wall-clock time; runs/ (per-run folders) has wall_s too.
    v.retain(|p| p != Path::new(sweep::TIMING) && !p.starts_with("runs"));
    v.sort();
    v
}

/// Asserts two sweep folders hold the same files with the same bytes (but timing.csv).
pub fn assert_same_output(a: &Path, b: &Path) {
    let fa = files(a);
    assert_eq!(
        fa,
        files(b),
        "different file sets in {} and {}",
        a.display(),
        b.display()
    );
    assert!(
        fa.iter().any(|f| f
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("pareto-")
                && n.to_string_lossy().ends_with(".svg"))),
        "no charts in {}",
        a.display()
    );
    for f in &fa {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(
            x == y,
            "{} differs between {} and {}",
            f.display(),
            a.display(),
            b.display()
        );
    }
}

fn opts(out: &Path, jobs: usize, shard: Option<Shard>) -> Options {
    Options {
        jobs: Some(jobs),
        out: Some(out.to_path_buf()),
        shard,
        run_folders: false,
        run_charts: false,
    }
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[test]
fn three_axis_sweep_writes_rows_statistics_charts_and_page() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "three", THREE_AXES);
    let out = tmp.path().join("out");
    let r = sweep::run(&file, &opts(&out, 2, None)).unwrap();
    assert_eq!((r.runs, r.ran, r.resumed), (36, 36, 0));

    let (m, _) = sweep::exec::read_dir(&out).unwrap();
    assert_eq!((m.points, m.runs.len()), (12, 36));
    // Range {from: 2, to: 3, step: 1} expands to two integer values.
    assert_eq!(
        m.axes[1].values,
        [serde_json::json!(2), serde_json::json!(3)]
    );

    let (h, rows) = read_csv(&out.join("runs.csv"));
    assert_eq!(rows.len(), 36);
    assert_eq!(
        h[..9],
        [
            "run",
            "point",
            "replication",
            "policy.name",
            "workload.kinds.job.arrival.rate",
            "datacenter.classes.gpu.count",
            "seed",
            "hetsim_version",
            "scenario_sha256"
        ]
    );
    assert!(
        !h.iter().any(|c| c == "wall_s"),
        "wall_s is not deterministic"
    );
    for key in [
        "response_p99_s",
        "energy_facility_j",
        "per_class.gpu.utilization",
    ] {
        col(&h, key);
    }
    let sha = hetsim::sweep::seed::sha256_hex(&std::fs::read(tmp.path().join("het.yaml")).unwrap());
    for (k, r) in rows.iter().enumerate() {
        assert_eq!(r[0], k.to_string(), "rows in plan order");
        assert_eq!(r[6], m.runs[k].seed.to_string());
        assert_eq!(r[7], env!("CARGO_PKG_VERSION"));
        assert_eq!(r[8], sha);
        assert_eq!(
            r[col(&h, "policy")],
            r[3],
            "the policy axis reached the run"
        );
        assert_eq!(
            r[col(&h, "per_class.gpu.devices")],
            r[5],
            "the count axis reached the run"
        );
    }
    // Run 0: point 0 = (fcfs, 2, 1), replication 0.
    assert_eq!(rows[0][3..6], ["fcfs", "2", "1"]);
    assert_eq!(rows[35][3..6], ["min-energy", "3", "2"]);
    // Same seeds across policies (common random numbers), different across
    // replications and the other axes.
    let seed = |k: usize| rows[k][6].clone();
    assert_eq!(seed(0), seed(12));
    assert_eq!(seed(0), seed(24));
    assert_ne!(seed(0), seed(1));
    assert_ne!(seed(0), seed(3));
    assert_ne!(seed(0), seed(6));
    // The pinned rule, recomputed here.
    let v2 = serde_json::json!(2);
    let v1 = serde_json::json!(1);
    let expect = hetsim::sweep::seed::derive(
        11,
        &[
            ("workload.kinds.job.arrival.rate", &v2),
            ("datacenter.classes.gpu.count", &v1),
        ],
        1,
    );
    assert_eq!(seed(1), expect.to_string());
    // Policies differ on this heterogeneous scenario.
    let resp = col(&h, "response_mean_s");
    assert_ne!(rows[0][resp], rows[12][resp]);

    // summary.csv: point 4 = (eft, 2, 1) = runs 12..15; check mean, std and the t CI.
    let (sh, srows) = read_csv(&out.join("summary.csv"));
    assert_eq!(srows.len(), 12);
    assert_eq!(
        sh[..5],
        [
            "point",
            "policy.name",
            "workload.kinds.job.arrival.rate",
            "datacenter.classes.gpu.count",
            "runs"
        ]
    );
    let p = &srows[4];
    assert_eq!(p[..5], ["4", "eft", "2", "1", "3"]);
    let v: Vec<f64> = (12..15).map(|k| rows[k][resp].parse().unwrap()).collect();
    let mean = (v[0] + v[1] + v[2]) / 3.0;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
    let ci = 4.302_652_729_749_464 * sd / 3f64.sqrt(); // t(0.975, 2)
    let got = |name: &str| -> f64 { p[col(&sh, name)].parse().unwrap() };
    assert!((got("response_mean_s_mean") - mean).abs() <= 1e-12 * mean);
    assert!((got("response_mean_s_std") - sd).abs() <= 1e-9 * sd);
    assert!((got("response_mean_s_ci95") - ci).abs() <= 1e-9 * ci);
    assert!(sd > 0.0);
    // A constant column has std 0.
    assert_eq!(p[col(&sh, "jobs_arrived_mean")], "150");
    assert_eq!(p[col(&sh, "jobs_arrived_std")], "0");

    // Pareto: 12 points, at least one on the front, none on it dominated.
    let (_, prows) = read_csv(&out.join("pareto.csv"));
    assert_eq!(prows.len(), 12);
    let pts: Vec<(f64, f64, bool)> = prows
        .iter()
        .map(|r| (r[4].parse().unwrap(), r[5].parse().unwrap(), r[6] == "true"))
        .collect();
    assert!(pts.iter().any(|p| p.2));
    for a in pts.iter().filter(|p| p.2) {
        assert!(
            !pts.iter()
                .any(|b| b.0 <= a.0 && b.1 <= a.1 && (b.0 < a.0 || b.1 < a.1))
        );
    }

    // Charts: each chart metric against each numeric axis (per slice), and the front.
    // File names say what they show: metric, axis and the fixed values.
    for stem in [
        "pareto-energy_facility_j-vs-response_p99_s-at-rate_2-count_1",
        "pareto-energy_facility_j-vs-response_p99_s-at-rate_3-count_2",
        "response_mean_s-vs-arrival_rate-at-count_1",
        "response_mean_s-vs-arrival_rate-at-count_2",
        "energy_facility_j-vs-gpu_count-at-rate_3",
    ] {
        for ext in ["svg", "png"] {
            let f = out.join("charts").join(format!("{stem}.{ext}"));
            assert!(
                std::fs::metadata(&f)
                    .map(|m| m.len() > 1000)
                    .unwrap_or(false),
                "{}",
                f.display()
            );
        }
    }
    let svg =
        std::fs::read_to_string(out.join("charts/response_mean_s-vs-arrival_rate-at-count_1.svg"))
            .unwrap();
    for policy in ["fcfs", "eft", "min-energy"] {
        assert!(svg.contains(policy), "legend lacks {policy}");
    }
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains("charts/pareto-energy_facility_j-vs-response_p99_s-at-rate_2-count_1.svg")
            && html.contains("Pareto front")
    );
    // Values carry units: "1.19 MJ ± 28 kJ" style, never raw exponents.
    assert!(
        html.contains(" kJ ± ") || html.contains(" J ± "),
        "no units in the table"
    );
    assert!(html.contains("runs.csv") && html.contains("same_seed_across"));
    // timing.csv: one line per run plus the header.
    let timing = std::fs::read_to_string(out.join("timing.csv")).unwrap();
    assert_eq!(timing.lines().count(), 37);
}

#[test]
fn a_sweep_row_is_what_run_with_set_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "three", THREE_AXES);
    let out = tmp.path().join("out");
    let mut o = opts(&out, 2, None);
    o.run_folders = true;
    sweep::run(&file, &o).unwrap();
    let (h, rows) = read_csv(&out.join("runs.csv"));
    let r = &rows[17]; // point 5 = (eft, 2, 2), replication 2
    assert_eq!(r[3..6], ["eft", "2", "2"]);
    let check = |loaded: &hetsim::scenario::Loaded| {
        let s = hetsim::run::run_in_memory(loaded).unwrap().summary;
        let mut checked = 0;
        for (k, v) in hetsim::report::files::summary_pairs(&s) {
            if k == "wall_s" || k == "seed" {
                continue;
            }
            assert_eq!(r[col(&h, &k)], v, "{k}");
            checked += 1;
        }
        assert!(checked > 30);
    };
    // The base scenario with the point's values and the seed, as `hetsim run --set`.
    check(&load_with(
        &tmp.path().join("het.yaml"),
        &[
            "policy.name=eft",
            "workload.kinds.job.arrival.rate=2",
            "datacenter.classes.gpu.count=2",
            &format!("seed={}", r[6]),
        ],
    ));
    // --run-folders: each run's folder, whose scenario file is the run's scenario;
    // no per-run charts unless asked.
    let run17 = out.join("runs/17");
    check(&load(&run17.join("scenario.yaml")));
    for f in ["summary.json", "jobs.csv", "power.csv"] {
        assert!(run17.join(f).is_file(), "missing runs/17/{f}");
    }
    let svgs = std::fs::read_dir(&run17)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "svg")
        })
        .count();
    assert_eq!(svgs, 0);
    assert_eq!(std::fs::read_dir(out.join("runs")).unwrap().count(), 36);
}

#[test]
fn output_is_the_same_bytes_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "three", &light());
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    sweep::run(&file, &opts(&a, 1, None)).unwrap();
    sweep::run(&file, &opts(&b, 2, None)).unwrap();
    assert_same_output(&a, &b);
    // Running again into a finished folder redoes nothing and changes nothing.
    let r = sweep::run(&file, &opts(&b, 2, None)).unwrap();
    assert_eq!((r.ran, r.resumed), (0, 36));
    assert_same_output(&a, &b);
}

#[test]
fn a_sweep_killed_with_sigkill_resumes_to_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    // 4 x 40 x 2 = 320 runs: long enough (several seconds) to kill it midway.
    let body = r#"
name: big
scenario: het.yaml
set:
  workload.kinds.job.arrival.count: 300
axes:
  policy.name: [fcfs, eft, min-energy, fastest]
  workload.kinds.job.arrival.rate: {from: 1, to: 4.9, step: 0.1}
replications: 2
metrics: [response_mean_s]
"#;
    let file = sweep_file(tmp.path(), "big", body);
    let out = tmp.path().join("killed");
    let total = 320;
    let bin = assert_cmd::cargo::cargo_bin("hetsim");
    let mut child = std::process::Command::new(&bin)
        .args(["sweep", "--jobs", "2", "--quiet", "--out"])
        .arg(&out)
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let runs = out.join("runs.csv");
    let t0 = Instant::now();
    loop {
        let lines = std::fs::read_to_string(&runs)
            .map(|s| s.lines().count())
            .unwrap_or(0);
        if lines > 10 {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "no rows appeared");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before the kill"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!out.join("summary.csv").exists(), "killed before the end");
    let (_, table) = sweep::exec::read_dir(&out).unwrap();
    let done = table.rows.len();
    assert!(done >= 10 && done < total, "{done} rows at the kill");
    // Also simulate a kill in the middle of a write: a torn last line.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&runs)
        .unwrap();
    std::io::Write::write_all(&mut f, b"299,149,1,fastest,4.9,").unwrap();
    drop(f);

    hetsim()
        .args(["sweep", "--jobs", "2", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "{total} runs, {done} already done, {} to do",
            total - done
        )))
        .stderr(predicate::str::contains("dropped 1 torn"));
    // Only the unfinished runs were redone: the timing log gained one line for each.
    let timing = std::fs::read_to_string(out.join("timing.csv")).unwrap();
    let timed = timing.lines().filter(|l| !l.starts_with("run,")).count();
    assert!(
        timed >= total - done && timed <= total,
        "{timed} timing lines"
    );

    let reference = tmp.path().join("reference");
    sweep::run(&file, &opts(&reference, 1, None)).unwrap();
    assert_same_output(&out, &reference);
}

#[test]
fn shards_merge_to_the_local_bytes_for_any_shard_count() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "three", &light());
    let local = tmp.path().join("local");
    sweep::run(&file, &opts(&local, 2, None)).unwrap();
    for n in [1usize, 5, 40] {
        let mut dirs = Vec::new();
        // Shards in reverse order: the order of folders does not matter either.
        for i in (0..n).rev() {
            let d = tmp.path().join(format!("n{n}-s{i}"));
            let r = sweep::run(&file, &opts(&d, 1, Some(Shard { index: i, count: n }))).unwrap();
            assert_eq!(r.runs, (0..36).filter(|k| k % n == i).count());
            dirs.push(d);
        }
        let merged = tmp.path().join(format!("merged-{n}"));
        hetsim::sweep::merge::merge(&dirs, &merged).unwrap();
        assert_same_output(&local, &merged);
    }
}

#[test]
fn merge_rejects_missing_and_duplicate_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "three", &light());
    let d: Vec<PathBuf> = (0..3)
        .map(|i| {
            let d = tmp.path().join(format!("s{i}"));
            sweep::run(&file, &opts(&d, 1, Some(Shard { index: i, count: 3 }))).unwrap();
            d
        })
        .collect();
    hetsim()
        .args(["sweep", "merge", "--out"])
        .arg(tmp.path().join("m1"))
        .args([&d[0], &d[2]])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "12 of 36 runs are missing: 1 (shard 1/3), 4 (shard 1/3)",
        ))
        .stderr(predicate::str::contains("rerun shard(s) 1 of 3"));
    // The same runs in two folders: shard 0 of 3 and a whole local sweep.
    let local = tmp.path().join("local");
    sweep::run(&file, &opts(&local, 2, None)).unwrap();
    hetsim()
        .args(["sweep", "merge", "--out"])
        .arg(tmp.path().join("m2"))
        .args([&local, &d[0]])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("run 0 is also in"))
        .stderr(predicate::str::contains("exactly one folder"));
    assert!(!tmp.path().join("m1").join("runs.csv").exists());
}

#[test]
fn auto_shard_takes_the_index_from_slurm() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "three", THREE_AXES);
    let out = tmp.path().join("s");
    hetsim()
        .env("SLURM_ARRAY_TASK_ID", "2")
        .args(["sweep", "--shard", "auto/4", "--jobs", "1", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains("shard 2/4: 9 runs"));
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("shard.json")).unwrap()).unwrap();
    assert_eq!(s, serde_json::json!({"index": 2, "count": 4}));
    let (_, rows) = read_csv(&out.join("runs.csv"));
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["2", "6", "10", "14", "18", "22", "26", "30", "34"]);
    hetsim()
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("HETSIM_SHARD_INDEX")
        .args(["sweep", "--shard", "auto/4"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SLURM_ARRAY_TASK_ID"));
    hetsim()
        .args(["sweep", "--shard", "4/4"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("out of range"));
}

#[test]
fn a_folder_of_another_plan_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "three", THREE_AXES);
    let out = tmp.path().join("out");
    let shard = Some(Shard { index: 0, count: 9 });
    sweep::run(&file, &opts(&out, 2, shard)).unwrap();
    // A sweep already writing into the folder (it holds the lock) keeps it.
    let held = std::fs::File::open(out.join("manifest.json")).unwrap();
    held.lock().unwrap();
    hetsim()
        .args(["sweep", "--shard", "0/9", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("another hetsim sweep is writing"));
    drop(held);
    // The whole sweep into a shard's folder is refused.
    hetsim()
        .args(["sweep", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "holds shard 0/9, not the whole sweep",
        ));
    std::fs::write(
        &file,
        THREE_AXES.replace("replications: 3", "replications: 2"),
    )
    .unwrap();
    hetsim()
        .args(["sweep", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds another sweep plan"));
    let other = tmp.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    hetsim()
        .args(["sweep", "--out"])
        .arg(&other)
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no sweep manifest"));
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn bad_sweep_files_name_the_file_line_and_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "unknown",
            "scenario: het.yaml\naxes:\n  policy.name: [fcfs]\nreplication: 3\n",
            &["unknown.yaml:4", "replication"],
        ),
        (
            "badpath",
            "scenario: het.yaml\naxes:\n  workload.kind.job.arrival.rate: [1, 2]\n",
            &["badpath.yaml:3", "no field `kind`", "fields there: kinds"],
        ),
        (
            "badpolicy",
            "scenario: het.yaml\naxes:\n  policy.name: [fcfs, nope]\n",
            &[
                "badpolicy.yaml:3:3",
                "value `nope`: unknown policy",
                "hetsim policies",
            ],
        ),
        (
            "badleaf",
            "scenario: het.yaml\naxes:\n  workload.kinds.job.arrival.rat: [1]\n",
            &["badleaf.yaml:3:3", "unknown field `rat`", "`rate`"],
        ),
        (
            "seedaxis",
            "scenario: het.yaml\naxes:\n  seed: [1, 2]\n",
            &["seedaxis.yaml:3", "replications"],
        ),
        (
            "badrange",
            "scenario: het.yaml\naxes:\n  workload.kinds.job.arrival.rate: {from: 3, to: 1, step: 1}\n",
            &["badrange.yaml:3", "negative step"],
        ),
        (
            "noscenario",
            "scenario: missing.yaml\naxes: {}\n",
            &[
                "noscenario.yaml:1",
                "missing.yaml",
                "relative to the sweep file",
            ],
        ),
        (
            "badmetric",
            "scenario: het.yaml\naxes:\n  policy.name: [fcfs]\nmetrics: [response_mean]\n",
            &["response_mean", "not a summary key", "response_mean_s"],
        ),
    ];
    for (name, body, wants) in cases {
        let f = sweep_file(tmp.path(), name, body);
        let mut a = hetsim()
            .args(["sweep", "--out"])
            .arg(tmp.path().join(format!("out-{name}")))
            .arg(&f)
            .assert()
            .code(2);
        for w in *wants {
            a = a.stderr(predicate::str::contains(*w));
        }
    }
}

#[test]
fn slurm_scripts_are_written_with_absolute_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "three", THREE_AXES);
    let work = tmp.path().join("work");
    let out = tmp.path().join("merged");
    hetsim()
        .args([
            "sweep",
            "slurm",
            "--shards",
            "5",
            "--partition",
            "short",
            "--out",
        ])
        .arg(&out)
        .arg("--work")
        .arg(&work)
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("submit.sh"));
    let array = std::fs::read_to_string(work.join("array.sbatch")).unwrap();
    for want in [
        "#SBATCH --array=0-4\n",
        "#SBATCH --partition=short\n",
        "#SBATCH --time=01:00:00\n",
        "--shard \"${SLURM_ARRAY_TASK_ID}/5\"",
        &format!("{}/shards/\"${{SLURM_ARRAY_TASK_ID}}\"", work.display()),
        &file.display().to_string(),
        "36 runs in 5 shards",
    ] {
        assert!(
            array.contains(want),
            "array.sbatch lacks {want:?}:\n{array}"
        );
    }
    let merge = std::fs::read_to_string(work.join("merge.sbatch")).unwrap();
    assert!(merge.contains("seq 0 4") && merge.contains(&format!("--out {}", out.display())));
    let submit = std::fs::read_to_string(work.join("submit.sh")).unwrap();
    assert!(submit.contains("--dependency=afterok:\"$array\" --kill-on-invalid-dep=yes"));
    for s in ["array.sbatch", "merge.sbatch", "submit.sh"] {
        std::process::Command::new("bash")
            .arg("-n")
            .arg(work.join(s))
            .status()
            .map(|st| assert!(st.success(), "{s} is not valid bash"))
            .unwrap();
    }
}

#[test]
fn a_sweep_flags_policies_accounted_over_different_windows() {
    // M/M/16 without a horizon: each run is accounted to its own last completion, so
    // fcfs and a policy that finishes at another time (different seeds here) are not
    // accounted over one window. The sweep must say so, in warnings.txt, the HTML
    // and on stderr; with `accounting.until` fixed, it must not.
    let dir = tempfile::tempdir().unwrap();
    let mmc = crate::common::scenario("mmc.yaml");
    let write = |name: &str, extra: &str| {
        let f = dir.path().join(format!("{name}.yaml"));
        std::fs::write(
            &f,
            format!(
                "name: {name}\nscenario: {}\nset:\n  workload.kinds.request.arrival.count: 200\n{extra}\
                 axes:\n  policy.name: [fcfs, min-energy]\nreplications: 2\nmetrics: [energy_it_j]\n",
                mmc.display()
            ),
        )
        .unwrap();
        f
    };
    let free = write("free", "");
    let out = dir.path().join("free-out");
    let o = crate::common::hetsim()
        .args([
            "sweep",
            free.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    let text = std::fs::read_to_string(out.join("warnings.txt")).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains("replication 0") && text.contains("replication 1"),
        "{text}"
    );
    assert!(text.contains("different windows"), "{text}");
    assert!(stderr.contains("warning: runs 0 and 2"), "{stderr}");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("<h2>Warnings</h2>"));

    let fixed = write("fixed", "  accounting: {until: 100s}\n");
    let out = dir.path().join("fixed-out");
    crate::common::hetsim()
        .args([
            "sweep",
            fixed.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ])
        .assert()
        .success();
    assert!(!out.join("warnings.txt").exists());
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!html.contains("<h2>Warnings</h2>"));
}

#[test]
fn a_sweep_over_listed_jobs_runs_what_run_with_set_gives() {
    // The job list is read once into its compact form when no setting reaches into it,
    // and put back whole in each run folder's scenario; an axis inside the list takes
    // the generic document's path. Both must give what `hetsim run --set` gives.
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("listed.yaml");
    std::fs::copy(scenario("seed-example.yaml"), &base).unwrap();
    for (name, axis, sets) in [
        (
            "apart",
            "datacenter.classes.tpu.speed.task: [2, 4]",
            ["datacenter.classes.tpu.speed.task=4"],
        ),
        (
            "inside",
            "workload.jobs[0].work: [100, 250]",
            ["workload.jobs[0].work=250"],
        ),
    ] {
        let file = tmp.path().join(format!("{name}.yaml"));
        std::fs::write(
            &file,
            format!(
                "name: {name}\nscenario: listed.yaml\nset: {{policy.name: eft}}\naxes:\n  {axis}\n"
            ),
        )
        .unwrap();
        let out = tmp.path().join(name);
        let mut o = opts(&out, 2, None);
        o.run_folders = true;
        sweep::run(&file, &o).unwrap();
        let (h, rows) = read_csv(&out.join("runs.csv"));
        let r = &rows[1];
        let mut sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        sets.push("policy.name=eft".into());
        sets.push(format!("seed={}", r[col(&h, "seed")]));
        let by_set = hetsim::scenario::load(&base, &sets).unwrap();
        let folder = load(&out.join("runs/1/scenario.yaml"));
        assert_eq!(folder.scenario, by_set.scenario, "{name}");
        assert_eq!(by_set.scenario.jobs.len(), 3, "{name}");
        let s = hetsim::run::run_in_memory(&by_set).unwrap().summary;
        for (k, v) in hetsim::report::files::summary_pairs(&s) {
            if k != "wall_s" && k != "seed" {
                assert_eq!(r[col(&h, &k)], v, "{name}: {k}");
            }
        }
        let e = col(&h, "energy_it_to_makespan_j");
        assert_ne!(rows[0][e], r[e], "{name}: the axis changed nothing");
    }
}
