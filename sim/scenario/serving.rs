//! The `serving:` section: an LLM serving scenario (see [`crate::serving`]). Parsed
//! strictly like the rest of the file; [`load`] checks it against the datacenter's
//! classes, reads the profile and request files, and builds the [`crate::serving::ServingSpec`].

use super::InputError;
use crate::model::{FieldError, Scenario};
use crate::serving::perf::{self, RowError};
use crate::serving::{self, trace};
use crate::units::{Bytes, NonNeg, Seconds, Watts};
use indexmap::IndexMap;
use serde::Deserialize;
use std::path::Path;

/// `serving:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServing {
    /// Performance-model CSV (Splitwise's format), relative to the scenario file.
    pub perf_model: String,
    /// The model served.
    pub model: RawModel,
    /// Per device class used: its profile and power.
    pub hardware: IndexMap<String, RawHardware>,
    /// Which entry of `configs` runs.
    pub config: String,
    /// Named cluster configurations.
    pub configs: IndexMap<String, RawConfig>,
    /// Batching limits (splitwise-compat).
    pub batching: Option<RawBatching>,
    /// KV transfers.
    pub transfer: Option<RawTransfer>,
    /// The request stream.
    pub requests: RawRequests,
    /// Splitwise's slowdown SLOs.
    pub slo: Option<RawSlo>,
    /// Bin width of series.csv (default 1 s).
    pub series_interval: Option<Seconds>,
}

/// `serving.model`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    /// Name in the profile file (`llama2-70b`).
    pub name: String,
    /// Weights per instance (`135e9`, `"135GB"`).
    pub weights: Bytes,
    /// Hidden size.
    pub hidden_size: Option<u64>,
    /// Layers.
    pub layers: Option<u64>,
    /// Bytes per value (default 2).
    pub bytes_per_value: Option<u64>,
    /// KV bytes per token, instead of 2 x hidden x layers x bytes (e.g. for
    /// grouped-query attention).
    pub kv_bytes_per_token: Option<u64>,
}

/// `serving.hardware.<class>`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHardware {
    /// Hardware name in the profile file (`a100-80gb`).
    pub profile: String,
    /// Thermal design power per device: the profile's power fractions multiply it.
    pub tdp: Option<Watts>,
    /// Power per device with no iteration running (default: the class's idle power).
    pub idle_power: Option<Watts>,
    /// Power per device in prefill or mixed iterations (default: TDP x the profile's
    /// median peak power).
    pub prefill_power: Option<Watts>,
    /// Power per device in decode iterations (default: TDP x the profile's median
    /// average power).
    pub decode_power: Option<Watts>,
}

/// One configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Instance groups.
    pub instances: Vec<RawInstances>,
    /// Scheduler.
    pub scheduler: RawScheduler,
}

/// A group of identical instances.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInstances {
    /// Device class.
    pub class: String,
    /// Devices per instance (tensor parallelism; default 8).
    pub devices: Option<u32>,
    /// Instances (default: as many as the class's devices allow).
    pub count: Option<u32>,
    /// `both` (default), `prompt` or `token`.
    pub role: Option<String>,
}

/// `scheduler:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScheduler {
    /// `token-jsq`, `pools` or `mixed-pool`.
    pub name: String,
    /// For `pools`: `round-robin`, `jsq` or `tokens` (default).
    pub pick: Option<String>,
    /// For `mixed-pool`: most pending tokens of a prompt instance (default 8192).
    pub prompt_threshold: Option<u64>,
}

/// `batching:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBatching {
    /// `splitwise-compat` (default) or `chunked` (chunked prefill).
    pub mode: Option<String>,
    /// Prefill tokens per iteration in `chunked` mode (default 512).
    pub chunk_size: Option<u32>,
    /// Default 512.
    pub max_batch_size: Option<u32>,
    /// Default 2048.
    pub max_batch_tokens: Option<u64>,
    /// Default 4.
    pub max_preemptions: Option<u32>,
}

