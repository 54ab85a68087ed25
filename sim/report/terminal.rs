//! The run summary printed by `hetsim run`: SI-scaled values from the metric
//! registry, grammatical counts, and no line for a metric without data (no deadline
//! line when no job had a deadline, no cap line without a cap).

use crate::metrics::Summary;
use crate::report::kit::style;
use crate::report::metric::format;
use std::fmt::Write as _;
use std::path::Path;

/// "1 job", "2,000 jobs".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", style::count(n))
    }
}

/// The lines `hetsim run` prints after a run written to `dir` (ending in a newline).
pub fn terminal_summary(s: &Summary, dir: &Path) -> String {
    let f = |k: &str, v: f64| format(k, v);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "scenario {}  policy {}  seed {}",
        s.scenario, s.policy, s.seed
    );
    let mut jobs = format!(
        "  {} finished of {} released",
        plural(s.jobs_completed, "job", "jobs"),
        style::count(s.jobs_arrived)
    );
    if s.jobs_completed > 0 {
        let _ = write!(
            jobs,
            "   makespan {}   throughput {}",
            f("makespan_s", s.makespan_s),
            f("throughput_jobs_per_s", s.throughput_jobs_per_s)
        );
    }
    let _ = writeln!(o, "{jobs}");
    if s.jobs_completed > 0 {
        let mut l = format!(
            "  wait mean {}   response mean {}  p99 {}",
            f("wait_mean_s", s.wait_mean_s),
            f("response_mean_s", s.response_mean_s),
            f("response_p99_s", s.response_p99_s)
        );
        if s.jobs_with_deadline > 0 {
            let _ = write!(
                l,
                "   deadlines missed {} of {}",
                f("deadline_miss_rate", s.deadline_miss_rate),
                plural(s.jobs_with_deadline, "job", "jobs")
            );
        }
        let _ = writeln!(o, "{l}");
    }
    let mut e = format!("  energy IT {}", f("energy_it_j", s.energy_it_j));
    if s.energy_facility_j != s.energy_it_j {
        let _ = write!(
            e,
            "  facility {}",
            f("energy_facility_j", s.energy_facility_j)
        );
    }
    let _ = write!(
        e,
        " ({} kWh)   power mean {}  peak {}",
        style::num(s.energy_facility_j / 3.6e6),
        f("power_mean_w", s.power_mean_w),
        f("power_peak_w", s.power_peak_w)
    );
    let _ = writeln!(o, "{e}");
    let mut u = format!("  utilisation {}", f("utilization", s.utilization));
    if s.carbon_g > 0.0 {
        let _ = write!(u, "   carbon {}", f("carbon_g", s.carbon_g));
    }
    if s.cost > 0.0 {
        let _ = write!(u, "   cost {}", f("cost", s.cost));
    }
    let _ = writeln!(o, "{u}");
    if let Some(cap) = s.power_cap_w {
        let _ = writeln!(
            o,
            "  power cap {}   at the cap {}   {} delayed by it",
            f("power_cap_w", cap),
            f("time_at_cap_s", s.time_at_cap_s),
            plural(s.cap_delayed_jobs, "job", "jobs")
        );
    }
    let _ = writeln!(
        o,
        "  {} in {} wall",
        plural(s.events, "event", "events"),
        f("wall_s", s.wall_s)
    );
    let _ = writeln!(o, "wrote {}", dir.display());
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(sets: &[&str]) -> Summary {
        let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/mmc.yaml"));
        let mut s: Vec<String> = vec!["workload.kinds.request.arrival.count=300".into()];
        s.extend(sets.iter().map(|x| x.to_string()));
        let l = crate::scenario::load(path, &s).unwrap();
        crate::run::run_in_memory(&l).unwrap().summary
    }

    #[test]
    fn values_are_scaled_counts_grammatical_and_empty_metrics_left_out() {
        let s = summary(&[]);
        let text = terminal_summary(&s, Path::new("reports/mmc"));
        assert!(text.contains("300 jobs finished of 300 released"), "{text}");
        assert!(text.contains(" jobs/s"), "{text}");
        // No deadline in this scenario: no deadline figure, no "0.00%".
        assert!(!text.contains("deadline"), "{text}");
        // Joules are scaled (kJ here), never printed raw with two decimals.
        assert!(text.contains(" kJ"), "{text}");
        assert!(!text.contains(".00 J"), "{text}");
        // Carbon and cost are zero without signals: not printed.
        assert!(!text.contains("carbon") && !text.contains("cost"), "{text}");
        assert_eq!(plural(1, "job", "jobs"), "1 job");
        assert_eq!(plural(1234, "event", "events"), "1,234 events");
    }
}
