//! The LLM serving model: hand-computed timelines (every prefill, transfer and decode
//! iteration), energy and memory conservation with batching, curve values against
//! the Splitwise profile computed by hand, the scenario's run folder and bad input.

use hetsim::engine::secs;
use hetsim::serving::perf::{Curve, IterKind, Profile};
use hetsim::serving::sim::{ServingOutcome, simulate};
use hetsim::serving::*;

/// A made-up profile: prefill time = x / 1000 s (x = batch tokens), decode
/// iteration = 0.01 + 0.01 n s (n = decodes in the batch).
fn tiny_profile() -> Profile {
    Profile {
        prompt: Curve::new(vec![(100.0, 0.1), (300.0, 0.3)]).unwrap(),
        token: Curve::new(vec![(1.0, 0.02), (2.0, 0.03)]).unwrap(),
        peak_power: None,
        average_power: None,
    }
}

pub(crate) fn spec(
    scheduler: Scheduler,
    roles: &[Role],
    reqs: &[(f64, u32, u32)],
    kv: u64,
) -> ServingSpec {
    ServingSpec {
        config: "hand".into(),
        kv_bytes_per_token: kv,
        weights: 1000,
        hardware: vec![Hardware {
            class: "gpu".into(),
            perf: tiny_profile(),
            // Per device: prefill/mixed 100 W, decode 50 W, idle 10 W.
            power: PhasePower {
                idle: 10.0,
                prefill: 100.0,
                decode: 50.0,
            },
            memory: 1 << 40,
        }],
        instances: roles
            .iter()
            .map(|&role| InstanceSpec {
                hw: 0,
                devices: 1,
                role,
            })
            .collect(),
        scheduler,
        batching: Batching::default(),
        transfer: Transfer {
            bandwidth: vec![vec![1e9]],
            retry: 1.0,
            shared_link: false,
            overlap_layers: None,
        },
        requests: reqs
            .iter()
            .enumerate()
            .map(|(i, &(a, p, t))| Request {
                id: i as u64,
                arrival: secs(a),
                prompt: p,
                output: t,
            })
            .collect(),
        slo: None,
        pue: 1.0,
        series_interval: 1.0,
    }
}

pub(crate) fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-8, "{a} != {b}");
}

pub(crate) fn blocks(o: &ServingOutcome) -> Vec<(f64, f64, u32, u32, bool)> {
    o.blocks
        .iter()
        .map(|b| (b.start, b.dur, b.k, b.batch, b.prefill))
        .collect()
}

/// One instance, token-jsq, four requests (timeline derived in the comments):
/// - 0: A (P 100, T 3) arrives, prefills alone: 0.1 s, to 0.1 (A's first token).
/// - 0.05: B (P 200, T 2) arrives and waits (a prefill is running).
/// - 0.1: B's prefill with A's first decode, mixed: 1.1 x 0.201 = 0.2211 s, to 0.3211.
/// - 0.3211: decodes of A and B, 2 in the batch: 0.03 s, k = 1, to 0.3511: both done.
/// - 0.5: C (P 100, T 4): prefill 0.1 s to 0.6; decode alone, 0.02 s per iteration,
///   k = 3 (to 0.66).
/// - 0.63: D (P 100, T 2) arrives inside C's block: the block is cut after its second
///   iteration (0.64). Mixed D prefill + C decode: 1.1 x 0.101 = 0.1111 s, to 0.7511:
///   C done, D's first token. D's decode alone 0.02 s, to 0.7711.
#[test]
fn hand_computed_timeline_on_one_instance() {
    let s = spec(
        Scheduler::TokenJsq,
        &[Role::Both],
        &[(0.0, 100, 3), (0.05, 200, 2), (0.5, 100, 4), (0.63, 100, 2)],
        1,
    );
    let o = simulate(&s);
    let want_blocks = [
        (0.0, 0.1, 1, 1, true),
        (0.1, 0.2211, 1, 2, true),
        (0.3211, 0.03, 1, 2, false),
        (0.5, 0.1, 1, 1, true),
        (0.6, 0.02, 2, 1, false),
        (0.64, 0.1111, 1, 2, true),
        (0.7511, 0.02, 1, 1, false),
    ];
    let got = blocks(&o);
    assert_eq!(got.len(), want_blocks.len(), "{got:?}");
    for (g, w) in got.iter().zip(want_blocks) {
        close(g.0, w.0);
        close(g.1, w.1);
        assert_eq!((g.2, g.3, g.4), (w.2, w.3, w.4), "{got:?}");
    }
    let r = &o.requests;
    let want = [
        (0.1, 0.3511),
        (0.3211, 0.3511),
        (0.6, 0.7511),
        (0.7511, 0.7711),
    ];
    for (rec, (pe, done)) in r.iter().zip(want) {
        close(rec.prefill_end.unwrap(), pe);
        close(rec.done.unwrap(), done);
        assert_eq!(rec.transfer, None);
    }
    close(o.end_s, 0.7711);
    // Energy: prefill/mixed 0.5322 s x 100 W, decode 0.09 s x 50 W, idle
    // (0.7711 - 0.6222) s x 10 W.
    close(o.busy_j[0], 53.22 + 4.5);
    close(o.idle_j[0], 1.489);
    // Shares by tokens: A gets the first prefill, 1/201 of the mixed block and half
    // of the shared decode; ...
    close(r[0].energy_j, 10.0 + 22.11 / 201.0 + 0.75);
    close(r[1].energy_j, 22.11 * 200.0 / 201.0 + 0.75);
    close(r[2].energy_j, 10.0 + 2.0 + 11.11 / 101.0);
    close(r[3].energy_j, 11.11 * 100.0 / 101.0 + 1.0);
    assert_eq!(o.final_memory, vec![1000]);
}

