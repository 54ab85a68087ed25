//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A shipped scenario file.
pub fn scenario(name: &str) -> PathBuf {
    root().join("scenarios").join(name)
}

/// `../shared/data`, the real traces and device figures. Tests that read it are
/// marked `#[ignore = "needs ../shared/data ..."]`, so a plain `cargo test` lists
/// them as ignored (visible in its summary line) and CI runs them with
/// `cargo test -- --ignored`; there a missing folder fails the test.
pub fn shared_data() -> PathBuf {
    let p = root().join("../shared/data");
    assert!(
        p.is_dir(),
        "../shared/data is missing: this test replays real traces from it (see README, \"Real data\")"
    );
    p
}

/// Whether `../shared/data` is present (for tests that only list what needs it).
pub fn have_shared_data() -> bool {
    root().join("../shared/data").is_dir()
}

/// The hetsim binary as a command.
pub fn hetsim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("hetsim").expect("binary built")
}

/// Loads a scenario file, panicking with the error text.
pub fn load(path: &Path) -> hetsim::scenario::Loaded {
    hetsim::scenario::load(path, &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads a scenario with `--set` overrides.
pub fn load_with(path: &Path, sets: &[&str]) -> hetsim::scenario::Loaded {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    hetsim::scenario::load(path, &sets).unwrap_or_else(|e| panic!("{e}"))
}

/// Reads a CSV file into header + rows of strings.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}
