//! Generic discrete-event engine: a clock and an event list ordered by (time, sequence).
//!
//! The engine knows nothing about devices, jobs or power: it stores opaque `Copy`
//! payloads and hands them back in time order. Ties at the same time resolve by the
//! sequence number given at scheduling, so the order is total and runs reproduce
//! exactly.
//!
//! # Time
//! Time is an integer count of nanoseconds ([`Time`]). Integer time cannot drift: adding
//! a duration to a time is exact, and two events computed by different paths to the
//! same instant compare equal. Durations that come from real arithmetic (work / speed)
//! are rounded once, to the nearest nanosecond, where they are created. `u64`
//! nanoseconds cover 584 years of simulated time.
//!
//! # Cancellation
//! The engine does not remove events. Components that may need to invalidate an event
//! (a completion moved by a frequency change, a preempted job) put a generation counter
//! in the payload and bump their own counter; a stale event is dropped when popped.
//! This costs O(1) and never scans the queue.

/// Simulated time in integer nanoseconds since the start of the run.
pub type Time = u64;

/// Nanoseconds per second.
pub const NANOS_PER_SEC: f64 = 1e9;

/// Converts seconds to [`Time`], rounding to the nearest nanosecond.
///
/// Negative and NaN inputs map to 0; values past the range saturate at `u64::MAX`.
pub fn secs(s: f64) -> Time {
    let x = s * NANOS_PER_SEC;
    if let Some(ns) = round_ns(x) {
        return ns;
    }
    let ns = x.round();
    if ns.is_nan() || ns <= 0.0 {
        0
    } else if ns >= u64::MAX as f64 {
        u64::MAX
    } else {
        ns as u64
    }
}

/// `x.round()` as an integer for x in [0, 9e18), without the libm call (a run time is
/// rounded per job and class in eft, and a jobs.csv row rounds six times): below 2^52
/// the fraction x - trunc(x) is exact, and above it x is an integer, so halves round
/// up as `round` rounds them. `None` outside that range (negative, huge or NaN).
#[inline]
pub fn round_ns(x: f64) -> Option<u64> {
    if (0.0..9.0e18).contains(&x) {
        let t = x as u64;
        Some(t + u64::from(x - t as f64 >= 0.5))
    } else {
        None
    }
}

/// Converts a [`Time`] to seconds.
pub fn to_secs(t: Time) -> f64 {
    t as f64 / NANOS_PER_SEC
}

/// One pending event.
#[derive(Clone, Copy, Debug)]
struct Entry<E> {
    time: Time,
    seq: u64,
    payload: E,
}

impl<E> Entry<E> {
    /// The order key: earliest time first, then the sequence number (unique, so the
    /// order is total and any correct heap pops the same sequence).
    #[inline]
    fn key(&self) -> u128 {
        (self.time as u128) << 64 | self.seq as u128
    }
}

/// A 4-ary min-heap of entries: half the levels of a binary heap, and the four
/// children of a node share a cache line or two, so a pop with thousands of pending
/// events touches less memory than `std`'s `BinaryHeap`.
#[derive(Debug)]
struct Heap<E> {
    v: Vec<Entry<E>>,
}

impl<E: Copy> Heap<E> {
    fn with_capacity(n: usize) -> Self {
        Heap {
            v: Vec::with_capacity(n),
        }
    }

    #[inline]
    fn peek(&self) -> Option<&Entry<E>> {
        self.v.first()
    }

    #[inline]
    fn push(&mut self, e: Entry<E>) {
        let i = self.v.len();
        self.v.push(e);
        self.sift_up(i, e);
    }

    /// Places `e` in the hole at `i`, moving larger parents down into it first.
    #[inline]
    fn sift_up(&mut self, mut i: usize, e: Entry<E>) {
        let k = e.key();
        while i > 0 {
            let p = (i - 1) / 4;
            if self.v[p].key() <= k {
                break;
            }
            self.v[i] = self.v[p];
            i = p;
        }
        self.v[i] = e;
    }

