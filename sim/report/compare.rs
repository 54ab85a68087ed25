//! placeholder
use anyhow::Result;
use std::path::{Path, PathBuf};
/// Compares runs.
pub fn compare(_runs: &[PathBuf], _out: Option<&Path>) -> Result<PathBuf> {
    anyhow::bail!("not yet")
}