/// `transfer:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTransfer {
    /// Default bandwidth between instances, GiB/s (default 200).
    pub bandwidth: Option<NonNeg>,
    /// Per pair of classes, `from`, `to`, `bandwidth` (GiB/s).
    #[serde(default)]
    pub pairs: Vec<RawPair>,
    /// Wait before a transfer that did not fit tries again (default 1 s).
    pub retry: Option<Seconds>,
    /// Transfers between the same two instances take turns on one link (default
    /// false: a link per request, no contention).
    pub shared_link: Option<bool>,
    /// Layer-wise transfer overlapped with the prefill (needs `model.layers`): only
    /// max(transfer - prefill time, transfer / layers) is left after the prefill
    /// (default false).
    pub overlap: Option<bool>,
}

/// One class pair's bandwidth.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPair {
    /// Source class.
    pub from: String,
    /// Destination class.
    pub to: String,
    /// GiB/s.
    pub bandwidth: NonNeg,
}

/// `requests:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequests {
    /// `azure` (replayed by timestamp), `splitwise` (its trace CSV) or `poisson`
    /// (pairs drawn from the `azure` file).
    pub format: String,
    /// The file, relative to the scenario file.
    pub file: String,
    /// Keep requests arriving before this time (azure, splitwise); the stream's length
    /// (poisson, required).
    pub until: Option<Seconds>,
    /// Poisson rate, requests/s.
    pub rate: Option<NonNeg>,
    /// Poisson seed (default: the scenario's seed).
    pub seed: Option<u64>,
}

/// `slo:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlo {
    /// Reference hardware profile name (`a100-80gb`).
    pub reference: String,
    /// Reference tensor parallelism (default 8).
    pub devices: Option<u32>,
    /// TTFT slowdown limits at p50, p90, p99 (default 2, 3, 6).
    pub ttft: Option<[f64; 3]>,
    /// TBT limits (default 1.25, 1.5, 5).
    pub tbt: Option<[f64; 3]>,
    /// E2E limits (default 1.25, 1.5, 5).
    pub e2e: Option<[f64; 3]>,
    /// Absolute TTFT p99 limit.
    pub ttft_p99: Option<Seconds>,
    /// Absolute TBT p99 limit.
    pub tbt_p99: Option<Seconds>,
    /// Absolute E2E p99 limit.
    pub e2e_p99: Option<Seconds>,
}

fn fe(path: impl Into<String>, msg: impl Into<String>) -> FieldError {
    FieldError::new(path, msg)
}

fn row_error(file: &Path, e: RowError) -> InputError {
    InputError {
        file: file.into(),
        line: Some(e.line as u64),
        column: None,
        path: e.field,
        message: e.message,
        hint: None,
    }
}

