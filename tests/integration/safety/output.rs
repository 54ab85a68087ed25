//! Output folders: names, concurrent runs, crash recovery, signals, links (issue 13,
//! items 1, 2, 4 and 10).

use super::{TINY, dead_pid, hidden, write};
use crate::common::hetsim;
use hetsim::output::{FolderError, MARKER, StagedFolder};
use std::path::Path;
use std::time::{Duration, Instant};

/// Item 1: a scenario named "", "." or ".." (in the file or with --set) is refused
/// with a located error and exit 2, before anything is written; `reports/` and the
/// runs in it are untouched.
#[test]
fn empty_or_dot_scenario_names_never_touch_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let keep = tmp.path().join("reports/keep");
    std::fs::create_dir_all(&keep).unwrap();
    std::fs::write(keep.join(MARKER), "").unwrap();
    for name in ["\"\"", "\".\"", "\"..\"", "\"  \""] {
        let f = write(
            tmp.path(),
            "e.yaml",
            &TINY.replace("name: tiny", &format!("name: {name}")),
        );
        hetsim()
            .current_dir(tmp.path())
            .args(["run", "--no-charts", "-q"])
            .arg(&f)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("e.yaml:1"))
            .stderr(predicates::str::contains("field `name`"));
    }
    for set in ["name=\"\"", "name=.", "name=.."] {
        let f = write(tmp.path(), "t.yaml", TINY);
        hetsim()
            .current_dir(tmp.path())
            .args(["run", "--no-charts", "-q", "--set", set])
            .arg(&f)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("name"));
    }
    assert!(keep.is_dir());
    assert!(!tmp.path().join("reports").join(MARKER).exists());
    // The folder-name clean-up never yields `reports/` itself, `.` or `..`.
    for n in ["", ".", "..", "...", ".hidden"] {
        let out = hetsim::run::default_out(n);
        let last = out.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !last.starts_with('.') && out.parent() == Some(Path::new("reports")),
            "{n:?} -> {out:?}"
        );
    }
}

/// Item 2: while one run holds a folder, a second run into it fails at once (before
/// simulating) with [`FolderError::Busy`], and succeeds after the first is done.
#[test]
fn a_second_run_into_a_busy_folder_fails_fast() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("out");
    let first = StagedFolder::run(&target).unwrap();
    let second = StagedFolder::run(&target);
    assert!(
        matches!(second, Err(FolderError::Busy { .. })),
        "{second:?}"
    );
    assert!(second.unwrap_err().is_usage());
    first.commit().unwrap();
    StagedFolder::run(&target).unwrap().commit().unwrap();
    assert!(target.join(MARKER).exists());
    // Nothing stays beside the folder, not even the lock file.
    assert!(hidden(tmp.path()).is_empty(), "{:?}", hidden(tmp.path()));
}

/// Item 2: four processes running into one --out at once: each either writes the
/// folder or fails fast with exit 2 naming the lock; the folder ends whole and
/// nothing is left beside it. A leftover `.out.old` (what an older
/// hetsim left) does not break later runs.
#[test]
fn concurrent_runs_into_one_folder_never_break_it() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(tmp.path(), "t.yaml", TINY);
    let out = tmp.path().join("out");
    std::fs::create_dir_all(tmp.path().join(".out.old/x")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("hetsim");
    let kids: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(&bin)
                .args(["run", "--no-charts", "-q", "--out"])
                .arg(&out)
                .arg(&f)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ok = 0;
    for k in kids {
        let o = k.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        match o.status.code() {
            Some(0) => ok += 1,
            Some(2) => assert!(err.contains("another hetsim process"), "{err}"),
            c => panic!("exit {c:?}: {err}"),
        }
    }
    assert!(ok >= 1);
    hetsim()
        .args(["run", "--no-charts", "-q", "--out"])
        .arg(&out)
        .arg(&f)
        .assert()
        .success();
    assert!(out.join("jobs.csv").is_file() && out.join(MARKER).is_file());
    assert_eq!(hidden(tmp.path()), vec![".out.old"]);
}

