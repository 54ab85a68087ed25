//! The bad-input corpus in `tests/bad_input/`, run through the `hetsim` binary.
//!
//! Every bad file must fail the same clean way: exit code 2, exactly one `error:` line
//! that names the file (and the field, where one applies), no panic, no output folder
//! and no staging folder left behind; `hetsim validate` must print the same error.
//! Each child runs under an address-space limit and a timeout, so an input that
//! allocates without bound or hangs fails the test rather than the machine. The CRLF
//! and BOM twins of `good.yaml` must load to the same scenario. Inputs git cannot hold
//! (a directory, an unreadable file, a file over the size limit, a symlink loop) are
//! made here. `tests/bad_input/fuzz/` holds the inputs that once crashed a fuzz target
//! (FUZZING.md); each must now load or fail cleanly.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Address-space limit for each child, KiB. A bounded run of the debug binary needs
/// well under 1 GiB; an unbounded allocation hits this limit and aborts.
const MEMORY_LIMIT_KIB: u64 = 2 << 20;
/// Wall-time limit for each child.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Each bad corpus file and what its error must contain (besides the file name).
const BAD: &[(&str, &[&str])] = &[
    // A tag hetsim does not know is refused, not dropped.
    ("unknown-tag.yaml", &[":20:", "unsupported tag `!evil`"]),
    // A field written without a value is refused, not read as its default.
    (
        "null-count.yaml",
        &[":30:", "datacenter.classes.cpu.count", "no value given"],
    ),
    // A non-zero power too small for a float would read as 0 W.
    (
        "power-underflow.yaml",
        &[
            "datacenter.classes.cpu.idle_power",
            "too small to represent",
        ],
    ),
    // YAML and JSON bombs: the parser's budget stops them before memory grows.
    (
        "alias-bomb.yaml",
        &["policy.params", "alias replay limit exceeded", "hint:"],
    ),
    (
        "alias-quadratic.yaml",
        &["policy.params", "alias replay limit exceeded"],
    ),
    (
        "deep-nesting-flow.yaml",
        &["policy.params.x", "recursion limit exceeded"],
    ),
    (
        "deep-nesting-block.yaml",
        &["policy.params.k0.k1", "budget breached: Depth"],
    ),
    (
        "deep-nesting.json",
        &["policy.params.x[0]", "recursion limit exceeded"],
    ),
    // Sizes: 10^12 devices (in num-count-devices-huge.yaml) and 10^12 batch jobs.
    (
        "batch-1e12.yaml",
        &[
            "field `workload.kinds.b.arrival.count`",
            "more than the limit of 10000000",
            "MAX_BATCH_JOBS",
        ],
    ),
    // Empty, not a mapping, not UTF-8, wrong extension, duplicate keys.
    ("empty.yaml", &["file is empty"]),
    ("empty.json", &["file is empty"]),
    ("blank.yaml", &["file is empty"]),
    ("comments-only.yaml", &["unexpected end of input"]),
    ("null-document.yaml", &["expected mapping"]),
    ("array-document.json", &["invalid type"]),
    // Anything after the document (here a stray closing brace) is refused, not ignored.
    (
        "trailing-characters.json",
        &["trailing-characters.json:3:1", "trailing characters"],
    ),
    ("latin1.yaml", &["not UTF-8"]),
    (
        "wrong-extension.txt",
        &["unknown file extension", ".yaml, .yml or .json"],
    ),
    (
        "duplicate-key.yaml",
        &[":6:1:", "duplicate mapping key: seed"],
    ),
    ("huge-number.json", &["field `seed`", "number out of range"]),
    (
        "overflow-unit-string.yaml",
        &["field `datacenter.classes.cpu.idle_power`", "finite"],
    ),
    // Series CSV files: garbage, bad values, wrong shapes, not a file.
    (
        "series-garbage.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "series-garbage.csv line 4",
        ],
    ),
    (
        "series-nan.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "series-nan.csv line 3",
            "finite",
        ],
    ),
    (
        "series-negative.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "series-negative.csv line 3",
            "non-negative",
        ],
    ),
    (
        "series-inf-time.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "series-inf-time.csv line 3",
            "time `inf`",
        ],
    ),
    (
        "series-unsorted.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "series-unsorted.csv",
            "not increasing",
        ],
    ),
    (
        "series-ragged.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "series-ragged.csv line 3",
        ],
    ),
    (
        "series-header-only.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "series-header-only.csv: no rows",
        ],
    ),
    (
        "series-binary.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "series-binary.bin",
            "UTF-8",
        ],
    ),
    (
        "series-year-overflow.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "series-year-overflow.csv line 3",
            "is not seconds or a datetime",
        ],
    ),
    (
        "series-bad-column.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "no column `gCO2`",
            "time, g_per_kwh",
        ],
    ),
    (
        "series-missing.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "no-such-file.csv",
            "No such file",
        ],
    ),
    (
        "series-directory.yaml",
        &["field `datacenter.carbon_intensity`", "is a directory"],
    ),
    (
        "series-devzero.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "/dev/zero is not a regular file",
        ],
    ),
    // NaN, infinity, negative (and absurd) values in every numeric field kind.
    (
        "num-count-arrival-count-nan.yaml",
        &["field `workload.kinds.b.arrival.count`", "whole number"],
    ),
    (
        "num-count-arrival-count-neg.yaml",
        &["field `workload.kinds.b.arrival.count`", "whole number"],
    ),
    (
        "num-count-devices-float.yaml",
        &["field `datacenter.classes.cpu.count`", "whole number"],
    ),
    (
        "num-count-devices-huge.yaml",
        &[
            "field `datacenter.classes.cpu.count`",
            "more than the limit of 10000000",
        ],
    ),
    (
        "num-count-devices-inf.yaml",
        &["field `datacenter.classes.cpu.count`", "whole number"],
    ),
    (
        "num-count-devices-nan.yaml",
        &["field `datacenter.classes.cpu.count`", "whole number"],
    ),
    (
        "num-count-devices-neg.yaml",
        &["field `datacenter.classes.cpu.count`", "whole number"],
    ),
    ("num-count-seed-neg.yaml", &["field `seed`", "whole number"]),
    (
        "num-duration-deadline-nan.yaml",
        &["field `workload.kinds.a.deadline`", "is not a duration"],
    ),
    (
        "num-duration-deadline-neg.yaml",
        &["field `workload.kinds.a.deadline`", "must not be negative"],
    ),
    (
        "num-duration-horizon-huge.yaml",
        &["field `horizon`", "must be at most 3155760000 s"],
    ),
    (
        "num-duration-horizon-inf.yaml",
        &["field `horizon`", "finite"],
    ),
    (
        "num-duration-horizon-nan.yaml",
        &["field `horizon`", "finite"],
    ),
    (
        "num-duration-horizon-neg.yaml",
        &["field `horizon`", "must not be negative"],
    ),
    (
        "num-duration-period-inf.yaml",
        &["field `workload.kinds.b.arrival.period`", "finite"],
    ),
    (
        "num-duration-period-neg.yaml",
        &[
            "field `workload.kinds.b.arrival.period`",
            "must not be negative",
        ],
    ),
    (
        "num-duration-period-tiny.yaml",
        &[
            "field `workload.kinds.b.arrival.period`",
            "shorter than one clock tick",
        ],
    ),
    (
        "num-duration-period-zero.yaml",
        &[
            "field `workload.kinds.b.arrival.period`",
            "must be positive",
        ],
    ),
    (
        "num-duration-power-interval-neg.yaml",
        &["field `output.power_interval`", "must not be negative"],
    ),
    (
        "num-duration-wake-latency-nan.yaml",
        &[
            "field `datacenter.classes.cpu.sleep.wake_latency`",
            "finite",
        ],
    ),
    (
        "num-energy-wake-energy-inf.yaml",
        &["field `datacenter.classes.cpu.sleep.wake_energy`", "finite"],
    ),
    (
        "num-energy-wake-energy-nan.yaml",
        &["field `datacenter.classes.cpu.sleep.wake_energy`", "finite"],
    ),
    (
        "num-energy-wake-energy-neg.yaml",
        &[
            "field `datacenter.classes.cpu.sleep.wake_energy`",
            "must not be negative",
        ],
    ),
    (
        "num-factor-carbon-inf.yaml",
        &["field `datacenter.carbon_intensity`", "finite"],
    ),
    (
        "num-factor-carbon-neg.yaml",
        &[
            "field `datacenter.carbon_intensity`",
            "must not be negative",
        ],
    ),
    (
        "num-factor-cv-huge.yaml",
        &["field `workload.kinds.b.size.cv`", "cv 1e200 is too large"],
    ),
    (
        "num-factor-cv-inf.yaml",
        &["field `workload.kinds.b.size.cv`", "finite"],
    ),
    (
        "num-factor-cv-neg.yaml",
        &["field `workload.kinds.b.size.cv`", "must not be negative"],
    ),
    (
        "num-factor-price-nan.yaml",
        &["field `datacenter.price`", "finite"],
    ),
    (
        "num-factor-pstate-speed-nan.yaml",
        &["field `datacenter.classes.cpu.pstates[0].speed`", "finite"],
    ),
    (
        "num-factor-pstate-speed-neg.yaml",
        &[
            "field `datacenter.classes.cpu.pstates[0].speed`",
            "must not be negative",
        ],
    ),
    (
        "num-factor-pue-inf.yaml",
        &["field `datacenter.pue`", "finite"],
    ),
    (
        "num-factor-pue-nan.yaml",
        &["field `datacenter.pue`", "finite"],
    ),
    (
        "num-factor-pue-neg.yaml",
        &["field `datacenter.pue`", "must not be negative"],
    ),
    (
        "num-factor-speed-inf.yaml",
        &["field `datacenter.classes.cpu.speed.a`", "finite"],
    ),
    (
        "num-factor-speed-nan.yaml",
        &["field `datacenter.classes.cpu.speed.a`", "finite"],
    ),
    (
        "num-factor-speed-neg.yaml",
        &[
            "field `datacenter.classes.cpu.speed.a`",
            "must not be negative",
        ],
    ),
    (
        "num-memory-class-memory-inf.yaml",
        &["field `datacenter.classes.cpu.memory`", "finite"],
    ),
    (
        "num-memory-class-memory-nan.yaml",
        &["field `datacenter.classes.cpu.memory`", "finite"],
    ),
    (
        "num-memory-class-memory-neg.yaml",
        &[
            "field `datacenter.classes.cpu.memory`",
            "must not be negative",
        ],
    ),
    (
        "num-memory-kind-memory-neg.yaml",
        &["field `workload.kinds.a.memory`", "must not be negative"],
    ),
    (
        "num-power-busy-power-per-kind-nan.yaml",
        &["field `datacenter.classes.gpu.busy_power.a`", "finite"],
    ),
    (
        "num-power-busy-power-per-kind-neg.yaml",
        &[
            "field `datacenter.classes.gpu.busy_power.a`",
            "must not be negative",
        ],
    ),
    (
        "num-power-idle-power-inf.yaml",
        &["field `datacenter.classes.cpu.idle_power`", "finite"],
    ),
    (
        "num-power-idle-power-nan-str.yaml",
        &["field `datacenter.classes.cpu.idle_power`", "is not a"],
    ),
    (
        "num-power-idle-power-nan.yaml",
        &["field `datacenter.classes.cpu.idle_power`", "finite"],
    ),
    (
        "num-power-idle-power-neg.yaml",
        &[
            "field `datacenter.classes.cpu.idle_power`",
            "must not be negative",
        ],
    ),
    (
        "num-power-power-cap-inf.yaml",
        &["field `datacenter.power_cap`", "finite"],
    ),
    (
        "num-power-power-cap-neg.yaml",
        &["field `datacenter.power_cap`", "must not be negative"],
    ),
    (
        "num-power-sleep-power-nan.yaml",
        &["field `datacenter.classes.cpu.sleep.power`", "finite"],
    ),
    (
        "num-rate-rate-huge.yaml",
        &[
            "field `workload.kinds.a.arrival.rate`",
            "above the limit of 1e9/s",
        ],
    ),
    (
        "num-rate-rate-inf.yaml",
        &["field `workload.kinds.a.arrival.rate`", "finite"],
    ),
    (
        "num-rate-rate-nan.yaml",
        &["field `workload.kinds.a.arrival.rate`", "finite"],
    ),
    (
        "num-rate-rate-neg.yaml",
        &[
            "field `workload.kinds.a.arrival.rate`",
            "must not be negative",
        ],
    ),
    (
        "num-work-job-work-inf.yaml",
        &["field `workload.jobs[0].work`", "finite"],
    ),
    (
        "num-work-job-work-nan.yaml",
        &["field `workload.jobs[0].work`", "finite"],
    ),
    (
        "num-work-job-work-neg.yaml",
        &["field `workload.jobs[0].work`", "must not be negative"],
    ),
    (
        "num-work-size-mean-inf.yaml",
        &["field `workload.kinds.a.size.mean`", "finite"],
    ),
    (
        "num-work-size-mean-nan.yaml",
        &["field `workload.kinds.a.size.mean`", "finite"],
    ),
    (
        "num-work-size-mean-neg.yaml",
        &["field `workload.kinds.a.size.mean`", "must not be negative"],
    ),
    // Issue 13: names that would break output folders or headers, run times past
    // the clock, runs past the size budget, and messages in the file's terms.
    ("name-empty.yaml", &["field `name`", "empty"]),
    ("name-dots.yaml", &["field `name`", "only dots"]),
    (
        "class-reserved.yaml",
        &["field `datacenter.classes.it`", "reserved"],
    ),
    (
        "class-dotted.yaml",
        &["field `datacenter.classes.a.b`", "contains `.`"],
    ),
    (
        "speed-tiny.yaml",
        &[
            "field `datacenter.classes.server.speed.request`",
            "100 years",
        ],
    ),
    (
        "job-work-huge.yaml",
        &["field `workload.jobs[0].work`", "100 years"],
    ),
    (
        "job-work-huge-listed-late.yaml",
        &[
            "field `workload.jobs[2].work`",
            "100 years",
            "arriving at 3 s",
        ],
    ),
    (
        "job-work-huge-after-pue.yaml",
        &["field `datacenter.pue`", "at least 1.0"],
    ),
    (
        "job-kind-unknown.yaml",
        &[
            "field `workload.jobs[1].kind`",
            "unknown job kind `batch`",
            "declared: request",
        ],
    ),
    (
        "budget-rate.yaml",
        &["field `workload.kinds.request.arrival`", "--max-jobs"],
    ),
    (
        "budget-period.yaml",
        &["field `workload.kinds.request.arrival`", "--max-jobs"],
    ),
    (
        "budget-power-rows.yaml",
        &["field `output.power_interval`", "--max-power-rows"],
    ),
    (
        "budget-overload.yaml",
        &["field `workload.kinds.request.arrival`", "--max-waiting"],
    ),
    (
        "horizon-zero.yaml",
        &["field `horizon`", "nothing would run"],
    ),
    ("two-documents.yaml", &["more than one YAML document"]),
    ("long-key.yaml", &["at most 1024 characters"]),
    ("huge-value.yaml", &["idle_power", "more characters"]),
];

