//! Example: a placement policy written outside hetsim, against the library.
//!
//! `cheapest-free` keeps jobs in a FIFO queue. The oldest job starts on the class with
//! free devices where it draws the least energy (busy power x run time x gang), and
//! waits while no class that can run it has enough free devices. It shows in
//! particular:
//!
//! * implementing [`Policy`]: `on_arrival`, `decide`, `waiting`;
//! * reading the cluster only through [`ClusterView`], whose queries cost O(log n);
//! * placing several jobs in one call: the view is a snapshot taken before the call,
//!   so the policy counts the free devices it has already used;
//! * running it with [`Simulation::with_policy`] on a shipped scenario.
//!
//! Run: `cargo run --example custom_policy [-- scenario.yaml]` (default: the seed
//! example). `cargo test` runs it too (tests/integration/policies.rs).

use hetsim::metrics::Summary;
use hetsim::policy::{ClusterView, Decision, JobInfo, Policy};
use hetsim::simulation::{NullObserver, Simulation};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// The `cheapest-free` policy: FIFO, each job on the free class where it needs the
/// least energy.
#[derive(Default)]
pub struct CheapestFree {
    queue: VecDeque<JobInfo>,
}

impl CheapestFree {
    /// Starts jobs from the head of the queue while they fit.
    fn drain(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        // Free devices taken in this call, per class.
        let mut taken = vec![0usize; view.class_count()];
        while let Some(job) = self.queue.front() {
            let k = job.devices() as usize;
            let mut best: Option<(f64, usize)> = None;
            for (c, &t) in taken.iter().enumerate() {
                if !view.can_run(c, job) || view.free_count(c) < t + k {
                    continue;
                }
                let energy = view.job_energy(c, job).unwrap_or(f64::INFINITY);
                if best.is_none_or(|(e, _)| energy < e) {
                    best = Some((energy, c));
                }
            }
            let Some((_, c)) = best else { break };
            let devices = view.free_devices(c, taken[c] + k).skip(taken[c]).collect();
            taken[c] += k;
            out.push(Decision::Assign {
                job: job.slot,
                devices,
            });
            self.queue.pop_front();
        }
    }
}

impl Policy for CheapestFree {
    fn name(&self) -> &'static str {
        "cheapest-free"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        // Queue only: the decision pass of this instant places it.
        let _ = (view, out);
        self.queue.push_back(job);
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.drain(view, out);
    }
    fn waiting(&self) -> usize {
        self.queue.len()
    }
}

/// Runs the scenario at `path` with `cheapest-free` and returns its summary.
pub fn run(path: &Path) -> anyhow::Result<Summary> {
    let loaded = hetsim::scenario::load(path, &[]).map_err(|e| anyhow::anyhow!("{e}"))?;
    let sc = &loaded.scenario;
    let sim = Simulation::with_policy(sc, sc.seed, Box::new(CheapestFree::default()))?;
    Ok(sim.run(&mut NullObserver)?.summary)
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-example.yaml")
        });
    let s = run(&path)?;
    println!("scenario {}  policy {}", s.scenario, s.policy);
    println!("jobs completed   {}", s.jobs_completed);
    println!("makespan         {:.3} s", s.makespan_s);
    println!("mean response    {:.3} s", s.response_mean_s);
    println!("energy (IT)      {:.3} J", s.energy_it_j);
    Ok(())
}
