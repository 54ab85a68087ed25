//! Properties of the power-state machine on random small scenarios: every power
//! manager, sleep states, P-states, constant and falling caps, several policies.

use crate::common::Keep;
use hetsim::scenario::{Format, parse_str};
use hetsim::simulation::Simulation;
use proptest::prelude::*;
use std::path::Path;

#[derive(Debug, Clone)]
struct Case {
    counts: [u32; 2],
    pm: usize,
    policy: usize,
    cap: Option<(f64, f64)>,
    jobs: Vec<(f64, f64, u32, Option<f64>)>,
    seed: u64,
}

const PMS: [&str; 4] = [
    "{name: always-on}",
    "{name: idle-timeout, params: {timeout: 3s}}",
    "{name: race-to-idle}",
    "{name: dvfs-deadline, params: {sleep_after: 5s}}",
];
const POLICIES: [&str; 5] = ["fcfs", "eft", "fastest", "min-energy", "power-capped"];

fn yaml(c: &Case) -> String {
    let cap = match c.cap {
        None => String::new(),
        Some((a, b)) => {
            format!("  power_cap: {{points: [[0s, {a}W], [20s, {b}W], [40s, {a}W]]}}\n")
        }
    };
    let mut jobs = String::new();
    for (arr, work, gang, dl) in &c.jobs {
        let dl = dl.map(|d| format!(", deadline: {d}s")).unwrap_or_default();
        jobs.push_str(&format!(
            "    - {{kind: a, arrival: {arr}, work: {work}, devices: {gang}{dl}}}\n"
        ));
    }
    format!(
        "seed: {seed}
datacenter:
{cap}  classes:
    big:
      category: gpu
      count: {n0}
      speed: {{a: 2}}
      idle_power: 20W
      busy_power: 200W
      pstates: [{{speed: 0.7, power: 0.5}}, {{speed: 0.4, power: 0.2}}]
      pstate_switch: 10ms
      sleep: {{power: 2W, wake_latency: 1s, wake_energy: 30J, sleep_latency: 0.5s, sleep_energy: 8J}}
    small:
      category: cpu
      count: {n1}
      speed: {{a: 1}}
      idle_power: 10W
      busy_power: 60W
      sleep: {{power: 1W, wake_latency: 0.2s}}
workload:
  kinds: {{a: {{}}}}
  jobs:
{jobs}policy: {{name: {policy}}}
power_manager: {pm}
",
        seed = c.seed,
        n0 = c.counts[0],
        n1 = c.counts[1],
        policy = POLICIES[c.policy],
        pm = PMS[c.pm],
    )
}

fn case() -> impl Strategy<Value = Case> {
    (
        [1u32..4, 1u32..4],
        0usize..PMS.len(),
        0usize..POLICIES.len(),
        prop::option::of((0.0f64..1.0, 0.0f64..1.0)),
        prop::collection::vec(
            (
                0.0f64..60.0,
                0.1f64..20.0,
                1u32..3,
                prop::option::of(1.0f64..30.0),
            ),
            1..25,
        ),
        any::<u64>(),
    )
        .prop_map(|(counts, pm, policy, cap, mut jobs, seed)| {
            // Gangs must fit on the smaller class.
            let max_gang = counts[0].min(counts[1]);
            for j in &mut jobs {
                j.2 = j.2.min(max_gang);
            }
            // A cap between the idle floor plus one big job at its lowest state and a
            // comfortable level.
            let idle = 20.0 * counts[0] as f64 + 10.0 * counts[1] as f64;
            let need = idle + 2.0 * (200.0 * 0.2 - 20.0) + 2.0 * 50.0;
            let cap = cap.map(|(a, b)| (need + 400.0 * a, need + 400.0 * b));
            Case {
                counts,
                pm,
                policy,
                cap,
                jobs,
                seed,
            }
        })
}

fn run(c: &Case) -> (hetsim::simulation::Outcome, Keep) {
    let text = yaml(c);
    let sc = parse_str(&text, Format::Yaml, Path::new("p.yaml"))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut keep = Keep::default();
    let out = Simulation::new(&sc, sc.seed)
        .unwrap()
        .run(&mut keep)
        .unwrap_or_else(|e| panic!("{e:#}\n{text}"));
    (out, keep)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn power_state_machine_invariants(c in case()) {
        let (out, keep) = run(&c);
        let s = &out.summary;
        prop_assert_eq!(s.jobs_completed as usize, c.jobs.len());
        // Energy: devices = meter = power series; states partition time and energy.
        let dev_j: f64 = out.devices.iter().map(|d| d.energy_j).sum();
        prop_assert!(close(dev_j, s.energy_it_j), "devices {} vs {}", dev_j, s.energy_it_j);
        let series_j: f64 = keep.power.iter().map(|r| r.it_w * r.duration_s).sum();
        prop_assert!(close(series_j, s.energy_it_j), "series {} vs {}", series_j, s.energy_it_j);
        let parts = s.energy_busy_j + s.energy_idle_j + s.energy_asleep_j + s.energy_transition_j;
        prop_assert!(close(parts, s.energy_it_j));
        for d in &out.devices {
            prop_assert!(close(d.busy_s + d.idle_s + d.asleep_s + d.transition_s, s.window_s));
            prop_assert!(close(d.busy_j + d.idle_j + d.asleep_j + d.transition_j, d.energy_j));
        }
        // The cap holds on every segment of the series.
        for r in &keep.power {
            if let Some(cap) = r.cap_w {
                prop_assert!(r.it_w <= cap + 1e-6, "{} W over cap {} W at {} s", r.it_w, cap, r.time_s);
            }
        }
        // Causality, no device double-booked, deadlines counted from the records.
        let mut busy: Vec<(u32, f64, f64)> = Vec::new();
        let mut missed = 0;
        let mut with_deadline = 0;
        for j in &keep.jobs {
            prop_assert!(j.start_s >= j.arrival_s - 1e-9 && j.end_s >= j.start_s);
            for d in j.devices.split(';') {
                busy.push((d.parse().unwrap(), j.start_s, j.end_s));
            }
            if let Some(dl) = j.deadline_s {
                with_deadline += 1;
                if j.end_s > dl + 1e-9 {
                    missed += 1;
                }
                prop_assert_eq!(j.deadline_met, Some(j.end_s <= dl + 1e-9));
            }
        }
        busy.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        for w in busy.windows(2) {
            if w[0].0 == w[1].0 {
                prop_assert!(w[1].1 >= w[0].2 - 1e-9, "device {} double-booked", w[0].0);
            }
        }
        let rate = if with_deadline > 0 { missed as f64 / with_deadline as f64 } else { 0.0 };
        prop_assert!(close(s.deadline_miss_rate, rate));
        // Deterministic: the same case gives the same records.
        let (_, again) = run(&c);
        prop_assert_eq!(&keep.jobs, &again.jobs);
    }
}