    #[inline]
    fn pop(&mut self) -> Option<Entry<E>> {
        let last = self.v.pop()?;
        let Some(&top) = self.v.first() else {
            return Some(last);
        };
        // Bottom-up: move the smallest child up into the hole all the way to a leaf,
        // then sift the last entry up from there. The last entry nearly always belongs
        // near the bottom, so this saves the comparison with it on every level down.
        let n = self.v.len();
        let mut i = 0;
        loop {
            let c = 4 * i + 1;
            if c >= n {
                break;
            }
            let m = if c + 3 < n {
                // All four children: a branch-free tournament (which child is least
                // is unpredictable, and mispredicted branches cost more than compares).
                let a = c + usize::from(self.v[c + 1].key() < self.v[c].key());
                let b = c + 2 + usize::from(self.v[c + 3].key() < self.v[c + 2].key());
                if self.v[b].key() < self.v[a].key() {
                    b
                } else {
                    a
                }
            } else {
                // Fewer than four children (the last parent): keys are unique.
                (c..n).min_by_key(|&j| self.v[j].key()).unwrap_or(c)
            };
            self.v[i] = self.v[m];
            i = m;
        }
        self.sift_up(i, last);
        Some(top)
    }

    fn len(&self) -> usize {
        self.v.len()
    }
}

/// Error returned when an event is scheduled before the current time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("event scheduled at {at} ns, before the current time {now} ns")]
pub struct PastEventError {
    /// The requested time.
    pub at: Time,
    /// The engine's clock when the request was made.
    pub now: Time,
}

/// The event list and the clock.
///
/// # Examples
/// ```
/// use hetsim::engine::Engine;
/// let mut eng = Engine::new();
/// eng.schedule_in(5, 'b');
/// eng.schedule_in(5, 'c'); // same time: popped after 'b' (FIFO among ties)
/// eng.schedule_in(1, 'a');
/// let order: Vec<char> = std::iter::from_fn(|| eng.pop().map(|(_, e)| e)).collect();
/// assert_eq!(order, vec!['a', 'b', 'c']);
/// assert_eq!(eng.now(), 5);
/// ```
#[derive(Debug)]
pub struct Engine<E> {
    heap: Heap<E>,
    now: Time,
    seq: u64,
    popped: u64,
    /// Non-zero: same-time events pop in a scrambled (still deterministic) order.
    tie_salt: u64,
}

impl<E: Copy> Default for Engine<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> Engine<E> {
    /// An empty engine at time 0.
    pub fn new() -> Self {
        Self::with_capacity(1024)
    }

    /// An empty engine with room for `n` pending events.
    pub fn with_capacity(n: usize) -> Self {
        Engine {
            heap: Heap::with_capacity(n),
            now: 0,
            seq: 0,
            popped: 0,
            tie_salt: 0,
        }
    }

    /// Scrambles the order in which events scheduled for the same time pop (a
    /// bijection of the scheduling sequence keyed by `salt`; 0 restores FIFO). For
    /// tests that check results do not depend on the order of simultaneous events.
    pub fn permute_ties(&mut self, salt: u64) {
        self.tie_salt = salt;
    }

    /// The current simulated time (the time of the last popped event).
    #[inline]
    pub fn now(&self) -> Time {
        self.now
    }

    /// Number of events popped so far.
    #[inline]
    pub fn events_processed(&self) -> u64 {
        self.popped
    }

    /// Number of pending events (including stale ones not yet popped).
    #[inline]
    pub fn pending(&self) -> usize {
        self.heap.len()
    }

    /// Schedules `payload` at absolute time `at`. Fails if `at` is in the past.
    #[inline]
    pub fn schedule_at(&mut self, at: Time, payload: E) -> Result<(), PastEventError> {
        if at < self.now {
            return Err(PastEventError { at, now: self.now });
        }
        self.push(at, payload);
        Ok(())
    }

