//! Placement-policy speed: 10^5 jobs on 10^4 heterogeneous devices, per policy.
//!
//! The scenario is built here as YAML text: 4 classes (cpu 4000, gpu 3000, tpu 2000,
//! fpga 1000 devices) with a speed matrix over 3 kinds (`train`, gangs of 2; `infer`,
//! with a 30 s deadline; `etl`), Poisson arrivals. The rates give a load of 0.8: each
//! kind's device-seconds per job are computed at its device-weighted mean speed over the
//! classes that can run it (as if jobs spread over all capable devices), and the total
//! arrival rate is set so that demand is 0.8 x 10^4 device-seconds per second. Policies
//! that concentrate work on one class overload it; that is part of what they do.
//!
//! Each policy runs the whole simulation (arrivals, decisions, completions, power
//! integration, job records to a null observer) 3 times; the median time gives jobs/s.
//! Time is the process's CPU time (from `/proc/self/schedstat`, as in the shared perf
//! notes) so that other work on a shared machine inflates it less than wall time; wall
//! time is used where that file does not exist, and is printed too. For contrast, two naive references (`tests/integration/reference.rs`), which scan
//! every device per decision, run 2000 jobs once.
//!
//! Run: `cargo bench --bench policies`.

use hetsim::policy::REGISTRY;
use hetsim::scenario::{Format, parse_str};
use hetsim::simulation::{NullObserver, Simulation};
use std::path::Path;
use std::time::Instant;

#[path = "../tests/integration/reference.rs"]
mod reference;

const JOBS: u64 = 100_000;
const LOAD: f64 = 0.8;

/// (name, count) per class.
const CLASSES: [(&str, u32); 4] = [("cpu", 4000), ("gpu", 3000), ("tpu", 2000), ("fpga", 1000)];

/// Kind: name, share of arrivals, gang, mean work, speed per class (0: cannot run).
struct Kind {
    name: &'static str,
    share: f64,
    gang: u32,
    work: f64,
    speed: [f64; 4],
    extra: &'static str,
}

const KINDS: [Kind; 3] = [
    Kind {
        name: "train",
        share: 0.2,
        gang: 2,
        work: 80.0,
        speed: [1.0, 8.0, 10.0, 0.0],
        extra: "size: {dist: exponential, mean: 80}",
    },
    Kind {
        name: "infer",
        share: 0.5,
        gang: 1,
        work: 20.0,
        speed: [1.0, 4.0, 3.0, 6.0],
        extra: "size: {dist: exponential, mean: 20}, deadline: 30s",
    },
    Kind {
        name: "etl",
        share: 0.3,
        gang: 1,
        work: 10.0,
        speed: [1.0, 1.5, 0.0, 2.0],
        extra: "size: {dist: lognormal, mean: 10, cv: 1}",
    },
];

/// Busy power at a speed: 50 W + 30 W x speed^1.5. Energy per work unit,
/// 50/s + 30 sqrt(s), is least near speed 2.2, so the most efficient class is neither
/// the slowest nor the fastest and `min-energy` differs from `fastest`.
fn busy_w(speed: f64) -> f64 {
    50.0 + 30.0 * speed.powf(1.5)
}

