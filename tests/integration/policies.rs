//! One small hand-computed case per placement policy. Each scenario is written out in
//! the test and the expected schedule (class, start and end of every job) is derived in
//! the comments from the policy's rule, as a reader would do on paper. Also: parameter
//! validation, the registry listing, and the `custom_policy` example.

use hetsim::metrics::{JobRecord, Summary};
use hetsim::policy::Policy;
use hetsim::power::PowerRow;
use hetsim::scenario::{Format, parse_str};
use hetsim::simulation::{Observer, Outcome, Simulation};
use std::path::Path;

/// Keeps every job record.
#[derive(Default)]
pub struct Recorder {
    /// Job records in completion order.
    pub jobs: Vec<JobRecord>,
}

impl Observer for Recorder {
    fn job(&mut self, r: &JobRecord) -> std::io::Result<()> {
        self.jobs.push(r.clone());
        Ok(())
    }
    fn power(&mut self, _: &PowerRow) -> std::io::Result<()> {
        Ok(())
    }
}

/// Parses a YAML scenario written in a test.
pub fn parse(yaml: &str) -> hetsim::model::Scenario {
    parse_str(yaml, Format::Yaml, Path::new("test.yaml")).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a scenario with its own policy; job records sorted by id.
pub fn run(sc: &hetsim::model::Scenario) -> (Outcome, Vec<JobRecord>) {
    let sim = Simulation::new(sc, sc.seed).unwrap_or_else(|e| panic!("{e}"));
    finish(sim)
}

/// Runs a scenario with a given policy object; job records sorted by id.
pub fn run_with(sc: &hetsim::model::Scenario, p: Box<dyn Policy>) -> (Outcome, Vec<JobRecord>) {
    finish(Simulation::with_policy(sc, sc.seed, p).unwrap_or_else(|e| panic!("{e}")))
}

fn finish(sim: Simulation) -> (Outcome, Vec<JobRecord>) {
    let mut rec = Recorder::default();
    let out = sim.run(&mut rec).unwrap_or_else(|e| panic!("{e:#}"));
    rec.jobs.sort_by_key(|r| r.id);
    (out, rec.jobs)
}

/// Runs `yaml` with policy `policy` (its `policy:` section is replaced).
fn run_policy(yaml: &str, policy: &str) -> (Summary, Vec<JobRecord>) {
    let text = format!("{yaml}\npolicy:\n{}\n", indent(policy));
    let (out, recs) = run(&parse(&text));
    (out.summary, recs)
}

fn indent(s: &str) -> String {
    s.lines().map(|l| format!("  {l}\n")).collect()
}

/// Checks every job's (class, start, end) in id order.
#[track_caller]
fn expect(recs: &[JobRecord], want: &[(&str, f64, f64)]) {
    let got: Vec<(&str, f64, f64)> = recs
        .iter()
        .map(|r| (r.class.as_str(), r.start_s, r.end_s))
        .collect();
    let same = got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| g.0 == w.0 && (g.1 - w.1).abs() < 1e-6 && (g.2 - w.2).abs() < 1e-6);
    assert!(
        same,
        "schedule (class, start, end) by job id\n got: {got:?}\nwant: {want:?}"
    );
}

/// One class `cpu` of `n` devices at speed 1 (W: 10 idle, 100 busy).
pub fn one_class(n: u32) -> String {
    format!(
        "datacenter:
  classes:
    cpu: {{category: cpu, count: {n}, speed: {{t: 1}}, idle_power: 10W, busy_power: 100W}}
"
    )
}

// ---------------------------------------------------------------- sjf