/// A prompt and a token instance, KV of 10^6 B per token at 10^9 B/s:
/// - A (P 100, T 3): prefill 0 to 0.1; transfer of 10^8 B, 0.1 to 0.2; decode alone,
///   k = 2 iterations of 0.02 s, to 0.24.
/// - B (P 200, T 2) at 0.05: prefill 0.1 to 0.3 (after A's); transfer 2 x 10^8 B, 0.3
///   to 0.5; one decode iteration, to 0.52.
#[test]
fn hand_computed_timeline_with_kv_transfer() {
    let s = spec(
        Scheduler::Pools {
            pick: Pick::FewestTokens,
        },
        &[Role::Prompt, Role::Token],
        &[(0.0, 100, 3), (0.05, 200, 2)],
        1_000_000,
    );
    let o = simulate(&s);
    let a = &o.requests[0];
    let b = &o.requests[1];
    assert_eq!((a.prompt_instance, a.token_instance), (0, 1));
    close(a.prefill_end.unwrap(), 0.1);
    let (t0, t1) = a.transfer.unwrap();
    close(t0, 0.1);
    close(t1, 0.2);
    close(a.done.unwrap(), 0.24);
    close(b.prefill_end.unwrap(), 0.3);
    let (t0, t1) = b.transfer.unwrap();
    close(t0, 0.3);
    close(t1, 0.5);
    close(b.done.unwrap(), 0.52);
    let got = blocks(&o);
    // In the order the blocks end.
    let want = [
        (0.0, 0.1, 1, 1, true),
        (0.2, 0.02, 2, 1, false),
        (0.1, 0.2, 1, 1, true),
        (0.5, 0.02, 1, 1, false),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        close(g.0, w.0);
        close(g.1, w.1);
        assert_eq!((g.2, g.3, g.4), (w.2, w.3, w.4));
    }
    // Every KV byte reserved was freed at both ends.
    assert_eq!(o.final_memory, vec![1000, 1000]);
}

/// A transfer that does not fit at its destination waits and retries every second.
/// The token instance has room for one request (101 prompt + 2 decode tokens of
/// 10^6 B). A (P 100, T 3) at 0: prefill to 0.1, transfer to 0.2, decode to 0.24.
/// B (P 100, T 3) at 0.05: prefill 0.1 to 0.2; at 0.2 A's KV and decode fill the
/// token instance, so B's transfer retries at 1.2 (A left at 0.24): 1.2 to 1.3,
/// decode to 1.34.
#[test]
fn transfer_waits_for_memory() {
    let mut s = spec(
        Scheduler::Pools {
            pick: Pick::RoundRobin,
        },
        &[Role::Prompt, Role::Token],
        &[(0.0, 100, 3), (0.05, 100, 3)],
        1_000_000,
    );
    let mut small = s.hardware[0].clone();
    small.memory = 1000 + 103 * 1_000_000;
    s.hardware.push(small);
    s.instances[1].hw = 1;
    s.transfer.bandwidth = vec![vec![1e9; 2]; 2];
    let o = simulate(&s);
    assert_eq!(o.transfer_retries, 1);
    close(o.requests[0].done.unwrap(), 0.24);
    let (t0, t1) = o.requests[1].transfer.unwrap();
    close(t0, 1.2);
    close(t1, 1.3);
    close(o.requests[1].done.unwrap(), 1.34);
    assert_eq!(o.final_memory, vec![1000, 1000]);
}

