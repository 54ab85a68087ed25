//! Trace import on the real files in `../shared/data/` (skipped with a message when
//! absent): job counts match the published figures in `notes/data.md`, the field
//! mapping holds on known records, malformed lines fail with their line number or are
//! counted, and scenarios replay traces directly.

use crate::common::{hetsim, shared_data};
use hetsim::model::Category;
use hetsim::scenario::{Format as ScFormat, parse_str};
use hetsim::trace::gavel::{self, Speed};
use hetsim::trace::{self, Format, LlmMode, Options, alibaba};
use std::path::{Path, PathBuf};

fn read(format: Format, path: &Path) -> trace::Trace {
    trace::read(format, path, &Options::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn swf_logs_have_the_published_job_counts() {
    let d = shared_data();
    // (file, records = data.md job count, jobs kept, MaxProcs)
    let cases = [
        ("swf/KTH-SP2-1996-2.1-cln.swf.gz", 28_476, 28_475, 100),
        ("swf/LANL-CM5-1994-4.1-cln.swf.gz", 122_060, 122_057, 1024),
        ("swf/NASA-iPSC-1993-3.1-cln.swf.gz", 18_239, 18_239, 128),
        ("swf/lublin_256.swf", 10_000, 10_000, 256),
    ];
    for (f, records, jobs, procs) in cases {
        let t = read(Format::Swf, &d.join(f));
        assert_eq!(t.records, records, "{f}");
        assert_eq!(t.jobs.len(), jobs, "{f}");
        assert_eq!(t.max_procs, Some(procs), "{f}");
        assert_eq!(t.malformed, 0);
        // Dropped jobs are the ones with no processor count (both fields 5 and 8 are -1).
        assert_eq!(t.dropped_total(), records - jobs as u64, "{f}");
        assert!(t.jobs.iter().all(|j| j.devices.unwrap() as u64 <= procs));
    }
    // KTH: first job (job 15 in the log), and requested times for all but one job.
    let t = read(Format::Swf, &d.join("swf/KTH-SP2-1996-2.1-cln.swf.gz"));
    let j = &t.jobs[0];
    assert_eq!(
        (j.line, j.arrival, j.work, j.devices, j.estimate),
        (25, 599_850.0, 3477.0, Some(4), Some(53_940.0))
    );
    assert_eq!(
        t.jobs.iter().filter(|j| j.estimate.is_some()).count(),
        28_475
    );
    assert_eq!(t.dropped.get("processor count unknown"), Some(&1));
    // LANL: partitions of at least 32 processors (62,389 jobs request 32: field 8 first);
    // 110,770 jobs have a requested time.
    let t = read(Format::Swf, &d.join("swf/LANL-CM5-1994-4.1-cln.swf.gz"));
    assert_eq!(
        t.jobs.iter().filter(|j| j.estimate.is_some()).count(),
        110_770
    );
    assert_eq!(
        t.jobs.iter().filter(|j| j.devices == Some(32)).count(),
        62_389
    );
    // NASA and Lublin have no requested times (-1).
    let t = read(Format::Swf, &d.join("swf/NASA-iPSC-1993-3.1-cln.swf.gz"));
    assert!(t.jobs.iter().all(|j| j.estimate.is_none()));
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn malformed_lines_fail_with_their_line_or_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let swf = write(
        dir.path(),
        "t.swf",
        "; MaxProcs: 8\n1 0 0 10 2 -1 -1 2 20 -1 1 1 1 -1 -1 -1 -1 -1\n2 5 0 abc 2 -1 -1 2 20 -1 1 1 1 -1 -1 -1 -1 -1\n3 6 0 5 1\n4 7 0 -1 2 -1 -1 2 20 -1 1 1 1 -1 -1 -1 -1 -1\n5 8 0 5 2 -1 -1 64 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
    );
    let e = trace::read(Format::Swf, &swf, &Options::default()).unwrap_err();
    assert_eq!(e.line, Some(3));
    assert!(
        e.to_string().contains("t.swf:3") && e.message.contains("field 4"),
        "{e}"
    );
    let t = trace::read(
        Format::Swf,
        &swf,
        &Options {
            skip_bad: true,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!((t.records, t.jobs.len(), t.malformed), (5, 1, 2));
    assert_eq!(t.first_malformed.as_ref().map(|m| m.0), Some(3));
    assert_eq!(t.dropped.get("run time unknown"), Some(&1));
    assert_eq!(t.dropped.get("more processors than MaxProcs"), Some(&1));
    assert!(
        t.account().contains("2 malformed lines skipped"),
        "{}",
        t.account()
    );

    let csv = write(
        dir.path(),
        "j.csv",
        "arrival,kind,work\n0,a,1\n1,a\n2,a,x\n",
    );
    let e = trace::read(Format::Csv, &csv, &Options::default()).unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    let e = trace::read(
        Format::Csv,
        &write(dir.path(), "k.csv", "arrival,wrk\n0,1\n"),
        &Options::default(),
    )
    .unwrap_err();
    assert!(e.message.contains("unknown column `wrk`"), "{e}");

    // The CLI: exit code 2 and the line; with --skip-bad, the count.
    let out = dir.path().join("o.yaml");
    hetsim()
        .args(["import", "swf"])
        .arg(&swf)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("t.swf:3"));
    hetsim()
        .args(["import", "swf", "--skip-bad"])
        .arg(&swf)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("2 malformed lines skipped"));
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn alibaba_pods_and_nodes_map_as_documented() {
    let d = shared_data();
    let t = read(
        Format::Alibaba,
        &d.join("gpu/alibaba_gpu2023_openb_pod_list_default.csv"),
    );
    assert_eq!(t.records, 8152);
    // 897 Pending pods were never scheduled.
    assert_eq!(t.dropped.get("never scheduled"), Some(&897));
    assert_eq!(t.jobs.len(), 7255);
    let t33 = read(
        Format::Alibaba,
        &d.join("gpu/alibaba_gpu2023_openb_pod_list_gpuspec33.csv"),
    );
    let counts = t33.category_counts();
    let count = |name: &str| counts[t33.categories.iter().position(|c| c == name).unwrap()];
    assert_eq!(count("gpu"), 4111);
    assert_eq!(count("gpu-t4"), 1132);
    assert_eq!(count("cpu"), 1052);
    // `V100M16|V100M32` and `V100M16|V100M32|V100M32` are the same constraint.
    assert_eq!(count("gpu-v100m16-v100m32"), 147);
    // First pod: 1 full GPU (gpu_milli 1000), created at 0, ran 12,537,496 s, LS.
    let j = &t.jobs[0];
    assert_eq!(
        (j.arrival, j.work, j.devices, j.priority),
        (0.0, 12_537_496.0, Some(1), Some(1))
    );
    // Second pod: 0.46 of a GPU, so 0.46 x (12,902,960 - 427,061) GPU-seconds.
    assert!((t.jobs[1].work - 0.46 * (12_902_960.0 - 427_061.0)).abs() < 1e-6);
    let whole = trace::read(
        Format::Alibaba,
        &d.join("gpu/alibaba_gpu2023_openb_pod_list_default.csv"),
        &Options {
            gpu_share: trace::GpuShare::Whole,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(whole.jobs[1].work, 12_902_960.0 - 427_061.0);

    // Node list: 6,212 GPUs in 7 models and 310 CPU-only nodes.
    let inv = alibaba::read_nodes(
        &d.join("gpu/alibaba_gpu2023_openb_node_list_all_node.csv"),
        false,
    )
    .unwrap();
    let gpus: u64 = inv
        .iter()
        .filter(|c| c.category == Category::Gpu)
        .map(|c| c.count)
        .sum();
    assert_eq!(gpus, 6212);
    let get = |n: &str| inv.iter().find(|c| c.name == n).unwrap().count;
    assert_eq!(
        (
            get("g2"),
            get("t4"),
            get("p100"),
            get("v100m16"),
            get("v100m32"),
            get("g3"),
            get("a10"),
            get("cpu")
        ),
        (4392, 842, 265, 195, 204, 312, 2, 310)
    );
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn azure_llm_requests_become_prefill_and_decode_work() {
    let d = shared_data();
    let code = d.join("llm/AzureLLMInferenceTrace_code.csv");
    let t = read(Format::AzureLlm, &code);
    assert_eq!(t.jobs.len(), 8819);
    assert_eq!(t.categories, vec!["llm"]);
    // First request: 4808 context, 10 generated: 4808 + 20 x 10.
    assert_eq!(t.jobs[0].work, 5008.0);
    // 18:17:03.97996 to 19:14:19.928016.
    let span = t.jobs.last().unwrap().arrival - t.jobs[0].arrival;
    assert!((span - 3_435.948_056).abs() < 1e-6, "{span}");
    // Median context 1,469 tokens (data.md), recovered from the split mode.
    let split = trace::read(
        Format::AzureLlm,
        &code,
        &Options {
            mode: LlmMode::Split,
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(split.jobs.len(), 2 * 8819);
    let mut ctx: Vec<f64> = split
        .jobs
        .iter()
        .filter(|j| j.category == 0)
        .map(|j| j.work)
        .collect();
    ctx.sort_by(f64::total_cmp);
    assert_eq!(ctx[ctx.len() / 2], 1469.0);
    assert_eq!(split.jobs[1].after, Some(0));
    assert_eq!(
        (split.jobs[1].work, split.categories[1].as_str()),
        (10.0, "decode")
    );
    let conv = read(
        Format::AzureLlm,
        &d.join("llm/AzureLLMInferenceTrace_conv.csv"),
    );
    assert_eq!(conv.jobs.len(), 19_366);
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn gavel_trace_and_throughputs() {
    let d = shared_data();
    let t = read(
        Format::Gavel,
        &d.join("gpu/gavel_msr_philly_vc_ee9e8c_seed0.trace"),
    );
    assert_eq!(t.jobs.len(), 2000);
    let by_gpus = |n: u32| t.jobs.iter().filter(|j| j.devices == Some(n)).count();
    assert_eq!(
        (by_gpus(1), by_gpus(8), by_gpus(4), by_gpus(16), by_gpus(2)),
        (975, 543, 321, 106, 47)
    );
    let j = &t.jobs[1];
    assert_eq!(
        t.categories[j.category as usize],
        "recommendation-bs8192-x8"
    );
    assert_eq!(
        (j.work, j.arrival, j.devices),
        (779_751.0, 336_541.0, Some(8))
    );

    let tp =
        gavel::read_throughputs(&d.join("benchmarks/gavel_simulation_throughputs.json")).unwrap();
    assert_eq!(tp.gpus, vec!["k80", "p100", "v100"]);
    let g = |name: &str| tp.gpus.iter().position(|x| x == name).unwrap();
    // data.md table: ResNet-50 (bs 64) on one V100, 4.395 steps/s; Recommendation is
    // faster on P100 than on V100.
    match tp.speed(g("v100"), "ResNet-50 (batch size 64)", 1) {
        Speed::Measured(v) => assert!((v - 4.3948).abs() < 1e-3, "{v}"),
        s => panic!("{s:?}"),
    }
    let rec = |gpu| match tp.speed(g(gpu), "Recommendation (batch size 2048)", 1) {
        Speed::Measured(v) => v,
        s => panic!("{s:?}"),
    };
    assert!(rec("p100") > rec("v100"));
    // ResNet-50 (bs 128) does not fit two K80s (throughput 0).
    assert_eq!(
        tp.speed(g("k80"), "ResNet-50 (batch size 128)", 2),
        Speed::None
    );
    // A3C is measured on one GPU only: 8 GPUs extrapolate linearly.
    match tp.speed(g("v100"), "A3C", 8) {
        Speed::Scaled(v) => assert!((v - 8.0 * 7.175_767).abs() < 1e-3, "{v}"),
        s => panic!("{s:?}"),
    }
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn csv_job_lists_round_trip_through_import() {
    let d = shared_data();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kth.csv");
    hetsim()
        .args(["import", "swf"])
        .arg(d.join("swf/KTH-SP2-1996-2.1-cln.swf.gz"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("28475 jobs"));
    let swf = read(Format::Swf, &d.join("swf/KTH-SP2-1996-2.1-cln.swf.gz"));
    let csv = read(Format::Csv, &out);
    assert_eq!(csv.jobs.len(), swf.jobs.len());
    let t0 = swf.jobs[0].arrival;
    for (a, b) in swf.jobs.iter().zip(&csv.jobs).step_by(97) {
        assert_eq!(
            (a.arrival - t0, a.work, a.devices, a.estimate),
            (b.arrival, b.work, b.devices, b.estimate)
        );
    }
    // Pipelines survive the CSV: split LLM requests keep their prefill -> decode links.
    let out = dir.path().join("llm.csv");
    hetsim()
        .args(["import", "azure-llm", "--mode", "split", "--limit", "10"])
        .arg(d.join("llm/AzureLLMInferenceTrace_code.csv"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let t = read(Format::Csv, &out);
    assert_eq!(t.jobs.len(), 20);
    assert_eq!(t.jobs[3].after, Some(2));
    assert_eq!(t.categories, vec!["prefill", "decode"]);
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn imported_scenarios_validate_and_run() {
    let d = shared_data();
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, PathBuf, Vec<String>)> = vec![
        ("swf", d.join("swf/lublin_256.swf"), vec![]),
        (
            "alibaba",
            d.join("gpu/alibaba_gpu2023_openb_pod_list_gpuspec33.csv"),
            vec![
                "--nodes".into(),
                d.join("gpu/alibaba_gpu2023_openb_node_list_all_node.csv")
                    .display()
                    .to_string(),
            ],
        ),
        (
            "azure-llm",
            d.join("llm/AzureLLMInferenceTrace_code.csv"),
            vec![
                "--mode".into(),
                "split".into(),
                "--limit".into(),
                "300".into(),
            ],
        ),
        (
            "gavel",
            d.join("gpu/gavel_msr_philly_vc_ee9e8c_seed0.trace"),
            vec![
                "--throughputs".into(),
                d.join("benchmarks/gavel_simulation_throughputs.json")
                    .display()
                    .to_string(),
            ],
        ),
    ];
    for (fmt, file, extra) in cases {
        let out = dir.path().join(format!("{fmt}.yaml"));
        hetsim()
            .args(["import", fmt])
            .arg(&file)
            .args(&extra)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        let l = crate::common::load(&out);
        assert!(!l.scenario.jobs.is_empty(), "{fmt}");
        // The JSON form loads to the same scenario (apart from its name's source).
        let json = dir.path().join(format!("{fmt}.json"));
        hetsim()
            .args(["import", fmt])
            .arg(&file)
            .args(&extra)
            .arg("-o")
            .arg(&json)
            .assert()
            .success();
        assert_eq!(crate::common::load(&json).scenario, l.scenario, "{fmt}");
        if fmt != "alibaba" {
            hetsim()
                .args(["run", "--no-charts", "-q", "--out"])
                .arg(dir.path().join(format!("run-{fmt}")))
                .arg(&out)
                .assert()
                .success();
        }
    }
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn scenarios_replay_traces_directly() {
    let d = shared_data();
    let kth = d.join("swf/KTH-SP2-1996-2.1-cln.swf.gz");
    let text = |extra: &str| {
        let extra = if extra.contains("kind:") {
            extra.to_string()
        } else {
            format!(", kind: hpc{extra}")
        };
        format!(
            "name: t\ndatacenter:\n  classes:\n    proc: {{category: cpu, count: 100, speed: {{hpc: 1}}, busy_power: 100W}}\n\
             workload:\n  kinds:\n    hpc: {{}}\n  traces:\n    - {{format: swf, file: \"{}\"{extra}}}\n",
            kth.display()
        )
    };
    let parse = |extra: &str| {
        parse_str(&text(extra), ScFormat::Yaml, Path::new("t.yaml")).map_err(|e| e.to_string())
    };
    let sc = parse(", limit: 500").unwrap();
    assert_eq!(sc.jobs.len(), 500);
    assert_eq!(sc.jobs[0].arrival, 0.0);
    assert_eq!(
        (
            sc.jobs[0].req.work,
            sc.jobs[0].req.devices,
            sc.jobs[0].req.estimate
        ),
        (3477.0, 4, Some(53_940.0))
    );
    assert_eq!(sc.jobs[1].arrival, 600_022.0 - 599_850.0);
    // A one-week window starting at day 30, compressed 2x, scaled work.
    let sc = parse(", from: 30d, until: 37d, time_scale: 0.5, work_scale: 2").unwrap();
    let t = read(trace::Format::Swf, &kth);
    let t0 = t.jobs[0].arrival;
    let expect: Vec<&trace::TraceJob> = t
        .jobs
        .iter()
        .filter(|j| (30.0 * 86400.0..37.0 * 86400.0).contains(&(j.arrival - t0)))
        .collect();
    assert_eq!(sc.jobs.len(), expect.len());
    assert!(sc.jobs.iter().all(|j| j.arrival < 3.5 * 86400.0));
    assert_eq!(sc.jobs[0].req.work, 2.0 * expect[0].work);
    // Errors name the trace field and the trace's line.
    let e = parse(", kind: nope").unwrap_err();
    assert!(e.contains("traces[0].kind") && e.contains("nope"), "{e}");
    let e = parse(", mode: split").unwrap_err();
    assert!(
        e.contains("traces[0].mode") && e.contains("azure-llm"),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.swf",
        "1 0 0 10 2 -1 -1 2 20 -1 1 1 1 -1 -1 -1 -1 -1\n2 x\n",
    );
    let yaml = "name: t\ndatacenter:\n  classes:\n    proc: {category: cpu, count: 4, speed: {job: 1}, busy_power: 1W}\n\
         workload:\n  kinds:\n    job: {}\n  traces:\n    - {format: swf, file: bad.swf}\n"
        .to_string();
    let sf = write(dir.path(), "s.yaml", &yaml);
    let e = hetsim::scenario::load(&sf, &[]).unwrap_err().to_string();
    assert!(
        e.contains("traces[0].file") && e.contains("bad.swf:2"),
        "{e}"
    );
    // Relative to the scenario file; skip_bad counts instead.
    let sf = write(
        dir.path(),
        "s2.yaml",
        &yaml.replace("bad.swf}", "bad.swf, skip_bad: true}"),
    );
    assert_eq!(crate::common::load(&sf).scenario.jobs.len(), 1);
}

#[test]
fn trace_format_names_parse() {
    for f in Format::ALL {
        assert_eq!(f.as_str().parse::<Format>().unwrap(), f);
        assert!(!f.mapping().is_empty());
    }
    assert!(
        "parquet"
            .parse::<Format>()
            .unwrap_err()
            .to_string()
            .contains("swf, alibaba, azure-llm, gavel, csv")
    );
}

#[test]
fn swf_processors_are_requested_first_or_allocated_first() {
    // Job 1: allocated 2, requested 4. Job 2: allocated -1, requested 3. Job 3:
    // allocated 5, requested -1.
    let dir = tempfile::tempdir().unwrap();
    let swf = write(
        dir.path(),
        "p.swf",
        "; MaxProcs: 8\n1 0 0 10 2 -1 -1 4 20 -1 1 1 1 -1 -1 -1 -1 -1\n2 1 0 10 -1 -1 -1 3 20 -1 1 1 1 -1 -1 -1 -1 -1\n3 2 0 10 5 -1 -1 -1 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
    );
    let devices = |procs| {
        let t = trace::read(
            Format::Swf,
            &swf,
            &Options {
                procs,
                ..Options::default()
            },
        )
        .unwrap();
        t.jobs
            .iter()
            .map(|j| j.devices.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(devices(trace::SwfProcs::Requested), vec![4, 3, 5]);
    assert_eq!(devices(trace::SwfProcs::Allocated), vec![2, 3, 5]);

    // In a scenario, and refused on another format.
    let sc = |format: &str| {
        format!(
            "name: p\ndatacenter:\n  classes:\n    n: {{category: cpu, count: 8, speed: {{job: 1}}, idle_power: 0W, busy_power: 1W}}\n\
             workload:\n  kinds:\n    job: {{}}\n  traces:\n    - {{format: {format}, file: p.swf, kind: job, procs: allocated}}\n"
        )
    };
    let ok = write(dir.path(), "ok.yaml", &sc("swf"));
    let loaded = crate::common::load(&ok);
    let d: Vec<u32> = loaded.scenario.jobs.iter().map(|j| j.req.devices).collect();
    assert_eq!(d, vec![2, 3, 5]);
    let bad = write(dir.path(), "bad.yaml", &sc("csv"));
    let e = hetsim::scenario::load(&bad, &[]).unwrap_err().to_string();
    assert!(
        e.contains("procs") && e.contains("applies to format `swf`"),
        "{e}"
    );
}