#[test]
fn sjf_runs_the_shortest_waiting_job_first() {
    // One device. Job 0 (work 10) starts at 0 and holds the device until 10. Jobs 1, 2,
    // 3 (work 5, 3, 8) arrive at 1 and wait. At 10 the shortest goes first:
    // job 2 [10, 13], job 1 [13, 18], job 3 [18, 26]. (fcfs: 1, 2, 3 in order.)
    let yaml = format!(
        "{}workload:
  kinds: {{t: {{}}}}
  jobs:
    - {{kind: t, arrival: 0, work: 10}}
    - {{kind: t, arrival: 1, work: 5}}
    - {{kind: t, arrival: 1, work: 3}}
    - {{kind: t, arrival: 1, work: 8}}
",
        one_class(1)
    );
    let (s, recs) = run_policy(&yaml, "name: sjf");
    expect(
        &recs,
        &[
            ("cpu", 0.0, 10.0),
            ("cpu", 13.0, 18.0),
            ("cpu", 10.0, 13.0),
            ("cpu", 18.0, 26.0),
        ],
    );
    // Waits 0, 12, 9, 17: mean 9.5 (fcfs: 0, 9, 14, 17: mean 10).
    assert!((s.wait_mean_s - 9.5).abs() < 1e-9);
    let (f, _) = run_policy(&yaml, "name: fcfs");
    assert!((f.wait_mean_s - 10.0).abs() < 1e-9);
}

#[test]
fn sjf_key_runtime_compares_seconds_and_key_work_compares_units() {
    // One device; kind `fast` runs at 10 units/s, `slow` at 1. Job 0 occupies the device
    // until 1. Job 1 is fast with work 20 (2 s), job 2 slow with work 5 (5 s).
    // key runtime: job 1 (2 s) first: [1, 3], then job 2 [3, 8].
    // key work: job 2 (5 units) first: [1, 6], then job 1 [6, 8].
    let yaml = "datacenter:
  classes:
    cpu: {category: cpu, count: 1, speed: {fast: 10, slow: 1}, idle_power: 0W, busy_power: 1W}
workload:
  kinds: {fast: {}, slow: {}}
  jobs:
    - {kind: slow, arrival: 0, work: 1}
    - {kind: fast, arrival: 0.5, work: 20}
    - {kind: slow, arrival: 0.5, work: 5}
";
    let (_, recs) = run_policy(yaml, "name: sjf");
    expect(
        &recs,
        &[("cpu", 0.0, 1.0), ("cpu", 1.0, 3.0), ("cpu", 3.0, 8.0)],
    );
    let (_, recs) = run_policy(yaml, "name: sjf\nparams: {key: work}");
    expect(
        &recs,
        &[("cpu", 0.0, 1.0), ("cpu", 6.0, 8.0), ("cpu", 1.0, 6.0)],
    );
}

// ---------------------------------------------------------------- edf

#[test]
fn edf_serves_the_earliest_deadline_and_puts_jobs_without_one_last() {
    // One device. Job 0 (work 10, no deadline) runs [0, 10]. At 1 arrive, in this order:
    // job 1 (work 2, no deadline), job 2 (work 4, deadline 20 s -> 21), job 3 (work 4,
    // deadline 14 s -> 15). EDF at 10: job 3 [10, 14] (met, 14 <= 15), job 2 [14, 18]
    // (met, 18 <= 21), job 1 last [18, 20]. fcfs would run job 3 at [16, 20]: missed.
    let yaml = format!(
        "{}workload:
  kinds: {{t: {{}}}}
  jobs:
    - {{kind: t, arrival: 0, work: 10}}
    - {{kind: t, arrival: 1, work: 2}}
    - {{kind: t, arrival: 1, work: 4, deadline: 20}}
    - {{kind: t, arrival: 1, work: 4, deadline: 14}}
",
        one_class(1)
    );
    let (s, recs) = run_policy(&yaml, "name: edf");
    expect(
        &recs,
        &[
            ("cpu", 0.0, 10.0),
            ("cpu", 18.0, 20.0),
            ("cpu", 14.0, 18.0),
            ("cpu", 10.0, 14.0),
        ],
    );
    assert_eq!(s.deadline_miss_rate, 0.0);
    let (f, _) = run_policy(&yaml, "name: fcfs");
    assert_eq!(f.deadline_miss_rate, 0.5);
}

// ---------------------------------------------------------------- easy-backfill

