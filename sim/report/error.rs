//! [`ReportError`]: what writing or reading a run folder, drawing a chart or writing a
//! report page can fail with.
//!
//! Every message names the file or chart it is about. A message that wraps a cause
//! keeps it as its `source`, so `{:#}` (anyhow's chain) reads "context: cause".

use std::error::Error;

/// A report failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file could not be read, written or moved.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A CSV file could not be read or written.
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// A JSON file could not be read or written.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// A chart could not be drawn (the drawing library's message).
    #[error("{0}")]
    Draw(String),
    /// A run folder's file is not as hetsim writes it.
    #[error("{0}")]
    Data(String),
    /// An output folder could not be prepared or moved into place.
    #[error(transparent)]
    Folder(#[from] crate::output::folder::FolderError),
    /// What was being done when `source` failed.
    #[error("{message}")]
    Context {
        /// What was being done, e.g. "cannot read power.csv".
        message: String,
        /// Why it failed.
        #[source]
        source: Box<dyn Error + Send + Sync>,
    },
}

impl<E: Error + Send + Sync> From<plotters::drawing::DrawingAreaErrorKind<E>> for ReportError {
    fn from(e: plotters::drawing::DrawingAreaErrorKind<E>) -> Self {
        ReportError::Draw(e.to_string())
    }
}

/// Result of the report modules.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;

/// Adds a message to an error (or turns a missing value into one).
pub trait Context<T> {
    /// Wraps the error with `message`.
    fn context(self, message: impl Into<String>) -> Result<T>;
    /// Wraps the error with the message `f` makes, only on failure.
    fn with_context<M: Into<String>>(self, f: impl FnOnce() -> M) -> Result<T>;
}

impl<T, E: Error + Send + Sync + 'static> Context<T> for std::result::Result<T, E> {
    fn context(self, message: impl Into<String>) -> Result<T> {
        self.map_err(|e| ReportError::Context {
            message: message.into(),
            source: Box::new(e),
        })
    }
    fn with_context<M: Into<String>>(self, f: impl FnOnce() -> M) -> Result<T> {
        self.map_err(|e| ReportError::Context {
            message: f().into(),
            source: Box::new(e),
        })
    }
}

impl<T> Context<T> for Option<T> {
    fn context(self, message: impl Into<String>) -> Result<T> {
        self.ok_or_else(|| ReportError::Data(message.into()))
    }
    fn with_context<M: Into<String>>(self, f: impl FnOnce() -> M) -> Result<T> {
        self.ok_or_else(|| ReportError::Data(f().into()))
    }
}
