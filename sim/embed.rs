//! Embedding hetsim in another program (the Python package): policies whose decisions
//! come from outside Rust, and runs that keep their job records in memory.
//!
//! An outside policy implements [`Host`], a narrower form of [`Policy`]: [`Hosted`]
//! keeps the released jobs that are not placed yet (so the host need not), answers
//! [`Policy::waiting`] from them, and hands every callback a [`Pass`]: the read-only
//! view, the waiting jobs, and methods that place them. A pass remembers the free
//! devices it has handed out, so a host placing several jobs at one instant sees its
//! own earlier placements, as the built-in queueing policies do.
//!
//! Nothing here simulates: runs go through [`Simulation::with_policy`] and the same
//! writers as `hetsim run`.

use crate::cluster::{ClusterView, DeviceId, Gang, JobInfo};
use crate::engine::Time;
use crate::metrics::JobRecord;
use crate::model::{ClassId, Scenario};
use crate::policy::{Completion, Decision, Policy};
use crate::power::PowerRow;
use crate::run::RunError;
use crate::simulation::{Observer, Outcome, Simulation};
use std::collections::BTreeMap;

/// A policy driven from outside Rust. Every method but [`Host::decide`] has a default.
pub trait Host: Send {
    /// A job was released; it is already among [`Pass::waiting`]. Default: nothing
    /// (the job waits for the decision pass).
    fn on_arrival(&mut self, _job: &JobInfo, _pass: &mut Pass<'_, '_>) {}
    /// The decision pass of an instant (see [`Policy::decide`]).
    fn decide(&mut self, pass: &mut Pass<'_, '_>);
    /// A job finished or was killed. Default: ignored.
    fn on_complete(&mut self, _done: &Completion<'_>) {}
    /// When to be woken ([`Policy::wakeup`]). Default: never.
    fn wakeup(&self) -> Option<Time> {
        None
    }
    /// The wake-up time has come. Default: as [`Host::decide`].
    fn on_tick(&mut self, pass: &mut Pass<'_, '_>) {
        self.decide(pass)
    }
}

/// Why a placement asked of a [`Pass`] was refused (nothing was placed).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PassError {
    /// No waiting job has this id (never released, or already placed).
    #[error("job {0} is not waiting (never released, or already placed)")]
    NotWaiting(u64),
    /// The class index is out of range.
    #[error("class {class} does not exist (the scenario has {count} classes)")]
    NoClass {
        /// The index asked for.
        class: ClassId,
        /// Number of classes.
        count: usize,
    },
    /// The class cannot run the job (no speed for its kind, too little memory, too
    /// few devices).
    #[error("class {class} cannot run job {job}")]
    CannotRun {
        /// The job id.
        job: u64,
        /// The class.
        class: ClassId,
    },
    /// Not enough free devices are left in the class at this instant.
    #[error("job {job} needs {need} free devices of class {class}; {free} are left")]
    NotEnoughFree {
        /// The job id.
        job: u64,
        /// The class.
        class: ClassId,
        /// Gang size.
        need: usize,
        /// Free devices left in this pass.
        free: usize,
    },
    /// The device list does not have the job's gang size.
    #[error("job {job} needs {need} devices; {given} were given")]
    WrongCount {
        /// The job id.
        job: u64,
        /// Gang size.
        need: usize,
        /// Devices given.
        given: usize,
    },
}

/// One callback's access to the cluster and the waiting jobs.
pub struct Pass<'a, 'v> {
    view: &'a ClusterView<'v>,
    waiting: &'a mut BTreeMap<u64, JobInfo>,
    /// Free devices handed out in this pass, per class (always the lowest-id ones).
    taken: Vec<usize>,
    out: &'a mut Vec<Decision>,
}

impl<'a, 'v> Pass<'a, 'v> {
    fn new(
        view: &'a ClusterView<'v>,
        waiting: &'a mut BTreeMap<u64, JobInfo>,
        out: &'a mut Vec<Decision>,
    ) -> Self {
        Pass {
            taken: vec![0; view.class_count()],
            view,
            waiting,
            out,
        }
    }

