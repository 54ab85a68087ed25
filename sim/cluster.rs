//! Device state and the indexes policies query: free devices and earliest-available
//! devices per class, each kept in an ordered set so one query costs O(log n).
//!
//! A device with `slots` > 1 runs that many jobs at once. Inside the simulation each
//! slot is a lane: a `Device` with its own queue, running one job at a time, and the
//! physical device is a `Host` that owns the power draw and the energy account. On a
//! one-slot class lane and host are the same device. Policies name lanes (a
//! [`DeviceId`]); a job asking `k` slots names one lane and the simulation adds
//! `k - 1` more lanes of the same host.

use crate::engine::{Time, secs};
use crate::model::{ClassId, JobRequirements, JobSlot, KindId, Scenario};
use std::collections::{BTreeSet, VecDeque};

mod gang;
pub use gang::Gang;

/// Index of a device (global, classes are contiguous in file order).
pub type DeviceId = u32;

/// What a device is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DevState {
    /// Powered and idle (also: holding a gang job until its partners are ready, or a
    /// job paused by the power cap).
    Idle,
    /// Running a job of the given kind.
    Busy(u32),
    /// In its sleep state.
    Asleep,
    /// Waking up.
    Waking,
    /// Falling asleep.
    Sleeping,
}

impl DevState {
    /// Accounting bucket: 0 busy, 1 idle, 2 asleep, 3 transition.
    pub(crate) fn bucket(self) -> usize {
        match self {
            DevState::Busy(_) => 0,
            DevState::Idle => 1,
            DevState::Asleep => 2,
            DevState::Waking | DevState::Sleeping => 3,
        }
    }
}

/// One lane's state: a whole device on a one-slot class, one slot of a device
/// otherwise (its energy, carbon and cost accounts are the meter's, per host).
#[derive(Clone, Debug)]
pub(crate) struct Device {
    /// Class index.
    pub(crate) class: u32,
    /// The physical device (host) this lane belongs to.
    pub(crate) host: u32,
    /// Current state.
    pub(crate) state: DevState,
    /// Job slot running now.
    pub(crate) running: Option<u32>,
    /// Committed jobs waiting on this device (slots), FIFO.
    pub(crate) queue: VecDeque<u32>,
    /// Current power draw, W.
    pub(crate) power_w: f64,
    /// Jobs completed.
    pub(crate) jobs_done: u64,
    /// Index key: time the device finishes its committed work; 0 when free. Changed
    /// only through [`Cluster::set_avail`], which keeps the class index in step.
    avail_key: Time,
    /// Current P-state.
    pub(crate) pstate: u8,
    /// Generation of the device's timers (idle timeout, transitions); bumping it
    /// cancels pending ones.
    pub(crate) timer_gen: u32,
    /// Wake-ups completed.
    pub(crate) wakeups: u64,
    /// Waiting in the power-cap queue for a wake-up.
    pub(crate) cap_blocked: bool,
    /// In its class's free set. Changed only through [`Cluster::set_free`], which
    /// skips the set when this already says what is asked (most commits go to a
    /// device with work).
    free: bool,
}

impl Device {
    /// Time the device finishes its committed work; 0 when free.
    pub(crate) fn avail_key(&self) -> Time {
        self.avail_key
    }
}

/// A physical device of a class with several slots: its load and power (lanes of a
/// one-slot class keep their own power; their host only names them in outputs).
#[derive(Clone, Debug)]
pub(crate) struct Host {
    /// Class index.
    pub(crate) class: u32,
    /// First lane of the host (its lanes are contiguous).
    pub(crate) first_lane: DeviceId,
    /// Busy lanes (slots).
    pub(crate) busy: u32,
    /// Busy lanes per job kind (counts, so the load never drifts).
    pub(crate) by_kind: Vec<u32>,
    /// Power now, W.
    pub(crate) power_w: f64,
    /// Free lanes (idle, nothing committed).
    pub(crate) free: u32,
    /// Jobs completed (a job on several slots counts once); kept on classes with
    /// slots only (a one-slot device's count is its lane's).
    pub(crate) jobs_done: u64,
    /// Energy (J), carbon (g) and cost one busy lane has drawn so far: each segment's
    /// account divided by the lanes busy in it. A job on `k` lanes is charged `k` x its
    /// growth over the job's run, so the jobs' shares add up to the busy energy.
    pub(crate) lane_acc: [f64; 3],
    /// The host's account when `lane_acc` was last brought up to date.
    pub(crate) last_acc: [f64; 3],
    /// Busy lane-nanoseconds so far (up to `last_t`), for utilisation by slots.
    pub(crate) lane_busy_ns: u128,
    /// Time of the host's last change.
    pub(crate) last_t: Time,
}

