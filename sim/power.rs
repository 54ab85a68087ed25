//! Power accounting: exact energy, carbon and cost integrals of piecewise-constant
//! power, and the power time series (at change points or time-averaged over fixed
//! intervals).

use crate::engine::{NANOS_PER_SEC, Time, to_secs};
use crate::signal::Signal;

/// One row of the power time series.
#[derive(Clone, Debug, PartialEq)]
pub struct PowerRow {
    /// Start of the segment or interval, s.
    pub time_s: f64,
    /// Length of the segment or interval, s.
    pub duration_s: f64,
    /// IT power per class, W (interval mode: mean over the interval).
    pub class_w: Vec<f64>,
    /// IT power, W.
    pub it_w: f64,
    /// Facility power (IT x PUE), W.
    pub facility_w: f64,
    /// IT power cap, W (interval mode: the lowest in the interval).
    pub cap_w: Option<f64>,
    /// Jobs released and not started (policy queue plus device queues).
    pub queue_len: f64,
    /// Devices busy.
    pub busy_devices: f64,
    /// Devices asleep.
    pub asleep_devices: f64,
    /// Devices waking up or falling asleep.
    pub transition_devices: f64,
    /// Carbon emitted in the segment (facility energy x intensity), g.
    pub carbon_g: f64,
    /// Electricity cost of the segment (facility energy x price).
    pub cost: f64,
}

/// The instantaneous state the meter integrates: power per class, the queue and the
/// device counts per state. The simulation moves it with each change; the meter reads
/// it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Levels {
    /// IT power per class, W.
    class_w: Vec<f64>,
    /// Jobs waiting.
    queue_len: u64,
    /// Devices busy.
    busy: u64,
    /// Devices asleep.
    asleep: u64,
    /// Devices in transition.
    transition: u64,
}

impl Levels {
    /// Levels with power `class_w` per class, no job waiting and no device busy,
    /// asleep or in transition.
    pub fn new(class_w: Vec<f64>) -> Self {
        Levels {
            class_w,
            ..Default::default()
        }
    }

    /// The levels a per-change row was written from (its counts are whole numbers).
    pub fn of_row(r: &PowerRow) -> Self {
        Levels {
            class_w: r.class_w.clone(),
            queue_len: r.queue_len.round() as u64,
            busy: r.busy_devices.round() as u64,
            asleep: r.asleep_devices.round() as u64,
            transition: r.transition_devices.round() as u64,
        }
    }

    /// IT power, W.
    pub fn it(&self) -> f64 {
        self.class_w.iter().sum()
    }

    /// IT power per class, W.
    pub fn class_w(&self) -> &[f64] {
        &self.class_w
    }

    /// Adds `delta_w` to class `class`'s power.
    pub fn shift_power(&mut self, class: usize, delta_w: f64) {
        self.class_w[class] += delta_w;
    }

    /// Sets the number of waiting jobs.
    pub fn set_queue_len(&mut self, n: u64) {
        self.queue_len = n;
    }

    /// Moves one device out of accounting bucket `from` into `to` (0 busy, 1 idle,
    /// 2 asleep, 3 transition; idle devices are not counted).
    pub fn move_device(&mut self, from: usize, to: usize) {
        for (b, up) in [(from, false), (to, true)] {
            let n = match b {
                0 => &mut self.busy,
                2 => &mut self.asleep,
                3 => &mut self.transition,
                _ => continue,
            };
            *n = if up { *n + 1 } else { *n - 1 };
        }
    }

    /// Adds the power per class and the busy devices of a part metered beside the
    /// jobs (the serving instances of a mixed run).
    pub fn add(&mut self, class_w: &[f64], busy: u64) {
        for (a, b) in self.class_w.iter_mut().zip(class_w) {
            *a += b;
        }
        self.busy += busy;
    }

    /// Jobs waiting.
    pub fn queue_len(&self) -> u64 {
        self.queue_len
    }

    /// Devices busy.
    pub fn busy(&self) -> u64 {
        self.busy
    }
}

/// Facility signals the meter integrates against.
#[derive(Clone, Debug)]
pub struct Signals {
    /// Power usage effectiveness.
    pub pue: f64,
    /// Carbon intensity, g/kWh.
    pub carbon: Signal,
    /// Price per kWh.
    pub price: Signal,
    /// IT power cap, W.
    pub cap: Option<Signal>,
}

