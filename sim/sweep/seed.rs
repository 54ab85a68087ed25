//! Hashes: run seeds and content hashes. The rule lives in [`crate::seed::sweep`];
//! this path re-exports it.

pub use crate::seed::sweep::*;
