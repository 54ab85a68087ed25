//! Shared checks for hetsim's fuzz targets.
//!
//! Each target hands its bytes to one function here. A function returns normally for
//! any input that hetsim rejects with an error or accepts with a consistent result;
//! it panics (which libFuzzer reports as a crash) only when hetsim panics, or when an
//! accepted input breaks an invariant that the loader promises.

use hetsim::model::Scenario;
use hetsim::scenario::{self, Format, raw::RawSeries};
use hetsim::workload::Workload;
use std::path::PathBuf;

/// Scenarios with more devices than this are validated but not instantiated, so one
/// input cannot make a fuzz iteration allocate hundreds of megabytes.
pub const MAX_DEVICES_BUILT: u64 = 10_000;

/// Jobs drawn from each stream of an accepted scenario.
pub const JOBS_DRAWN: usize = 64;

/// The label given to fuzzed text. Its folder does not exist, so a relative
/// `csv:` path in a fuzzed scenario finds no file.
fn label(format: Format) -> PathBuf {
    PathBuf::from(match format {
        Format::Yaml => "/nonexistent-hetsim-fuzz/fuzz.yaml",
        Format::Json => "/nonexistent-hetsim-fuzz/fuzz.json",
    })
}

/// Parses `data` as a scenario in `format` (the same path as `hetsim validate`, minus
/// the file read), then, for an accepted scenario, builds what a run builds first:
/// the policy, the power manager, the job streams (drawing [`JOBS_DRAWN`] jobs from
/// each) and, for small datacenters, the simulation itself.
pub fn check_scenario(data: &[u8], format: Format) {
    // The file reader rejects non-UTF-8 before parsing; do the same.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = label(format);
    // Every error names the file it is about: the scenario, or a file it refers to
    // (relative to the scenario's folder).
    let named = |e: scenario::InputError| {
        let shown = e.to_string();
        assert!(shown.starts_with("/nonexistent-hetsim-fuzz/"), "{shown}");
    };
    // The loader's own path after the file read: parse, validate (with the `serving:`
    // section and the default size budget).
    let budget = scenario::limits::Budget::default();
    let sc = match scenario::parse_strict::<scenario::raw::RawScenario>(text, format, &file)
        .and_then(|raw| scenario::validate_document(raw, &file, text, &budget))
    {
        Ok(sc) => sc,
        Err(e) => return named(e),
    };
    check_accepted(&sc);
    // A serving scenario's spec builds as `hetsim run` builds it.
    let loaded = scenario::Loaded {
        scenario: sc,
        path: file,
        text: text.to_string(),
        overrides: Vec::new(),
        budget,
    };
    if let Err(e) = scenario::serving_spec(&loaded) {
        named(e);
    }
}

/// Invariants of an accepted scenario, and the first steps of a run.
fn check_accepted(sc: &Scenario) {
    assert!(sc.device_count() <= scenario::MAX_DEVICES);
    assert!(!sc.classes.is_empty() && !sc.kinds.is_empty());
    for c in &sc.classes {
        assert!(
            c.idle_w.is_finite() && c.idle_w >= 0.0,
            "idle power {}",
            c.idle_w
        );
        for w in &c.busy_w {
            assert!(w.is_finite() && *w >= 0.0, "busy power {w}");
        }
        for s in c.speed.iter().flatten() {
            assert!(s.is_finite() && *s > 0.0, "speed {s}");
        }
    }
    let _ = hetsim::policy::build(&sc.policy, sc);
    let _ = hetsim::power_manager::build(&sc.power_manager);
    let mut w = Workload::new(sc, sc.seed);
    for s in 0..w.len() {
        let mut last = 0;
        for _ in 0..JOBS_DRAWN {
            let Some(j) = w.next(s) else { break };
            assert!(
                j.req.work.is_finite() && j.req.work >= 0.0,
                "work {}",
                j.req.work
            );
            // Generated streams are in time order (the explicit list is sorted).
            assert!(j.arrival >= last, "arrival {} after {last}", j.arrival);
            last = j.arrival;
        }
    }
    if sc.device_count() <= MAX_DEVICES_BUILT {
        let _ = hetsim::simulation::Simulation::new(sc, sc.seed);
    }
}

/// Writes `data` as a series CSV and reads it as `datacenter.carbon_intensity` would.
/// The first byte picks the optional settings (named columns, start, repeat, scale),
/// so those code paths are fuzzed too.
pub fn check_series_csv(data: &[u8]) {
    let Some((&opts, body)) = data.split_first() else {
        return;
    };
    let dir = scratch_dir();
    let file = dir.join("series.csv");
    std::fs::write(&file, body).expect("scratch file writable");
    let series = RawSeries {
        points: None,
        csv: Some("series.csv".into()),
        time_column: (opts & 1 != 0).then(|| "time".into()),
        value_column: (opts & 2 != 0).then(|| "value".into()),
        start: (opts & 4 != 0).then(|| "2020-01-01 00:00".into()),
        repeat: (opts & 8 != 0).then_some(hetsim::units::Seconds(86400.0)),
        scale: (opts & 16 != 0).then_some(hetsim::units::NonNeg(1e-3)),
    };
    if let Ok(signal) = scenario::series::build(&series, &dir, 1.0) {
        let (lo, hi) = signal.range();
        assert!(
            lo.is_finite() && hi.is_finite() && lo <= hi,
            "range {lo} {hi}"
        );
    }
}

/// A per-process scratch folder (libFuzzer may run several processes at once).
fn scratch_dir() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let base = std::env::var_os("TMPDIR").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
        let d = base.join(format!("hetsim-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("scratch dir");
        d
    })
    .clone()
}

/// Reads `data` as a trace, in memory. The first byte picks the format (its low 3
/// bits, modulo the five formats: SWF, CSV job list, Alibaba, Azure LLM, Gavel) and
/// whether malformed lines are skipped (bit 3); the rest is the file. An accepted
/// trace's jobs must have finite, non-negative arrival and work and categories that
/// exist.
pub fn check_trace(data: &[u8]) {
    use hetsim::trace::{self, Ctx, Options, Trace};
    let Some((&opts, body)) = data.split_first() else {
        return;
    };
    let format = [
        trace::Format::Swf,
        trace::Format::Csv,
        trace::Format::Alibaba,
        trace::Format::AzureLlm,
        trace::Format::Gavel,
    ][(opts & 7) as usize % 5];
    let mut ctx = Ctx {
        file: PathBuf::from("/nonexistent-hetsim-fuzz/trace"),
        skip_bad: opts & 8 != 0,
        trace: Trace::default(),
    };
    let r: Box<dyn std::io::BufRead> = Box::new(std::io::Cursor::new(body.to_vec()));
    let o = Options::default();
    let res = match format {
        trace::Format::Swf => trace::swf::read(r, &mut ctx, Default::default()),
        trace::Format::Csv => trace::joblist::read(r, &mut ctx),
        trace::Format::Alibaba => trace::alibaba::read(r, &mut ctx, &o),
        trace::Format::AzureLlm => trace::azure::read(r, &mut ctx, &o),
        trace::Format::Gavel => trace::gavel::read(r, &mut ctx),
    };
    if res.is_ok() {
        let t = &ctx.trace;
        for j in &t.jobs {
            assert!(j.arrival.is_finite(), "arrival {}", j.arrival);
            assert!(j.work.is_finite() && j.work >= 0.0, "work {}", j.work);
            assert!(
                (j.category as usize) < t.categories.len(),
                "category {}",
                j.category
            );
        }
    }
}