/// One device's accounting: time and energy per state bucket (busy, idle, asleep,
/// transition), carbon and cost, integrated up to its last power change.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeviceAccount {
    /// Time of the last power change.
    last_change: Time,
    /// Energy so far, J.
    pub energy_j: f64,
    /// Time per state bucket, ns.
    pub state_ns: [Time; 4],
    /// Energy per state bucket, J.
    pub state_j: [f64; 4],
    /// Carbon so far (facility share, i.e. x PUE), g.
    pub carbon_g: f64,
    /// Electricity cost so far (facility share).
    pub cost: f64,
}

/// The meter's running totals at one instant (see [`Meter::totals`]).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals {
    /// IT energy, J.
    pub it_j: f64,
    /// Facility energy, J.
    pub facility_j: f64,
    /// Carbon, g.
    pub carbon_g: f64,
    /// Cost.
    pub cost: f64,
}

/// Integrates power and emits series rows; also keeps each device's account
/// ([`Meter::close_device`]). Call [`Meter::advance`] with the state that
/// held since the previous call, before changing it.
#[derive(Debug)]
pub struct Meter {
    sig: Signals,
    interval: Option<Time>,
    last: Time,
    /// Energy per class, J.
    class_j: Vec<f64>,
    /// IT energy, J.
    it_j: f64,
    /// Carbon, g.
    carbon_g: f64,
    /// Cost.
    cost: f64,
    /// Highest IT power held for a positive time, W.
    peak_w: f64,
    /// Time with IT power at the cap (within 0.1%), ns.
    at_cap_ns: Time,
    /// Highest IT power minus cap seen, W (should never be positive).
    max_over_cap_w: f64,
    /// Integral of queue length over time, job-ns.
    queue_integral: f64,
    // Accumulation of the current row.
    acc_start: Time,
    acc_class_j: Vec<f64>,
    acc_queue: f64,
    acc_busy: f64,
    acc_asleep: f64,
    acc_transition: f64,
    acc_carbon: f64,
    acc_cost: f64,
    acc_cap: Option<f64>,
    last_row: Option<Levels>,
    devices: Vec<DeviceAccount>,
}

impl Meter {
    /// A meter for `classes` classes.
    pub fn new(classes: usize, sig: Signals, interval: Option<Time>) -> Self {
        Meter {
            sig,
            interval,
            last: 0,
            class_j: vec![0.0; classes],
            it_j: 0.0,
            carbon_g: 0.0,
            cost: 0.0,
            peak_w: 0.0,
            at_cap_ns: 0,
            max_over_cap_w: f64::NEG_INFINITY,
            queue_integral: 0.0,
            acc_start: 0,
            acc_class_j: vec![0.0; classes],
            acc_queue: 0.0,
            acc_busy: 0.0,
            acc_asleep: 0.0,
            acc_transition: 0.0,
            acc_carbon: 0.0,
            acc_cost: 0.0,
            acc_cap: None,
            last_row: None,
            devices: Vec::new(),
        }
    }

    /// Keeps accounts for `n` devices, all starting at time 0.
    pub fn with_devices(mut self, n: usize) -> Self {
        self.devices = vec![DeviceAccount::default(); n];
        self
    }

    /// Energy per class, J.
    pub fn class_j(&self) -> &[f64] {
        &self.class_j
    }

    /// IT energy, J.
    pub fn it_j(&self) -> f64 {
        self.it_j
    }

    /// Carbon, g.
    pub fn carbon_g(&self) -> f64 {
        self.carbon_g
    }

    /// Electricity cost.
    pub fn cost(&self) -> f64 {
        self.cost
    }

    /// Highest IT power held for a positive time, W.
    pub fn peak_w(&self) -> f64 {
        self.peak_w
    }

    /// Time with IT power at the cap (within 0.1%), ns.
    pub fn at_cap_ns(&self) -> Time {
        self.at_cap_ns
    }

    /// Highest IT power minus cap seen, W (never positive when the cap held; minus
    /// infinity without a cap).
    pub fn max_over_cap_w(&self) -> f64 {
        self.max_over_cap_w
    }

    /// Integral of the queue length over time, job-ns.
    pub fn queue_integral(&self) -> f64 {
        self.queue_integral
    }

    /// Device `d`'s account.
    pub fn device(&self, d: usize) -> &DeviceAccount {
        &self.devices[d]
    }

    /// Every device's account, by id.
    pub fn devices(&self) -> &[DeviceAccount] {
        &self.devices
    }

