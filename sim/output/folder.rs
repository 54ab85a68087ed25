//! The one atomic-folder writer: a folder is written under a temporary sibling name
//! and moved into place at the end, so bad input, a crash or a second run never
//! leaves half a folder.
//!
//! # Overwrite rule
//! A run folder ([`StagedFolder::run`]) carries a marker file, `.hetsim-run`. Writing
//! into an existing folder replaces it whole only if it has that marker (a previous
//! hetsim run) or is empty; an existing non-empty folder without it is never touched.
//! A target that is a symbolic link to a folder is followed: the folder it points to
//! is replaced, the link stays.
//!
//! # Concurrency and crashes
//! A run into `P/NAME` holds an exclusive lock on `P/.NAME.lock` from before the
//! simulation to the end of the commit: a second run into the same folder fails at
//! once ([`FolderError::Busy`]) instead of after simulating. The holder removes the
//! lock file when done (a lock taken on a removed file is detected and retaken).
//! The commit swaps the finished folder with the old one in one atomic rename
//! (Linux `RENAME_EXCHANGE`), so a kill at any moment leaves either the old or the
//! new folder in place. Where the swap is not supported the old folder is moved
//! aside to a per-process name and put back by the next run if the process died in
//! between. Staging folders of processes that no longer exist are removed by the
//! next run into the same parent; [`remove_staging`] removes this process's own (the
//! command line calls it on SIGINT, SIGTERM and SIGHUP).
//!
//! A part of a folder hetsim owns (a run's or a sweep's `charts/`,
//! [`StagedFolder::part`]) has no marker and is replaced whole.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Name of the marker file in every run folder.
pub const MARKER: &str = ".hetsim-run";

/// Longest file name most file systems accept, bytes.
const NAME_MAX: usize = 255;

/// At most this many bytes of the target's name appear in its staging, old and lock
/// names, so that they stay within [`NAME_MAX`].
const SHORT_NAME: usize = 64;

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
    /// The target does not end in a usable folder name (`.`, `..`, empty, too long).
    #[error("output path {} {reason}", .path.display())]
    BadName {
        /// The target.
        path: PathBuf,
        /// What is wrong with its name.
        reason: String,
    },
    /// The target is a symbolic link that does not lead to a folder (dangling, a
    /// loop).
    #[error("output path {} is a symbolic link that does not lead to a folder", .path.display())]
    BadLink {
        /// The target.
        path: PathBuf,
        /// Why it cannot be followed.
        source: std::io::Error,
    },
    /// Another process is writing into the same folder.
    #[error(
        "another hetsim process is writing into {} (lock {}); wait for it or choose another --out",
        .path.display(), .lock.display()
    )]
    Busy {
        /// The target.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
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
    /// A file or folder of the output could not be written.
    #[error("cannot write {}", .path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl FolderError {
    /// Whether the user's choice of output path is at fault (exit code 2), rather
    /// than the file system.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            FolderError::NotAFolder(_)
                | FolderError::Foreign(_)
                | FolderError::BadName { .. }
                | FolderError::BadLink { .. }
                | FolderError::Busy { .. }
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A run folder: marker written, foreign folders refused.
    Run,
    /// A part of a folder hetsim owns: replaced whole, no marker.
    Part,
}

/// Staging paths of this process not yet committed or removed (for [`remove_staging`]).
static STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A per-process counter that makes staging names unique within the process.
static NONCE: AtomicU64 = AtomicU64::new(0);

fn staging() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    STAGING.lock().unwrap_or_else(|p| p.into_inner())
}

fn register(p: &Path) {
    staging().push(p.to_path_buf());
}

fn unregister(list: &mut Vec<PathBuf>, p: &Path) {
    list.retain(|x| x != p);
}

/// Removes every staging folder and temporary file this process has open (for a
/// signal handler's thread: it waits for a commit in progress to finish). Returns
/// how many it removed.
pub fn remove_staging() -> usize {
    let mut list = staging();
    let n = list.len();
    for p in list.drain(..) {
        if p.is_dir() {
            let _ = std::fs::remove_dir_all(&p);
        } else {
            let _ = std::fs::remove_file(&p);
        }
    }
    n
}

/// A unique suffix `PID-N` for a temporary name.
pub(crate) fn unique_suffix() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = NONCE.fetch_add(1, Ordering::Relaxed);
    format!("{}-{t}{n}", std::process::id())
}

