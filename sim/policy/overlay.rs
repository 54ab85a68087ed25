//! What one policy call has already placed. The [`ClusterView`] is a snapshot taken
//! before the call, so a policy that places several jobs in one call must see its own
//! earlier placements: [`FreeUse`] counts the free devices it took, [`Overlay`] keeps
//! the committed-work ends it changed. Both cost O(classes) to create and nothing per
//! device they do not touch.

use super::{ClassId, ClusterView, DeviceId, Gang, JobInfo};
use crate::engine::Time;
use std::collections::BTreeSet;
use std::iter::Peekable;

/// Free devices taken during one call, per class. Devices are taken lowest id first,
/// so the ones taken are always the first free ones of their class.
pub(crate) struct FreeUse {
    taken: Vec<usize>,
}

impl FreeUse {
    /// Nothing taken yet.
    pub(crate) fn new(view: &ClusterView) -> Self {
        FreeUse {
            taken: vec![0; view.class_count()],
        }
    }

    /// Free devices of class `c` not taken in this call.
    pub(crate) fn free(&self, view: &ClusterView, c: ClassId) -> usize {
        view.free_count(c) - self.taken[c.index()]
    }

    /// Free devices left in all classes. O(classes).
    pub(crate) fn any_free(&self, view: &ClusterView) -> bool {
        view.classes().any(|c| self.free(view, c) > 0)
    }

    /// Takes the `k` lowest-id free devices of class `c` not taken yet (the caller has
    /// checked that there are `k`).
    pub(crate) fn take(&mut self, view: &ClusterView, c: ClassId, k: usize) -> Gang {
        let t = self.taken[c.index()];
        self.taken[c.index()] += k;
        view.free_devices(c, t + k).skip(t).collect()
    }
}

/// Among the classes that can run `job` and have `job.devices` free devices left in
/// this call, the fastest for it (ties: file order). O(classes).
pub(crate) fn fastest_free(job: &JobInfo, view: &ClusterView, used: &FreeUse) -> Option<ClassId> {
    fastest_where(job, view, |c| used.free(view, c) >= job.devices() as usize)
}

