//! Walltime kills (`workload.walltime: kill`) against a hand computation, the default
//! `run` left as it was, and trace identity (`source_id` in jobs.csv, `time_origin_s`
//! in the summary) on a small SWF file.

use hetsim::cluster::{ClusterView, JobInfo};
use hetsim::engine::Time;
use hetsim::metrics::{JOB_COLUMNS, JobRecord};
use hetsim::policy::{self, Completion, Decision, Policy};
use hetsim::power::PowerRow;
use hetsim::scenario::{Format, parse_str};
use hetsim::simulation::{Observer, Outcome, Simulation};
use std::path::Path;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Keep {
    jobs: Vec<JobRecord>,
}

impl Observer for Keep {
    fn job(&mut self, r: &JobRecord) -> std::io::Result<()> {
        self.jobs.push(r.clone());
        Ok(())
    }
    fn power(&mut self, _: &PowerRow) -> std::io::Result<()> {
        Ok(())
    }
}

/// (job id, end, killed) of every completion notice the policy got.
type Notices = Arc<Mutex<Vec<(u64, Time, bool)>>>;

/// The scenario's policy, recording the completion notices it gets.
struct Listen {
    inner: Box<dyn Policy>,
    seen: Notices,
}

impl Policy for Listen {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        self.inner.on_arrival(job, view, out)
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.inner.decide(view, out)
    }
    fn on_complete(&mut self, done: &Completion<'_>) {
        self.seen
            .lock()
            .unwrap()
            .push((done.job.id(), done.end, done.killed));
        self.inner.on_complete(done)
    }
    fn waiting(&self) -> usize {
        self.inner.waiting()
    }
    fn wakeup(&self) -> Option<Time> {
        self.inner.wakeup()
    }
    fn on_tick(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.inner.on_tick(view, out)
    }
}

fn run_at(yaml: &str, label: &Path) -> (Outcome, Vec<JobRecord>, Vec<(u64, Time, bool)>) {
    let sc = parse_str(yaml, Format::Yaml, label).unwrap_or_else(|e| panic!("{e}"));
    let seen = Notices::default();
    let inner = policy::build(&sc.policy, &sc).unwrap();
    let pm = hetsim::power_manager::build(&sc.power_manager).unwrap();
    let p = Box::new(Listen {
        inner,
        seen: seen.clone(),
    });
    let mut keep = Keep::default();
    let out = Simulation::with_parts(&sc, sc.seed, p, pm)
        .run(&mut keep)
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    (out, keep.jobs, seen)
}

fn run(yaml: &str) -> (Outcome, Vec<JobRecord>, Vec<(u64, Time, bool)>) {
    run_at(yaml, Path::new("t.yaml"))
}

/// One device (speed 1, 100 W busy, 10 W idle), FCFS, three jobs at t = 0:
/// J0 100 units with a 40 s estimate, J1 20 units with a 30 s estimate, J2 10 units
/// with none.
fn three_jobs(walltime: &str) -> String {
    format!(
        "datacenter:
  classes:
    c: {{category: cpu, count: 1, speed: {{a: 1}}, idle_power: 10W, busy_power: 100W}}
workload:
{walltime}  kinds: {{a: {{}}}}
  jobs:
    - {{kind: a, arrival: 0, work: 100, estimate: 40s}}
    - {{kind: a, arrival: 0, work: 20, estimate: 30s}}
    - {{kind: a, arrival: 0, work: 10}}
policy: {{name: fcfs}}
"
    )
}

fn by_id(jobs: &[JobRecord]) -> Vec<JobRecord> {
    let mut v = jobs.to_vec();
    v.sort_by_key(|j| j.id);
    v
}