/// Per-class indexes, kept in step with the devices by [`Cluster`]'s setters.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClassIndex {
    /// First device id of the class.
    first: DeviceId,
    /// Number of devices.
    count: u32,
    /// Free devices (idle, nothing committed), by id.
    free: BTreeSet<DeviceId>,
    /// All devices by (committed-work end, id); free devices have key 0.
    avail: BTreeSet<(Time, DeviceId)>,
    /// Devices currently busy.
    pub(crate) busy: u32,
    /// Slots per device.
    slots: u32,
    /// Hosts with free slots, by (free slots, host id); only for classes with more
    /// than one slot.
    free_slots: BTreeSet<(u32, u32)>,
}

/// All devices and their indexes.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// Devices, by id.
    pub(crate) devices: Vec<Device>,
    /// Indexes per class.
    pub(crate) classes: Vec<ClassIndex>,
    /// Physical devices, by id (devices.csv's rows).
    pub(crate) hosts: Vec<Host>,
}

impl Cluster {
    /// Builds an idle cluster for a scenario.
    pub fn new(sc: &Scenario) -> Self {
        let mut devices = Vec::with_capacity(sc.lane_count() as usize);
        let mut classes = Vec::with_capacity(sc.classes.len());
        let mut hosts = Vec::with_capacity(sc.device_count() as usize);
        for (ci, c) in sc.classes.iter().enumerate() {
            let first = devices.len() as DeviceId;
            let lanes = c.count * c.slots;
            let mut idx = ClassIndex {
                first,
                count: lanes,
                slots: c.slots,
                ..Default::default()
            };
            for d in 0..lanes {
                let id = first + d;
                if d % c.slots == 0 {
                    let h = hosts.len() as u32;
                    hosts.push(Host {
                        class: ci as u32,
                        first_lane: id,
                        busy: 0,
                        by_kind: if c.slots > 1 {
                            vec![0; sc.kinds.len()]
                        } else {
                            Vec::new()
                        },
                        power_w: c.idle_w,
                        free: c.slots,
                        jobs_done: 0,
                        lane_acc: [0.0; 3],
                        last_acc: [0.0; 3],
                        lane_busy_ns: 0,
                        last_t: 0,
                    });
                    if c.slots > 1 {
                        idx.free_slots.insert((c.slots, h));
                    }
                }
                devices.push(Device {
                    class: ci as u32,
                    host: hosts.len() as u32 - 1,
                    state: DevState::Idle,
                    running: None,
                    queue: VecDeque::new(),
                    power_w: c.idle_w,
                    jobs_done: 0,
                    avail_key: 0,
                    pstate: 0,
                    timer_gen: 0,
                    wakeups: 0,
                    cap_blocked: false,
                    free: true,
                });
                idx.free.insert(id);
                idx.avail.insert((0, id));
            }
            classes.push(idx);
        }
        Cluster {
            devices,
            classes,
            hosts,
        }
    }

    /// Sets a device's committed-work end, keeping the index in step.
    pub(crate) fn set_avail(&mut self, d: DeviceId, key: Time) {
        let dev = &mut self.devices[d as usize];
        if dev.avail_key == key {
            // The index entry is already right: no B-tree work.
            return;
        }
        let idx = &mut self.classes[dev.class as usize];
        idx.avail.remove(&(dev.avail_key, d));
        dev.avail_key = key;
        idx.avail.insert((key, d));
    }

    /// Whether class `c` has a free device (idle or asleep, nothing committed).
    pub(crate) fn has_free(&self, c: usize) -> bool {
        !self.classes[c].free.is_empty()
    }

    /// Marks a device free or not free in its class index (and its host's free
    /// slots).
    pub(crate) fn set_free(&mut self, d: DeviceId, free: bool) {
        let dev = &mut self.devices[d as usize];
        if dev.free == free {
            // The set already agrees: no B-tree search.
            return;
        }
        dev.free = free;
        let dev = &self.devices[d as usize];
        let c = dev.class as usize;
        let changed = if free {
            self.classes[c].free.insert(d)
        } else {
            self.classes[c].free.remove(&d)
        };
        debug_assert!(changed, "the flag mirrors the free set");
        let idx = &mut self.classes[c];
        if changed && idx.slots > 1 {
            let h = dev.host;
            let host = &mut self.hosts[h as usize];
            if host.free > 0 {
                idx.free_slots.remove(&(host.free, h));
            }
            if free {
                host.free += 1;
            } else {
                host.free -= 1;
            }
            if host.free > 0 {
                idx.free_slots.insert((host.free, h));
            }
        }
    }

