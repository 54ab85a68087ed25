//! Integration tests, one binary (faster to build). Each module is named by what it
//! checks.

mod common;

mod cli;
mod power;
mod scenarios;
mod seed_example;
mod theory;
mod traces;
mod workload;