    /// The cluster as it was when the callback started (its free counts do not
    /// include this pass's placements: use [`Pass::free_count`]).
    pub fn view(&self) -> &ClusterView<'v> {
        self.view
    }

    /// Waiting jobs in release order (by id).
    pub fn waiting(&self) -> impl Iterator<Item = &JobInfo> {
        self.waiting.values()
    }

    /// Number of waiting jobs.
    pub fn waiting_len(&self) -> usize {
        self.waiting.len()
    }

    /// The waiting job with this id.
    pub fn job(&self, id: u64) -> Option<&JobInfo> {
        self.waiting.get(&id)
    }

    /// Free devices of class `c` not yet handed out in this pass.
    pub fn free_count(&self, c: ClassId) -> usize {
        self.view.free_count(c) - self.taken[c.index()]
    }

    /// Among the classes that can run `job` and have its gang free in this pass, the
    /// fastest for it (ties: file order), the class the built-in `sjf` and `edf` pick.
    pub fn fastest_free(&self, job: &JobInfo) -> Option<ClassId> {
        let mut best: Option<(f64, ClassId)> = None;
        for c in self.view.classes() {
            if !self.view.can_run(c, job) || self.free_count(c) < job.devices() as usize {
                continue;
            }
            let s = self.view.speed(c, job).unwrap_or(0.0);
            if best.is_none_or(|(bs, _)| s > bs) {
                best = Some((s, c));
            }
        }
        best.map(|(_, c)| c)
    }

    fn checked(&self, id: u64, c: ClassId) -> Result<JobInfo, PassError> {
        let job = *self.waiting.get(&id).ok_or(PassError::NotWaiting(id))?;
        let count = self.view.class_count();
        if c.index() >= count {
            return Err(PassError::NoClass { class: c, count });
        }
        if !self.view.can_run(c, &job) {
            return Err(PassError::CannotRun { job: id, class: c });
        }
        Ok(job)
    }

    /// Starts job `id` now on the lowest-id free devices of class `c` not handed out
    /// yet in this pass.
    pub fn assign_free(&mut self, id: u64, c: ClassId) -> Result<(), PassError> {
        let job = self.checked(id, c)?;
        let need = job.devices() as usize;
        let free = self.free_count(c);
        if free < need {
            return Err(PassError::NotEnoughFree {
                job: id,
                class: c,
                need,
                free,
            });
        }
        let t = self.taken[c.index()];
        self.taken[c.index()] += need;
        let devices = self.view.free_devices(c, t + need).skip(t).collect();
        self.push(job, devices);
        Ok(())
    }

    /// Commits job `id` to the devices of class `c` that finish their committed work
    /// first (it starts when they are all available). Placements made earlier in the
    /// same pass other than through [`Pass::assign_free`] are not seen.
    pub fn assign_earliest(&mut self, id: u64, c: ClassId) -> Result<(), PassError> {
        let job = self.checked(id, c)?;
        let need = job.devices() as usize;
        // Free devices already handed out come first in the earliest order: skip them.
        let devices = self
            .view
            .earliest_devices(c, self.taken[c.index()] + need)
            .skip(self.taken[c.index()])
            .map(|(d, _)| d)
            .collect();
        self.push(job, devices);
        Ok(())
    }

    /// Commits job `id` to exactly these devices (appended to their local queues).
    /// The simulation checks them when it applies the decision: a device that cannot
    /// run the job ends the run with an error.
    pub fn assign_devices(&mut self, id: u64, devices: Vec<DeviceId>) -> Result<(), PassError> {
        let job = *self.waiting.get(&id).ok_or(PassError::NotWaiting(id))?;
        let need = job.devices() as usize;
        if devices.len() != need {
            return Err(PassError::WrongCount {
                job: id,
                need,
                given: devices.len(),
            });
        }
        self.push(job, devices.into());
        Ok(())
    }

    fn push(&mut self, job: JobInfo, devices: Gang) {
        self.waiting.remove(&job.id());
        self.out.push(Decision::Assign {
            job: job.slot(),
            devices,
        });
    }
}

/// A [`Host`] as a [`Policy`] the simulation runs.
pub struct Hosted<H> {
    name: &'static str,
    host: H,
    waiting: BTreeMap<u64, JobInfo>,
}

