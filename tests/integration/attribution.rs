//! Attribution of split and cross-class jobs: every class that ran a part counts the
//! job and is charged what its devices drew; jobs.csv lists all the classes; per-class
//! job counts agree with devices.csv.

use hetsim::metrics::JobRecord;
use hetsim::power::PowerRow;
use hetsim::scenario::{Format, parse_str};
use hetsim::simulation::{Observer, Simulation};
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Default)]
struct Keep(Vec<JobRecord>);

impl Observer for Keep {
    fn job(&mut self, r: &JobRecord) -> std::io::Result<()> {
        self.0.push(r.clone());
        Ok(())
    }
    fn power(&mut self, _: &PowerRow) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn split_jobs_count_and_are_charged_in_every_class_they_used() {
    // `slow` (speed 1, 100 W busy) and `fast` (speed 3, 300 W busy), no idle power.
    // proportional-split splits each divisible job across both classes in proportion to
    // speed, so all parts end together: 4 units -> 1 on slow, 3 on fast, 1 s each.
    // The non-divisible job runs on one class only.
    let yaml = "datacenter:
  classes:
    slow: {category: cpu, speed: {a: 1}, idle_power: 0W, busy_power: 100W}
    fast: {category: gpu, speed: {a: 3}, idle_power: 0W, busy_power: 300W}
workload:
  kinds: {a: {divisible: true}}
  jobs:
    - {kind: a, arrival: 0, work: 4}
    - {kind: a, arrival: 10, work: 8}
    - {kind: a, arrival: 20, work: 3, divisible: false}
policy: {name: proportional-split}
";
    let sc = parse_str(yaml, Format::Yaml, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let mut keep = Keep::default();
    let out = Simulation::new(&sc, sc.seed)
        .unwrap()
        .run(&mut keep)
        .unwrap();
    let jobs = &keep.0;
    assert_eq!(jobs.len(), 3);
    assert_eq!(jobs[0].classes, "slow;fast", "file order");
    assert_eq!(jobs[1].classes, "slow;fast");
    assert_eq!(jobs[2].classes, jobs[2].class, "one class");
    // Energy: 4 units -> 1 s on both: 100 + 300 J; 8 units -> 2 s: 200 + 600 J.
    assert!(
        (jobs[0].energy_j - 400.0).abs() < 1e-9,
        "{}",
        jobs[0].energy_j
    );
    assert!(
        (jobs[1].energy_j - 800.0).abs() < 1e-9,
        "{}",
        jobs[1].energy_j
    );
    let s = &out.summary;
    // Per-class job counts: the jobs whose devices include one of the class.
    let class_of: Vec<&str> = out.devices.iter().map(|d| d.class.as_str()).collect();
    for (name, cs) in &s.per_class {
        let by_jobs = jobs
            .iter()
            .filter(|j| {
                j.devices
                    .split(';')
                    .map(|d| class_of[d.parse::<usize>().unwrap()])
                    .collect::<BTreeSet<_>>()
                    .contains(name.as_str())
            })
            .count() as u64;
        // Every part here runs on one device, so devices.csv's counts add up too.
        let by_devices: u64 = out
            .devices
            .iter()
            .filter(|d| &d.class == name)
            .map(|d| d.jobs)
            .sum();
        assert_eq!(cs.jobs, by_jobs, "{name}: per_class.jobs vs jobs.csv");
        assert_eq!(cs.jobs, by_devices, "{name}: per_class.jobs vs devices.csv");
    }
    let class_j: f64 = s.per_class.values().map(|c| c.energy_j).sum();
    assert!((class_j - s.energy_it_j).abs() < 1e-9 * s.energy_it_j);
    let jobs_j: f64 = jobs.iter().map(|j| j.energy_j).sum();
    assert!((jobs_j - s.energy_busy_j).abs() < 1e-9 * s.energy_busy_j);
}