#[test]
fn kill_at_the_requested_time_by_hand() {
    // J0 would run [0, 100] but is killed at 0 + 40 s: 40 s x 100 W = 4000 J. The
    // device frees at 40: J1 runs [40, 60] (20 s < its 30 s estimate: not killed),
    // 2000 J; J2 has no estimate and is never killed: [60, 70], 1000 J. The device is
    // busy throughout: 7000 J over the 70 s makespan.
    let (out, jobs, seen) = run(&three_jobs("  walltime: kill\n"));
    let j = by_id(&jobs);
    let times: Vec<(f64, f64, bool)> = j.iter().map(|r| (r.start_s, r.end_s, r.killed)).collect();
    assert_eq!(
        times,
        vec![(0.0, 40.0, true), (40.0, 60.0, false), (60.0, 70.0, false)]
    );
    let energy: Vec<f64> = j.iter().map(|r| r.energy_j).collect();
    assert_eq!(energy, vec![4000.0, 2000.0, 1000.0]);
    assert_eq!(j[0].run_s, 40.0);
    let s = &out.summary;
    assert_eq!(s.walltime, "kill");
    assert_eq!(s.jobs_killed, 1);
    assert_eq!(s.jobs_completed, 3);
    assert_eq!(s.makespan_s, 70.0);
    assert_eq!(s.energy_it_to_makespan_j, 7000.0);
    assert_eq!(s.time_origin_s, None, "no trace: no time origin");
    // The policy was told, with the kill time.
    let mut seen = seen;
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (0, 40_000_000_000, true),
            (1, 60_000_000_000, false),
            (2, 70_000_000_000, false)
        ]
    );
    // jobs.csv: the three columns, then `classes` and `slots` (added after them).
    assert_eq!(
        &JOB_COLUMNS[JOB_COLUMNS.len() - 5..JOB_COLUMNS.len() - 2],
        &["source_id", "estimate_s", "killed"]
    );
    let mut line = Vec::new();
    j[0].write_csv(&mut line);
    let line = String::from_utf8(line).unwrap();
    assert_eq!(
        tail3(&line),
        ("".into(), Some(40.0), "true".into()),
        "{line}"
    );
    assert_eq!(line.split(',').count(), JOB_COLUMNS.len());
}

#[test]
fn a_killed_job_releases_its_pipeline_successor_at_the_kill() {
    // Kind a (100 units, exact-by-factor estimate 0.4 x run time = 40 s) is killed at
    // 40 s; its successor b (10 units, no estimate) is released then, as after a normal
    // end: the kill ends the job, and the pipeline treats it as done (the choice the
    // docs state). b runs [40, 50] on the freed device.
    let yaml = "datacenter:
  classes:
    c: {category: cpu, count: 1, speed: {a: 1, b: 1}, idle_power: 10W, busy_power: 100W}
workload:
  walltime: kill
  kinds:
    a:
      arrival: {process: batch, count: 1, at: 0}
      size: {dist: constant, value: 100}
      estimate: {factor: 0.4}
      then: [b]
    b:
      size: {dist: constant, value: 10}
policy: {name: fcfs}
";
    let (out, jobs, _) = run(yaml);
    let j = by_id(&jobs);
    let got: Vec<(f64, f64, f64, bool)> = j
        .iter()
        .map(|r| (r.arrival_s, r.start_s, r.end_s, r.killed))
        .collect();
    assert_eq!(got, vec![(0.0, 0.0, 40.0, true), (40.0, 40.0, 50.0, false)]);
    assert_eq!(out.summary.jobs_killed, 1);
    assert_eq!(out.summary.jobs_completed, 2);
}

#[test]
fn default_run_lets_jobs_finish_and_is_unchanged() {
    // No walltime, or `run`: J0 [0, 100] 10000 J, J1 [100, 120], J2 [120, 130].
    let (a, ja, sa) = run(&three_jobs(""));
    let (b, jb, _) = run(&three_jobs("  walltime: run\n"));
    let times: Vec<(f64, f64, bool)> = by_id(&ja)
        .iter()
        .map(|r| (r.start_s, r.end_s, r.killed))
        .collect();
    assert_eq!(
        times,
        vec![
            (0.0, 100.0, false),
            (100.0, 120.0, false),
            (120.0, 130.0, false)
        ]
    );
    assert_eq!(by_id(&ja)[0].energy_j, 10000.0);
    assert_eq!(ja, jb);
    assert_eq!(a.summary.walltime, "run");
    assert_eq!(a.summary.jobs_killed, 0);
    assert_eq!(a.summary.energy_it_to_makespan_j, 13000.0);
    assert_eq!(b.summary.makespan_s, a.summary.makespan_s);
    assert!(sa.iter().all(|&(_, _, k)| !k));
    let mut line = Vec::new();
    ja[0].write_csv(&mut line);
    let line = String::from_utf8(line).unwrap();
    assert_eq!(tail3(&line).2, "false", "{line}");
    assert_eq!(tail3(&line).0, "", "{line}");
}

