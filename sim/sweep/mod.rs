//! Parameter sweeps: many runs of one base scenario, in parallel, resumable, sharded
//! for a cluster, with per-point statistics, charts and an HTML page.
//!
//! # The sweep file
//! YAML or JSON (by extension), strict: an unknown field is an error with file, line
//! and column.
//!
//! ```yaml
//! name: mmc-load                  # default: the file stem
//! description: load and policy    # optional
//! scenario: ../mmc.yaml           # base scenario, relative to this file
//! set:                            # fixed overrides for every run (optional)
//!   workload.kinds.request.arrival.count: 2000
//! axes:                           # varied fields, by the same paths as `run --set`
//!   policy.name: [fcfs, eft, min-energy]                    # a list
//!   workload.kinds.request.arrival.rate: {from: 8, to: 14, step: 2}   # a range
//!   datacenter.classes.server.count: [12, 16]
//! replications: 5                 # runs per point (default 1)
//! same_seed_across: [policy.name] # optional: common random numbers across these axes
//! series: policy.name             # optional: one chart line per value of this axis
//!                                 # (default policy.name when it is an axis)
//! metrics: [response_p99_s, energy_facility_j]   # optional: keys to chart
//! pareto: {x: response_p99_s, y: energy_facility_j}  # optional (this is the default)
//! ```
//!
//! A *point* is one combination of axis values; the points are the cartesian product
//! of the axes with the first axis varying slowest. Run `k` is replication
//! `k % replications` of point `k / replications`; this *plan order* is the order of
//! `runs.csv` whatever the thread count or sharding. A range `{from, to, step}` gives
//! `from + i*step` for every `i` with the value within `to` (inclusive, 1e-9 slack); it
//! gives integers when `from` and `step` are integers, else decimals rounded to the
//! decimals written in `from` and `step`.
//!
//! # Seeds
//! Each run's seed comes from the base seed (the scenario's `seed` after `set`), the
//! point's axis values and the replication, never from the run order, the thread or the
//! shard. See [`seed::derive`] for the exact, pinned rule (SHA-256 over a text key).
//!
//! # Output folder
//! - `manifest.json`: the whole plan (sweep file text, hashes, axes, every run and its
//!   seed) and `plan_hash`; written first.
//! - `runs.csv`: one row per run: `run`, `point`, `replication`, one column per axis,
//!   `seed`, `hetsim_version`, `scenario_sha256` (of the base scenario file's bytes),
//!   then every deterministic summary key (the stable keys of summary.json; `wall_s`,
//!   measured rather than simulated, is left out).
//!   Rows are appended as runs finish and the file is rewritten in plan order at the end.
//! - `summary.csv`: per point, the axis values, `runs`, and for every numeric key
//!   `<key>_mean`, `<key>_std` (sample, n-1) and `<key>_ci95` (half-width of the 95%
//!   Student-t confidence interval, so the interval is mean ± ci95; empty for one run).
//! - `pareto.csv`, `charts/*.svg|png`, `index.html`.
//! - `timing.csv`: wall-clock seconds per run (load, simulate, total). It is the one
//!   non-deterministic file: never compared, appended across resumed sessions.
//!
//! - `runs/<run>/` (only with `--run-folders` or `--run-charts`): each run's own run
//!   folder; per-run charts only with `--run-charts`. Not merged, not compared.
//!
//! Every file but `timing.csv` and `runs/` is byte-identical for the same sweep file
//! and hetsim version, whatever `--jobs`, interruptions, or the shard count used with
//! `merge`. Files referenced by the base scenario (e.g. signal CSVs) are read when the
//! runs are built but are not part of `scenario_sha256`.
//!
//! # Resume
//! Starting a sweep into a folder that holds the same plan (same `plan_hash`) redoes
//! only the runs without a valid row. A row is written with one `write` call and ends
//! with a newline, so a kill (SIGKILL included) can only leave a torn last line, which
//! is dropped; every kept row must match the plan (run, point, axis values, seed,
//! version, scenario hash). A folder holding a different plan is refused, and so is a
//! folder another sweep is writing into (an advisory lock on `manifest.json`).
//!
//! # Cluster
//! `--shard i/N` runs the runs with `k % N == i` into its own folder;
//! [`merge::merge`] checks each run is present exactly once and writes the same output
//! as a local sweep. [`slurm::generate`] writes a Slurm array job and a merge job.

pub mod aggregate;
pub mod charts;
pub mod error;
pub mod exec;
pub mod html;
pub mod journal;
pub mod merge;
pub mod output;
pub mod plan;
pub mod progress;
mod range;
pub mod seed;
pub mod shard;
pub mod slurm;
pub mod stats;
pub mod windows;

pub use crate::output::write_atomic;
pub use error::SweepError;
pub use exec::{Options, Shard, run, run_with};
pub use plan::{Manifest, Plan};
pub use progress::{Silent, SweepNotice, SweepProgress};

/// Name of the plan file in every sweep folder.
pub const MANIFEST: &str = "manifest.json";
/// Name of the per-run results file.
pub const RUNS: &str = "runs.csv";
/// Name of the per-point statistics file.
pub const SUMMARY: &str = "summary.csv";
/// Name of the (non-deterministic) per-run timing file.
pub const TIMING: &str = "timing.csv";
/// Name of the file that marks a shard folder and says which shard it holds.
pub const SHARD: &str = "shard.json";