/// Energy is conserved with batching: the requests' shares add up to the busy energy,
/// busy + idle energy equals the integral of the series, on a loaded random stream.
#[test]
fn energy_and_memory_are_conserved_under_load() {
    let mut reqs = Vec::new();
    let mut x: u64 = 12345;
    let mut t = 0.0;
    for _ in 0..300 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        t += ((x >> 33) % 100) as f64 / 1000.0;
        let p = 50 + ((x >> 20) % 900) as u32;
        let o = 2 + ((x >> 10) % 60) as u32;
        reqs.push((t, p, o));
    }
    let runs = [
        (Scheduler::TokenJsq, vec![Role::Both, Role::Both], None),
        (
            Scheduler::MixedPool {
                prompt_threshold: 2000,
            },
            vec![Role::Prompt, Role::Token, Role::Token],
            None,
        ),
        // Chunked prefill, prompts split across iterations.
        (Scheduler::TokenJsq, vec![Role::Both, Role::Both], Some(256)),
        (
            Scheduler::Pools {
                pick: Pick::FewestTokens,
            },
            vec![Role::Prompt, Role::Token],
            Some(128),
        ),
    ];
    for (sched, roles, chunk) in runs {
        let mut s = spec(sched, &roles, &reqs, 1000);
        s.batching.chunk = chunk;
        // Tight memory: batches are limited by KV memory and decodes get preempted.
        s.hardware[0].memory = 1000 + 200_000 * 1000;
        let o = simulate(&s);
        assert!(o.requests.iter().all(|r| r.done.is_some()));
        let shares: f64 = o.requests.iter().map(|r| r.energy_j).sum();
        let busy: f64 = o.busy_j.iter().sum();
        let idle: f64 = o.idle_j.iter().sum();
        assert!((shares - busy).abs() < 1e-9 * busy, "{shares} vs {busy}");
        let bins: f64 = o.bin_energy_j.iter().sum();
        assert!(
            (bins - busy - idle).abs() < 1e-9 * bins,
            "{bins} vs {}",
            busy + idle
        );
        let tokens: u64 = o.bin_tokens.iter().sum();
        let want: u64 = o.requests.iter().map(|r| r.output as u64).sum();
        assert_eq!(tokens, want, "every output token is emitted once");
        assert!(o.final_memory.iter().all(|&m| m == 1000));
    }
}

/// The batch-size limit splits prefills that would exceed 2,048 batch tokens.
#[test]
fn batch_token_limit_holds() {
    let s = spec(
        Scheduler::TokenJsq,
        &[Role::Both],
        &[(0.0, 1500, 2), (0.0, 1500, 2), (0.0, 100, 2)],
        1,
    );
    let o = simulate(&s);
    assert!(o.blocks.iter().all(|b| b.tokens <= 2048 || b.batch == 1));
    // The first prefill runs alone (the second does not fit with it).
    close(o.requests[0].prefill_end.unwrap(), 1.5);
}

/// Curve values of Llama-2-70B at TP 8, computed by hand from the CSV (median of the
/// rows with the same prompt x batch, linear between neighbours): e.g. A100 prompt at
/// x = 3000 lies between x = 2048 (0.28271 s) and 4096 (0.70836 s).
#[test]
#[ignore = "needs ../shared/data"]
fn curves_match_the_profile_by_hand() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/power/splitwise_perf_model.csv"
    ))
    .unwrap();
    let rows = hetsim::serving::perf::parse_rows(&text).unwrap();
    let a = hetsim::serving::perf::profile(&rows, "llama2-70b", "a100-80gb", 8).unwrap();
    let h = hetsim::serving::perf::profile(&rows, "llama2-70b", "h100-80gb", 8).unwrap();
    let near = |a: f64, b: f64| assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    near(a.iteration(IterKind::Prefill, 2048), 0.2827095299726352);
    near(a.iteration(IterKind::Prefill, 4096), 0.7083550450042821);
    near(a.iteration(IterKind::Prefill, 3000), 0.48056818735062734);
    near(
        a.iteration(IterKind::Mixed, 3000),
        1.1 * 0.48056818735062734,
    );
    // Decode, queried with the number of decodes (splitwise-sim's fit on x = prompt x
    // batch): x = 1 and 2 extrapolate below the first point (128).
    near(a.iteration(IterKind::Decode, 1), 0.04258261254040903);
    near(a.iteration(IterKind::Decode, 2), 0.04258614518881572);
    near(a.iteration(IterKind::Decode, 512), 0.045033139639275174);
    near(h.iteration(IterKind::Prefill, 2048), 0.13442320300964639);
    near(h.iteration(IterKind::Prefill, 4096), 0.3762156415032223);
    near(h.iteration(IterKind::Decode, 1), 0.031466219203690624);
    // H100 rows have no power; A100 rows below batch 32 do.
    assert!(h.peak_power.is_none() && h.average_power.is_none());
    assert!(a.peak_power.is_some());
}

