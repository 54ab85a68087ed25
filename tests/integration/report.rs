//! Charts and the HTML report: the series each chart draws (checked against
//! hand-computed values), the files a run leaves, `plot`, `compare`, and the page as a
//! browser renders it.

use crate::common::{hetsim, load, load_with, read_csv, scenario};
use hetsim::report::charts;
use hetsim::report::charts::energy::EnergyChart;
use hetsim::report::charts::gantt::GanttChart;
use hetsim::report::charts::lines::LinesChart;
use hetsim::report::charts::power::PowerChart;
use hetsim::report::charts::read::{ReadOptions, RunData, read_run};
use hetsim::report::charts::response_cdf::CdfChart;
use hetsim::report::charts::utilization::UtilizationChart;
use hetsim::report::plot::draw_run;
use hetsim::run::{RunOptions, run_to_folder};
use std::path::{Path, PathBuf};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

fn assert_all_close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!(close(*x, *y), "{a:?} vs {b:?}");
    }
}

/// A run folder written by hand. Two classes: `a` (devices 0 and 1; idle 1 W, busy
/// 10 W) and `b` (device 2; idle 2 W, busy 20 W); PUE 1.5, 360 g/kWh, 0.1 per kWh,
/// cap 35 W.
///
/// ```text
/// job 0 kind x on devices 0;1 over [0,2), deadline 1 s (missed)
/// job 1 kind y on device 2    over [1,4), arrived at 0
/// job 2 kind x on device 0    over [2,3), arrived at 1, deadline 1 s (met)
/// time   a_w  b_w  it_w  queue busy
/// [0,1)   20    2    22     1    2
/// [1,2)   20   20    40     1    3
/// [2,3)   11   20    31     0    2
/// [3,4)    2   20    22     0    1
/// ```
/// IT energy 115 J, facility 172.5 J, carbon 172.5 / 3.6e6 x 360 = 0.01725 g.
fn hand_run(dir: &Path) {
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    w(
        "scenario.yaml",
        "name: hand\ndescription: A hand-made run <for tests> & checks.\nseed: 1\ndatacenter:\n  pue: 1.5\n  carbon_intensity: 360\n  price: 0.1\n  power_cap: 35W\n  classes:\n    a: {category: cpu, count: 2, speed: {x: 1, y: 1}, idle_power: 1W, busy_power: 10W}\n    b: {category: gpu, count: 1, speed: {x: 1, y: 1}, idle_power: 2W, busy_power: 20W}\nworkload:\n  kinds:\n    x: {deadline: 1s}\n    y: {}\n  jobs:\n    - {kind: x, arrival: 0, work: 2, devices: 2}\n    - {kind: y, arrival: 0, work: 3}\n    - {kind: x, arrival: 1, work: 1}\npolicy:\n  name: fcfs\n",
    );
    let carbon = 172.5 / 3.6e6 * 360.0;
    let cost = 172.5 / 3.6e6 * 0.1;
    w(
        "summary.json",
        &format!(
            r#"{{"scenario": "hand", "policy": "fcfs", "seed": 1, "horizon_s": 4.0,
  "makespan_s": 4.0, "jobs_completed": 3, "energy_it_j": 115.0,
  "energy_facility_j": 172.5, "power_cap_w": 35.0, "time_at_cap_s": 1.0,
  "carbon_g": {carbon}, "cost": {cost}, "utilization": 0.6666666666666666,
  "a_future_key": "tolerated",
  "per_class": {{"a": {{"devices": 2, "utilization": 0.625, "energy_j": 53.0, "jobs": 2}},
                 "b": {{"devices": 1, "utilization": 0.75, "energy_j": 62.0, "jobs": 1}}}}}}"#
        ),
    );
    w(
        "devices.csv",
        "device,class,category,busy_s,idle_s,asleep_s,transition_s,energy_j,jobs\n0,a,cpu,3,1,0,0,31,2\n1,a,cpu,2,2,0,0,22,1\n2,b,gpu,3,1,0,0,62,1\n",
    );
    // An extra column at the end, as later versions may add.
    w(
        "power.csv",
        "time_s,duration_s,a_w,b_w,it_w,facility_w,queue_len,busy_devices,future_col\n0,1,20,2,22,33,1,2,x\n1,1,20,20,40,60,1,3,x\n2,1,11,20,31,46.5,0,2,x\n3,1,2,20,22,33,0,1,x\n",
    );
    w(
        "jobs.csv",
        "id,kind,arrival_s,start_s,end_s,wait_s,response_s,run_s,slowdown,bounded_slowdown,class,devices,work,energy_j,deadline_s,deadline_met\n0,x,0,0,2,0,2,2,1,1,a,0;1,2,40,1,false\n2,x,1,2,3,1,2,1,2,1,a,0,1,10,2,true\n1,y,0,1,4,1,4,3,1.33,1,b,2,3,60,,\n",
    );
}

