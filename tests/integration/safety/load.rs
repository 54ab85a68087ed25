//! Load-time checks: what `run` would reject, `validate` rejects first, located, with
//! exit code 2 (issue 13, item 7); names that would collide in output headers
//! (item 8).

use super::{TINY, write};
use crate::common::hetsim;

/// `hetsim validate` on `text` fails with exit 2, naming the file's line and `field`.
fn rejected(text: &str, line: Option<u32>, field: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(tmp.path(), "s.yaml", text);
    write(
        tmp.path(),
        "big.csv",
        "arrival,kind,work\n0,request,1\n1,request,1e300\n",
    );
    let out = hetsim().arg("validate").arg(&f).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    if let Some(line) = line {
        assert!(err.contains(&format!("s.yaml:{line}:")), "{err}");
    }
    assert!(err.contains(&format!("field `{field}`")), "{err}");
}

/// Item 7: a speed of 1e-300, an explicit job of 1e300 units and a replayed job of
/// 1e300 units passed `validate` and stopped `run` half-way with exit 1 and no
/// location; now `validate` rejects each at its field.
#[test]
fn validate_rejects_run_times_past_the_clock() {
    rejected(
        &TINY.replace("speed: {request: 1}", "speed: {request: 1e-300}"),
        Some(4),
        "datacenter.classes.server.speed.request",
    );
    rejected(
        &(TINY.replace("policy: {name: fcfs}\n", "")
            + "  jobs:\n    - {kind: request, arrival: 0, work: 1}\n    - {kind: request, arrival: 1, work: 1e300}\npolicy: {name: fcfs}\n"),
        Some(12),
        "workload.jobs[1].work",
    );
    rejected(
        &(TINY.replace("policy: {name: fcfs}\n", "")
            + "  traces:\n    - {format: csv, file: big.csv, kind: request}\npolicy: {name: fcfs}\n"),
        Some(11),
        "workload.traces[0]",
    );
}

/// Item 8: class names that would duplicate a power.csv column (`it`, `facility`,
/// `cap`, `time`), make summary keys ambiguous (`a.b` beside `a`) or give a column
/// `_w` (empty) are refused at their field; kind names that are empty are too.
#[test]
fn class_names_that_would_collide_in_headers_are_refused() {
    for (name, yaml_name) in [
        ("it", "it"),
        ("facility", "facility"),
        ("cap", "cap"),
        ("time", "time"),
        ("a.b", "a.b"),
        ("", "\"\""),
    ] {
        let text = TINY.replace("    server:", &format!("    {yaml_name}:"));
        // A dotted or empty name cannot be looked up as a path: located at its parent.
        let line = if name.contains('.') || name.is_empty() {
            3
        } else {
            4
        };
        let field = format!("datacenter.classes.{name}");
        rejected(&text, Some(line), field.trim_end_matches('.'));
    }
    rejected(
        &TINY.replace("    request:\n", "    \"\":\n"),
        None,
        "workload.kinds",
    );
    // Names that pass give unique power.csv headers.
    let tmp = tempfile::tempdir().unwrap();
    let text = TINY.replace(
        "    server: {category: cpu, count: 2, speed: {request: 1}, idle_power: 20W, busy_power: 100W}\n",
        "    a: {category: cpu, count: 1, speed: {request: 1}, idle_power: 20W, busy_power: 100W}\n    a-b: {category: cpu, count: 1, speed: {request: 1}, idle_power: 20W, busy_power: 100W}\n    IT_2: {category: cpu, count: 1, speed: {request: 1}, idle_power: 20W, busy_power: 100W}\n",
    );
    let f = write(tmp.path(), "s.yaml", &text);
    let out = tmp.path().join("out");
    hetsim()
        .args(["run", "--no-charts", "-q", "--out"])
        .arg(&out)
        .arg(&f)
        .assert()
        .success();
    let (header, _) = crate::common::read_csv(&out.join("power.csv"));
    let mut sorted = header.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), header.len(), "{header:?}");
}

