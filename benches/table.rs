//! The performance table, every row a ratio measured in this one run against a bare
//! reference written here (benches/table/bare.rs), so that a noisy shared machine
//! moves numerator and denominator alike.
//!
//! Rows:
//! 1. M/M/16 at rho 0.8: hetsim's whole `Simulation` (fcfs, no files) against a bare
//!    `BinaryHeap` loop, events/s (in process).
//! 2. scenarios/bench-1m.yaml (10^6 jobs, 10^4 devices, eft) as `hetsim run` does it:
//!    with every output (CSV files and charts), with the CSV files only, and with
//!    per-job and power output off (`output: {jobs: none, power: none}`), against a
//!    bare datacenter-shaped model of the same size (per-class availability heaps,
//!    earliest-finish placement, power integration, a record per job, no files).
//! 3. The 50-host FCFS model of the SimGrid comparison (10^5 jobs) read from a CSV job
//!    list and from an explicit YAML list: loading the list costs what over the trace.
//!    And a JSON scenario listing 6x10^5 jobs (about 45 MB), loaded and validated:
//!    peak RSS against the file's size.
//! 4. With `--big`: 10^7 jobs on 10^5 devices against 10^6 on 10^4 (time and memory).
//! 5. With `--sweep`: scenarios/sweeps/bench-200.yaml on 2 threads against 1 (wall).
//!
//! Every case of rows 2-4 runs in a child process (this executable, re-run with
//! `--case NAME`), so its peak RSS is its own (VmHWM); times are the child's CPU
//! seconds (user + system, all threads), medians of `--reps` (default 3) repetitions. Row 1 is a
//! median of in-process CPU times.
//!
//! Run: `cargo bench --bench table [-- --reps 5 --big --sweep]`, or
//! `benches/table.sh` for this table plus the SimPy and SimGrid comparisons.
//! `--gen DIR` only writes the 50-host model's files (for benches/peers/simgrid).

#[path = "table/bare.rs"]
mod bare;
#[path = "table/hetero50.rs"]
mod hetero50;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn work_dir() -> PathBuf {
    root().join("target/bench-table")
}

/// CPU seconds of this thread so far.
fn cpu_s() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid timespec to write to.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One child's measure: CPU s, wall s, peak RSS MB, and what it printed.
#[derive(Clone, Default)]
struct Measure {
    cpu_s: f64,
    wall_s: f64,
    rss_mb: f64,
    out: String,
}

/// Runs `--case name` in a child `reps` times; medians of CPU, wall and RSS.
fn child(name: &str, reps: usize) -> Measure {
    let mut ms = Vec::new();
    for _ in 0..reps {
        let t0 = Instant::now();
        let mut c = Command::new(std::env::current_exe().unwrap())
            .args(["--case", name])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("spawn child");
        let mut out = String::new();
        std::io::Read::read_to_string(&mut c.stdout.take().unwrap(), &mut out).unwrap();
        let status = c.wait().unwrap();
        assert!(status.success(), "case {name} failed ({status})");
        // The child's own last line: its CPU seconds and peak RSS (VmHWM; the
        // parent's getrusage would count the memory of the forked image too).
        let (rest, last) = out
            .trim_end()
            .rsplit_once('\n')
            .unwrap_or(("", out.trim_end()));
        let v: Vec<f64> = last
            .split_whitespace()
            .skip(1)
            .map(|x| x.parse().unwrap())
            .collect();
        ms.push(Measure {
            cpu_s: v[0],
            wall_s: t0.elapsed().as_secs_f64(),
            rss_mb: v[1],
            out: rest.to_string(),
        });
    }
    Measure {
        cpu_s: median(ms.iter().map(|m| m.cpu_s).collect()),
        wall_s: median(ms.iter().map(|m| m.wall_s).collect()),
        rss_mb: median(ms.iter().map(|m| m.rss_mb).collect()),
        out: ms.pop().unwrap().out,
    }
}

fn load(path: &Path, sets: &[String]) -> hetsim::scenario::Loaded {
    hetsim::scenario::load(path, sets).unwrap_or_else(|e| panic!("{e}"))
}

/// The overrides that make bench-1m `scale` times larger (devices and arrivals).
fn scale_sets(scale: u32) -> Vec<String> {
    if scale == 1 {
        return Vec::new();
    }
    let mut s: Vec<String> = ["cpu", "gpu", "tpu", "fpga"]
        .iter()
        .map(|c| format!("datacenter.classes.{c}.count={}", 2500 * scale))
        .collect();
    for k in ["a", "b"] {
        s.push(format!(
            "workload.kinds.{k}.arrival.rate={}/s",
            5000 * scale
        ));
        s.push(format!(
            "workload.kinds.{k}.arrival.count={}",
            500_000 * scale
        ));
    }
    s
}

