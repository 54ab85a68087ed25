//! Python policies: a Python object's callbacks driven through [`hetsim::embed::Host`].
//!
//! The simulation calls the object with the GIL held. The [`View`] it receives points
//! at the callback's [`Pass`] only while the callback runs (methods raise afterwards),
//! so no Rust borrow outlives its scope. One `View` object is reused for every call.

use hetsim::cluster::JobInfo;
use hetsim::embed::{Host, Hosted, Pass, PassError};
use hetsim::engine::{Time, secs, to_secs};
use hetsim::policy::{ClassId, Completion};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// The first error a Python callback raised in a run (later callbacks are skipped).
pub(crate) type Failure = Arc<Mutex<Option<PyErr>>>;

/// Raises the run's stored callback error, if any.
pub(crate) fn take_error(f: &Failure) -> PyResult<()> {
    match f.lock().expect("not poisoned").take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Policy names live as long as the process (the trait wants `&'static str`);
/// interned so a name used in many runs is stored once.
fn static_name(name: String) -> &'static str {
    static NAMES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let mut g = NAMES.lock().expect("not poisoned");
    let set = g.get_or_insert_with(HashSet::new);
    if let Some(s) = set.get(name.as_str()) {
        return s;
    }
    let s: &'static str = Box::leak(name.into_boxed_str());
    set.insert(s);
    s
}

/// Wraps a Python policy object for a run; returns the policy and its error slot.
pub(crate) fn hosted(py: Python<'_>, obj: Py<PyAny>) -> PyResult<(Hosted<PyHost>, Failure)> {
    let b = obj.bind(py);
    let method = |n: &str| -> PyResult<Option<Py<PyAny>>> {
        if b.hasattr(n)? {
            let m = b.getattr(n)?;
            if m.is_none() {
                return Ok(None);
            }
            if !m.is_callable() {
                return Err(PyTypeError::new_err(format!(
                    "policy attribute `{n}` is not callable"
                )));
            }
            Ok(Some(m.unbind()))
        } else {
            Ok(None)
        }
    };
    let decide = method("decide")?.ok_or_else(|| {
        PyTypeError::new_err(
            "a policy needs a `decide(self, view)` method (see help(hetsim.Policy))",
        )
    })?;
    let name = match b.getattr("name") {
        Ok(n) if !n.is_none() => n.str()?.to_string(),
        _ => b.get_type().name()?.to_string(),
    };
    let failed: Failure = Arc::new(Mutex::new(None));
    let host = PyHost {
        on_arrival: method("on_arrival")?,
        decide,
        on_complete: method("on_complete")?,
        wakeup: method("wakeup")?,
        on_tick: method("on_tick")?,
        view: Py::new(
            py,
            View {
                pass: std::ptr::null_mut(),
            },
        )?,
        failed: failed.clone(),
        stopped: false,
    };
    Ok((Hosted::new(static_name(name), host), failed))
}

/// A Python policy object's bound methods.
pub(crate) struct PyHost {
    on_arrival: Option<Py<PyAny>>,
    decide: Py<PyAny>,
    on_complete: Option<Py<PyAny>>,
    wakeup: Option<Py<PyAny>>,
    on_tick: Option<Py<PyAny>>,
    view: Py<View>,
    failed: Failure,
    /// A callback failed: the rest of the run places nothing and calls nothing.
    stopped: bool,
}

impl PyHost {
    fn fail(&mut self, e: PyErr) {
        self.stopped = true;
        let mut g = self.failed.lock().expect("not poisoned");
        if g.is_none() {
            *g = Some(e);
        }
    }

    /// Calls `f` with the view pointing at `pass`, then applies what it returned.
    fn call(
        &mut self,
        pass: &mut Pass<'_, '_>,
        f: impl FnOnce(Python<'_>, &Bound<'_, View>) -> PyResult<Py<PyAny>>,
    ) {
        if self.stopped {
            return;
        }
        let r = Python::attach(|py| {
            let view = self.view.bind(py);
            view.borrow_mut().pass = (pass as *mut Pass<'_, '_>).cast::<Pass<'static, 'static>>();
            let r = f(py, view).and_then(|ret| apply_returned(py, view, ret.bind(py)));
            view.borrow_mut().pass = std::ptr::null_mut();
            r
        });
        if let Err(e) = r {
            self.fail(e);
        }
    }
}