    /// The lanes of host `h`.
    pub(crate) fn lanes_of(&self, h: u32) -> std::ops::Range<DeviceId> {
        let host = &self.hosts[h as usize];
        let s = self.classes[host.class as usize].slots;
        host.first_lane..host.first_lane + s
    }
}

/// What a policy knows about a job. Its times are all [`Time`] (absolute, ns); the
/// requirements as the workload wrote them (durations in seconds, relative to arrival)
/// are in [`JobInfo::requirements`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JobInfo {
    /// Handle to pass back in decisions.
    slot: JobSlot,
    /// Job id (arrival order).
    id: u64,
    /// Kind.
    kind: KindId,
    /// Arrival time, ns.
    arrival: Time,
    /// Absolute deadline (arrival + the relative deadline), ns.
    deadline: Option<Time>,
    /// What the job asks for.
    req: JobRequirements,
}

impl JobInfo {
    /// A job released at `arrival` (ns) with requirements `req`.
    pub(crate) fn new(slot: u32, id: u64, kind: u32, arrival: Time, req: JobRequirements) -> Self {
        JobInfo {
            slot: JobSlot::new(slot),
            id,
            kind: KindId::new(kind),
            arrival,
            deadline: req.deadline.map(|d| arrival.saturating_add(secs(d))),
            req,
        }
    }

    /// A part of this (divisible) job with `work` units, in `slot`.
    pub(crate) fn part(&self, slot: u32, work: f64) -> Self {
        JobInfo {
            slot: JobSlot::new(slot),
            req: self.req.with_work(work),
            ..*self
        }
    }

    /// The handle to name the job by in a [`crate::policy::Decision`].
    pub fn slot(&self) -> JobSlot {
        self.slot
    }

    /// Job id: its place in arrival order, unique in the run (jobs.csv's `id`).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The job's kind.
    pub fn kind(&self) -> KindId {
        self.kind
    }

    /// Arrival (release) time, ns.
    pub fn arrival(&self) -> Time {
        self.arrival
    }

    /// The requirements as the workload wrote them.
    pub fn requirements(&self) -> &JobRequirements {
        &self.req
    }

    /// Work units.
    pub fn work(&self) -> f64 {
        self.req.work
    }

    /// Devices needed at once (gang size).
    pub fn devices(&self) -> u32 {
        self.req.devices
    }

    /// Memory per device, bytes.
    pub fn memory(&self) -> f64 {
        self.req.memory
    }

    /// Slots asked for on one device; `None`: whole devices.
    pub fn slots(&self) -> Option<u32> {
        self.req.slots
    }

    /// Absolute deadline, ns.
    pub fn deadline(&self) -> Option<Time> {
        self.deadline
    }

    /// Priority (larger first).
    pub fn priority(&self) -> i32 {
        self.req.priority
    }

    /// Deferrable slack, ns: the job may start up to this long after arrival.
    pub fn slack(&self) -> Option<Time> {
        self.req.slack.map(secs)
    }

    /// The user's run-time estimate (requested time), ns, if the workload gave one.
    pub fn estimate(&self) -> Option<Time> {
        self.req.estimate.map(secs)
    }

    /// The work may be split across devices ([`crate::policy::Decision::Split`]).
    pub fn divisible(&self) -> bool {
        self.req.divisible
    }
}

/// A read-only view of the cluster for policies.
#[derive(Clone, Copy)]
pub struct ClusterView<'a> {
    pub(crate) now: Time,
    pub(crate) scenario: &'a Scenario,
    pub(crate) cluster: &'a Cluster,
    pub(crate) it_power: f64,
    pub(crate) cap: Option<f64>,
}

impl<'a> ClusterView<'a> {
    /// Builds a view (used by the simulation and by tests of policies).
    pub fn new(now: Time, scenario: &'a Scenario, cluster: &'a Cluster) -> Self {
        ClusterView {
            now,
            scenario,
            cluster,
            it_power: 0.0,
            cap: None,
        }
    }

    /// Adds the current IT power and cap (the simulation does this).
    pub fn with_power(mut self, it_power: f64, cap: Option<f64>) -> Self {
        self.it_power = it_power;
        self.cap = cap;
        self
    }

    /// IT power now, W.
    pub fn it_power(&self) -> f64 {
        self.it_power
    }

    /// The IT power cap now, W, if any.
    pub fn power_cap(&self) -> Option<f64> {
        self.cap
    }

    /// Power that can still be added under the cap, W (infinite without a cap).
    pub fn headroom(&self) -> f64 {
        self.cap.map_or(f64::INFINITY, |c| c - self.it_power)
    }

