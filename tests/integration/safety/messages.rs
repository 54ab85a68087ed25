//! Error messages say what is wrong in the file's terms (issue 13, item 11).

use super::{TINY, write};
use crate::common::hetsim;

/// `hetsim validate` of `text` fails with exit 2; stderr contains `needle` and not
/// `not`, and stays short.
fn says(text: &str, needle: &str, not: &str) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("folder")).unwrap();
    let f = write(tmp.path(), "s.yaml", text);
    let out = hetsim().arg("validate").arg(&f).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains(needle), "{err}");
    assert!(!err.contains(not), "{err}");
    assert!(err.len() < 2500, "{} bytes: {}", err.len(), &err[..300]);
}

/// Item 11: two documents do not mention a library function; a very long key is
/// explained; a 100 KB value is not echoed whole; a folder given as a trace gets no
/// "fix the line" hint; `horizon: 0s` is refused instead of running nothing.
#[test]
fn messages_speak_the_files_language() {
    says(
        &format!("{TINY}---\nname: b\n"),
        "more than one YAML document",
        "from_str_multiple",
    );
    says(
        &format!("{TINY}{}: 1\n", "k".repeat(2000)),
        "at most 1024 characters",
        "simple key expected",
    );
    says(
        &TINY.replace(
            "idle_power: 20W",
            &format!("idle_power: {}", "n".repeat(100_000)),
        ),
        "more characters",
        &"n".repeat(1000),
    );
    says(
        &TINY.replace(
            "policy: {name: fcfs}\n",
            "  traces:\n    - {format: swf, file: folder, kind: request}\npolicy: {name: fcfs}\n",
        ),
        "is a directory",
        "skip_bad",
    );
    says(&format!("horizon: 0s\n{TINY}"), "field `horizon`", "@@");
}
