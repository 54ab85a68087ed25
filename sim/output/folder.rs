//! The one atomic-folder writer: a folder is written under a temporary sibling name
//! and renamed into place at the end, so bad input or a crash never leaves half a
//! folder.
//!
//! # Overwrite rule
//! A run folder ([`StagedFolder::run`]) carries a marker file, `.hetsim-run`. Writing
//! into an existing folder replaces it whole only if it has that marker (a previous
//! hetsim run) or is empty; an existing non-empty folder without it is never touched.
//! Sibling files of the folder are never touched.
//!
//! A part of a folder hetsim owns (a run's or a sweep's `charts/`,
//! [`StagedFolder::part`]) has no marker and is replaced whole.

use std::path::{Path, PathBuf};

/// Name of the marker file in every run folder.
pub const MARKER: &str = ".hetsim-run";

/// Why a folder could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FolderError {
    /// The target exists and is a file.
    #[error("output path {} exists and is not a folder", .0.display())]
    NotAFolder(PathBuf),
    /// The target is a non-empty folder without the marker.
    #[error(
        "output folder {} exists and was not written by hetsim; refusing to replace it (choose another --out)",
        .0.display()
    )]
    Foreign(PathBuf),
    /// The target's parent folder could not be created.
    #[error("cannot create output folder {}", .path.display())]
    CreateParent {
        /// The parent folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The temporary folder could not be created.
    #[error("cannot create {}", .path.display())]
    CreateTemp {
        /// The temporary folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The previous folder could not be moved aside.
    #[error("cannot move old run {} aside", .path.display())]
    MoveAside {
        /// The target.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The finished folder could not be moved into place.
    #[error("cannot move run into {}", .path.display())]
    MoveIn {
        /// The target.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Any other file-system error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A run folder: marker written, foreign folders refused.
    Run,
    /// A part of a folder hetsim owns: replaced whole, no marker.
    Part,
}

/// A folder being written: a temporary sibling of the target, removed if dropped
/// before [`StagedFolder::commit`].
#[derive(Debug)]
pub struct StagedFolder {
    target: PathBuf,
    tmp: PathBuf,
    kind: Kind,
    done: bool,
}

impl StagedFolder {
    /// Starts a run folder: checks the target can be replaced ([`check_target`]),
    /// creates its parent and a temporary sibling holding the marker.
    pub fn run(target: &Path) -> Result<StagedFolder, FolderError> {
        check_target(target)?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|source| FolderError::CreateParent {
            path: parent.to_path_buf(),
            source,
        })?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "run".into());
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tmp = parent.join(format!(".{name}.tmp-{}-{nonce}", std::process::id()));
        std::fs::create_dir(&tmp).map_err(|source| FolderError::CreateTemp {
            path: tmp.clone(),
            source,
        })?;
        std::fs::write(
            tmp.join(MARKER),
            "hetsim run folder; safe to replace by hetsim\n",
        )?;
        Ok(StagedFolder {
            target: target.to_path_buf(),
            tmp,
            kind: Kind::Run,
            done: false,
        })
    }

    /// Starts a part of a folder hetsim owns (e.g. `charts/` in a run or sweep
    /// folder): a temporary sibling `.NAME.tmp-PID`, emptied if a killed process left
    /// it. The target is replaced whole at commit, without a marker check.
    pub fn part(target: &Path) -> Result<StagedFolder, FolderError> {
        let parent = target.parent().unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir(&tmp)?;
        Ok(StagedFolder {
            target: target.to_path_buf(),
            tmp,
            kind: Kind::Part,
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

    /// Moves the finished folder into place, replacing the previous one.
    pub fn commit(mut self) -> Result<PathBuf, FolderError> {
        match self.kind {
            Kind::Run => {
                check_target(&self.target)?;
                let move_in = |source| FolderError::MoveIn {
                    path: self.target.clone(),
                    source,
                };
                if self.target.exists() {
                    let old = self.tmp.with_extension("old");
                    std::fs::rename(&self.target, &old).map_err(|source| {
                        FolderError::MoveAside {
                            path: self.target.clone(),
                            source,
                        }
                    })?;
                    std::fs::rename(&self.tmp, &self.target).map_err(move_in)?;
                    let _ = std::fs::remove_dir_all(&old);
                } else {
                    std::fs::rename(&self.tmp, &self.target).map_err(move_in)?;
                }
            }
            Kind::Part => {
                if self.target.exists() {
                    std::fs::remove_dir_all(&self.target)?;
                }
                std::fs::rename(&self.tmp, &self.target)?;
            }
        }
        self.done = true;
        Ok(self.target.clone())
    }
}

impl Drop for StagedFolder {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Fails if `target` exists and is not a replaceable run folder (a file, or a
/// non-empty folder without the marker).
pub fn check_target(target: &Path) -> Result<(), FolderError> {
    if !target.exists() {
        return Ok(());
    }
    if !target.is_dir() {
        return Err(FolderError::NotAFolder(target.to_path_buf()));
    }
    let empty = std::fs::read_dir(target)?.next().is_none();
    if !empty && !target.join(MARKER).exists() {
        return Err(FolderError::Foreign(target.to_path_buf()));
    }
    Ok(())
}