fn hand() -> (tempfile::TempDir, RunData) {
    let t = tempfile::tempdir().unwrap();
    hand_run(t.path());
    let run = read_run(t.path(), None, &ReadOptions::default()).unwrap();
    (t, run)
}

#[test]
fn stacked_power_is_the_sum_of_classes() {
    let (_t, run) = hand();
    let p = PowerChart::from_run(&run).unwrap();
    assert!(p.segs.exact);
    assert_eq!(p.segs.t0, vec![0.0, 1.0, 2.0, 3.0]);
    assert_eq!(p.tops[0], vec![20.0, 20.0, 11.0, 2.0]);
    assert_eq!(p.tops[1], vec![22.0, 40.0, 31.0, 22.0]);
    assert_eq!(p.tops[1], p.it.mean);
    assert_eq!(p.facility.as_deref(), Some(&[33.0, 60.0, 46.5, 33.0][..]));
    assert_eq!(p.cap_w, Some(35.0));
    assert_eq!(p.pue, Some(1.5));
    let names: Vec<&str> = p.classes.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn cumulative_energy_ends_at_the_summary() {
    let (_t, run) = hand();
    let e = EnergyChart::from_run(&run).unwrap();
    let it: Vec<f64> = e.it_j.iter().map(|p| p.1).collect();
    assert_eq!(it, vec![0.0, 22.0, 62.0, 93.0, 115.0]);
    assert!(close(
        e.it_j.last().unwrap().1,
        run.num("energy_it_j").unwrap()
    ));
    assert!(close(
        e.facility_j.last().unwrap().1,
        run.num("energy_facility_j").unwrap()
    ));
    let carbon = e.carbon_g.unwrap();
    assert!(close(
        carbon.last().unwrap().1,
        run.num("carbon_g").unwrap()
    ));
    assert!(close(carbon[1].1, 33.0 / 3.6e6 * 360.0));
    assert!(close(
        e.cost.unwrap().last().unwrap().1,
        run.num("cost").unwrap()
    ));
}

#[test]
fn utilisation_is_rebuilt_exactly_from_jobs() {
    let (_t, run) = hand();
    assert!(run.notes.is_empty(), "{:?}", run.notes);
    let u = UtilizationChart::from_run(&run).unwrap();
    assert!(u.segs.exact);
    assert_eq!(u.segs.t0, vec![0.0, 1.0, 2.0, 3.0]);
    assert_eq!(u.classes[0].busy, vec![1.0, 1.0, 0.5, 0.0]);
    assert_eq!(u.classes[1].busy, vec![0.0, 1.0, 1.0, 1.0]);
    assert_all_close(
        u.overall.as_deref().unwrap(),
        &[2.0 / 3.0, 1.0, 2.0 / 3.0, 1.0 / 3.0],
    );
    // Busy devices from jobs agree with power.csv's busy_devices.
    let busy = run.power.track("busy_devices").unwrap();
    let from_jobs: Vec<f64> = u.overall.unwrap().iter().map(|f| f * 3.0).collect();
    assert_all_close(&from_jobs, &busy.mean);
}

#[test]
fn response_cdf_is_monotone_and_marks_deadlines() {
    let (_t, run) = hand();
    let c = CdfChart::from_run(&run).unwrap();
    let names: Vec<&str> = c.kinds.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["x", "y"]);
    let x = &c.kinds[0];
    assert_eq!(x.cdf.points, vec![(2.0, 1.0)]);
    assert_eq!(x.deadlines, vec![1.0]);
    assert_eq!((x.with_deadline, x.met), (2, 1));
    assert_eq!(c.kinds[1].cdf.points, vec![(4.0, 1.0)]);
    assert!(c.kinds[1].deadlines.is_empty());
    assert!(!c.log);
    for k in &c.kinds {
        assert!(
            k.cdf
                .points
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1)
        );
        assert_eq!(k.cdf.points.last().unwrap().1, 1.0);
    }
}

