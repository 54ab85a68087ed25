//! The source study's worked example: each policy's makespan and energy against the
//! hand computation from the study's definitions (time C/P, energy C/E).

use crate::common::*;
use hetsim::run::run_in_memory;

/// (P, E) per platform in file order, and the task sizes C.
const PLATFORMS: [(f64, f64); 3] = [(1.0, 2.0), (1.5, 3.0), (2.0, 1.5)];
const TASKS: [f64; 3] = [100.0, 200.0, 300.0];

fn t(c: f64, p: usize) -> f64 {
    c / PLATFORMS[p].0
}
fn w(c: f64, p: usize) -> f64 {
    c / PLATFORMS[p].1
}

fn check(policy: &str, makespan: f64, energy: f64) {
    for file in ["seed-example.yaml", "seed-example.json"] {
        let l = load_with(&scenario(file), &[&format!("policy.name={policy}")]);
        let s = run_in_memory(&l).unwrap().summary;
        assert!(
            (s.makespan_s - makespan).abs() < 1e-6,
            "{file} {policy}: makespan {} != {makespan}",
            s.makespan_s
        );
        assert!(
            (s.energy_it_j - energy).abs() < 1e-6,
            "{file} {policy}: energy {} != {energy}",
            s.energy_it_j
        );
        assert_eq!(s.jobs_completed, 3);
    }
}

#[test]
fn fcfs_puts_each_task_on_the_next_free_platform() {
    // Task i on platform i, all start at 0.
    let makespan = (0..3).map(|i| t(TASKS[i], i)).fold(0.0, f64::max);
    let energy: f64 = (0..3).map(|i| w(TASKS[i], i)).sum();
    assert!((makespan - 150.0).abs() < 1e-12 && (energy - 316.666_666_666_666_7).abs() < 1e-9);
    check("fcfs", makespan, energy);
}

#[test]
fn fastest_queues_everything_on_the_tpu() {
    let makespan: f64 = TASKS.iter().map(|&c| t(c, 2)).sum();
    let energy: f64 = TASKS.iter().map(|&c| w(c, 2)).sum();
    assert_eq!((makespan, energy), (300.0, 400.0));
    check("fastest", makespan, energy);
}

#[test]
fn min_energy_queues_everything_on_the_gpu() {
    let makespan: f64 = TASKS.iter().map(|&c| t(c, 1)).sum();
    let energy: f64 = TASKS.iter().map(|&c| w(c, 1)).sum();
    assert!((makespan - 400.0).abs() < 1e-9 && (energy - 200.0).abs() < 1e-9);
    check("min-energy", makespan, energy);
}

#[test]
fn eft_list_schedules_by_finish_time() {
    // Task 100: finishes at 100 (cpu), 66.7 (gpu), 50 (tpu) -> tpu, free at 50.
    // Task 200: 200 (cpu), 133.3 (gpu), 50 + 100 = 150 (tpu) -> gpu.
    // Task 300: 300 (cpu), 133.3 + 200 = 333.3 (gpu), 50 + 150 = 200 (tpu) -> tpu.
    let makespan = t(100.0, 2) + t(300.0, 2);
    let energy = w(100.0, 2) + w(200.0, 1) + w(300.0, 2);
    assert!((makespan - 200.0).abs() < 1e-9 && (energy - 333.333_333_333_333_3).abs() < 1e-9);
    check("eft", makespan, energy);
}

#[test]
fn the_studys_printed_totals_do_not_follow_from_its_definitions() {
    // The study prints T = 1 and W = 700. With tasks of 100..300 units and capabilities
    // of at most 2 units/s, no task finishes in 1 s, and the largest possible total
    // energy (every task on the least efficient platform, E = 1.5) is 400 J.
    let min_time = TASKS.iter().map(|&c| t(c, 2)).fold(f64::INFINITY, f64::min);
    let max_energy: f64 = TASKS.iter().map(|&c| w(c, 2)).sum();
    assert!(min_time > 1.0);
    assert!(max_energy < 700.0);
}

#[test]
fn json_twin_loads_to_the_same_scenario() {
    let y = load(&scenario("seed-example.yaml")).scenario;
    let j = load(&scenario("seed-example.json")).scenario;
    assert_eq!(y, j);
}