/// Applies decisions a callback returned (None, or an iterable of (job, class) or
/// (job, [device ids]) pairs) through the view, so they are checked the same way.
fn apply_returned(py: Python<'_>, view: &Bound<'_, View>, ret: &Bound<'_, PyAny>) -> PyResult<()> {
    if ret.is_none() {
        return Ok(());
    }
    for item in ret.try_iter()? {
        let item = item?;
        let (job, target): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract().map_err(|_| {
            PyTypeError::new_err(
                "a returned decision is a pair (job, class) or (job, [device ids])",
            )
        })?;
        let v = view.borrow();
        if let Ok(c) = target.extract::<usize>() {
            v.assign(py, &job, c)?;
        } else {
            let devices: Vec<u32> = target.extract()?;
            v.assign_devices(&job, devices)?;
        }
    }
    Ok(())
}

impl Host for PyHost {
    fn on_arrival(&mut self, job: &JobInfo, pass: &mut Pass<'_, '_>) {
        let Some(m) = self.on_arrival.as_ref().map(|m| m as *const Py<PyAny>) else {
            return;
        };
        let job = *job;
        // SAFETY: `m` points into `self`, which `call` does not move or drop.
        let m = unsafe { &*m };
        self.call(pass, |py, view| m.call1(py, (Job(job), view)));
    }
    fn decide(&mut self, pass: &mut Pass<'_, '_>) {
        let m = &self.decide as *const Py<PyAny>;
        // SAFETY: as above.
        let m = unsafe { &*m };
        self.call(pass, |py, view| m.call1(py, (view,)));
    }
    fn on_tick(&mut self, pass: &mut Pass<'_, '_>) {
        let m = self.on_tick.as_ref().unwrap_or(&self.decide) as *const Py<PyAny>;
        // SAFETY: as above.
        let m = unsafe { &*m };
        self.call(pass, |py, view| m.call1(py, (view,)));
    }
    fn on_complete(&mut self, done: &Completion<'_>) {
        if self.stopped {
            return;
        }
        let Some(m) = &self.on_complete else {
            return;
        };
        let d = Done {
            job: *done.job,
            devices: done.devices.to_vec(),
            start: to_secs(done.start),
            end: to_secs(done.end),
            killed: done.killed,
        };
        if let Err(e) = Python::attach(|py| m.call1(py, (d,)).map(drop)) {
            self.fail(e);
        }
    }
    fn wakeup(&self) -> Option<Time> {
        if self.stopped {
            return None;
        }
        let m = self.wakeup.as_ref()?;
        Python::attach(|py| {
            let r = m.call0(py).and_then(|t| t.extract::<Option<f64>>(py));
            match r {
                Ok(t) => t.map(secs),
                Err(e) => {
                    // `wakeup` takes &self: record the error; the next callback stops.
                    let mut g = self.failed.lock().expect("not poisoned");
                    if g.is_none() {
                        *g = Some(e);
                    }
                    None
                }
            }
        })
    }
}

/// A released job as a policy sees it. Times are seconds of simulated time.
#[pyclass(frozen, module = "hetsim")]
#[derive(Clone, Copy)]
pub(crate) struct Job(pub(crate) JobInfo);

#[pymethods]
impl Job {
    /// Job id (release order); decisions name jobs by it.
    #[getter]
    fn id(&self) -> u64 {
        self.0.id()
    }
    /// Kind index (`View.kind_name` gives its name).
    #[getter]
    fn kind(&self) -> u32 {
        self.0.kind().get()
    }
    /// Release time, s.
    #[getter]
    fn arrival(&self) -> f64 {
        to_secs(self.0.arrival())
    }
    /// Devices it needs at once (gang size).
    #[getter]
    fn devices(&self) -> u32 {
        self.0.devices()
    }
    /// Work units.
    #[getter]
    fn work(&self) -> f64 {
        self.0.work()
    }
    /// Memory per device, bytes.
    #[getter]
    fn memory(&self) -> f64 {
        self.0.memory()
    }
    /// Priority (larger first).
    #[getter]
    fn priority(&self) -> i32 {
        self.0.priority()
    }
    /// The requested (estimated) run time, s, if the workload gives one.
    #[getter]
    fn estimate(&self) -> Option<f64> {
        self.0.estimate().map(to_secs)
    }
    /// The requested run time in integer ns (exact, for ordering like the built-ins).
    #[getter]
    fn estimate_ns(&self) -> Option<u64> {
        self.0.estimate()
    }
    /// Absolute deadline, s.
    #[getter]
    fn deadline(&self) -> Option<f64> {
        self.0.deadline().map(to_secs)
    }
    /// Deferral slack, s.
    #[getter]
    fn slack(&self) -> Option<f64> {
        self.0.slack().map(to_secs)
    }
    /// Whether the work may be split (splits are not offered to Python policies).
    #[getter]
    fn divisible(&self) -> bool {
        self.0.divisible()
    }
    fn __repr__(&self) -> String {
        format!(
            "Job(id={}, kind={}, arrival={}, devices={}, work={}, estimate={:?})",
            self.0.id(),
            self.0.kind(),
            to_secs(self.0.arrival()),
            self.0.devices(),
            self.0.work(),
            self.0.estimate().map(to_secs)
        )
    }
}