    /// Closes device `d`'s account up to `now`: it drew `watts` in accounting bucket
    /// `bucket` (0 busy, 1 idle, 2 asleep, 3 transition) since its last change.
    pub fn close_device(&mut self, d: usize, watts: f64, bucket: usize, now: Time) {
        let last = self.devices[d].last_change;
        let dt = now - last;
        let e = watts * dt as f64 / NANOS_PER_SEC;
        let cc = (dt > 0 && watts != 0.0).then(|| self.carbon_cost(watts, last, now));
        let acc = &mut self.devices[d];
        acc.state_ns[bucket] += dt;
        acc.state_j[bucket] += e;
        acc.energy_j += e;
        if let Some((cg, co)) = cc {
            acc.carbon_g += cg;
            acc.cost += co;
        }
        acc.last_change = now;
    }

    /// The totals integrated so far (up to the last [`Meter::advance`]).
    pub fn totals(&self) -> Totals {
        Totals {
            it_j: self.it_j,
            facility_j: self.facility_j(),
            carbon_g: self.carbon_g,
            cost: self.cost,
        }
    }

    /// Facility energy, J.
    pub fn facility_j(&self) -> f64 {
        self.it_j * self.sig.pue
    }

    /// Carbon (g) and cost of `watts` of IT power held over [t0, t1], facility share.
    pub fn carbon_cost(&self, watts: f64, t0: Time, t1: Time) -> (f64, f64) {
        let kw = watts * self.sig.pue / 1000.0;
        (
            kw * self.sig.carbon.integral(t0, t1) / 3600.0,
            kw * self.sig.price.integral(t0, t1) / 3600.0,
        )
    }

    /// The cap at time `t`, W.
    pub fn cap_at(&self, t: Time) -> Option<f64> {
        self.sig.cap.as_ref().map(|c| c.at(t))
    }

    /// Integrates `lv` over [last, t) and emits rows through `emit`.
    pub fn advance(&mut self, t: Time, lv: &Levels, emit: &mut dyn FnMut(PowerRow)) {
        if t <= self.last {
            // A state that held for no time (between two events at one instant).
            return;
        }
        let it = lv.it();
        self.peak_w = self.peak_w.max(it);
        let dt = t - self.last;
        let dts = dt as f64 / NANOS_PER_SEC;
        for (e, w) in self.class_j.iter_mut().zip(&lv.class_w) {
            *e += w * dts;
        }
        self.it_j += it * dts;
        self.queue_integral += lv.queue_len as f64 * dt as f64;
        // Cap changes are events, so the cap is constant over [last, t).
        let cap = self.cap_at(self.last);
        if let Some(c) = cap {
            self.max_over_cap_w = self.max_over_cap_w.max(it - c);
            if it >= c * (1.0 - 1e-3) {
                self.at_cap_ns += dt;
            }
        }
        match self.interval {
            None => {
                if self.last_row.as_ref() != Some(lv) || cap != self.acc_cap {
                    self.flush_segment(emit);
                    self.acc_start = self.last;
                    self.last_row = Some(lv.clone());
                    self.acc_cap = cap;
                }
                let (cg, co) = self.carbon_cost(it, self.last, t);
                self.carbon_g += cg;
                self.cost += co;
                self.acc_carbon += cg;
                self.acc_cost += co;
            }
            Some(iv) => {
                let mut from = self.last;
                while from < t {
                    let boundary = (from / iv + 1) * iv;
                    let to = boundary.min(t);
                    let d = (to - from) as f64 / NANOS_PER_SEC;
                    for (a, w) in self.acc_class_j.iter_mut().zip(&lv.class_w) {
                        *a += w * d;
                    }
                    self.acc_queue += lv.queue_len as f64 * d;
                    self.acc_busy += lv.busy as f64 * d;
                    self.acc_asleep += lv.asleep as f64 * d;
                    self.acc_transition += lv.transition as f64 * d;
                    let (cg, co) = self.carbon_cost(it, from, to);
                    self.carbon_g += cg;
                    self.cost += co;
                    self.acc_carbon += cg;
                    self.acc_cost += co;
                    if let Some(c) = cap {
                        self.acc_cap = Some(self.acc_cap.map_or(c, |a: f64| a.min(c)));
                    }
                    if to == boundary {
                        self.flush_interval(boundary, emit);
                    }
                    from = to;
                }
            }
        }
        self.last = t;
    }

