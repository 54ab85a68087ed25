//! Serving instances beside batch jobs in one run (`serving::mixed`): the facility's
//! totals computed by hand on a tiny scenario, conservation across power.csv,
//! devices.csv and the summary, the serving part unchanged by the jobs beside it,
//! and what is refused at load.

use hetsim::metrics::JobRecord;
use hetsim::power::PowerRow;
use hetsim::serving::mixed;
use hetsim::simulation::Observer;

fn fixture() -> String {
    format!(
        "{}/tests/fixtures/serving/mixed.yaml",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn load(sets: &[&str]) -> hetsim::scenario::Loaded {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    hetsim::scenario::load(std::path::Path::new(&fixture()), &sets).unwrap()
}

#[derive(Default)]
struct Keep {
    jobs: Vec<JobRecord>,
    rows: Vec<PowerRow>,
}

impl Observer for Keep {
    fn job(&mut self, r: &JobRecord) -> std::io::Result<()> {
        self.jobs.push(r.clone());
        Ok(())
    }
    fn power(&mut self, r: &PowerRow) -> std::io::Result<()> {
        self.rows.push(r.clone());
        Ok(())
    }
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "{a} != {b}");
}

/// The serving timeline (one instance of 2 class-a devices; gpu-a profile: prompt time
/// x / 1000 s at x batch tokens, token time 0.02 s at 100 and 0.03 s at 300 on the
/// prompt x batch axis, queried with the number of decodes):
/// - 0: A (P 100, T 3) prefills alone, 0.1 s. 0.05: B (P 200, T 2) waits.
/// - 0.1: B's prefill + A's decode, mixed: 1.1 x 0.201 = 0.2211 s, to 0.3211.
/// - 0.3211: 2 decodes: 0.02 + (2 - 100) x 0.00005 = 0.0151 s, to 0.3362: A, B done.
/// - 0.5: C (P 100, T 4) prefills, 0.1 s; its 3 decodes alone: 3 x 0.01505 s, to 0.64515.
///
/// Power per device: prefill or mixed 0.8 x 100 W, decode 0.5 x 100 W, idle 10 W; the
/// instance (2 devices): 160, 100, 20 W. Busy: 0.4211 s at 160 W + 0.06025 s at 100 W
/// = 73.401 J; idle to the window's end (3 s): (3 - 0.48135) x 20 = 50.373 J.
///
/// The job part: the job (work 2, speed 1) on one class-b device, 200 W for 2 s, then
/// 20 W; three more class-b devices at 20 W and the two class-a devices left at 10 W:
/// 280 W on [0, 2), 100 W on [2, 3): 660 J.
///
/// Carbon 100 g/kWh before 1 s, 300 after; the serving part's busy time is all before
/// 1 s: IT energy before 1 s = 280 + 73.401 + 20 x (1 - 0.48135) = 363.774 J, after
/// 1 s 380 + 40 = 420 J.
#[test]
fn facility_totals_of_both_parts_by_hand() {
    let l = load(&[]);
    let spec = hetsim::scenario::serving_spec(&l).unwrap().unwrap();
    let mut keep = Keep::default();
    let m = mixed::simulate(&l.scenario, &spec, u64::MAX, &mut keep).unwrap();
    // The serving part's timeline, by hand.
    let got: Vec<(f64, f64, u32)> = m
        .serving
        .blocks
        .iter()
        .map(|b| (b.start, b.dur, b.k))
        .collect();
    let want = [
        (0.0, 0.1, 1),
        (0.1, 0.2211, 1),
        (0.3211, 0.0151, 1),
        (0.5, 0.1, 1),
        (0.6, 0.01505, 3),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        close(g.0, w.0);
        close(g.1, w.1);
        assert_eq!(g.2, w.2);
    }
    close(m.serving.end_s, 0.64515);
    // The jobs beside it change nothing in the serving part.
    let alone = hetsim::serving::sim::simulate(&spec);
    assert_eq!(alone.requests, m.serving.requests);
    // Totals of both parts, by hand.
    let s = &m.outcome.summary;
    let (serving_j, job_j) = (73.401 + 50.373, 660.0);
    close(s.window_s, 3.0);
    close(s.energy_it_j, serving_j + job_j);
    close(s.energy_facility_j, 1.5 * (serving_j + job_j));
    close(s.carbon_g, 1.5 * (363.774 * 100.0 + 420.0 * 300.0) / 3.6e6);
    close(s.cost, 1.5 * (serving_j + job_j) / 3.6e6 * 0.2);
    close(s.power_peak_w, 280.0 + 160.0);
    close(s.power_mean_w, (serving_j + job_j) / 3.0);
    close(s.energy_busy_j, 73.401 + 400.0);
    close(
        s.energy_busy_j + s.energy_idle_j + s.energy_asleep_j + s.energy_transition_j,
        s.energy_it_j,
    );
    close(s.per_class["a"].energy_j, serving_j + 60.0);
    close(s.per_class["b"].energy_j, 600.0);
    assert_eq!(s.per_class["a"].devices, 4);
    // To the last job event (2 s): the serving part idles 2 - 0.48135 s of it.
    close(
        s.energy_it_to_makespan_j,
        73.401 + 20.0 * (2.0 - 0.48135) + 560.0,
    );
    // The job ran on a class-b device of the job part (ids after its 2 class-a ones).
    assert_eq!(keep.jobs.len(), 1);
    assert_eq!(keep.jobs[0].devices, "2");
    close(keep.jobs[0].energy_j, 400.0);
    // Conservation: power rows, devices and summary integrate the same power.
    let rows_j: f64 = keep.rows.iter().map(|r| r.it_w * r.duration_s).sum();
    let rows_g: f64 = keep.rows.iter().map(|r| r.carbon_g).sum();
    let dev_j: f64 = m.outcome.devices.iter().map(|d| d.energy_j).sum();
    let dev_g: f64 = m.outcome.devices.iter().map(|d| d.carbon_g).sum();
    close(rows_j, s.energy_it_j);
    close(rows_g, s.carbon_g);
    close(dev_j, s.energy_it_j);
    close(dev_g, s.carbon_g);
    assert_eq!(m.outcome.devices.len(), 8);
    // Rows change where either part's power changes; the first holds both at their peak.
    close(keep.rows[0].it_w, 440.0);
    close(keep.rows[0].duration_s, 0.3211);
    let group = &s.serving.as_ref().unwrap()["one"];
    close(group["energy_it_window_j"].as_f64().unwrap(), serving_j);
    assert_eq!(group["serving_devices"], 2);
    assert_eq!(group["requests_completed"], 3);
}

/// With `output.power_interval: 1s` the rows are means of both parts: [0, 1) holds
/// 363.774 J (see above), [1, 2) 280 + 20 W, [2, 3) 100 + 20 W (the instance idles).
#[test]
fn interval_rows_average_both_parts_by_hand() {
    let l = load(&["output={power_interval: 1s}"]);
    let spec = hetsim::scenario::serving_spec(&l).unwrap().unwrap();
    let mut keep = Keep::default();
    mixed::simulate(&l.scenario, &spec, u64::MAX, &mut keep).unwrap();
    let it: Vec<f64> = keep.rows.iter().map(|r| r.it_w).collect();
    assert_eq!(it.len(), 3, "{it:?}");
    close(it[0], 363.774);
    close(it[1], 300.0);
    close(it[2], 120.0);
    close(keep.rows[1].carbon_g, 1.5 * 300.0 * 300.0 / 3.6e6);
}

/// The run folder: the job run's files with both parts, the serving part's files,
/// serving charts in the report; every summary key registered; byte-identical twice.
#[test]
fn mixed_run_folder_is_complete_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let mut texts = Vec::new();
    for name in ["a", "b"] {
        let out = dir.path().join(name);
        crate::common::run_into(&fixture(), &out);
        for f in [
            "jobs.csv",
            "devices.csv",
            "index.html",
            "requests.csv",
            "series.csv",
            "charts/power.svg",
            "charts/ttft_cdf.svg",
            "charts/serving_power.svg",
        ] {
            assert!(out.join(f).exists(), "{f}");
        }
        let html = std::fs::read_to_string(out.join("index.html")).unwrap();
        assert!(html.contains("ttft_cdf"), "serving charts are on the page");
        assert!(
            html.contains("<a href=\"requests.csv\">") && html.contains("<a href=\"series.csv\">"),
            "the Files list names the serving files"
        );
        texts.push(
            [
                "jobs.csv",
                "power.csv",
                "devices.csv",
                "requests.csv",
                "series.csv",
            ]
            .map(|f| std::fs::read_to_string(out.join(f)).unwrap()),
        );
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        for (k, v) in s["serving"]["one"].as_object().unwrap() {
            let key = format!("serving.one.{k}");
            assert!(hetsim::report::metric::is_registered(k), "{key}");
            assert_ne!(hetsim::report::metric::lookup(&key).label, key);
            let _ = v;
        }
    }
    assert_eq!(texts[0], texts[1], "same scenario, same files");
    // `hetsim plot` redraws the report, serving charts included, from the files.
    let out = dir.path().join("a");
    assert!(out.join("index.html").exists());
    crate::common::plot_redraws_the_same(&out, "charts/tbt_cdf.svg");
}