/// The shipped scenario runs to a complete run folder with every request finished.
#[test]
#[ignore = "needs ../shared/data"]
fn shipped_scenario_writes_a_run_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let root = env!("CARGO_MANIFEST_DIR");
    assert_cmd::Command::cargo_bin("hetsim")
        .unwrap()
        .args([
            "run",
            &format!("{root}/scenarios/llm-serving.yaml"),
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .args([
            "--set",
            "serving.config=splitwise-ha",
            "--set",
            "serving.requests.until=20s",
        ])
        .assert()
        .success();
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["requests_arrived"], s["requests_completed"]);
    for f in [
        "requests.csv",
        "series.csv",
        "charts/ttft_cdf.png",
        "charts/tbt_cdf.png",
        "charts/tokens_per_s.png",
        "charts/serving_power.png",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    for k in s.as_object().unwrap().keys() {
        assert!(
            hetsim::report::metric::is_registered(k),
            "summary key {k} is not registered in report::metric"
        );
    }
}

/// A bad field of `serving:` is an input error naming the file, line and field.
#[test]
#[ignore = "needs ../shared/data"]
fn bad_serving_field_is_located() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = assert_cmd::Command::cargo_bin("hetsim")
        .unwrap()
        .args([
            "run",
            &format!("{root}/scenarios/llm-serving.yaml"),
            "--quiet",
        ])
        .args([
            "--set",
            "serving.configs.baseline-a100.scheduler.name=fastest",
        ])
        .args(["--out", "/nonexistent/never-written"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("serving.configs.baseline-a100.scheduler.name"),
        "{err}"
    );
    assert!(err.contains("unknown scheduler"), "{err}");
}

/// Curves by hand on an inline table: medians of repeated rows (even and odd counts),
/// linear between points, the end segments extended outside them.
#[test]
fn curve_from_inline_table_by_hand() {
    let csv = "model,hardware,tensor_parallel,prompt_size,batch_size,token_size,peak_power,average_power,prompt_time,token_time\n\
m,h,8,100,1,10,1.0,0.5,100,20\n\
m,h,8,100,1,10,1.0,0.7,300,40\n\
m,h,8,50,4,10,0,0,400,30\n\
m,h,8,200,1,10,0,0,200,10\n\
m,h,8,400,1,10,0,0,700,90\n\
m,h,8,400,1,10,0,0,500,60\n\
m,h,8,400,1,10,0,0,600,50\n\
m,h,4,100,1,10,0,0,999,999\n";
    let rows = hetsim::serving::perf::parse_rows(csv).unwrap();
    let p = hetsim::serving::perf::profile(&rows, "m", "h", 8).unwrap();
    // x = 100: median(0.1, 0.3) = 0.2; x = 200: rows 50x4 and 200x1, median(0.4, 0.2)
    // = 0.3; x = 400: median(0.7, 0.5, 0.6) = 0.6.
    let pts: Vec<(f64, f64)> = p.prompt.points().collect();
    assert_eq!(pts.len(), 3);
    let near = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    near(p.prompt.at(100.0), 0.2);
    near(p.prompt.at(150.0), 0.25);
    near(p.prompt.at(300.0), 0.45);
    near(p.prompt.at(0.0), 0.1); // first segment (slope 0.001) extended left
    near(p.prompt.at(600.0), 0.9); // last segment (slope 0.0015) extended right
    // Token: x = 100 median(0.02, 0.04) = 0.03; 200: median(0.03, 0.01) = 0.02;
    // 400: median(0.09, 0.06, 0.05) = 0.06.
    near(
        p.iteration(IterKind::Decode, 1),
        0.03 + (1.0 - 100.0) * (0.02 - 0.03) / 100.0,
    );
    near(p.iteration(IterKind::Mixed, 150), 1.1 * 0.25);
    // Power: medians over rows that measured it.
    near(p.peak_power.unwrap(), 1.0);
    near(p.average_power.unwrap(), 0.6);
    // A bad cell names its line and column.
    let bad = csv.replace("m,h,8,200,1,10,0,0,200,10", "m,h,8,200,1,10,0,0,fast,10");
    let e = hetsim::serving::perf::parse_rows(&bad).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (5, "prompt_time"));
}

