//! Arrival-time generators, one per [`Arrival`] process.
//!
//! An [`ArrivalStream`] yields arrival times in non-decreasing order, lazily, from its
//! own generator. The processes:
//!
//! - **Poisson**: exponential gaps.
//! - **Periodic**: `sources` sensors with the same period. Their phases are drawn
//!   once; each nominal arrival gets a uniform jitter, and a small reorder buffer keeps
//!   the output sorted when jitter makes neighbouring sources cross.
//! - **Burst** (two-state MMPP): the on/off periods are exponential, and within each the
//!   arrivals are Poisson at that state's rate. Because both are memoryless, the
//!   generator draws a gap at the current rate and, if it overruns the current period,
//!   restarts at the period's end in the other state. This is exact.
//! - **Profile** (non-homogeneous Poisson): thinning (Lewis and Shedler) against a
//!   piecewise-constant bound: within each segment of the profile the bound is the
//!   larger endpoint level. A candidate that overruns its segment restarts at the next
//!   segment (memoryless), so no candidate is ever tested against a bound below the
//!   intensity. The result is exact for any piecewise-linear or step profile.
//! - **Batch**: `count` arrivals at the same instant, optionally repeated.

use crate::model::{Arrival, RateProfile};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Uniform};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A finite `f64` with a total order, for the reorder buffer.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Ordered(f64);
impl Eq for Ordered {}
impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[derive(Debug)]
enum State {
    Poisson {
        gap: Exp<f64>,
        t: f64,
    },
    Periodic {
        period: f64,
        jitter: f64,
        start: f64,
        /// Source phases, sorted, in [0, period).
        phases: Vec<f64>,
        /// Index of the next nominal arrival to generate.
        k: u64,
        buf: BinaryHeap<Reverse<Ordered>>,
    },
    Burst {
        on: bool,
        on_rate: f64,
        off_rate: f64,
        on_len: Exp<f64>,
        off_len: Exp<f64>,
        /// Time left in the current period.
        left: f64,
        t: f64,
    },
    Profile {
        rate: f64,
        profile: RateProfile,
        t: f64,
        /// Start of the current period, absolute.
        base: f64,
        seg: usize,
    },
    Batch {
        count: u64,
        at: f64,
        every: Option<f64>,
        batches: Option<u64>,
        in_batch: u64,
        batch: u64,
    },
    None,
}

/// Lazy arrival times of one process.
#[derive(Debug)]
pub struct ArrivalStream {
    state: State,
    rng: ChaCha8Rng,
    count: Option<u64>,
    emitted: u64,
}

impl ArrivalStream {
    /// A stream for `arrival` drawing from `rng`. Parameters must be valid (the loader
    /// checks them).
    pub fn new(arrival: &Arrival, mut rng: ChaCha8Rng) -> Self {
        let (state, count) = match arrival {
            Arrival::Poisson { rate, count, start } => (
                State::Poisson {
                    gap: Exp::new(*rate).expect("validated rate > 0"),
                    t: *start,
                },
                *count,
            ),
            Arrival::Periodic {
                period,
                jitter,
                count,
                start,
                sources,
            } => {
                let mut phases = vec![0.0];
                if *sources > 1 {
                    phases = (0..*sources)
                        .map(|_| rng.random::<f64>() * period)
                        .collect();
                    phases.sort_by(f64::total_cmp);
                }
                (
                    State::Periodic {
                        period: *period,
                        jitter: *jitter,
                        start: *start,
                        phases,
                        k: 0,
                        buf: BinaryHeap::new(),
                    },
                    *count,
                )
            }
            Arrival::Burst {
                on_rate,
                off_rate,
                on_mean,
                off_mean,
                count,
                start,
            } => {
                let on_len = Exp::new(1.0 / on_mean).expect("validated");
                let off_len = Exp::new(1.0 / off_mean).expect("validated");
                let on = rng.random::<f64>() < on_mean / (on_mean + off_mean);
                let left = if on {
                    on_len.sample(&mut rng)
                } else {
                    off_len.sample(&mut rng)
                };
                (
                    State::Burst {
                        on,
                        on_rate: *on_rate,
                        off_rate: *off_rate,
                        on_len,
                        off_len,
                        left,
                        t: *start,
                    },
                    *count,
                )
            }
            Arrival::Profile {
                rate,
                profile,
                count,
                start,
            } => {
                let base = (start / profile.period).floor() * profile.period;
                let x = start - base;
                let seg = profile.points.partition_point(|p| p.0 <= x).max(1) - 1;
                (
                    State::Profile {
                        rate: *rate,
                        profile: profile.clone(),
                        t: *start,
                        base,
                        seg,
                    },
                    *count,
                )
            }
            Arrival::Batch {
                count,
                at,
                every,
                batches,
            } => (
                State::Batch {
                    count: *count,
                    at: *at,
                    every: *every,
                    batches: *batches,
                    in_batch: 0,
                    batch: 0,
                },
                None,
            ),
            Arrival::None => (State::None, None),
        };
        ArrivalStream {
            state,
            rng,
            count,
            emitted: 0,
        }
    }

