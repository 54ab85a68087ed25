//! `fixed-pstate`: every job runs at one chosen P-state (clamped to each class's
//! slowest), for DVFS studies that compare states one by one. The cap may still lower
//! it. Devices sleep after `sleep_after` of idleness if given, else never.

use super::PowerManager;
use crate::cluster::JobInfo;
use crate::engine::Time;
use crate::model::DeviceClass;

/// Runs every job at P-state `state`.
pub struct FixedPstate {
    /// P-state index (0 = top).
    pub state: usize,
    /// Idle time before a device with a sleep state sleeps (`None`: never).
    pub sleep_after: Option<Time>,
}

impl PowerManager for FixedPstate {
    fn name(&self) -> &'static str {
        "fixed-pstate"
    }
    fn idle_timeout(&mut self, _: &DeviceClass) -> Option<Time> {
        self.sleep_after
    }
    fn sleeps(&self) -> bool {
        self.sleep_after.is_some()
    }
    fn scales(&self) -> bool {
        self.state > 0
    }
    fn pstate(&mut self, _: &JobInfo, class: &DeviceClass, _: f64, _: Time) -> usize {
        self.state.min(class.pstates.len() - 1)
    }
}