/// Corpus files that are data for the cases above, or good twins, not cases.
const NOT_CASES: &[&str] = &[
    ".gitattributes",
    "good.yaml",
    "good-crlf.yaml",
    "good-bom.yaml",
    "good-bom-crlf.json",
    "fuzz",
];

fn corpus() -> PathBuf {
    crate::common::root().join("tests/bad_input")
}

/// What a limited child did.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the hetsim binary with `args` under the memory and time limits.
fn hetsim_limited<I, S>(args: I) -> Ran
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = assert_cmd::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_hetsim"))
        .args(args)
        .timeout(TIMEOUT)
        .output()
        .expect("sh runs");
    Ran {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Runs `file` (with extra `args`) and checks the clean failure; returns a
/// description of what went wrong, if anything.
fn check_bad(file: &Path, args: &[&str], needles: &[&str]) -> Result<(), String> {
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut argv: Vec<&OsStr> = vec![
        "run".as_ref(),
        "-q".as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    argv.extend(args.iter().map(OsStr::new));
    argv.push(file.as_os_str());
    let run = hetsim_limited(&argv);
    let err = &run.stderr;
    let mut problems = Vec::new();
    if run.code != Some(2) {
        problems.push(format!("exit code {:?}, expected 2", run.code));
    }
    if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
        problems.push("panicked".into());
    }
    let errors = err.lines().filter(|l| l.starts_with("error:")).count();
    if errors != 1 {
        problems.push(format!("{errors} `error:` lines, expected 1"));
    }
    if !err.contains(&name) {
        problems.push(format!("does not name the file `{name}`"));
    }
    for n in needles {
        if !err.contains(n) {
            problems.push(format!("lacks `{n}`"));
        }
    }
    if out.exists() {
        problems.push("wrote the output folder".into());
    }
    let left = listing(tmp.path());
    if !left.is_empty() {
        problems.push(format!("left {left:?} beside the output folder"));
    }
    if !run.stdout.is_empty() {
        problems.push(format!("printed to stdout: {}", run.stdout));
    }
    // validate agrees, with the same first line.
    if args.is_empty() {
        let v = hetsim_limited([OsStr::new("validate"), file.as_os_str()]);
        if v.code != Some(2) {
            problems.push(format!("validate: exit code {:?}, expected 2", v.code));
        }
        if v.stderr.lines().next() != err.lines().next() {
            problems.push(format!("validate printed a different error: {}", v.stderr));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: {}\n  stderr: {err}", problems.join("; ")))
    }
}

fn report(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} bad input(s) not handled cleanly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_corpus_file_fails_cleanly() {
    let failures: Vec<String> = BAD
        .iter()
        .filter_map(|(f, needles)| check_bad(&corpus().join(f), &[], needles).err())
        .collect();
    report(failures);
}

#[test]
fn every_corpus_file_has_an_expectation() {
    let listed: Vec<&str> = BAD.iter().map(|(f, _)| *f).collect();
    let referenced = |f: &str| {
        // Data files are named by the scenario that reads them.
        BAD.iter().any(|(case, _)| {
            std::fs::read_to_string(corpus().join(case))
                .is_ok_and(|t| t.contains(&format!("csv: {f}")))
        })
    };
    let stray: Vec<String> = listing(&corpus())
        .into_iter()
        .filter(|f| {
            !listed.contains(&f.as_str()) && !NOT_CASES.contains(&f.as_str()) && !referenced(f)
        })
        .collect();
    assert!(
        stray.is_empty(),
        "corpus files with no case in BAD: {stray:?}"
    );
    let missing: Vec<&&str> = listed
        .iter()
        .filter(|f| !corpus().join(f).is_file())
        .collect();
    assert!(missing.is_empty(), "cases with no file: {missing:?}");
}

#[test]
fn crlf_and_bom_twins_load_like_the_lf_file() {
    let good = crate::common::load(&corpus().join("good.yaml")).scenario;
    for twin in ["good-crlf.yaml", "good-bom.yaml", "good-bom-crlf.json"] {
        let bytes = std::fs::read(corpus().join(twin)).unwrap();
        // The twins must really be what their names say (git must not normalise them).
        if twin.contains("crlf") {
            assert!(bytes.windows(2).any(|w| w == b"\r\n"), "{twin} has no CRLF");
            assert!(
                !bytes.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'),
                "{twin} has a bare LF"
            );
        }
        if twin.contains("bom") {
            assert!(bytes.starts_with(b"\xef\xbb\xbf"), "{twin} has no BOM");
        }
        let twin_sc = crate::common::load(&corpus().join(twin)).scenario;
        assert_eq!(twin_sc, good, "{twin} loads to a different scenario");
        let tmp = tempfile::tempdir().unwrap();
        let run = hetsim_limited([
            OsStr::new("run"),
            OsStr::new("-q"),
            OsStr::new("--no-charts"),
            OsStr::new("--out"),
            tmp.path().join("o").as_os_str(),
            corpus().join(twin).as_os_str(),
        ]);
        assert_eq!(run.code, Some(0), "{twin}: {}", run.stderr);
        assert!(tmp.path().join("o/summary.json").is_file());
    }
}

#[test]
fn a_huge_batch_runs_once_set_smaller() {
    let file = corpus().join("batch-1e12.yaml");
    check_bad(&file, &[], &["MAX_BATCH_JOBS"]).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let run = hetsim_limited([
        OsStr::new("run"),
        OsStr::new("-q"),
        OsStr::new("--no-charts"),
        OsStr::new("--set"),
        OsStr::new("workload.kinds.b.arrival.count=500"),
        OsStr::new("--out"),
        tmp.path().join("o").as_os_str(),
        file.as_os_str(),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("o/summary.json")).unwrap())
            .unwrap();
    assert!(s["jobs_completed"].as_u64().unwrap() >= 500, "{s}");
    // And --set can make a good file bad: the limit holds after overrides too.
    let err = check_bad(
        &corpus().join("good.yaml"),
        &[
            "--set",
            "workload.kinds.b.arrival={process: batch, count: 1000000000000}",
        ],
        &["field `workload.kinds.b.arrival.count`", "MAX_BATCH_JOBS"],
    );
    err.unwrap();
}

/// A scenario file in a fresh folder, for the inputs made here.
fn made(tmp: &Path, name: &str) -> PathBuf {
    tmp.join(name)
}

#[test]
fn a_directory_where_a_file_is_expected() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = made(tmp.path(), "scenario.yaml");
    std::fs::create_dir(&dir).unwrap();
    check_bad(&dir, &[], &["is a directory"]).unwrap();
}

#[test]
fn a_missing_file() {
    let tmp = tempfile::tempdir().unwrap();
    check_bad(
        &made(tmp.path(), "absent.yaml"),
        &[],
        &["cannot read file", "No such file"],
    )
    .unwrap();
}

#[test]
fn a_symlink_loop() {
    let tmp = tempfile::tempdir().unwrap();
    let file = made(tmp.path(), "loop.yaml");
    std::os::unix::fs::symlink(&file, &file).unwrap();
    check_bad(&file, &[], &["cannot read file"]).unwrap();
}

#[test]
fn a_file_over_the_size_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let file = made(tmp.path(), "big.yaml");
    // Sparse: no disk or time spent, but metadata says 64 MiB + 1.
    let f = std::fs::File::create(&file).unwrap();
    f.set_len(hetsim::scenario::MAX_FILE_BYTES + 1).unwrap();
    check_bad(&file, &[], &["more than the limit of 67108864"]).unwrap();
}

