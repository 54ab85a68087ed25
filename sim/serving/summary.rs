//! The serving summary: latency percentiles, throughput, energy per token and SLO
//! verdicts, from the per-request records.

use super::sim::{RequestRecord, ServingOutcome};
use super::{ServingSpec, Slo};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// Quantile `q` of sorted values, linear between order statistics (numpy's default,
/// as splitwise-sim's summaries use); `None` when empty.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64))
}

/// Mean and the percentiles every latency is summarised by.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq)]
pub struct Stats {
    /// Mean.
    pub mean: Option<f64>,
    /// Median.
    pub p50: Option<f64>,
    /// 90th percentile.
    pub p90: Option<f64>,
    /// 95th percentile.
    pub p95: Option<f64>,
    /// 99th percentile.
    pub p99: Option<f64>,
    /// 99.9th percentile.
    pub p999: Option<f64>,
}

impl Stats {
    /// Statistics of `v` (sorted in place).
    pub fn of(v: &mut [f64]) -> Stats {
        v.sort_by(|a, b| a.total_cmp(b));
        let q = |x| quantile(v, x);
        Stats {
            mean: (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64),
            p50: q(0.5),
            p90: q(0.9),
            p95: q(0.95),
            p99: q(0.99),
            p999: q(0.999),
        }
    }
}

/// A serving run's summary (summary.json). Times in seconds, energy in joules.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ServingSummary {
    /// Scenario name.
    pub scenario: String,
    /// Serving configuration.
    pub serving_config: String,
    /// Instances.
    pub instances: u64,
    /// Requests in the stream.
    pub requests_arrived: u64,
    /// Requests finished.
    pub requests_completed: u64,
    /// Last event, s.
    pub makespan_s: f64,
    /// Finished requests per second of makespan.
    pub requests_per_s: f64,
    /// Output tokens of finished requests per second of makespan.
    pub output_tokens_per_s: f64,
    /// Time to first token (prefill end - arrival).
    pub ttft_s: Stats,
    /// Time between tokens as Splitwise defines it: (E2E - TTFT) / T.
    pub tbt_s: Stats,
    /// (E2E - TTFT) / (T - 1), over requests with T > 1.
    pub tbt_decode_s: Stats,
    /// End to end.
    pub e2e_s: Stats,
    /// KV transfer time, over transferred requests.
    pub kv_transfer_s: Stats,
    /// Requests whose KV cache was transferred.
    pub kv_transfers: u64,
    /// Times a transfer waited for memory at its destination.
    pub kv_transfer_retries: u64,
    /// Sum of preemptions over requests.
    pub preemptions: u64,
    /// IT energy of the instances' devices over the makespan.
    pub energy_it_j: f64,
    /// IT energy x PUE.
    pub energy_facility_j: f64,
    /// Energy of iterations (shared among requests).
    pub energy_busy_j: f64,
    /// Energy of idle instances.
    pub energy_idle_j: f64,
    /// IT energy per output token of finished requests.
    pub energy_per_output_token_j: f64,
    /// Mean IT power over the makespan.
    pub power_mean_w: f64,
    /// Slowdown percentiles against the request alone on the reference hardware.
    pub slowdown_ttft: Stats,
    /// TBT slowdown.
    pub slowdown_tbt: Stats,
    /// E2E slowdown.
    pub slowdown_e2e: Stats,
    /// All of Splitwise's slowdown SLOs (and the absolute limits given) are met.
    pub slo_met: Option<bool>,
    /// The first SLO missed, if any.
    pub slo_missed: Option<String>,
}

/// TTFT, TBT (per T and per T-1) and E2E of a finished request, s.
pub fn latencies(r: &RequestRecord) -> Option<(f64, f64, Option<f64>, f64)> {
    let (pe, done) = (r.prefill_end?, r.done?);
    let ttft = pe - r.arrival;
    let e2e = done - r.arrival;
    let tbt = (e2e - ttft) / r.output as f64;
    let tbt1 = (r.output > 1).then(|| (e2e - ttft) / (r.output - 1) as f64);
    Some((ttft, tbt, tbt1, e2e))
}

