//! Placement policies: they see a read-only [`ClusterView`] and return [`Decision`]s.
//!
//! # The contract: decision instants
//! At each distinct simulated time the simulation first applies every event of that
//! time, in a fixed order that does not depend on the order they were scheduled in:
//! completions (by job id; each sends [`Policy::on_complete`]), then releases and
//! arrivals (by workload stream; each announced with [`Policy::on_arrival`]), then
//! other state changes (device timers, cap changes, policy wake-ups). Then, if devices
//! were freed, or jobs were released and the policy holds waiting jobs
//! ([`Policy::waiting`] > 0), it calls [`Policy::decide`] once: one decision
//! pass per decision instant, seeing every job that arrived and every device freed at
//! that time. A job that starts and ends at the same instant (run time 0) ends in a
//! new batch at that instant, followed by another pass.
//!
//! A policy answers by pushing decisions into `out`. Policies that place on arrival
//! (eft, fastest, ...) do so in `on_arrival`; queueing policies only enqueue there and
//! place in `decide`. The simulation applies every decision in order, then checks it:
//! a decision naming a device that cannot run the job, the wrong number of devices, or
//! a job already placed is a policy bug and ends the run with an error.
//!
//! `Decision::Assign` appends the job to each named device's local FIFO queue. A device
//! that is free starts it at once; a busy one starts it after its committed work (list
//! scheduling). A gang job starts when all its devices have reached it.
//!
//! # Adding a policy
//! Write a type implementing [`Policy`] in its own file, add it to [`REGISTRY`] with a
//! name, a one-line summary and its parameters. A policy kept outside hetsim is
//! given by name with [`install`] (see `examples/custom_policy.rs`). Policies must
//! not scan all devices: use the per-class queries on [`ClusterView`], which cost
//! O(log n).

mod batch;
mod carbon_aware;
mod custom;
mod easy_backfill;
mod edf;
mod eft;
mod fastest;
mod fcfs;
mod hetero_aware;
mod least_loaded;
mod lpt;
mod min_edp;
mod min_energy;
mod ordered;
mod overlay;
mod params;
mod power_capped;
mod proportional_split;
mod random;
mod registry;
mod round_robin;
mod sjf;

pub use batch::{Backfill, Batch, Length, Order};
pub use custom::{all, install, installed, lookup};
pub use easy_backfill::{EasyBackfill, Reservation, ReservationLog};

/// Building blocks the built-in policies share, for custom policies and for the
/// differential tests' naive references (which must decide exactly like the policies).
pub mod kit {
    pub use super::easy_backfill::DEFAULT_DEPTH;
    pub use super::hetero_aware::{DEFAULT_THRESHOLD, pick as hetero_aware_pick};
    pub use super::lpt::expected_arrivals;
    pub use super::min_edp::{edp, pick as min_edp_pick};
    pub use super::random::{STREAM as RANDOM_STREAM, draw as random_draw};
    pub use super::sjf::{SjfKey, sjf_key};
}

pub use crate::cluster::{ClusterView, DeviceId, Gang, JobInfo};
use crate::engine::Time;
pub use crate::model::{ClassId, JobSlot, KindId};
use crate::model::{PolicySpec, Scenario};
pub(crate) use params::{Owner, ParamReader};
pub use params::{ParamError, Params};
pub use registry::{Entry, Registry};

/// What a policy asks the simulation to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Commit `job` to `devices` (exactly the job's gang size, distinct).
    Assign {
        /// The job's slot (from [`JobInfo::slot`]).
        job: JobSlot,
        /// Devices, each appended to its local queue (one device is held inline: a
        /// one-device decision allocates nothing).
        devices: Gang,
    },
    /// Split a divisible job into parts, each a (devices, work) pair committed like an
    /// `Assign`. The parts' work must add up to the job's; each part has the job's gang
    /// size. The job completes when its last part does.
    Split {
        /// The job's slot.
        job: JobSlot,
        /// (devices, work units) per part.
        parts: Vec<(Vec<DeviceId>, f64)>,
    },
}

/// A placement policy.
pub trait Policy: Send {
    /// Registered name.
    fn name(&self) -> &'static str;
    /// A job was released. Place it now (push a decision) or keep it for the pass.
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>);
    /// The decision pass of this instant: every event of the current time has been
    /// applied (jobs released, devices freed). Place kept jobs if the policy wants to.
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>);
    /// A job finished (or was killed): a notice, for policies that learn from
    /// outcomes. Sent before the decision pass of its instant. Default: ignored.
    fn on_complete(&mut self, _done: &Completion<'_>) {}
    /// Jobs the policy holds and has not placed.
    fn waiting(&self) -> usize;
    /// A time (ns) at which the policy wants [`Policy::on_tick`] called (e.g. the start of
    /// a low-carbon hour). Asked after every event; `None` (the default): never.
    fn wakeup(&self) -> Option<Time> {
        None
    }
    /// The time asked for by [`Policy::wakeup`] has come. Default: as `decide`.
    fn on_tick(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.decide(view, out)
    }
}