#[test]
fn easy_backfills_short_jobs_and_holds_long_ones_that_would_delay_the_head() {
    // Four devices. Job 0 (gang 3, work 10) runs [0, 10] on devices 0-2.
    // Job 1 (gang 4, work 5) arrives at 1: one device free, so it waits as the head.
    //   Reservation: the 4th device to be available is free at 10, so S = 10.
    // Job 2 (gang 1, work 20) at 2: would end at 22 > S, and the class has only 4
    //   devices available at S, all needed by the head: not backfilled.
    // Job 3 (gang 1, work 7) at 3: ends at 10 <= S: backfilled on device 3, [3, 10].
    // At 10: job 1 starts on time, [10, 15]; then job 2 [15, 35].
    // fcfs: job 1 [10, 15], then jobs 2 and 3 at 15: [15, 35] and [15, 22].
    let yaml = format!(
        "{}workload:
  kinds: {{t: {{}}}}
  jobs:
    - {{kind: t, arrival: 0, work: 10, devices: 3}}
    - {{kind: t, arrival: 1, work: 5, devices: 4}}
    - {{kind: t, arrival: 2, work: 20}}
    - {{kind: t, arrival: 3, work: 7}}
",
        one_class(4)
    );
    let (_, recs) = run_policy(&yaml, "name: easy-backfill");
    expect(
        &recs,
        &[
            ("cpu", 0.0, 10.0),
            ("cpu", 10.0, 15.0),
            ("cpu", 15.0, 35.0),
            ("cpu", 3.0, 10.0),
        ],
    );
    let (_, recs) = run_policy(&yaml, "name: fcfs");
    expect(
        &recs,
        &[
            ("cpu", 0.0, 10.0),
            ("cpu", 10.0, 15.0),
            ("cpu", 15.0, 35.0),
            ("cpu", 15.0, 22.0),
        ],
    );
}

#[test]
fn easy_lets_a_long_job_use_the_extra_devices_and_logs_the_reservation() {
    // Four devices. Job 0 (gang 3, work 10) runs [0, 10] on devices 0-2.
    // Job 1 (gang 2, work 5) at 1 waits: 2 devices are available at S = 10.
    // At S all 4 devices are available and the head needs 2, so 2 are extra.
    // Job 2 (gang 1, work 20) at 2 ends at 22 > S but fits in the extra devices:
    //   backfilled on device 3, [2, 22]. Job 3 (gang 1, work 5) at 3: nothing free.
    // At 10: job 1 starts on time on devices 0, 1 [10, 15]; job 3 on device 2 [10, 15].
    let yaml = format!(
        "{}workload:
  kinds: {{t: {{}}}}
  jobs:
    - {{kind: t, arrival: 0, work: 10, devices: 3}}
    - {{kind: t, arrival: 1, work: 5, devices: 2}}
    - {{kind: t, arrival: 2, work: 20}}
    - {{kind: t, arrival: 3, work: 5}}
",
        one_class(4)
    );
    let sc = parse(&format!("{yaml}policy: {{name: easy-backfill}}\n"));
    let log = hetsim::policy::ReservationLog::default();
    let p = hetsim::policy::EasyBackfill::with_log(100, log.clone());
    let (_, recs) = run_with(&sc, Box::new(p));
    expect(
        &recs,
        &[
            ("cpu", 0.0, 10.0),
            ("cpu", 10.0, 15.0),
            ("cpu", 2.0, 22.0),
            ("cpu", 10.0, 15.0),
        ],
    );
    assert_eq!(recs[1].devices, "0;1");
    assert_eq!(recs[2].devices, "3");
    let log = log.lock().unwrap();
    assert_eq!(
        log[0],
        hetsim::policy::Reservation {
            job: 1,
            class: hetsim::policy::ClassId::new(0),
            start: 10_000_000_000
        }
    );
    // depth 0 turns backfilling off: job 2 waits for the head, [10, 30].
    let (_, recs) = run_policy(&yaml, "name: easy-backfill\nparams: {depth: 0}");
    assert_eq!((recs[2].start_s, recs[2].end_s), (10.0, 30.0));
}