/// Builds the summary.
pub fn summarize(scenario: &str, spec: &ServingSpec, o: &ServingOutcome) -> ServingSummary {
    let done: Vec<&RequestRecord> = o.requests.iter().filter(|r| r.done.is_some()).collect();
    let (mut ttft, mut tbt, mut tbt1, mut e2e) = (vec![], vec![], vec![], vec![]);
    let (mut s_ttft, mut s_tbt, mut s_e2e) = (vec![], vec![], vec![]);
    let mut out_tokens = 0u64;
    for r in &done {
        let (a, b, c, d) = latencies(r).expect("finished");
        ttft.push(a);
        tbt.push(b);
        if let Some(c) = c {
            tbt1.push(c);
        }
        e2e.push(d);
        out_tokens += r.output as u64;
        if let Some(slo) = &spec.slo {
            let p = slo.reference.prompt.at(r.prompt as f64);
            let t = slo.reference.token.at(1.0);
            let alone_e2e = p + (r.output - 1) as f64 * t;
            let alone_tbt = (alone_e2e - p) / r.output as f64;
            s_ttft.push(a / p);
            if alone_tbt > 0.0 {
                s_tbt.push(b / alone_tbt);
            }
            s_e2e.push(d / alone_e2e);
        }
    }
    let mut kv: Vec<f64> = o.requests.iter().filter_map(|r| r.transfer_s).collect();
    let busy: f64 = o.busy_j.iter().sum();
    let idle: f64 = o.idle_j.iter().sum();
    let it = busy + idle;
    let mk = o.end_s;
    let per = |x: f64| if mk > 0.0 { x / mk } else { 0.0 };
    let mut s = ServingSummary {
        scenario: scenario.to_string(),
        serving_config: spec.config.clone(),
        instances: spec.instances.len() as u64,
        requests_arrived: o.requests.len() as u64,
        requests_completed: done.len() as u64,
        makespan_s: mk,
        requests_per_s: per(done.len() as f64),
        output_tokens_per_s: per(out_tokens as f64),
        ttft_s: Stats::of(&mut ttft),
        tbt_s: Stats::of(&mut tbt),
        tbt_decode_s: Stats::of(&mut tbt1),
        e2e_s: Stats::of(&mut e2e),
        kv_transfers: kv.len() as u64,
        kv_transfer_s: Stats::of(&mut kv),
        kv_transfer_retries: o.transfer_retries,
        preemptions: o.requests.iter().map(|r| r.preemptions as u64).sum(),
        energy_it_j: it,
        energy_facility_j: it * spec.pue,
        energy_busy_j: busy,
        energy_idle_j: idle,
        energy_per_output_token_j: if out_tokens > 0 {
            it / out_tokens as f64
        } else {
            0.0
        },
        power_mean_w: per(it),
        slowdown_ttft: Stats::of(&mut s_ttft),
        slowdown_tbt: Stats::of(&mut s_tbt),
        slowdown_e2e: Stats::of(&mut s_e2e),
        slo_met: None,
        slo_missed: None,
    };
    if let Some(slo) = &spec.slo {
        let missed = verdict(slo, &s);
        s.slo_met = Some(missed.is_none() && s.requests_completed == s.requests_arrived);
        s.slo_missed = missed.or_else(|| {
            (s.requests_completed < s.requests_arrived).then(|| "unfinished requests".into())
        });
    }
    s
}

/// The first SLO the summary misses (a threshold is met when the percentile is below it).
fn verdict(slo: &Slo, s: &ServingSummary) -> Option<String> {
    let checks = [
        ("TTFT", &s.slowdown_ttft, slo.ttft),
        ("TBT", &s.slowdown_tbt, slo.tbt),
        ("E2E", &s.slowdown_e2e, slo.e2e),
    ];
    for (name, st, lim) in checks {
        for (q, v, l) in [
            ("p50", st.p50, lim[0]),
            ("p90", st.p90, lim[1]),
            ("p99", st.p99, lim[2]),
        ] {
            if v.is_none_or(|v| v >= l) {
                return Some(format!(
                    "{name} slowdown {q} {} >= {l}",
                    v.map_or("n/a".into(), |v| format!("{v:.2}"))
                ));
            }
        }
    }
    let abs = [
        ("TTFT", s.ttft_s.p99),
        ("TBT", s.tbt_s.p99),
        ("E2E", s.e2e_s.p99),
    ];
    for ((name, v), lim) in abs.into_iter().zip(slo.absolute) {
        if let Some(l) = lim
            && v.is_none_or(|v| v >= l)
        {
            return Some(format!("{name} p99 above {l} s"));
        }
    }
    None
}

fn stats(m: &mut Map<String, Value>, name: &str, unit: &str, s: &Stats) {
    for (q, v) in [
        ("mean", s.mean),
        ("p50", s.p50),
        ("p90", s.p90),
        ("p95", s.p95),
        ("p99", s.p99),
        ("p999", s.p999),
    ] {
        m.insert(format!("{name}_{q}{unit}"), json!(v));
    }
}

/// The summary as flat JSON keys, in order.
pub fn flat(s: &ServingSummary) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("scenario".into(), json!(s.scenario));
    m.insert("serving_config".into(), json!(s.serving_config));
    m.insert("instances".into(), json!(s.instances));
    m.insert("requests_arrived".into(), json!(s.requests_arrived));
    m.insert("requests_completed".into(), json!(s.requests_completed));
    m.insert("makespan_s".into(), json!(s.makespan_s));
    m.insert("requests_per_s".into(), json!(s.requests_per_s));
    m.insert("output_tokens_per_s".into(), json!(s.output_tokens_per_s));
    stats(&mut m, "ttft", "_s", &s.ttft_s);
    stats(&mut m, "tbt", "_s", &s.tbt_s);
    stats(&mut m, "tbt_decode", "_s", &s.tbt_decode_s);
    stats(&mut m, "e2e", "_s", &s.e2e_s);
    stats(&mut m, "kv_transfer", "_s", &s.kv_transfer_s);
    m.insert("kv_transfers".into(), json!(s.kv_transfers));
    m.insert("kv_transfer_retries".into(), json!(s.kv_transfer_retries));
    m.insert("preemptions".into(), json!(s.preemptions));
    m.insert("energy_it_j".into(), json!(s.energy_it_j));
    m.insert("energy_facility_j".into(), json!(s.energy_facility_j));
    m.insert("energy_busy_j".into(), json!(s.energy_busy_j));
    m.insert("energy_idle_j".into(), json!(s.energy_idle_j));
    m.insert(
        "energy_per_output_token_j".into(),
        json!(s.energy_per_output_token_j),
    );
    m.insert("power_mean_w".into(), json!(s.power_mean_w));
    stats(&mut m, "slowdown_ttft", "", &s.slowdown_ttft);
    stats(&mut m, "slowdown_tbt", "", &s.slowdown_tbt);
    stats(&mut m, "slowdown_e2e", "", &s.slowdown_e2e);
    m.insert("slo_met".into(), json!(s.slo_met));
    m.insert("slo_missed".into(), json!(s.slo_missed));
    m
}
