//! One run from a loaded scenario to a finished run folder (or to its outcome in
//! memory). Prints nothing: progress and notices go to a [`RunProgress`], failures
//! come back as a [`RunError`].

use crate::error::SimError;
use crate::metrics::JobRecord;
use crate::output::{FolderError, StagedFolder};
use crate::power::PowerRow;
use crate::report;
use crate::report::ReportError;
use crate::scenario::{self, InputError, Loaded};
use crate::simulation::{NullObserver, Observer, Outcome, Simulation};
use std::path::{Path, PathBuf};

pub mod serving;

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The scenario could not be turned into a simulation.
    #[error(transparent)]
    Setup(SimError),
    /// The simulation stopped with an error (in memory: its message as is).
    #[error(transparent)]
    Simulation(SimError),
    /// The simulation of a run written to a folder stopped with an error.
    #[error("simulation failed")]
    SimulationInFolder(#[source] SimError),
    /// The run folder could not be prepared or moved into place.
    #[error(transparent)]
    Folder(#[from] FolderError),
    /// A file of the run folder could not be written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A CSV or JSON writer of the run folder failed.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// Writing the run folder failed (a full disk, a quota): names the folder, since
    /// the file-system error alone does not.
    #[error("cannot write run folder {} (staged in {})", .target.display(), .staging.display())]
    Writing {
        /// The run folder.
        target: PathBuf,
        /// The staging folder being written.
        staging: PathBuf,
        /// Why.
        source: Box<RunError>,
    },
    /// The scenario's `serving:` section is bad (checked at load; read again here).
    #[error(transparent)]
    Input(#[from] InputError),
    /// A scenario with `serving:` that this entry point cannot run: serving alone has
    /// no job outcome (run it with [`serving::serving_to_folder`]), and serving beside
    /// jobs runs the scenario's own policy only.
    #[error("{0}")]
    Serving(&'static str),
}

/// Options of one run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Output folder (default `reports/<scenario name>`).
    pub out: Option<PathBuf>,
    /// Skip charts and the HTML report.
    pub no_charts: bool,
}

/// Something a run tells its user without stopping.
#[derive(Debug)]
#[non_exhaustive]
pub enum RunNotice {
    /// Drawing the charts and index.html failed; the run folder is kept without
    /// them (`hetsim plot` can redraw them).
    ChartsNotDrawn(ReportError),
}

/// Receives a run's progress and notices (the command line draws a bar and prints;
/// the library never does). Every method does nothing by default.
pub trait RunProgress {
    /// The simulation starts: its horizon in seconds and the number of jobs it will
    /// release, when known.
    fn start(&mut self, _horizon_s: Option<f64>, _jobs: Option<u64>) {}
    /// Every few thousand events: simulated seconds and jobs finished.
    fn progress(&mut self, _now_s: f64, _jobs_done: u64) {}
    /// The simulation finished without error.
    fn finish(&mut self) {}
    /// A notice; the run goes on.
    fn notice(&mut self, _notice: RunNotice) {}
}

/// A [`RunProgress`] that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;
impl RunProgress for Silent {}

/// A finished run.
#[derive(Debug)]
pub struct RunResult {
    /// Where the files are.
    pub dir: PathBuf,
    /// Summary and device records.
    pub outcome: Outcome,
}

/// Default output folder for a scenario.
pub fn default_out(name: &str) -> PathBuf {
    Path::new("reports").join(sanitize(name))
}

/// A folder name for a scenario name: characters other than letters, digits, `-`,
/// `_` and `.` become `_`, a leading `.` too (so the name is never `.`, `..` or
/// hidden), and an empty name becomes `scenario` (so the folder is never `reports/`
/// itself).
fn sanitize(name: &str) -> String {
    let mut s: String = name
        .chars()
        .take(200)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with('.') {
        s.replace_range(..1, "_");
    }
    if s.is_empty() {
        s = "scenario".into();
    }
    s
}

/// The CSV observer with the run's progress receiver attached.
struct Watched<'a> {
    files: report::files::CsvObserver,
    progress: &'a mut dyn RunProgress,
}

/// Names the file a write failed on (a full disk says only "No space left").
fn writing(file: &'static str) -> impl FnOnce(std::io::Error) -> std::io::Error {
    move |e| std::io::Error::new(e.kind(), format!("writing {file}: {e}"))
}

impl Observer for Watched<'_> {
    fn job(&mut self, r: &JobRecord) -> std::io::Result<()> {
        self.files.job(r).map_err(writing(crate::schema::JOBS_CSV))
    }
    fn power(&mut self, r: &PowerRow) -> std::io::Result<()> {
        self.files
            .power(r)
            .map_err(writing(crate::schema::POWER_CSV))
    }
    fn progress(&mut self, now_s: f64, jobs_done: u64) {
        self.progress.progress(now_s, jobs_done);
    }
}