// ---------------------------------------------------------------- round-robin

/// Class `a`: 2 devices at speed 1; class `b`: 1 device at speed 2.
const TWO_CLASSES: &str = "datacenter:
  classes:
    a: {category: cpu, count: 2, speed: {t: 1}, idle_power: 0W, busy_power: 1W}
    b: {category: gpu, count: 1, speed: {t: 2}, idle_power: 0W, busy_power: 4W}
";

#[test]
fn round_robin_cycles_over_devices_and_keeps_gangs_in_one_class() {
    // Devices 0, 1 (class a) and 2 (class b); all jobs have work 4.
    // Job 0 (t=0): device 0, [0, 4]; cursor 1.
    // Job 1 (t=1, gang 2): devices 1-2 would span two classes, and class b has only one
    //   device, so the cursor wraps to device 0: devices 0, 1. Device 0 is busy until
    //   4, so the gang starts at 4: [4, 8]; cursor 2.
    // Job 2 (t=2): device 2 (class b, speed 2): [2, 4]; cursor wraps to 0.
    // Job 3 (t=3): device 0, queued behind job 1: [8, 12].
    let yaml = format!(
        "{TWO_CLASSES}workload:
  kinds: {{t: {{}}}}
  jobs:
    - {{kind: t, arrival: 0, work: 4}}
    - {{kind: t, arrival: 1, work: 4, devices: 2}}
    - {{kind: t, arrival: 2, work: 4}}
    - {{kind: t, arrival: 3, work: 4}}
"
    );
    let (_, recs) = run_policy(&yaml, "name: round-robin");
    expect(
        &recs,
        &[
            ("a", 0.0, 4.0),
            ("a", 4.0, 8.0),
            ("b", 2.0, 4.0),
            ("a", 8.0, 12.0),
        ],
    );
    assert_eq!(recs[1].devices, "0;1");
    assert_eq!(recs[3].devices, "0");
    // over: classes: a, then the next class that can run the job... Job 0: class a
    // device 0 [0, 4]. Job 1 (gang 2): class b cannot hold it, so class a, devices 1, 0
    // (a's own cursor is at 1): [4, 8]. Job 2: class b [2, 4]. Job 3: class a, device 1
    // (cursor 1 + 2 wraps to 1): behind job 1, [8, 12].
    let (_, recs) = run_policy(&yaml, "name: round-robin\nparams: {over: classes}");
    expect(
        &recs,
        &[
            ("a", 0.0, 4.0),
            ("a", 4.0, 8.0),
            ("b", 2.0, 4.0),
            ("a", 8.0, 12.0),
        ],
    );
    assert_eq!(recs[1].devices, "1;0");
    assert_eq!(recs[3].devices, "1");
}

// ---------------------------------------------------------------- random

#[test]
fn random_draws_from_its_own_seeded_stream() {
    // Three capable devices (a: 0, 1; b: 2). Each single-device job goes to the u-th
    // capable device, u drawn uniformly from 0..3 by the policy's own ChaCha8 stream,
    // seeded with derive_seed(scenario seed, "policy/random"). Jobs arrive 100 s apart
    // and last at most 4 s, so each starts at its arrival.
    use rand::{RngExt, SeedableRng};
    let mut jobs = String::new();
    for i in 0..30 {
        jobs.push_str(&format!(
            "    - {{kind: t, arrival: {}, work: 4}}\n",
            i * 100
        ));
    }
    let yaml = format!("seed: 42\n{TWO_CLASSES}workload:\n  kinds: {{t: {{}}}}\n  jobs:\n{jobs}");
    let (_, recs) = run_policy(&yaml, "name: random");
    let mut rng =
        rand::rngs::ChaCha8Rng::seed_from_u64(hetsim::workload::derive_seed(42, "policy/random"));
    for r in &recs {
        let u: u64 = rng.random_range(0..3);
        assert_eq!(r.devices, u.to_string(), "job {}", r.id);
        assert_eq!(r.start_s, r.arrival_s);
    }
    // All three devices are used, and another seed gives another schedule.
    for d in ["0", "1", "2"] {
        assert!(recs.iter().any(|r| r.devices == d));
    }
    let (_, other) = run_policy(&yaml.replace("seed: 42", "seed: 43"), "name: random");
    assert_ne!(
        recs.iter().map(|r| &r.devices).collect::<Vec<_>>(),
        other.iter().map(|r| &r.devices).collect::<Vec<_>>()
    );
}