    /// Arrivals produced so far.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }

    /// The next arrival time, s, or `None` when the process has ended.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<f64> {
        if self.count.is_some_and(|c| self.emitted >= c) {
            return None;
        }
        let rng = &mut self.rng;
        let t = match &mut self.state {
            State::Poisson { gap, t } => {
                *t += gap.sample(rng);
                *t
            }
            State::Periodic {
                period,
                jitter,
                start,
                phases,
                k,
                buf,
            } => {
                let n = phases.len() as u64;
                let nominal = |k: u64| -> f64 {
                    *start + phases[(k % n) as usize] + (k / n) as f64 * *period
                };
                if *jitter <= 0.0 {
                    let t = nominal(*k);
                    *k += 1;
                    t
                } else {
                    // Any arrival generated later is at or after nominal(k) - jitter/2.
                    while buf
                        .peek()
                        .is_none_or(|Reverse(Ordered(m))| *m > nominal(*k) - 0.5 * *jitter)
                    {
                        let u: f64 = Uniform::new(-0.5, 0.5).expect("valid").sample(rng);
                        buf.push(Reverse(Ordered((nominal(*k) + u * *jitter).max(0.0))));
                        *k += 1;
                    }
                    buf.pop().expect("filled above").0.0
                }
            }
            State::Burst {
                on,
                on_rate,
                off_rate,
                on_len,
                off_len,
                left,
                t,
            } => loop {
                let rate = if *on { *on_rate } else { *off_rate };
                let gap = if rate > 0.0 {
                    -(1.0 - rng.random::<f64>()).ln() / rate
                } else {
                    f64::INFINITY
                };
                if gap < *left {
                    *left -= gap;
                    *t += gap;
                    break *t;
                }
                *t += *left;
                *on = !*on;
                *left = if *on {
                    on_len.sample(rng)
                } else {
                    off_len.sample(rng)
                };
            },
            State::Profile {
                rate,
                profile,
                t,
                base,
                seg,
            } => loop {
                let (a, b, va, vb) = profile.segment(*seg);
                let bound = *rate * va.max(vb);
                let end = *base + b;
                let next_segment = |seg: &mut usize, base: &mut f64| {
                    *seg += 1;
                    if *seg == profile.segment_count() {
                        *seg = 0;
                        *base += profile.period;
                    }
                };
                if bound <= 0.0 {
                    *t = end;
                    next_segment(seg, base);
                    continue;
                }
                let cand = *t - (1.0 - rng.random::<f64>()).ln() / bound;
                if cand >= end {
                    *t = end;
                    next_segment(seg, base);
                    continue;
                }
                *t = cand;
                if va == vb {
                    break cand;
                }
                let level = va + (vb - va) * (cand - *base - a) / (b - a);
                if rng.random::<f64>() * bound < *rate * level {
                    break cand;
                }
            },
            State::Batch {
                count,
                at,
                every,
                batches,
                in_batch,
                batch,
            } => {
                if *in_batch == *count {
                    *in_batch = 0;
                    *batch += 1;
                }
                let more = match every {
                    None => *batch == 0,
                    Some(_) => batches.is_none_or(|b| *batch < b),
                };
                if !more || *count == 0 {
                    return None;
                }
                *in_batch += 1;
                *at + every.unwrap_or(0.0) * *batch as f64
            }
            State::None => return None,
        };
        self.emitted += 1;
        Some(t)
    }
}
