//! Queueing theory and conservation laws: the simulator against independent formulas.
//!
//! Mean waits are compared with a tolerance from the run's own confidence interval
//! (batch means over 20 batches, in arrival order), not a loose constant.

use crate::common::*;
use crate::common::{Keep, batch_means, erlang_c};
use hetsim::simulation::Simulation;

fn run(sets: &[&str]) -> (hetsim::simulation::Outcome, Keep) {
    let l = load_with(&scenario("mmc.yaml"), sets);
    let mut keep = Keep::default();
    let out = Simulation::new(&l.scenario, l.scenario.seed)
        .unwrap()
        .run(&mut keep)
        .unwrap();
    keep.jobs.sort_by_key(|j| j.id);
    (out, keep)
}

fn assert_wait(label: &str, sets: &[&str], expected: f64) {
    let (out, keep) = run(sets);
    // Drop the first 2% as warm-up (the system starts empty).
    let waits: Vec<f64> = keep.jobs.iter().map(|j| j.wait_s).collect();
    let (m, hw) = batch_means(&waits[waits.len() / 50..]);
    assert!(
        (m - expected).abs() <= hw,
        "{label}: simulated mean wait {m:.5} +- {hw:.5}, theory {expected:.5}"
    );
    assert!(
        hw < 0.15 * expected,
        "{label}: interval too wide ({hw}) to be a real check"
    );
    assert_eq!(out.summary.jobs_completed as usize, keep.jobs.len());
}

#[test]
fn erlang_c_matches_the_published_figure() {
    // Erlang C for c = 16 servers at offered load 12.8 Erlangs (rho = 0.8), from the
    // closed form a^c/c! * c/(c-a) / (sum_{k<c} a^k/k! + a^c/c! * c/(c-a)) evaluated
    // outside hetsim: P(wait) = 0.30488.
    assert!((erlang_c(16, 12.8) - 0.3049).abs() < 5e-4);
}

#[test]
fn mm1_mean_wait_matches_theory() {
    // rho = 0.5, mu = 1: Wq = rho / (mu - lambda) = 1.
    let sets = [
        "datacenter.classes.server.count=1",
        "workload.kinds.request.arrival.rate=0.5",
        "workload.kinds.request.arrival.count=200000",
    ];
    assert_wait("M/M/1", &sets, 0.5 / (1.0 - 0.5));
}

#[test]
fn mmc_mean_wait_matches_erlang_c() {
    // c = 16, lambda = 12.8, mu = 1: Wq = C(c, a) / (c mu - lambda).
    let expected = erlang_c(16, 12.8) / (16.0 - 12.8);
    assert_wait(
        "M/M/16",
        &["workload.kinds.request.arrival.count=1000000"],
        expected,
    );
}

#[test]
fn md1_mean_wait_matches_pollaczek_khinchine() {
    // Deterministic service 1 s, rho = 0.6: Wq = rho * D / (2 (1 - rho)) = 0.75.
    let sets = [
        "datacenter.classes.server.count=1",
        "workload.kinds.request.arrival.rate=0.6",
        "workload.kinds.request.arrival.count=200000",
        "workload.kinds.request.size={dist: constant, value: 1}",
    ];
    assert_wait("M/D/1", &sets, 0.6 * 1.0 / (2.0 * 0.4));
}

#[test]
fn mg1_uniform_service_matches_pollaczek_khinchine() {
    // Service uniform on [0.5, 1.5]: E[S] = 1, E[S^2] = (a^2 + ab + b^2) / 3.
    let (a, b) = (0.5f64, 1.5f64);
    let es2 = (a * a + a * b + b * b) / 3.0;
    let lambda = 0.7;
    let sets = [
        "datacenter.classes.server.count=1",
        "workload.kinds.request.arrival.rate=0.7",
        "workload.kinds.request.arrival.count=200000",
        "workload.kinds.request.size={dist: uniform, min: 0.5, max: 1.5}",
    ];
    assert_wait("M/G/1", &sets, lambda * es2 / (2.0 * (1.0 - lambda)));
}

#[test]
fn mean_power_is_idle_plus_utilisation_times_dynamic_range() {
    let (out, _) = run(&["workload.kinds.request.arrival.count=20000"]);
    let s = &out.summary;
    let expected = 16.0 * (20.0 + s.utilization * (100.0 - 20.0));
    assert!(
        (s.power_mean_w - expected).abs() < 1e-6 * expected,
        "{} vs {expected}",
        s.power_mean_w
    );
    // And near the offered load, 0.8.
    assert!(
        (s.utilization - 0.8).abs() < 0.02,
        "utilisation {}",
        s.utilization
    );
}

#[test]
fn energy_is_conserved_across_devices_series_and_summary() {
    // Change-point series: every segment of constant power is a row.
    let (out, keep) = run(&["workload.kinds.request.arrival.count=20000", "output={}"]);
    let s = &out.summary;
    let dev_j: f64 = out.devices.iter().map(|d| d.energy_j).sum();
    let series_j: f64 = keep.power.iter().map(|r| r.it_w * r.duration_s).sum();
    assert!(
        (dev_j - s.energy_it_j).abs() < 1e-6 * s.energy_it_j,
        "devices {dev_j} vs {}",
        s.energy_it_j
    );
    assert!(
        (series_j - s.energy_it_j).abs() < 1e-6 * s.energy_it_j,
        "series {series_j} vs {}",
        s.energy_it_j
    );
    assert!((s.energy_facility_j - s.energy_it_j).abs() < 1e-9, "PUE 1");
    // busy + idle = horizon for every device; the series covers the horizon.
    for d in &out.devices {
        assert!((d.busy_s + d.idle_s + d.asleep_s + d.transition_s - s.window_s).abs() < 1e-6);
    }
    let covered: f64 = keep.power.iter().map(|r| r.duration_s).sum();
    assert!((covered - s.window_s).abs() < 1e-6);
}

#[test]
fn littles_law_holds_on_the_queue_length_series() {
    // Over a run that drains, the area under the queue-length curve equals the sum of
    // waits exactly: each job adds 1 to the queue for exactly its wait.
    let (out, keep) = run(&["workload.kinds.request.arrival.count=20000", "output={}"]);
    let area: f64 = keep.power.iter().map(|r| r.queue_len * r.duration_s).sum();
    let waits: f64 = keep.jobs.iter().map(|j| j.wait_s).sum();
    assert!(
        (area - waits).abs() < 1e-6 * waits.max(1.0),
        "area {area} vs waits {waits}"
    );
    // L = lambda W with the time-averaged L from the summary.
    let s = &out.summary;
    let lambda = s.jobs_completed as f64 / s.horizon_s;
    assert!((s.queue_mean - lambda * s.wait_mean_s).abs() < 1e-6 * s.queue_mean.max(1e-9));
}

#[test]
fn interval_series_preserves_energy() {
    let (out, keep) = run(&[
        "workload.kinds.request.arrival.count=20000",
        "output.power_interval=7s",
    ]);
    let series_j: f64 = keep.power.iter().map(|r| r.it_w * r.duration_s).sum();
    let e = out.summary.energy_it_j;
    assert!((series_j - e).abs() < 1e-6 * e);
    assert!(keep.power.iter().all(|r| r.duration_s <= 7.0 + 1e-9));
}
