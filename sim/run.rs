//! One run from a loaded scenario to a finished run folder.

use crate::report::{self, Staging};
use crate::scenario::Loaded;
use crate::simulation::{NullObserver, Outcome, Simulation};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Options of one run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Output folder (default `reports/<scenario name>`).
    pub out: Option<PathBuf>,
    /// Show a progress bar on a terminal.
    pub progress: bool,
    /// Skip charts and the HTML report.
    pub no_charts: bool,
}

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

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Runs a loaded scenario and writes its run folder.
pub fn run_to_folder(loaded: &Loaded, opts: &RunOptions) -> Result<RunResult> {
    let sc = &loaded.scenario;
    let target = opts.out.clone().unwrap_or_else(|| default_out(&sc.name));
    let staging = Staging::new(&target)?;
    let dir = staging.dir().to_path_buf();
    let ext = loaded
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("yaml");
    std::fs::write(dir.join(format!("scenario.{ext}")), &loaded.text)?;
    let sim = Simulation::new(sc, sc.seed).map_err(|m| anyhow::anyhow!(m))?;
    let mut obs = report::files::CsvObserver::create(&dir, sc)?;
    let bar = opts
        .progress
        .then(|| progress_bar(sc.horizon, expected_jobs(sc)));
    if let Some(bar) = bar.clone() {
        obs = obs.with_progress(Box::new(move |now, jobs| bar.tick(now, jobs)));
    }
    let outcome = sim.run(&mut obs).context("simulation failed")?;
    if let Some(b) = bar {
        b.finish();
    }
    obs.finish()?;
    report::files::write_devices(&dir, &outcome.devices)?;
    report::files::write_summary(&dir, &outcome.summary)?;
    if !opts.no_charts {
        // Charts are a view of the files above: failing to draw them must not throw
        // away the run, and `hetsim plot` can redraw them later.
        if let Err(e) = report::plot::draw_run(&dir, Some(sc)) {
            let e = anyhow::Error::from(e);
            eprintln!("warning: charts and index.html were not drawn: {e:#}");
        }
    }
    let dir = staging.commit()?;
    Ok(RunResult { dir, outcome })
}

/// Runs a scenario without writing files (sweeps, tests).
pub fn run_in_memory(loaded: &Loaded) -> Result<Outcome> {
    let sc = &loaded.scenario;
    let sim = Simulation::new(sc, sc.seed).map_err(|m| anyhow::anyhow!(m))?;
    sim.run(&mut NullObserver)
}

/// Number of jobs the scenario will release, when every source is finite by count.
fn expected_jobs(sc: &crate::model::Scenario) -> Option<u64> {
    use crate::model::Arrival;
    let mut n = sc.jobs.len() as u64;
    for k in &sc.kinds {
        n += match k.arrival {
            Arrival::Poisson { count: Some(c), .. } | Arrival::Periodic { count: Some(c), .. } => c,
            Arrival::Batch { count, .. } => count,
            Arrival::None => 0,
            _ => return None,
        };
    }
    Some(n)
}

/// A progress bar that appears only after a second of wall time, on a terminal.
#[derive(Clone)]
struct Progress {
    inner: std::rc::Rc<std::cell::RefCell<ProgressState>>,
}

struct ProgressState {
    started: std::time::Instant,
    bar: Option<indicatif::ProgressBar>,
    horizon: Option<f64>,
    jobs: Option<u64>,
}

fn progress_bar(horizon: Option<f64>, jobs: Option<u64>) -> Progress {
    Progress {
        inner: std::rc::Rc::new(std::cell::RefCell::new(ProgressState {
            started: std::time::Instant::now(),
            bar: None,
            horizon,
            jobs,
        })),
    }
}

impl Progress {
    fn tick(&self, now: f64, jobs: u64) {
        use std::io::IsTerminal;
        let mut st = self.inner.borrow_mut();
        if st.bar.is_none() {
            if st.started.elapsed().as_secs_f64() < 1.0 || !std::io::stderr().is_terminal() {
                return;
            }
            let bar = match (st.jobs, st.horizon) {
                (Some(n), _) => {
                    let b = indicatif::ProgressBar::new(n);
                    b.set_style(
                        indicatif::ProgressStyle::with_template(
                            "{spinner} {pos}/{len} jobs [{bar:30}] {msg} eta {eta}",
                        )
                        .expect("valid template"),
                    );
                    b
                }
                (None, Some(h)) => {
                    let b = indicatif::ProgressBar::new(h.ceil() as u64);
                    b.set_style(
                        indicatif::ProgressStyle::with_template(
                            "{spinner} simulated {pos}/{len} s [{bar:30}] {msg} eta {eta}",
                        )
                        .expect("valid template"),
                    );
                    b
                }
                (None, None) => indicatif::ProgressBar::new_spinner(),
            };
            st.bar = Some(bar);
        }
        if let Some(b) = &st.bar {
            if st.jobs.is_some() {
                b.set_position(jobs);
                b.set_message(format!("simulated {now:.0} s"));
            } else {
                b.set_position(now as u64);
                b.set_message(format!("{jobs} jobs done"));
            }
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.inner.borrow().bar {
            b.finish_and_clear();
        }
    }
}
