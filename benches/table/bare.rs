//! The two references the table divides by, written here without hetsim: a bare
//! `BinaryHeap` M/M/c loop and a bare datacenter-shaped model.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Exp};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Nanoseconds, as hetsim's engine counts time.
pub type Time = u64;

/// Seconds to nanoseconds, rounded (as `hetsim::engine::secs`).
pub fn secs(s: f64) -> Time {
    (s * 1e9).round() as Time
}

/// M/M/c on a bare heap of (time, sequence, event); returns (events, mean wait s).
pub fn mmc(c: u32, lambda: f64, customers: u64) -> (u64, f64) {
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Ev {
        Arrival,
        Departure,
    }
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let ia = Exp::new(lambda).unwrap();
    let sv = Exp::new(1.0).unwrap();
    let mut heap: BinaryHeap<Reverse<(Time, u64, Ev)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut queue: VecDeque<Time> = VecDeque::new();
    let mut free = c;
    let (mut arrived, mut events, mut wait_sum) = (0u64, 0u64, 0.0f64);
    heap.push(Reverse((secs(ia.sample(&mut rng)), seq, Ev::Arrival)));
    while let Some(Reverse((t, _, ev))) = heap.pop() {
        events += 1;
        match ev {
            Ev::Arrival => {
                arrived += 1;
                if arrived < customers {
                    seq += 1;
                    heap.push(Reverse((t + secs(ia.sample(&mut rng)), seq, Ev::Arrival)));
                }
                if free > 0 {
                    free -= 1;
                    seq += 1;
                    heap.push(Reverse((t + secs(sv.sample(&mut rng)), seq, Ev::Departure)));
                } else {
                    queue.push_back(t);
                }
            }
            Ev::Departure => {
                if let Some(a) = queue.pop_front() {
                    wait_sum += (t - a) as f64 * 1e-9;
                    seq += 1;
                    heap.push(Reverse((t + secs(sv.sample(&mut rng)), seq, Ev::Departure)));
                } else {
                    free += 1;
                }
            }
        }
    }
    (events, wait_sum / customers as f64)
}

/// One device class of the bare datacenter model.
pub struct Class {
    /// Devices.
    pub count: u32,
    /// Speed per job kind (work units per second).
    pub speed: [f64; 2],
    /// Idle and busy power, W.
    pub idle_w: f64,
    /// Busy power, W.
    pub busy_w: f64,
}

/// The classes of scenarios/bench-1m.yaml, `scale` times as many devices.
pub fn bench_1m_classes(scale: u32) -> Vec<Class> {
    let c = |speed, idle_w, busy_w| Class {
        count: 2500 * scale,
        speed,
        idle_w,
        busy_w,
    };
    vec![
        c([1.0, 1.0], 50.0, 300.0),
        c([2.0, 0.5], 60.0, 400.0),
        c([0.5, 2.0], 90.0, 190.0),
        c([1.5, 1.5], 30.0, 120.0),
    ]
}

/// What the bare model keeps per job (what a jobs.csv row needs).
#[derive(Clone, Copy)]
#[allow(dead_code)] // written, never read back: it stands for the per-job output
struct JobRec {
    arrival: Time,
    start: Time,
    finish: Time,
    device: u32,
    kind: u8,
}

/// Result of the bare datacenter model.
pub struct DcOutcome {
    /// Jobs finished.
    pub jobs: u64,
    /// Events popped.
    pub events: u64,
    /// Energy of the devices, J.
    pub energy_j: f64,
    /// Mean wait, s.
    pub wait_mean_s: f64,
    /// Last completion, s.
    pub makespan_s: f64,
}