#[test]
fn an_unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let file = made(tmp.path(), "secret.yaml");
    std::fs::copy(corpus().join("good.yaml"), &file).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&file).is_ok() {
        // root (and CAP_DAC_OVERRIDE) reads through mode 000 (CI runs as root): check
        // the other unreadable case instead, a folder where the file should be.
        std::fs::remove_file(&file).unwrap();
        std::fs::create_dir(&file).unwrap();
        return check_bad(&file, &[], &["is a directory, expected a scenario file"]).unwrap();
    }
    let r = check_bad(&file, &[], &["cannot read file", "Permission denied"]);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    r.unwrap();
}

#[test]
fn an_unreadable_series_file() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let file = made(tmp.path(), "s.yaml");
    std::fs::copy(corpus().join("series-garbage.yaml"), &file).unwrap();
    let csv = made(tmp.path(), "series-garbage.csv");
    std::fs::write(&csv, "time,v\n0,1\n").unwrap();
    std::fs::set_permissions(&csv, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&csv).is_ok() {
        // As root (see above): a folder where the series file should be.
        std::fs::remove_file(&csv).unwrap();
        std::fs::create_dir(&csv).unwrap();
        return check_bad(
            &file,
            &[],
            &[
                "field `datacenter.carbon_intensity`",
                "is a directory, expected a CSV file",
            ],
        )
        .unwrap();
    }
    let r = check_bad(
        &file,
        &[],
        &["field `datacenter.carbon_intensity`", "Permission denied"],
    );
    std::fs::set_permissions(&csv, std::fs::Permissions::from_mode(0o600)).unwrap();
    r.unwrap();
}

