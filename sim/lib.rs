//! hetsim: a discrete-event simulator of datacenters built from heterogeneous
//! accelerators.
//!
//! See `ARCHITECTURE.md` for the module map and how an event flows through them.
#![warn(missing_docs)]
// Input errors carry file, position, path and hint; they are built once per failed
// run, so their size does not matter and boxing them would only add noise.
#![allow(clippy::result_large_err)]

pub mod catalog;
pub mod cli;
pub mod cluster;
pub mod embed;
pub mod engine;
pub mod error;
pub mod import;
pub mod input;
pub mod metrics;
pub mod model;
pub mod output;
pub mod policy;
pub mod power;
pub mod power_manager;
pub mod report;
pub mod run;
pub mod scenario;
pub mod schema;
pub mod seed;
pub mod signal;
pub mod simulation;
pub mod sweep;
pub mod trace;
pub mod units;
pub mod workload;
