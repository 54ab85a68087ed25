//! hetsim: a discrete-event simulator of datacenters built from heterogeneous
//! accelerators.
//!
//! See `ARCHITECTURE.md` for the module map and how an event flows through them.
#![warn(missing_docs)]

pub mod catalog;
pub mod cli;
pub mod cluster;
pub mod engine;
pub mod metrics;
pub mod model;
pub mod policy;
pub mod power;
pub mod report;
pub mod run;
pub mod scenario;
pub mod simulation;
pub mod trace;
pub mod units;
pub mod workload;
