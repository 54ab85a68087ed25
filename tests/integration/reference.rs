//! Naive reference implementations of the policies, for differential tests only.
//!
//! Each reference makes the same decisions as its policy by brute force: it scans
//! every device of a class (reading each device's committed-work end and free flag)
//! instead of using the ordered indexes, rescans the whole waiting queue on every call
//! instead of keeping a heap or a reservation, and tracks the devices it used in a call
//! in plain maps. A decision costs O(n log n + q). Tests run a policy and its
//! reference on the same small random scenarios and require identical schedules.
//! Parameters are read plainly: the tests build the real policy first, which checks them.

use hetsim::engine::Time;
use hetsim::model::{PolicySpec, Scenario};
use hetsim::policy::kit::{DEFAULT_DEPTH, RANDOM_STREAM as STREAM, SjfKey, sjf_key};
use hetsim::policy::{ClassId, ClusterView, Decision, DeviceId, JobInfo, Policy};
use hetsim::workload::derive_seed;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// A string parameter, if given.
fn text<'a>(p: &'a hetsim::policy::Params, key: &str) -> Option<&'a str> {
    p.get(key).and_then(|v| v.as_str())
}

/// Builds the naive reference of a policy, if it has one (`sjf`, `edf`,
/// `easy-backfill`, `round-robin` over devices, `random`, `least-loaded`, `lpt`,
/// `hetero-aware`, `min-edp`).
pub fn build(spec: &PolicySpec, sc: &Scenario) -> Result<Box<dyn Policy>, String> {
    let p = &spec.params;
    Ok(match spec.name.as_str() {
        "sjf" => {
            let key = match text(p, "key") {
                Some("work") => SjfKey::Work,
                _ => SjfKey::Runtime,
            };
            Box::new(NaiveOrdered {
                name: "sjf",
                key: Box::new(move |j, v| sjf_key(key, j, v)),
                queue: Vec::new(),
            })
        }
        "edf" => Box::new(NaiveOrdered {
            name: "edf",
            key: Box::new(|j, _| j.deadline().unwrap_or(u64::MAX)),
            queue: Vec::new(),
        }),
        "easy-backfill" => {
            let depth = p
                .get("depth")
                .and_then(|v| v.as_u64())
                .unwrap_or(DEFAULT_DEPTH as u64);
            Box::new(NaiveEasy {
                queue: Vec::new(),
                depth: usize::try_from(depth).unwrap_or(usize::MAX),
            })
        }
        "round-robin" => Box::new(NaiveRoundRobin { cursor: 0 }),
        "random" => Box::new(NaiveRandom {
            rng: ChaCha8Rng::seed_from_u64(derive_seed(sc.seed, STREAM)),
        }),
        "least-loaded" => {
            let jobs = text(p, "by") == Some("jobs");
            Box::new(NaiveLeastLoaded {
                jobs,
                committed: Vec::new(),
            })
        }
        "lpt" => Box::new(NaiveLpt {
            expected: hetsim::policy::kit::expected_arrivals(sc),
            batch: Vec::new(),
            at: 0,
        }),
        "hetero-aware" => {
            let t = p
                .get("threshold")
                .and_then(|v| v.as_f64())
                .unwrap_or(hetsim::policy::kit::DEFAULT_THRESHOLD);
            Box::new(NaiveImmediate {
                name: "hetero-aware",
                threshold: t,
            })
        }
        "min-edp" => Box::new(NaiveImmediate {
            name: "min-edp",
            threshold: 0.0,
        }),
        other => return Err(format!("no naive reference for policy `{other}`")),
    })
}

/// Device ids of class `c`.
fn class_devices(view: &ClusterView, c: ClassId) -> std::ops::Range<DeviceId> {
    let first = view.class_first(c);
    first..first + view.class_size(c)
}

/// Every device of class `c` with its raw committed end (changed ones from `changed`),
/// sorted by (end, id): a full scan and sort.
fn all_ends(
    view: &ClusterView,
    c: ClassId,
    changed: &BTreeMap<DeviceId, Time>,
) -> Vec<(Time, DeviceId)> {
    let mut v: Vec<(Time, DeviceId)> = class_devices(view, c)
        .map(|d| (changed.get(&d).copied().unwrap_or(view.committed_end(d)), d))
        .collect();
    v.sort_unstable();
    v
}