/// The bare datacenter model of scenarios/bench-1m.yaml: two kinds with Poisson
/// arrivals at `rate_per_kind` and Exp(1) work, earliest-finish-time placement (each
/// job is committed at arrival to the device where it would finish first, found
/// through a per-class heap of device availability times), the devices' power
/// integrated over time (a per-class busy count changes when a device starts or
/// stops; energy accumulates at every event), and one record per job kept in memory.
pub fn datacenter(classes: &[Class], rate_per_kind: f64, jobs_per_kind: u64) -> DcOutcome {
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Ev {
        Arrival(u8),
        Finish(u32),
    }
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let ia = Exp::new(rate_per_kind).unwrap();
    let work = Exp::new(1.0).unwrap();
    let mut class_of = Vec::new();
    // Per class, devices by the time they become available (earliest first).
    let mut avail: Vec<BinaryHeap<Reverse<(Time, u32)>>> = Vec::new();
    for (c, cl) in classes.iter().enumerate() {
        let mut h = BinaryHeap::with_capacity(cl.count as usize);
        for _ in 0..cl.count {
            h.push(Reverse((0, class_of.len() as u32)));
            class_of.push(c as u8);
        }
        avail.push(h);
    }
    let mut free_at: Vec<Time> = vec![0; class_of.len()];
    let mut busy: Vec<u32> = vec![0; classes.len()];
    let idle_total: f64 = classes.iter().map(|c| c.idle_w * c.count as f64).sum();
    let (mut power, mut energy, mut last) = (idle_total, 0.0f64, 0 as Time);
    let mut records: Vec<JobRec> = Vec::with_capacity(2 * jobs_per_kind as usize);
    let mut heap: BinaryHeap<Reverse<(Time, u64, Ev)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut arrived = [0u64; 2];
    for k in 0..2u8 {
        seq += 1;
        heap.push(Reverse((secs(ia.sample(&mut rng)), seq, Ev::Arrival(k))));
    }
    let (mut events, mut wait_ns, mut makespan) = (0u64, 0u128, 0 as Time);
    while let Some(Reverse((t, _, ev))) = heap.pop() {
        events += 1;
        energy += power * (t - last) as f64 * 1e-9;
        last = t;
        match ev {
            Ev::Arrival(k) => {
                arrived[k as usize] += 1;
                if arrived[k as usize] < jobs_per_kind {
                    seq += 1;
                    heap.push(Reverse((
                        t + secs(ia.sample(&mut rng)),
                        seq,
                        Ev::Arrival(k),
                    )));
                }
                let w = work.sample(&mut rng);
                let mut best: Option<(Time, Time, usize)> = None; // (finish, start, class)
                for (c, cl) in classes.iter().enumerate() {
                    let Reverse((at, _)) = *avail[c].peek().unwrap();
                    let start = at.max(t);
                    let finish = start + secs(w / cl.speed[k as usize]);
                    if best.is_none_or(|b| finish < b.0) {
                        best = Some((finish, start, c));
                    }
                }
                let (finish, start, c) = best.unwrap();
                let mut top = avail[c].peek_mut().unwrap();
                let dev = top.0.1;
                top.0.0 = finish;
                drop(top);
                if free_at[dev as usize] <= t {
                    // The device was idle: it starts now.
                    busy[c] += 1;
                    power += classes[c].busy_w - classes[c].idle_w;
                }
                free_at[dev as usize] = finish;
                seq += 1;
                heap.push(Reverse((finish, seq, Ev::Finish(dev))));
                wait_ns += (start - t) as u128;
                records.push(JobRec {
                    arrival: t,
                    start,
                    finish,
                    device: dev,
                    kind: k,
                });
            }
            Ev::Finish(dev) => {
                makespan = t;
                if free_at[dev as usize] == t {
                    // Nothing committed after this job: the device goes idle.
                    let c = class_of[dev as usize] as usize;
                    busy[c] -= 1;
                    power -= classes[c].busy_w - classes[c].idle_w;
                }
            }
        }
    }
    let jobs = records.len() as u64;
    std::hint::black_box(&records);
    DcOutcome {
        jobs,
        events,
        energy_j: energy,
        wait_mean_s: wait_ns as f64 * 1e-9 / jobs as f64,
        makespan_s: makespan as f64 * 1e-9,
    }
}