    /// Extra power a job adds while running on its devices of class `c` at the top
    /// P-state (busy minus idle), W. On a class with slots, its share of the whole
    /// device's busy-minus-idle power (exact for the linear power model, the mean
    /// slope for the others).
    pub fn power_increase(&self, c: ClassId, job: &JobInfo) -> f64 {
        let cl = &self.scenario.classes[c.index()];
        let per_device = cl.busy_w[job.kind.index()] - cl.idle_w;
        match job.slots() {
            Some(k) if cl.slots > 1 => per_device * k.min(cl.slots) as f64 / cl.slots as f64,
            _ => per_device * job.devices() as f64,
        }
    }

    /// Slots per device of class `c` (1: a device runs one job at a time).
    pub fn slots(&self, c: ClassId) -> u32 {
        self.cluster.classes[c.index()].slots
    }

    /// The physical device lane `d` belongs to (the id devices.csv and jobs.csv use).
    pub fn host_of(&self, d: DeviceId) -> u32 {
        self.cluster.devices[d as usize].host
    }

    /// Free slots of the physical device `h` (idle lanes with nothing committed).
    pub fn free_slots_on(&self, h: u32) -> u32 {
        self.cluster.hosts[h as usize].free
    }

    /// On a class with slots: a free lane of the device with the fewest free slots
    /// that still has `k` (best fit, which keeps whole devices free for large jobs),
    /// lowest id among ties; `None` if no device has `k` free slots. O(log n).
    pub fn best_fit_lane(&self, c: ClassId, k: u32) -> Option<DeviceId> {
        let idx = &self.cluster.classes[c.index()];
        let &(_, h) = idx.free_slots.range((k, 0)..).next()?;
        let lanes = self.cluster.lanes_of(h);
        idx.free.range(lanes).next().copied()
    }

    /// On a class with slots: the earliest time (ns) `k` slots of one device are all
    /// available, with a lane of that device to name in a decision (the simulation adds
    /// the device's other earliest-available lanes). A device with `k` free slots now
    /// answers in O(log n) ([`ClusterView::best_fit_lane`]); otherwise lanes are read in
    /// order of availability until one device has `k` of them, which costs up to the
    /// class's lanes when devices are nearly full.
    pub fn earliest_slots(&self, c: ClassId, k: u32) -> Option<(DeviceId, Time)> {
        if let Some(l) = self.best_fit_lane(c, k) {
            return Some((l, self.now));
        }
        let mut seen: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
        for &(t, d) in &self.cluster.classes[c.index()].avail {
            let n = seen
                .entry(self.cluster.devices[d as usize].host)
                .or_insert(0);
            *n += 1;
            if *n == k {
                return Some((d, t.max(self.now)));
            }
        }
        None
    }

    /// Free slots in class `c` (free devices on a one-slot class).
    pub fn free_slot_count(&self, c: ClassId) -> usize {
        self.cluster.classes[c.index()].free.len()
    }

    /// Whether device `d` is asleep or changing sleep state (starting on it costs a
    /// wake-up).
    pub fn is_asleep(&self, d: DeviceId) -> bool {
        !matches!(
            self.cluster.devices[d as usize].state,
            DevState::Idle | DevState::Busy(_)
        )
    }

    /// Class of device `d`.
    pub fn class_of(&self, d: DeviceId) -> ClassId {
        ClassId::new(self.cluster.devices[d as usize].class)
    }

    /// Carbon intensity now, g/kWh.
    pub fn carbon_intensity(&self) -> f64 {
        self.scenario.facility.carbon.at(self.now)
    }

    /// Current simulated time, ns.
    pub fn now(&self) -> Time {
        self.now
    }

