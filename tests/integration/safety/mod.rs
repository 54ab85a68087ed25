//! Data safety: output folders are never lost or left half-written (names, locks,
//! signals, links), inputs that are not regular files are refused without hanging,
//! and load-time limits. Each test here failed before its fix (issue 13).

mod import;
mod inputs;
mod journal;
mod load;
mod messages;
mod output;

use std::path::{Path, PathBuf};

/// A small scenario that runs in well under a second.
pub const TINY: &str = "\
name: tiny
datacenter:
  classes:
    server: {category: cpu, count: 2, speed: {request: 1}, idle_power: 20W, busy_power: 100W}
workload:
  kinds:
    request:
      arrival: {process: poisson, rate: 1/s, count: 20}
      size: {dist: exponential, mean: 1}
policy: {name: fcfs}
";

/// Writes `text` as `dir/name`.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Names in `dir` that start with `.` (staging folders, old folders, lock files).
pub fn hidden(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The id of a process that has exited (for "left by a dead process" names).
pub fn dead_pid() -> u32 {
    let mut c = std::process::Command::new("true").spawn().unwrap();
    let pid = c.id();
    c.wait().unwrap();
    pid
}

/// Makes a named pipe.
pub fn mkfifo(p: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}
