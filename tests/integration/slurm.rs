//! The cluster path on a real Slurm: `hetsim sweep slurm` scripts submitted as a job
//! array plus a dependent merge job, waited for by polling `squeue` (never
//! `sbatch --wait`, which can report success for a cancelled job), merged output
//! compared byte for byte with a local sweep; and a failing shard cancels the merge.
//!
//! Needs a running Slurm (`bash .ci/slurm.sh start` brings up a one-node cluster).
//! They are `#[ignore]`d, so a plain `cargo test` lists them as ignored; CI runs them
//! with `cargo test -- --ignored`, and they fail when no Slurm answers.

use crate::common::*;
use crate::sweep::{THREE_AXES, assert_same_output, sweep_file};
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether a Slurm controller answers (sinfo, sbatch and squeue work).
fn slurm_available() -> bool {
    let ok = |cmd: &str, args: &[&str]| {
        Command::new(cmd)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    ok("sbatch", &["--version"]) && ok("sinfo", &["-h"]) && ok("squeue", &["-h"])
}

/// Fails the (ignored-by-default) test when no Slurm answers.
fn need_slurm() {
    assert!(
        slurm_available(),
        "Slurm is not available (sinfo/sbatch/squeue missing or no controller): \
         start one with `bash .ci/slurm.sh start` (.ci/run does)"
    );
}

/// Runs `work/submit.sh`; returns (array job id, merge job id).
fn submit(work: &Path) -> (String, String) {
    let out = Command::new("bash")
        .arg(work.join("submit.sh"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "submit.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let last = text.lines().last().unwrap_or_default();
    let get = |key: &str| {
        last.split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key} in {last:?}"))
            .to_string()
    };
    (get("array="), get("merge="))
}

/// Polls `squeue` every 0.2 s until none of `jobs` is pending or running.
fn wait_for(jobs: &[&str], work: &Path) {
    let list = jobs.join(",");
    let t0 = Instant::now();
    loop {
        let out = Command::new("squeue")
            .args(["-h", "-j", &list])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&out.stdout).trim().is_empty() {
            return;
        }
        if t0.elapsed() > Duration::from_secs(300) {
            let _ = Command::new("scancel").args(jobs).status();
            panic!(
                "jobs {list} still queued after 300 s; logs:\n{}",
                logs(work)
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn logs(work: &Path) -> String {
    let mut s = String::new();
    if let Ok(rd) = std::fs::read_dir(work.join("logs")) {
        let mut files: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files {
            s.push_str(&format!(
                "--- {}\n{}\n",
                f.display(),
                std::fs::read_to_string(&f).unwrap_or_default()
            ));
        }
    }
    s
}

/// Final states of the jobs of array `array` and of job `merge`, from the
/// `jobcomp/filetxt` log, when the cluster keeps one (`.ci/slurm.sh` does).
fn jobcomp_states(array: &str, merge: &str) -> Option<(Vec<String>, Option<String>)> {
    let cfg = Command::new("scontrol")
        .args(["show", "config"])
        .output()
        .ok()?;
    let cfg = String::from_utf8_lossy(&cfg.stdout).into_owned();
    let loc = cfg
        .lines()
        .find(|l| l.trim_start().starts_with("JobCompLoc"))?
        .split_once('=')?
        .1
        .trim()
        .to_string();
    let text = std::fs::read_to_string(loc).ok()?;
    let field = |line: &str, key: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .map(String::from)
    };
    let mut tasks = Vec::new();
    let mut merge_state = None;
    for line in text.lines() {
        let state = field(line, "JobState=").unwrap_or_default();
        if field(line, "ArrayJobId=").as_deref() == Some(array)
            || field(line, "JobId=").as_deref() == Some(array)
        {
            tasks.push(state);
        } else if field(line, "JobId=").as_deref() == Some(merge) {
            merge_state = Some(state);
        }
    }
    Some((tasks, merge_state))
}

#[test]
#[ignore = "needs a running Slurm: bash .ci/slurm.sh start (CI runs it: cargo test -- --ignored)"]
fn slurm_array_and_merge_job_give_the_local_bytes() {
    need_slurm();
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "three", THREE_AXES);
    let local = tmp.path().join("local");
    hetsim()
        .args(["sweep", "--jobs", "2", "--quiet", "--out"])
        .arg(&local)
        .arg(&file)
        .assert()
        .success();
    let work = tmp.path().join("work");
    let merged = tmp.path().join("merged");
    // 5 shards for 36 runs: uneven shards.
    hetsim()
        .args([
            "sweep", "slurm", "--shards", "5", "--time", "00:10:00", "--mem", "500M",
        ])
        .arg("--out")
        .arg(&merged)
        .arg("--work")
        .arg(&work)
        .arg(&file)
        .assert()
        .success();
    let (array, merge) = submit(&work);
    wait_for(&[&array, &merge], &work);
    assert!(
        merged.join("runs.csv").is_file(),
        "the merge job wrote nothing; logs:\n{}",
        logs(&work)
    );
    assert_same_output(&local, &merged);
    if let Some((tasks, merge_state)) = jobcomp_states(&array, &merge) {
        assert_eq!(
            tasks.len(),
            5,
            "5 array tasks in the jobcomp log: {tasks:?}"
        );
        assert!(tasks.iter().all(|s| s == "COMPLETED"), "{tasks:?}");
        assert_eq!(merge_state.as_deref(), Some("COMPLETED"));
    }
}

#[test]
#[ignore = "needs a running Slurm: bash .ci/slurm.sh start (CI runs it: cargo test -- --ignored)"]
fn a_failed_shard_cancels_the_merge_job_and_merge_names_it() {
    need_slurm();
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(tmp.path(), "three", THREE_AXES);
    // A hetsim that fails in array task 1.
    let wrapper = tmp.path().join("hetsim-fails-task-1.sh");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/bash\nif [ \"${{SLURM_ARRAY_TASK_ID:-}}\" = 1 ]; then echo 'failing on purpose' >&2; exit 3; fi\nexec {} \"$@\"\n",
            assert_cmd::cargo::cargo_bin("hetsim").display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let work = tmp.path().join("work");
    let merged = tmp.path().join("merged");
    hetsim()
        .args(["sweep", "slurm", "--shards", "3", "--time", "00:10:00"])
        .arg("--hetsim")
        .arg(&wrapper)
        .arg("--out")
        .arg(&merged)
        .arg("--work")
        .arg(&work)
        .arg(&file)
        .assert()
        .success();
    let (array, merge) = submit(&work);
    wait_for(&[&array, &merge], &work);
    assert!(
        !merged.join("runs.csv").exists(),
        "the merge ran although a shard failed"
    );
    if let Some((tasks, merge_state)) = jobcomp_states(&array, &merge) {
        assert_eq!(
            tasks.iter().filter(|s| *s == "FAILED").count(),
            1,
            "{tasks:?}"
        );
        assert_eq!(
            tasks.iter().filter(|s| *s == "COMPLETED").count(),
            2,
            "{tasks:?}"
        );
        assert_eq!(merge_state.as_deref(), Some("CANCELLED"));
    }
    // Merging by hand fails and names the missing shard.
    hetsim()
        .args(["sweep", "merge", "--out"])
        .arg(&merged)
        .args((0..3).map(|i| work.join("shards").join(i.to_string())))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shards/1"));
    // Redo the failed task alone with the real binary, then the merge succeeds.
    hetsim()
        .env("SLURM_ARRAY_TASK_ID", "1")
        .args(["sweep", "--quiet", "--shard", "auto/3", "--out"])
        .arg(work.join("shards/1"))
        .arg(&file)
        .assert()
        .success();
    hetsim()
        .args(["sweep", "merge", "--quiet", "--out"])
        .arg(&merged)
        .args((0..3).map(|i| work.join("shards").join(i.to_string())))
        .assert()
        .success();
    let (_, rows) = read_csv(&merged.join("runs.csv"));
    assert_eq!(rows.len(), 36);
}