#[test]
fn queue_and_gantt_series() {
    let (_t, run) = hand();
    let q = LinesChart::queue(&run).unwrap();
    assert_eq!(q.lines[0].1.mean, vec![1.0, 1.0, 0.0, 0.0]);
    // Only busy_devices: no power-state chart.
    assert!(LinesChart::power_states(&run).is_none());
    let g = GanttChart::from_run(&run).unwrap();
    let bars: Vec<(u32, u64, f64, f64)> =
        g.bars.iter().map(|b| (b.row, b.id, b.t0, b.t1)).collect();
    assert_eq!(
        bars,
        vec![
            (0, 0, 0.0, 2.0),
            (0, 2, 2.0, 3.0),
            (1, 0, 0.0, 2.0),
            (2, 1, 1.0, 4.0)
        ]
    );
    assert_eq!(g.rows[2], ("b 2".to_string(), 1));
    // Above the limit the chart is skipped with a reason.
    let opts = ReadOptions {
        gantt_max_jobs: 2,
        ..ReadOptions::default()
    };
    let small = read_run(&run.dir, None, &opts).unwrap();
    let why = GanttChart::from_run(&small).unwrap_err();
    assert!(why.contains("2 jobs; this run has 3 jobs"), "{why}");
}

#[test]
fn power_states_chart_appears_with_state_columns() {
    let t = tempfile::tempdir().unwrap();
    hand_run(t.path());
    std::fs::write(
        t.path().join("power.csv"),
        "time_s,duration_s,a_w,b_w,it_w,facility_w,queue_len,busy_devices,asleep_devices,transition_devices\n0,2,20,2,22,33,1,2,1,0\n2,2,2,2,4,6,0,0,2,0\n",
    )
    .unwrap();
    let run = read_run(t.path(), None, &ReadOptions::default()).unwrap();
    let s = LinesChart::power_states(&run).unwrap();
    assert!(s.stacked);
    let names: Vec<&str> = s.lines.iter().map(|l| l.0.as_str()).collect();
    assert_eq!(names, ["busy", "idle", "asleep", "transition"]);
    // Devices in no reported state are idle: 3 - 2 - 1 and 3 - 0 - 2.
    assert_eq!(s.lines[1].1.mean, vec![0.0, 1.0]);
    assert_eq!(s.lines[2].1.mean, vec![1.0, 2.0]);
    // States reported but never used (power management off): no chart.
    std::fs::write(
        t.path().join("power.csv"),
        "time_s,duration_s,a_w,b_w,it_w,facility_w,queue_len,busy_devices,asleep_devices\n0,4,20,2,22,33,1,2,0\n",
    )
    .unwrap();
    let run = read_run(t.path(), None, &ReadOptions::default()).unwrap();
    assert!(LinesChart::power_states(&run).is_none());
}

#[test]
fn carbon_cost_and_cap_follow_power_csv_columns() {
    // The current power.csv: a cap that changes, and carbon and cost per row (as a
    // time-varying intensity and price give them).
    let t = tempfile::tempdir().unwrap();
    hand_run(t.path());
    std::fs::write(
        t.path().join("power.csv"),
        "time_s,duration_s,a_w,b_w,it_w,facility_w,cap_w,queue_len,busy_devices,carbon_g,cost\n0,1,20,2,22,33,35,1,2,0.5,0.01\n1,1,20,20,40,60,40,1,3,2,0.02\n2,2,11,20,31,46.5,,0,2,1.5,0.03\n",
    )
    .unwrap();
    let run = read_run(t.path(), None, &ReadOptions::default()).unwrap();
    let e = EnergyChart::from_run(&run).unwrap();
    let carbon: Vec<f64> = e.carbon_g.unwrap().iter().map(|p| p.1).collect();
    assert_all_close(&carbon, &[0.0, 0.5, 2.5, 4.0]);
    let cost: Vec<f64> = e.cost.unwrap().iter().map(|p| p.1).collect();
    assert_all_close(&cost, &[0.0, 0.01, 0.03, 0.06]);
    let p = PowerChart::from_run(&run).unwrap();
    let cap = p.cap_series.unwrap();
    assert_eq!(&cap[..2], &[35.0, 40.0]);
    assert!(cap[2].is_nan());
}

