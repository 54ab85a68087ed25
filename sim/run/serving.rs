//! Runs of scenarios with `serving:`: a serving-only scenario (the LLM serving model
//! alone) or one with serving beside jobs ([`crate::serving::mixed`]), each to an
//! atomically written run folder.

use crate::report::{files, serving_files};
use crate::serving::ServingSpec;
use crate::serving::summary::ServingSummary;
use std::path::Path;

/// Why a serving run folder could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ServingError {
    /// The run folder could not be prepared or moved into place.
    #[error(transparent)]
    Folder(#[from] crate::output::FolderError),
    /// A file could not be written.
    #[error("cannot write run folder {}", .0.display())]
    Io(std::path::PathBuf, #[source] std::io::Error),
    /// A chart could not be drawn.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
}

/// Simulates `spec` and writes the run folder `target` (atomically): the scenario
/// file, overrides.txt, requests.csv, series.csv, summary.json and, unless
/// `no_charts`, the charts. Returns the folder and the summary.
pub fn serving_to_folder(
    loaded: &crate::scenario::Loaded,
    spec: &ServingSpec,
    target: &Path,
    no_charts: bool,
) -> Result<(std::path::PathBuf, ServingSummary), ServingError> {
    let staging = crate::output::StagedFolder::run(target)?;
    let dir = staging.dir().to_path_buf();
    let io = |e| ServingError::Io(target.to_path_buf(), e);
    super::write_inputs(loaded, &dir).map_err(io)?;
    let o = crate::serving::sim::simulate(spec);
    let s = crate::serving::summary::summarize(&loaded.scenario.name, spec, &o);
    serving_files::write_all(&dir, spec, &o, &s).map_err(io)?;
    if !no_charts {
        let charts = dir.join("charts");
        std::fs::create_dir_all(&charts).map_err(io)?;
        crate::report::charts::serving::draw_all(&charts, &o)?;
    }
    let dir = staging.commit()?;
    Ok((dir, s))
}

/// Runs a scenario with serving instances beside its jobs ([`crate::serving::mixed`]) and
/// writes its run folder `target` (atomically): what a job run writes (jobs.csv;
/// power.csv, devices.csv and summary.json with both parts; charts and index.html
/// unless `no_charts`) plus the serving part's requests.csv and series.csv.
pub fn mixed_to_folder(
    loaded: &crate::scenario::Loaded,
    spec: &ServingSpec,
    target: &Path,
    no_charts: bool,
) -> Result<(std::path::PathBuf, crate::serving::mixed::MixedOutcome), crate::run::RunError> {
    use crate::run::RunError;
    let sc = &loaded.scenario;
    let staging = crate::output::StagedFolder::run(target)?;
    let dir = staging.dir().to_path_buf();
    let written = (|| -> Result<crate::serving::mixed::MixedOutcome, RunError> {
        super::write_inputs(loaded, &dir)?;
        let mut obs = files::CsvObserver::create(&dir, sc)?;
        let max_waiting = super::waiting_budget(loaded);
        let mut m = crate::serving::mixed::simulate(sc, spec, max_waiting, &mut obs).map_err(
            |e| match e {
                crate::error::SimError::Output(io) => RunError::Io(io),
                e => RunError::SimulationInFolder(e),
            },
        )?;
        if let Some(dt) = obs.finish()? {
            m.outcome.summary.power_interval_s = Some(dt);
        }
        files::write_devices(&dir, &m.outcome.devices)?;
        files::write_summary(&dir, &m.outcome.summary)?;
        serving_files::write_requests(&dir.join("requests.csv"), &m.serving)?;
        serving_files::write_series(&dir.join("series.csv"), &m.serving)?;
        Ok(m)
    })()
    .map_err(|e| super::in_folder(e, &staging))?;
    if !no_charts {
        crate::report::plot::draw_run(&dir, Some(sc))?;
    }
    let dir = staging.commit()?;
    Ok((dir, written))
}