/// What [`Policy::on_complete`] tells a policy about a finished job.
#[derive(Clone, Copy, Debug)]
pub struct Completion<'a> {
    /// The job as it was released.
    pub job: &'a JobInfo,
    /// The devices it ran on (a split job: all its parts' devices).
    pub devices: &'a [DeviceId],
    /// When it started (a split job: its first part), ns.
    pub start: Time,
    /// When it ended, ns.
    pub end: Time,
    /// True if it was killed at its requested time instead of finishing.
    pub killed: bool,
}

/// Builds a policy for a scenario from its parameters.
pub type PolicyBuilder = fn(&Scenario, &Params) -> Result<Box<dyn Policy>, ParamError>;

/// A registered policy: name, summary, parameters, constructor.
pub type PolicyInfo = Entry<PolicyBuilder>;

fn no_params<P: Policy + 'static>(params: &Params, p: P) -> Result<Box<dyn Policy>, ParamError> {
    ParamReader::new(p.name(), params, &[])?;
    Ok(Box::new(p))
}

/// Every built-in policy.
pub const REGISTRY: Registry<PolicyBuilder> = Registry {
    what: "policy",
    entries: &[
        PolicyInfo {
            name: "fcfs",
            summary: "first come first served: the oldest job starts on the first free capable devices (classes in file order); it blocks the queue until it fits",
            params: &[],
            build: |_, p| no_params(p, fcfs::Fcfs::default()),
        },
        PolicyInfo {
            name: "fastest",
            summary: "the study's select_platform: each job goes to the class that runs it fastest, queued behind that class's earliest-available devices",
            params: &[],
            build: |_, p| no_params(p, fastest::Fastest),
        },
        PolicyInfo {
            name: "min-energy",
            summary: "the study's min W objective: each job goes to the class where it draws the least energy (busy power x run time), earliest-available devices",
            params: &[],
            build: |_, p| no_params(p, min_energy::MinEnergy),
        },
        PolicyInfo {
            name: "eft",
            summary: "earliest finish time (HEFT-like list scheduling): each job goes where it would finish first, counting work already committed to each device",
            params: &[],
            build: |_, p| no_params(p, eft::Eft),
        },
        PolicyInfo {
            name: "proportional-split",
            summary: "the study's allocation weights: a divisible job is split across classes so all parts finish together (in proportion to speed when all are free); other jobs as eft",
            params: &[],
            build: |_, p| no_params(p, proportional_split::ProportionalSplit),
        },
        PolicyInfo {
            name: "power-capped",
            summary: "a base policy made cap-aware: a job whose placement would not fit under the power cap goes to the class that fits with the least power per unit of work",
            params: &["base: the policy to wrap (default eft)"],
            build: |sc, p| {
                Ok(Box::new(power_capped::PowerCapped::new(base_param(
                    sc,
                    p,
                    "power-capped",
                )?)))
            },
        },
        PolicyInfo {
            name: "carbon-aware",
            summary: "holds deferrable jobs (with `slack`) until the lowest carbon intensity within their slack, then places them with a base policy",
            params: &["base: the policy that places released jobs (default eft)"],
            build: |sc, p| {
                Ok(Box::new(carbon_aware::CarbonAware::new(base_param(
                    sc,
                    p,
                    "carbon-aware",
                )?)))
            },
        },
        PolicyInfo {
            name: "sjf",
            summary: "shortest job first: the waiting job with the shortest requested time (else run time on its fastest class) starts on the fastest class with free capable devices; it blocks the queue until it fits",
            params: REGISTRY_PARAMS_SJF,
            build: |_, p| {
                let p = ParamReader::new("sjf", p, REGISTRY_PARAMS_SJF)?;
                let key = match p.choice("key", &["estimate", "runtime", "work"])? {
                    "work" => sjf::SjfKey::Work,
                    "runtime" => sjf::SjfKey::Runtime,
                    _ => sjf::SjfKey::Estimate,
                };
                Ok(Box::new(sjf::Sjf::new(key)))
            },
        },
        PolicyInfo {
            name: "edf",
            summary: "earliest deadline first: the waiting job with the earliest deadline (none: last) starts on the fastest class with free capable devices; it blocks the queue until it fits",
            params: &[],
            build: |_, p| no_params(p, edf::Edf::default()),
        },
        PolicyInfo {
            name: "easy-backfill",
            summary: "EASY backfilling: FIFO; a blocked head gets a reservation at the earliest time enough capable devices free up, later jobs start now if they cannot delay it (estimates: run times at the top P-state)",
            params: REGISTRY_PARAMS_EASY,
            build: |_, p| {
                let p = ParamReader::new("easy-backfill", p, REGISTRY_PARAMS_EASY)?;
                let depth = p.count("depth", easy_backfill::DEFAULT_DEPTH as u64, 0)?;
                Ok(Box::new(EasyBackfill::new(
                    usize::try_from(depth).unwrap_or(usize::MAX),
                )))
            },
        },
        PolicyInfo {
            name: "batch",
            summary: "textbook batch scheduling: a queue order (fcfs, sjf, saf, priority, edf, wfp3, unicef, f1) composed with a backfilling rule (none, easy, conservative), by requested times (estimates)",
            params: REGISTRY_PARAMS_BATCH,
            build: |_, p| {
                let p = ParamReader::new("batch", p, REGISTRY_PARAMS_BATCH)?;
                let order = batch::Order::from_name(p.choice("order", batch::Order::NAMES)?)
                    .expect("a listed name");
                let backfill = match p.choice("backfill", &["none", "easy", "conservative"])? {
                    "easy" => batch::Backfill::Easy,
                    "conservative" => batch::Backfill::Conservative,
                    _ => batch::Backfill::None,
                };
                let length = match p.choice("key", &["estimate", "runtime"])? {
                    "runtime" => batch::Length::Runtime,
                    _ => batch::Length::Estimate,
                };
                let depth = p.count("depth", u64::MAX, 0)?;
                Ok(Box::new(batch::Batch::new(
                    "batch",
                    order,
                    backfill,
                    length,
                    usize::try_from(depth).unwrap_or(usize::MAX),
                )))
            },
        },
        PolicyInfo {
            name: "round-robin",
            summary: "cycles over the capable devices in id order (gangs: consecutive devices of one class), committing each job at arrival",
            params: REGISTRY_PARAMS_RR,
            build: |_, p| {
                let p = ParamReader::new("round-robin", p, REGISTRY_PARAMS_RR)?;
                let over = match p.choice("over", &["devices", "classes"])? {
                    "classes" => round_robin::RoundRobinOver::Classes,
                    _ => round_robin::RoundRobinOver::Devices,
                };
                Ok(Box::new(round_robin::RoundRobin::new(over)))
            },
        },
        PolicyInfo {
            name: "random",
            summary: "each job goes to capable devices drawn uniformly at random (own stream seeded from the scenario seed), committed at arrival",
            params: &[],
            build: |sc, p| no_params(p, random::Random::new(sc.seed)),
        },
        PolicyInfo {
            name: "least-loaded",
            summary: "each job goes to the class whose least-loaded devices finish their committed work first (or with the fewest committed jobs per device), ignoring speed",
            params: REGISTRY_PARAMS_LL,
            build: |_, p| {
                let p = ParamReader::new("least-loaded", p, REGISTRY_PARAMS_LL)?;
                let by = match p.choice("by", &["work", "jobs"])? {
                    "jobs" => least_loaded::LoadBy::Jobs,
                    _ => least_loaded::LoadBy::Work,
                };
                Ok(Box::new(least_loaded::LeastLoaded::new(by)))
            },
        },
        PolicyInfo {
            name: "lpt",
            summary: "the study's largest job to the strongest platform: jobs arriving together are sorted by decreasing work, each committed where it finishes earliest",
            params: &[],
            build: |sc, p| no_params(p, lpt::Lpt::new(sc)),
        },
        PolicyInfo {
            name: "hetero-aware",
            summary: "throughput-matrix placement (Gavel-like): each job only on classes keeping at least `threshold` of its best speed, there where it finishes earliest",
            params: REGISTRY_PARAMS_HA,
            build: |_, p| {
                let p = ParamReader::new("hetero-aware", p, REGISTRY_PARAMS_HA)?;
                let t = p.number("threshold", hetero_aware::DEFAULT_THRESHOLD, 0.0, 1.0)?;
                Ok(Box::new(hetero_aware::HeteroAware::new(t)))
            },
        },
        PolicyInfo {
            name: "min-edp",
            summary: "minimum energy-delay product: each job goes to the class minimising its energy x (finish - arrival), counting committed work",
            params: &[],
            build: |_, p| no_params(p, min_edp::MinEdp),
        },
    ],
};