/// Request streams: Azure timestamps are relative to the first row (sub-second digits
/// kept), splitwise-sim's CSV is read as written, Poisson streams are seeded.
#[test]
fn request_streams() {
    use hetsim::serving::trace::*;
    let az = "TIMESTAMP,ContextTokens,GeneratedTokens\n\
2023-11-16 23:59:59.5000000,10,2\n\
2023-11-17 00:00:01.2500000,20,3\n";
    let r = parse_azure(az).unwrap();
    assert_eq!(r.len(), 2);
    assert!(
        (r[1].arrival - 1.75).abs() < 1e-9,
        "across midnight: {}",
        r[1].arrival
    );
    assert_eq!((r[1].prompt, r[1].output), (20, 3));
    let e = parse_azure(&az.replace(",3\n", ",0\n")).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (3, "GeneratedTokens"));
    let sw = "request_id,request_type,application_id,arrival_timestamp,batch_size,prompt_size,token_size\n\
7,2,0,0.5,1,100,5\n\
3,2,0,0.25,1,50,2\n";
    let r = parse_splitwise(sw).unwrap();
    assert_eq!(r[0].id, Some(3));
    assert_eq!((r[1].arrival, r[1].prompt, r[1].output), (0.5, 100, 5));
    let pairs = [
        Row {
            id: None,
            arrival: 0.0,
            prompt: 1,
            output: 2,
        },
        Row {
            id: None,
            arrival: 0.0,
            prompt: 3,
            output: 4,
        },
    ];
    let a = poisson(&pairs, 50.0, 200.0, 9);
    assert_eq!(a, poisson(&pairs, 50.0, 200.0, 9));
    assert_ne!(a, poisson(&pairs, 50.0, 200.0, 10));
    // 10,000 expected arrivals: the count is within 4 standard deviations (400).
    assert!((a.len() as f64 - 10_000.0).abs() < 400.0, "{}", a.len());
    assert!(
        a.iter()
            .all(|r| (r.prompt, r.output) == (1, 2) || (r.prompt, r.output) == (3, 4))
    );
    let ones = a.iter().filter(|r| r.prompt == 1).count() as f64 / a.len() as f64;
    assert!((ones - 0.5).abs() < 0.04, "{ones}");
}

