//! A scenario with both `serving:` and a job workload: serving instances and batch
//! jobs in one datacenter, sharing its facility (PUE, carbon intensity, price).
//!
//! The design is the simplest exact one. The serving instances' devices are dedicated
//! to serving: they are taken out of the job part's classes, so the two parts share
//! no device, no queue and no decision, only the facility. Each part then runs as its
//! own exact event stream: the serving model first (recording every change of an
//! instance's power), then the job simulation on the remaining devices. Their powers
//! are piecewise constant, so the facility's power is their sum, merged exactly: each
//! power row of the job part (one per change) is cut at the serving part's changes
//! inside it, and the pieces (job power + serving power) go through one [`Meter`],
//! which integrates energy, carbon and cost against the facility's signals and writes
//! power.csv (per change or per `output.power_interval`, as for a job run).
//!
//! What is refused at load ([`check`]): a facility power cap (honouring it would
//! couple the parts: jobs would wait for power the serving part draws), serving on a
//! class with slots, and a job kind that no longer fits on the devices left to jobs.

use super::ServingSpec;
use super::sim::{PowerStep, ServingOutcome, simulate_recording};
use super::summary::{ServingSummary, summarize};
use crate::engine::{Time, secs, to_secs};
use crate::error::SimError;
use crate::metrics::{DeviceRecord, JobRecord, Summary};
use crate::model::{FieldError, Scenario};
use crate::power::{Levels, Meter, PowerRow, Signals};
use crate::simulation::{Observer, Outcome, Simulation};
use serde_json::{Map, Value, json};

/// Devices the serving instances hold, per class (scenario class order).
pub fn serving_devices(sc: &Scenario, spec: &ServingSpec) -> Vec<u32> {
    let class = hw_class(sc, spec);
    let mut n = vec![0u32; sc.classes.len()];
    for i in &spec.instances {
        n[class[i.hw]] += i.devices;
    }
    n
}

/// The scenario class index of each hardware entry.
fn hw_class(sc: &Scenario, spec: &ServingSpec) -> Vec<usize> {
    spec.hardware
        .iter()
        .map(|h| {
            sc.classes
                .iter()
                .position(|c| c.name == h.class)
                .expect("serving hardware names a scenario class")
        })
        .collect()
}

/// Whether a loaded scenario has both parts (a serving scenario with job kinds or
/// listed jobs).
pub fn is_mixed(sc: &Scenario) -> bool {
    !sc.kinds.is_empty() || !sc.jobs.is_empty()
}

/// Load-time checks of a scenario with both parts (field paths for the error).
pub fn check(sc: &Scenario, spec: &ServingSpec) -> Result<(), FieldError> {
    if sc.facility.power_cap.is_some() {
        return Err(FieldError::new(
            "datacenter.power_cap",
            "a power cap cannot be honoured across serving instances and jobs (the \
             serving model has no way to wait for power)",
        )
        .with_hint(
            "remove datacenter.power_cap, or run the jobs without `serving:` to study \
             the cap",
        ));
    }
    let used = serving_devices(sc, spec);
    for (c, &n) in sc.classes.iter().zip(&used) {
        if n > 0 && c.slots > 1 {
            return Err(FieldError::new(
                format!("datacenter.classes.{}.slots", c.name),
                "serving instances need whole devices: a class with slots cannot serve",
            ));
        }
    }
    for (ki, k) in sc.kinds.iter().enumerate() {
        let fits = sc.classes.iter().enumerate().any(|(ci, c)| {
            c.speed.get(ki).is_some_and(|s| s.is_some()) && c.count - used[ci] >= k.req.devices
        });
        if !fits {
            return Err(FieldError::new(
                format!("workload.kinds.{}.devices", k.name),
                format!(
                    "needs {} devices of one class that can run it, but the serving \
                     instances leave no such class with that many",
                    k.req.devices
                ),
            )
            .with_hint("serving instances hold their devices: add devices to a class, or use fewer instances"));
        }
    }
    Ok(())
}

