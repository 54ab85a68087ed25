//! Every fuzz target's seeds (`fuzz/seeds/<target>/`) and regression corpus
//! (`tests/bad_input/fuzz/<target>/`, plus the bad-input corpus for the two scenario
//! targets) replayed in process through the fuzz crate's own checks, so an input that
//! once crashed a target is checked by every `cargo test`, and the fuzz crate's checks
//! keep compiling against the library.

#[allow(dead_code, unused_imports)]
#[path = "../../fuzz/src/lib.rs"]
mod checks;

use std::path::{Path, PathBuf};

/// Files directly in `dir` (none when it does not exist), sorted.
fn files(dir: &Path, ext: Option<&str>) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.is_file() && ext.is_none_or(|x| p.extension().is_some_and(|e| e == x)));
    v.sort();
    v
}

/// Replays the inputs through `check`; returns how many, failing on any panic.
fn replay(target: &str, extra: Vec<PathBuf>, check: fn(&[u8])) -> usize {
    let root = crate::common::root();
    let mut inputs = files(&root.join("fuzz/seeds").join(target), None);
    inputs.extend(files(&root.join("tests/bad_input/fuzz").join(target), None));
    inputs.extend(extra);
    let mut failed = Vec::new();
    for f in &inputs {
        let data = std::fs::read(f).unwrap();
        // The binary's main thread has 8 MiB of stack; a debug build's frames are
        // larger than a release build's, so give the check more than a test thread's
        // 2 MiB (deeply nested documents recurse in the parser).
        let ok = std::thread::Builder::new()
            .stack_size(32 << 20)
            .spawn(move || std::panic::catch_unwind(|| check(&data)).is_ok())
            .unwrap()
            .join()
            .unwrap();
        if !ok {
            failed.push(f.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "{target}: these inputs panic: {failed:?}"
    );
    inputs.len()
}

#[test]
fn fuzz_corpus_scenario_yaml() {
    let bad = crate::common::root().join("tests/bad_input");
    let mut extra = files(&bad, Some("yaml"));
    extra.extend(files(&bad, Some("yml")));
    let n = replay("scenario_yaml", extra, |d| {
        checks::check_scenario(d, hetsim::scenario::Format::Yaml)
    });
    assert!(n >= 50, "{n} inputs");
}

#[test]
fn fuzz_corpus_scenario_json() {
    let extra = files(&crate::common::root().join("tests/bad_input"), Some("json"));
    let n = replay("scenario_json", extra, |d| {
        checks::check_scenario(d, hetsim::scenario::Format::Json)
    });
    assert!(n >= 8, "{n} inputs");
}

#[test]
fn fuzz_corpus_series_csv() {
    let n = replay("series_csv", Vec::new(), checks::check_series_csv);
    assert!(n >= 6, "{n} inputs");
}

#[test]
fn fuzz_corpus_trace() {
    let n = replay("trace", Vec::new(), checks::check_trace);
    assert!(n >= 13, "{n} inputs");
}