/// Free devices of class `c` not in `taken`, by id: a full scan.
fn free_list(view: &ClusterView, c: ClassId, taken: &BTreeSet<DeviceId>) -> Vec<DeviceId> {
    class_devices(view, c)
        .filter(|d| view.is_free(*d) && !taken.contains(d))
        .collect()
}

/// The fastest class that can run `job` with enough free devices (ties: file order).
fn naive_fastest_free(
    job: &JobInfo,
    view: &ClusterView,
    taken: &BTreeSet<DeviceId>,
) -> Option<ClassId> {
    let mut best: Option<(f64, ClassId)> = None;
    for c in view.classes() {
        if view.can_run(c, job) && free_list(view, c, taken).len() >= job.devices() as usize {
            let s = view.speed(c, job).unwrap_or(0.0);
            if best.is_none_or(|(bs, _)| s > bs) {
                best = Some((s, c));
            }
        }
    }
    best.map(|(_, c)| c)
}

/// Takes `job`'s devices on class `c` from the free list, recording their new end.
fn naive_place(
    job: &JobInfo,
    c: ClassId,
    view: &ClusterView,
    taken: &mut BTreeSet<DeviceId>,
    changed: &mut BTreeMap<DeviceId, Time>,
    out: &mut Vec<Decision>,
) {
    let devices: Vec<DeviceId> = free_list(view, c, taken)
        .into_iter()
        .take(job.devices() as usize)
        .collect();
    let end = view.now() + view.runtime(c, job).unwrap_or(0);
    for &d in &devices {
        taken.insert(d);
        changed.insert(d, end);
    }
    out.push(Decision::Assign {
        job: job.slot(),
        devices: devices.into(),
    });
}

type KeyFn = Box<dyn Fn(&JobInfo, &ClusterView) -> u64 + Send>;

/// `sjf` and `edf` by brute force: the queue is a plain list scanned for its minimum.
struct NaiveOrdered {
    name: &'static str,
    key: KeyFn,
    queue: Vec<(u64, JobInfo)>,
}

impl NaiveOrdered {
    fn drain(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        let mut taken = BTreeSet::new();
        let mut changed = BTreeMap::new();
        loop {
            let Some(i) =
                (0..self.queue.len()).min_by_key(|&i| (self.queue[i].0, self.queue[i].1.id()))
            else {
                return;
            };
            let job = self.queue[i].1;
            let Some(c) = naive_fastest_free(&job, view, &taken) else {
                return;
            };
            naive_place(&job, c, view, &mut taken, &mut changed, out);
            self.queue.remove(i);
        }
    }
}

impl Policy for NaiveOrdered {
    fn name(&self) -> &'static str {
        self.name
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let _ = out;
        self.queue.push(((self.key)(&job, view), job));
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.drain(view, out);
    }
    fn waiting(&self) -> usize {
        self.queue.len()
    }
}

/// EASY by brute force: the reservation is recomputed from a full scan on every call,
/// and the backfill pass rescans the queue (to the same depth).
struct NaiveEasy {
    queue: Vec<JobInfo>,
    depth: usize,
}