    /// Schedules `payload` after `delay` from now (saturating at the end of time).
    #[inline]
    pub fn schedule_in(&mut self, delay: Time, payload: E) {
        self.push(self.now.saturating_add(delay), payload);
    }

    #[inline]
    fn push(&mut self, time: Time, payload: E) {
        let mut seq = self.seq;
        self.seq += 1;
        if self.tie_salt != 0 {
            // Odd multiplier and xor: a bijection, so keys stay distinct.
            seq = (seq ^ self.tie_salt).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
        self.heap.push(Entry { time, seq, payload });
    }

    /// Time of the next pending event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|e| e.time)
    }

    /// Pops the earliest event and advances the clock to it.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        let e = self.heap.pop()?;
        self.now = e.time;
        self.popped += 1;
        Some((e.time, e.payload))
    }

    /// Pops the earliest event if it is at or before `limit`.
    #[inline]
    pub fn pop_until(&mut self, limit: Time) -> Option<(Time, E)> {
        if self.heap.peek()?.time > limit {
            return None;
        }
        self.pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 4-ary heap pops in (time, sequence) order: random times with many ties,
    /// interleaved pushes and pops, against a sorted reference.
    #[test]
    fn heap_pops_in_key_order() {
        let mut h = Heap::with_capacity(0);
        let mut reference = std::collections::BTreeSet::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut seq = 0u64;
        for round in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if !x.is_multiple_of(3) || reference.is_empty() {
                let time = round + x % 50;
                h.push(Entry {
                    time,
                    seq,
                    payload: (),
                });
                reference.insert((time, seq));
                seq += 1;
            } else {
                let e = h.pop().unwrap();
                assert_eq!(Some((e.time, e.seq)), reference.pop_first());
            }
            assert_eq!(h.len(), reference.len());
        }
        while let Some(e) = h.pop() {
            assert_eq!(Some((e.time, e.seq)), reference.pop_first());
        }
        assert!(reference.is_empty());
    }

    #[test]
    fn ties_pop_in_scheduling_order() {
        let mut e = Engine::new();
        for i in 0..100u32 {
            e.schedule_at(7, i).unwrap();
        }
        let got: Vec<u32> = std::iter::from_fn(|| e.pop().map(|x| x.1)).collect();
        assert_eq!(got, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn past_events_are_rejected() {
        let mut e = Engine::new();
        e.schedule_at(10, ()).unwrap();
        e.pop();
        assert_eq!(e.schedule_at(9, ()), Err(PastEventError { at: 9, now: 10 }));
    }

    #[test]
    fn time_conversion_rounds_to_nearest_ns() {
        assert_eq!(secs(200.0 / 1.5), 133_333_333_333);
        assert_eq!(secs(-1.0), 0);
        assert_eq!(secs(f64::NAN), 0);
        // The fast path rounds as `f64::round` does: halves away from zero, tiny
        // values, the 2^52 boundary.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut values = vec![0.2e-9, 0.5e-9, 0.7e-9, 1.5e-9, 2.5e-9, 4503599.627370495];
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push((x >> 11) as f64 / (1u64 << (x % 53)) as f64 * 1e-9);
        }
        for s in values {
            let r = (s * NANOS_PER_SEC).round();
            let want = if r >= u64::MAX as f64 {
                u64::MAX
            } else {
                r as u64
            };
            assert_eq!(secs(s), want, "secs({s:e})");
        }
        assert!((to_secs(secs(1.25)) - 1.25).abs() < 1e-12);
    }

    #[test]
    fn pop_until_respects_limit() {
        let mut e = Engine::new();
        e.schedule_at(5, 1).unwrap();
        e.schedule_at(15, 2).unwrap();
        assert_eq!(e.pop_until(10), Some((5, 1)));
        assert_eq!(e.pop_until(10), None);
        assert_eq!(e.pending(), 1);
    }
}
