//! `batch`: textbook batch scheduling, a queue order composed with a backfilling rule.
//! Optimises what its order says (waits, slowdowns, deadlines) under the rule's
//! guarantee (none, the head job, every job).
//!
//! # One decision pass per instant
//! Arrivals only join the queue; the pass ([`Policy::decide`]) runs once all events of
//! the instant are applied. A pass:
//! 1. orders the waiting jobs (`order`; ties: arrival, then job id);
//! 2. starts jobs from the head while they fit now, each on the fastest capable class
//!    with enough free devices (ties: file order), lowest device ids first;
//! 3. backfills (`backfill`):
//!    - `none`: nothing else starts.
//!    - `easy` (Lifka; Mu'alem and Feitelson 2001): the head gets the shadow time, the
//!      first expected end of a running job on a capable class at which enough devices
//!      are free for it (running jobs expected to end by then counted; a job already
//!      past its estimate is expected to end now), earliest over classes (ties: file
//!      order); the extra devices are those free at the shadow time beyond its need.
//!      Every other waiting job, in order, starts now if it fits now on some class and,
//!      on the head's class, either ends by estimate at or before the shadow time or
//!      uses no more than the extra devices (which then shrink). Unbounded: every
//!      waiting job is a candidate, unless `depth` limits how many may be examined and
//!      left waiting per pass (a speed knob that changes schedules: jobs beyond it
//!      cannot backfill).
//!    - `conservative` (Mu'alem and Feitelson 2001): every waiting job, in order, gets
//!      the earliest reservation in its class's profile of free devices (running jobs
//!      until their expected end, earlier reservations over their estimates) where it
//!      fits for its whole estimate; those reserved now start. Reservations are rebuilt
//!      at every pass, which compresses them when jobs end early. A running job past
//!      its estimate releases its devices an instant (1 ns) after now; a job with
//!      estimate 0 holds its devices for an instant.
//!
//! # Estimates
//! A job's length is its requested time (SWF field 9, a job list's `estimate`, a
//! kind's estimate rule) or, when it has none, its run time on the class at the top
//! P-state. `key: runtime` uses the run time always (an oracle no real scheduler has).
//! Jobs run their real time; expected ends assume a job started by this policy starts
//! when it is placed (true when devices are on and no cap delays it).
//!
//! # Orders (smallest score first)
//! With w the wait so far (s), r the length (s), n the devices, s the arrival (s since
//! the workload's time origin): `fcfs` s; `sjf` r; `saf` r x n; `priority` larger
//! priority first; `edf` deadline (none last); `wfp3` -(w / r)^3 x n; `unicef`
//! -(w + 1e-15) / (log2(n + 1e-15) x r); `f1` log10(r) x n + 870 x log10(s)
//! (Carastan-Santos and de Camargo, SC17). As in RLScheduler's code, r and s below
//! 0.1 s count as 0.1 s in `wfp3`, `unicef` and `f1` (no division by zero or log of 0).
//!
//! # Cost
//! Static orders keep the queue sorted (O(log q) per arrival and start); `wfp3` and
//! `unicef` depend on the clock and sort it at every pass (O(q log q)). EASY costs
//! O(r log r) for the shadow time plus O(q) for the walk, which stops as soon as no
//! device is free. Conservative costs O(p) per job reserved, p the profile's
//! breakpoints, and stops once no remaining job is small enough to start now.

use super::overlay::FreeUse;
use super::{ClassId, ClusterView, Completion, Decision, JobInfo, Policy};
use crate::engine::{Time, to_secs};
use std::collections::BTreeMap;

/// How waiting jobs are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Arrival.
    Fcfs,
    /// Shortest length.
    Sjf,
    /// Smallest area (length x devices).
    Saf,
    /// Largest priority.
    Priority,
    /// Earliest deadline.
    Edf,
    /// WFP3 (SC17).
    Wfp3,
    /// UNICEF (SC17).
    Unicef,
    /// F1 (SC17).
    F1,
}

impl Order {
    /// Names, in the order of the variants.
    pub const NAMES: &'static [&'static str] = &[
        "fcfs", "sjf", "saf", "priority", "edf", "wfp3", "unicef", "f1",
    ];
    const ALL: [Order; 8] = [
        Order::Fcfs,
        Order::Sjf,
        Order::Saf,
        Order::Priority,
        Order::Edf,
        Order::Wfp3,
        Order::Unicef,
        Order::F1,
    ];
    /// The order with this name.
    pub fn from_name(s: &str) -> Option<Order> {
        Self::NAMES
            .iter()
            .position(|n| *n == s)
            .map(|i| Self::ALL[i])
    }
    /// True if a job's score changes as it waits (the queue is re-sorted per pass).
    fn dynamic(self) -> bool {
        matches!(self, Order::Wfp3 | Order::Unicef)
    }
}

