//! Errors for bad scenario input. Validation reports a [`FieldError`] (field path,
//! message, hint); the loader locates it in the file's text and returns the one
//! [`InputError`] (file, position, field path, message, hint) every caller sees.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with a scenario (or other input) file, pointing at where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// The file, as the user named it.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column, when known.
    pub column: Option<u64>,
    /// Field path such as `workload.kinds.inspection.arrival.rate` (empty: whole file).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when we can tell.
    pub hint: Option<String>,
}

impl InputError {
    /// An error about the whole file (unreadable, empty, unknown extension).
    pub fn file(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        InputError {
            file: file.into(),
            line: None,
            column: None,
            path: String::new(),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": ")?;
        if !self.path.is_empty() {
            write!(f, "field `{}`: ", clip(&self.path, 160))?;
        }
        write!(f, "{}", clip(&self.message, 600))?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {}", clip(h, 600))?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

pub(crate) use crate::input::clip;

pub use crate::model::FieldError;

impl FieldError {
    /// Locates the field in `text` (the scenario file's contents) for an [`InputError`]
    /// about `file`.
    pub fn located(self, file: &Path, text: &str) -> InputError {
        let pos = super::locate::locate(text, &self.path);
        InputError {
            file: file.into(),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            path: self.path,
            message: self.message,
            hint: self.hint,
        }
    }
}
