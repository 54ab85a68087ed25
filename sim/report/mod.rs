//! The run folder: CSV and JSON files written into a temporary folder and moved into
//! place at the end, so bad input or a crash never leaves half a report.
//!
//! # Overwrite rule
//! A run folder carries a marker file, `.hetsim-run`. Running into an existing folder
//! replaces it whole only if it has that marker (a previous hetsim run); an existing
//! non-empty folder without it is never touched and the run stops before simulating.
//! Sibling files of the folder are never touched.

pub mod charts;
pub mod compare;
pub mod error;
pub mod files;
pub mod html;
pub mod kit;
pub mod plot;

pub use error::ReportError;

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// Name of the marker file in every run folder.
pub const MARKER: &str = ".hetsim-run";

/// A run folder being written: a temporary sibling of the target.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    tmp: PathBuf,
    done: bool,
}

impl Staging {
    /// Checks the target can be written and creates the temporary folder.
    pub fn new(target: &Path) -> Result<Staging> {
        check_target(target)?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create output folder {}", parent.display()))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into());
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tmp = parent.join(format!(".{name}.tmp-{}-{nonce}", std::process::id()));
        std::fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        std::fs::write(
            tmp.join(MARKER),
            "hetsim run folder; safe to replace by hetsim\n",
        )?;
        Ok(Staging {
            target: target.to_path_buf(),
            tmp,
            done: false,
        })
    }

    /// The temporary folder to write into.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// The final location.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the finished folder into place, replacing a previous run's folder.
    pub fn commit(mut self) -> Result<PathBuf> {
        check_target(&self.target)?;
        if self.target.exists() {
            let old = self.tmp.with_extension("old");
            std::fs::rename(&self.target, &old)
                .with_context(|| format!("cannot move old run {} aside", self.target.display()))?;
            std::fs::rename(&self.tmp, &self.target)
                .with_context(|| format!("cannot move run into {}", self.target.display()))?;
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&self.tmp, &self.target)
                .with_context(|| format!("cannot move run into {}", self.target.display()))?;
        }
        self.done = true;
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Fails if `target` exists and is not a replaceable run folder.
pub fn check_target(target: &Path) -> Result<()> {
    if !target.exists() {
        return Ok(());
    }
    if !target.is_dir() {
        bail!(
            "output path {} exists and is not a folder",
            target.display()
        );
    }
    let empty = std::fs::read_dir(target)?.next().is_none();
    if !empty && !target.join(MARKER).exists() {
        bail!(
            "output folder {} exists and was not written by hetsim; refusing to replace it (choose another --out)",
            target.display()
        );
    }
    Ok(())
}