/// Inputs that once crashed a fuzz target, by target: each must now load, or fail
/// with exit code 2, without a panic.
#[test]
fn fuzz_regressions_load_or_fail_cleanly() {
    let mut failures = Vec::new();
    let mut seen = 0;
    for (sub, ext) in [("scenario_yaml", "yaml"), ("scenario_json", "json")] {
        let dir = corpus().join("fuzz").join(sub);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let src = e.unwrap().path();
            seen += 1;
            let text = std::fs::read(&src).unwrap();
            // In process, as the fuzz target calls it (the file reader would reject
            // non-UTF-8 before parsing).
            if let Ok(t) = std::str::from_utf8(&text) {
                let format = if ext == "yaml" {
                    hetsim::scenario::Format::Yaml
                } else {
                    hetsim::scenario::Format::Json
                };
                let caught = std::panic::catch_unwind(|| {
                    let _ = hetsim::scenario::parse_str(t, format, Path::new("fuzz.yaml"));
                });
                if caught.is_err() {
                    failures.push(format!("{}: parse_str panicked", src.display()));
                    continue;
                }
            }
            // Through the binary, under the limits.
            let tmp = tempfile::tempdir().unwrap();
            let file = tmp.path().join(format!("case.{ext}"));
            std::fs::write(&file, &text).unwrap();
            let v = hetsim_limited([OsStr::new("validate"), file.as_os_str()]);
            if !matches!(v.code, Some(0) | Some(2)) || v.stderr.contains("panicked") {
                failures.push(format!(
                    "{}: validate exit {:?}: {}",
                    src.display(),
                    v.code,
                    v.stderr
                ));
            }
        }
    }
    let series = corpus().join("fuzz").join("series_csv");
    if let Ok(entries) = std::fs::read_dir(&series) {
        for e in entries {
            let src = e.unwrap().path();
            seen += 1;
            let data = std::fs::read(&src).unwrap();
            let Some((_, body)) = data.split_first() else {
                continue;
            };
            let tmp = tempfile::tempdir().unwrap();
            std::fs::write(tmp.path().join("s.csv"), body).unwrap();
            let file = tmp.path().join("case.yaml");
            std::fs::write(
                &file,
                std::fs::read_to_string(corpus().join("good.yaml"))
                    .unwrap()
                    .replace("carbon_intensity: 300", "carbon_intensity: {csv: s.csv}"),
            )
            .unwrap();
            let v = hetsim_limited([OsStr::new("validate"), file.as_os_str()]);
            if !matches!(v.code, Some(0) | Some(2)) || v.stderr.contains("panicked") {
                failures.push(format!(
                    "{}: validate exit {:?}: {}",
                    src.display(),
                    v.code,
                    v.stderr
                ));
            }
        }
    }
    eprintln!("{seen} fuzz regression inputs replayed");
    report(failures);
}