impl NaiveEasy {
    fn schedule(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        let now = view.now();
        let mut taken = BTreeSet::new();
        let mut changed = BTreeMap::new();
        while let Some(job) = self.queue.first().copied() {
            let Some(c) = naive_fastest_free(&job, view, &taken) else {
                break;
            };
            naive_place(&job, c, view, &mut taken, &mut changed, out);
            self.queue.remove(0);
        }
        let Some(head) = self.queue.first().copied() else {
            return;
        };
        let kh = head.devices() as usize;
        // Reservation: earliest time a capable class has kh devices done.
        let mut resv: Option<(Time, f64, ClassId)> = None;
        for c in view.classes() {
            if !view.can_run(c, &head) {
                continue;
            }
            let ends = all_ends(view, c, &changed);
            let Some(&(t, _)) = ends.get(kh - 1) else {
                continue;
            };
            let t = t.max(now);
            let s = view.speed(c, &head).unwrap_or(0.0);
            if resv.is_none_or(|(bt, bs, _)| t < bt || (t == bt && s > bs)) {
                resv = Some((t, s, c));
            }
        }
        let Some((start, _, rc)) = resv else { return };
        let mut i = 1;
        // Jobs examined and left waiting; the pass stops at `depth` of them.
        let mut passed = 0;
        while i < self.queue.len() && passed < self.depth {
            let job = self.queue[i];
            let k = job.devices() as usize;
            let mut best: Option<(f64, ClassId)> = None;
            for c in view.classes() {
                if !view.can_run(c, &job) || free_list(view, c, &taken).len() < k {
                    continue;
                }
                let ok = c != rc || {
                    let end = now + view.runtime(c, &job).unwrap_or(0);
                    let avail = all_ends(view, c, &changed)
                        .iter()
                        .filter(|(e, _)| (*e).max(now) <= start)
                        .count();
                    end <= start || avail >= kh + k
                };
                let s = view.speed(c, &job).unwrap_or(0.0);
                if ok && best.is_none_or(|(bs, _)| s > bs) {
                    best = Some((s, c));
                }
            }
            if let Some((_, c)) = best {
                naive_place(&job, c, view, &mut taken, &mut changed, out);
                self.queue.remove(i);
            } else {
                i += 1;
                passed += 1;
            }
        }
    }
}

impl Policy for NaiveEasy {
    fn name(&self) -> &'static str {
        "easy-backfill"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let _ = (view, out);
        self.queue.push(job);
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.schedule(view, out);
    }
    fn waiting(&self) -> usize {
        self.queue.len()
    }
}

/// `round-robin` over devices, stepping one device at a time.
struct NaiveRoundRobin {
    cursor: DeviceId,
}

fn naive_class_of(view: &ClusterView, d: DeviceId) -> ClassId {
    view.classes()
        .rfind(|&c| view.class_first(c) <= d)
        .unwrap_or(ClassId::new(0))
}

impl Policy for NaiveRoundRobin {
    fn name(&self) -> &'static str {
        "round-robin"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let last = ClassId::new(view.class_count() as u32 - 1);
        let total = view.class_first(last) + view.class_size(last);
        let k = job.devices();
        for _ in 0..=2 * total {
            let d = self.cursor;
            let c = naive_class_of(view, d);
            let end = view.class_first(c) + view.class_size(c);
            if view.can_run(c, &job) && d + k <= end {
                out.push(Decision::Assign {
                    job: job.slot(),
                    devices: (d..d + k).collect(),
                });
                self.cursor = if d + k >= total { 0 } else { d + k };
                return;
            }
            self.cursor = if d + 1 >= total { 0 } else { d + 1 };
        }
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}

/// `random` with the capable devices listed in full.
struct NaiveRandom {
    rng: ChaCha8Rng,
}

impl Policy for NaiveRandom {
    fn name(&self) -> &'static str {
        "random"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let all: Vec<(ClassId, u32)> = view
            .classes()
            .filter(|&c| view.can_run(c, &job))
            .flat_map(|c| (0..view.class_size(c)).map(move |o| (c, o)))
            .collect();
        let devices =
            hetsim::policy::kit::random_draw(&mut self.rng, &job, view, |u| all[u as usize]);
        out.push(Decision::Assign {
            job: job.slot(),
            devices,
        });
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}

/// `least-loaded` with full scans, and its job count as a plain list.
struct NaiveLeastLoaded {
    jobs: bool,
    /// (end, class, devices held) of every committed job.
    committed: Vec<(Time, ClassId, u64)>,
}

