//! Integration tests, one binary (faster to build). Each module is named by what it
//! checks.

mod common;
mod fuzz_corpus;
mod layers;

mod attribution;
mod bad_input;
mod batch_agreement;
mod batch_reference;
mod cap_honest;
mod cli;
mod outputs;
mod policies;
mod policy_registry;
mod power;
mod power_properties;
mod properties;
mod reference;
mod report;
mod safety;
mod scenarios;
mod seed_example;
mod serving;
mod serving_chunked;
mod serving_mixed;
mod serving_sweep;
mod slots;
mod slurm;
mod sweep;
mod theory;
mod traces;
mod walltime;
mod window;
mod workload;
