//! Inputs that are not regular files (issue 13, item 3): every reader refuses them
//! with a clear error and exit 2, and a named pipe never blocks.

use super::{TINY, mkfifo, write};
use crate::common::hetsim;
use std::time::Duration;

/// Runs hetsim with `args` in `dir`; it must fail with exit 2 within 20 s (a read of a
/// FIFO used to block forever) and say the file is not a regular file.
fn refused(dir: &std::path::Path, args: &[&str]) {
    hetsim()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a regular file"));
}

/// Item 3: a FIFO or a link to a device as scenario, sweep file, sweep base scenario,
/// imported trace (swf, csv) or scenario trace file is refused at once.
#[test]
fn named_pipes_and_devices_are_refused_by_every_reader() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    mkfifo(&d.join("fifo.yaml"));
    mkfifo(&d.join("fifo.swf"));
    mkfifo(&d.join("fifo.csv"));
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.swf")).unwrap();
    refused(d, &["validate", "fifo.yaml"]);
    refused(d, &["run", "fifo.yaml"]);
    refused(d, &["validate", "zero.yaml"]);
    refused(d, &["sweep", "fifo.yaml"]);
    refused(d, &["import", "swf", "fifo.swf", "-o", "o.yaml"]);
    refused(d, &["import", "swf", "zero.swf", "-o", "o.yaml"]);
    refused(d, &["import", "csv", "fifo.csv", "-o", "o.yaml"]);
    write(d, "sweep.yaml", "scenario: fifo.yaml\nreplications: 2\n");
    refused(d, &["sweep", "sweep.yaml"]);
    let with_trace = TINY.replace(
        "      arrival: {process: poisson, rate: 1/s, count: 20}\n      size: {dist: exponential, mean: 1}\n",
        "      arrival: {process: poisson, rate: 1/s, count: 20}\n      size: {dist: exponential, mean: 1}\n  traces:\n    - {format: swf, file: fifo.swf, kind: request}\n",
    );
    write(d, "trace.yaml", &with_trace);
    refused(d, &["validate", "trace.yaml"]);
    assert!(!d.join("o.yaml").exists());
}
