//! `idle-timeout`: sleep after a fixed idle time; top P-state.

use super::PowerManager;
use crate::cluster::JobInfo;
use crate::engine::Time;
use crate::model::DeviceClass;

/// Sleep after a fixed idle time; top P-state.
pub struct IdleTimeout {
    pub(super) timeout: Time,
}

impl PowerManager for IdleTimeout {
    fn name(&self) -> &'static str {
        "idle-timeout"
    }
    fn idle_timeout(&mut self, _: &DeviceClass) -> Option<Time> {
        Some(self.timeout)
    }
    fn sleeps(&self) -> bool {
        true
    }
    fn pstate(&mut self, _: &JobInfo, _: &DeviceClass, _: f64, _: Time) -> usize {
        0
    }
}