/// Item 2: a process killed between moving the old folder aside and moving the new
/// one in left the target missing and `.NAME.old-PID-N`; the next run puts the old
/// folder back before deciding anything, and a dead process's staging folder is
/// removed (item 4).
#[test]
fn a_half_commit_of_a_dead_process_is_recovered() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("run");
    let pid = dead_pid();
    let old = tmp.path().join(format!(".run.old-{pid}-12"));
    std::fs::create_dir(&old).unwrap();
    std::fs::write(old.join(MARKER), "").unwrap();
    std::fs::write(old.join("jobs.csv"), "id\n").unwrap();
    let stale = tmp.path().join(format!(".run.tmp-{pid}-34"));
    std::fs::create_dir(&stale).unwrap();
    // A live process's staging folder (ours) is left alone.
    let live = tmp
        .path()
        .join(format!(".run.tmp-{}-56", std::process::id()));
    std::fs::create_dir(&live).unwrap();
    let s = StagedFolder::run(&target).unwrap();
    assert!(target.join("jobs.csv").is_file(), "old folder put back");
    assert!(!old.exists() && !stale.exists() && live.exists());
    drop(s);
    assert!(
        target.join("jobs.csv").is_file(),
        "a dropped run keeps the old folder"
    );
}

/// Item 4: SIGINT, SIGTERM and SIGHUP during a run remove its staging folder; the
/// process still dies of the signal.
#[test]
fn signals_remove_the_staging_folder() {
    let long = TINY.replace("count: 20", "count: 50000000");
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let tmp = tempfile::tempdir().unwrap();
        let f = write(tmp.path(), "long.yaml", &long);
        let out = tmp.path().join("out");
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hetsim"))
            .args(["run", "--no-charts", "-q", "--out"])
            .arg(&out)
            .arg(&f)
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        while !hidden(tmp.path())
            .iter()
            .any(|n| n.starts_with(".out.tmp-"))
        {
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "no staging folder appeared"
            );
            assert!(child.try_wait().unwrap().is_none(), "hetsim ended early");
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, sig) };
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(sig), "{status:?}");
        assert!(
            hidden(tmp.path()).is_empty(),
            "signal {sig}: {:?}",
            hidden(tmp.path())
        );
        assert!(!out.exists());
    }
}

/// Item 10: a --out that is a symbolic link to a folder is followed (the folder it
/// points to gets the run, the link stays); a dangling link, a link loop and a name
/// longer than the file system allows fail before simulating, naming the path, exit 2.
#[test]
fn output_links_and_names_are_checked_before_simulating() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(tmp.path(), "t.yaml", TINY);
    let real = tmp.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    hetsim()
        .args(["run", "--no-charts", "-q", "--out"])
        .arg(&link)
        .arg(&f)
        .assert()
        .success();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(real.join("jobs.csv").is_file());

    let dangling = tmp.path().join("dangling");
    std::os::unix::fs::symlink(tmp.path().join("nowhere/deeper"), &dangling).unwrap();
    let looped = tmp.path().join("loop");
    std::os::unix::fs::symlink(&looped, &looped).unwrap();
    let long = tmp.path().join("x".repeat(300));
    for (out, needle) in [
        (&dangling, "symbolic link"),
        (&looped, "symbolic link"),
        (&long, "255"),
    ] {
        let t0 = Instant::now();
        hetsim()
            .args(["run", "--no-charts", "-q", "--out"])
            .arg(out)
            .arg(&f)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(needle));
        assert!(t0.elapsed() < Duration::from_secs(30));
    }
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(!tmp.path().join("nowhere").exists());
}

#[test]
fn a_full_disk_fails_with_the_path_and_keeps_the_previous_run() {
    // A file-size limit makes every write past 20 KiB fail like a full disk (EFBIG
    // instead of ENOSPC; SIGXFSZ ignored so the write returns the error).
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r");
    crate::common::hetsim()
        .args([
            "run",
            crate::common::scenario("seed-example.yaml")
                .to_str()
                .unwrap(),
        ])
        .args(["--out", out.to_str().unwrap()])
        .assert()
        .success();
    let before = std::fs::read(out.join("summary.json")).unwrap();
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 40 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_hetsim"))
        .args(["run", crate::common::scenario("mmc.yaml").to_str().unwrap()])
        .args(["--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.contains(&format!("cannot write run folder {}", out.display())),
        "{err}"
    );
    assert!(err.contains("writing jobs.csv"), "{err}");
    assert!(!err.contains("simulation failed"), "{err}");
    // The previous run is untouched and no staging folder is left.
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), before);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["r".to_string()]);
}
