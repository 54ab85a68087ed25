//! The device power-state machine: idle, busy, asleep, waking up, falling asleep; the
//! idle timeouts and transitions (each device's timer generation cancels stale ones),
//! and [`power_of`], the one place that says what a device draws in a state.
//!
//! Every change of state goes through `set_state`, which closes the device's account
//! at the meter and keeps the power levels and busy counts in step.

use super::cap::Blocked;
use super::{Event, Simulation};
use crate::cluster::{DevState, DeviceId};
use crate::engine::{Time, secs};
use crate::model::DeviceClass;

/// Power a device of `class` draws in `state`, W. `pstate` is the P-state of a busy
/// device (clamped to the class's slowest); other states ignore it.
pub(crate) fn power_of(class: &DeviceClass, state: DevState, pstate: usize) -> f64 {
    match state {
        DevState::Busy(kind) => {
            class.busy_power(kind as usize, pstate.min(class.pstates.len() - 1))
        }
        DevState::Idle => class.idle_w,
        DevState::Asleep => class.sleep.expect("asleep devices can sleep").power_w,
        DevState::Waking => class.sleep.expect("waking devices can sleep").wake_power(),
        DevState::Sleeping => class
            .sleep
            .expect("sleeping devices can sleep")
            .sleep_power(),
    }
}

/// Power of a device of `class` (with slots) whose busy slots run `by_kind[k]` jobs of
/// each kind `k`, `busy` in all, W.
pub(crate) fn host_power(class: &DeviceClass, busy: u32, by_kind: &[u32]) -> f64 {
    let busy_sum: f64 = by_kind
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(k, &n)| n as f64 * class.busy_w[k])
        .sum();
    class
        .power_model
        .power(class.idle_w, class.slots, busy, busy_sum)
}

