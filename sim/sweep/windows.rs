//! Flags runs of a sweep that are compared but were accounted over different
//! windows. Energy, carbon and cost are integrals over a run's accounting window
//! (`window_s`), so two policies at the same point compare only if their windows
//! match. Runs of one replication at one point are compared across policies and
//! power managers (the axes whose path starts with `policy` or `power_manager`);
//! other axes change the scenario, and with it the window, on purpose, and
//! replications are averaged, not compared.

use super::journal::Table;
use super::plan::Manifest;

/// Whether an axis chooses how the same scenario is run (compared within a group)
/// rather than what is run.
fn is_policy_axis(path: &str) -> bool {
    path == "policy"
        || path.starts_with("policy.")
        || path == "power_manager"
        || path.starts_with("power_manager.")
}

/// Runs compared with each other: the group's key cells and (run, window cell) pairs.
type Group = (Vec<String>, Vec<(usize, String)>);

/// Whether a summary key is an integral over the accounting window (the
/// `*_to_makespan` figures are over each run's own span, by definition).
fn over_window(key: &str) -> bool {
    !key.contains("to_makespan")
        && ["energy", "carbon", "cost", "power_mean"]
            .iter()
            .any(|w| key.contains(w))
}

/// One line per group of compared runs whose `window_s` differ. Empty when every
/// group agrees, when `runs.csv` has no `window_s` column, or when the sweep's
/// `metrics` name none that is accounted over the window (a response-time study).
pub fn window_warnings(m: &Manifest, table: &Table) -> Vec<String> {
    let Some(col) = table.header.iter().position(|h| h == "window_s") else {
        return Vec::new();
    };
    if !m.metrics.is_empty() && !m.metrics.iter().any(|k| over_window(k)) {
        return Vec::new();
    }
    let scenario_axes: Vec<usize> = (0..m.axes.len())
        .filter(|&a| !is_policy_axis(&m.axes[a].path))
        .collect();
    // Group runs by the cells of the scenario axes and the replication, in plan order.
    let mut groups: Vec<Group> = Vec::new();
    for (&run, row) in &table.rows {
        let Some(spec) = m.runs.get(run) else {
            continue;
        };
        let cells = m.point_cells(spec.point);
        let mut key: Vec<String> = scenario_axes.iter().map(|&a| cells[a].clone()).collect();
        key.push(spec.replication.to_string());
        let window = row.get(col).cloned().unwrap_or_default();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, runs)) => runs.push((run, window)),
            None => groups.push((key, vec![(run, window)])),
        }
    }
    let mut out = Vec::new();
    for (key, runs) in groups {
        let first = &runs[0].1;
        let Some(other) = runs.iter().find(|(_, w)| w != first) else {
            continue;
        };
        let shown = |w: &str| {
            if w.is_empty() {
                "its own end".to_string()
            } else {
                format!("{w} s")
            }
        };
        let mut at: Vec<String> = scenario_axes
            .iter()
            .zip(&key)
            .map(|(&a, v)| format!("{}={v}", m.axes[a].path))
            .collect();
        at.push(format!("replication {}", key[key.len() - 1]));
        let at = at.join(", ");
        out.push(format!(
            "runs {} and {} at {at} are accounted over different windows ({} and {}): \
             their energy, carbon and cost do not compare; set `accounting.until` to \
             account every run over one window",
            runs[0].0,
            other.0,
            shown(first),
            shown(&other.1)
        ));
    }
    out
}