/// At most [`SHORT_NAME`] bytes of `name`, cut at a character boundary.
fn short(name: &str) -> &str {
    let mut end = name.len().min(SHORT_NAME);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// Whether process `pid` exists (a process we may not signal exists too).
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// The process id in a temporary name `PREFIX<pid>` or `PREFIX<pid>-<digits>`.
fn pid_of(name: &str, prefix: &str) -> Option<u32> {
    let rest = name.strip_prefix(prefix)?;
    let (pid, tail) = rest.split_once('-').unwrap_or((rest, "0"));
    if tail.is_empty() || !tail.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Removes staging folders and temporary files named `.SHORT.tmp-PID[-N]` of dead
/// processes in `parent`; puts back an old folder `.SHORT.old-PID-N` that a dead
/// process moved aside if `target` is missing, removes it otherwise.
fn clean_stale(parent: &Path, target: Option<&Path>, short_name: &str) {
    let Ok(rd) = std::fs::read_dir(parent) else {
        return;
    };
    let tmp = format!(".{short_name}.tmp-");
    let old = format!(".{short_name}.old-");
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let p = e.path();
        if let Some(pid) = pid_of(&name, &tmp) {
            if !alive(pid) {
                let _ = std::fs::remove_dir_all(&p).or_else(|_| std::fs::remove_file(&p));
            }
        } else if let Some(pid) = pid_of(&name, &old)
            && !alive(pid)
        {
            match target {
                Some(t) if std::fs::symlink_metadata(t).is_err() => {
                    let _ = std::fs::rename(&p, t);
                }
                _ => {
                    let _ = std::fs::remove_dir_all(&p);
                }
            }
        }
    }
}

/// The folder a run into `target` really writes: `target` itself, or the folder a
/// symbolic link there points to. Fails on a name that is not a folder name, a name
/// too long, and a link that leads nowhere.
pub fn resolve_target(target: &Path) -> Result<PathBuf, FolderError> {
    let bad = |reason: &str| FolderError::BadName {
        path: target.to_path_buf(),
        reason: reason.into(),
    };
    let resolved = match std::fs::symlink_metadata(target) {
        Ok(m) if m.file_type().is_symlink() => {
            let p = std::fs::canonicalize(target).map_err(|source| FolderError::BadLink {
                path: target.to_path_buf(),
                source,
            })?;
            if !p.is_dir() {
                return Err(FolderError::NotAFolder(target.to_path_buf()));
            }
            p
        }
        _ => target.to_path_buf(),
    };
    let name = match resolved.components().next_back() {
        Some(std::path::Component::Normal(n)) => n,
        _ => return Err(bad("does not end in a folder name (`.`, `..` or a root)")),
    };
    if name.len() > NAME_MAX {
        return Err(bad(&format!(
            "has a last name of {} bytes; file systems allow {NAME_MAX}",
            name.len()
        )));
    }
    Ok(resolved)
}

/// A folder being written: a temporary sibling of the target, removed if dropped
/// before [`StagedFolder::commit`].
#[derive(Debug)]
pub struct StagedFolder {
    target: PathBuf,
    tmp: PathBuf,
    kind: Kind,
    done: bool,
    /// The lock held on `.NAME.lock` (run folders): the file is removed and the lock
    /// released when the staged folder is dropped.
    lock: Option<(std::fs::File, PathBuf)>,
}

impl StagedFolder {
    /// Starts a run folder: resolves the target ([`resolve_target`]), checks it can
    /// be replaced ([`check_target`]), creates its parent, takes the folder's lock,
    /// clears what dead processes left there, and creates a temporary sibling
    /// holding the marker. Call it before the work, so a bad output path fails fast.
    pub fn run(target: &Path) -> Result<StagedFolder, FolderError> {
        let target = resolve_target(target)?;
        check_target(&target)?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|source| FolderError::CreateParent {
            path: parent.to_path_buf(),
            source,
        })?;
        let full = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = short(&full);
        let lock_path = parent.join(format!(".{name}.lock"));
        let lock = take_lock(&lock_path).map_err(|source| FolderError::CreateTemp {
            path: lock_path.clone(),
            source,
        })?;
        let Some(lock) = lock else {
            return Err(FolderError::Busy {
                path: target,
                lock: lock_path,
            });
        };
        register(&lock_path);
        clean_stale(parent, Some(&target), name);
        // The target may have come back from a dead process's half commit.
        check_target(&target)?;
        let tmp = parent.join(format!(".{name}.tmp-{}", unique_suffix()));
        std::fs::create_dir(&tmp).map_err(|source| FolderError::CreateTemp {
            path: tmp.clone(),
            source,
        })?;
        register(&tmp);
        let staged = StagedFolder {
            target,
            tmp,
            kind: Kind::Run,
            done: false,
            lock: Some((lock, lock_path)),
        };
        let marker = staged.tmp.join(MARKER);
        std::fs::write(&marker, "hetsim run folder; safe to replace by hetsim\n").map_err(
            |source| FolderError::Write {
                path: marker,
                source,
            },
        )?;
        Ok(staged)
    }

    /// Starts a part of a folder hetsim owns (e.g. `charts/` in a run or sweep
    /// folder): a temporary sibling `.NAME.tmp-PID-N`; those of dead processes are
    /// removed first. The target is replaced whole at commit, without a marker check.
    pub fn part(target: &Path) -> Result<StagedFolder, FolderError> {
        let parent = target.parent().unwrap_or(Path::new("."));
        let full = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = short(&full);
        clean_stale(parent, None, name);
        let tmp = parent.join(format!(".{name}.tmp-{}", unique_suffix()));
        std::fs::create_dir(&tmp).map_err(|source| FolderError::CreateTemp {
            path: tmp.clone(),
            source,
        })?;
        register(&tmp);
        Ok(StagedFolder {
            target: target.to_path_buf(),
            tmp,
            kind: Kind::Part,
            done: false,
            lock: None,
        })
    }

    /// The temporary folder to write into.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// The final location (for a run folder given as a link: the folder it points
    /// to).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the finished folder into place, replacing the previous one.
    pub fn commit(mut self) -> Result<PathBuf, FolderError> {
        // Holding the registry keeps a signal's cleanup from running mid-commit.
        let mut list = staging();
        if self.kind == Kind::Run {
            check_target(&self.target)?;
        }
        let exists = std::fs::symlink_metadata(&self.target).is_ok();
        if exists && swap(&self.tmp, &self.target) {
            // The staging name now holds the old folder.
            let _ = std::fs::remove_dir_all(&self.tmp);
        } else if exists {
            let parent = self.tmp.parent().unwrap_or(Path::new("."));
            let full = self
                .target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let old = parent.join(format!(".{}.old-{}", short(&full), unique_suffix()));
            std::fs::rename(&self.target, &old).map_err(|source| FolderError::MoveAside {
                path: self.target.clone(),
                source,
            })?;
            if let Err(source) = std::fs::rename(&self.tmp, &self.target) {
                let _ = std::fs::rename(&old, &self.target);
                return Err(FolderError::MoveIn {
                    path: self.target.clone(),
                    source,
                });
            }
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&self.tmp, &self.target).map_err(|source| FolderError::MoveIn {
                path: self.target.clone(),
                source,
            })?;
        }
        unregister(&mut list, &self.tmp);
        self.done = true;
        Ok(self.target.clone())
    }
}

