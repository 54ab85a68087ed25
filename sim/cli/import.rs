//! `hetsim import FORMAT FILE`: a job trace to a scenario-ready file.

use crate::{import, trace};
use clap::Args;
use std::path::PathBuf;

// The arguments of `hetsim import` (its help is on `Command::Import`).
#[allow(missing_docs)]
#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Trace format: swf, alibaba, azure-llm, gavel, csv.
    #[arg(value_parser = |s: &str| s.parse::<crate::trace::Format>())]
    pub format: crate::trace::Format,
    /// Trace file.
    pub file: PathBuf,
    /// Output file: .yaml/.yml/.json (a scenario) or .csv (a job list) [default: <trace name>.yaml].
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Skip and count malformed lines instead of failing on the first.
    #[arg(long)]
    pub skip_bad: bool,
    /// Give every job this kind.
    #[arg(long)]
    pub kind: Option<String>,
    /// Keep at most this many jobs (the first ones).
    #[arg(long)]
    pub limit: Option<u64>,
    /// alibaba: node list to use as the device inventory.
    #[arg(long)]
    pub nodes: Option<PathBuf>,
    /// gavel: throughput matrix (simulation_throughputs.json) to use for speeds.
    #[arg(long)]
    pub throughputs: Option<PathBuf>,
    /// azure-llm: combined (one job per request) or split (prefill, then decode).
    #[arg(long, default_value = "combined", value_parser = ["combined", "split"])]
    pub mode: String,
    /// azure-llm combined: cost of a generated token in prompt tokens.
    #[arg(long, default_value_t = crate::trace::azure::DEFAULT_DECODE_WEIGHT)]
    pub decode_weight: f64,
    /// alibaba: treat shared GPUs as whole GPUs (default: scale work by the share).
    #[arg(long)]
    pub whole_gpus: bool,
    /// swf: which processor count a job asks for: requested (field 8, else 5) or
    /// allocated (field 5, else 8).
    #[arg(long, default_value = "requested", value_parser = ["requested", "allocated"])]
    pub procs: String,
}

/// Runs `hetsim import`. Every failure is the trace's (exit code 2).
pub fn main(a: ImportArgs) -> anyhow::Result<()> {
    let out = a.out.unwrap_or_else(|| import::default_out(&a.file));
    let opts = import::ImportOptions {
        format: a.format,
        file: a.file.clone(),
        out,
        read: trace::Options {
            skip_bad: a.skip_bad,
            procs: if a.procs == "allocated" {
                trace::SwfProcs::Allocated
            } else {
                trace::SwfProcs::Requested
            },
            mode: if a.mode == "split" {
                trace::LlmMode::Split
            } else {
                trace::LlmMode::Combined
            },
            decode_weight: a.decode_weight,
            gpu_share: if a.whole_gpus {
                trace::GpuShare::Whole
            } else {
                trace::GpuShare::Scaled
            },
        },
        kind: a.kind,
        nodes: a.nodes,
        throughputs: a.throughputs,
        limit: a.limit,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let rep = import::import(&opts)?;
    println!("{}", rep.account);
    println!(
        "wrote {} ({} jobs, kinds: {})",
        rep.out.display(),
        rep.jobs,
        rep.kinds.join(", ")
    );
    Ok(())
}