#[test]
fn bad_walltime_is_a_located_error() {
    let e = parse_str(
        &three_jobs("  walltime: stop\n"),
        Format::Yaml,
        Path::new("t.yaml"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("t.yaml:") && e.contains("walltime"), "{e}");
    assert!(e.contains("run") && e.contains("kill"), "{e}");
}

#[test]
fn swf_jobs_carry_their_trace_ids_and_the_time_origin() {
    let dir = tempfile::tempdir().unwrap();
    // Ids 17, 42, 99 submitted at 5, 6 and 8 s of a trace starting at Unix time
    // 1000000000; field 9 requests 20 s for job 42, which runs 30 s.
    let swf = "\
; UnixStartTime: 1000000000
; MaxProcs: 4
17 5 0 10 1 -1 -1 1 20 -1 1 1 1 1 1 1 -1 -1
42 6 0 30 2 -1 -1 2 20 -1 1 1 1 1 1 1 -1 -1
99 8 0 4 1 -1 -1 1 -1 -1 1 1 1 1 1 1 -1 -1
";
    std::fs::write(dir.path().join("t.swf"), swf).unwrap();
    let yaml = |walltime: &str| {
        format!(
            "datacenter:
  classes:
    cpu: {{category: cpu, count: 4, speed: {{job: 1}}, idle_power: 0W, busy_power: 10W}}
workload:
{walltime}  kinds: {{job: {{}}}}
  traces:
    - {{format: swf, file: t.swf}}
policy: {{name: fcfs}}
"
        )
    };
    let label = dir.path().join("t.yaml");
    let (out, jobs, _) = run_at(&yaml(""), &label);
    // Simulated time 0 is the first submit (5 s into the trace).
    assert_eq!(out.summary.time_origin_s, Some(1_000_000_005.0));
    // Each job's id, from the file, and its submit time on the trace's clock.
    let mut ids: Vec<(Option<u64>, f64)> = jobs
        .iter()
        .map(|r| (r.source_id, r.arrival_s + 5.0))
        .collect();
    ids.sort_by(|a, b| a.1.total_cmp(&b.1));
    assert_eq!(ids, vec![(Some(17), 5.0), (Some(42), 6.0), (Some(99), 8.0)]);
    let j17 = jobs.iter().find(|r| r.source_id == Some(17)).unwrap();
    let mut line = Vec::new();
    j17.write_csv(&mut line);
    let line = String::from_utf8(line).unwrap();
    // Field 9 (requested time, 20 s) is the job's estimate.
    assert_eq!(
        tail3(&line),
        ("17".into(), Some(20.0), "false".into()),
        "{line}"
    );
    // With kills: job 42 (30 s run, 20 s requested) ends at 1 + 20 = 21 s.
    let (out, jobs, _) = run_at(&yaml("  walltime: kill\n"), &label);
    assert_eq!(out.summary.jobs_killed, 1);
    let j42 = jobs.iter().find(|r| r.source_id == Some(42)).unwrap();
    assert!(
        j42.killed && j42.start_s == 1.0 && j42.end_s == 21.0,
        "{j42:?}"
    );
    assert_eq!(j42.energy_j, 2.0 * 20.0 * 10.0);
    assert!(
        jobs.iter()
            .filter(|r| r.source_id != Some(42))
            .all(|r| !r.killed)
    );
}

#[test]
fn a_job_paused_by_the_cap_is_still_killed_at_its_time() {
    // Two devices (10 W idle, 100 W busy), both busy from 0. The cap falls to 110 W at
    // 10 s: the cap pauses the later-started job J1 (its device idles at 10 W). J1 is
    // killed at 0 + 30 s while paused and no longer waits to resume. J0 (no estimate)
    // runs to 100 s. J1's energy: 10 s x 100 W + 20 s x 10 W = 1200 J.
    let yaml = "datacenter:
  power_cap: {points: [[0s, 250W], [10s, 110W], [200s, 250W]]}
  classes:
    c: {category: cpu, count: 2, speed: {a: 1}, idle_power: 10W, busy_power: 100W}
workload:
  walltime: kill
  kinds: {a: {}}
  jobs:
    - {kind: a, arrival: 0, work: 100}
    - {kind: a, arrival: 0, work: 100, estimate: 30s}
policy: {name: fcfs}
";
    let (out, jobs, seen) = run(yaml);
    let j = by_id(&jobs);
    assert!(
        !j[0].killed && j[0].start_s == 0.0 && j[0].end_s == 100.0,
        "{:?}",
        j[0]
    );
    assert!(
        j[1].killed && j[1].start_s == 0.0 && j[1].end_s == 30.0,
        "{:?}",
        j[1]
    );
    assert_eq!(j[1].energy_j, 1200.0);
    assert_eq!(out.summary.jobs_killed, 1);
    assert!(seen.contains(&(1, 30_000_000_000, true)));
}

/// The jobs.csv fields source_id, estimate_s (parsed) and killed of a row (the last
/// three before `classes` and `slots`).
fn tail3(line: &str) -> (String, Option<f64>, String) {
    let f: Vec<&str> = line.trim_end().split(',').collect();
    let n = f.len() - 2;
    (
        f[n - 3].to_string(),
        f[n - 2].parse().ok(),
        f[n - 1].to_string(),
    )
}