impl Simulation<'_> {
    /// Changes a device's state and power, closing the accounting of the old state.
    /// On a class with slots, `d` is a lane and `w` is ignored: the host's power
    /// follows its load through the class's power model.
    pub(super) fn set_state(&mut self, d: DeviceId, state: DevState, w: f64) {
        let now = self.engine.now();
        let dev = &mut self.cluster.devices[d as usize];
        let c = dev.class as usize;
        let h = dev.host as usize;
        if self.sc.classes[c].slots > 1 {
            self.set_lane_state(d, state);
            return;
        }
        self.meter
            .close_device(h, dev.power_w, dev.state.bucket(), now);
        self.levels.shift_power(c, w - dev.power_w);
        dev.power_w = w;
        let old = dev.state;
        dev.state = state;
        self.levels.move_device(old.bucket(), state.bucket());
        if matches!(old, DevState::Busy(_)) {
            self.cluster.classes[c].busy -= 1;
        }
        if matches!(state, DevState::Busy(_)) {
            self.cluster.classes[c].busy += 1;
        }
    }

    /// A lane of a device with slots goes busy or idle (the only states such lanes
    /// have): the host's account is closed at its old power, each busy lane's share of
    /// the closed segment is credited, and the host's load and power are updated. A
    /// host counts as busy (power.csv, time per state) while any of its slots is.
    fn set_lane_state(&mut self, d: DeviceId, state: DevState) {
        let now = self.engine.now();
        let dev = &mut self.cluster.devices[d as usize];
        let (c, h) = (dev.class as usize, dev.host as usize);
        let old = dev.state;
        dev.state = state;
        let cl = &self.sc.classes[c];
        let host = &mut self.cluster.hosts[h];
        let bucket = if host.busy > 0 { 0 } else { 1 };
        self.meter.close_device(h, host.power_w, bucket, now);
        let acc = self.meter.device(h);
        let cur = [acc.energy_j, acc.carbon_g, acc.cost];
        if host.busy > 0 {
            for (i, v) in cur.iter().enumerate() {
                host.lane_acc[i] += (v - host.last_acc[i]) / host.busy as f64;
            }
        }
        host.last_acc = cur;
        host.lane_busy_ns += host.busy as u128 * (now - host.last_t) as u128;
        host.last_t = now;
        let was_busy = host.busy > 0;
        if let DevState::Busy(k) = old {
            host.busy -= 1;
            host.by_kind[k as usize] -= 1;
            self.cluster.classes[c].busy -= 1;
        }
        if let DevState::Busy(k) = state {
            host.busy += 1;
            host.by_kind[k as usize] += 1;
            self.cluster.classes[c].busy += 1;
        }
        let w = host_power(cl, host.busy, &host.by_kind);
        self.levels.shift_power(c, w - host.power_w);
        host.power_w = w;
        match (was_busy, host.busy > 0) {
            (false, true) => self.levels.move_device(1, 0),
            (true, false) => self.levels.move_device(0, 1),
            _ => {}
        }
    }

    /// Moves device `d` to `state` at the power the state draws.
    pub(super) fn enter(&mut self, d: DeviceId, state: DevState) {
        let sc = self.sc;
        let w = power_of(
            &sc.classes[self.cluster.devices[d as usize].class as usize],
            state,
            0,
        );
        self.set_state(d, state, w);
    }

    /// Time before device `d` could start work (its wake-up, after falling asleep).
    pub(super) fn wake_delay(&self, d: DeviceId) -> Time {
        let dev = &self.cluster.devices[d as usize];
        let Some(sl) = self.sc.classes[dev.class as usize].sleep else {
            return 0;
        };
        match dev.state {
            DevState::Asleep | DevState::Waking => secs(sl.wake_latency),
            DevState::Sleeping => secs(sl.sleep_latency + sl.wake_latency),
            _ => 0,
        }
    }

    /// A sleeping device has queued work: wake it, or queue the wake-up behind the cap.
    pub(super) fn begin_wake(&mut self, d: DeviceId) {
        if self.cluster.devices[d as usize].cap_blocked {
            return;
        }
        if self.gate.any_waiting() || !self.try_wake(d) {
            self.block(Blocked::Wake(d));
        }
    }

    /// Starts waking device `d` if its wake-up power fits under the cap.
    pub(super) fn try_wake(&mut self, d: DeviceId) -> bool {
        let sc = self.sc;
        let dev = &self.cluster.devices[d as usize];
        let class = &sc.classes[dev.class as usize];
        let sl = class.sleep.expect("asleep devices can sleep");
        if !self.fits(power_of(class, DevState::Waking, 0) - dev.power_w) {
            return false;
        }
        let dev = &mut self.cluster.devices[d as usize];
        dev.timer_gen = dev.timer_gen.wrapping_add(1);
        let generation = dev.timer_gen;
        if sl.wake_latency > 0.0 {
            self.enter(d, DevState::Waking);
            self.engine.schedule_in(
                secs(sl.wake_latency),
                Event::DeviceReady {
                    device: d,
                    generation,
                },
            );
        } else {
            self.finish_wake(d);
        }
        true
    }

    fn finish_wake(&mut self, d: DeviceId) {
        self.enter(d, DevState::Idle);
        self.cluster.devices[d as usize].wakeups += 1;
        // Capacity came back: work committed behind other devices' heads may now
        // finish earlier elsewhere (late binding, at the end of the instant).
        if self.device_queued > 0 {
            self.woke = true;
        }
        self.kick(d);
        if self.cluster.devices[d as usize].queue.is_empty() {
            self.on_device_free(d);
        }
    }

    /// A wake-up or a fall into sleep ended.
    pub(super) fn on_device_ready(&mut self, d: DeviceId) {
        match self.cluster.devices[d as usize].state {
            DevState::Waking => self.finish_wake(d),
            DevState::Sleeping => {
                self.enter(d, DevState::Asleep);
                self.retry_blocked();
                self.kick(d);
            }
            _ => {}
        }
    }

    /// A device has nothing to do: ask the power manager whether it should sleep.
    pub(super) fn on_device_free(&mut self, d: DeviceId) {
        let dev = &self.cluster.devices[d as usize];
        if dev.state != DevState::Idle || dev.running.is_some() || !dev.queue.is_empty() {
            return;
        }
        let class = &self.sc.classes[dev.class as usize];
        if class.sleep.is_none() {
            return;
        }
        if let Some(delay) = self.pm.idle_timeout(class) {
            let dev = &mut self.cluster.devices[d as usize];
            dev.timer_gen = dev.timer_gen.wrapping_add(1);
            let generation = dev.timer_gen;
            // An event even for a zero delay: work arriving at this same instant (already
            // scheduled, so popped first) then cancels it.
            self.engine.schedule_in(
                delay,
                Event::DeviceTimer {
                    device: d,
                    generation,
                },
            );
        }
    }

    /// The idle timeout expired: fall asleep if still idle and the transition fits.
    pub(super) fn try_sleep(&mut self, d: DeviceId) {
        let sc = self.sc;
        let dev = &self.cluster.devices[d as usize];
        if dev.state != DevState::Idle || dev.running.is_some() || !dev.queue.is_empty() {
            return;
        }
        let class = &sc.classes[dev.class as usize];
        let sl = class.sleep.expect("only classes with sleep get timers");
        let state = if sl.sleep_latency > 0.0 {
            DevState::Sleeping
        } else {
            DevState::Asleep
        };
        let w = power_of(class, state, 0);
        // Falling asleep may draw more than idling; it must fit under the cap too.
        if !self.fits(w - dev.power_w) {
            return;
        }
        let dev = &mut self.cluster.devices[d as usize];
        dev.timer_gen = dev.timer_gen.wrapping_add(1);
        let generation = dev.timer_gen;
        self.set_state(d, state, w);
        if state == DevState::Sleeping {
            self.engine.schedule_in(
                secs(sl.sleep_latency),
                Event::DeviceReady {
                    device: d,
                    generation,
                },
            );
        }
        self.retry_blocked();
    }
}