/// Agreement with splitwise-sim (Mutinifni/splitwise-sim @ 8f99e7d, unmodified) in
/// splitwise-compat mode: tests/fixtures/serving/synthetic-trace.csv (400 requests,
/// seeded Poisson at 12/s, prompt and output sizes uniform) was run there for the five
/// configurations of scenarios/llm-serving.yaml; splitwise-sim-results.csv holds its
/// per-request TTFT, E2E and instances. Every request must finish on the same
/// instances with the same times (to a microsecond: hetsim rounds durations to ns).
#[test]
#[ignore = "needs ../shared/data"]
fn agrees_with_splitwise_sim_request_by_request() {
    let root = env!("CARGO_MANIFEST_DIR");
    let trace = format!("{root}/tests/fixtures/serving/synthetic-trace.csv");
    let want = std::fs::read_to_string(format!(
        "{root}/tests/fixtures/serving/splitwise-sim-results.csv"
    ))
    .unwrap();
    for config in [
        "baseline-a100",
        "baseline-h100",
        "splitwise-aa",
        "splitwise-hh",
        "splitwise-ha",
    ] {
        let sets: Vec<String> = [
            format!("serving.config={config}"),
            "serving.requests.format=splitwise".into(),
            format!("serving.requests.file={trace}"),
            "serving.requests.rate=null".into(),
            "serving.requests.until=null".into(),
        ]
        .into();
        let l = hetsim::scenario::load(
            std::path::Path::new(&format!("{root}/scenarios/llm-serving.yaml")),
            &sets,
        )
        .unwrap();
        let spec = hetsim::scenario::serving_spec(&l).unwrap().unwrap();
        let o = simulate(&spec);
        let by_id: std::collections::HashMap<u64, &hetsim::serving::sim::RequestRecord> =
            o.requests.iter().map(|r| (r.id, r)).collect();
        // splitwise-sim numbers instances per machine type in server order (A100
        // servers first); the scenario declares prompt instances first.
        let inst = |runner: &str| -> u32 {
            let n: u32 = runner.rsplit('_').next().unwrap().parse().unwrap();
            if config == "splitwise-ha" {
                (n + 2) % 4
            } else {
                n
            }
        };
        let mut n = 0;
        for line in want
            .lines()
            .skip(1)
            .filter(|l| l.starts_with(&format!("{config},")))
        {
            let f: Vec<&str> = line.split(',').collect();
            let r = by_id[&f[1].parse::<u64>().unwrap()];
            let ttft = r.prefill_end.unwrap() - r.arrival;
            let e2e = r.done.unwrap() - r.arrival;
            assert!(
                (ttft - f[2].parse::<f64>().unwrap()).abs() < 1e-6,
                "{config} {line}: ttft {ttft}"
            );
            assert!(
                (e2e - f[3].parse::<f64>().unwrap()).abs() < 1e-6,
                "{config} {line}: e2e {e2e}"
            );
            assert_eq!(
                (r.prompt_instance, r.token_instance),
                (inst(f[4]), inst(f[5])),
                "{config} {line}"
            );
            n += 1;
        }
        assert_eq!(n, 400, "{config}: every request finished in both");
        assert!(o.requests.iter().all(|r| r.done.is_some()));
    }
}

/// Shared link and overlap, by hand (10^6 B of KV per token):
/// - At 0.5 x 10^9 B/s, A and B (P 100, T 2) both at 0: A prefills 0 to 0.1 (B waits
///   for the running prefill), transfers 0.1 to 0.3 and decodes 0.3 to 0.32; B
///   prefills 0.1 to 0.2. Own links: B transfers 0.2 to 0.4 and decodes 0.4 to 0.42.
///   Shared link: B's transfer waits for A's, 0.3 to 0.5, and decodes 0.5 to 0.52.
/// - Overlap with 10 layers at 10^9 B/s, A alone: the 0.1 s transfer hides behind the
///   0.1 s prefill but for one layer's share, 0.01 s: 0.1 to 0.11, decode to 0.13.
#[test]
fn shared_link_and_overlap_by_hand() {
    let pools = Scheduler::Pools {
        pick: Pick::FewestTokens,
    };
    let roles = [Role::Prompt, Role::Token];
    let two = [(0.0, 100, 2), (0.0, 100, 2)];
    let tr = |o: &ServingOutcome, i: usize| o.requests[i].transfer.unwrap();
    let mut s = spec(pools, &roles, &two, 1_000_000);
    s.transfer.bandwidth = vec![vec![0.5e9]];
    let o = simulate(&s);
    close(tr(&o, 0).1, 0.3);
    close(tr(&o, 1).0, 0.2);
    close(tr(&o, 1).1, 0.4);
    close(o.requests[0].done.unwrap(), 0.32);
    close(o.requests[1].done.unwrap(), 0.42);
    s.transfer.shared_link = true;
    let o = simulate(&s);
    close(tr(&o, 0).1, 0.3);
    close(tr(&o, 1).0, 0.3);
    close(tr(&o, 1).1, 0.5);
    close(o.requests[0].done.unwrap(), 0.32);
    close(o.requests[1].done.unwrap(), 0.52);
    assert_eq!(o.final_memory, vec![1000, 1000]);
    let mut s = spec(pools, &roles, &[(0.0, 100, 2)], 1_000_000);
    s.transfer.overlap_layers = Some(10);
    let o = simulate(&s);
    close(tr(&o, 0).0, 0.1);
    close(tr(&o, 0).1, 0.11);
    close(o.requests[0].done.unwrap(), 0.13);
}