/// Prints this process's CPU seconds (all threads) and peak RSS, MB.
fn print_measure() {
    // SAFETY: an all-zero rusage is valid; getrusage fills it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: ru is valid to write to.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm_kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    println!(
        "MEASURE {} {}",
        tv(ru.ru_utime) + tv(ru.ru_stime),
        hwm_kb / 1024.0
    );
}

/// Runs one case in this (child) process and prints what it found.
fn run_case(name: &str) {
    let bench_1m = root().join("scenarios/bench-1m.yaml");
    let off = || {
        vec![
            "output.jobs=none".to_string(),
            "output.power=none".to_string(),
        ]
    };
    let to_folder = |sets: Vec<String>, charts: bool| {
        let out = work_dir().join(format!("run-{name}"));
        let _ = std::fs::remove_dir_all(&out);
        let l = load(&bench_1m, &sets);
        let opts = hetsim::run::RunOptions {
            out: Some(out.clone()),
            no_charts: !charts,
        };
        let r = hetsim::run::run_to_folder(&l, &opts).unwrap_or_else(|e| panic!("{e}"));
        let s = &r.outcome.summary;
        println!(
            "jobs {} events {} energy_j {:.0} wait_s {:.5}",
            s.jobs_completed, s.events, s.energy_it_j, s.wait_mean_s
        );
        std::fs::remove_dir_all(&out).unwrap();
    };
    let dc = |scale: u32| {
        let o = bare::datacenter(
            &bare::bench_1m_classes(scale),
            5000.0 * scale as f64,
            500_000 * scale as u64,
        );
        println!(
            "jobs {} events {} energy_j {:.0} wait_s {:.5} makespan_s {:.3}",
            o.jobs, o.events, o.energy_j, o.wait_mean_s, o.makespan_s
        );
    };
    match name {
        "dc-bare" => dc(1),
        "dc-bare-10x" => dc(10),
        "1m-all" => to_folder(Vec::new(), true),
        "1m-csv" => to_folder(Vec::new(), false),
        "1m-off" => to_folder(off(), false),
        "10m-csv" => to_folder(scale_sets(10), false),
        "h50-trace" | "h50-list" => {
            let file = if name == "h50-trace" {
                "trace.yaml"
            } else {
                "list.yaml"
            };
            let l = load(&work_dir().join("hetero50").join(file), &off());
            let o = hetsim::run::run_in_memory(&l).unwrap();
            println!(
                "jobs {} energy_j {:.3}",
                o.summary.jobs_completed, o.summary.energy_it_j
            );
        }
        "json-load" => {
            let l = load(&work_dir().join("hetero50").join("list.json"), &[]);
            println!("jobs {}", l.scenario.jobs.len());
        }
        _ => panic!("unknown case {name}"),
    }
}

/// Jobs in the JSON list of row 3.
const JSON_JOBS: usize = 600_000;

fn mmc_simulation(customers: u64) -> (u64, f64) {
    let l = load(
        &root().join("scenarios/mmc.yaml"),
        &[format!("workload.kinds.request.arrival.count={customers}")],
    );
    let out = hetsim::run::run_in_memory(&l).unwrap();
    (out.summary.events, out.summary.wait_mean_s)
}

/// Median events per CPU second over `reps` in-process repetitions.
fn rate(reps: usize, mut f: impl FnMut() -> (u64, f64)) -> (f64, f64) {
    let mut rates = Vec::new();
    let mut extra = 0.0;
    for _ in 0..reps {
        let c0 = cpu_s();
        let (events, x) = std::hint::black_box(f());
        rates.push(events as f64 / (cpu_s() - c0));
        extra = x;
    }
    (median(rates), extra)
}

