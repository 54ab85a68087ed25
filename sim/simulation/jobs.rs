//! The job table: one record per released job (and per part of a split job), in slots
//! reused after completion. A slot's generation changes whenever its pending completion
//! becomes stale (the job finished, or was slowed or paused by the cap).

use crate::cluster::{Gang, JobInfo};
use crate::engine::Time;
use crate::workload::Lineage;

/// A released job from arrival to completion.
pub(super) struct ActiveJob {
    pub(super) info: JobInfo,
    pub(super) generation: u32,
    pub(super) devices: Gang,
    pub(super) ready: u32,
    /// Estimated end when committed (for index upkeep).
    pub(super) est_end: Time,
    pub(super) start: Option<Time>,
    /// Time the job first asked to start (all devices ready), for cap delay.
    pub(super) ready_at: Time,
    /// P-state index the job runs at (None: paused by the cap).
    pub(super) pstate: Option<usize>,
    /// P-state at start, for the record.
    pub(super) start_pstate: usize,
    /// Work left at `seg_start`.
    pub(super) remaining: f64,
    pub(super) seg_start: Time,
    /// Work units per second in the current segment.
    pub(super) rate: f64,
    /// Extra time (P-state switch) still to serve before work progresses, ns.
    pub(super) overhead: Time,
    pub(super) energy0: f64,
    pub(super) carbon0: f64,
    pub(super) cost0: f64,
    pub(super) cap_delay: Time,
    /// For a part of a split job: the parent's slot.
    pub(super) parent: Option<u32>,
    /// For a split job: parts not finished, and what finished parts add up to (boxed:
    /// rare, and inline it made every job's record a cache line longer).
    pub(super) parts_left: u32,
    pub(super) agg: Option<Box<PartsDone>>,
    /// Pipeline position (jobs released by the workload; parts have none).
    pub(super) lineage: Option<Lineage>,
    /// Start + requested time, when the job is to be killed there (`walltime: kill`).
    pub(super) kill_at: Option<Time>,
    /// Its scheduled completion is the kill at `kill_at`.
    pub(super) killed: bool,
}

/// What the finished parts of a split job add up to (or what one job did).
#[derive(Clone, Debug)]
pub(super) struct PartsDone {
    pub(super) start: Time,
    pub(super) devices: Gang,
    pub(super) energy: f64,
    pub(super) carbon: f64,
    pub(super) cost: f64,
    pub(super) pstate: usize,
    pub(super) cap_delay: Time,
    /// Killed at its requested time (for a split job: any part was).
    pub(super) killed: bool,
}

impl PartsDone {
    /// Folds a finished part into the parts finished before it.
    pub(super) fn fold(&mut self, done: PartsDone) {
        self.start = self.start.min(done.start);
        self.devices.extend_from_slice(&done.devices);
        self.energy += done.energy;
        self.carbon += done.carbon;
        self.cost += done.cost;
        self.cap_delay = self.cap_delay.max(done.cap_delay);
        self.killed |= done.killed;
    }
}

impl ActiveJob {
    pub(super) fn new(info: JobInfo, generation: u32) -> Self {
        ActiveJob {
            info,
            generation,
            devices: Gang::default(),
            ready: 0,
            est_end: 0,
            start: None,
            ready_at: 0,
            pstate: None,
            start_pstate: 0,
            remaining: info.work(),
            seg_start: 0,
            rate: 0.0,
            overhead: 0,
            energy0: 0.0,
            carbon0: 0.0,
            cost0: 0.0,
            cap_delay: 0,
            parent: None,
            parts_left: 0,
            agg: None,
            lineage: None,
            kill_at: None,
            killed: false,
        }
    }
}

/// Active jobs by slot, with slot reuse and generations.
#[derive(Default)]
pub(super) struct JobTable {
    jobs: Vec<Option<ActiveJob>>,
    free_slots: Vec<u32>,
    gens: Vec<u32>,
    /// Slots in use (jobs and parts).
    active: u64,
    /// Next job id (arrival order).
    next_id: u64,
    /// Jobs released so far.
    pub(super) arrived: u64,
}

impl JobTable {
    /// Takes a free slot (or a new one).
    pub(super) fn new_slot(&mut self) -> u32 {
        self.active += 1;
        match self.free_slots.pop() {
            Some(s) => s,
            None => {
                self.jobs.push(None);
                self.gens.push(0);
                (self.jobs.len() - 1) as u32
            }
        }
    }

    /// A new job id, counting an arrival.
    pub(super) fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.arrived += 1;
        id
    }

    /// The current generation of `slot`.
    pub(super) fn generation(&self, slot: u32) -> u32 {
        self.gens[slot as usize]
    }

    /// Sets the generation of `slot` (a rescheduled completion).
    pub(super) fn set_generation(&mut self, slot: u32, generation: u32) {
        self.gens[slot as usize] = generation;
    }

    /// Puts a job in its slot.
    pub(super) fn insert(&mut self, slot: u32, job: ActiveJob) {
        self.jobs[slot as usize] = Some(job);
    }

    /// The job in `slot`, if any.
    pub(super) fn get(&self, slot: u32) -> Option<&ActiveJob> {
        self.jobs.get(slot as usize).and_then(|j| j.as_ref())
    }

    /// The job in `slot`, which must be active.
    pub(super) fn at(&self, slot: u32) -> &ActiveJob {
        self.jobs[slot as usize].as_ref().expect("active")
    }

    /// The job in `slot`, which must be active, mutably.
    pub(super) fn at_mut(&mut self, slot: u32) -> &mut ActiveJob {
        self.jobs[slot as usize].as_mut().expect("active")
    }

    /// Removes a finished job, freeing its slot and making its pending events stale.
    pub(super) fn remove(&mut self, slot: u32) -> ActiveJob {
        let aj = self.jobs[slot as usize].take().expect("active");
        self.gens[slot as usize] = self.gens[slot as usize].wrapping_add(1);
        self.free_slots.push(slot);
        self.active -= 1;
        aj
    }

    /// Frees a finished job's slot in place ([`JobTable::remove`] without moving the
    /// job out), making its pending events stale.
    pub(super) fn release(&mut self, slot: u32) {
        let j = &mut self.jobs[slot as usize];
        assert!(j.is_some(), "active");
        *j = None;
        self.gens[slot as usize] = self.gens[slot as usize].wrapping_add(1);
        self.free_slots.push(slot);
        self.active -= 1;
    }

    /// Slots in use.
    pub(super) fn active(&self) -> u64 {
        self.active
    }

    /// Jobs still in the table (at the end of a run: unfinished).
    pub(super) fn count(&self) -> usize {
        self.jobs.iter().filter(|j| j.is_some()).count()
    }

    /// Running jobs (started, not paused) by (start, slot).
    pub(super) fn running(&self) -> Vec<(Time, u32)> {
        self.jobs
            .iter()
            .enumerate()
            .filter_map(|(s, j)| {
                j.as_ref()
                    .and_then(|j| Some((j.start?, s as u32)))
                    .filter(|_| j.as_ref().unwrap().pstate.is_some())
            })
            .collect()
    }
}
