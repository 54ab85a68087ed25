//! A sweep's journal (`runs.csv`) read back on resume (issue 13, item 9).

use super::{TINY, write};
use hetsim::sweep::exec::{Options, read_dir, run};

/// Item 9: a metric cell `abc`, `NaN` or `1e999`, or a second row of a run with a
/// different value, used to be kept and silently blank that metric's statistics in
/// summary.csv; now such rows are dropped and counted (the sweep reports it and
/// redoes those runs), and the resumed sweep's summary.csv is byte-identical to the
/// undamaged one.
#[test]
fn damaged_journal_rows_are_dropped_and_redone() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "t.yaml", TINY);
    let f = write(
        tmp.path(),
        "s.yaml",
        "name: s\nscenario: t.yaml\nreplications: 4\nmetrics: [response_mean_s]\n",
    );
    let out = tmp.path().join("out");
    let opts = Options {
        jobs: Some(1),
        out: Some(out.clone()),
        shard: None,
        run_folders: false,
        run_charts: false,
    };
    run(&f, &opts).unwrap();
    let summary = std::fs::read(out.join("summary.csv")).unwrap();
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let (header, rows) = crate::common::read_csv(&out.join("runs.csv"));
    let c = header.iter().position(|h| h == "response_mean_s").unwrap();
    let e = header.iter().position(|h| h == "energy_it_j").unwrap();
    let line = |r: &[String]| r.join(",") + "\n";
    let mut damaged = String::new();
    damaged.push_str(runs.lines().next().unwrap());
    damaged.push('\n');
    for (i, r) in rows.iter().enumerate() {
        let mut r = r.clone();
        match i {
            0 => r[c] = "abc".into(),
            1 => r[e] = "NaN".into(),
            2 => r[c] = "1e999".into(),
            _ => {
                damaged.push_str(&line(&r));
                r[e] = "12345".into();
            }
        }
        damaged.push_str(&line(&r));
    }
    std::fs::write(out.join("runs.csv"), damaged).unwrap();
    let (_, table) = read_dir(&out).unwrap();
    assert!(table.rows.is_empty(), "{:?}", table.rows.keys());
    assert_eq!(table.dropped, 5);
    let report = run(&f, &opts).unwrap();
    assert_eq!((report.resumed, report.ran), (0, 4));
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), summary);
}