impl Policy for NaiveLeastLoaded {
    fn name(&self) -> &'static str {
        "least-loaded"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let now = view.now();
        let k = job.devices() as usize;
        self.committed.retain(|&(end, _, _)| end > now);
        let none = BTreeMap::new();
        let mut best: Option<(ClassId, Time, f64, f64)> = None;
        for c in view.classes() {
            if !view.can_run(c, &job) {
                continue;
            }
            let ends = all_ends(view, c, &none);
            let start = ends[k - 1].0.max(now);
            let size = view.class_size(c) as f64;
            let busy = view.busy_count(c) as f64 / size;
            let held: u64 = self
                .committed
                .iter()
                .filter(|x| x.1 == c)
                .map(|x| x.2)
                .sum();
            let load = held as f64 / size;
            let better = best.is_none_or(|(_, bstart, bbusy, bload)| {
                if self.jobs {
                    load < bload || (load == bload && start < bstart)
                } else {
                    start < bstart || (start == bstart && busy < bbusy)
                }
            });
            if better {
                best = Some((c, start, busy, load));
            }
        }
        let Some((c, start, _, _)) = best else { return };
        let devices: Vec<DeviceId> = all_ends(view, c, &none)[..k].iter().map(|x| x.1).collect();
        self.committed.push((
            start + view.runtime(c, &job).unwrap_or(0),
            c,
            job.devices() as u64,
        ));
        out.push(Decision::Assign {
            job: job.slot(),
            devices: devices.into(),
        });
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}

/// Finish time of `job` on the k earliest devices of class `c` by full scan.
fn naive_finish(
    job: &JobInfo,
    view: &ClusterView,
    c: ClassId,
    changed: &BTreeMap<DeviceId, Time>,
) -> Option<(Time, Vec<DeviceId>)> {
    let k = job.devices() as usize;
    let ends = all_ends(view, c, changed);
    if ends.len() < k {
        return None;
    }
    let start = ends[..k].iter().map(|x| x.0).max()?.max(view.now());
    Some((
        start + view.runtime(c, job)?,
        ends[..k].iter().map(|x| x.1).collect(),
    ))
}

/// `lpt` with full scans.
struct NaiveLpt {
    expected: BTreeMap<Time, u64>,
    batch: Vec<JobInfo>,
    at: Time,
}

impl NaiveLpt {
    fn flush(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        let mut batch = std::mem::take(&mut self.batch);
        batch.sort_by(|a, b| b.work().total_cmp(&a.work()).then(a.id().cmp(&b.id())));
        let mut changed = BTreeMap::new();
        for job in &batch {
            let mut best: Option<(Time, f64, Vec<DeviceId>)> = None;
            for c in view.classes() {
                if !view.can_run(c, job) {
                    continue;
                }
                let Some((f, devs)) = naive_finish(job, view, c, &changed) else {
                    continue;
                };
                let s = view.speed(c, job).unwrap_or(0.0);
                if best
                    .as_ref()
                    .is_none_or(|(bf, bs, _)| f < *bf || (f == *bf && s > *bs))
                {
                    best = Some((f, s, devs));
                }
            }
            let Some((f, _, devices)) = best else {
                continue;
            };
            for &d in &devices {
                changed.insert(d, f);
            }
            out.push(Decision::Assign {
                job: job.slot(),
                devices: devices.into(),
            });
        }
    }
}

impl Policy for NaiveLpt {
    fn name(&self) -> &'static str {
        "lpt"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let now = view.now();
        if !self.batch.is_empty() && self.at != now {
            self.flush(view, out);
        }
        self.at = now;
        self.batch.push(job);
        if self.batch.len() as u64 >= self.expected.get(&now).copied().unwrap_or(0) {
            self.flush(view, out);
        }
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        if !self.batch.is_empty() && self.at != view.now() {
            self.flush(view, out);
        }
    }
    fn waiting(&self) -> usize {
        self.batch.len()
    }
    fn wakeup(&self) -> Option<Time> {
        (!self.batch.is_empty()).then(|| self.at.saturating_add(1))
    }
}

/// `hetero-aware` and `min-edp` with full scans for the finish times.
struct NaiveImmediate {
    name: &'static str,
    threshold: f64,
}

impl Policy for NaiveImmediate {
    fn name(&self) -> &'static str {
        self.name
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        let none = BTreeMap::new();
        let finish = |c| naive_finish(&job, view, c, &none).map(|x| x.0);
        let c = if self.name == "min-edp" {
            hetsim::policy::kit::min_edp_pick(&job, view, finish)
        } else {
            hetsim::policy::kit::hetero_aware_pick(&job, view, self.threshold, finish)
        };
        let Some(c) = c else { return };
        let devices = naive_finish(&job, view, c, &none).expect("picked").1;
        out.push(Decision::Assign {
            job: job.slot(),
            devices: devices.into(),
        });
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}
