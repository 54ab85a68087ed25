//! Devices that run many jobs at once (`slots`) and power that follows load: a
//! hand-computed SPECpower case to the joule, conservation of energy with slots, an
//! M/M/c queue modelled as one device with c slots against Erlang C, and one-slot
//! classes unchanged by the new fields.

use crate::common::*;
use crate::common::{Keep, batch_means, erlang_c};
use hetsim::scenario::{Format, parse_str};
use hetsim::simulation::{Outcome, Simulation};
use std::path::Path;

fn run_sc(sc: &hetsim::model::Scenario) -> (Outcome, Keep) {
    let mut keep = Keep::default();
    let out = Simulation::new(sc, sc.seed)
        .unwrap()
        .run(&mut keep)
        .unwrap_or_else(|e| panic!("{e}"));
    keep.jobs.sort_by_key(|j| j.id);
    (out, keep)
}

fn run(yaml: &str) -> (Outcome, Keep) {
    let sc = parse_str(yaml, Format::Yaml, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{e}"));
    run_sc(&sc)
}

fn close(a: f64, b: f64, label: &str) {
    assert!(
        (a - b).abs() < 1e-9 * b.abs().max(1.0),
        "{label}: {a} vs {b} (hand-computed)"
    );
}

/// The Dell R740's SPECpower_ssj2008 curve (result 20170829-00780): W at 0 %, 10 %,
/// ..., 100 % load.
const R740: [f64; 11] = [
    52.3, 129.0, 147.0, 170.0, 195.0, 224.0, 255.0, 292.0, 344.0, 408.0, 457.0,
];

fn r740_points() -> String {
    let pts: Vec<String> = R740
        .iter()
        .enumerate()
        .map(|(i, w)| format!("[{}, {w}]", i as f64 / 10.0))
        .collect();
    format!("[{}]", pts.join(", "))
}

/// One 10-slot server with the R740 curve; a job on k slots runs at k units/s. fcfs.
///   J1: 1 slot, 10 units, at 0  -> runs 0-10
///   J2: 4 slots, 20 units, at 0 -> runs 0-5
///   J3: 5 slots, 15 units, at 2 -> runs 2-5 (the server is then full)
///   J4: 3 slots, 6 units, at 3  -> waits for J2 and J3, runs 5-7
/// Busy slots: 5 on [0,2), 10 on [2,5), 4 on [5,7), 1 on [7,10), 0 on [10,12).
fn specpower_case() -> String {
    format!(
        "datacenter:
  classes:
    srv: {{category: cpu, count: 1, slots: 10, speed: {{a: 10}}, power_model: {{points: {}}}}}
workload:
  kinds: {{a: {{slots: 1}}}}
  jobs:
    - {{kind: a, arrival: 0, work: 10}}
    - {{kind: a, arrival: 0, work: 20, slots: 4}}
    - {{kind: a, arrival: 2, work: 15, slots: 5}}
    - {{kind: a, arrival: 3, work: 6, slots: 3}}
accounting: {{until: 12s}}
policy: {{name: fcfs}}
",
        r740_points()
    )
}

#[test]
fn specpower_curve_energy_matches_a_hand_computation_to_the_joule() {
    let (out, keep) = run(&specpower_case());
    let s = &out.summary;
    // Power: load 0.5 -> 224 W, 1.0 -> 457 W, 0.4 -> 195 W, 0.1 -> 129 W, idle 52.3 W.
    let busy = 224.0 * 2.0 + 457.0 * 3.0 + 195.0 * 2.0 + 129.0 * 3.0;
    close(
        s.energy_it_to_makespan_j,
        busy,
        "energy to the last completion",
    );
    close(
        s.energy_it_j,
        busy + 52.3 * 2.0,
        "energy over the 12 s window",
    );
    close(s.power_peak_w, 457.0, "peak power");
    let spans: Vec<(f64, f64, f64)> = keep
        .jobs
        .iter()
        .map(|j| (j.start_s, j.end_s, j.wait_s))
        .collect();
    assert_eq!(
        spans,
        vec![
            (0.0, 10.0, 0.0),
            (0.0, 5.0, 0.0),
            (2.0, 5.0, 0.0),
            (5.0, 7.0, 2.0)
        ]
    );
    // A job is charged its slots' share of the device's power while it runs:
    // 224/5 W per busy slot on [0,2), 457/10 on [2,5), 195/4 on [5,7), 129/1 on [7,10).
    let lane = [224.0 / 5.0, 457.0 / 10.0, 195.0 / 4.0, 129.0];
    let j1 = lane[0] * 2.0 + lane[1] * 3.0 + lane[2] * 2.0 + lane[3] * 3.0;
    let j2 = 4.0 * (lane[0] * 2.0 + lane[1] * 3.0);
    let j3 = 5.0 * lane[1] * 3.0;
    let j4 = 3.0 * lane[2] * 2.0;
    for (j, want) in keep.jobs.iter().zip([j1, j2, j3, j4]) {
        close(j.energy_j, want, &format!("job {} energy", j.id));
        assert_eq!(j.devices, "0", "one physical device");
    }
    close(
        j1 + j2 + j3 + j4,
        busy,
        "jobs' shares add up to the busy energy",
    );
    let d = &out.devices[0];
    assert_eq!(out.devices.len(), 1);
    assert_eq!(d.jobs, 4);
    close(d.busy_s, 10.0, "device busy time");
    close(d.energy_j, s.energy_it_j, "device energy");
}

#[test]
fn linear_and_cubic_models_follow_their_formulas() {
    // Two kinds on a 4-slot server: idle 100 W, busy 300 W for a, 500 W for b. One job
    // of each, 1 slot, 4 units at speed 4 (1 unit/s on one slot): both run 0-4, load 0.5.
    // linear: 100 + (300 - 100)/4 + (500 - 100)/4 = 250 W.
    // cubic: 100 + (mean busy 400 - 100) x 0.5^3 = 137.5 W.
    for (model, w) in [("linear", 250.0), ("cubic", 137.5)] {
        let yaml = format!(
            "datacenter:
  classes:
    srv: {{category: cpu, slots: 4, speed: {{a: 4, b: 4}}, idle_power: 100W, busy_power: {{a: 300W, b: 500W}}, power_model: {model}}}
workload:
  kinds: {{a: {{slots: 1}}, b: {{slots: 1}}}}
  jobs:
    - {{kind: a, arrival: 0, work: 4}}
    - {{kind: b, arrival: 0, work: 4}}
accounting: {{until: 4s}}
policy: {{name: eft}}
"
        );
        let (out, keep) = run(&yaml);
        close(out.summary.energy_it_j, w * 4.0, model);
        for j in &keep.jobs {
            close(
                j.end_s,
                4.0,
                "one slot of four runs at a quarter of the speed",
            );
            close(j.energy_j, w * 2.0, "half the device's power each");
        }
    }
}

#[test]
fn energy_is_conserved_with_slots() {
    // mmc.yaml's 16 servers as 2 devices of 8 slots with the R740 curve, and a cap
    // that binds part of the time: per-device energy (busy + idle) = its total; the
    // devices add up to IT energy, which is the integral of power.csv; the jobs'
    // shares add up to the busy energy.
    let yaml = format!(
        "seed: 7
datacenter:
  power_cap: 800W
  classes:
    server: {{category: cpu, count: 2, slots: 8, speed: {{request: 8}}, power_model: {{points: {}}}}}
workload:
  kinds:
    request:
      slots: 1
      arrival: {{process: poisson, rate: 12.8/s, count: 20000}}
      size: {{dist: exponential, mean: 1}}
policy: {{name: fcfs}}
",
        r740_points()
    );
    let sc = parse_str(&yaml, Format::Yaml, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let (out, keep) = run_sc(&sc);
    let s = &out.summary;
    let dev_j: f64 = out.devices.iter().map(|d| d.energy_j).sum();
    let series_j: f64 = keep.power.iter().map(|r| r.it_w * r.duration_s).sum();
    let jobs_j: f64 = keep.jobs.iter().map(|j| j.energy_j).sum();
    let busy_j: f64 = out.devices.iter().map(|d| d.busy_j).sum();
    let tol = 1e-9 * s.energy_it_j;
    assert!(
        (dev_j - s.energy_it_j).abs() < tol,
        "devices {dev_j} vs {}",
        s.energy_it_j
    );
    assert!((series_j - s.energy_it_j).abs() < tol, "series {series_j}");
    assert!(
        (jobs_j - busy_j).abs() < tol,
        "jobs {jobs_j} vs busy {busy_j}"
    );
    for d in &out.devices {
        assert!((d.busy_j + d.idle_j - d.energy_j).abs() < 1e-9 * d.energy_j);
        assert!((d.busy_s + d.idle_s - s.window_s).abs() < 1e-6);
    }
    assert!(
        s.power_peak_w <= 800.0 + 1e-9,
        "the cap holds: {}",
        s.power_peak_w
    );
    assert!(
        s.cap_delayed_jobs > 0,
        "the cap bound (else the case checks less)"
    );
    assert_eq!(s.jobs_completed, 20000);
}

#[test]
fn mmc_as_one_device_with_c_slots_matches_erlang_c() {
    // M/M/16 at rho = 0.8 as one device with 16 slots (a job on one slot runs at
    // 16 x 1/16 = 1 unit/s): the mean wait must match Erlang C within the run's own
    // confidence interval, as the 16-device model does (theory.rs).
    let l = load_with(
        &scenario("mmc.yaml"),
        &[
            "datacenter.classes.server.count=1",
            "datacenter.classes.server.slots=16",
            "datacenter.classes.server.speed.request=16",
            "workload.kinds.request.slots=1",
            "workload.kinds.request.arrival.count=400000",
        ],
    );
    let (out, keep) = run_sc(&l.scenario);
    let (c, a) = (16u32, 12.8f64);
    let expected = erlang_c(c, a) / (c as f64 - a);
    let waits: Vec<f64> = keep.jobs.iter().map(|j| j.wait_s).collect();
    let (m, hw) = batch_means(&waits[waits.len() / 50..]);
    assert!(
        (m - expected).abs() <= hw,
        "one device, 16 slots: mean wait {m:.5} +- {hw:.5}, Erlang C {expected:.5}"
    );
    assert!(hw < 0.15 * expected, "interval too wide ({hw})");
    // Linear power with slots: power = 20 W + (100 - 20) W x busy slots / 16, so the
    // energy to the last completion is 20 W x that time + 5 W x the jobs' run times.
    let s = &out.summary;
    let run: f64 = keep.jobs.iter().map(|j| j.run_s).sum();
    let want = 20.0 * s.horizon_s + 80.0 / 16.0 * run;
    assert!(
        (s.energy_it_to_makespan_j - want).abs() < 1e-6 * want,
        "{} vs {want}",
        s.energy_it_to_makespan_j
    );
    // Utilisation counts busy slots: the jobs' run times over 16 slots x the span.
    let util = run / (16.0 * s.horizon_s);
    assert!(
        (s.utilization - util).abs() < 1e-9,
        "{} vs {util}",
        s.utilization
    );
    assert!((s.utilization - 0.8).abs() < 0.02, "offered load 0.8");
}

#[test]
fn one_slot_and_the_linear_model_change_nothing() {
    // The same scenario with `slots: 1` and `power_model: linear` written out gives the
    // same records, bit for bit.
    let base = load_with(
        &scenario("mmc.yaml"),
        &["workload.kinds.request.arrival.count=5000"],
    );
    let explicit = load_with(
        &scenario("mmc.yaml"),
        &[
            "workload.kinds.request.arrival.count=5000",
            "datacenter.classes.server.slots=1",
            "datacenter.classes.server.power_model=linear",
        ],
    );
    let (a, ka) = run_sc(&base.scenario);
    let (b, kb) = run_sc(&explicit.scenario);
    assert_eq!(ka.jobs, kb.jobs);
    assert_eq!(a.devices, b.devices);
    assert_eq!(
        a.summary.energy_it_j.to_bits(),
        b.summary.energy_it_j.to_bits()
    );
}

#[test]
fn a_whole_device_job_takes_every_slot() {
    // A whole-device job (no `slots`) on a 4-slot server waits until all 4 are free,
    // and runs at the device's full speed.
    let (_, keep) = run("datacenter:
  classes:
    srv: {category: cpu, slots: 4, speed: {a: 4}, idle_power: 0W, busy_power: 400W}
workload:
  kinds: {a: {slots: 1}}
  jobs:
    - {kind: a, arrival: 0, work: 4}
    - {kind: a, arrival: 1, work: 8, devices: 1}
    - {kind: a, arrival: 1, work: 1}
policy: {name: fcfs}
");
    let spans: Vec<(f64, f64)> = keep.jobs.iter().map(|j| (j.start_s, j.end_s)).collect();
    // J1 on one slot: 0-4. J2 (whole device, 8 units at 4/s) waits for J1: 4-6.
    // J3 (one slot) is behind J2 in fcfs's queue: it starts when J2 ends.
    assert_eq!(spans, vec![(0.0, 4.0), (4.0, 6.0), (6.0, 7.0)]);
    close(
        keep.jobs[1].energy_j,
        400.0 * 2.0,
        "whole device at full power",
    );
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn alibaba_gpu_shares_pack_onto_slots() {
    use hetsim::trace::{self, Format as TFormat, GpuShare, Options};
    let pods = shared_data().join("gpu/alibaba_gpu2023_openb_pod_list_default.csv");
    let read = |gpu_share| {
        trace::read(
            TFormat::Alibaba,
            &pods,
            &Options {
                gpu_share,
                ..Options::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    let slots = read(GpuShare::Slots);
    let whole = read(GpuShare::Whole);
    assert_eq!(slots.jobs.len(), whole.jobs.len());
    // The second pod asks 0.46 of a GPU: 46 of 100 slots, for its traced run time.
    let ran = 12_902_960.0 - 427_061.0;
    assert_eq!(slots.jobs[1].slots, Some(46));
    assert!((slots.jobs[1].work - 0.46 * ran).abs() < 1e-6);
    assert_eq!(whole.jobs[1].slots, None);
    // GPU-hours held: a shared pod holds k/100 of a GPU for its run time with slots,
    // a whole GPU when rounded up (a whole-GPU pod holds num_gpu GPUs either way).
    let gpu = |t: &trace::Trace| -> Vec<(f64, f64)> {
        t.jobs
            .iter()
            .filter(|j| !t.categories[j.category as usize].starts_with("cpu"))
            .map(|j| match j.slots {
                Some(k) => (k as f64 / 100.0, j.work / (k as f64 / 100.0)),
                None => (j.devices.unwrap_or(1) as f64, j.work),
            })
            .collect()
    };
    let held = |v: &[(f64, f64)]| v.iter().map(|(g, r)| g * r).sum::<f64>() / 3600.0;
    let (hs, hw) = (held(&gpu(&slots)), held(&gpu(&whole)));
    let shared = slots.jobs.iter().filter(|j| j.slots.is_some()).count();
    println!(
        "{shared} shared pods; GPU-hours held: {hs:.0} with slots, {hw:.0} rounded up ({:.1} %)",
        100.0 * hs / hw
    );
    assert!(shared > 0 && hs < hw, "slots hold less: {hs} vs {hw}");
    // The difference is exactly what the shared pods leave free: (1 - k/100) x run.
    let freed: f64 = slots
        .jobs
        .iter()
        .zip(&whole.jobs)
        .filter_map(|(s, w)| s.slots.map(|k| (1.0 - k as f64 / 100.0) * w.work))
        .sum::<f64>()
        / 3600.0;
    assert!(
        (hw - hs - freed).abs() < 1e-6 * hw,
        "{} vs {freed}",
        hw - hs
    );
    // Replay the first 2,000 pods on 64 GPUs of 100 slots: shared pods share GPUs.
    // Multi-GPU pods (gangs of whole GPUs, which devices with slots do not run) go to
    // 16 more GPUs without slots, in both runs.
    let yaml = |share: &str| {
        format!(
            "seed: 1
datacenter:
  classes:
    gpu: {{category: gpu, count: 64, slots: 100, speed: {{pod: 1}}, idle_power: 60W, busy_power: 300W}}
    gang: {{category: gpu, count: 16, speed: {{pod: 1}}, idle_power: 60W, busy_power: 300W}}
workload:
  kinds: {{pod: {{}}}}
  traces: [{{format: alibaba, file: \"{}\", kind: pod, gpu_share: {share}, limit: 2000}}]
policy: {{name: eft}}
output: {{power_interval: 1d}}
",
            pods.display()
        )
    };
    let (a, ka) = run(&yaml("slots"));
    let (b, kb) = run(&yaml("whole"));
    assert_eq!(ka.jobs.len(), kb.jobs.len());
    // Packing: the most pods ever running at once on one GPU.
    let mut most = 0usize;
    for d in 0..80u32 {
        let mut ev: Vec<(f64, i32)> = Vec::new();
        for j in ka
            .jobs
            .iter()
            .filter(|j| j.devices.split(';').any(|x| x == d.to_string()))
        {
            ev.push((j.start_s, 1));
            ev.push((j.end_s, -1));
        }
        ev.sort_by(|x, y| x.partial_cmp(y).unwrap().then(x.1.cmp(&y.1)));
        let (mut n, mut m) = (0i32, 0i32);
        for (_, e) in ev {
            n += e;
            m = m.max(n);
        }
        most = most.max(m as usize);
    }
    let (sa, sb) = (&a.summary, &b.summary);
    println!(
        "2,000 pods on 64 GPUs with 100 slots + 16 without: up to {most} pods on one GPU; mean wait {:.0} s with slots vs {:.0} s rounded up; utilisation {:.3} vs {:.3}; energy {:.3e} J vs {:.3e} J",
        sa.wait_mean_s,
        sb.wait_mean_s,
        sa.utilization,
        sb.utilization,
        sa.energy_it_j,
        sb.energy_it_j
    );
    assert!(most > 1, "shared pods share a GPU");
    // Device-time held in the simulation is what the jobs asked for: k/100 of a GPU
    // for a shared pod on a GPU with slots, its GPUs otherwise (utilisation counts
    // busy slots).
    let held_sim = |o: &Outcome, k: &Keep| {
        let asked: f64 = k
            .jobs
            .iter()
            .map(|j| match j.slots {
                // On a GPU without slots a shared pod holds the whole GPU.
                Some(n) if j.class == "gpu" => n as f64 / 100.0 * j.run_s,
                _ => j.devices.split(';').count() as f64 * j.run_s,
            })
            .sum();
        let busy = o.summary.utilization * 80.0 * o.summary.horizon_s;
        assert!((busy - asked).abs() < 1e-6 * asked, "{busy} vs {asked}");
        busy
    };
    assert!(held_sim(&a, &ka) < held_sim(&b, &kb));
    // Waits need not shrink: shared pods leave fewer GPUs wholly free (fragmentation),
    // so whole-GPU pods crowd the gang GPUs; the run above prints both.
}

#[test]
fn the_cap_admits_slot_jobs_by_the_curve() {
    // One R740 with 10 slots under a 150 W cap: one busy slot draws 129 W, two 147 W,
    // three 170 W. Three 1-slot jobs of 1 s at 0: two start, the third waits for power
    // until 1 s (a whole busy server, 457 W, would never fit: the scenario loads only
    // because a slot job's power is what its share adds).
    let (out, keep) = run(&format!(
        "datacenter:
  power_cap: 150W
  classes:
    srv: {{category: cpu, slots: 10, speed: {{a: 10}}, power_model: {{points: {}}}}}
workload:
  kinds: {{a: {{slots: 1}}}}
  jobs:
    - {{kind: a, arrival: 0, work: 1}}
    - {{kind: a, arrival: 0, work: 1}}
    - {{kind: a, arrival: 0, work: 1}}
policy: {{name: fcfs}}
",
        r740_points()
    ));
    let spans: Vec<(f64, f64)> = keep.jobs.iter().map(|j| (j.start_s, j.end_s)).collect();
    assert_eq!(spans, vec![(0.0, 1.0), (0.0, 1.0), (1.0, 2.0)]);
    let s = &out.summary;
    assert_eq!(s.cap_delayed_jobs, 1);
    close(s.energy_it_to_makespan_j, 147.0 + 129.0, "energy");
    close(s.power_peak_w, 147.0, "peak under the cap");
}