pub(crate) fn tiny() -> String {
    format!(
        "{}/tests/fixtures/serving/tiny.yaml",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The tiny fixture scenario (made-up profiles, three requests) runs end to end:
/// every file and chart, every summary key registered, and byte-identical files when
/// run twice.
#[test]
fn tiny_scenario_writes_a_complete_run_folder() {
    let dir = tempfile::tempdir().unwrap();
    let mut texts = Vec::new();
    for name in ["a", "b"] {
        let out = dir.path().join(name);
        crate::common::run_into(&tiny(), &out);
        for f in [
            "charts/ttft_cdf.svg",
            "charts/tbt_cdf.svg",
            "charts/tokens_per_s.svg",
            "charts/serving_power.svg",
        ] {
            assert!(out.join(f).exists(), "{f}");
        }
        texts.push(
            ["requests.csv", "series.csv", "summary.json"]
                .map(|f| std::fs::read_to_string(out.join(f)).unwrap()),
        );
    }
    assert_eq!(texts[0], texts[1], "same scenario, same files");
    // `hetsim plot` redraws the charts from the files: the same bytes.
    let out = dir.path().join("a");
    crate::common::plot_redraws_the_same(&out, "charts/ttft_cdf.svg");
    assert!(out.join("charts/serving_power.png").exists());
    let s: serde_json::Value = serde_json::from_str(&texts[0][2]).unwrap();
    assert_eq!(s["requests_completed"], 3);
    assert_eq!(s["kv_transfers"], 3);
    for k in s.as_object().unwrap().keys() {
        assert!(
            hetsim::report::metric::is_registered(k),
            "summary key {k} is not registered in report::metric"
        );
    }
}

/// Bad `serving:` input: exit code 2 and one error naming the file, line and field
/// (or the data file, line and column).
#[test]
fn bad_serving_input_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let bad_trace = dir.path().join("trace.csv");
    std::fs::write(
        &bad_trace,
        "request_id,request_type,application_id,arrival_timestamp,batch_size,prompt_size,token_size\n0,2,0,0.0,1,100,3\n1,2,0,0.1,1,lots,3\n",
    )
    .unwrap();
    let bad_perf = dir.path().join("perf.csv");
    std::fs::write(
        &bad_perf,
        "model,hardware,prompt_size,batch_size,token_size,peak_power,average_power,prompt_time,token_time,tensor_parallel\ntiny,gpu-a,100,1,10,0.8,0.5,-3,20,2\n",
    )
    .unwrap();
    let cases: Vec<(String, Vec<String>)> = vec![
        (
            "serving.config=nope".into(),
            vec![
                "tiny.yaml:13:".into(),
                "serving.config".into(),
                "no configuration `nope`".into(),
            ],
        ),
        (
            "serving.configs.split.scheduler.name=fifo".into(),
            vec![
                "tiny.yaml:20:".into(),
                "serving.configs.split.scheduler.name".into(),
                "unknown scheduler".into(),
            ],
        ),
        (
            "serving.hardware.b.prefill_power=null".into(),
            vec![
                "tiny.yaml:12:".into(),
                "serving.hardware.b.prefill_power".into(),
                "no power measurements".into(),
            ],
        ),
        (
            "serving.model.kv_bytes_per_token=0".into(),
            vec![
                "tiny.yaml:9:".into(),
                "serving.model.kv_bytes_per_token".into(),
                "must be positive".into(),
            ],
        ),
        (
            "serving.batching={mode: sarathi}".into(),
            vec!["serving.batching.mode".into(), "unknown mode".into()],
        ),
        (
            "serving.batching={chunk_size: 256}".into(),
            vec!["serving.batching.chunk_size".into(), "only for mode".into()],
        ),
        (
            "serving.hardware.a.bogus=1".into(),
            vec!["serving.hardware.a".into(), "bogus".into()],
        ),
        (
            "serving.requests.file=nowhere.csv".into(),
            vec!["nowhere.csv".into()],
        ),
        (
            format!("serving.requests.file={}", bad_trace.display()),
            vec!["trace.csv:3".into(), "prompt_size".into(), "`lots`".into()],
        ),
        (
            format!("serving.perf_model={}", bad_perf.display()),
            vec!["perf.csv:2".into(), "prompt_time".into()],
        ),
    ];
    for (set, want) in cases {
        let out = assert_cmd::Command::cargo_bin("hetsim")
            .unwrap()
            .args(["run", &tiny(), "--set", &set, "--out"])
            .arg(dir.path().join("never"))
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert_eq!(err.matches("error:").count(), 1, "{set}: {err}");
        for w in want {
            assert!(err.contains(&w), "{set}: `{w}` not in {err}");
        }
        assert!(!dir.path().join("never").exists());
    }
}
