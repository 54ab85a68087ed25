//! `easy-backfill`: EASY backfilling (Lifka 1995, as in the HPC batch schedulers).
//! Optimises utilisation and waiting time without starving the oldest job.
//!
//! Jobs wait in arrival order. Whenever devices free up or a job arrives:
//!
//! 1. **Head.** The oldest job starts if some class that can run it has enough free
//!    devices (the fastest such class, lowest ids first); repeat with the next oldest.
//! 2. **Reservation.** When the head does not fit, it gets a reservation: the earliest
//!    time `S` at which some capable class has `k` (its gang size) devices done with
//!    their committed work, on that class (ties: the fastest class, then file order).
//!    The reservation is kept until the head starts; it is recomputed only if the clock
//!    passes `S` while the head still does not fit, which happens only when the
//!    estimates were wrong.
//! 3. **Backfill.** Later jobs, in arrival order, start now on free devices if that
//!    cannot delay the head: on another class than the reserved one, or on the
//!    reserved class if they finish by `S`, or if the class still has `k` devices
//!    available at `S` besides the ones they take (EASY's "extra" devices).
//!
//! # Estimates
//! EASY needs run-time estimates. Jobs carry no requested time yet, so the estimate of
//! a job on a class is its run time there at the top P-state (work / speed), which is
//! also what the device index records for committed work. With devices always on and
//! no power cap these estimates are exact, and the head always starts at or before its
//! reservation (checked by the property tests). When a power manager puts devices to
//! sleep or picks lower P-states, or a cap delays starts, run times are only known when
//! jobs start: the reservation then rests on estimates and may slip; it is recomputed
//! when the clock passes it. A policy that re-derived the reservation on every call
//! would then decide differently, which is why the differential test compares the two
//! only with devices always on.
//!
//! # Cost
//! Step 1 costs O(classes + log q + k) per started job. A reservation costs
//! O(classes x (log n + k + u)), u the devices taken in the same call, once per head.
//! The backfill pass walks the queue behind the head in arrival order and stops when
//! `depth` jobs (parameter, default unbounded, the textbook rule; Slurm's `bf_max_job_test` is
//! the same idea as a limit)
//! were examined and left waiting, or when no device is free. So it examines at most
//! `depth` jobs plus the ones it starts (each start uses free devices, which bounds
//! them); each examined job costs O(classes x log n), plus O(k_head + k + u) when it is
//! checked against the reserved class. After a pass, the first `depth` waiting jobs
//! behind the head were all examined (or no device is free), so an arrival while the
//! head waits examines only the new job, if it is within those `depth`: nothing else
//! can start until devices free up. The queue is never scanned beyond that.

use super::overlay::{FreeUse, Overlay, fastest_free, fastest_where};
use super::{ClassId, ClusterView, Decision, JobInfo, Policy};
use crate::engine::Time;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Default number of queued jobs behind the head one backfill pass examines: all.
pub const DEFAULT_DEPTH: usize = usize::MAX;

/// A reservation made for a blocked head job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reservation {
    /// Job id.
    pub job: u64,
    /// Reserved class.
    pub class: ClassId,
    /// Reserved start time, ns.
    pub start: Time,
}

/// A shared record of every reservation made, in order (for tests and studies).
pub type ReservationLog = Arc<Mutex<Vec<Reservation>>>;

/// The EASY-backfilling policy.
pub struct EasyBackfill {
    queue: BTreeMap<u64, JobInfo>,
    resv: Option<Reservation>,
    depth: usize,
    log: Option<ReservationLog>,
}

impl EasyBackfill {
    /// A policy examining at most `depth` queued jobs per backfill pass.
    pub fn new(depth: usize) -> Self {
        EasyBackfill {
            queue: BTreeMap::new(),
            resv: None,
            depth,
            log: None,
        }
    }

    /// Like [`EasyBackfill::new`], also appending every reservation to `log`.
    pub fn with_log(depth: usize, log: ReservationLog) -> Self {
        EasyBackfill {
            log: Some(log),
            ..Self::new(depth)
        }
    }