/// What `on_complete` receives about a finished job.
#[pyclass(frozen, module = "hetsim")]
pub(crate) struct Done {
    job: JobInfo,
    /// Device ids it ran on.
    devices: Vec<u32>,
    /// Start, s.
    start: f64,
    /// End, s.
    end: f64,
    /// Killed at its requested time instead of finishing.
    killed: bool,
}

#[pymethods]
impl Done {
    /// The job.
    #[getter]
    fn job(&self) -> Job {
        Job(self.job)
    }
    /// Device ids it ran on.
    #[getter]
    fn devices(&self) -> Vec<u32> {
        self.devices.clone()
    }
    /// Start, s.
    #[getter]
    fn start(&self) -> f64 {
        self.start
    }
    /// End, s.
    #[getter]
    fn end(&self) -> f64 {
        self.end
    }
    /// Killed at its requested time instead of finishing.
    #[getter]
    fn killed(&self) -> bool {
        self.killed
    }
}

/// The read-only view a callback receives, and the way it places jobs. Valid only
/// during the callback. Classes are indices in file order; times are seconds.
#[pyclass(unsendable, module = "hetsim")]
pub(crate) struct View {
    pass: *mut Pass<'static, 'static>,
}

fn pass_err(e: PassError) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A job argument: a `Job` or its id.
fn job_id(job: &Bound<'_, PyAny>) -> PyResult<u64> {
    if let Ok(j) = job.cast::<Job>() {
        return Ok(j.get().0.id());
    }
    job.extract::<u64>()
        .map_err(|_| PyTypeError::new_err("a job is a hetsim.Job or its id (int)"))
}

impl View {
    // The pass is the callback's, reached through a raw pointer: `&self` is what
    // Python method calls give, and calls never overlap (one thread, one call).
    #[allow(clippy::mut_from_ref)]
    fn pass(&self) -> PyResult<&mut Pass<'static, 'static>> {
        if self.pass.is_null() {
            return Err(PyRuntimeError::new_err(
                "this view is only valid during the callback it was given to",
            ));
        }
        // SAFETY: non-null only while the callback that owns the pass runs, on this
        // thread (the class is unsendable), and the pass is not used by Rust meanwhile.
        Ok(unsafe { &mut *self.pass })
    }
    fn class(&self, c: usize) -> PyResult<ClassId> {
        let n = self.pass()?.view().class_count();
        if c < n {
            Ok(ClassId::new(c as u32))
        } else {
            Err(PyValueError::new_err(format!(
                "class {c} does not exist (the scenario has {n} classes)"
            )))
        }
    }
}

