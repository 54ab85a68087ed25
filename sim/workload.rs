//! Job generation: one lazy stream per job kind with an arrival process, one stream
//! for the explicit job list (which holds the jobs of imported traces too), and the
//! pipeline releases.
//!
//! Streams produce jobs as the clock reaches them, so memory does not grow with the
//! number of jobs. Each stream draws from its own ChaCha8 generators, seeded from the
//! run seed and the kind's name (not its position), so adding a kind leaves the other
//! kinds' draws unchanged: `arrival/<kind>` for arrival times, `size/<kind>` for the
//! work of generated jobs, `then/<kind>` for the work of jobs released by pipelines.
//!
//! # Pipelines
//! A job can release successors when it completes:
//! - **by kind**: `then: [b, c]` on kind `a` releases one job of kind `b` and one of
//!   kind `c` each time a job of kind `a` completes (their work is drawn from `b`'s and
//!   `c`'s size distributions);
//! - **by job**: an explicit job (or a trace job) with `after` set is held until the
//!   named job completes (an imported LLM request's decode phase after its prefill).
//!
//! Every [`NewJob`] carries a [`Lineage`]: the arrival time of its pipeline's first
//! job, the root kind and its depth. The simulation keeps the lineage with the job and,
//! when the job completes, calls [`Workload::release`], which appends the released jobs
//! (all arriving at that instant) to a buffer. A completed job with `depth > 0` that
//! releases nothing ends a pipeline branch: its end-to-end latency is its end time
//! minus `lineage.origin`.

pub mod arrival;
pub mod size;

use crate::engine::{Time, secs};
use crate::model::{Arrival, EstimateRule, JobRequirements, JobSpec, KindId, Scenario};
use arrival::ArrivalStream;
use rand::rngs::ChaCha8Rng;
use size::Sampler;

pub use crate::seed::{derive_seed, stream_rng};

/// Where a job sits in a pipeline. Plain jobs are roots of a one-job pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lineage {
    /// Arrival time of the pipeline's first job.
    pub origin: Time,
    /// Kind index of the pipeline's first job (names the pipeline in reports).
    pub root: u32,
    /// 0 for the first job, predecessor's depth + 1 for released jobs.
    pub depth: u32,
    /// Index of the job in [`Scenario::jobs`] when it came from the explicit list or a
    /// trace ([`Lineage::NO_NODE`] for generated jobs); used to find its held
    /// successors.
    pub node: u32,
}

impl Lineage {
    /// `node` of a job that is not in the explicit list.
    pub const NO_NODE: u32 = u32::MAX;
}

/// A job as generated, before it enters the cluster.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NewJob {
    /// Its kind.
    pub kind: KindId,
    /// Arrival time.
    pub arrival: Time,
    /// What the job asks for.
    pub req: JobRequirements,
    /// Pipeline position; pass it back to [`Workload::release`] on completion.
    pub lineage: Lineage,
}

struct KindInfo {
    req: JobRequirements,
    then: Vec<u32>,
    estimate: Option<Estimator>,
}

/// A kind's estimate rule, ready to draw.
struct Estimator {
    /// The kind's speed on the fastest class that can run it.
    fastest: f64,
    factor: Factor,
}

#[allow(clippy::large_enum_variant)]
enum Factor {
    Fixed(f64),
    Drawn(Sampler, ChaCha8Rng),
}

impl KindInfo {
    /// A generated job of this kind with `work`: its requirements, with the requested
    /// time the kind's rule gives (factor x run time on the fastest class).
    fn job(&mut self, work: f64) -> JobRequirements {
        let mut req = self.req.with_work(work);
        if let Some(e) = &mut self.estimate {
            let f = match &mut e.factor {
                Factor::Fixed(f) => *f,
                Factor::Drawn(s, rng) => s.sample(rng).max(0.0),
            };
            req.estimate = Some(f * work / e.fastest);
        }
        req
    }
}