    /// The scenario (classes, kinds, facility).
    pub fn scenario(&self) -> &'a Scenario {
        self.scenario
    }

    /// Number of device classes.
    pub fn class_count(&self) -> usize {
        self.cluster.classes.len()
    }

    /// Every device class, in file order.
    pub fn classes(&self) -> impl DoubleEndedIterator<Item = ClassId> + ExactSizeIterator + 'a {
        (0..self.cluster.classes.len() as u32).map(ClassId::new)
    }

    /// The class's model (name, speeds, powers).
    pub fn class(&self, c: ClassId) -> &'a crate::model::DeviceClass {
        &self.scenario.classes[c.index()]
    }

    /// Whether class `c` can run `job` (speed for its kind, memory, enough devices or
    /// slots).
    pub fn can_run(&self, c: ClassId, job: &JobInfo) -> bool {
        self.scenario.can_run(
            c.index(),
            job.kind.index(),
            job.memory(),
            job.devices(),
            job.slots(),
        )
    }

    /// Speed of the job on class `c` (work units/s), if it can run it: the class's
    /// speed for its kind, times `k / slots` for a job on `k` of a device's slots.
    pub fn speed(&self, c: ClassId, job: &JobInfo) -> Option<f64> {
        let cl = &self.scenario.classes[c.index()];
        let s = cl.speed[job.kind.index()]?;
        Some(match job.slots() {
            Some(k) if cl.slots > 1 => s * k.min(cl.slots) as f64 / cl.slots as f64,
            _ => s,
        })
    }

    /// Run time of `job` on devices of class `c`, ns.
    pub fn runtime(&self, c: ClassId, job: &JobInfo) -> Option<Time> {
        self.speed(c, job).map(|s| secs(job.work() / s))
    }

    /// Energy a job draws while running on class `c`: busy power x run time x gang, J
    /// (on a class with slots: its share `k / slots` of the device's busy power).
    pub fn job_energy(&self, c: ClassId, job: &JobInfo) -> Option<f64> {
        let cl = &self.scenario.classes[c.index()];
        let share = match job.slots() {
            Some(k) if cl.slots > 1 => k.min(cl.slots) as f64 / cl.slots as f64,
            _ => job.devices() as f64,
        };
        self.speed(c, job)
            .map(|s| cl.busy_w[job.kind.index()] * (job.work() / s) * share)
    }

    /// Number of free devices in class `c`.
    pub fn free_count(&self, c: ClassId) -> usize {
        self.cluster.classes[c.index()].free.len()
    }

    /// The first `k` free devices of class `c`, lowest id first (fewer if not enough).
    pub fn free_devices(&self, c: ClassId, k: usize) -> impl Iterator<Item = DeviceId> + 'a {
        self.cluster.classes[c.index()].free.iter().copied().take(k)
    }

    /// The `k` devices of class `c` that finish their committed work first, with the
    /// time each becomes available (ns, never before now). Ties go to the lower id.
    pub fn earliest_devices(
        &self,
        c: ClassId,
        k: usize,
    ) -> impl Iterator<Item = (DeviceId, Time)> + 'a {
        let now = self.now;
        self.cluster.classes[c.index()]
            .avail
            .iter()
            .take(k)
            .map(move |&(t, d)| (d, t.max(now)))
    }

    /// When `k` devices of class `c` are all available (the k-th earliest), ns, if it
    /// has k.
    pub fn earliest_start(&self, c: ClassId, k: usize) -> Option<Time> {
        self.earliest_devices(c, k)
            .nth(k.checked_sub(1)?)
            .map(|(_, t)| t)
    }

    /// Number of devices of class `c` busy now.
    pub fn busy_count(&self, c: ClassId) -> u32 {
        self.cluster.classes[c.index()].busy
    }

    /// Number of jobs committed to device `d` and not started (its local queue).
    pub fn queued_on(&self, d: DeviceId) -> usize {
        self.cluster.devices[d as usize].queue.len()
    }

    /// First device id of class `c` (classes are contiguous, in file order).
    pub fn class_first(&self, c: ClassId) -> DeviceId {
        self.cluster.classes[c.index()].first
    }

    /// Number of devices of class `c`.
    pub fn class_size(&self, c: ClassId) -> u32 {
        self.cluster.classes[c.index()].count
    }

    /// Devices of class `c` in the order of [`ClusterView::earliest_devices`], each with
    /// its raw committed-work end (ns; 0 for a free device; it may lie before now), starting
    /// strictly after the entry `after` (`None`: from the first). O(log n) to position,
    /// O(1) per item. Policies that place several jobs in one call use it to resume
    /// where they stopped.
    pub fn devices_by_end_after(
        &self,
        c: ClassId,
        after: Option<(Time, DeviceId)>,
    ) -> impl Iterator<Item = (Time, DeviceId)> + 'a {
        use std::ops::Bound;
        let lo = match after {
            Some(k) => Bound::Excluded(k),
            None => Bound::Unbounded,
        };
        self.cluster.classes[c.index()]
            .avail
            .range((lo, Bound::Unbounded))
            .copied()
    }

    /// Raw committed-work end of device `d`, ns (0 when free). O(1).
    pub fn committed_end(&self, d: DeviceId) -> Time {
        self.cluster.devices[d as usize].avail_key
    }

    /// Whether device `d` is free (idle, nothing committed). O(log n).
    pub fn is_free(&self, d: DeviceId) -> bool {
        let c = self.cluster.devices[d as usize].class as usize;
        self.cluster.classes[c].free.contains(&d)
    }
}