/// Runs a loaded scenario and writes its run folder, reporting nothing
/// ([`run_to_folder_with`] reports progress and notices).
pub fn run_to_folder(loaded: &Loaded, opts: &RunOptions) -> Result<RunResult, RunError> {
    run_to_folder_with(loaded, opts, &mut Silent)
}

/// [`run_to_folder`], telling `progress` how it goes.
pub fn run_to_folder_with(
    loaded: &Loaded,
    opts: &RunOptions,
    progress: &mut dyn RunProgress,
) -> Result<RunResult, RunError> {
    run_to_folder_with_policy(loaded, opts, progress, None)
}

/// [`run_to_folder_with`] with a policy object instead of the scenario's (`None`: the
/// scenario's), for policies written outside hetsim ([`crate::embed`]).
pub fn run_to_folder_with_policy(
    loaded: &Loaded,
    opts: &RunOptions,
    progress: &mut dyn RunProgress,
    policy: Option<Box<dyn crate::policy::Policy>>,
) -> Result<RunResult, RunError> {
    let sc = &loaded.scenario;
    let target = opts.out.clone().unwrap_or_else(|| default_out(&sc.name));
    if sc.has_serving() {
        // The job simulation alone would silently leave the serving part out.
        let spec = serving_part(loaded, policy.is_some())?;
        let (dir, m) = serving::mixed_to_folder(loaded, &spec, &target, opts.no_charts)?;
        return Ok(RunResult {
            dir,
            outcome: m.outcome,
        });
    }
    // Taken before simulating: a busy or unusable output path fails now.
    let staging = StagedFolder::run(&target)?;
    let dir = staging.dir().to_path_buf();
    let outcome =
        write_run(loaded, opts, &dir, progress, policy).map_err(|e| in_folder(e, &staging))?;
    let dir = staging.commit()?;
    Ok(RunResult { dir, outcome })
}

/// Writes what a run folder keeps of its input: the scenario file as it was read
/// (`scenario.yaml` or `.json`) and the `--set` options (overrides.txt).
pub(crate) fn write_inputs(loaded: &Loaded, dir: &Path) -> std::io::Result<()> {
    let ext = loaded
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("yaml");
    std::fs::write(dir.join(format!("scenario.{ext}")), &loaded.text)?;
    report::files::write_overrides(dir, &loaded.overrides)
}

/// A failure while the run folder was being written: names the target and the
/// staging folder left behind (other failures pass unchanged).
pub(crate) fn in_folder(e: RunError, staging: &StagedFolder) -> RunError {
    match e {
        RunError::Io(_)
        | RunError::Report(_)
        | RunError::SimulationInFolder(SimError::Output(_)) => RunError::Writing {
            target: staging.target().to_path_buf(),
            staging: staging.dir().to_path_buf(),
            source: Box::new(e),
        },
        e => e,
    }
}

/// Simulates and writes every file of the run folder into `dir`.
fn write_run(
    loaded: &Loaded,
    opts: &RunOptions,
    dir: &Path,
    progress: &mut dyn RunProgress,
    policy: Option<Box<dyn crate::policy::Policy>>,
) -> Result<Outcome, RunError> {
    let sc = &loaded.scenario;
    write_inputs(loaded, dir)?;
    let sim = match policy {
        Some(p) => Simulation::with_policy(sc, sc.seed, p),
        None => Simulation::new(sc, sc.seed),
    }
    .map_err(RunError::Setup)?
    .max_waiting(waiting_budget(loaded));
    let files = report::files::CsvObserver::create(dir, sc)?;
    progress.start(sc.horizon, expected_jobs(sc));
    let mut obs = Watched { files, progress };
    let mut outcome = sim.run(&mut obs).map_err(|e| match e {
        // A file that could not be written, not a failed simulation.
        SimError::Output(io) => RunError::Io(io),
        e => RunError::SimulationInFolder(e),
    })?;
    let Watched { files, progress } = obs;
    progress.finish();
    if let Some(dt) = files.finish()? {
        outcome.summary.power_interval_s = Some(dt);
    }
    report::files::write_devices(dir, &outcome.devices)?;
    report::files::write_summary(dir, &outcome.summary)?;
    if !opts.no_charts {
        // Charts are a view of the files above: failing to draw them must not throw
        // away the run, and `hetsim plot` can redraw them later.
        if let Err(e) = report::plot::draw_run(dir, Some(sc)) {
            progress.notice(RunNotice::ChartsNotDrawn(e));
        }
    }
    Ok(outcome)
}

