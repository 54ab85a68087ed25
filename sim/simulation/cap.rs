//! The cap gate: the IT power cap now, the FIFO of what waits for power under it
//! (starts, wake-ups, resumptions of paused jobs), and its counters. The gate only
//! answers questions and keeps the queue; the simulation acts on its answers.

use crate::cluster::DeviceId;
use crate::engine::Time;
use std::collections::VecDeque;

/// Something waiting for power under the cap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Blocked {
    /// A job paused by a falling cap (its slot).
    Resume(u32),
    /// A job whose devices are ready (its slot).
    Start(u32),
    /// A sleeping device that must wake for its queued work.
    Wake(DeviceId),
}

/// Cap, waiting FIFO and counters.
pub(super) struct CapGate {
    /// The cap now, W (`None`: uncapped).
    pub(super) cap: Option<f64>,
    blocked: VecDeque<Blocked>,
    /// Jobs paused now.
    pub(super) paused: u64,
    /// Jobs that waited for power before starting.
    pub(super) delayed_jobs: u64,
    /// Total time jobs waited for power before starting, ns.
    pub(super) delay_ns: Time,
    /// Time during which the cap bound, ns (see `Simulation::cap_binds`).
    pub(super) binding_ns: Time,
    /// Time up to which `binding_ns` is integrated.
    pub(super) binding_last: Time,
}

impl CapGate {
    /// A gate with the cap at time 0.
    pub(super) fn new(cap: Option<f64>) -> Self {
        CapGate {
            cap,
            blocked: VecDeque::new(),
            paused: 0,
            delayed_jobs: 0,
            delay_ns: 0,
            binding_ns: 0,
            binding_last: 0,
        }
    }

    /// Power that can still be added to `it` W under the cap.
    pub(super) fn headroom(&self, it: f64) -> f64 {
        self.cap.map_or(f64::INFINITY, |c| c - it)
    }

    /// Whether adding `delta` W to `it` W keeps IT power under the cap (with a tolerance
    /// for rounding in the running sum).
    pub(super) fn fits(&self, delta: f64, it: f64) -> bool {
        delta <= self.headroom(it) + 1e-9 * self.cap.unwrap_or(0.0).abs().max(1.0)
    }

    /// Whether anything waits (then new starts and wake-ups queue behind it: strict
    /// FIFO, no overtaking).
    pub(super) fn any_waiting(&self) -> bool {
        !self.blocked.is_empty()
    }

    /// Number waiting.
    pub(super) fn waiting(&self) -> usize {
        self.blocked.len()
    }

    /// Queues `b` at the back; `first_wait` counts a start that had not waited before.
    pub(super) fn block(&mut self, b: Blocked, first_wait: bool) {
        if first_wait {
            self.delayed_jobs += 1;
        }
        self.blocked.push_back(b);
    }

    /// Pauses a running job: it resumes before anything else.
    pub(super) fn pause(&mut self, slot: u32) {
        self.paused += 1;
        self.blocked.push_front(Blocked::Resume(slot));
    }

    /// Forgets a paused job that ends while paused (killed at its requested time).
    pub(super) fn drop_paused(&mut self, slot: u32) {
        if let Some(i) = self
            .blocked
            .iter()
            .position(|&b| b == Blocked::Resume(slot))
        {
            self.blocked.remove(i);
            self.paused -= 1;
        }
    }

    /// The oldest waiting entry.
    pub(super) fn front(&self) -> Option<Blocked> {
        self.blocked.front().copied()
    }

    /// Drops the oldest entry once it has been admitted.
    pub(super) fn admitted(&mut self) {
        if let Some(Blocked::Resume(_)) = self.blocked.pop_front() {
            self.paused -= 1;
        }
    }
}