/// The job part's scenario: every class without the serving devices, power rows per
/// change (merged and then written at the scenario's own interval), and an
/// accounting window that covers the serving part's last event `serving_end`. Also
/// says when that window is longer than the scenario's own.
pub fn job_scenario(
    sc: &Scenario,
    spec: &ServingSpec,
    serving_end: f64,
) -> (Scenario, Option<String>) {
    let mut job = sc.clone();
    job.serving = false;
    for (c, n) in job.classes.iter_mut().zip(serving_devices(sc, spec)) {
        c.count -= n;
    }
    job.output.power_interval = None;
    job.output.power_max_rows = 0;
    let own = sc.accounting_until.or_else(|| job.default_window());
    let note = match own {
        Some(w) if w >= serving_end => None,
        Some(w) => Some(format!(
            "the accounting window was extended from {w} s to {serving_end} s, the \
             serving part's last event"
        )),
        None => Some(NO_COMMON_WINDOW.to_string()),
    };
    job.accounting_until = Some(own.map_or(serving_end, |w| w.max(serving_end)));
    (job, note)
}

/// The warning of a run whose jobs have no accounting window of their own.
const NO_COMMON_WINDOW: &str = "no common accounting window: generated arrivals without \
     a horizon; energy, carbon and cost are accounted to the later of the serving part's \
     last event and the jobs' end, which depends on the policy; set `accounting.until` \
     to compare runs";

/// One instance's accounts over [0, until].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstanceAccount {
    /// Time running iterations, s.
    pub busy_s: f64,
    /// Time idle, s.
    pub idle_s: f64,
    /// Energy while busy, J.
    pub busy_j: f64,
    /// Energy while idle, J.
    pub idle_j: f64,
    /// Carbon (facility share), g.
    pub carbon_g: f64,
    /// Cost (facility share).
    pub cost: f64,
}

/// Every instance's account over [0, until], from the recorded power steps (an
/// instance holds its last power after its last step). `meter` gives the facility
/// signals.
pub fn accounts(
    spec: &ServingSpec,
    o: &ServingOutcome,
    until: Time,
    meter: &Meter,
) -> Vec<InstanceAccount> {
    let mut acc = vec![InstanceAccount::default(); spec.instances.len()];
    let mut level: Vec<(f64, bool, Time)> = idle_levels(spec)
        .into_iter()
        .map(|w| (w, false, 0))
        .collect();
    let close = |acc: &mut InstanceAccount, (w, busy, since): (f64, bool, Time), t: Time| {
        if t <= since {
            return;
        }
        let (dt, e) = (to_secs(t - since), w * to_secs(t - since));
        if busy {
            acc.busy_s += dt;
            acc.busy_j += e;
        } else {
            acc.idle_s += dt;
            acc.idle_j += e;
        }
        if w != 0.0 {
            let (g, c) = meter.carbon_cost(w, since, t);
            acc.carbon_g += g;
            acc.cost += c;
        }
    };
    for s in o.steps.iter().take_while(|s| s.t < until) {
        let i = s.inst as usize;
        close(&mut acc[i], level[i], s.t);
        level[i] = (s.watts, s.busy, s.t);
    }
    for (a, &l) in acc.iter_mut().zip(&level) {
        close(a, l, until);
    }
    acc
}

/// Each instance's idle power, W (its level at time 0).
fn idle_levels(spec: &ServingSpec) -> Vec<f64> {
    spec.instances
        .iter()
        .map(|i| spec.hardware[i.hw].power.idle * i.devices as f64)
        .collect()
}

/// Passes the job part's records on and adds the serving part's power to its power
/// rows (see the module comment).
struct Merge<'a> {
    inner: &'a mut dyn Observer,
    meter: Meter,
    steps: &'a [PowerStep],
    next: usize,
    /// Per instance: power, busy, class index, devices.
    inst: Vec<(f64, bool, usize, u32)>,
    /// Serving power per class, W.
    class_w: Vec<f64>,
    /// Serving devices running an iteration.
    busy: u64,
    /// End of the last job row.
    end: Time,
    rows: Vec<PowerRow>,
}

impl Merge<'_> {
    fn apply(&mut self, s: PowerStep) {
        let x = &mut self.inst[s.inst as usize];
        match (x.1, s.busy) {
            (false, true) => self.busy += x.3 as u64,
            (true, false) => self.busy -= x.3 as u64,
            _ => {}
        }
        x.0 = s.watts;
        x.1 = s.busy;
        let c = x.2;
        // The class's power summed afresh, so no rounding drift accumulates.
        self.class_w[c] = self.inst.iter().filter(|y| y.2 == c).map(|y| y.0).sum();
    }

    fn levels(&self, base: &Levels) -> Levels {
        let mut lv = base.clone();
        lv.add(&self.class_w, self.busy);
        lv
    }

    fn flush(&mut self) -> std::io::Result<()> {
        for r in std::mem::take(&mut self.rows) {
            self.inner.power(&r)?;
        }
        Ok(())
    }
}