/// The backfilling rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backfill {
    /// Strict order.
    None,
    /// EASY: protect the head.
    Easy,
    /// Conservative: protect every job.
    Conservative,
}

/// What a job's length is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Length {
    /// The requested time, else the run time.
    Estimate,
    /// The run time (oracle).
    Runtime,
}

/// A job this policy started.
#[derive(Clone, Copy, Debug)]
struct Running {
    class: ClassId,
    devices: usize,
    /// Start + length on its class.
    end: Time,
}

/// Sort key of a waiting job: (score, arrival, id).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Key(f64, Time, u64);
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Key {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0
            .total_cmp(&o.0)
            .then(self.1.cmp(&o.1))
            .then(self.2.cmp(&o.2))
    }
}

/// The batch policy.
pub struct Batch {
    name: &'static str,
    order: Order,
    backfill: Backfill,
    length: Length,
    depth: usize,
    /// Waiting jobs by key (static orders: the key at arrival; dynamic: arrival).
    queue: BTreeMap<Key, JobInfo>,
    running: BTreeMap<u64, Running>,
}

impl Batch {
    /// A policy; `depth` limits EASY's candidates left waiting per pass (`usize::MAX`:
    /// unbounded, the textbook rule).
    pub fn new(
        name: &'static str,
        order: Order,
        backfill: Backfill,
        length: Length,
        depth: usize,
    ) -> Self {
        Batch {
            name,
            order,
            backfill,
            length,
            depth,
            queue: BTreeMap::new(),
            running: BTreeMap::new(),
        }
    }

    /// The job's length on class `c`, ns.
    fn len_on(&self, job: &JobInfo, view: &ClusterView, c: ClassId) -> Time {
        let run = view.runtime(c, job).unwrap_or(0);
        match self.length {
            Length::Estimate => job.estimate().unwrap_or(run),
            Length::Runtime => run,
        }
    }

    /// The job's length for ordering (class-independent: the requested time, else the
    /// run time on the fastest capable class), s.
    fn len_s(&self, job: &JobInfo, view: &ClusterView) -> f64 {
        let fastest = || {
            view.classes()
                .filter(|&c| view.can_run(c, job))
                .filter_map(|c| view.runtime(c, job))
                .min()
                .unwrap_or(0)
        };
        let t = match self.length {
            Length::Estimate => job.estimate().unwrap_or_else(fastest),
            Length::Runtime => fastest(),
        };
        to_secs(t)
    }

    fn score(&self, job: &JobInfo, view: &ClusterView) -> f64 {
        let n = job.devices() as f64;
        let s = to_secs(job.arrival());
        let w = to_secs(view.now().saturating_sub(job.arrival()));
        match self.order {
            Order::Fcfs => 0.0,
            Order::Sjf => self.len_s(job, view),
            Order::Saf => self.len_s(job, view) * n,
            Order::Priority => -(job.priority() as f64),
            Order::Edf => job.deadline().map_or(f64::INFINITY, |d| d as f64),
            Order::Wfp3 => -(w / self.len_s(job, view).max(0.1)).powi(3) * n,
            Order::Unicef => -(w + 1e-15) / ((n + 1e-15).log2() * self.len_s(job, view).max(0.1)),
            Order::F1 => self.len_s(job, view).max(0.1).log10() * n + 870.0 * s.max(0.1).log10(),
        }
    }

    fn key(&self, job: &JobInfo, view: &ClusterView) -> Key {
        let score = if self.order.dynamic() {
            0.0
        } else {
            self.score(job, view)
        };
        Key(score, job.arrival(), job.id())
    }

    /// The fastest capable class with `k` free devices (ties: file order).
    fn fit_now(job: &JobInfo, view: &ClusterView, used: &FreeUse) -> Option<ClassId> {
        let k = job.devices() as usize;
        let mut best: Option<(Time, ClassId)> = None;
        for c in view.classes() {
            if !view.can_run(c, job) || used.free(view, c) < k {
                continue;
            }
            let r = view.runtime(c, job).unwrap_or(Time::MAX);
            if best.is_none_or(|(br, _)| r < br) {
                best = Some((r, c));
            }
        }
        best.map(|(_, c)| c)
    }