const REGISTRY_PARAMS_SJF: &[&str] = &[
    "key: estimate (default; the requested time, else the run time on the fastest capable class), runtime (the run time: an oracle) or work (work units)",
];
const REGISTRY_PARAMS_EASY: &[&str] = &[
    "depth: waiting jobs a backfill pass examines and leaves waiting before it stops (default unbounded, the textbook rule; a limit is a speed knob that keeps jobs beyond it from backfilling; 0: no backfilling)",
];
const REGISTRY_PARAMS_BATCH: &[&str] = &[
    "order: fcfs (default), sjf, saf, priority, edf, wfp3, unicef or f1 (smallest score first; ties: arrival)",
    "backfill: none (default), easy (protects the head job) or conservative (every job holds a reservation)",
    "key: estimate (default; the requested time, else the run time) or runtime (the run time: an oracle)",
    "depth: EASY only: waiting jobs a pass may examine and leave waiting (default unbounded; a limit changes schedules)",
];
const REGISTRY_PARAMS_RR: &[&str] = &[
    "over: devices (default; all devices in id order) or classes (next capable class, then its next devices)",
];
const REGISTRY_PARAMS_LL: &[&str] =
    &["by: work (default; remaining committed work, s) or jobs (committed jobs per device)"];
const REGISTRY_PARAMS_HA: &[&str] = &[
    "threshold: least fraction of its best speed a job accepts, 0 to 1 (default 0.5; 1: best class only, 0: eft)",
];