fn scenario_yaml(jobs: u64) -> String {
    let devices: f64 = CLASSES.iter().map(|c| c.1 as f64).sum();
    // Device-seconds per job of each kind at its device-weighted mean speed.
    let dev_s: Vec<f64> = KINDS
        .iter()
        .map(|k| {
            let (mut n, mut sum) = (0.0, 0.0);
            for (i, c) in CLASSES.iter().enumerate() {
                if k.speed[i] > 0.0 {
                    n += c.1 as f64;
                    sum += c.1 as f64 * k.speed[i];
                }
            }
            k.gang as f64 * k.work / (sum / n)
        })
        .collect();
    let mean_dev_s: f64 = KINDS.iter().zip(&dev_s).map(|(k, d)| k.share * d).sum();
    let rate = LOAD * devices / mean_dev_s;
    let mut y = String::from("name: bench-policies\nseed: 1\ndatacenter:\n  classes:\n");
    for (i, (name, count)) in CLASSES.iter().enumerate() {
        let speeds: Vec<String> = KINDS
            .iter()
            .filter(|k| k.speed[i] > 0.0)
            .map(|k| format!("{}: {}", k.name, k.speed[i]))
            .collect();
        let busy: Vec<String> = KINDS
            .iter()
            .filter(|k| k.speed[i] > 0.0)
            .map(|k| format!("{}: {:.1}W", k.name, busy_w(k.speed[i])))
            .collect();
        y.push_str(&format!(
            // Class names are also their categories.
            "    {name}: {{category: {name}, count: {count}, speed: {{{}}}, idle_power: 20W, busy_power: {{{}}}}}\n",
            speeds.join(", "),
            busy.join(", ")
        ));
    }
    y.push_str("workload:\n  kinds:\n");
    for k in &KINDS {
        y.push_str(&format!(
            "    {}: {{devices: {}, arrival: {{process: poisson, rate: {}/s, count: {}}}, {}}}\n",
            k.name,
            k.gang,
            rate * k.share,
            (jobs as f64 * k.share).round() as u64,
            k.extra
        ));
    }
    y.push_str("policy: {name: fcfs}\n");
    y
}

/// CPU time of this (single-threaded) process so far, ns, if the OS tells.
fn cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Runs `f`, returning (CPU or wall seconds, wall seconds) and its result.
fn timed<T>(f: impl FnOnce() -> T) -> (f64, f64, T) {
    let (c0, t0) = (cpu_ns(), Instant::now());
    let out = f();
    let wall = t0.elapsed().as_secs_f64();
    let cpu = match (c0, cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 / 1e9,
        _ => wall,
    };
    (cpu, wall, out)
}

fn main() {
    let text = scenario_yaml(JOBS);
    let base = parse_str(&text, Format::Yaml, Path::new("bench.yaml")).expect("bench scenario");
    println!(
        "{} jobs on {} devices, 4 classes, 3 kinds, load {LOAD}; median of 3 runs; jobs/s from CPU time",
        JOBS,
        base.device_count()
    );
    println!(
        "{:<19} {:>10} {:>8} {:>12} {:>11} {:>10}",
        "policy", "jobs/s", "wall s", "mean wait s", "makespan s", "energy MJ"
    );
    for info in REGISTRY {
        let mut sc = base.clone();
        sc.policy.name = info.name.into();
        let mut times = Vec::new();
        let mut walls = Vec::new();
        let mut last = None;
        for _ in 0..3 {
            let (cpu, wall, out) = timed(|| {
                Simulation::new(&sc, sc.seed)
                    .expect("policy builds")
                    .run(&mut NullObserver)
                    .expect("run")
            });
            times.push(cpu);
            walls.push(wall);
            assert_eq!(out.summary.jobs_completed, JOBS);
            last = Some(out.summary);
        }
        times.sort_by(f64::total_cmp);
        walls.sort_by(f64::total_cmp);
        let s = last.expect("ran");
        println!(
            "{:<19} {:>10.0} {:>8.3} {:>12.2} {:>11.1} {:>10.2}",
            info.name,
            JOBS as f64 / times[1],
            walls[1],
            s.wait_mean_s,
            s.makespan_s,
            s.energy_it_j / 1e6
        );
    }
    let small = parse_str(&scenario_yaml(2000), Format::Yaml, Path::new("bench.yaml"))
        .expect("bench scenario");
    for name in ["min-edp", "easy-backfill"] {
        let mut sc = small.clone();
        sc.policy.name = name.into();
        let naive = reference::build(&sc.policy, &sc).expect("reference");
        let (cpu, wall, out) = timed(|| {
            Simulation::with_policy(&sc, sc.seed, naive)
                .expect("power manager builds")
                .run(&mut NullObserver)
                .expect("run")
        });
        println!(
            "naive {:<13} {:>10.0} {:>8.3}   ({} jobs, one run, full device scans)",
            name,
            out.summary.jobs_completed as f64 / cpu,
            wall,
            out.summary.jobs_completed
        );
    }
}