/// Checks `serving:` against the scenario, reads its files and builds the spec.
/// `path` and `text` are the scenario file's, for locating errors.
pub fn load(
    raw: RawServing,
    sc: &Scenario,
    path: &Path,
    text: &str,
) -> Result<serving::ServingSpec, InputError> {
    let base = path.parent().unwrap_or(Path::new("."));
    let loc = |e: FieldError| e.located(path, text);
    let perf_path = base.join(&raw.perf_model);
    let perf_text = super::read_text(&perf_path)?;
    let prows = perf::parse_rows(&perf_text).map_err(|e| row_error(&perf_path, e))?;
    let m = &raw.model;
    let kv = match m.kv_bytes_per_token {
        Some(v) if v > 0 => v,
        Some(_) => {
            return Err(loc(fe(
                "serving.model.kv_bytes_per_token",
                "must be positive",
            )));
        }
        None => match (m.hidden_size, m.layers) {
            (Some(h), Some(l)) if h > 0 && l > 0 => 2 * h * l * m.bytes_per_value.unwrap_or(2),
            _ => {
                return Err(loc(fe(
                    "serving.model",
                    "give hidden_size and layers, or kv_bytes_per_token",
                )));
            }
        },
    };
    let cfg = raw.configs.get(&raw.config).ok_or_else(|| {
        loc(fe(
            "serving.config",
            format!("no configuration `{}`", raw.config),
        )
        .with_hint(format!(
            "configs: {}",
            raw.configs.keys().cloned().collect::<Vec<_>>().join(", ")
        )))
    })?;
    // Hardware of the classes named under `hardware`.
    let mut hardware = Vec::new();
    let mut hw_names = Vec::new();
    for (cname, h) in &raw.hardware {
        let p = format!("serving.hardware.{cname}");
        let class = sc
            .classes
            .iter()
            .find(|c| &c.name == cname)
            .ok_or_else(|| {
                loc(fe(
                    &p,
                    format!("no device class `{cname}` under datacenter.classes"),
                ))
            })?;
        // Tensor parallelism: that of the configuration's instances of this class,
        // else the smallest the profile has.
        let tp = cfg
            .instances
            .iter()
            .find(|g| &g.class == cname)
            .map(|g| g.devices.unwrap_or(8))
            .or_else(|| {
                prows
                    .iter()
                    .filter(|r| r.model == m.name && r.hardware == h.profile)
                    .map(|r| r.tensor_parallel)
                    .min()
            })
            .unwrap_or(8);
        hardware.push(build_hw(&prows, m, h, class, &p, tp).map_err(loc)?);
        hw_names.push(cname.clone());
    }
    // Instances.
    let mut instances = Vec::new();
    let mut used = vec![0u64; sc.classes.len()];
    let cpath = format!("serving.configs.{}", raw.config);
    for (gi, g) in cfg.instances.iter().enumerate() {
        let p = format!("{cpath}.instances[{gi}]");
        let hw = hw_names.iter().position(|n| n == &g.class).ok_or_else(|| {
            loc(fe(
                format!("{p}.class"),
                format!("class `{}` has no entry under serving.hardware", g.class),
            ))
        })?;
        let ci = sc
            .classes
            .iter()
            .position(|c| c.name == g.class)
            .expect("checked");
        let devices = g.devices.unwrap_or(8);
        if devices == 0 {
            return Err(loc(fe(format!("{p}.devices"), "must be at least 1")));
        }
        // One profile per class: every instance of a class has the same gang size.
        if let Some(first) = cfg.instances.iter().find(|x| x.class == g.class)
            && first.devices.unwrap_or(8) != devices
        {
            return Err(loc(fe(
                format!("{p}.devices"),
                format!(
                    "instances of class `{}` must all have the same number of devices",
                    g.class
                ),
            )));
        }
        let free = sc.classes[ci].count as u64 - used[ci];
        let count = match g.count {
            Some(c) => c as u64,
            None => free / devices as u64,
        };
        if count * devices as u64 > free {
            return Err(loc(fe(
                format!("{p}.count"),
                format!(
                    "{count} instances of {devices} devices need {} devices; class `{}` has {free} left",
                    count * devices as u64,
                    g.class
                ),
            )));
        }
        used[ci] += count * devices as u64;
        let role = match g.role.as_deref().unwrap_or("both") {
            "both" => serving::Role::Both,
            "prompt" => serving::Role::Prompt,
            "token" => serving::Role::Token,
            o => {
                return Err(loc(fe(format!("{p}.role"), format!("unknown role `{o}`"))
                    .with_hint("both, prompt or token")));
            }
        };
        for _ in 0..count {
            instances.push(serving::InstanceSpec { hw, devices, role });
        }
        let need = raw.model.weights.0 as u64;
        if need >= hardware[hw].memory * devices as u64 {
            return Err(loc(fe(
                format!("{p}.devices"),
                "the model's weights do not fit in the instance's memory",
            )));
        }
    }
    if instances.is_empty() {
        return Err(loc(fe(format!("{cpath}.instances"), "no instances")));
    }
    // Scheduler.
    let s = &cfg.scheduler;
    let sp = format!("{cpath}.scheduler");
    let has = |r| instances.iter().any(|i| i.role == r);
    let scheduler = match s.name.as_str() {
        "token-jsq" => serving::Scheduler::TokenJsq,
        "pools" => {
            let pick = match s.pick.as_deref().unwrap_or("tokens") {
                "round-robin" => serving::Pick::RoundRobin,
                "jsq" => serving::Pick::ShortestQueue,
                "tokens" => serving::Pick::FewestTokens,
                o => {
                    return Err(loc(fe(format!("{sp}.pick"), format!("unknown rule `{o}`"))
                        .with_hint("round-robin, jsq or tokens")));
                }
            };
            if !has(serving::Role::Prompt) || !has(serving::Role::Token) {
                return Err(loc(fe(
                    format!("{cpath}.instances"),
                    "`pools` needs prompt and token instances",
                )));
            }
            serving::Scheduler::Pools { pick }
        }
        "mixed-pool" => {
            if !has(serving::Role::Prompt) || !has(serving::Role::Token) {
                return Err(loc(fe(
                    format!("{cpath}.instances"),
                    "`mixed-pool` needs prompt and token instances",
                )));
            }
            serving::Scheduler::MixedPool {
                prompt_threshold: s.prompt_threshold.unwrap_or(8192),
            }
        }
        o => {
            return Err(loc(fe(
                format!("{sp}.name"),
                format!("unknown scheduler `{o}`"),
            )
            .with_hint("token-jsq, pools or mixed-pool")));
        }
    };
    if !matches!(scheduler, serving::Scheduler::TokenJsq)
        && instances.iter().any(|i| i.role == serving::Role::Both)
    {
        return Err(loc(fe(
            format!("{cpath}.instances"),
            "pool schedulers need every instance to be `prompt` or `token`",
        )));
    }
    if matches!(scheduler, serving::Scheduler::TokenJsq)
        && instances.iter().any(|i| i.role != serving::Role::Both)
    {
        return Err(loc(fe(
            format!("{sp}.name"),
            "token-jsq runs both phases on every instance: give instances role `both`",
        )));
    }
    // Batching.
    let mut batching = serving::Batching::default();
    if let Some(b) = &raw.batching {
        match b.mode.as_deref() {
            None | Some("splitwise-compat") => {
                if b.chunk_size.is_some() {
                    return Err(loc(fe(
                        "serving.batching.chunk_size",
                        "only for mode `chunked`",
                    )));
                }
            }
            Some("chunked") => {
                let c = b.chunk_size.unwrap_or(512);
                if c == 0 {
                    return Err(loc(fe("serving.batching.chunk_size", "must be at least 1")));
                }
                batching.chunk = Some(c);
            }
            Some(mode) => {
                return Err(loc(fe(
                    "serving.batching.mode",
                    format!("unknown mode `{mode}`"),
                )
                .with_hint("splitwise-compat or chunked")));
            }
        }
        batching.max_batch_size = b.max_batch_size.unwrap_or(batching.max_batch_size);
        batching.max_batch_tokens = b.max_batch_tokens.unwrap_or(batching.max_batch_tokens);
        batching.max_preemptions = b.max_preemptions.unwrap_or(batching.max_preemptions);
        if batching.max_batch_size == 0 {
            return Err(loc(fe(
                "serving.batching.max_batch_size",
                "must be at least 1",
            )));
        }
    }
    // Transfers.
    let gib = (1u64 << 30) as f64;
    let t = raw.transfer.as_ref();
    let default_bw = t.and_then(|t| t.bandwidth).map_or(200.0, |b| b.0);
    if default_bw <= 0.0 {
        return Err(loc(fe("serving.transfer.bandwidth", "must be positive")));
    }
    let n = hardware.len();
    let mut bw = vec![vec![default_bw * gib; n]; n];
    for (i, pr) in t
        .map(|t| t.pairs.as_slice())
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let p = format!("serving.transfer.pairs[{i}]");
        let a = hw_names.iter().position(|x| x == &pr.from).ok_or_else(|| {
            loc(fe(
                format!("{p}.from"),
                format!("no hardware `{}`", pr.from),
            ))
        })?;
        let b = hw_names
            .iter()
            .position(|x| x == &pr.to)
            .ok_or_else(|| loc(fe(format!("{p}.to"), format!("no hardware `{}`", pr.to))))?;
        if pr.bandwidth.0 <= 0.0 {
            return Err(loc(fe(format!("{p}.bandwidth"), "must be positive")));
        }
        bw[a][b] = pr.bandwidth.0 * gib;
    }
    let retry = t.and_then(|t| t.retry).map_or(1.0, |s| s.0);
    if retry <= 0.0 {
        return Err(loc(fe("serving.transfer.retry", "must be positive")));
    }
    let overlap_layers = match (t.and_then(|t| t.overlap).unwrap_or(false), m.layers) {
        (false, _) => None,
        (true, Some(l)) if l > 0 => Some(l as u32),
        (true, _) => {
            return Err(loc(fe(
                "serving.transfer.overlap",
                "overlap needs `serving.model.layers`",
            )));
        }
    };
    // Requests.
    let r = &raw.requests;
    let rpath = base.join(&r.file);
    let rtext = super::read_text(&rpath)?;
    let mut rows = match r.format.as_str() {
        "azure" | "poisson" => trace::parse_azure(&rtext),
        "splitwise" => trace::parse_splitwise(&rtext),
        o => {
            return Err(loc(fe(
                "serving.requests.format",
                format!("unknown format `{o}`"),
            )
            .with_hint("azure, splitwise or poisson")));
        }
    }
    .map_err(|e| row_error(&rpath, e))?;
    if r.format == "poisson" {
        let rate = r
            .rate
            .ok_or_else(|| {
                loc(fe(
                    "serving.requests.rate",
                    "poisson needs `rate` (requests/s)",
                ))
            })?
            .0;
        let until = r
            .until
            .ok_or_else(|| {
                loc(fe(
                    "serving.requests.until",
                    "poisson needs `until` (the stream's length)",
                ))
            })?
            .0;
        if rate <= 0.0 {
            return Err(loc(fe("serving.requests.rate", "must be positive")));
        }
        if rate * until > 1e7 {
            return Err(loc(fe("serving.requests", "more than 10 million requests")));
        }
        rows = trace::poisson(&rows, rate, until, r.seed.unwrap_or(sc.seed));
    } else {
        if r.rate.is_some() {
            return Err(loc(fe("serving.requests.rate", "only for format poisson")));
        }
        if let Some(u) = r.until {
            rows.retain(|x| x.arrival < u.0);
        }
    }
    if rows.is_empty() {
        return Err(loc(fe("serving.requests", "no requests")));
    }
    let requests = rows
        .iter()
        .enumerate()
        .map(|(i, x)| serving::Request {
            id: x.id.unwrap_or(i as u64),
            arrival: crate::engine::secs(x.arrival),
            prompt: x.prompt,
            output: x.output,
        })
        .collect();
    // SLO.
    let slo = match &raw.slo {
        None => None,
        Some(s) => {
            let tp = s.devices.unwrap_or(8);
            let reference = perf::profile(&prows, &m.name, &s.reference, tp).ok_or_else(|| {
                loc(fe(
                    "serving.slo.reference",
                    format!(
                        "no profile rows for {} on {} with tensor parallelism {tp}",
                        m.name, s.reference
                    ),
                ))
            })?;
            Some(serving::Slo {
                reference,
                ttft: s.ttft.unwrap_or([2.0, 3.0, 6.0]),
                tbt: s.tbt.unwrap_or([1.25, 1.5, 5.0]),
                e2e: s.e2e.unwrap_or([1.25, 1.5, 5.0]),
                absolute: [
                    s.ttft_p99.map(|x| x.0),
                    s.tbt_p99.map(|x| x.0),
                    s.e2e_p99.map(|x| x.0),
                ],
            })
        }
    };
    let series_interval = raw.series_interval.map_or(1.0, |s| s.0);
    if series_interval <= 0.0 {
        return Err(loc(fe("serving.series_interval", "must be positive")));
    }
    let spec = serving::ServingSpec {
        config: raw.config.clone(),
        kv_bytes_per_token: kv,
        weights: raw.model.weights.0 as u64,
        hardware,
        instances,
        scheduler,
        batching,
        transfer: serving::Transfer {
            bandwidth: bw,
            retry,
            shared_link: t.and_then(|t| t.shared_link).unwrap_or(false),
            overlap_layers,
        },
        requests,
        slo,
        pue: sc.facility.pue,
        series_interval,
    };
    if serving::mixed::is_mixed(sc) {
        serving::mixed::check(sc, &spec).map_err(loc)?;
    }
    Ok(spec)
}

