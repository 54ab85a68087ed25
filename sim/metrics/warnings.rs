//! Warnings about a scenario's settings that have no effect or that make its figures
//! misleading: a power manager that sleeps or scales on classes that cannot, placeholder
//! powers, listed jobs past the horizon, signals whose data does not cover the
//! accounting window. They go to the summary's `warnings` (and, through
//! [`scenario_warnings`], to whatever prints them before a run).

use crate::engine::{secs, to_secs};
use crate::model::Scenario;
use crate::power_manager::PowerManager;

/// The warnings about `sc` run with power manager `pm`, whose accounting window ends at
/// `window_s` (`None`: unknown before the run).
pub fn warnings_for(sc: &Scenario, pm: &dyn PowerManager, window_s: Option<f64>) -> Vec<String> {
    let mut out = Vec::new();
    let names = |f: &dyn Fn(&crate::model::DeviceClass) -> bool| -> Vec<&str> {
        sc.classes
            .iter()
            .filter(|c| f(c))
            .map(|c| c.name.as_str())
            .collect()
    };
    let no_sleep = names(&|c| c.sleep.is_none());
    if pm.sleeps() && !no_sleep.is_empty() {
        out.push(format!(
            "power manager `{}` puts idle devices to sleep, but class {} has no sleep state: \
             it changes nothing there (give the class `sleep:`)",
            pm.name(),
            no_sleep.join(", ")
        ));
    }
    let one_state = names(&|c| c.pstates.len() < 2);
    if pm.scales() && !one_state.is_empty() {
        out.push(format!(
            "power manager `{}` picks P-states, but class {} has only the top state: it \
             changes nothing there (give the class `pstates:`)",
            pm.name(),
            one_state.join(", ")
        ));
    }
    for c in &sc.classes {
        if c.idle_w == 0.0 && c.busy_w.iter().all(|&w| w == 0.0) {
            out.push(format!(
                "class `{}` draws 0 W idle and busy: its energy, carbon and cost are 0 \
                 (a placeholder power?)",
                c.name
            ));
        }
    }
    out.extend(overload_warnings(sc));
    if let Some(h) = sc.horizon {
        let late = sc
            .jobs
            .iter()
            .filter(|j| j.after.is_none() && j.arrival > h)
            .count();
        if late > 0 {
            out.push(format!(
                "{late} listed job(s) arrive after the horizon ({h} s): the horizon stops \
                 generated arrivals only, so they still run"
            ));
        }
    }
    if let Some(w) = window_s {
        let end = secs(w);
        let f = &sc.facility;
        let signals = [
            ("datacenter.carbon_intensity", Some(&f.carbon)),
            ("datacenter.price", Some(&f.price)),
            ("datacenter.power_cap", f.power_cap.as_ref()),
        ];
        for (field, sig) in signals {
            if let Some((a, b)) = sig.and_then(|s| s.covered())
                && (a > 0 || b < end)
            {
                out.push(format!(
                    "`{field}` has data for {:.0}-{:.0} s, not all of the accounting \
                     window [0, {w:.0}] s; outside its data the nearest value holds",
                    to_secs(a),
                    to_secs(b)
                ));
            }
        }
    }
    out
}

/// Kinds whose generated arrivals alone ask for more device-time per second than the
/// devices that can run them provide: offered load = mean rate x mean work x gang /
/// the sum over capable classes of devices x speed (a job on `k` of `S` slots runs at
/// `k/S` of the speed on `k/S` of the device, so slots change nothing here). Such a
/// queue grows for as long as arrivals last.
fn overload_warnings(sc: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    for (ki, k) in sc.kinds.iter().enumerate() {
        let Some(rate) = k.arrival().mean_rate() else {
            continue;
        };
        let work = k.size().mean();
        let capacity: f64 = sc
            .classes
            .iter()
            .filter_map(|c| c.speed[ki].map(|s| s * c.count as f64))
            .sum();
        if !(work.is_finite() && capacity > 0.0) {
            continue;
        }
        let load = rate * work * k.req.devices as f64 / capacity;
        if load > 1.0 {
            out.push(format!(
                "kind `{}` alone asks for {:.0} % of what the devices that can run it                  deliver ({rate:.4} jobs/s x {work:.4} units x {} device(s) against                  {capacity:.4} units/s): its queue grows as long as arrivals last",
                k.name,
                100.0 * load,
                k.req.devices
            ));
        }
    }
    out
}

/// The warnings a scenario earns before any run: its power manager (built from the
/// scenario; none if that fails, which is reported elsewhere) and its accounting window.
pub fn scenario_warnings(sc: &Scenario) -> Vec<String> {
    match crate::power_manager::build(&sc.power_manager) {
        Ok(pm) => warnings_for(sc, pm.as_ref(), sc.window()),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Format, parse_str};
    use std::path::Path;

    fn warnings(rate: &str) -> Vec<String> {
        // Two devices at speed 2, mean work 1: capacity 4 jobs/s.
        let sc = parse_str(
            &format!(
                "datacenter:
  classes:
    c: {{category: cpu, count: 2, speed: {{a: 2}}, idle_power: 1W, busy_power: 2W}}
workload:
  kinds:
    a:
      arrival: {{process: poisson, rate: {rate}, count: 10}}
      size: {{dist: exponential, mean: 1}}
"
            ),
            Format::Yaml,
            Path::new("t.yaml"),
        )
        .unwrap();
        overload_warnings(&sc)
    }

    #[test]
    fn an_arrival_rate_above_capacity_warns() {
        assert!(warnings("3.9/s").is_empty());
        let w = warnings("5/s");
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("kind `a` alone asks for 125 %"), "{}", w[0]);
    }
}