/// Refused at load with the file, line and field: a power cap, and a kind that no
/// longer fits on the devices the serving instances leave.
#[test]
fn mixed_scenarios_refuse_what_they_cannot_honour() {
    for (sets, field) in [
        (vec!["datacenter.power_cap=1kW"], "datacenter.power_cap"),
        (
            vec![
                "datacenter.classes.b.count=2",
                "datacenter.classes.a.speed.train=1",
                "workload.kinds.train.devices=3",
            ],
            "workload.kinds.train.devices",
        ),
    ] {
        let mut cmd = assert_cmd::Command::cargo_bin("hetsim").unwrap();
        let tmp = tempfile::tempdir().unwrap();
        cmd.arg("run")
            .arg(fixture())
            .arg("--out")
            .arg(tmp.path().join("r"));
        for s in &sets {
            cmd.args(["--set", s]);
        }
        let out = cmd.assert().code(2).get_output().clone();
        let err = String::from_utf8_lossy(&out.stderr).to_string()
            + &String::from_utf8_lossy(&out.stdout);
        assert!(err.contains("mixed.yaml"), "{err}");
        assert!(err.contains(field), "{err}");
    }
}

/// The library's entry points do not drop the serving part: `run_in_memory` and
/// `run_to_folder` on a mixed scenario give the facility totals of both parts (the
/// same as the serving and job simulation run together), a serving-only scenario or a
/// policy object is refused with a message, and a bare `Scenario` with serving is
/// refused by `embed::run_records`.
#[test]
fn library_runs_keep_the_serving_part() {
    let l = load(&[]);
    assert!(l.scenario.has_serving());
    let spec = hetsim::scenario::serving_spec(&l).unwrap().unwrap();
    let both = mixed::simulate(&l.scenario, &spec, u64::MAX, &mut Keep::default()).unwrap();
    let mem = hetsim::run::run_in_memory(&l).unwrap();
    assert_eq!(mem.summary.energy_it_j, both.outcome.summary.energy_it_j);
    assert!(mem.summary.serving.is_some());
    let dir = tempfile::tempdir().unwrap();
    let opts = hetsim::run::RunOptions {
        out: Some(dir.path().join("out")),
        no_charts: true,
    };
    let r = hetsim::run::run_to_folder(&l, &opts).unwrap();
    assert_eq!(
        r.outcome.summary.energy_it_j,
        both.outcome.summary.energy_it_j
    );
    assert!(r.dir.join("requests.csv").is_file() && r.dir.join("jobs.csv").is_file());
    let err = hetsim::embed::run_records(&l.scenario, 1, None).unwrap_err();
    assert!(err.to_string().contains("serving"), "{err}");
    let opts = hetsim::run::RunOptions {
        out: Some(dir.path().join("custom")),
        no_charts: true,
    };
    let p = hetsim::policy::build(&l.scenario.policy, &l.scenario).unwrap();
    let err = hetsim::run::run_to_folder_with_policy(&l, &opts, &mut hetsim::run::Silent, Some(p))
        .unwrap_err();
    assert!(err.to_string().contains("policy object"), "{err}");
    assert!(!dir.path().join("custom").exists());
    // Serving alone: no job outcome to give.
    let tiny = format!(
        "{}/tests/fixtures/serving/tiny.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let l = hetsim::scenario::load(std::path::Path::new(&tiny), &[]).unwrap();
    let err = hetsim::run::run_in_memory(&l).unwrap_err();
    assert!(err.to_string().contains("only LLM serving"), "{err}");
}

/// The run-time waiting bound holds beside serving too. A run stops when a job would
/// be admitted with `--max-waiting` + one per device (lane) already held; the job part
/// has 6 devices (class b's 4 and the 2 of class a the instance leaves), and 51 jobs
/// (a batch of 50 at t = 0 and the listed one), so the 51st admission meets 50 held:
/// `--max-waiting 44` fails (with the flag named and no folder), 45 completes.
#[test]
fn the_waiting_bound_holds_beside_serving() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let run = |limit: &str| {
        crate::common::hetsim()
            .args([
                "run",
                &fixture(),
                "--no-charts",
                "-q",
                "--max-waiting",
                limit,
            ])
            .args([
                "--set",
                "workload.kinds.train={arrival: {process: batch, count: 50}, size: {dist: constant, value: 2}}",
                "--out",
            ])
            .arg(&out)
            .assert()
    };
    let a = run("44").code(1);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(
        err.contains("--max-waiting") && err.contains("budget of 44"),
        "{err}"
    );
    assert!(!out.exists());
    run("45").success();
    let jobs = std::fs::read_to_string(out.join("jobs.csv")).unwrap();
    assert_eq!(
        jobs.lines().count(),
        52,
        "50 batch jobs, the listed one, the header"
    );
}