fn arg_value(args: &[String], key: &str) -> Option<String> {
    args.iter()
        .position(|a| a == key)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(case) = arg_value(&args, "--case") {
        run_case(&case);
        print_measure();
        return;
    }
    if let Some(dir) = arg_value(&args, "--gen") {
        hetero50::write(Path::new(&dir));
        return;
    }
    // `cargo test --benches` runs bench binaries in test mode: keep that quick.
    if args.iter().any(|a| a == "--test") {
        println!("table bench: skipped in test mode");
        return;
    }
    let reps: usize = arg_value(&args, "--reps").map_or(3, |r| r.parse().unwrap());
    std::fs::create_dir_all(work_dir()).unwrap();

    println!("# hetsim performance table: medians of {reps} repetitions, CPU seconds");
    println!();
    println!("| measure | reference (bare, same run) | hetsim | ratio | peak RSS |");
    println!("|---|---|---|---|---|");

    // 1. M/M/16.
    let customers = 2_000_000;
    let (b, wb) = rate(reps.max(3), || bare::mmc(16, 12.8, customers));
    let (s, ws) = rate(reps.max(3), || mmc_simulation(customers));
    println!(
        "| M/M/16, rho 0.8, {customers} customers, full Simulation (fcfs, no files) | {:.2} M events/s (mean wait {wb:.4}) | {:.2} M events/s (mean wait {ws:.4}; Erlang C 0.0953) | **{:.2}x** | |",
        b / 1e6,
        s / 1e6,
        s / b
    );

    // 2. bench-1m.
    let dc = child("dc-bare", reps);
    let row = |what: &str, m: &Measure, reference: &Measure| {
        println!(
            "| bench-1m, {what} | {:.2} s | {:.2} s (wall {:.2} s) | **{:.2}x** the bare time | {:.0} MB (bare {:.0} MB) |",
            reference.cpu_s,
            m.cpu_s,
            m.wall_s,
            m.cpu_s / reference.cpu_s,
            m.rss_mb,
            reference.rss_mb
        );
    };
    let all = child("1m-all", reps);
    row("every output (CSV files and charts)", &all, &dc);
    let csv = child("1m-csv", reps);
    row("CSV files, no charts", &csv, &dc);
    let off = child("1m-off", reps);
    row("per-job and power output off", &off, &dc);
    println!(
        "|   (bare model: {}; hetsim: {}) | | | | |",
        dc.out.trim(),
        off.out.trim()
    );

    // 3. 50-host FCFS model, trace vs explicit list.
    let h50 = work_dir().join("hetero50");
    hetero50::write(&h50);
    let tr = child("h50-trace", reps);
    let li = child("h50-list", reps);
    let size = |f: &str| std::fs::metadata(h50.join(f)).map_or(0.0, |m| m.len() as f64 / 1e6);
    println!(
        "| 50 hosts, fcfs, 10^5 jobs: explicit YAML list ({:.1} MB) vs CSV job list ({:.1} MB), outputs off | {:.2} s (CSV) | {:.2} s (YAML) | **{:.2}x** the CSV time | {:.0} MB (CSV {:.0} MB) |",
        size("list.yaml"),
        size("jobs.csv"),
        tr.cpu_s,
        li.cpu_s,
        li.cpu_s / tr.cpu_s,
        li.rss_mb,
        tr.rss_mb
    );

    hetero50::write_json(&h50, JSON_JOBS);
    let js = child("json-load", reps);
    let mb = size("list.json");
    println!(
        "| a JSON scenario listing {JSON_JOBS} jobs ({mb:.1} MB), load and validate | file {mb:.0} MB | {:.2} s ({:.0} MB/s) | **{:.2}x** the file's size | {:.0} MB |",
        js.cpu_s,
        mb / js.cpu_s,
        js.rss_mb / mb,
        js.rss_mb
    );

    // 4. 10^7 jobs.
    if args.iter().any(|a| a == "--big") {
        let dc10 = child("dc-bare-10x", 1);
        let big = child("10m-csv", 1);
        println!(
            "| 10^7 jobs on 10^5 devices, CSV files (1 run) | bare {:.2} s, {:.0} MB | {:.2} s (wall {:.2} s), {:.0} MB | **{:.2}x** the 10^6 time ({:.2}x bare) | **{:.2}x** the 10^6 RSS |",
            dc10.cpu_s,
            dc10.rss_mb,
            big.cpu_s,
            big.wall_s,
            big.rss_mb,
            big.cpu_s / csv.cpu_s,
            big.cpu_s / dc10.cpu_s,
            big.rss_mb / csv.rss_mb
        );
    }

    // 5. Sweep threads.
    if args.iter().any(|a| a == "--sweep") {
        let sweep = root().join("scenarios/sweeps/bench-200.yaml");
        let wall = |jobs: usize| {
            let v: Vec<f64> = (0..reps)
                .map(|_| {
                    let out = work_dir().join(format!("sweep-j{jobs}"));
                    let _ = std::fs::remove_dir_all(&out);
                    let opts = hetsim::sweep::Options {
                        jobs: Some(jobs),
                        out: Some(out.clone()),
                        ..Default::default()
                    };
                    let r = hetsim::sweep::run(&sweep, &opts).unwrap_or_else(|e| panic!("{e}"));
                    std::fs::remove_dir_all(&out).unwrap();
                    r.run_s
                })
                .collect();
            median(v)
        };
        let (one, two) = (wall(1), wall(2));
        println!(
            "| sweep bench-200 (200 runs), wall of the parallel phase | 1 thread {one:.2} s | 2 threads {two:.2} s | **{:.2}x** speed-up | |",
            one / two
        );
    }
}
