//! `hetsim._hetsim`: the compiled half of the Python package. Runs, sweeps, Python
//! policies and the Gymnasium environment's simulation thread; the pure-Python half
//! (`hetsim/__init__.py`) turns the files and records into DataFrames.
// hetsim's error types carry file, position and hint: large, built once per failure.
#![allow(clippy::result_large_err)]

use hetsim::run::{RunError, RunOptions, Silent};
use hetsim::scenario::{self, InputError as ScenarioInputError};
use hetsim::sweep::exec::Options as SweepOptions;
use hetsim::sweep::plan::Plan;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use std::path::{Path, PathBuf};

mod gym;
mod host;

create_exception!(
    _hetsim,
    HetsimError,
    PyException,
    "Base class of every error hetsim raises."
);
create_exception!(
    _hetsim,
    InputError,
    HetsimError,
    "Bad input: a scenario or sweep file, a setting, a policy name. Attributes: file, line, column, field, message, hint."
);
create_exception!(
    _hetsim,
    SimulationError,
    HetsimError,
    "The simulation or writing its results failed (e.g. a policy's decision was invalid)."
);

/// Converts an input error into `InputError` with its location as attributes.
pub(crate) fn input_err(py: Python<'_>, e: &ScenarioInputError) -> PyErr {
    let err = InputError::new_err(e.to_string());
    let v = err.value(py);
    let _ = v.setattr("file", e.file.display().to_string());
    let _ = v.setattr("line", e.line);
    let _ = v.setattr("column", e.column);
    let _ = v.setattr("field", e.path.clone());
    let _ = v.setattr("message", e.message.clone());
    let _ = v.setattr("hint", e.hint.clone());
    err
}

/// A run's failure as a Python exception: setup errors about the scenario's policy
/// are input errors, the rest simulation errors with the whole cause chain.
pub(crate) fn run_err(e: &RunError) -> PyErr {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let t = s.to_string();
        if !msg.contains(&t) {
            msg.push_str(": ");
            msg.push_str(&t);
        }
        src = s.source();
    }
    SimulationError::new_err(msg)
}

/// Loads a scenario with overrides (and its policy checked when `check_policy`).
pub(crate) fn load(
    py: Python<'_>,
    path: &str,
    overrides: Vec<String>,
    check_policy: bool,
) -> PyResult<scenario::Loaded> {
    let loaded = scenario::load(Path::new(path), &overrides).map_err(|e| input_err(py, &e))?;
    if check_policy {
        hetsim::run::check_policies(&loaded).map_err(|e| input_err(py, &e))?;
    } else {
        // A Python policy replaces the scenario's: only the power manager must build.
        let mut l = loaded.clone();
        l.scenario.policy.name = "fcfs".into();
        l.scenario.policy.params = Default::default();
        hetsim::run::check_policies(&l).map_err(|e| input_err(py, &e))?;
    }
    Ok(loaded)
}

/// Runs a scenario and writes its run folder to `out`; returns the folder.
/// `policy` is a Python policy object (see `hetsim.Policy`) or None for the
/// scenario's own.
#[pyfunction]
#[pyo3(signature = (path, overrides, out, charts, policy=None))]
fn run_folder(
    py: Python<'_>,
    path: &str,
    overrides: Vec<String>,
    out: PathBuf,
    charts: bool,
    policy: Option<Py<PyAny>>,
) -> PyResult<String> {
    let loaded = load(py, path, overrides, policy.is_none())?;
    let opts = RunOptions {
        out: Some(out),
        no_charts: !charts,
    };
    let res = match policy {
        None => py.detach(|| hetsim::run::run_to_folder(&loaded, &opts)),
        Some(obj) => {
            let (hosted, failed) = host::hosted(py, obj)?;
            let r = hetsim::run::run_to_folder_with_policy(
                &loaded,
                &opts,
                &mut Silent,
                Some(Box::new(hosted)),
            );
            host::take_error(&failed)?;
            r
        }
    };
    let res = res.map_err(|e| run_err(&e))?;
    Ok(res.dir.display().to_string())
}

/// Runs a sweep file with the sweep engine (parallel, built-in policies); returns
/// the output folder.
#[pyfunction]
#[pyo3(signature = (sweep_file, out, jobs=None))]
fn sweep_folder(
    py: Python<'_>,
    sweep_file: &str,
    out: PathBuf,
    jobs: Option<usize>,
) -> PyResult<String> {
    let opts = SweepOptions {
        jobs,
        out: Some(out),
        ..Default::default()
    };
    let r = py.detach(|| hetsim::sweep::exec::run(Path::new(sweep_file), &opts));
    match r {
        Ok(rep) => Ok(rep.dir.display().to_string()),
        Err(hetsim::sweep::error::SweepError::Input(e)) => Err(input_err(py, &e)),
        Err(e) => {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                src = s.source();
            }
            Err(SimulationError::new_err(msg))
        }
    }
}

/// Plans a sweep file and runs each run in turn with a fresh Python policy from
/// `factory()`; returns (run, point, replication, seed, axis cells, summary JSON) per
/// run in plan order. The plan (points, seeds) is the sweep engine's.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn sweep_python(
    py: Python<'_>,
    sweep_file: &str,
    factory: Py<PyAny>,
) -> PyResult<(
    Vec<String>,
    Vec<(usize, usize, u64, u64, Vec<String>, String)>,
)> {
    let plan = Plan::load(Path::new(sweep_file)).map_err(|e| input_err(py, &e))?;
    let m = &plan.manifest;
    let axes = m.axes.iter().map(|a| a.path.clone()).collect();
    let mut rows = Vec::with_capacity(m.runs.len());
    for spec in &m.runs {
        let loaded = plan.loaded(spec.run).map_err(|e| input_err(py, &e))?;
        let obj = factory.call0(py)?;
        let (hosted, failed) = host::hosted(py, obj)?;
        let r = hetsim::embed::run_records(
            &loaded.scenario,
            loaded.scenario.seed,
            Some(Box::new(hosted)),
        );
        host::take_error(&failed)?;
        let (outcome, _) = r.map_err(|e| run_err(&e))?;
        let summary = serde_json::to_string(&outcome.summary)
            .map_err(|e| SimulationError::new_err(e.to_string()))?;
        rows.push((
            spec.run,
            spec.point,
            spec.replication,
            spec.seed,
            m.point_cells(spec.point),
            summary,
        ));
    }
    Ok((axes, rows))
}

/// The version of the hetsim crate this package was built from.
#[pyfunction]
fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[pymodule]
fn _hetsim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("HetsimError", py.get_type::<HetsimError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("SimulationError", py.get_type::<SimulationError>())?;
    m.add_function(wrap_pyfunction!(run_folder, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_folder, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_python, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    host::register(m)?;
    gym::register(m)?;
    Ok(())
}
