//! Writing output atomically: a folder is built under a temporary name and renamed
//! into place ([`folder`]), a file is written to a temporary sibling and renamed
//! ([`write_atomic`]). Run folders, compare folders, sweep folders and the chart
//! folders inside them all go through here.

pub mod folder;

pub use folder::{
    FolderError, MARKER, StagedFolder, check_target, remove_staging, resolve_target, write_atomic,
};
