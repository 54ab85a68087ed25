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
//! * giving it a name: this example's `main` is the whole `hetsim` program with
//!   `cheapest-free` added ([`hetsim::cli::main_with_policies`]), so it runs through
//!   `run`, `sweep`, `compare` and scenario files by name, with the full run folder;
//! * running it from library code with [`Simulation::with_policy`] ([`run`]).
//!
//! Run: `cargo run --release --example custom_policy -- run scenarios/seed-example.yaml
//! --policy cheapest-free` (any `hetsim` command works: `-- policies` lists it).
//! `cargo test` runs it too (tests/integration/policies.rs).

use hetsim::metrics::Summary;
use hetsim::policy::{
    ClassId, ClusterView, Decision, Entry, JobInfo, ParamError, Policy, PolicyInfo,
};
use hetsim::simulation::{NullObserver, Simulation};
use std::collections::VecDeque;
use std::path::Path;

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
            let mut best: Option<(f64, ClassId)> = None;
            for (c, &t) in view.classes().zip(&taken) {
                if !view.can_run(c, job) || view.free_count(c) < t + k {
                    continue;
                }
                let energy = view.job_energy(c, job).unwrap_or(f64::INFINITY);
                if best.is_none_or(|(e, _)| energy < e) {
                    best = Some((energy, c));
                }
            }
            let Some((_, c)) = best else { break };
            let t = taken[c.index()];
            let devices = view.free_devices(c, t + k).skip(t).collect();
            taken[c.index()] += k;
            out.push(Decision::Assign {
                job: job.slot(),
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

/// The policies this program adds to hetsim, found by name like the built-in ones.
pub static POLICIES: &[PolicyInfo] = &[Entry {
    name: "cheapest-free",
    summary: "FIFO; the oldest job starts on the free class where it needs the least energy",
    params: &[],
    build: |_scenario, params| {
        // Reject parameters it does not take, like the built-in policies do.
        if let Some(k) = params.keys().next() {
            return Err(ParamError::new(
                k.as_str(),
                "unknown parameter: `cheapest-free` takes none",
            ));
        }
        Ok(Box::new(CheapestFree::default()))
    },
}];

/// `hetsim` with `cheapest-free` added.
fn main() -> std::process::ExitCode {
    hetsim::cli::main_with_policies(POLICIES)
}
