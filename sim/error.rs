//! Run-time failures of a simulation: a policy's bad decision, jobs starved by the
//! power cap, a job that would run past the clock, and errors writing output.
//!
//! Everything a user wrote (scenario fields, policy and power-manager parameters) is an
//! input error instead; parameter readers return [`crate::policy::ParamError`].

use crate::policy::ParamError;

/// Longest run time of one job, s (100 years): keeps every time within the clock.
pub const MAX_RUN_S: f64 = 100.0 * 365.25 * 86400.0;

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// The scenario's policy or power manager could not be built (unknown name or bad
    /// parameter). Fatal before the run starts.
    #[error(transparent)]
    Setup(#[from] ParamError),
    /// A policy returned a decision the simulation cannot apply (a policy bug).
    #[error("policy `{policy}` {detail}")]
    BadDecision {
        /// The policy's registered name.
        policy: &'static str,
        /// What was wrong, following "policy `name` ".
        detail: String,
    },
    /// Jobs still waited for power under the cap when nothing else could happen.
    #[error(
        "{jobs} job(s) never got power under the cap: policy `{policy}` placed them where they cannot fit (try policy `power-capped`, or P-states, or a higher cap)"
    )]
    CapStarvation {
        /// The policy's registered name.
        policy: &'static str,
        /// Starts, wake-ups and resumptions still blocked.
        jobs: usize,
    },
    /// The policy kept or left jobs that never finished.
    #[error("policy `{policy}` left {jobs} job(s) unfinished at the end of the run")]
    Unfinished {
        /// The policy's registered name.
        policy: &'static str,
        /// Jobs left.
        jobs: usize,
    },
    /// A job's run time would overflow the nanosecond clock.
    #[error(
        "job {job} ({work:e} units of `{kind}`) would run {run_s:.3e} s, more than the limit of {max:.0} s (100 years); check the size distribution",
        max = MAX_RUN_S
    )]
    PastClock {
        /// Job id.
        job: u64,
        /// Its work units.
        work: f64,
        /// Its kind's name.
        kind: String,
        /// Run time at the slowest P-state of its devices, s.
        run_s: f64,
    },
    /// More jobs waited at once than the run's budget allows: arrivals exceeded what
    /// the devices could do for longer than the load-time estimate foresaw.
    #[error(
        "at {at_s:.6} s, {jobs} jobs were held (waiting or running), more than the budget of {limit} waiting jobs: arrivals exceed what the devices can do, so the queue would grow until memory runs out; lower the arrival rate or add devices, or raise the budget with --max-waiting"
    )]
    Overloaded {
        /// Simulated time when the budget was passed, s.
        at_s: f64,
        /// Jobs held then.
        jobs: u64,
        /// The budget of waiting jobs.
        limit: u64,
    },
    /// The observer failed to write a record.
    #[error(transparent)]
    Output(#[from] std::io::Error),
}