/// A class's hardware entry for tensor parallelism `tp`.
fn build_hw(
    rows: &[perf::ProfileRow],
    m: &RawModel,
    h: &RawHardware,
    class: &crate::model::DeviceClass,
    p: &str,
    tp: u32,
) -> Result<serving::Hardware, FieldError> {
    let prof = perf::profile(rows, &m.name, &h.profile, tp).ok_or_else(|| {
        fe(
            format!("{p}.profile"),
            format!(
                "no profile rows for model {} on {} with tensor parallelism {tp}",
                m.name, h.profile
            ),
        )
    })?;
    let from_table = |frac: Option<f64>, field: &str| -> Result<f64, FieldError> {
        match (frac, h.tdp) {
            (Some(f), Some(tdp)) => Ok(f * tdp.0),
            (Some(_), None) => Err(fe(
                format!("{p}.tdp"),
                format!("give `tdp` (the profile's power is a fraction of it) or `{field}`"),
            )),
            (None, _) => Err(fe(
                format!("{p}.{field}"),
                format!(
                    "the profile has no power measurements for {}: declare `{field}`",
                    h.profile
                ),
            )),
        }
    };
    let prefill = match h.prefill_power {
        Some(w) => w.0,
        None => from_table(prof.peak_power, "prefill_power")?,
    };
    let decode = match h.decode_power {
        Some(w) => w.0,
        None => from_table(prof.average_power, "decode_power")?,
    };
    let memory = class.memory;
    if memory <= 0.0 {
        return Err(fe(
            format!("datacenter.classes.{}.memory", class.name),
            "serving needs the class's device memory",
        ));
    }
    Ok(serving::Hardware {
        class: class.name.clone(),
        perf: prof,
        power: serving::PhasePower {
            idle: h.idle_power.map_or(class.idle_w, |w| w.0),
            prefill,
            decode,
        },
        memory: memory as u64,
    })
}

/// The checked `serving:` section of a loaded scenario, if it has one (the scenario
/// is then run by [`crate::serving`]). A scenario loaded without one
/// (`scenario.serving` false) gives `None` without parsing its text again: a long job
/// list is read once.
pub fn serving_spec(l: &super::Loaded) -> Result<Option<crate::serving::ServingSpec>, InputError> {
    if !l.scenario.serving {
        return Ok(None);
    }
    let format = super::Format::from_path(&l.path).unwrap_or(super::Format::Yaml);
    let mut raw = super::parse_with_overrides(&l.text, format, &l.path, &l.overrides)?;
    match raw.serving.take() {
        Some(r) => Ok(Some(load(r, &l.scenario, &l.path, &l.text)?)),
        None => Ok(None),
    }
}
