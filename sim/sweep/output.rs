//! The final files of a sweep folder, written from the manifest and the complete table
//! only, so a local sweep, a resumed sweep and a merge of shards write the same bytes
//! through this one function.

use super::aggregate::{self, Aggregate};
use super::error::SweepError;
use super::journal::Table;
use super::plan::{DEFAULT_METRICS, Manifest};
use crate::output::{StagedFolder, write_atomic};
use crate::scenario::InputError;
use std::path::Path;

/// Checks that the chart and Pareto metrics are columns of `runs.csv`. Metrics named
/// in the sweep file must exist; default ones that do not are skipped.
pub fn check_metrics(m: &Manifest, header: &[String]) -> Result<(), InputError> {
    let known = |k: &str| header.iter().any(|h| h == k);
    let user_metrics = m
        .metrics
        .iter()
        .map(String::as_str)
        .ne(DEFAULT_METRICS.iter().copied());
    let mut wanted: Vec<&str> = Vec::new();
    if user_metrics {
        wanted.extend(m.metrics.iter().map(String::as_str));
    }
    wanted.push(&m.pareto.x);
    wanted.push(&m.pareto.y);
    for k in wanted {
        if !known(k) {
            let cols: Vec<&str> = header
                .iter()
                .map(String::as_str)
                .skip(super::journal::prefix_header(m).len())
                .collect();
            return Err(InputError::file(
                &m.sweep_file,
                format!("`{k}` (in metrics or pareto) is not a summary key"),
            )
            .with_hint(format!("keys: {}", cols.join(", "))));
        }
    }
    Ok(())
}

/// Writes `runs.csv` (plan order), `summary.csv`, `pareto.csv`, `charts/` and
/// `index.html` into `dir`, and `warnings.txt` when runs compared with each other
/// were accounted over different windows. `manifest.json` must already be there.
/// Every run must have a row. Returns the warnings.
pub fn write_final(dir: &Path, m: &Manifest, table: &Table) -> Result<Vec<String>, SweepError> {
    if table.rows.len() != m.runs.len() {
        return Err(SweepError::Inconsistent(format!(
            "{} of {} runs have rows; cannot write the final outputs",
            table.rows.len(),
            m.runs.len()
        )));
    }
    check_metrics(m, &table.header)?;
    write_atomic(&dir.join(super::RUNS), &table.to_bytes()).map_err(SweepError::file(format!(
        "cannot write {}",
        dir.join(super::RUNS).display()
    )))?;
    let agg = Aggregate::new(m, table);
    write_atomic(&dir.join(super::SUMMARY), &agg.summary_csv(m))?;
    let pareto = aggregate::pareto(m, &agg);
    write_atomic(&dir.join("pareto.csv"), &aggregate::pareto_csv(m, &pareto))?;

    // Charts go to a fresh folder that then replaces `charts/` whole.
    let staged = StagedFolder::part(&dir.join("charts"))?;
    let charts = super::charts::draw_all(staged.dir(), m, &agg, &pareto)?;
    staged.commit()?;
    let warnings = super::windows::window_warnings(m, table);
    let path = dir.join("warnings.txt");
    if warnings.is_empty() {
        // A resumed sweep whose old warnings no longer hold.
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(SweepError::file(format!(
                    "cannot remove {}",
                    path.display()
                ))(e));
            }
            _ => {}
        }
    } else {
        let mut text = warnings.join("\n");
        text.push('\n');
        write_atomic(&path, text.as_bytes())?;
    }
    let html = super::html::page(m, &agg, &pareto, &charts, &warnings);
    write_atomic(&dir.join("index.html"), html.as_bytes())?;
    Ok(warnings)
}