#[pymethods]
impl View {
    /// Simulated time now, s.
    #[getter]
    fn now(&self) -> PyResult<f64> {
        Ok(to_secs(self.pass()?.view().now()))
    }
    /// Waiting (released, unplaced) jobs, in release order.
    #[getter]
    fn waiting<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let p = self.pass()?;
        PyList::new(py, p.waiting().map(|j| Job(*j)))
    }
    /// Number of waiting jobs.
    #[getter]
    fn waiting_count(&self) -> PyResult<usize> {
        Ok(self.pass()?.waiting_len())
    }
    /// The waiting job with this id, or None.
    fn job(&self, id: u64) -> PyResult<Option<Job>> {
        Ok(self.pass()?.job(id).map(|j| Job(*j)))
    }
    /// Number of device classes.
    #[getter]
    fn class_count(&self) -> PyResult<usize> {
        Ok(self.pass()?.view().class_count())
    }
    /// Name of class `c`.
    fn class_name(&self, c: usize) -> PyResult<String> {
        let c = self.class(c)?;
        Ok(self.pass()?.view().scenario().classes[c.index()].name.clone())
    }
    /// Name of kind `k`.
    fn kind_name(&self, k: usize) -> PyResult<String> {
        let kinds = &self.pass()?.view().scenario().kinds;
        kinds
            .get(k)
            .map(|x| x.name.clone())
            .ok_or_else(|| PyValueError::new_err(format!("kind {k} does not exist")))
    }
    /// Devices in class `c`.
    fn class_size(&self, c: usize) -> PyResult<u32> {
        let c = self.class(c)?;
        Ok(self.pass()?.view().class_size(c))
    }
    /// Free devices of class `c` not yet used by this callback's placements.
    fn free_count(&self, c: usize) -> PyResult<usize> {
        let c = self.class(c)?;
        Ok(self.pass()?.free_count(c))
    }
    /// Devices of class `c` busy now.
    fn busy_count(&self, c: usize) -> PyResult<u32> {
        let c = self.class(c)?;
        Ok(self.pass()?.view().busy_count(c))
    }
    /// When `k` devices of class `c` are all available (committed work done), s, or
    /// None if the class has fewer than `k`.
    fn earliest_start(&self, c: usize, k: usize) -> PyResult<Option<f64>> {
        let c = self.class(c)?;
        Ok(self.pass()?.view().earliest_start(c, k).map(to_secs))
    }
    /// Whether class `c` can run `job` (speed for its kind, memory, enough devices).
    fn can_run(&self, c: usize, job: PyRef<'_, Job>) -> PyResult<bool> {
        let c = self.class(c)?;
        Ok(self.pass()?.view().can_run(c, &job.0))
    }
    /// Speed of class `c` for the job's kind (work units/s), or None.
    fn speed(&self, c: usize, job: PyRef<'_, Job>) -> PyResult<Option<f64>> {
        let c = self.class(c)?;
        Ok(self.pass()?.view().speed(c, &job.0))
    }
    /// Run time of `job` on class `c`, s, or None.
    fn runtime(&self, c: usize, job: PyRef<'_, Job>) -> PyResult<Option<f64>> {
        let c = self.class(c)?;
        Ok(self.pass()?.view().runtime(c, &job.0).map(to_secs))
    }
    /// Run time of `job` on class `c` in integer ns, or None.
    fn runtime_ns(&self, c: usize, job: PyRef<'_, Job>) -> PyResult<Option<u64>> {
        let c = self.class(c)?;
        Ok(self.pass()?.view().runtime(c, &job.0))
    }
    /// Energy `job` draws on class `c` (busy power x run time x gang), J, or None.
    fn job_energy(&self, c: usize, job: PyRef<'_, Job>) -> PyResult<Option<f64>> {
        let c = self.class(c)?;
        Ok(self.pass()?.view().job_energy(c, &job.0))
    }
    /// Extra IT power `job` adds on class `c` (busy minus idle, x gang), W.
    fn power_increase(&self, c: usize, job: PyRef<'_, Job>) -> PyResult<f64> {
        let c = self.class(c)?;
        Ok(self.pass()?.view().power_increase(c, &job.0))
    }
    /// The fastest class for `job` with its gang free in this callback (ties: file
    /// order), or None: the class the built-in `sjf` picks.
    fn fastest_free(&self, job: PyRef<'_, Job>) -> PyResult<Option<usize>> {
        Ok(self.pass()?.fastest_free(&job.0).map(ClassId::index))
    }
    /// IT power now, W.
    #[getter]
    fn it_power(&self) -> PyResult<f64> {
        Ok(self.pass()?.view().it_power())
    }
    /// The IT power cap now, W, or None.
    #[getter]
    fn power_cap(&self) -> PyResult<Option<f64>> {
        Ok(self.pass()?.view().power_cap())
    }
    /// Power that can still be added under the cap, W (inf without a cap).
    #[getter]
    fn headroom(&self) -> PyResult<f64> {
        Ok(self.pass()?.view().headroom())
    }
    /// Carbon intensity now, g/kWh.
    #[getter]
    fn carbon_intensity(&self) -> PyResult<f64> {
        Ok(self.pass()?.view().carbon_intensity())
    }
    /// Starts `job` (a Job or id) now on free devices of class `c` (lowest ids not
    /// used yet in this callback). Raises ValueError if it is not waiting, the class
    /// cannot run it or too few devices are free.
    fn assign(&self, py: Python<'_>, job: &Bound<'_, PyAny>, c: usize) -> PyResult<()> {
        let _ = py;
        let id = job_id(job)?;
        let c = self.class(c)?;
        self.pass()?.assign_free(id, c).map_err(pass_err)
    }
    /// Commits `job` to the devices of class `c` that finish their committed work
    /// first; it starts when they are all available.
    fn assign_earliest(&self, job: &Bound<'_, PyAny>, c: usize) -> PyResult<()> {
        let id = job_id(job)?;
        let c = self.class(c)?;
        self.pass()?.assign_earliest(id, c).map_err(pass_err)
    }
    /// Commits `job` to exactly these device ids (checked by the simulation).
    fn assign_devices(&self, job: &Bound<'_, PyAny>, devices: Vec<u32>) -> PyResult<()> {
        let id = job_id(job)?;
        self.pass()?.assign_devices(id, devices).map_err(pass_err)
    }
}

/// Adds the policy classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Job>()?;
    m.add_class::<View>()?;
    m.add_class::<Done>()?;
    Ok(())
}
