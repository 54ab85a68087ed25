//! LLM serving: requests with a prefill and a decode phase, served by model replicas
//! (instances) on gangs of devices of one class, with iteration-level continuous
//! batching, KV-cache memory and KV transfers between instances.
//!
//! It is its own simulation on the [`engine`](crate::engine): a scenario with a
//! `serving:` section is run by [`sim::simulate`] instead of the job model. It reuses
//! the scenario's device classes (count, memory, idle power) and facility (PUE).
//!
//! - [`perf`]: iteration time from measured profiles (piecewise-linear curves).
//! - [`instance`]: one replica's queues, memory and batch selection.
//! - [`sched`]: which instances a request's phases go to.
//! - [`sim`]: the event loop, KV transfers, energy.
//! - [`trace`]: request streams (Azure trace, splitwise-sim trace CSV, Poisson).
//! - [`summary`]: per-request records and the summary (their files are written by
//!   `report::serving_files`, the run folder by `run::serving`).

pub mod instance;
pub mod mixed;
pub mod perf;
pub mod sched;
pub mod sim;
pub mod summary;
pub mod trace;

use crate::engine::Time;

/// One request: arrival, prompt size P and output size T (T >= 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// Identifier (from the trace, else its position).
    pub id: u64,
    /// Arrival time.
    pub arrival: Time,
    /// Prompt tokens.
    pub prompt: u32,
    /// Output tokens, the first one produced by the prefill.
    pub output: u32,
}

/// What an instance is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Both phases.
    Both,
    /// Prefills (prompt pool).
    Prompt,
    /// Decodes (token pool).
    Token,
}

/// Per-device power of a class while serving, W.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhasePower {
    /// No iteration running.
    pub idle: f64,
    /// A prefill-only or mixed iteration.
    pub prefill: f64,
    /// A decode-only iteration.
    pub decode: f64,
}

/// A hardware profile bound to a device class.
#[derive(Clone, Debug)]
pub struct Hardware {
    /// The device class's name.
    pub class: String,
    /// Iteration-time curves.
    pub perf: perf::Profile,
    /// Power per device.
    pub power: PhasePower,
    /// Memory per device, bytes.
    pub memory: u64,
}

/// One instance: a replica on `devices` devices of one class.
#[derive(Clone, Debug)]
pub struct InstanceSpec {
    /// Index into [`ServingSpec::hardware`].
    pub hw: usize,
    /// Devices (tensor parallelism).
    pub devices: u32,
    /// What it serves.
    pub role: Role,
}

/// How an instance picks its next instance within a pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// In turn.
    RoundRobin,
    /// Fewest queued plus running tasks.
    ShortestQueue,
    /// Fewest pending tokens.
    FewestTokens,
}

/// The request scheduler.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scheduler {
    /// Both phases on the instance with the fewest pending tokens.
    TokenJsq,
    /// Prefill in the prompt pool, decode in the token pool, each picked by `pick`.
    Pools {
        /// Rule within each pool.
        pick: Pick,
    },
    /// Splitwise's mixed pool: prompt instances up to a pending-token threshold,
    /// decode on the token instance with the least reserved memory, instances borrowed
    /// from the other pool when one pool is full.
    MixedPool {
        /// Most pending tokens a prompt instance may hold.
        prompt_threshold: u64,
    },
}

/// Batching limits (splitwise-compat rules, or chunked prefill).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Batching {
    /// Most tasks in a batch.
    pub max_batch_size: u32,
    /// Most batch tokens (a prefill counts P, a decode 1).
    pub max_batch_tokens: u64,
    /// Tasks preempted this often go first.
    pub max_preemptions: u32,
    /// Chunked prefill (Sarathi-style): at most this many prefill tokens per
    /// iteration, prefills split across iterations, every decode in every iteration
    /// (`None`: splitwise-compat, a prefill whole in one iteration).
    pub chunk: Option<u32>,
}

impl Default for Batching {
    fn default() -> Self {
        Batching {
            max_batch_size: 512,
            max_batch_tokens: 2048,
            max_preemptions: 4,
            chunk: None,
        }
    }
}

/// KV-cache transfers.
#[derive(Clone, Debug, PartialEq)]
pub struct Transfer {
    /// Bandwidth between every pair of hardware indexes (src, dst), bytes/s.
    pub bandwidth: Vec<Vec<f64>>,
    /// Seconds between retries of a transfer that does not fit at its destination.
    pub retry: f64,
    /// Transfers between the same two instances share one link, one at a time in
    /// the order they became ready (default: each request has its own link).
    pub shared_link: bool,
    /// Layer-wise transfer overlapped with the prefill: `Some(layers)` makes the
    /// visible transfer max(full - prefill time, full / layers) (default: none).
    pub overlap_layers: Option<u32>,
}

/// Splitwise's slowdown SLOs: thresholds at p50, p90, p99 on the slowdown against the
/// same request alone on the reference hardware.
#[derive(Clone, Debug)]
pub struct Slo {
    /// Reference profile (8-GPU A100 in Splitwise).
    pub reference: perf::Profile,
    /// TTFT slowdown limits at p50, p90, p99.
    pub ttft: [f64; 3],
    /// TBT slowdown limits.
    pub tbt: [f64; 3],
    /// E2E slowdown limits.
    pub e2e: [f64; 3],
    /// Absolute limits (s) on TTFT p99, TBT p99 and E2E p99, if declared.
    pub absolute: [Option<f64>; 3],
}

/// A validated serving scenario.
#[derive(Clone, Debug)]
pub struct ServingSpec {
    /// Configuration name (`baseline-a100`).
    pub config: String,
    /// KV bytes per token.
    pub kv_bytes_per_token: u64,
    /// Model weights, bytes (per instance).
    pub weights: u64,
    /// Hardware profiles.
    pub hardware: Vec<Hardware>,
    /// Instances, in declaration order.
    pub instances: Vec<InstanceSpec>,
    /// Scheduler.
    pub scheduler: Scheduler,
    /// Batching limits.
    pub batching: Batching,
    /// KV transfers.
    pub transfer: Transfer,
    /// Requests in arrival order.
    pub requests: Vec<Request>,
    /// SLOs, if a reference profile is given.
    pub slo: Option<Slo>,
    /// Facility PUE.
    pub pue: f64,
    /// Bin width of the time series (tokens/s, power), s.
    pub series_interval: f64,
}