// One value per kind, held inline: there are only a handful of sources.
#[allow(clippy::large_enum_variant)]
enum Source {
    Kind {
        kind: u32,
        times: ArrivalStream,
        size: Sampler,
        rng_size: ChaCha8Rng,
    },
    List {
        next: usize,
    },
}

/// All job sources of a scenario.
pub struct Workload<'a> {
    sources: Vec<Source>,
    horizon: Option<Time>,
    kinds: Vec<KindInfo>,
    /// Explicit and trace jobs, in arrival order: the scenario's own list, borrowed
    /// (a copy would double a listed or trace workload's memory).
    jobs: &'a [JobSpec],
    /// Held successors of explicit job i: `succ[succ_start[i]..succ_start[i + 1]]`.
    succ_start: Vec<u32>,
    succ: Vec<u32>,
    /// Samplers and generators for jobs released by `then`, per kind (lazily made).
    then_samplers: Vec<Option<(Sampler, ChaCha8Rng)>>,
    seed: u64,
    names: Vec<String>,
    /// Each kind's sampler (built by the loader), for jobs released by `then`.
    sizes: Vec<Sampler>,
}

impl<'a> Workload<'a> {
    /// Builds the sources for a scenario and seed.
    pub fn new(sc: &'a Scenario, seed: u64) -> Self {
        let mut sources = Vec::new();
        for (i, k) in sc.kinds.iter().enumerate() {
            if k.arrival == Arrival::None {
                continue;
            }
            sources.push(Source::Kind {
                kind: i as u32,
                times: ArrivalStream::new(
                    &k.arrival,
                    stream_rng(seed, &format!("arrival/{}", k.name)),
                ),
                size: k.sampler().clone(),
                rng_size: stream_rng(seed, &format!("size/{}", k.name)),
            });
        }
        if sc.jobs.iter().any(|j| j.after.is_none()) {
            sources.push(Source::List { next: 0 });
        }
        // Successor lists of explicit jobs (compressed rows).
        let n = sc.jobs.len();
        let mut succ_start = Vec::new();
        let mut succ = Vec::new();
        if sc.jobs.iter().any(|j| j.after.is_some()) {
            let mut counts = vec![0u32; n + 1];
            for j in &sc.jobs {
                if let Some(p) = j.after {
                    counts[p as usize + 1] += 1;
                }
            }
            for i in 0..n {
                counts[i + 1] += counts[i];
            }
            succ = vec![0u32; counts[n] as usize];
            let mut fill = counts.clone();
            for (i, j) in sc.jobs.iter().enumerate() {
                if let Some(p) = j.after {
                    succ[fill[p as usize] as usize] = i as u32;
                    fill[p as usize] += 1;
                }
            }
            succ_start = counts;
        }
        Workload {
            sources,
            horizon: sc.horizon.map(secs),
            kinds: sc
                .kinds
                .iter()
                .enumerate()
                .map(|(i, k)| KindInfo {
                    req: k.req,
                    then: k.then.iter().map(|s| s.get()).collect(),
                    estimate: estimator(sc, i, seed),
                })
                .collect(),
            jobs: &sc.jobs,
            succ_start,
            succ,
            then_samplers: (0..sc.kinds.len()).map(|_| None).collect(),
            seed,
            names: sc.kinds.iter().map(|k| k.name.clone()).collect(),
            sizes: sc.kinds.iter().map(|k| k.sampler().clone()).collect(),
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

    /// Whether any kind or job can release successors (the simulation then has to
    /// call [`Workload::release`] on completions).
    pub fn has_pipelines(&self) -> bool {
        !self.succ.is_empty() || self.kinds.iter().any(|k| !k.then.is_empty())
    }

    /// Draws the next job of stream `s`, or `None` when it is exhausted or past the
    /// horizon. Jobs of one stream come in non-decreasing arrival order.
    pub fn next(&mut self, s: usize) -> Option<NewJob> {
        let horizon = self.horizon;
        match &mut self.sources[s] {
            Source::List { next } => {
                while self.jobs.get(*next)?.after.is_some() {
                    *next += 1;
                }
                let i = *next;
                *next += 1;
                let j = &self.jobs[i];
                let arrival = secs(j.arrival);
                Some(NewJob {
                    kind: j.kind,
                    arrival,
                    req: j.req,
                    lineage: Lineage {
                        origin: arrival,
                        root: j.kind.get(),
                        depth: 0,
                        node: i as u32,
                    },
                })
            }
            Source::Kind {
                kind,
                times,
                size,
                rng_size,
            } => {
                let arrival = secs(times.next()?);
                if horizon.is_some_and(|h| arrival >= h) {
                    return None;
                }
                let req = self.kinds[*kind as usize].job(size.sample(rng_size).max(0.0));
                Some(NewJob {
                    kind: KindId::new(*kind),
                    arrival,
                    req,
                    lineage: Lineage {
                        origin: arrival,
                        root: *kind,
                        depth: 0,
                        node: Lineage::NO_NODE,
                    },
                })
            }
        }
    }

    /// A job of kind `kind` with lineage `lineage` completed at `now`: appends the jobs
    /// it releases to `out`, all arriving at `now`, and returns how many. Order: the
    /// kind's `then` successors in declaration order, then the job's held explicit
    /// successors in list order. Released jobs are released even after the horizon (the
    /// horizon stops new pipelines, not running ones).
    pub fn release(
        &mut self,
        kind: KindId,
        lineage: Lineage,
        now: Time,
        out: &mut Vec<NewJob>,
    ) -> usize {
        let before = out.len();
        let child = |node: u32| Lineage {
            origin: lineage.origin,
            root: lineage.root,
            depth: lineage.depth + 1,
            node,
        };
        let kind = kind.get();
        let nthen = self.kinds[kind as usize].then.len();
        for t in 0..nthen {
            let s = self.kinds[kind as usize].then[t];
            let slot = &mut self.then_samplers[s as usize];
            if slot.is_none() {
                *slot = Some((
                    self.sizes[s as usize].clone(),
                    stream_rng(self.seed, &format!("then/{}", self.names[s as usize])),
                ));
            }
            let (sampler, rng) = slot.as_mut().expect("made above");
            let req = self.kinds[s as usize].job(sampler.sample(rng).max(0.0));
            out.push(NewJob {
                kind: KindId::new(s),
                arrival: now,
                req,
                lineage: child(Lineage::NO_NODE),
            });
        }
        if lineage.node != Lineage::NO_NODE && !self.succ.is_empty() {
            let i = lineage.node as usize;
            let (a, b) = (self.succ_start[i] as usize, self.succ_start[i + 1] as usize);
            for &j in &self.succ[a..b] {
                let js = &self.jobs[j as usize];
                out.push(NewJob {
                    kind: js.kind,
                    arrival: now,
                    req: js.req,
                    lineage: child(j),
                });
            }
        }
        out.len() - before
    }
}

/// Kind `k`'s estimate rule with its own random stream; `None` without a rule or
/// when no class can run the kind.
fn estimator(sc: &Scenario, k: usize, seed: u64) -> Option<Estimator> {
    let kind = &sc.kinds[k];
    let rule = kind.estimate.as_ref()?;
    let fastest = sc
        .classes
        .iter()
        .filter_map(|c| c.speed.get(k).copied().flatten())
        .fold(0.0, f64::max);
    if fastest <= 0.0 {
        return None;
    }
    let factor = match rule {
        EstimateRule::Factor(f) => Factor::Fixed(*f),
        EstimateRule::Dist(d) => Factor::Drawn(
            d.sampler().clone(),
            stream_rng(seed, &format!("estimate/{}", kind.name)),
        ),
    };
    Some(Estimator { fastest, factor })
}
