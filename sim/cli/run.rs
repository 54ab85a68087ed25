//! `hetsim run FILE`: one scenario to a run folder, with a progress bar on a terminal
//! and a summary on stdout.

use super::Usage;
use crate::run::{RunNotice, RunOptions, RunProgress, check_policies, run_to_folder_with};
use crate::scenario;
use clap::Args;
use std::path::PathBuf;

// The arguments of `hetsim run` (their help is on `Command::Run`).
#[allow(missing_docs)]
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file (.yaml, .yml or .json).
    pub file: PathBuf,
    /// Output folder [default: reports/<scenario name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override the scenario's policy (see `hetsim policies`).
    #[arg(long)]
    pub policy: Option<String>,
    /// Set a scenario field, PATH=VALUE (repeatable), e.g. --set datacenter.pue=1.2
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Skip charts and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub budget: BudgetArgs,
}

/// Raise the load-time size budget (see FUZZING.md, "Resource limits").
#[allow(missing_docs)]
#[derive(Args, Debug, Clone, Copy)]
pub struct BudgetArgs {
    /// Most jobs a run may release.
    #[arg(long, value_name = "N", default_value_t = 1e8)]
    pub max_jobs: f64,
    /// Most rows power.csv may get (horizon / output.power_interval).
    #[arg(long, value_name = "N", default_value_t = 1e8)]
    pub max_power_rows: f64,
    /// Most jobs that may wait at once when arrivals exceed capacity.
    #[arg(long, value_name = "N", default_value_t = 1e7)]
    pub max_waiting: f64,
}

impl BudgetArgs {
    /// The budget these flags give.
    pub fn budget(&self) -> scenario::limits::Budget {
        scenario::limits::Budget {
            max_jobs: self.max_jobs,
            max_power_rows: self.max_power_rows,
            max_waiting: self.max_waiting,
        }
    }
}

/// Runs `hetsim run`.
pub fn main(a: RunArgs) -> anyhow::Result<()> {
    let mut sets = a.sets;
    if let Some(p) = a.policy {
        sets.push(format!("policy.name={p}"));
        sets.push("policy.params={}".into());
    }
    if let Some(s) = a.seed {
        sets.push(format!("seed={s}"));
    }
    let loaded = scenario::load_with_budget(&a.file, &sets, &a.budget.budget())?;
    let spec = scenario::serving_spec(&loaded)?;
    let mixed = spec.is_some() && crate::serving::mixed::is_mixed(&loaded.scenario);
    if spec.is_none() || mixed {
        check_policies(&loaded)?;
    }
    // Checked before simulating, so a bad --out costs nothing.
    let target = a
        .out
        .clone()
        .unwrap_or_else(|| crate::run::default_out(&loaded.scenario.name));
    crate::output::check_target(&target).map_err(|e| Usage(e.into()))?;
    match spec {
        Some(spec) if mixed => {
            let (dir, m) =
                crate::run::serving::mixed_to_folder(&loaded, &spec, &target, a.no_charts)?;
            print_outcome(&m.outcome.summary, &dir, a.quiet);
            if !a.quiet {
                serving_lines(&m.serving_summary);
            }
        }
        Some(spec) => {
            let (dir, s) =
                crate::run::serving::serving_to_folder(&loaded, &spec, &target, a.no_charts)?;
            if !a.quiet {
                serving_lines(&s);
                println!("wrote {}", dir.display());
            }
        }
        None => {
            let opts = RunOptions {
                out: a.out,
                no_charts: a.no_charts,
            };
            let mut progress = Progress::new(!a.quiet);
            let res = run_to_folder_with(&loaded, &opts, &mut progress)?;
            print_outcome(&res.outcome.summary, &res.dir, a.quiet);
        }
    }
    Ok(())
}

/// A job run's warnings on stderr and, unless quiet, its summary on stdout.
fn print_outcome(summary: &crate::metrics::Summary, dir: &std::path::Path, quiet: bool) {
    for w in &summary.warnings {
        eprintln!("warning: {w}");
    }
    if !quiet {
        print!(
            "{}",
            crate::report::terminal::terminal_summary(summary, dir)
        );
    }
}

