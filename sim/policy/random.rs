//! `random`: each job goes to devices drawn at random. Optimises nothing; it is the
//! load-oblivious baseline of the load-balancing literature.
//!
//! A single-device job goes to a device drawn uniformly among all devices that can
//! run it. A gang of `k` first draws its class the same way (so with probability
//! proportional to the class's size), then `k` distinct devices of that class
//! uniformly (Floyd's sampling). Jobs are committed at arrival and queue behind the
//! devices' committed work.
//!
//! The policy draws from its own ChaCha8 stream seeded with
//! `derive_seed(scenario seed, "policy/random")`, so its draws do not disturb the
//! workload's and runs reproduce exactly. A decision costs O(classes + k^2), k the gang size.

use super::{ClassId, ClusterView, Decision, Gang, JobInfo, Policy};
use crate::workload::derive_seed;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// Label of the policy's random stream (see [`derive_seed`]).
pub const STREAM: &str = "policy/random";

/// The random policy.
pub struct Random {
    rng: ChaCha8Rng,
}

impl Random {
    /// A policy drawing from the stream derived from the scenario seed `seed`.
    pub fn new(seed: u64) -> Self {
        Random {
            rng: ChaCha8Rng::seed_from_u64(derive_seed(seed, STREAM)),
        }
    }
}

/// Draws the devices for `job` (shared with the naive reference, which must make the
/// same draws).
pub fn draw(
    rng: &mut ChaCha8Rng,
    job: &JobInfo,
    view: &ClusterView,
    mut class_of_index: impl FnMut(u64) -> (ClassId, u32),
) -> Gang {
    let total: u64 = view
        .classes()
        .filter(|&c| view.can_run(c, job))
        .map(|c| view.class_size(c) as u64)
        .sum();
    let u = rng.random_range(0..total);
    let (c, off) = class_of_index(u);
    let first = view.class_first(c);
    let k = job.devices();
    if k == 1 {
        return Gang::one(first + off);
    }
    // Floyd: k distinct offsets out of the class's n devices.
    let n = view.class_size(c);
    let mut picked: Vec<u32> = Vec::with_capacity(k as usize);
    for j in n - k..n {
        let t = rng.random_range(0..=j);
        picked.push(if picked.contains(&t) { j } else { t });
    }
    picked.into_iter().map(|o| first + o).collect()
}

impl Policy for Random {
    fn name(&self) -> &'static str {
        "random"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        // The u-th capable device, classes in file order: O(classes).
        let devices = draw(&mut self.rng, &job, view, |mut u| {
            for c in view.classes() {
                if !view.can_run(c, &job) {
                    continue;
                }
                let n = view.class_size(c) as u64;
                if u < n {
                    return (c, u as u32);
                }
                u -= n;
            }
            unreachable!("u is below the number of capable devices")
        });
        out.push(Decision::Assign {
            job: job.slot(),
            devices,
        });
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}
