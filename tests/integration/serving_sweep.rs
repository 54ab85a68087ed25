//! Serving scenarios in sweeps: each row of a sweep over serving configurations holds
//! what a single run reports; `hetsim plot` redraws a serving run folder.

use crate::serving::tiny;

#[test]
fn a_sweep_over_serving_configurations_matches_single_runs() {
    // Each sweep row holds what `hetsim run --set serving.config=X` reports, and
    // --run-folders writes the serving run folder of each run.
    let dir = tempfile::tempdir().unwrap();
    let sweep = dir.path().join("s.yaml");
    std::fs::write(
        &sweep,
        format!(
            "name: s\nscenario: {}\naxes:\n  serving.config: [one, split]\nseries: serving.config\n\
             metrics: [ttft_p50_s, e2e_p99_s]\npareto: {{x: e2e_p99_s, y: energy_per_output_token_j}}\n",
            tiny()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    assert_cmd::Command::cargo_bin("hetsim")
        .unwrap()
        .args([
            "sweep",
            sweep.to_str().unwrap(),
            "--quiet",
            "--run-folders",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let (header, rows) = crate::common::read_csv(&out.join("runs.csv"));
    let col = |k: &str| header.iter().position(|h| h == k).unwrap();
    assert_eq!(rows.len(), 2);
    for (row, config) in rows.iter().zip(["one", "split"]) {
        assert_eq!(row[col("serving_config")], config);
        let single = dir.path().join(config);
        assert_cmd::Command::cargo_bin("hetsim")
            .unwrap()
            .args(["run", &tiny(), "--quiet", "--set"])
            .arg(format!("serving.config={config}"))
            .arg("--out")
            .arg(&single)
            .assert()
            .success();
        let s: serde_json::Value =
            serde_json::from_slice(&std::fs::read(single.join("summary.json")).unwrap()).unwrap();
        for k in [
            "ttft_p50_s",
            "e2e_p99_s",
            "requests_completed",
            "energy_it_j",
        ] {
            // serde_json's float parsing may be off by an ulp: compare as numbers.
            let (a, b): (f64, f64) = (row[col(k)].parse().unwrap(), s[k].as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-12 * b.abs().max(1.0),
                "{config} {k}: {a} vs {b}"
            );
        }
        let run = out.join("runs").join(row[col("run")].as_str());
        assert!(run.join("requests.csv").exists());
    }
    assert!(out.join("summary.csv").exists());
    assert!(
        out.join("charts/pareto-energy_per_output_token_j-vs-e2e_p99_s.png")
            .exists()
    );
    // plot redraws a serving run folder's charts from its files; compare refuses it
    // clearly (exit 2), not with a missing-file error.
    let run0 = out.join("runs/0");
    let charts = run0.join("charts");
    let _ = std::fs::remove_dir_all(&charts);
    assert_cmd::Command::cargo_bin("hetsim")
        .unwrap()
        .arg("plot")
        .arg(&run0)
        .assert()
        .success();
    for stem in ["ttft_cdf", "tbt_cdf", "tokens_per_s", "serving_power"] {
        for ext in ["png", "svg"] {
            assert!(
                charts.join(format!("{stem}.{ext}")).exists(),
                "{stem}.{ext}"
            );
        }
    }
    let args = ["compare", run0.to_str().unwrap()];
    let o = assert_cmd::Command::cargo_bin("hetsim")
        .unwrap()
        .args(args)
        .arg(&run0)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains("is an LLM serving run folder"), "{err}");
}