/// Builds the `base` policy a wrapper names (default `eft`); no other parameters.
fn base_param(
    sc: &Scenario,
    params: &Params,
    who: &'static str,
) -> Result<Box<dyn Policy>, ParamError> {
    let p = ParamReader::with_owner(Owner::Wrapper(who), params, &["base"])?;
    let name = p
        .name("base", "a policy name")?
        .unwrap_or_else(|| "eft".to_string());
    if name == who {
        return Err(ParamError::new(
            "base",
            format!("`{who}` cannot wrap itself"),
        ));
    }
    build(
        &PolicySpec {
            name,
            params: Default::default(),
        },
        sc,
    )
}

/// Builds the policy a scenario names.
pub fn build(spec: &PolicySpec, sc: &Scenario) -> Result<Box<dyn Policy>, ParamError> {
    let info = lookup(&spec.name)?;
    (info.build)(sc, &spec.params)
}

/// Picks, among classes that can run `job`, the one minimising `key` (ties: file order),
/// and returns the job's gang on that class's earliest-available devices.
pub(crate) fn assign_by<K: PartialOrd>(
    job: &JobInfo,
    view: &ClusterView,
    mut key: impl FnMut(ClassId) -> K,
) -> Option<Decision> {
    let mut best: Option<(K, ClassId)> = None;
    for c in view.classes() {
        if !view.can_run(c, job) {
            continue;
        }
        let k = key(c);
        if best.as_ref().is_none_or(|(bk, _)| k < *bk) {
            best = Some((k, c));
        }
    }
    let (_, c) = best?;
    Some(assign_earliest(job, view, c))
}

/// On a class with slots, the slots `job` takes on one device when it needs more than
/// one (a whole-device job takes them all); `None` elsewhere.
fn multi_slot_need(job: &JobInfo, view: &ClusterView, c: ClassId) -> Option<u32> {
    let s = view.slots(c);
    let k = job.slots().map_or(s, |k| k.min(s));
    (s > 1 && k > 1).then_some(k)
}

/// Commits `job` to the earliest-available gang of class `c`. On a class with slots, a
/// job needing several slots goes to a device that has them free now if there is one
/// (best fit), else to the device where that many slots are available first.
pub(crate) fn assign_earliest(job: &JobInfo, view: &ClusterView, c: ClassId) -> Decision {
    if let Some(k) = multi_slot_need(job, view, c)
        && let Some((lane, _)) = view.earliest_slots(c, k)
    {
        return Decision::Assign {
            job: job.slot(),
            devices: Gang::one(lane),
        };
    }
    let devices = view
        .earliest_devices(c, job.devices() as usize)
        .map(|(d, _)| d)
        .collect();
    Decision::Assign {
        job: job.slot(),
        devices,
    }
}

/// Finish time of `job` on class `c` if committed now to its earliest devices (on a
/// class with slots, for a job needing several: when that many slots of one device
/// are first available).
pub(crate) fn finish_on(job: &JobInfo, view: &ClusterView, c: ClassId) -> Option<Time> {
    let start = match multi_slot_need(job, view, c) {
        Some(k) => view.earliest_slots(c, k)?.1,
        None => view.earliest_start(c, job.devices() as usize)?,
    };
    Some(start.saturating_add(view.runtime(c, job)?))
}