#[test]
fn random_only_draws_among_devices_that_can_run_the_job() {
    // Kind `g` runs only on class b (one device), and a gang of 2 only fits class a:
    // whatever the draws, the placement is forced.
    let yaml = "datacenter:
  classes:
    a: {category: cpu, count: 2, speed: {t: 1}, idle_power: 0W, busy_power: 1W}
    b: {category: gpu, count: 1, speed: {t: 2, g: 1}, idle_power: 0W, busy_power: 4W}
workload:
  kinds: {t: {}, g: {}}
  jobs:
    - {kind: g, arrival: 0, work: 1}
    - {kind: t, arrival: 0, work: 2, devices: 2}
    - {kind: g, arrival: 0, work: 1}
";
    let (_, recs) = run_policy(yaml, "name: random");
    expect(&recs, &[("b", 0.0, 1.0), ("a", 0.0, 2.0), ("b", 1.0, 2.0)]);
}

// ---------------------------------------------------------------- least-loaded

#[test]
fn least_loaded_by_work_and_by_jobs() {
    // Classes x and y, one device each, speed 1. At t = 0: job 0 (work 100), then jobs
    // 1, 2, 3 (work 1 each).
    // by work (time until the device is done): job 0 -> x (tie, file order) [0, 100];
    //   job 1 -> y (0 < 100) [0, 1]; job 2 -> y (1 < 100) [1, 2]; job 3 -> y [2, 3].
    // by jobs (committed jobs per device): job 0 -> x; job 1 -> y (0 < 1);
    //   job 2: x 1, y 1, tie -> earlier start, y [1, 2]; job 3: x 1 < y 2 -> x,
    //   behind job 0: [100, 101].
    let yaml = "datacenter:
  classes:
    x: {category: cpu, count: 1, speed: {t: 1}, idle_power: 0W, busy_power: 1W}
    y: {category: cpu, count: 1, speed: {t: 1}, idle_power: 0W, busy_power: 1W}
workload:
  kinds: {t: {}}
  jobs:
    - {kind: t, arrival: 0, work: 100}
    - {kind: t, arrival: 0, work: 1}
    - {kind: t, arrival: 0, work: 1}
    - {kind: t, arrival: 0, work: 1}
";
    let (_, recs) = run_policy(yaml, "name: least-loaded");
    expect(
        &recs,
        &[
            ("x", 0.0, 100.0),
            ("y", 0.0, 1.0),
            ("y", 1.0, 2.0),
            ("y", 2.0, 3.0),
        ],
    );
    let (_, recs) = run_policy(yaml, "name: least-loaded\nparams: {by: jobs}");
    expect(
        &recs,
        &[
            ("x", 0.0, 100.0),
            ("y", 0.0, 1.0),
            ("y", 1.0, 2.0),
            ("x", 100.0, 101.0),
        ],
    );
}

