//! `min-energy`: the source study's objective W. Optimises each job's energy.
//!
//! Each job goes to the class where busy power x run time is least (ties: the earlier
//! finish, then file order), on that class's earliest-available devices. Idle power is
//! drawn whatever the placement, so it is not counted in the choice.

use super::{ClusterView, Decision, JobInfo, Policy, assign_by, finish_on};

/// The minimum-energy policy.
pub struct MinEnergy;

impl Policy for MinEnergy {
    fn name(&self) -> &'static str {
        "min-energy"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        out.extend(assign_by(&job, view, |c| {
            (
                view.job_energy(c, &job).unwrap_or(f64::INFINITY),
                finish_on(&job, view, c).unwrap_or(u64::MAX),
            )
        }));
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}