impl Observer for Merge<'_> {
    fn job(&mut self, r: &JobRecord) -> std::io::Result<()> {
        self.inner.job(r)
    }

    fn power(&mut self, r: &PowerRow) -> std::io::Result<()> {
        // Rows per change: the job part's state was constant over the row.
        let a = self.end;
        let b = a + secs(r.duration_s);
        let base = Levels::of_row(r);
        while let Some(&s) = self.steps.get(self.next).filter(|s| s.t < b) {
            if s.t > a {
                let lv = self.levels(&base);
                let rows = &mut self.rows;
                self.meter.advance(s.t, &lv, &mut |row| rows.push(row));
            }
            self.apply(s);
            self.next += 1;
        }
        let lv = self.levels(&base);
        let rows = &mut self.rows;
        self.meter.advance(b, &lv, &mut |row| rows.push(row));
        self.end = b;
        self.flush()
    }

    fn progress(&mut self, now_s: f64, jobs_done: u64) {
        self.inner.progress(now_s, jobs_done);
    }
}

/// What a run with both parts produces.
#[derive(Debug)]
pub struct MixedOutcome {
    /// The job part's outcome with the facility's totals (both parts) in its summary,
    /// the serving devices appended to its device records, and the serving figures
    /// under `serving.<config>`.
    pub outcome: Outcome,
    /// The serving part's records.
    pub serving: ServingOutcome,
    /// The serving part's own summary (over its makespan, as in a serving-only run).
    pub serving_summary: ServingSummary,
}

/// Runs both parts; `obs` gets the job records and the merged power rows. The job
/// part stops with an error once more than `max_waiting` jobs wait
/// ([`Simulation::max_waiting`]; `u64::MAX` for no bound).
pub fn simulate(
    sc: &Scenario,
    spec: &ServingSpec,
    max_waiting: u64,
    obs: &mut dyn Observer,
) -> Result<MixedOutcome, SimError> {
    let serving = simulate_recording(spec);
    let serving_summary = summarize(&sc.name, spec, &serving);
    let (job_sc, note) = job_scenario(sc, spec, serving.end_s);
    let sim = Simulation::new(&job_sc, sc.seed)?.max_waiting(max_waiting);
    let classes = hw_class(sc, spec);
    let signals = Signals {
        pue: sc.facility.pue,
        carbon: sc.facility.carbon.clone(),
        price: sc.facility.price.clone(),
        cap: None,
    };
    let inst: Vec<(f64, bool, usize, u32)> = spec
        .instances
        .iter()
        .zip(idle_levels(spec))
        .map(|(i, w)| (w, false, classes[i.hw], i.devices))
        .collect();
    let mut class_w = vec![0.0; sc.classes.len()];
    for x in &inst {
        class_w[x.2] += x.0;
    }
    let mut merge = Merge {
        inner: obs,
        meter: Meter::new(
            sc.classes.len(),
            signals,
            sc.output.power_interval.map(secs),
        ),
        steps: &serving.steps,
        next: 0,
        inst,
        class_w,
        busy: 0,
        end: 0,
        rows: Vec::new(),
    };
    let mut outcome = sim.run(&mut merge)?;
    let Merge { meter, end, .. } = {
        let rows = &mut merge.rows;
        merge.meter.finish(&mut |r| rows.push(r));
        merge.flush().map_err(SimError::Output)?;
        merge
    };
    let s = &mut outcome.summary;
    debug_assert_eq!(end, secs(s.window_s));
    let window = accounts(spec, &serving, end, &meter);
    let to_end = accounts(spec, &serving, secs(s.horizon_s), &meter);
    patch_summary(
        s,
        sc,
        spec,
        &serving_summary,
        &meter,
        &window,
        &to_end,
        note,
    );
    // The serving devices after the job part's, each with its instance's share.
    let mut id = outcome.devices.len() as u32;
    for (i, a) in spec.instances.iter().zip(&window) {
        let class = &sc.classes[classes[i.hw]];
        let n = i.devices as f64;
        for _ in 0..i.devices {
            outcome.devices.push(DeviceRecord {
                device: id,
                class: class.name.clone(),
                category: class.category.as_str().into(),
                busy_s: a.busy_s,
                idle_s: a.idle_s,
                asleep_s: 0.0,
                transition_s: 0.0,
                energy_j: (a.busy_j + a.idle_j) / n,
                busy_j: a.busy_j / n,
                idle_j: a.idle_j / n,
                asleep_j: 0.0,
                transition_j: 0.0,
                carbon_g: a.carbon_g / n,
                cost: a.cost / n,
                jobs: 0,
                wakeups: 0,
            });
            id += 1;
        }
    }
    Ok(MixedOutcome {
        outcome,
        serving,
        serving_summary,
    })
}

