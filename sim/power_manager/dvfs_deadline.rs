//! `dvfs-deadline`: the slowest P-state that still meets the job's deadline.

use super::PowerManager;
use crate::cluster::JobInfo;
use crate::engine::{Time, secs};
use crate::model::DeviceClass;

/// The slowest P-state at which the job still meets its deadline (top state for jobs
/// without one, or when none meets it); optionally sleep after an idle timeout.
pub struct DvfsDeadline {
    pub(super) sleep_after: Option<Time>,
}

impl PowerManager for DvfsDeadline {
    fn name(&self) -> &'static str {
        "dvfs-deadline"
    }
    fn idle_timeout(&mut self, _: &DeviceClass) -> Option<Time> {
        self.sleep_after
    }
    fn sleeps(&self) -> bool {
        self.sleep_after.is_some()
    }
    fn scales(&self) -> bool {
        true
    }
    fn pstate(&mut self, job: &JobInfo, class: &DeviceClass, speed: f64, now: Time) -> usize {
        let Some(deadline) = job.deadline() else {
            return 0;
        };
        let switch = secs(class.pstate_switch);
        // Slowest first: the first state that meets the deadline saves the most power
        // (P-states are ordered with decreasing power).
        for s in (0..class.pstates.len()).rev() {
            let run = secs(job.work() / (speed * class.pstates[s].speed))
                + if s == 0 { 0 } else { switch };
            if now.saturating_add(run) <= deadline {
                return s;
            }
        }
        0
    }
}
