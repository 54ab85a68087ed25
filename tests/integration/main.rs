//! Integration tests, one binary (faster to build). Each module is named by what it
//! checks.

mod common;

mod bad_input;
mod cli;
mod power;
mod power_properties;
mod seed_example;
mod theory;