impl<H: Host> Hosted<H> {
    /// Wraps `host`; `name` is what the summary's `policy` key will say.
    pub fn new(name: &'static str, host: H) -> Self {
        Hosted {
            name,
            host,
            waiting: BTreeMap::new(),
        }
    }

    /// The host.
    pub fn host(&self) -> &H {
        &self.host
    }
}

impl<H: Host> Policy for Hosted<H> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        self.waiting.insert(job.id(), job);
        let mut pass = Pass::new(view, &mut self.waiting, out);
        self.host.on_arrival(&job, &mut pass);
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        let mut pass = Pass::new(view, &mut self.waiting, out);
        self.host.decide(&mut pass);
    }
    fn on_complete(&mut self, done: &Completion<'_>) {
        self.host.on_complete(done);
    }
    fn waiting(&self) -> usize {
        self.waiting.len()
    }
    fn wakeup(&self) -> Option<Time> {
        self.host.wakeup()
    }
    fn on_tick(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        let mut pass = Pass::new(view, &mut self.waiting, out);
        self.host.on_tick(&mut pass);
    }
}

/// Keeps every job record (power rows are dropped).
#[derive(Default)]
struct Records(Vec<JobRecord>);

impl Observer for Records {
    fn job(&mut self, r: &JobRecord) -> std::io::Result<()> {
        self.0.push(r.clone());
        Ok(())
    }
    fn power(&mut self, _: &PowerRow) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `sc` with `seed` and `policy` (`None`: the scenario's own), writing no files;
/// returns the outcome and every job record in completion order (the rows of
/// jobs.csv).
pub fn run_records(
    sc: &Scenario,
    seed: u64,
    policy: Option<Box<dyn Policy>>,
) -> Result<(Outcome, Vec<JobRecord>), RunError> {
    if sc.has_serving() {
        // Its serving part needs the document's `serving:` section, which a bare
        // `Scenario` does not carry; running the jobs alone would misstate energy.
        return Err(RunError::Serving(
            "scenarios with LLM serving are run from their file (`hetsim run`, run::run_to_folder), not from a bare Scenario",
        ));
    }
    let sim = match policy {
        Some(p) => Simulation::with_policy(sc, seed, p),
        None => Simulation::new(sc, seed),
    }
    .map_err(RunError::Setup)?;
    let mut rec = Records::default();
    let outcome = sim.run(&mut rec).map_err(RunError::Simulation)?;
    Ok((outcome, rec.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Format, parse_str};
    use std::path::Path;

    /// Two classes (a fast one of 2 devices, a slow one of 3), gang jobs of 1-2
    /// devices arriving faster than they are served, so queues form.
    fn scenario(policy: &str) -> Scenario {
        let text = format!(
            "name: t\nseed: 4\ndatacenter:\n  classes:\n    fast: {{category: gpu, count: 2, speed: {{a: 2, b: 2}}, busy_power: 100W}}\n    slow: {{category: cpu, count: 3, speed: {{a: 1, b: 1}}, busy_power: 50W}}\n\
             workload:\n  kinds:\n    a:\n      arrival: {{process: poisson, rate: 2/s, count: 250}}\n      size: {{dist: exponential, mean: 1}}\n\
             \x20   b:\n      arrival: {{process: poisson, rate: 1/s, count: 150}}\n      size: {{dist: exponential, mean: 1}}\n      devices: 2\n\
             policy: {{{policy}}}\n"
        );
        parse_str(&text, Format::Yaml, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Shortest job first through `Host` and `Pass` only: (work, id) order, the head
    /// on the fastest class with its gang free, blocking.
    #[derive(Default)]
    struct HostedSjf {
        order: std::collections::BTreeSet<(u64, u64)>,
    }
    impl Host for HostedSjf {
        fn on_arrival(&mut self, job: &JobInfo, _: &mut Pass<'_, '_>) {
            self.order.insert(((job.work() + 0.0).to_bits(), job.id()));
        }
        fn decide(&mut self, pass: &mut Pass<'_, '_>) {
            while let Some(&(k, id)) = self.order.first() {
                let job = *pass.job(id).expect("waiting");
                let Some(c) = pass.fastest_free(&job) else {
                    return;
                };
                pass.assign_free(id, c).expect("fits");
                self.order.remove(&(k, id));
            }
        }
    }

    fn rows(records: &[JobRecord]) -> Vec<String> {
        records
            .iter()
            .map(|r| {
                let mut b = Vec::new();
                r.write_csv(&mut b);
                String::from_utf8(b).unwrap()
            })
            .collect()
    }

    #[test]
    fn a_hosted_sjf_schedules_exactly_as_the_builtin_sjf_by_work() {
        let builtin = scenario("name: sjf, params: {key: work}");
        let (_, want) = run_records(&builtin, 4, None).unwrap();
        let sc = scenario("name: fcfs");
        let policy = Box::new(Hosted::new("hosted-sjf", HostedSjf::default()));
        let (outcome, got) = run_records(&sc, 4, Some(policy)).unwrap();
        assert_eq!(outcome.summary.policy, "hosted-sjf");
        assert_eq!(got.len(), 400);
        assert_eq!(rows(&got), rows(&want));
        // The schedule is not FCFS's, so the comparison can fail.
        let (_, fcfs) = run_records(&sc, 4, None).unwrap();
        assert_ne!(rows(&fcfs), rows(&want));
    }

    /// Checks a pass's bookkeeping at the first instant where jobs wait.
    struct Probe {
        checked: std::sync::Arc<std::sync::atomic::AtomicBool>,
    }
    impl Host for Probe {
        fn decide(&mut self, pass: &mut Pass<'_, '_>) {
            let ids: Vec<u64> = pass.waiting().map(|j| j.id()).collect();
            use std::sync::atomic::Ordering::Relaxed;
            if !self.checked.load(Relaxed)
                && pass.free_count(ClassId::new(1)) == 3
                && ids.len() >= 2
            {
                self.checked.store(true, Relaxed);
                let first = *pass.job(ids[0]).unwrap();
                assert_eq!(
                    pass.assign_free(99_999, ClassId::new(1)),
                    Err(PassError::NotWaiting(99_999))
                );
                assert_eq!(
                    pass.assign_free(ids[0], ClassId::new(7)),
                    Err(PassError::NoClass {
                        class: ClassId::new(7),
                        count: 2
                    })
                );
                assert!(matches!(
                    pass.assign_devices(ids[0], vec![]),
                    Err(PassError::WrongCount { given: 0, .. })
                ));
                pass.assign_free(ids[0], ClassId::new(1)).unwrap();
                assert_eq!(
                    pass.free_count(ClassId::new(1)),
                    3 - first.devices() as usize
                );
                assert_eq!(pass.waiting_len(), ids.len() - 1);
                assert_eq!(
                    pass.assign_free(ids[0], ClassId::new(1)),
                    Err(PassError::NotWaiting(ids[0]))
                );
            }
            // Then place everything that fits, slow class first.
            for id in ids {
                let Some(job) = pass.job(id).copied() else {
                    continue;
                };
                for c in [1, 0].map(ClassId::new) {
                    if pass.view().can_run(c, &job) && pass.free_count(c) >= job.devices() as usize
                    {
                        pass.assign_free(id, c).unwrap();
                        break;
                    }
                }
            }
        }
    }

    #[test]
    fn a_pass_counts_its_own_placements_and_refuses_bad_ones() {
        let sc = scenario("name: fcfs");
        let checked = std::sync::Arc::default();
        let probe = Probe {
            checked: std::sync::Arc::clone(&checked),
        };
        let (outcome, records) =
            run_records(&sc, 4, Some(Box::new(Hosted::new("probe", probe)))).unwrap();
        assert!(
            checked.load(std::sync::atomic::Ordering::Relaxed),
            "no instant probed"
        );
        assert_eq!(records.len(), 400);
        assert_eq!(outcome.summary.jobs_completed, 400);
        // Every gang is distinct devices.
        for r in &records {
            let ds: Vec<u32> = r.devices.split(';').map(|d| d.parse().unwrap()).collect();
            let mut u = ds.clone();
            u.sort_unstable();
            u.dedup();
            assert_eq!(u.len(), ds.len());
        }
    }
}