/// Item 6: a run whose size grows without bound (1e9 arrivals/s, a period of 1 ns,
/// a power interval of 1 ns over 60 s) is refused by `validate` and `run` at the
/// field that drives it, exit 2; the matching flag raises the budget.
#[test]
fn size_budget_is_checked_at_load_time() {
    let h = "horizon: 60s\n";
    let rate = format!("{h}{}", TINY.replace("rate: 1/s, count: 20", "rate: 1e9/s"));
    rejected(&rate, Some(9), "workload.kinds.request.arrival");
    let period = format!(
        "{h}{}",
        TINY.replace(
            "{process: poisson, rate: 1/s, count: 20}",
            "{process: periodic, period: 1ns}"
        )
    );
    rejected(&period, Some(9), "workload.kinds.request.arrival");
    let rows = format!("{h}{TINY}output: {{power_interval: 1ns}}\n");
    rejected(&rows, Some(12), "output.power_interval");
    let tmp = tempfile::tempdir().unwrap();
    let f = write(tmp.path(), "rows.yaml", &rows);
    hetsim()
        .args(["validate", "--max-power-rows", "1e11"])
        .arg(&f)
        .assert()
        .success();
    hetsim()
        .args(["run", "--no-charts", "-q", "--out"])
        .arg(tmp.path().join("out"))
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--max-power-rows"));
    assert!(!tmp.path().join("out").exists());
    let f = write(tmp.path(), "rate.yaml", &rate);
    hetsim()
        .args(["validate", "--max-jobs", "1e11", "--max-waiting", "1e11"])
        .arg(&f)
        .assert()
        .success();
}

/// The size estimate agrees with hand-computed figures: the M/M/16 case releases
/// 200,000 jobs at an offered load of 12.8 x 1 / 16 = 0.8, so nothing piles up.
#[test]
fn size_estimate_matches_hand_computation() {
    let l = crate::common::load(&crate::common::scenario("mmc.yaml"));
    let e = hetsim::scenario::limits::estimate(&l.scenario);
    assert_eq!(e.jobs, 200_000.0);
    assert!((e.load - 0.8).abs() < 1e-12, "{}", e.load);
    assert_eq!(e.waiting, 0.0);
    // 200,000 jobs at 12.8/s arrive over 15,625 s: about 260 rows at 60 s.
    assert!((e.duration_s - 15_625.0).abs() < 1e-6, "{}", e.duration_s);
    assert!((e.power_rows - 15_625.0 / 60.0).abs() < 1e-9);
}

/// Item 6, at run time: a queue the load-time estimate cannot foresee (here a batch of
/// 50 jobs at t = 0 on 2 devices: 48 wait) stops the run with exit 1 and a message
/// naming the flag once more than `--max-waiting` jobs wait, and leaves no folder;
/// exactly at the budget the run completes.
#[test]
fn waiting_queue_is_bounded_at_run_time() {
    let text = TINY.replace(
        "{process: poisson, rate: 1/s, count: 20}",
        "{process: batch, count: 50}",
    );
    let tmp = tempfile::tempdir().unwrap();
    let f = write(tmp.path(), "burst.yaml", &text);
    hetsim().arg("validate").arg(&f).assert().success();
    let out = tmp.path().join("out");
    let run = |limit: &str| {
        hetsim()
            .args(["run", "--no-charts", "-q", "--max-waiting", limit, "--out"])
            .arg(&out)
            .arg(&f)
            .assert()
    };
    let a = run("47").code(1);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(
        err.contains("--max-waiting") && err.contains("budget of 47"),
        "{err}"
    );
    assert!(!out.exists());
    run("48").success();
    let jobs = std::fs::read_to_string(out.join("jobs.csv")).unwrap();
    assert_eq!(jobs.lines().count(), 51);
}
