//! Writing output atomically: a folder is built under a temporary name and renamed
//! into place ([`folder`]), a file is written to a temporary sibling and renamed
//! ([`write_atomic`]). Run folders, compare folders, sweep folders and the chart
//! folders inside them all go through here.

pub mod folder;

pub use folder::{FolderError, MARKER, StagedFolder, check_target};

/// Writes `bytes` to `path` atomically: a temporary sibling, then a rename.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