/// Exchanges two existing paths in one atomic rename; false where unsupported.
fn swap(a: &Path, b: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let (Ok(ca), Ok(cb)) = (
            std::ffi::CString::new(a.as_os_str().as_bytes()),
            std::ffi::CString::new(b.as_os_str().as_bytes()),
        ) else {
            return false;
        };
        // SAFETY: two valid NUL-terminated paths; renameat2 only reads them.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        r == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        false
    }
}

impl Drop for StagedFolder {
    fn drop(&mut self) {
        let mut list = staging();
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.tmp);
            unregister(&mut list, &self.tmp);
        }
        // Removed while still held: a process that opened it before sees the file
        // gone once it gets the lock, and starts over (see `take_lock`).
        if let Some((_file, path)) = self.lock.take() {
            let _ = std::fs::remove_file(&path);
            unregister(&mut list, &path);
        }
    }
}

/// Takes the exclusive lock on the file at `path` (created if missing) without
/// waiting: `None` when another process holds it. The holder removes the file when
/// done, so a lock taken on a file that is no longer the one at `path` is stale and
/// the attempt starts over.
fn take_lock(path: &Path) -> std::io::Result<Option<std::fs::File>> {
    loop {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        if f.try_lock().is_err() {
            return Ok(None);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let held = f.metadata()?;
            match std::fs::metadata(path) {
                Ok(now) if now.ino() == held.ino() && now.dev() == held.dev() => {
                    return Ok(Some(f));
                }
                _ => continue,
            }
        }
        #[cfg(not(unix))]
        return Ok(Some(f));
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
    let io = |source| FolderError::Write {
        path: target.to_path_buf(),
        source,
    };
    let empty = std::fs::read_dir(target).map_err(io)?.next().is_none();
    if !empty && !target.join(MARKER).exists() {
        return Err(FolderError::Foreign(target.to_path_buf()));
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temporary sibling (removed on a signal, see
/// [`remove_staging`]), then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{}.tmp-{}", short(&name), unique_suffix()));
    register(&tmp);
    let r = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    let mut list = staging();
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    unregister(&mut list, &tmp);
    r
}
