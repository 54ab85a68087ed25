//! The simulation side of `hetsim.gym.SchedulingEnv`.
//!
//! The simulation runs on its own thread with a [`Host`] that, at each decision
//! instant where some waiting job fits on free devices, sends a snapshot to Python
//! and blocks until Python answers with a job to start (then asks again, the same
//! instant, with that job placed) or "wait" (the simulation moves on to the next
//! event). The thread needs no GIL: snapshots and actions are plain Rust values on
//! channels. Ending an episode early drops the channels; the thread then places
//! nothing more and ends with its workload.

use hetsim::embed::{Host, Hosted, Pass};
use hetsim::engine::to_secs;
use hetsim::schema::JOB_COLUMNS;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// One waiting job in a snapshot.
type JobRow = (u64, u32, u64, f64, u32, Vec<bool>);

/// A decision instant: time, waiting jobs (id, devices, size estimate ns, wait s,
/// kind, fits-now per class) in release order, free devices per class, headroom W.
struct Snapshot {
    now: f64,
    jobs: Vec<JobRow>,
    free: Vec<usize>,
    headroom: f64,
    /// Something runs (or starts this instant), so a later instant will come.
    can_wait: bool,
}

enum Msg {
    Instant(Snapshot),
    /// The run ended: summary JSON and jobs.csv bytes, or the error.
    Done(Result<(String, Vec<u8>), String>),
}

/// Start job `id` on class `c`, or wait (`None`).
type Action = Option<(u64, usize)>;

struct GymHost {
    obs: SyncSender<Msg>,
    act: Receiver<Action>,
    gone: bool,
}

/// The size `sjf` orders by (key `estimate`): the requested time, else the run time
/// on the fastest class that can run the job.
fn size_ns(job: &hetsim::cluster::JobInfo, pass: &Pass<'_, '_>) -> u64 {
    hetsim::policy::kit::sjf_key(hetsim::policy::kit::SjfKey::Estimate, job, pass.view())
}

impl Host for GymHost {
    fn decide(&mut self, pass: &mut Pass<'_, '_>) {
        let mut placed = false;
        while !self.gone {
            let v = *pass.view();
            let free: Vec<usize> = v.classes().map(|c| pass.free_count(c)).collect();
            let mut any = false;
            let jobs: Vec<JobRow> = pass
                .waiting()
                .map(|j| {
                    let fits: Vec<bool> = v
                        .classes()
                        .map(|c| v.can_run(c, j) && free[c.index()] >= j.devices() as usize)
                        .collect();
                    any |= fits.iter().any(|&f| f);
                    let wait = to_secs(v.now().saturating_sub(j.arrival()));
                    (j.id(), j.devices(), size_ns(j, pass), wait, j.kind().get(), fits)
                })
                .collect();
            if !any {
                return;
            }
            let snap = Snapshot {
                now: to_secs(v.now()),
                jobs,
                free,
                headroom: v.headroom(),
                can_wait: placed || v.classes().any(|c| v.busy_count(c) > 0),
            };
            if self.obs.send(Msg::Instant(snap)).is_err() {
                self.gone = true;
                return;
            }
            match self.act.recv() {
                Ok(Some((id, c))) => {
                    let c = hetsim::policy::ClassId::new(u32::try_from(c).unwrap_or(u32::MAX));
                    // Python checks actions against the fits mask; anything else waits.
                    if pass.assign_free(id, c).is_err() {
                        return;
                    }
                    placed = true;
                }
                Ok(None) => return,
                Err(_) => {
                    self.gone = true;
                    return;
                }
            }
        }
    }
}

/// One episode's simulation thread and its channels.
#[pyclass(module = "hetsim._hetsim")]
pub(crate) struct GymSim {
    act: Option<SyncSender<Action>>,
    /// In a mutex only because Python classes must be `Sync`; one thread uses it.
    obs: std::sync::Mutex<Receiver<Msg>>,
}

#[pymethods]
impl GymSim {
    /// Loads the scenario with `overrides` and starts its simulation thread.
    #[new]
    fn new(py: Python<'_>, path: &str, overrides: Vec<String>) -> PyResult<Self> {
        let loaded = crate::load(py, path, overrides, false)?;
        let (obs_tx, obs_rx) = sync_channel::<Msg>(1);
        let (act_tx, act_rx) = sync_channel::<Action>(1);
        std::thread::Builder::new()
            .name("hetsim-gym".into())
            .spawn(move || {
                let host = GymHost {
                    obs: obs_tx.clone(),
                    act: act_rx,
                    gone: false,
                };
                let sc = &loaded.scenario;
                let r = hetsim::embed::run_records(
                    sc,
                    sc.seed,
                    Some(Box::new(Hosted::new("gym", host))),
                );
                let done =
                    r.map_err(|e| crate::run_err(&e).to_string())
                        .and_then(|(outcome, records)| {
                            let summary = serde_json::to_string(&outcome.summary)
                                .map_err(|e| e.to_string())?;
                            let mut csv = JOB_COLUMNS.join(",").into_bytes();
                            csv.push(b'\n');
                            for r in &records {
                                r.write_csv(&mut csv);
                            }
                            Ok((summary, csv))
                        });
                let _ = obs_tx.send(Msg::Done(done));
            })
            .map_err(|e| {
                PyRuntimeError::new_err(format!("cannot start the simulation thread: {e}"))
            })?;
        Ok(GymSim {
            act: Some(act_tx),
            obs: std::sync::Mutex::new(obs_rx),
        })
    }

    /// Waits for the next decision instant. Returns ("instant", now, jobs, free,
    /// headroom, can_wait) with jobs as (id, devices, size_ns, wait_s, kind, fits per class),
    /// or ("done", summary JSON, jobs.csv bytes) when the run has ended.
    fn next<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let obs = &self.obs;
        let msg = py.detach(|| obs.lock().expect("not poisoned").recv());
        match msg {
            Ok(Msg::Instant(s)) => ("instant", s.now, s.jobs, s.free, s.headroom, s.can_wait)
                .into_pyobject(py)
                .map(|t| t.into_any()),
            Ok(Msg::Done(Ok((summary, csv)))) => {
                self.act = None;
                ("done", summary, PyBytes::new(py, &csv))
                    .into_pyobject(py)
                    .map(|t| t.into_any())
            }
            Ok(Msg::Done(Err(e))) => {
                self.act = None;
                Err(crate::SimulationError::new_err(e))
            }
            Err(_) => Err(PyRuntimeError::new_err("the episode has ended")),
        }
    }

    /// Answers the current instant: start job `job` on class `class`, or wait
    /// (`job` None).
    #[pyo3(signature = (job, class_=0))]
    fn act(&mut self, job: Option<u64>, class_: usize) -> PyResult<()> {
        let tx = self
            .act
            .as_ref()
            .ok_or_else(|| PyRuntimeError::new_err("the episode has ended"))?;
        tx.send(job.map(|j| (j, class_)))
            .map_err(|_| PyRuntimeError::new_err("the simulation thread has stopped"))
    }
}

/// Adds the environment's simulation class to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<GymSim>()
}
