//! Job generation: one lazy stream per job kind plus the explicit job list.
//!
//! Streams produce jobs as the clock reaches them, so memory does not grow with the
//! number of jobs. Each stream draws from its own ChaCha8 generators, seeded from the
//! run seed and the kind's name (not its position), so adding a kind leaves the other
//! kinds' draws unchanged.

use crate::engine::{Time, secs};
use crate::model::{Arrival, JobSpec, Scenario, SizeDist};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal, Uniform};

/// Derives a child seed from a parent seed and a label (splitmix64 over FNV-1a).
/// Pinned: changing it changes every published figure.
pub fn derive_seed(seed: u64, label: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    splitmix(seed ^ splitmix(h))
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A job as generated, before it enters the cluster.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NewJob {
    /// Kind index.
    pub kind: u32,
    /// Arrival time.
    pub arrival: Time,
    /// Work units.
    pub work: f64,
    /// Gang size.
    pub devices: u32,
    /// Memory per device.
    pub memory: f64,
    /// Relative deadline, s.
    pub deadline: Option<f64>,
    /// Priority.
    pub priority: i32,
    /// Deferrable slack, s.
    pub slack: Option<f64>,
    /// The work may be split across devices.
    pub divisible: bool,
}

// One value per kind, held inline: there are only a handful of sources.
#[allow(clippy::large_enum_variant)]
enum Source {
    Kind {
        kind: u32,
        arrival: Arrival,
        size: Sampler,
        rng_arrival: ChaCha8Rng,
        rng_size: ChaCha8Rng,
        emitted: u64,
        /// Nominal time of the last periodic arrival, or the last Poisson arrival, s.
        clock: f64,
    },
    List {
        jobs: Vec<JobSpec>,
        next: usize,
    },
}

enum Sampler {
    Constant(f64),
    Exp(Exp<f64>),
    Uniform(Uniform<f64>),
    LogNormal(LogNormal<f64>),
}

impl Sampler {
    fn new(d: &SizeDist) -> Sampler {
        match *d {
            SizeDist::Constant(v) => Sampler::Constant(v),
            SizeDist::Exponential { mean } => {
                Sampler::Exp(Exp::new(1.0 / mean).expect("validated mean > 0"))
            }
            SizeDist::Uniform { min, max } if min == max => Sampler::Constant(min),
            SizeDist::Uniform { min, max } => {
                Sampler::Uniform(Uniform::new_inclusive(min, max).expect("validated"))
            }
            SizeDist::Lognormal { mean, cv } => {
                // mean = exp(mu + s^2/2), cv^2 = exp(s^2) - 1
                let s2 = (1.0 + cv * cv).ln();
                let mu = mean.ln() - 0.5 * s2;
                Sampler::LogNormal(LogNormal::new(mu, s2.sqrt()).expect("validated"))
            }
        }
    }
    fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Sampler::Constant(v) => *v,
            Sampler::Exp(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::LogNormal(d) => d.sample(rng),
        }
    }
}

/// Per-kind job fields: devices, memory, deadline, priority, slack, divisible.
type KindDefaults = (u32, f64, Option<f64>, i32, Option<f64>, bool);

/// All job sources of a scenario.
pub struct Workload {
    sources: Vec<Source>,
    horizon: Option<Time>,
    kinds: Vec<KindDefaults>,
}

impl Workload {
    /// Builds the sources for a scenario and seed.
    pub fn new(sc: &Scenario, seed: u64) -> Self {
        let mut sources = Vec::new();
        for (i, k) in sc.kinds.iter().enumerate() {
            if k.arrival == Arrival::None {
                continue;
            }
            sources.push(Source::Kind {
                kind: i as u32,
                arrival: k.arrival.clone(),
                size: Sampler::new(&k.size),
                rng_arrival: ChaCha8Rng::seed_from_u64(derive_seed(
                    seed,
                    &format!("arrival/{}", k.name),
                )),
                rng_size: ChaCha8Rng::seed_from_u64(derive_seed(seed, &format!("size/{}", k.name))),
                emitted: 0,
                clock: 0.0,
            });
        }
        if !sc.jobs.is_empty() {
            sources.push(Source::List {
                jobs: sc.jobs.clone(),
                next: 0,
            });
        }
        Workload {
            sources,
            horizon: sc.horizon.map(secs),
            kinds: sc
                .kinds
                .iter()
                .map(|k| {
                    (
                        k.devices,
                        k.memory,
                        k.deadline,
                        k.priority,
                        k.slack,
                        k.divisible,
                    )
                })
                .collect(),
        }
    }

    /// Number of sources (stream ids are 0..n).
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// Whether there are no sources.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Draws the next job of stream `s`, or `None` when it is exhausted or past the
    /// horizon. Calls must be made in time order per stream.
    pub fn next(&mut self, s: usize) -> Option<NewJob> {
        let horizon = self.horizon;
        let job = match &mut self.sources[s] {
            Source::List { jobs, next } => {
                let j = jobs.get(*next)?;
                *next += 1;
                NewJob {
                    kind: j.kind,
                    arrival: secs(j.arrival),
                    work: j.work,
                    devices: j.devices,
                    memory: j.memory,
                    deadline: j.deadline,
                    priority: j.priority,
                    slack: j.slack,
                    divisible: j.divisible,
                }
            }
            Source::Kind {
                kind,
                arrival,
                size,
                rng_arrival,
                rng_size,
                emitted,
                clock,
            } => {
                let t = match *arrival {
                    Arrival::Poisson { rate, count, start } => {
                        if count.is_some_and(|c| *emitted >= c) {
                            return None;
                        }
                        if *emitted == 0 {
                            *clock = start;
                        }
                        let gap: f64 = Exp::new(rate)
                            .expect("validated rate > 0")
                            .sample(rng_arrival);
                        *clock += gap;
                        *clock
                    }
                    Arrival::Periodic {
                        period,
                        jitter,
                        count,
                        start,
                    } => {
                        if count.is_some_and(|c| *emitted >= c) {
                            return None;
                        }
                        let nominal = start + period * *emitted as f64;
                        *clock = nominal;
                        if jitter > 0.0 {
                            let u: f64 =
                                Uniform::new(-0.5, 0.5).expect("valid").sample(rng_arrival);
                            (nominal + u * jitter).max(0.0)
                        } else {
                            nominal
                        }
                    }
                    Arrival::Batch { count, at } => {
                        if *emitted >= count {
                            return None;
                        }
                        at
                    }
                    Arrival::None => return None,
                };
                let arrival_t = secs(t);
                if horizon.is_some_and(|h| arrival_t >= h) {
                    return None;
                }
                *emitted += 1;
                let (devices, memory, deadline, priority, slack, divisible) =
                    self.kinds[*kind as usize];
                NewJob {
                    kind: *kind,
                    arrival: arrival_t,
                    work: size.sample(rng_size).max(0.0),
                    devices,
                    memory,
                    deadline,
                    priority,
                    slack,
                    divisible,
                }
            }
        };
        Some(job)
    }
}