#[test]
fn least_loaded_ignores_speed_where_eft_does_not() {
    // slow (speed 1) and fast (speed 4), one device each, file order slow first. Three
    // jobs of work 8 at t = 0.
    // least-loaded: job 0 -> slow (both idle, file order) [0, 8]; job 1 -> fast (idle)
    //   [0, 2]; job 2 -> fast (done at 2 < 8) [2, 4].
    // eft: job 0 -> fast [0, 2]; job 1 -> fast (4 < 8) [2, 4]; job 2 -> fast (6 < 8).
    let yaml = "datacenter:
  classes:
    slow: {category: cpu, count: 1, speed: {t: 1}, idle_power: 0W, busy_power: 1W}
    fast: {category: gpu, count: 1, speed: {t: 4}, idle_power: 0W, busy_power: 1W}
workload:
  kinds: {t: {}}
  jobs:
    - {kind: t, arrival: 0, work: 8}
    - {kind: t, arrival: 0, work: 8}
    - {kind: t, arrival: 0, work: 8}
";
    let (_, recs) = run_policy(yaml, "name: least-loaded");
    expect(
        &recs,
        &[("slow", 0.0, 8.0), ("fast", 0.0, 2.0), ("fast", 2.0, 4.0)],
    );
    let (_, recs) = run_policy(yaml, "name: eft");
    expect(
        &recs,
        &[("fast", 0.0, 2.0), ("fast", 2.0, 4.0), ("fast", 4.0, 6.0)],
    );
}

// ---------------------------------------------------------------- lpt

#[test]
fn lpt_sends_the_largest_task_to_the_strongest_platform_in_the_seed_example() {
    // The study's example (cpu P=1, gpu P=1.5, tpu P=2; tasks 100, 200, 300 at t=0),
    // tasks listed smallest first. The batch is sorted 300, 200, 100:
    //   300: finishes at 300 (cpu), 200 (gpu), 150 (tpu) -> tpu [0, 150]
    //   200: 200 (cpu), 133.3 (gpu), 150 + 100 (tpu) -> gpu [0, 133.3]
    //   100: 100 (cpu), 133.3 + 66.7 (gpu), 150 + 50 (tpu) -> cpu [0, 100]
    // Energy C/E: 300/1.5 + 200/3 + 100/2 = 316.67 J; makespan 150 s.
    // Listing the tasks in another order gives the same schedule (fcfs does not).
    let l = hetsim::scenario::load(
        &crate::common::scenario("seed-example.yaml"),
        &["policy.name=lpt".into()],
    )
    .unwrap();
    let (out, recs) = run(&l.scenario);
    expect(
        &recs,
        &[
            ("cpu", 0.0, 100.0),
            ("gpu", 0.0, 400.0 / 3.0),
            ("tpu", 0.0, 150.0),
        ],
    );
    assert!((out.summary.energy_it_j - (200.0 + 200.0 / 3.0 + 50.0)).abs() < 1e-6);
    assert!((out.summary.makespan_s - 150.0).abs() < 1e-9);

    let permuted = "datacenter:
  classes:
    cpu: {category: cpu, count: 1, speed: {task: 1}, idle_power: 0W, busy_power: 0.5W}
    gpu: {category: gpu, count: 1, speed: {task: 1.5}, idle_power: 0W, busy_power: 0.5W}
    tpu: {category: tpu, count: 1, speed: {task: 2}, idle_power: 0W, busy_power: 1.3333333333333333W}
workload:
  kinds: {task: {}}
  jobs:
    - {kind: task, arrival: 0, work: 300}
    - {kind: task, arrival: 0, work: 100}
    - {kind: task, arrival: 0, work: 200}
    - {kind: task, arrival: 0, work: 50}
";
    // With a fourth task of 50 (sorted last): cpu finishes it at 100 + 50 = 150, gpu at
    // 133.3 + 33.3, tpu at 150 + 25 -> cpu [100, 150].
    let (_, recs) = run_policy(permuted, "name: lpt");
    expect(
        &recs,
        &[
            ("tpu", 0.0, 150.0),
            ("cpu", 0.0, 100.0),
            ("gpu", 0.0, 400.0 / 3.0),
            ("cpu", 100.0, 150.0),
        ],
    );
    let (_, recs) = run_policy(permuted, "name: fcfs");
    assert_eq!(
        recs[0].class, "cpu",
        "fcfs puts the first-listed task on the cpu"
    );
}

