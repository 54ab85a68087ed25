//! Backfilling speed on real traces: the `batch` policy's orders and backfilling rules
//! on the first 10^5 jobs of the LANL CM-5 log (1,024 processors) and on all 10,000
//! jobs of lublin_256 (256 processors), from `../shared/data/swf/`.
//!
//! Each case runs the whole simulation (trace already loaded: arrivals, passes,
//! completions, power integration, records to a null observer) 3 times; the median CPU
//! time (from `/proc/self/schedstat`; wall time where that file does not exist) gives
//! jobs/s. The ratio column divides by the median of strict FCFS (no backfilling) on
//! the same trace in the same run: what the backfilling rule costs on top of a
//! scheduler that only looks at the head of the queue.
//!
//! Run: `cargo bench --bench batch`.

use hetsim::scenario::{Format, parse_str};
use hetsim::simulation::{NullObserver, Simulation};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn timed(f: impl FnOnce()) -> f64 {
    let (c0, t0) = (cpu_ns(), Instant::now());
    f();
    let wall = t0.elapsed().as_secs_f64();
    match (c0, cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 / 1e9,
        _ => wall,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/swf");
    let traces = [
        ("LANL-CM5-1994-4.1-cln.swf.gz", 1024, Some(100_000)),
        ("lublin_256.swf", 256, None),
    ];
    let policies = [
        ("fcfs", "none"),
        ("fcfs", "easy"),
        ("sjf", "easy"),
        ("wfp3", "easy"),
        ("fcfs", "conservative"),
    ];
    println!(
        "| trace | jobs | order | backfill | median CPU s (3 runs) | jobs/s | x strict FCFS |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (file, procs, limit) in traces {
        let path = data.join(file);
        assert!(
            path.exists(),
            "{} is missing (see README, \"Real data\")",
            path.display()
        );
        let limit = limit.map_or(String::new(), |n| format!(", limit: {n}"));
        let mut base = None;
        for (order, backfill) in policies {
            let text = format!(
                "name: bench\ndatacenter:\n  classes:\n    proc: {{category: cpu, count: {procs}, speed: {{hpc: 1}}, busy_power: 100W}}\n\
                 workload:\n  kinds:\n    hpc: {{}}\n  traces:\n    - {{format: swf, file: \"{}\", kind: hpc{limit}}}\n\
                 policy: {{name: batch, params: {{order: {order}, backfill: {backfill}}}}}\n",
                path.display()
            );
            let sc = parse_str(&text, Format::Yaml, Path::new("bench.yaml"))
                .unwrap_or_else(|e| panic!("{e}"));
            let mut jobs = 0;
            let times: Vec<f64> = (0..3)
                .map(|_| {
                    timed(|| {
                        let o = Simulation::new(&sc, 1)
                            .unwrap()
                            .run(&mut NullObserver)
                            .unwrap();
                        jobs = o.summary.jobs_completed;
                    })
                })
                .collect();
            let t = median(times);
            let b = *base.get_or_insert(t);
            println!(
                "| {file} | {jobs} | {order} | {backfill} | {t:.3} | {:.0} | {:.2} |",
                jobs as f64 / t,
                t / b
            );
        }
    }
}