/// Runs a scenario without writing files (sweeps, tests).
pub fn run_in_memory(loaded: &Loaded) -> Result<Outcome, RunError> {
    let sc = &loaded.scenario;
    if sc.has_serving() {
        let spec = serving_part(loaded, false)?;
        let m =
            crate::serving::mixed::simulate(sc, &spec, waiting_budget(loaded), &mut NullObserver)
                .map_err(RunError::Simulation)?;
        return Ok(m.outcome);
    }
    let sim = Simulation::new(sc, sc.seed)
        .map_err(RunError::Setup)?
        .max_waiting(waiting_budget(loaded));
    sim.run(&mut NullObserver).map_err(RunError::Simulation)
}

/// The serving part of a scenario with serving beside jobs, for the entry points that
/// return a job outcome; refused for serving alone or with a policy object.
fn serving_part(
    loaded: &Loaded,
    custom_policy: bool,
) -> Result<crate::serving::ServingSpec, RunError> {
    if !crate::serving::mixed::is_mixed(&loaded.scenario) {
        return Err(RunError::Serving(
            "this scenario has only LLM serving (no jobs), so it has no job outcome: run it with `hetsim run` or run::serving::serving_to_folder",
        ));
    }
    if custom_policy {
        return Err(RunError::Serving(
            "a scenario with LLM serving beside jobs runs with its own policy only, not a policy object",
        ));
    }
    let spec = scenario::serving_spec(loaded)?.ok_or(RunError::Serving(
        "the scenario's serving section could not be read again",
    ))?;
    Ok(spec)
}

/// The run-time bound on waiting jobs: the budget the scenario was loaded with.
pub(crate) fn waiting_budget(loaded: &Loaded) -> u64 {
    let n = loaded.budget.max_waiting;
    if n.is_finite() && n >= 0.0 {
        n as u64
    } else {
        u64::MAX
    }
}

/// Number of jobs the scenario will release, when every source is finite by count.
fn expected_jobs(sc: &crate::model::Scenario) -> Option<u64> {
    let mut n = sc.jobs.len() as u64;
    for k in &sc.kinds {
        n = n.saturating_add(k.arrival.count_bound()?);
    }
    Some(n)
}

/// Builds the scenario's placement policy once, to report a bad name or parameter as
/// an input error located at `policy` before anything runs. The one policy check of
/// `hetsim run`, `validate` and sweep planning.
pub fn check_policy(l: &Loaded) -> Result<(), InputError> {
    let s = &l.scenario;
    crate::policy::build(&s.policy, s).map_err(|m| policy_error(l, m.to_string()))?;
    Ok(())
}

/// [`check_policy`], then the same for the power manager (located at
/// `power_manager`).
pub fn check_policies(l: &Loaded) -> Result<(), InputError> {
    check_policy(l)?;
    crate::power_manager::build(&l.scenario.power_manager).map_err(|m| {
        let mut e = policy_error(l, m.to_string());
        let pos = scenario::locate::locate(&l.text, "power_manager.name");
        e.line = pos.map(|p| p.0);
        e.column = pos.map(|p| p.1);
        e.path = "power_manager".into();
        e.hint = Some("`hetsim policies` lists the power managers and their parameters".into());
        e
    })?;
    Ok(())
}

/// Turns a policy construction error into an input error pointing at `policy`.
fn policy_error(l: &Loaded, msg: String) -> InputError {
    let pos = scenario::locate::locate(&l.text, "policy.name");
    InputError {
        file: l.path.clone(),
        line: pos.map(|p| p.0),
        column: pos.map(|p| p.1),
        path: "policy".into(),
        message: msg,
        hint: Some("`hetsim policies` lists the policies and their parameters".into()),
    }
}