/// Prints a run's notice on stderr (also for the runs of a sweep).
pub fn print_notice(n: RunNotice) {
    match n {
        RunNotice::ChartsNotDrawn(e) => {
            eprintln!(
                "warning: charts and index.html were not drawn: {}",
                super::chain(&e)
            );
        }
    }
}

/// A progress bar that appears only after a second of wall time, on a terminal;
/// notices on stderr.
struct Progress {
    bar: bool,
    state: Option<BarState>,
}

struct BarState {
    started: std::time::Instant,
    bar: Option<indicatif::ProgressBar>,
    horizon: Option<f64>,
    jobs: Option<u64>,
}

impl Progress {
    fn new(bar: bool) -> Progress {
        Progress { bar, state: None }
    }
}

impl RunProgress for Progress {
    fn start(&mut self, horizon_s: Option<f64>, jobs: Option<u64>) {
        if self.bar {
            self.state = Some(BarState {
                started: std::time::Instant::now(),
                bar: None,
                horizon: horizon_s,
                jobs,
            });
        }
    }

    fn progress(&mut self, now: f64, jobs: u64) {
        use std::io::IsTerminal;
        let Some(st) = &mut self.state else {
            return;
        };
        if st.bar.is_none() {
            if st.started.elapsed().as_secs_f64() < 1.0 || !std::io::stderr().is_terminal() {
                return;
            }
            let bar = match (st.jobs, st.horizon) {
                (Some(n), _) => {
                    let b = indicatif::ProgressBar::new(n);
                    b.set_style(
                        indicatif::ProgressStyle::with_template(
                            "{spinner} {pos}/{len} jobs [{bar:30}] {msg} eta {eta}",
                        )
                        .expect("valid template"),
                    );
                    b
                }
                (None, Some(h)) => {
                    let b = indicatif::ProgressBar::new(h.ceil() as u64);
                    b.set_style(
                        indicatif::ProgressStyle::with_template(
                            "{spinner} simulated {pos}/{len} s [{bar:30}] {msg} eta {eta}",
                        )
                        .expect("valid template"),
                    );
                    b
                }
                (None, None) => indicatif::ProgressBar::new_spinner(),
            };
            st.bar = Some(bar);
        }
        if let Some(b) = &st.bar {
            if st.jobs.is_some() {
                b.set_position(jobs);
                b.set_message(format!("simulated {now:.0} s"));
            } else {
                b.set_position(now as u64);
                b.set_message(format!("{jobs} jobs done"));
            }
        }
    }

    fn finish(&mut self) {
        if let Some(b) = self.state.as_ref().and_then(|s| s.bar.as_ref()) {
            b.finish_and_clear();
        }
    }

    fn notice(&mut self, n: RunNotice) {
        print_notice(n);
    }
}

/// The serving figures `hetsim run` prints.
fn serving_lines(s: &crate::serving::summary::ServingSummary) {
    let f = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.3}"));
    println!(
        "{} ({}): {}/{} requests in {:.1} s",
        s.scenario, s.serving_config, s.requests_completed, s.requests_arrived, s.makespan_s
    );
    println!(
        "  TTFT p50 {} s, p99 {} s; TBT p50 {} s, p99 {} s; E2E p50 {} s, p99 {} s",
        f(s.ttft_s.p50),
        f(s.ttft_s.p99),
        f(s.tbt_s.p50),
        f(s.tbt_s.p99),
        f(s.e2e_s.p50),
        f(s.e2e_s.p99)
    );
    println!(
        "  {:.0} output tokens/s, {:.2} J per output token (IT), mean power {:.0} W",
        s.output_tokens_per_s, s.energy_per_output_token_j, s.power_mean_w
    );
    if let Some(met) = s.slo_met {
        println!(
            "  SLOs {}",
            if met {
                "met".to_string()
            } else {
                format!("missed: {}", s.slo_missed.clone().unwrap_or_default())
            }
        );
    }
}