#[test]
fn lpt_places_a_job_arriving_alone_at_once() {
    // Jobs of a random stream arrive one at a time: each is placed where it finishes
    // first. One Poisson job of work 4 on classes a (2 x speed 1) and b (speed 2): b.
    let yaml = format!(
        "{TWO_CLASSES}workload:
  kinds:
    t: {{arrival: {{process: poisson, rate: 1/s, count: 1}}, size: {{dist: constant, value: 4}}}}
"
    );
    let (s, recs) = run_policy(&yaml, "name: lpt");
    assert_eq!(s.jobs_completed, 1);
    assert_eq!(recs[0].class, "b");
    assert!((recs[0].run_s - 2.0).abs() < 1e-9 && recs[0].wait_s == 0.0);
}

#[test]
fn lpt_sorts_a_closed_batch_drawn_at_random() {
    // Six jobs of random size arrive together (a closed batch at t = 0); slow (speed 1)
    // and fast (speed 4), one device each. Whatever the sizes, the largest job goes
    // first, to the idle fast device, at t = 0; every job is placed at the batch's
    // instant, so none waits for a later event.
    let yaml = "datacenter:
  classes:
    slow: {category: cpu, count: 1, speed: {t: 1}, idle_power: 0W, busy_power: 1W}
    fast: {category: gpu, count: 1, speed: {t: 4}, idle_power: 0W, busy_power: 1W}
workload:
  kinds:
    t:
      arrival: {process: batch, count: 6, at: 0}
      size: {dist: uniform, min: 1, max: 100}
";
    let (s, recs) = run_policy(yaml, "name: lpt");
    assert_eq!(s.jobs_completed, 6);
    let largest = recs
        .iter()
        .max_by(|a, b| a.work.total_cmp(&b.work))
        .unwrap();
    assert_eq!((largest.class.as_str(), largest.start_s), ("fast", 0.0));
    // Each device runs its jobs back to back from 0, largest first.
    for class in ["slow", "fast"] {
        let mut on: Vec<&JobRecord> = recs.iter().filter(|r| r.class == class).collect();
        on.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        let mut t = 0.0;
        for w in on.windows(2) {
            assert!(w[0].work >= w[1].work, "{class}: larger jobs first");
        }
        for r in on {
            assert!(
                (r.start_s - t).abs() < 1e-6,
                "{class}: no gap before job {}",
                r.id
            );
            t = r.end_s;
        }
    }
}

#[test]
fn lpt_never_holds_an_incomplete_batch_for_good() {
    // The policy is built for a scenario with three jobs at t = 0 but run on one with
    // two, so the batch it waits for never completes. Its safety tick 1 ns later places
    // the two jobs: largest first on the faster class, both starting at 1 ns.
    let three = parse(&format!(
        "{TWO_CLASSES}workload:
  kinds: {{t: {{}}}}
  jobs:
    - {{kind: t, arrival: 0, work: 2}}
    - {{kind: t, arrival: 0, work: 6}}
    - {{kind: t, arrival: 0, work: 4}}
policy: {{name: lpt}}
"
    ));
    let mut two = three.clone();
    two.jobs.truncate(2);
    let policy = hetsim::policy::build(&three.policy, &three).unwrap();
    let (out, recs) = run_with(&two, policy);
    assert_eq!(out.summary.jobs_completed, 2);
    // Job 1 (work 6) to b (speed 2), job 0 (work 2) then to a (finishes at 2 < 3 + 1).
    expect(&recs, &[("a", 1e-9, 2.0 + 1e-9), ("b", 1e-9, 3.0 + 1e-9)]);
    assert!(recs.iter().all(|r| r.start_s == 1e-9));
}

// ---------------------------------------------------------------- hetero-aware