    /// The full pass: heads, reservation, backfill.
    fn schedule(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        let mut used = FreeUse::new(view);
        let mut ov = Overlay::new(view);
        while let Some((_, &job)) = self.queue.first_key_value() {
            let Some(c) = fastest_free(&job, view, &used) else {
                break;
            };
            place(&job, c, view, &mut used, &mut ov, out);
            self.queue.pop_first();
        }
        let Some((_, &head)) = self.queue.first_key_value() else {
            self.resv = None;
            return;
        };
        let now = view.now();
        let valid = self
            .resv
            .is_some_and(|r| r.job == head.id() && now <= r.start);
        if !valid {
            self.resv = reserve(&head, view, &ov);
            if let (Some(r), Some(log)) = (self.resv, &self.log) {
                log.lock().expect("log lock").push(r);
            }
        }
        let Some(r) = self.resv else { return };
        let mut placed = Vec::new();
        let mut passed = 0;
        for (&id, job) in self.queue.iter().skip(1) {
            if passed == self.depth || !used.any_free(view) {
                break;
            }
            if let Some(c) = backfill_class(job, &head, r, view, &used, &ov) {
                place(job, c, view, &mut used, &mut ov, out);
                placed.push(id);
            } else {
                passed += 1;
            }
        }
        for id in placed {
            self.queue.remove(&id);
        }
    }
}

/// Starts `job` on the free devices of class `c` and records it in the overlay.
fn place(
    job: &JobInfo,
    c: ClassId,
    view: &ClusterView,
    used: &mut FreeUse,
    ov: &mut Overlay,
    out: &mut Vec<Decision>,
) {
    let devices = used.take(view, c, job.devices() as usize);
    let end = view.now().saturating_add(view.runtime(c, job).unwrap_or(0));
    ov.commit_view(c, &devices, end);
    out.push(Decision::Assign {
        job: job.slot(),
        devices,
    });
}

/// The head's reservation: the earliest time a capable class has `k` devices
/// available (ties: the fastest class, then file order).
fn reserve(head: &JobInfo, view: &ClusterView, ov: &Overlay) -> Option<Reservation> {
    let k = head.devices() as usize;
    let mut best: Option<(Time, f64, ClassId)> = None;
    for c in view.classes() {
        if !view.can_run(c, head) {
            continue;
        }
        let Some(t) = ov.kth_end(view, c, k) else {
            continue;
        };
        let s = view.speed(c, head).unwrap_or(0.0);
        if best.is_none_or(|(bt, bs, _)| t < bt || (t == bt && s > bs)) {
            best = Some((t, s, c));
        }
    }
    best.map(|(start, _, class)| Reservation {
        job: head.id(),
        class,
        start,
    })
}

/// The class `job` may start on now without delaying the reservation `r` of `head`:
/// the fastest among those with enough free devices that pass the EASY test.
fn backfill_class(
    job: &JobInfo,
    head: &JobInfo,
    r: Reservation,
    view: &ClusterView,
    used: &FreeUse,
    ov: &Overlay,
) -> Option<ClassId> {
    let k = job.devices() as usize;
    let need = head.devices() as usize + k;
    fastest_where(job, view, |c| {
        if used.free(view, c) < k {
            return false;
        }
        if c != r.class {
            return true;
        }
        let end = view.now().saturating_add(view.runtime(c, job).unwrap_or(0));
        // Finishes before the head needs the devices, or leaves enough of them.
        end <= r.start || ov.count_by(view, c, r.start, need) >= need
    })
}

impl Policy for EasyBackfill {
    fn name(&self) -> &'static str {
        "easy-backfill"
    }
    fn on_arrival(&mut self, job: JobInfo, _: &ClusterView, _: &mut Vec<Decision>) {
        self.queue.insert(job.id(), job);
    }
    fn decide(&mut self, view: &ClusterView, out: &mut Vec<Decision>) {
        self.schedule(view, out);
    }
    fn waiting(&self) -> usize {
        self.queue.len()
    }
}
