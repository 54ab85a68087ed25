//! What a sweep or a merge reports while it works. The library never prints: the
//! command line implements [`SweepProgress`] (messages on stderr, a progress bar on a
//! terminal).

use super::shard::Shard;
use crate::run::RunNotice;
use std::path::PathBuf;

/// Something a sweep or a merge tells its user without stopping.
#[derive(Debug)]
#[non_exhaustive]
pub enum SweepNotice {
    /// The runs are about to start.
    Started {
        /// Sweep name.
        name: String,
        /// The shard run, if any.
        shard: Option<Shard>,
        /// Runs in scope (the whole plan, or the shard's).
        runs: usize,
        /// Runs found already done.
        resumed: usize,
        /// Runs to do now.
        todo: usize,
        /// Threads.
        jobs: usize,
        /// Output folder.
        dir: PathBuf,
    },
    /// Lines of `runs.csv` were dropped on resume (torn or invalid); those runs are
    /// redone.
    DroppedRows {
        /// How many.
        dropped: usize,
    },
    /// A merge input had torn or invalid lines, which are ignored.
    MergeIgnored {
        /// The input folder.
        dir: PathBuf,
        /// How many lines.
        dropped: usize,
    },
    /// A notice of one run (with `--run-charts`).
    Run(RunNotice),
}

/// Receives a sweep's progress and notices. Called from worker threads, so it takes
/// `&self`. Every method does nothing by default.
pub trait SweepProgress: Sync {
    /// A notice.
    fn notice(&self, _notice: SweepNotice) {}
    /// The runs start: `todo` of them.
    fn start(&self, _todo: usize) {}
    /// One run finished and its row is written.
    fn run_done(&self) {}
    /// The runs ended (all done, or one failed).
    fn finish(&self) {}
}

/// A [`SweepProgress`] that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;
impl SweepProgress for Silent {}
