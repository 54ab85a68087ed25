//! Why a sweep, a merge or the Slurm script writer failed.

use crate::output::FolderError;
use crate::run::RunError;
use crate::scenario::InputError;

/// Why a sweep, a merge or the Slurm script writer failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// Bad input: the sweep file, a point's scenario, a folder given on the command
    /// line that does not fit the plan.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A file could not be read or written (`context` names it).
    #[error("{context}")]
    File {
        /// What was being done, e.g. `cannot write OUT/runs.csv`.
        context: String,
        /// Why.
        source: std::io::Error,
    },
    /// Any other file-system error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A JSON document could not be read (`context` names it).
    #[error("{context}")]
    Json {
        /// What was being read.
        context: String,
        /// Why.
        source: serde_json::Error,
    },
    /// A JSON document could not be written.
    #[error(transparent)]
    Serialize(#[from] serde_json::Error),
    /// The worker threads could not be started.
    #[error("cannot start the thread pool")]
    ThreadPool(#[source] rayon::ThreadPoolBuildError),
    /// One run failed (`context` names it: run, point, replication).
    #[error("{context}")]
    Run {
        /// Which run.
        context: String,
        /// Why.
        source: RunError,
    },
    /// One run of a serving scenario failed (`context` names it).
    #[error("{context}")]
    Serving {
        /// Which run.
        context: String,
        /// Why.
        source: crate::run::serving::ServingError,
    },
    /// The sweep folder or a run's result does not agree with the plan.
    #[error("{0}")]
    Inconsistent(String),
    /// A folder could not be staged or moved into place.
    #[error(transparent)]
    Folder(#[from] FolderError),
    /// Drawing the sweep's charts failed.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
}

impl SweepError {
    /// Whether the error is the user's input (exit code 2 on the command line).
    pub fn is_input(&self) -> bool {
        matches!(self, SweepError::Input(_))
    }

    pub(crate) fn file(context: String) -> impl FnOnce(std::io::Error) -> SweepError {
        move |source| SweepError::File { context, source }
    }
}