#[test]
fn hetero_aware_keeps_jobs_off_classes_where_they_crawl() {
    // cpu and gpu, one device each. Kind `dense` runs at 1 on cpu and 10 on gpu
    // (normalised throughput on cpu 0.1); kind `light` at 1 and 2 (cpu: 0.5).
    // Threshold 0.5. All at t = 0:
    //   job 0 dense, work 300: gpu [0, 30] (finishes at 300 on cpu).
    //   job 1 light, work 10: cpu finishes at 10, gpu at 35; cpu keeps 0.5 >= 0.5 of
    //     its best speed: cpu [0, 10].
    //   job 2 dense, work 20: cpu would finish at 10 + 20 = 30 < 32 (gpu), but cpu
    //     keeps only 0.1 of its best speed: gpu [30, 32]. (eft: cpu [10, 30].)
    let yaml = "datacenter:
  classes:
    cpu: {category: cpu, count: 1, speed: {dense: 1, light: 1}, idle_power: 0W, busy_power: 1W}
    gpu: {category: gpu, count: 1, speed: {dense: 10, light: 2}, idle_power: 0W, busy_power: 1W}
workload:
  kinds: {dense: {}, light: {}}
  jobs:
    - {kind: dense, arrival: 0, work: 300}
    - {kind: light, arrival: 0, work: 10}
    - {kind: dense, arrival: 0, work: 20}
";
    let (_, recs) = run_policy(yaml, "name: hetero-aware");
    expect(
        &recs,
        &[("gpu", 0.0, 30.0), ("cpu", 0.0, 10.0), ("gpu", 30.0, 32.0)],
    );
    let (_, recs) = run_policy(yaml, "name: eft");
    expect(
        &recs,
        &[("gpu", 0.0, 30.0), ("cpu", 0.0, 10.0), ("cpu", 10.0, 30.0)],
    );
    // threshold 1: every job on its best class; job 1 on gpu [30, 35], job 2 [35, 37].
    let (_, recs) = run_policy(yaml, "name: hetero-aware\nparams: {threshold: 1}");
    expect(
        &recs,
        &[("gpu", 0.0, 30.0), ("gpu", 30.0, 35.0), ("gpu", 35.0, 37.0)],
    );
}

// ---------------------------------------------------------------- min-edp

#[test]
fn min_edp_trades_energy_against_delay() {
    // eco: speed 1, 1 W busy (1 J per unit); fast: speed 4, 8 W busy (2 J per unit).
    // All jobs at t = 0; EDP = energy (J) x finish time (s), counting committed work:
    //   job 0, work 8: eco 8 x 8 = 64; fast 16 x 2 = 32 -> fast [0, 2]
    //   job 1, work 4: eco 4 x 4 = 16; fast 8 x (2 + 1) = 24 -> eco [0, 4]
    //   job 2, work 8: eco 8 x (4 + 8) = 96; fast 16 x (2 + 2) = 64 -> fast [2, 4]
    //   job 3, work 2: eco 2 x (4 + 2) = 12; fast 4 x (4 + 0.5) = 18 -> eco [4, 6]
    // Energy 16 + 4 + 16 + 2 = 38 J. (min-energy puts all on eco, makespan 22;
    // eft puts jobs 0-2 on fast, makespan 5, energy 16 + 8 + 16 + 2 = 42 J.)
    let yaml = "datacenter:
  classes:
    eco: {category: cpu, count: 1, speed: {t: 1}, idle_power: 0W, busy_power: 1W}
    fast: {category: gpu, count: 1, speed: {t: 4}, idle_power: 0W, busy_power: 8W}
workload:
  kinds: {t: {}}
  jobs:
    - {kind: t, arrival: 0, work: 8}
    - {kind: t, arrival: 0, work: 4}
    - {kind: t, arrival: 0, work: 8}
    - {kind: t, arrival: 0, work: 2}
";
    let (s, recs) = run_policy(yaml, "name: min-edp");
    expect(
        &recs,
        &[
            ("fast", 0.0, 2.0),
            ("eco", 0.0, 4.0),
            ("fast", 2.0, 4.0),
            ("eco", 4.0, 6.0),
        ],
    );
    assert!((s.energy_it_j - 38.0).abs() < 1e-9);
    let (e, _) = run_policy(yaml, "name: min-energy");
    assert!((e.makespan_s - 22.0).abs() < 1e-9 && (e.energy_it_j - 22.0).abs() < 1e-9);
    let (f, _) = run_policy(yaml, "name: eft");
    assert!((f.makespan_s - 5.0).abs() < 1e-9 && (f.energy_it_j - 42.0).abs() < 1e-9);
}
