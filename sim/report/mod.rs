//! The run folder: CSV and JSON files, charts and the HTML report, written into a
//! temporary folder and moved into place at the end ([`crate::output::folder`], which
//! states the overwrite rule), so bad input or a crash never leaves half a report.

pub mod charts;
pub mod compare;
pub mod error;
pub mod export;
pub mod files;
pub mod html;
pub mod kit;
pub mod metric;
pub mod plot;
pub mod power_rows;
pub mod serving_files;
pub mod terminal;

pub use error::ReportError;

// The folder-swap code lives in `crate::output::folder` (one writer for run, compare
// and sweep folders); these re-exports keep the old paths working.
pub use crate::output::folder::{FolderError, MARKER, StagedFolder, check_target};