    fn flush_segment(&mut self, emit: &mut dyn FnMut(PowerRow)) {
        if let Some(lv) = self.last_row.take() {
            let it = lv.it();
            emit(PowerRow {
                time_s: to_secs(self.acc_start),
                duration_s: to_secs(self.last - self.acc_start),
                it_w: it,
                facility_w: it * self.sig.pue,
                class_w: lv.class_w,
                cap_w: self.acc_cap,
                queue_len: lv.queue_len as f64,
                busy_devices: lv.busy as f64,
                asleep_devices: lv.asleep as f64,
                transition_devices: lv.transition as f64,
                carbon_g: self.acc_carbon,
                cost: self.acc_cost,
            });
            self.acc_carbon = 0.0;
            self.acc_cost = 0.0;
        }
    }

    fn flush_interval(&mut self, end: Time, emit: &mut dyn FnMut(PowerRow)) {
        let d = (end - self.acc_start) as f64 / NANOS_PER_SEC;
        if d <= 0.0 {
            return;
        }
        let class_w: Vec<f64> = self.acc_class_j.iter().map(|e| e / d).collect();
        let it: f64 = class_w.iter().sum();
        emit(PowerRow {
            time_s: to_secs(self.acc_start),
            duration_s: d,
            it_w: it,
            facility_w: it * self.sig.pue,
            class_w,
            cap_w: self.acc_cap,
            queue_len: self.acc_queue / d,
            busy_devices: self.acc_busy / d,
            asleep_devices: self.acc_asleep / d,
            transition_devices: self.acc_transition / d,
            carbon_g: self.acc_carbon,
            cost: self.acc_cost,
        });
        self.acc_class_j.iter_mut().for_each(|a| *a = 0.0);
        self.acc_queue = 0.0;
        self.acc_busy = 0.0;
        self.acc_asleep = 0.0;
        self.acc_transition = 0.0;
        self.acc_carbon = 0.0;
        self.acc_cost = 0.0;
        self.acc_cap = None;
        self.acc_start = end;
    }

    /// Ends the series at the meter's last time, flushing a partial interval.
    pub fn finish(&mut self, emit: &mut dyn FnMut(PowerRow)) {
        match self.interval {
            None => self.flush_segment(emit),
            Some(_) => {
                let end = self.last;
                self.flush_interval(end, emit)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lv(w: &[f64], q: u64) -> Levels {
        Levels {
            class_w: w.to_vec(),
            queue_len: q,
            ..Default::default()
        }
    }

    fn sig(pue: f64) -> Signals {
        Signals {
            pue,
            carbon: Signal::constant(500.0),
            price: Signal::constant(0.1),
            cap: None,
        }
    }

    #[test]
    fn energy_and_carbon_are_exact_integrals() {
        let mut m = Meter::new(2, sig(1.5), None);
        let mut rows = Vec::new();
        m.advance(2_000_000_000, &lv(&[10.0, 5.0], 0), &mut |r| rows.push(r));
        m.advance(3_000_000_000, &lv(&[20.0, 5.0], 1), &mut |r| rows.push(r));
        m.finish(&mut |r| rows.push(r));
        assert!((m.it_j - (15.0 * 2.0 + 25.0)).abs() < 1e-9);
        assert!((m.facility_j() - 1.5 * 55.0).abs() < 1e-9);
        // 82.5 J facility = 82.5 / 3.6e6 kWh at 500 g/kWh.
        assert!((m.carbon_g - 82.5 / 3.6e6 * 500.0).abs() < 1e-12);
        assert_eq!(rows.len(), 2);
        let series_j: f64 = rows.iter().map(|r| r.it_w * r.duration_s).sum();
        assert!((series_j - m.it_j).abs() < 1e-9);
        let series_g: f64 = rows.iter().map(|r| r.carbon_g).sum();
        assert!((series_g - m.carbon_g).abs() < 1e-12);
    }

    #[test]
    fn interval_rows_average_power() {
        let mut m = Meter::new(1, sig(1.0), Some(1_000_000_000));
        let mut rows = Vec::new();
        m.advance(500_000_000, &lv(&[10.0], 2), &mut |r| rows.push(r));
        m.advance(1_500_000_000, &lv(&[30.0], 0), &mut |r| rows.push(r));
        m.finish(&mut |r| rows.push(r));
        assert_eq!(rows.len(), 2);
        assert!((rows[0].it_w - 20.0).abs() < 1e-9);
        assert!((rows[0].queue_len - 1.0).abs() < 1e-9);
        assert!((rows[1].it_w - 30.0).abs() < 1e-9);
        assert!((rows[1].duration_s - 0.5).abs() < 1e-9);
    }
}
