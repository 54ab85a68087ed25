//! `always-on`: devices never sleep; jobs run at the top P-state.

use super::PowerManager;
use crate::cluster::JobInfo;
use crate::engine::Time;
use crate::model::DeviceClass;

/// Devices never sleep; jobs run at the top P-state.
pub struct AlwaysOn;

impl PowerManager for AlwaysOn {
    fn name(&self) -> &'static str {
        "always-on"
    }
    fn idle_timeout(&mut self, _: &DeviceClass) -> Option<Time> {
        None
    }
    fn pstate(&mut self, _: &JobInfo, _: &DeviceClass, _: f64, _: Time) -> usize {
        0
    }
}
