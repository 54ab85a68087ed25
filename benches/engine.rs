//! Engine speed, side by side in one binary (the engine must reach a stated fraction of
//! a bare loop's events/s, so both are measured in the same run on the same machine):
//!
//! 1. a bare `BinaryHeap` M/M/c loop (`table/bare.rs`, shared with the table bench),
//!    the reference;
//! 2. the same model on `hetsim::engine::Engine`, the ratio to publish;
//! 3. the whole datacenter simulation (`Simulation` on scenarios/mmc.yaml, FCFS,
//!    power integration, job records, no file output);
//! 4. the hold model at 10^3, 10^5 and 10^6 pending events, engine vs bare heap.
//!
//! Run: `cargo bench --bench engine`. Figures are medians of 5 repetitions.

use hetsim::engine::{Engine, Time, secs};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Exp};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

#[allow(dead_code)] // the table bench uses the rest of it
#[path = "table/bare.rs"]
mod bare;

const C: u32 = 16;
const LAMBDA: f64 = 12.8;
const CUSTOMERS: u64 = 2_000_000;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Arrival,
    Departure,
}

/// Returns (events, mean wait) for M/M/c on the bare heap (the table bench's
/// reference, shared so both benches divide by the same loop).
fn mmc_bare() -> (u64, f64) {
    bare::mmc(C, LAMBDA, CUSTOMERS)
}

/// The same model through the engine's public API.
fn mmc_engine() -> (u64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let ia = Exp::new(LAMBDA).unwrap();
    let sv = Exp::new(1.0).unwrap();
    let mut eng: Engine<Ev> = Engine::new();
    let mut queue: VecDeque<Time> = VecDeque::new();
    let mut free = C;
    let (mut arrived, mut wait_sum) = (0u64, 0.0f64);
    eng.schedule_in(secs(ia.sample(&mut rng)), Ev::Arrival);
    while let Some((t, ev)) = eng.pop() {
        match ev {
            Ev::Arrival => {
                arrived += 1;
                if arrived < CUSTOMERS {
                    eng.schedule_in(secs(ia.sample(&mut rng)), Ev::Arrival);
                }
                if free > 0 {
                    free -= 1;
                    eng.schedule_in(secs(sv.sample(&mut rng)), Ev::Departure);
                } else {
                    queue.push_back(t);
                }
            }
            Ev::Departure => {
                if let Some(a) = queue.pop_front() {
                    wait_sum += (t - a) as f64 * 1e-9;
                    eng.schedule_in(secs(sv.sample(&mut rng)), Ev::Departure);
                } else {
                    free += 1;
                }
            }
        }
    }
    (eng.events_processed(), wait_sum / CUSTOMERS as f64)
}

fn mmc_simulation() -> (u64, f64) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mmc.yaml");
    let l = hetsim::scenario::load(
        &path,
        &[format!("workload.kinds.request.arrival.count={CUSTOMERS}")],
    )
    .unwrap();
    let out = hetsim::run::run_in_memory(&l).unwrap();
    (out.summary.events, out.summary.wait_mean_s)
}

/// Hold model: `n` pending events; each step pops one and pushes it back at t + Exp(1).
fn hold_bare(n: usize, steps: u64) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let d = Exp::new(1.0).unwrap();
    let mut heap: BinaryHeap<Reverse<(Time, u64, u32)>> = BinaryHeap::with_capacity(n);
    for i in 0..n {
        heap.push(Reverse((secs(d.sample(&mut rng)), i as u64, i as u32)));
    }
    let mut seq = n as u64;
    for _ in 0..steps {
        let Reverse((t, _, p)) = heap.pop().unwrap();
        seq += 1;
        heap.push(Reverse((t + secs(d.sample(&mut rng)), seq, p)));
    }
    steps
}

fn hold_engine(n: usize, steps: u64) -> u64 {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let d = Exp::new(1.0).unwrap();
    let mut eng: Engine<u32> = Engine::with_capacity(n);
    for i in 0..n {
        eng.schedule_in(secs(d.sample(&mut rng)), i as u32);
    }
    for _ in 0..steps {
        let (_, p) = eng.pop().unwrap();
        eng.schedule_in(secs(d.sample(&mut rng)), p);
    }
    steps
}

/// Median events/s over `reps` repetitions, plus the last result's extra value.
fn measure(reps: usize, mut f: impl FnMut() -> (u64, f64)) -> (f64, f64) {
    let mut rates = Vec::new();
    let mut extra = 0.0;
    for _ in 0..reps {
        let t0 = Instant::now();
        let (events, x) = std::hint::black_box(f());
        rates.push(events as f64 / t0.elapsed().as_secs_f64());
        extra = x;
    }
    rates.sort_by(f64::total_cmp);
    (rates[reps / 2], extra)
}

fn main() {
    // `cargo test --benches` runs bench binaries with no arguments in test mode too;
    // keep that quick.
    let quick = std::env::args().any(|a| a == "--test");
    if quick {
        println!("engine bench: skipped in test mode");
        return;
    }
    let reps = 5;
    let erlang_wq = 0.095_28;
    let (bare, wb) = measure(reps, mmc_bare);
    let (eng, we) = measure(reps, mmc_engine);
    let (sim, ws) = measure(3, mmc_simulation);
    println!(
        "M/M/{C}, rho = 0.8, {CUSTOMERS} customers (2 events each); Erlang C mean wait {erlang_wq}"
    );
    println!(
        "  bare BinaryHeap loop     {:>7.2} M events/s   mean wait {wb:.5}",
        bare / 1e6
    );
    println!(
        "  hetsim Engine            {:>7.2} M events/s   mean wait {we:.5}   ratio {:.2}x",
        eng / 1e6,
        eng / bare
    );
    println!(
        "  full Simulation (fcfs)   {:>7.2} M events/s   mean wait {ws:.5}   ratio {:.2}x",
        sim / 1e6,
        sim / bare
    );
    println!("hold model (pop + push per step), engine / bare heap:");
    for n in [1_000usize, 100_000, 1_000_000] {
        let steps = 3_000_000u64;
        let (b, _) = measure(reps, || (hold_bare(n, steps), 0.0));
        let (e, _) = measure(reps, || (hold_engine(n, steps), 0.0));
        println!(
            "  {n:>9} pending: bare {:>6.1} ns/op, engine {:>6.1} ns/op, ratio {:.2}x",
            1e9 / b,
            1e9 / e,
            e / b
        );
    }
}