/// Among the classes that can run `job` and satisfy `ok`, the fastest (ties: file order).
pub(crate) fn fastest_where(
    job: &JobInfo,
    view: &ClusterView,
    mut ok: impl FnMut(ClassId) -> bool,
) -> Option<ClassId> {
    let mut best: Option<(f64, ClassId)> = None;
    for c in view.classes() {
        if !view.can_run(c, job) || !ok(c) {
            continue;
        }
        let s = view.speed(c, job).unwrap_or(0.0);
        if best.is_none_or(|(bs, _)| s > bs) {
            best = Some((s, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A device in committed-work-end order, as [`Overlay`] yields it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Raw committed-work end (0 when free; may be before now).
    pub(crate) end: Time,
    /// The device.
    pub(crate) id: DeviceId,
    /// Whether the entry comes from the view (not yet changed in this call).
    pub(crate) from_view: bool,
}

#[derive(Default)]
struct ClassOverlay {
    /// View entries up to and including this key have been replaced (a prefix of the
    /// view's order).
    cursor: Option<(Time, DeviceId)>,
    /// Other replaced view devices.
    skip: BTreeSet<DeviceId>,
    /// Replaced devices with their new raw end.
    new: BTreeSet<(Time, DeviceId)>,
}

/// Committed-work ends per class as the view has them, with this call's placements
/// applied. Order is (raw end, id), the view's own order.
pub(crate) struct Overlay {
    now: Time,
    classes: Vec<ClassOverlay>,
}

impl Overlay {
    /// No changes yet.
    pub(crate) fn new(view: &ClusterView) -> Self {
        Overlay {
            now: view.now(),
            classes: view.classes().map(|_| ClassOverlay::default()).collect(),
        }
    }

    /// Devices of class `c` by (raw end, id) with this call's changes. O(log n) to
    /// start, then O(log u) per item, u the devices changed in this call.
    pub(crate) fn iter<'s, 'v: 's>(
        &'s self,
        view: &ClusterView<'v>,
        c: ClassId,
    ) -> impl Iterator<Item = Slot> + 's {
        let co = &self.classes[c.index()];
        let base = view
            .devices_by_end_after(c, co.cursor)
            .filter(move |(_, d)| !co.skip.contains(d))
            .map(|(end, id)| Slot {
                end,
                id,
                from_view: true,
            });
        let new = co.new.iter().map(|&(end, id)| Slot {
            end,
            id,
            from_view: false,
        });
        Merge {
            a: base.peekable(),
            b: new.peekable(),
        }
    }

    /// The `k` devices of class `c` that finish their committed work first.
    pub(crate) fn earliest(&self, view: &ClusterView, c: ClassId, k: usize) -> Vec<Slot> {
        self.iter(view, c).take(k).collect()
    }

    /// When `k` devices of class `c` are all available (never before now).
    pub(crate) fn kth_end(&self, view: &ClusterView, c: ClassId, k: usize) -> Option<Time> {
        let now = self.now;
        self.iter(view, c)
            .nth(k.checked_sub(1)?)
            .map(|s| s.end.max(now))
    }

    /// Devices of class `c` available by `t`, counted up to `cap` (the count stops
    /// there). O(log n + cap + u).
    pub(crate) fn count_by(&self, view: &ClusterView, c: ClassId, t: Time, cap: usize) -> usize {
        let now = self.now;
        self.iter(view, c)
            .take_while(|s| s.end.max(now) <= t)
            .take(cap)
            .count()
    }

    /// Commits devices taken from the front of [`Overlay::iter`] (as
    /// [`Overlay::earliest`] returns them, in order) to a new end.
    pub(crate) fn commit_front(&mut self, c: ClassId, slots: &[Slot], end: Time) {
        let co = &mut self.classes[c.index()];
        for s in slots {
            if s.from_view {
                // Every view entry before it was taken or replaced already.
                co.cursor = Some((s.end, s.id));
            } else {
                co.new.remove(&(s.end, s.id));
            }
            co.new.insert((end, s.id));
        }
    }

    /// Commits view devices (not changed yet in this call, e.g. free devices) to a new
    /// end.
    pub(crate) fn commit_view(&mut self, c: ClassId, devices: &[DeviceId], end: Time) {
        let co = &mut self.classes[c.index()];
        for &d in devices {
            co.skip.insert(d);
            co.new.insert((end, d));
        }
    }
}

/// Merges two iterators sorted by (end, id).
struct Merge<A: Iterator<Item = Slot>, B: Iterator<Item = Slot>> {
    a: Peekable<A>,
    b: Peekable<B>,
}

impl<A: Iterator<Item = Slot>, B: Iterator<Item = Slot>> Iterator for Merge<A, B> {
    type Item = Slot;
    fn next(&mut self) -> Option<Slot> {
        match (self.a.peek(), self.b.peek()) {
            (Some(x), Some(y)) => {
                if (x.end, x.id) <= (y.end, y.id) {
                    self.a.next()
                } else {
                    self.b.next()
                }
            }
            (Some(_), None) => self.a.next(),
            (None, _) => self.b.next(),
        }
    }
}

/// Finish time of `job` started on the `k` earliest devices of class `c` with this
/// call's changes, and those devices.
pub(crate) fn finish_with(
    job: &JobInfo,
    view: &ClusterView,
    ov: &Overlay,
    c: ClassId,
) -> Option<(Time, Vec<Slot>)> {
    let k = job.devices() as usize;
    let slots = ov.earliest(view, c, k);
    if slots.len() < k {
        return None;
    }
    let start = slots.iter().map(|s| s.end).max()?.max(view.now());
    Some((start.saturating_add(view.runtime(c, job)?), slots))
}