/// The facility's figures of both parts in the job part's summary.
#[allow(clippy::too_many_arguments)]
fn patch_summary(
    s: &mut Summary,
    sc: &Scenario,
    spec: &ServingSpec,
    ss: &ServingSummary,
    meter: &Meter,
    window: &[InstanceAccount],
    to_end: &[InstanceAccount],
    note: Option<String>,
) {
    let sum = |a: &[InstanceAccount], f: fn(&InstanceAccount) -> f64| a.iter().map(f).sum::<f64>();
    let job_devices: f64 = s.per_class.values().map(|c| c.devices as f64).sum();
    s.energy_it_j = meter.it_j();
    s.energy_facility_j = meter.facility_j();
    s.carbon_g = meter.carbon_g();
    s.cost = meter.cost();
    s.power_peak_w = meter.peak_w();
    s.power_mean_w = if s.window_s > 0.0 {
        meter.it_j() / s.window_s
    } else {
        0.0
    };
    s.power_interval_s = sc.output.power_interval;
    s.energy_busy_j += sum(window, |a| a.busy_j);
    s.energy_idle_j += sum(window, |a| a.idle_j);
    let pue = sc.facility.pue;
    let end_j = sum(to_end, |a| a.busy_j + a.idle_j);
    s.energy_it_to_makespan_j += end_j;
    s.energy_facility_to_makespan_j += end_j * pue;
    s.carbon_to_makespan_g += sum(to_end, |a| a.carbon_g);
    s.cost_to_makespan += sum(to_end, |a| a.cost);
    // Utilisation over [0, horizon_s], as the job part's: busy device-seconds of both.
    let classes = hw_class(sc, spec);
    let h = s.horizon_s;
    let mut busy_dev_s = vec![0.0; sc.classes.len()];
    for (i, a) in spec.instances.iter().zip(to_end) {
        busy_dev_s[classes[i.hw]] += a.busy_s * i.devices as f64;
    }
    let used = serving_devices(sc, spec);
    let total = job_devices + used.iter().map(|&n| n as f64).sum::<f64>();
    if h > 0.0 && total > 0.0 {
        s.utilization =
            (s.utilization * job_devices * h + busy_dev_s.iter().sum::<f64>()) / (total * h);
    }
    for (ci, c) in sc.classes.iter().enumerate() {
        if let Some(cs) = s.per_class.get_mut(&c.name) {
            let n = cs.devices as f64;
            cs.devices += used[ci];
            cs.energy_j = meter.class_j()[ci];
            if h > 0.0 && cs.devices > 0 {
                cs.utilization =
                    (cs.utilization * n * h + busy_dev_s[ci]) / (cs.devices as f64 * h);
            }
        }
    }
    // Said only when the serving part set the window (the job part may drain past it).
    match note {
        Some(n) if n == NO_COMMON_WINDOW => {
            // The job part's own warning would name the serving part's end as a window.
            s.warnings
                .retain(|w| !w.starts_with("the run drained past the accounting window"));
            s.warnings.push(n);
        }
        Some(n) if (s.window_s - ss.makespan_s).abs() < 1e-6 => s.warnings.push(n),
        _ => {}
    }
    let mut m = Map::new();
    for (k, v) in super::summary::flat(ss) {
        if k != "scenario" && k != "serving_config" {
            m.insert(k, v);
        }
    }
    m.insert(
        "serving_devices".into(),
        json!(used.iter().map(|&n| n as u64).sum::<u64>()),
    );
    m.insert(
        "energy_it_window_j".into(),
        json!(sum(window, |a| a.busy_j + a.idle_j)),
    );
    m.insert("carbon_window_g".into(), json!(sum(window, |a| a.carbon_g)));
    m.insert("cost_window".into(), json!(sum(window, |a| a.cost)));
    let mut group = Map::new();
    group.insert(spec.config.clone(), Value::Object(m));
    s.serving = Some(group);
}