    fn start(
        &mut self,
        job: &JobInfo,
        c: ClassId,
        view: &ClusterView,
        used: &mut FreeUse,
        out: &mut Vec<Decision>,
    ) {
        let k = job.devices() as usize;
        let devices = used.take(view, c, k);
        let end = view.now().saturating_add(self.len_on(job, view, c));
        self.running.insert(
            job.id(),
            Running {
                class: c,
                devices: k,
                end,
            },
        );
        out.push(Decision::Assign {
            job: job.slot(),
            devices,
        });
    }

    /// The waiting jobs in pass order, with their queue keys.
    fn ordered(&self, view: &ClusterView) -> Vec<(Key, JobInfo)> {
        let mut v: Vec<(Key, JobInfo)> = self.queue.iter().map(|(k, j)| (*k, *j)).collect();
        if self.order.dynamic() {
            v.sort_by_cached_key(|(_, j)| Key(self.score(j, view), j.arrival(), j.id()));
        }
        v
    }

    /// Shadow time and extra devices for `head` on class `c`, given free devices now.
    fn shadow(&self, head: &JobInfo, c: ClassId, free: usize, now: Time) -> Option<(Time, usize)> {
        let need = head.devices() as usize;
        let mut ends: Vec<(Time, usize)> = self
            .running
            .values()
            .filter(|r| r.class == c)
            .map(|r| (r.end.max(now), r.devices))
            .collect();
        ends.sort_unstable();
        let mut avail = free;
        let mut i = 0;
        while i < ends.len() {
            let t = ends[i].0;
            while i < ends.len() && ends[i].0 == t {
                avail += ends[i].1;
                i += 1;
            }
            if avail >= need {
                return Some((t, avail - need));
            }
        }
        None
    }

    fn easy(
        &mut self,
        rest: &[(Key, JobInfo)],
        view: &ClusterView,
        used: &mut FreeUse,
        out: &mut Vec<Decision>,
    ) {
        let Some(((_, head), others)) = rest.split_first() else {
            return;
        };
        let now = view.now();
        // The head's reservation: the earliest shadow time over capable classes.
        let mut resv: Option<(Time, ClassId, usize)> = None; // (shadow, class, extra)
        for c in view.classes() {
            if !view.can_run(c, head) {
                continue;
            }
            if let Some((s, extra)) = self.shadow(head, c, used.free(view, c), now)
                && resv.is_none_or(|(bs, _, _)| s < bs)
            {
                resv = Some((s, c, extra));
            }
        }
        // No shadow time: the head's devices are held by work this policy did not
        // start; backfilling could delay it without bound.
        let Some((shadow, rc, mut extra)) = resv else {
            return;
        };
        let mut left = 0;
        for (key, job) in others {
            if left >= self.depth || !used.any_free(view) {
                break;
            }
            let k = job.devices() as usize;
            let mut chosen = None;
            let mut best_r = Time::MAX;
            for c in view.classes() {
                if !view.can_run(c, job) || used.free(view, c) < k {
                    continue;
                }
                let r = view.runtime(c, job).unwrap_or(Time::MAX);
                if chosen.is_some() && r >= best_r {
                    continue;
                }
                let ok = c != rc
                    || now.saturating_add(self.len_on(job, view, c)) <= shadow
                    || k <= extra;
                if ok {
                    chosen = Some(c);
                    best_r = r;
                }
            }
            match chosen {
                Some(c) => {
                    if c == rc && now.saturating_add(self.len_on(job, view, c)) > shadow {
                        extra -= k;
                    }
                    self.start(job, c, view, used, out);
                    self.queue.remove(key);
                }
                None => left += 1,
            }
        }
    }