fn is_png(p: &Path) -> bool {
    let b = std::fs::read(p).unwrap_or_default();
    b.starts_with(b"\x89PNG\r\n\x1a\n") && b.len() > 1000
}

/// Checks that a document's tags nest (enough to catch a truncated or mangled SVG
/// without an XML dependency).
fn tags_balance(doc: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').ok_or("unclosed tag")?;
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .collect();
        if let Some(n) = tag.strip_prefix('/') {
            let n: String = n.chars().take_while(|c| c.is_alphanumeric()).collect();
            match stack.pop() {
                Some(open) if open == n => {}
                other => return Err(format!("</{n}> closes {other:?}")),
            }
        } else {
            stack.push(name);
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed: {stack:?}"))
    }
}

fn check_chart_files(dir: &Path, stems: &[&str]) {
    for s in stems {
        let png = dir.join("charts").join(format!("{s}.png"));
        assert!(is_png(&png), "{} is not a PNG", png.display());
        let svg = std::fs::read_to_string(dir.join("charts").join(format!("{s}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{s}.svg");
        tags_balance(&svg).unwrap_or_else(|e| panic!("{s}.svg: {e}"));
    }
}

#[test]
fn drawn_hand_run_has_files_titles_and_legends() {
    let (t, _) = hand();
    let st = draw_run(t.path(), None).unwrap();
    assert_eq!(st.charts, 6);
    let stems = [
        "power",
        "energy",
        "utilization",
        "queue",
        "response_cdf",
        "gantt",
    ];
    check_chart_files(t.path(), &stems);
    let svg = |s: &str| std::fs::read_to_string(t.path().join(format!("charts/{s}.svg"))).unwrap();
    let power = svg("power");
    for label in [
        "Power by device class",
        "a (2 devices)",
        "b (1 device)",
        "IT total",
        "facility total (IT × PUE 1.5)",
        "IT power cap 35 W (at cap 1 s)",
        "power (W)",
        "simulated time (s)",
    ] {
        assert!(power.contains(label), "power.svg lacks {label:?}");
    }
    assert!(svg("energy").contains("Cumulative carbon"));
    assert!(svg("response_cdf").contains("x deadline 1 s"));
    assert!(svg("response_cdf").contains("x: 2 jobs, 50 % met their deadline"));
    assert!(svg("gantt").contains("#2"));
    let html = std::fs::read_to_string(t.path().join("index.html")).unwrap();
    assert!(html.contains("A hand-made run &lt;for tests&gt; &amp; checks."));
    for s in stems {
        assert!(
            html.contains(&format!("id=\"fig-{s}\"")),
            "index.html lacks {s}"
        );
    }
    assert!(html.contains("<code>a_future_key</code>"));
    assert!(!html.contains("<script"));
    // Nothing is loaded from anywhere: no external sources or style sheets.
    assert!(!html.contains("src=\"http") && !html.contains("<link"));
    assert!(
        !t.path()
            .join(format!(".charts.tmp-{}", std::process::id()))
            .exists()
    );
}

fn run_dir(t: &Path, name: &str, file: &str, sets: &[&str]) -> PathBuf {
    let loaded = if sets.is_empty() {
        load(&scenario(file))
    } else {
        load_with(&scenario(file), sets)
    };
    let out = t.join(name);
    run_to_folder(
        &loaded,
        &RunOptions {
            out: Some(out.clone()),
            no_charts: false,
        },
    )
    .unwrap();
    out
}

#[test]
fn run_writes_charts_and_plot_redraws_them_identically() {
    let t = tempfile::tempdir().unwrap();
    let dir = run_dir(t.path(), "se", "seed-example.yaml", &["policy.name=eft"]);
    let stems = [
        "power",
        "energy",
        "utilization",
        "queue",
        "response_cdf",
        "gantt",
    ];
    check_chart_files(&dir, &stems);
    let before: Vec<String> = stems
        .iter()
        .map(|s| std::fs::read_to_string(dir.join(format!("charts/{s}.svg"))).unwrap())
        .collect();
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(html.contains("The source study&#39;s worked example"));
    assert!(html.contains("Policy <b>eft</b>"));
    hetsim()
        .args(["plot", dir.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicates::str::contains("drew 6 charts"));
    for (s, b) in stems.iter().zip(before) {
        let after = std::fs::read_to_string(dir.join(format!("charts/{s}.svg"))).unwrap();
        assert!(after == b, "{s}.svg differs after plot");
    }
    // The utilisation rebuilt from jobs.csv matches devices.csv busy time.
    let run = read_run(&dir, None, &ReadOptions::default()).unwrap();
    assert!(run.notes.is_empty(), "{:?}", run.notes);
    let e = EnergyChart::from_run(&run).unwrap();
    assert!(close(e.it_j.last().unwrap().1, 333.3333333333333));
}

#[test]
fn no_charts_leaves_only_the_data() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("se");
    hetsim()
        .args(["run", "-q", "--no-charts", "--out", out.to_str().unwrap()])
        .arg(scenario("seed-example.yaml"))
        .assert()
        .success();
    assert!(out.join("summary.json").exists());
    assert!(!out.join("charts").exists());
    assert!(!out.join("index.html").exists());
}

#[test]
fn long_runs_are_downsampled_keeping_peaks_and_energy() {
    let t = tempfile::tempdir().unwrap();
    let dir = run_dir(
        t.path(),
        "mmc",
        "mmc.yaml",
        &[
            "workload.kinds.request.arrival.count=20000",
            "output.power_interval=0.05s",
        ],
    );
    let run = read_run(&dir, None, &ReadOptions::default()).unwrap();
    let (_, rows) = read_csv(&dir.join("power.csv"));
    assert!(rows.len() > 2 * 1000, "{} rows", rows.len());
    let p = PowerChart::from_run(&run).unwrap();
    assert!(!p.segs.exact);
    assert!(p.segs.len() <= 1000);
    // The band keeps the highest and lowest row of power.csv.
    let it: Vec<f64> = rows.iter().map(|r| r[3].parse().unwrap()).collect();
    let max = it.iter().copied().fold(0.0, f64::max);
    let min = it.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(p.it.peak(), max);
    assert_eq!(p.it.min.iter().copied().fold(f64::INFINITY, f64::min), min);
    let e = EnergyChart::from_run(&run).unwrap();
    let total = run.num("energy_it_j").unwrap();
    assert!((e.it_j.last().unwrap().1 / total - 1.0).abs() < 1e-9);
    // Busy device-seconds rebuilt from 20,000 jobs equal devices.csv's.
    assert!(run.notes.is_empty(), "{:?}", run.notes);
    let u = UtilizationChart::from_run(&run).unwrap();
    let ds: f64 = (0..u.segs.len())
        .map(|i| u.classes[0].busy[i] * 16.0 * u.segs.covered[i])
        .sum();
    let (_, devs) = read_csv(&dir.join("devices.csv"));
    let busy: f64 = devs.iter().map(|r| r[3].parse::<f64>().unwrap()).sum();
    assert!((ds / busy - 1.0).abs() < 1e-9, "{ds} vs {busy}");
    assert_eq!(charts::figures(&run).0[0].stem(), "power");
    let c = CdfChart::from_run(&run).unwrap();
    assert!(!c.kinds[0].cdf.exact);
    assert_eq!(c.kinds[0].cdf.n, 20000);
}

#[test]
fn compare_overlays_runs_with_differences() {
    let t = tempfile::tempdir().unwrap();
    let a = run_dir(t.path(), "fcfs", "seed-example.yaml", &[]);
    let b = run_dir(
        t.path(),
        "min-energy",
        "seed-example.yaml",
        &["policy.name=min-energy"],
    );
    let out = t.path().join("cmp");
    hetsim()
        .args(["compare", a.to_str().unwrap(), b.to_str().unwrap(), "--out"])
        .arg(&out)
        .assert()
        .success();
    check_chart_files(&out, &["energy", "power", "response_cdf"]);
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    // Energy 316.67 J (fcfs) vs 200 J (min-energy): -116.7 J, -36.8 %.
    assert!(html.contains("title=\"energy_it_j\">IT energy"));
    assert!(
        html.contains("-116.7 J (-36.8 %)"),
        "no difference in the table"
    );
    let energy = std::fs::read_to_string(out.join("charts/energy.svg")).unwrap();
    assert!(energy.contains("fcfs: 316.7 J") && energy.contains("min-energy: 200 J"));
    // One run is not a comparison.
    hetsim()
        .args(["compare", a.to_str().unwrap()])
        .assert()
        .failure();
}

/// Renders index.html in headless Chromium: all charts in the DOM, no console
/// messages (the page has no scripts, so any message is a problem), a screenshot.
#[test]
#[ignore = "needs /usr/bin/chromium (CI installs it and runs this: cargo test -- --ignored)"]
fn report_renders_in_headless_chromium() {
    let chromium = Path::new("/usr/bin/chromium");
    assert!(
        chromium.exists(),
        "/usr/bin/chromium is missing: apt-get install -y chromium (.ci/run does)"
    );
    let t = tempfile::tempdir().unwrap();
    let dir = run_dir(t.path(), "se", "seed-example.yaml", &["policy.name=eft"]);
    let shot = t.path().join("screenshot.png");
    let url = format!("file://{}", dir.join("index.html").display());
    let browse = |extra: &[String]| {
        let profile = tempfile::tempdir().unwrap();
        let out = std::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--enable-logging=stderr",
                "--v=0",
                "--window-size=1280,2400",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&url)
            .stdin(std::process::Stdio::null())
            .output()
            .expect("chromium runs");
        assert!(
            out.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    let dom = browse(&["--dump-dom".to_string()]);
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    for s in [
        "power",
        "energy",
        "utilization",
        "queue",
        "response_cdf",
        "gantt",
    ] {
        let i = dom_text
            .find(&format!("id=\"fig-{s}\""))
            .unwrap_or_else(|| panic!("chart {s} missing from the DOM"));
        assert!(dom_text[i..].contains("<svg"), "chart {s} has no svg");
    }
    assert_eq!(dom_text.matches("<svg").count(), 6);
    let shot_run = browse(&[format!("--screenshot={}", shot.display())]);
    for out in [&dom, &shot_run] {
        let err = String::from_utf8_lossy(&out.stderr);
        let console: Vec<&str> = err.lines().filter(|l| l.contains(":CONSOLE")).collect();
        assert!(console.is_empty(), "console messages: {console:?}");
    }
    assert!(is_png(&shot), "no screenshot at {}", shot.display());
    // Keep a copy where people can look at it after the run (target/tmp).
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    std::fs::copy(&shot, &keep).unwrap();
    eprintln!("screenshot: {}", keep.display());
}

#[test]
fn hourly_power_is_exact_and_long_runs_get_the_day_hour_chart() {
    // The hand run (4 s, 115 J): its one hour holds the mean over the 4 s covered.
    let t = tempfile::tempdir().unwrap();
    hand_run(t.path());
    let opts = ReadOptions {
        hourly_min_s: 0.0,
        ..ReadOptions::default()
    };
    let run = read_run(t.path(), None, &opts).unwrap();
    assert_eq!(run.hourly_it_w, vec![Some(115.0 / 4.0)]);
    // Runs shorter than 3 days have none by default.
    assert!(hand().1.hourly_it_w.is_empty());

    // A 4-day run with a daily load profile: every hour's mean x 3600 s adds up to
    // the integral of power.csv over the same hours, and the chart is drawn.
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("days.yaml");
    std::fs::write(
        &sc,
        "name: days\nseed: 3\nhorizon: 4d\ndatacenter:\n  classes:\n    s: {category: cpu, count: 2, speed: {j: 1}, idle_power: 10W, busy_power: 100W}\n\
         workload:\n  kinds:\n    j:\n      arrival: {process: poisson, rate: 0.004/s}\n      size: {dist: exponential, mean: 200}\n\
         policy: {name: fcfs}\noutput: {power_interval: 10min}\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    hetsim()
        .args(["run", sc.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .assert()
        .success();
    assert!(out.join("charts/power_heatmap.png").exists());
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("IT power by day and hour"));
    let run = read_run(&out, None, &ReadOptions::default()).unwrap();
    let hours = run.hourly_it_w.len();
    assert!(hours >= 96, "{hours}");
    let (header, rows) = read_csv(&out.join("power.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let (ti, di, wi) = (col("time_s"), col("duration_s"), col("it_w"));
    let mut integral = vec![0.0; hours];
    for r in &rows {
        let (t0, d, w) = (
            r[ti].parse::<f64>().unwrap(),
            r[di].parse::<f64>().unwrap(),
            r[wi].parse::<f64>().unwrap(),
        );
        for (h, acc) in integral.iter_mut().enumerate() {
            let (a, b) = (h as f64 * 3600.0, (h + 1) as f64 * 3600.0);
            let overlap = (t0 + d).min(b) - t0.max(a);
            if overlap > 0.0 {
                *acc += w * overlap;
            }
        }
    }
    for (h, (mean, joules)) in run.hourly_it_w.iter().zip(&integral).take(96).enumerate() {
        let mean = mean.unwrap();
        assert!(
            close(mean * 3600.0, *joules),
            "hour {h}: {mean} W vs {joules} J"
        );
        assert!((20.0..=200.0).contains(&mean), "hour {h}: {mean} W");
    }
}

#[test]
fn carbon_and_cost_panels_are_left_out_when_they_would_be_empty() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        hetsim()
            .args(["run", scenario("mmc.yaml").to_str().unwrap(), "-q", "--out"])
            .arg(&out)
            .args(["--set", "workload.kinds.request.arrival.count=300"])
            .args(extra)
            .assert()
            .success();
        let data = read_run(&out, None, &ReadOptions::default()).unwrap();
        let html = std::fs::read_to_string(out.join("index.html")).unwrap();
        (EnergyChart::from_run(&data).unwrap(), html)
    };
    let (bare, html) = run("bare", &[]);
    assert!(bare.carbon_g.is_none() && bare.cost.is_none());
    assert!(html.contains("There are no carbon and cost panels"));
    let (carbon, html) = run("carbon", &["--set", "datacenter.carbon_intensity=300"]);
    assert!(carbon.carbon_g.is_some() && carbon.cost.is_none());
    assert!(html.contains("there is no cost panel"));
}

#[test]
fn busy_time_of_a_class_with_slots_counts_slot_shares() {
    // 2 servers of 8 slots, one-slot jobs: each job is 1/8 of a busy device, so the
    // utilisation read back from jobs.csv equals the summary's (busy slot-seconds /
    // slots), and the report has no "busy time differs" note. The accounting window
    // runs past the jobs: utilisation is over the jobs' span (`horizon_s`), not it.
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("s.yaml");
    std::fs::write(
        &sc,
        "name: s\nseed: 2\nhorizon: 10min\ndatacenter:\n  classes:\n    c: {category: cpu, count: 2, slots: 8, speed: {j: 8}, idle_power: 50W, busy_power: 200W}\n\
         workload:\n  kinds:\n    j: {slots: 1, arrival: {process: poisson, rate: 4/s}, size: {dist: exponential, mean: 1}}\n\
         policy: {name: eft}\naccounting: {until: 20min}\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    hetsim()
        .args([
            "run",
            sc.to_str().unwrap(),
            "-q",
            "--out",
            out.to_str().unwrap(),
        ])
        .assert()
        .success();
    let run = read_run(&out, None, &ReadOptions::default()).unwrap();
    assert_eq!(run.classes[0].slots, 8);
    assert!(
        !run.notes
            .iter()
            .any(|n| n.starts_with("Busy time of class")),
        "{:?}",
        run.notes
    );
    let util = run.summary["per_class"]["c"]["utilization"]
        .as_f64()
        .unwrap();
    let span = run.summary["horizon_s"].as_f64().unwrap();
    assert!(run.summary["window_s"].as_f64().unwrap() > 1.9 * span);
    // The busy series is the fraction of the class's devices busy; its integral over
    // the run / the jobs' span is the mean utilisation.
    let from_jobs: f64 = run.busy.cumulative(0).last().unwrap().1;
    assert!(
        close(from_jobs / span, util),
        "{from_jobs} / {span} vs {util}"
    );
}
