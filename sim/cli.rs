//! Command-line interface.

use crate::run::{RunOptions, run_to_folder};
use crate::scenario::{self, InputError};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// hetsim: simulate datacenters built from heterogeneous accelerators.
#[derive(Parser, Debug)]
#[command(name = "hetsim", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario and write its run folder.
    ///
    /// Example: hetsim run scenarios/manufacturing.yaml --policy eft --out reports/m-eft
    Run {
        /// Scenario file (.yaml, .yml or .json).
        file: PathBuf,
        /// Output folder [default: reports/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Override the scenario's policy (see `hetsim policies`).
        #[arg(long)]
        policy: Option<String>,
        /// Set a scenario field, PATH=VALUE (repeatable), e.g. --set datacenter.pue=1.2
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        /// Skip charts and the HTML report.
        #[arg(long)]
        no_charts: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the placement policies and their parameters.
    Policies,
    /// List the device catalog and PUE presets (use `device: NAME` in a class).
    Catalog,
    /// Import a job trace as a scenario-ready file (.yaml/.json scenario or .csv job list).
    ///
    /// Formats: swf (Parallel Workloads Archive, .swf or .swf.gz), alibaba (GPU cluster
    /// 2023 pod list), azure-llm (Azure LLM inference 2023), gavel (Philly-derived
    /// trace), csv (plain job list). Malformed lines stop the import with their line
    /// number unless --skip-bad is given.
    ///
    /// Example: hetsim import swf ../shared/data/swf/KTH-SP2-1996-2.1-cln.swf.gz -o kth.yaml
    Import {
        /// Trace format: swf, alibaba, azure-llm, gavel, csv.
        #[arg(value_parser = |s: &str| s.parse::<crate::trace::Format>())]
        format: crate::trace::Format,
        /// Trace file.
        file: PathBuf,
        /// Output file: .yaml/.yml/.json (a scenario) or .csv (a job list) [default: <trace name>.yaml].
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Skip and count malformed lines instead of failing on the first.
        #[arg(long)]
        skip_bad: bool,
        /// Give every job this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Keep at most this many jobs (the first ones).
        #[arg(long)]
        limit: Option<u64>,
        /// alibaba: node list to use as the device inventory.
        #[arg(long)]
        nodes: Option<PathBuf>,
        /// gavel: throughput matrix (simulation_throughputs.json) to use for speeds.
        #[arg(long)]
        throughputs: Option<PathBuf>,
        /// azure-llm: combined (one job per request) or split (prefill, then decode).
        #[arg(long, default_value = "combined", value_parser = ["combined", "split"])]
        mode: String,
        /// azure-llm combined: cost of a generated token in prompt tokens.
        #[arg(long, default_value_t = crate::trace::azure::DEFAULT_DECODE_WEIGHT)]
        decode_weight: f64,
        /// alibaba: treat shared GPUs as whole GPUs (default: scale work by the share).
        #[arg(long)]
        whole_gpus: bool,
    },
    /// Redraw the charts and index.html of an existing run folder from its files.
    ///
    /// Example: hetsim plot reports/manufacturing
    Plot {
        /// Run folder written by `hetsim run`.
        run_dir: PathBuf,
    },
    /// Compare runs: overlaid energy, power and response-time charts, and a metrics
    /// table with differences relative to the first run.
    ///
    /// Example: hetsim compare reports/m-fcfs reports/m-eft --out reports/m-compare
    Compare {
        /// Run folders written by `hetsim run`; the first is the baseline.
        #[arg(required = true, num_args = 2..)]
        runs: Vec<PathBuf>,
        /// Output folder [default: reports/compare-<run>-vs-<run>...].
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run a parameter sweep (parallel, resumable), or merge shards, or write Slurm jobs.
    ///
    /// Example: hetsim sweep scenarios/sweeps/mmc-load.yaml --out reports/mmc-load
    /// (then `hetsim sweep merge --help`, `hetsim sweep slurm --help` for clusters)
    Sweep(crate::sweep::cli::SweepCmd),
}

/// Error carrying the exit code: 2 for bad input, 1 otherwise.
#[derive(Debug)]
pub struct Exit {
    /// Process exit code.
    pub code: u8,
    /// The error.
    pub error: anyhow::Error,
}

impl From<InputError> for Exit {
    fn from(e: InputError) -> Self {
        Exit {
            code: 2,
            error: e.into(),
        }
    }
}

/// Runs the CLI; returns the exit code.
pub fn main_with(cli: Cli) -> Result<(), Exit> {
    match cli.command {
        Command::Run {
            file,
            out,
            seed,
            policy,
            sets,
            no_charts,
            quiet,
        } => {
            let mut sets = sets;
            if let Some(p) = policy {
                sets.push(format!("policy.name={p}"));
                sets.push("policy.params={}".into());
            }
            if let Some(s) = seed {
                sets.push(format!("seed={s}"));
            }
            let loaded = scenario::load(&file, &sets)?;
            check_policies(&loaded).map_err(Exit::from)?;
            let target = out
                .clone()
                .unwrap_or_else(|| crate::run::default_out(&loaded.scenario.name));
            crate::report::check_target(&target).map_err(|e| Exit { code: 2, error: e })?;
            let opts = RunOptions {
                out,
                progress: !quiet,
                no_charts,
            };
            let res = run_to_folder(&loaded, &opts).map_err(|e| Exit { code: 1, error: e })?;
            if !quiet {
                print_summary(&res.outcome.summary, &res.dir);
            }
            Ok(())
        }
        Command::Validate { files } => {
            let mut failed = None;
            for f in files {
                match scenario::load(&f, &[]) {
                    Ok(l) => {
                        let s = &l.scenario;
                        println!(
                            "{}: ok ({} device classes, {} devices, {} job kinds, {} listed jobs, policy {})",
                            f.display(),
                            s.classes.len(),
                            s.device_count(),
                            s.kinds.len(),
                            s.jobs.len(),
                            s.policy.name
                        );
                        if let Err(e) = check_policies(&l) {
                            eprintln!("error: {e}");
                            failed = Some(e);
                        }
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        failed = Some(e);
                    }
                }
            }
            match failed {
                Some(_) => Err(Exit {
                    code: 2,
                    error: anyhow::anyhow!("validation failed"),
                }),
                None => Ok(()),
            }
        }
        Command::Import {
            format,
            file,
            out,
            skip_bad,
            kind,
            limit,
            nodes,
            throughputs,
            mode,
            decode_weight,
            whole_gpus,
        } => {
            use crate::trace::{self, import};
            let out = out.unwrap_or_else(|| import::default_out(&file));
            let opts = import::ImportOptions {
                format,
                file: file.clone(),
                out,
                read: trace::Options {
                    skip_bad,
                    mode: if mode == "split" {
                        trace::LlmMode::Split
                    } else {
                        trace::LlmMode::Combined
                    },
                    decode_weight,
                    gpu_share: if whole_gpus {
                        trace::GpuShare::Whole
                    } else {
                        trace::GpuShare::Scaled
                    },
                },
                kind,
                nodes,
                throughputs,
                limit,
                command: std::env::args().collect::<Vec<_>>().join(" "),
            };
            let rep = import::import(&opts).map_err(|e| Exit {
                code: 2,
                error: e.into(),
            })?;
            println!("{}", rep.account);
            println!(
                "wrote {} ({} jobs, kinds: {})",
                rep.out.display(),
                rep.jobs,
                rep.kinds.join(", ")
            );
            Ok(())
        }
        Command::Plot { run_dir } => {
            let st = crate::report::plot::draw_run(&run_dir, None).map_err(|e| Exit {
                code: 1,
                error: e.into(),
            })?;
            println!(
                "drew {} charts in {:.3} s (reading {:.3} s, drawing {:.3} s)",
                st.charts,
                st.read_s + st.draw_s,
                st.read_s,
                st.draw_s
            );
            println!("wrote {}", st.index.display());
            Ok(())
        }
        Command::Compare { runs, out } => {
            let dir = crate::report::compare::compare(&runs, out.as_deref()).map_err(|e| Exit {
                code: 1,
                error: e.into(),
            })?;
            println!("wrote {}", dir.join("index.html").display());
            Ok(())
        }
        Command::Sweep(cmd) => crate::sweep::cli::main(cmd),
        Command::Catalog => {
            let cat = crate::catalog::Catalog::builtin();
            println!("Devices (datacenter.classes.<name>.device); * marks an assumed figure:");
            for (key, d) in &cat.devices {
                let mark = |a: bool| if a { "*" } else { "" };
                let mem = d
                    .memory
                    .as_ref()
                    .map(|m| format!("{:.0} GB{}", m.value.0 / 1e9, mark(m.assumption)));
                println!(
                    "  {key:<12} {:<5} idle {:>6.1} W{:<1}  busy {:>6.1} W{:<1}  {:<10} {}",
                    d.category.as_str(),
                    d.idle_power.value.0,
                    mark(d.idle_power.assumption),
                    d.busy_power.value.0,
                    mark(d.busy_power.assumption),
                    mem.unwrap_or_default(),
                    d.name
                );
            }
            println!("\nPUE presets (datacenter.pue):");
            for (key, f) in &cat.pue {
                println!("  {key:<12} {}   {}", f.value.0, f.source);
            }
            println!("\nSources for every figure: catalog/devices.yaml");
            Ok(())
        }
        Command::Policies => {
            println!("Placement policies (scenario `policy: {{name, params}}`, or --policy NAME):");
            for p in crate::policy::REGISTRY {
                println!("  {:<20} {}", p.name, p.summary);
                for param in p.params {
                    println!("  {:<20}   param {param}", "");
                }
            }
            println!("\nPower managers (scenario `power_manager: {{name, params}}`):");
            for p in crate::power_manager::REGISTRY {
                println!("  {:<20} {}", p.name, p.summary);
                for param in p.params {
                    println!("  {:<20}   param {param}", "");
                }
            }
            Ok(())
        }
    }
}

/// Builds the scenario's policy and power manager once, to report bad names or
/// parameters as input errors before anything runs.
pub fn check_policies(l: &scenario::Loaded) -> Result<(), InputError> {
    let s = &l.scenario;
    crate::policy::build(&s.policy, s).map_err(|m| policy_error(l, m))?;
    crate::power_manager::build(&s.power_manager).map_err(|m| {
        let mut e = policy_error(l, m);
        let pos = scenario::locate::locate(&l.text, "power_manager.name");
        e.line = pos.map(|p| p.0);
        e.column = pos.map(|p| p.1);
        e.path = "power_manager".into();
        e.hint = Some("`hetsim policies` lists the power managers and their parameters".into());
        e
    })?;
    Ok(())
}

/// Turns a policy construction error into an input error pointing at `policy`.
pub fn policy_error(l: &scenario::Loaded, msg: String) -> InputError {
    let pos = scenario::locate::locate(&l.text, "policy.name");
    InputError {
        file: l.path.clone(),
        line: pos.map(|p| p.0),
        column: pos.map(|p| p.1),
        path: "policy".into(),
        message: msg,
        hint: Some("`hetsim policies` lists the policies and their parameters".into()),
    }
}

fn print_summary(s: &crate::metrics::Summary, dir: &std::path::Path) {
    println!(
        "scenario {}  policy {}  seed {}",
        s.scenario, s.policy, s.seed
    );
    println!(
        "  jobs {} done of {}   makespan {:.3} s   throughput {:.4} jobs/s",
        s.jobs_completed, s.jobs_arrived, s.makespan_s, s.throughput_jobs_per_s
    );
    println!(
        "  wait mean {:.4} s   response mean {:.4} s  p99 {:.4} s   deadline misses {:.2}%",
        s.wait_mean_s,
        s.response_mean_s,
        s.response_p99_s,
        100.0 * s.deadline_miss_rate
    );
    println!(
        "  energy IT {:.2} J  facility {:.2} J  ({:.4} kWh)   mean power {:.2} W  peak {:.2} W",
        s.energy_it_j,
        s.energy_facility_j,
        s.energy_facility_j / 3.6e6,
        s.power_mean_w,
        s.power_peak_w
    );
    println!(
        "  utilisation {:.1}%   carbon {:.2} g   cost {:.4}",
        100.0 * s.utilization,
        s.carbon_g,
        s.cost
    );
    println!("  {} events in {:.3} s wall", s.events, s.wall_s);
    println!("wrote {}", dir.display());
}
