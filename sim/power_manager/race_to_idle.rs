//! `race-to-idle`: run at the top P-state, sleep as soon as idle.

use super::PowerManager;
use crate::cluster::JobInfo;
use crate::engine::Time;
use crate::model::DeviceClass;

/// Run at the top P-state, sleep as soon as idle.
pub struct RaceToIdle;

impl PowerManager for RaceToIdle {
    fn name(&self) -> &'static str {
        "race-to-idle"
    }
    fn idle_timeout(&mut self, _: &DeviceClass) -> Option<Time> {
        Some(0)
    }
    fn sleeps(&self) -> bool {
        true
    }
    fn pstate(&mut self, _: &JobInfo, _: &DeviceClass, _: f64, _: Time) -> usize {
        0
    }
}