    fn conservative(
        &mut self,
        rest: &[(Key, JobInfo)],
        view: &ClusterView,
        used: &mut FreeUse,
        out: &mut Vec<Decision>,
    ) {
        if rest.is_empty() {
            return;
        }
        let now = view.now();
        // Per class: (from, free) breakpoints of the free-device profile.
        let mut profiles: Vec<Vec<(Time, i64)>> = view
            .classes()
            .map(|c| vec![(now, used.free(view, c) as i64)])
            .collect();
        let mut releases: Vec<(ClassId, Time, usize)> = self
            .running
            .values()
            .map(|r| {
                (
                    r.class,
                    if r.end <= now { now + 1 } else { r.end },
                    r.devices,
                )
            })
            .collect();
        releases.sort_unstable();
        for (c, at, k) in releases {
            let p = &mut profiles[c.index()];
            let last = *p.last().expect("non-empty");
            if last.0 == at {
                p.last_mut().expect("non-empty").1 += k as i64;
            } else {
                p.push((at, last.1 + k as i64));
            }
        }
        // Smallest gang among the jobs from i on: the pass stops once none can start.
        let mut min_after = vec![usize::MAX; rest.len() + 1];
        for i in (0..rest.len()).rev() {
            min_after[i] = min_after[i + 1].min(rest[i].1.devices() as usize);
        }
        for (i, (key, job)) in rest.iter().enumerate() {
            let free_now = view
                .classes()
                .map(|c| used.free(view, c))
                .max()
                .unwrap_or(0);
            if free_now < min_after[i] {
                break;
            }
            let k = job.devices() as i64;
            // Earliest fit over capable classes (ties: the faster class, then file order).
            let mut best: Option<(Time, Time, ClassId)> = None; // (start, runtime, class)
            for (c, prof) in view.classes().zip(&profiles) {
                if !view.can_run(c, job) || view.class_size(c) < k as u32 {
                    continue;
                }
                let len = self.len_on(job, view, c).max(1);
                let Some(a) = earliest_fit(prof, k, len) else {
                    continue;
                };
                let s = prof[a].0;
                let r = view.runtime(c, job).unwrap_or(Time::MAX);
                if best.is_none_or(|(bs, br, _)| (s, r) < (bs, br)) {
                    best = Some((s, r, c));
                }
            }
            let Some((s, _, c)) = best else { continue };
            let len = self.len_on(job, view, c).max(1);
            reserve(&mut profiles[c.index()], s, s.saturating_add(len), k);
            if s == now {
                self.start(job, c, view, used, out);
                self.queue.remove(key);
            }
        }
    }
}

/// Index of the earliest breakpoint from which `k` devices are free for `len`.
fn earliest_fit(p: &[(Time, i64)], k: i64, len: Time) -> Option<usize> {
    let mut a = 0;
    loop {
        while p.get(a)?.1 < k {
            a += 1;
        }
        let end = p[a].0.saturating_add(len);
        match p[a..].iter().position(|&(at, f)| at < end && f < k) {
            None => return Some(a),
            Some(bad) => a += bad,
        }
    }
}

/// Takes `k` devices over [from, to) in profile `p` (`from` is a breakpoint).
fn reserve(p: &mut Vec<(Time, i64)>, from: Time, to: Time, k: i64) {
    let j = p.partition_point(|&(at, _)| at < to);
    if j == p.len() || p[j].0 != to {
        let before = p[j - 1].1;
        p.insert(j, (to, before));
    }
    for b in p.iter_mut().filter(|b| b.0 >= from && b.0 < to) {
        b.1 -= k;
    }
}

impl Policy for Batch {
    fn name(&self) -> &'static str {
        self.name
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, _: &mut Vec<Decision>) {
        let k = self.key(&job, view);
        self.queue.insert(k, job);
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        if self.queue.is_empty() {
            return;
        }
        let mut used = FreeUse::new(view);
        if self.order.dynamic() {
            let order = self.ordered(view);
            let mut i = 0;
            while let Some((key, job)) = order.get(i) {
                let Some(c) = Self::fit_now(job, view, &used) else {
                    break;
                };
                self.start(job, c, view, &mut used, out);
                self.queue.remove(key);
                i += 1;
            }
            self.backfill_pass(&order[i..], view, &mut used, out);
        } else {
            // Static keys: the queue is in order; walk its head without copying it.
            while let Some((&key, &job)) = self.queue.first_key_value() {
                let Some(c) = Self::fit_now(&job, view, &used) else {
                    break;
                };
                self.start(&job, c, view, &mut used, out);
                self.queue.remove(&key);
            }
            if self.backfill != Backfill::None && !self.queue.is_empty() && used.any_free(view) {
                let order = self.ordered(view);
                self.backfill_pass(&order, view, &mut used, out);
            }
        }
    }
    fn on_complete(&mut self, done: &Completion<'_>) {
        self.running.remove(&done.job.id());
    }
    fn waiting(&self) -> usize {
        self.queue.len()
    }
}

impl Batch {
    /// Backfills behind the blocked head (`rest[0]`).
    fn backfill_pass(
        &mut self,
        rest: &[(Key, JobInfo)],
        view: &ClusterView,
        used: &mut FreeUse,
        out: &mut Vec<Decision>,
    ) {
        if !used.any_free(view) {
            return;
        }
        match self.backfill {
            Backfill::None => {}
            Backfill::Easy => self.easy(rest, view, used, out),
            Backfill::Conservative => self.conservative(rest, view, used, out),
        }
    }
}
