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
/// `hetsim run SCENARIO --quiet --out OUT`, which must succeed.
pub fn run_into(scenario: &str, out: &Path) {
    hetsim()
        .args(["run", scenario, "--quiet", "--out"])
        .arg(out)
        .assert()
        .success();
}

/// Deletes OUT's charts (and its report, if it has one), runs `hetsim plot OUT`, and
/// checks that `chart` comes back byte for byte and the report is written again.
pub fn plot_redraws_the_same(out: &Path, chart: &str) {
    let before = std::fs::read(out.join(chart)).unwrap();
    let html = out.join("index.html");
    let had_html = html.exists();
    std::fs::remove_dir_all(out.join("charts")).unwrap();
    if had_html {
        std::fs::remove_file(&html).unwrap();
    }
    hetsim().arg("plot").arg(out).assert().success();
    assert_eq!(std::fs::read(out.join(chart)).unwrap(), before, "{chart}");
    assert_eq!(html.exists(), had_html, "the report is redrawn");
}

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

/// An observer that keeps every job record and power row of a run.
#[derive(Default)]
pub struct Keep {
    /// Job records, in completion order.
    pub jobs: Vec<hetsim::metrics::JobRecord>,
    /// Power rows.
    pub power: Vec<hetsim::power::PowerRow>,
}

impl hetsim::simulation::Observer for Keep {
    fn job(&mut self, r: &hetsim::metrics::JobRecord) -> std::io::Result<()> {
        self.jobs.push(r.clone());
        Ok(())
    }
    fn power(&mut self, r: &hetsim::power::PowerRow) -> std::io::Result<()> {
        self.power.push(r.clone());
        Ok(())
    }
}

/// Mean and the half-width of a ~99.7 % interval (3 standard errors), 20 batch means.
pub fn batch_means(x: &[f64]) -> (f64, f64) {
    let b = 20;
    let n = x.len() / b;
    let means: Vec<f64> = (0..b)
        .map(|i| x[i * n..(i + 1) * n].iter().sum::<f64>() / n as f64)
        .collect();
    let m = means.iter().sum::<f64>() / b as f64;
    let var = means.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (b - 1) as f64;
    (m, 3.0 * (var / b as f64).sqrt())
}

/// Erlang C: probability of waiting in M/M/c with offered load a = lambda/mu.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / c as f64;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / k as f64;
        sum += term;
    }
    let last = term * a / c as f64 / (1.0 - rho);
    last / (sum + last)
}
