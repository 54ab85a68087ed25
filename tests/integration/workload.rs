//! Workload generation: size distributions match their moments, arrival processes
//! match their rates (Poisson counts, thinning against the profile's integral, MMPP
//! burstiness), parameters are validated with errors naming the field, pipelines
//! release the right successors.

use hetsim::engine::{secs, to_secs};
use hetsim::model::{Arrival, Interpolation, RateProfile, Scenario, SizeDist};
use hetsim::scenario::{Format, parse_str};
use hetsim::workload::arrival::ArrivalStream;
use hetsim::workload::size::Sampler;
use hetsim::workload::{Lineage, NewJob, Workload, stream_rng};
use rand_distr::Exp;
use std::path::Path;
use std::sync::Arc;

/// A scenario with one `cpu` class that can run kinds `a`..`e`, and `workload` as
/// its workload section (indented YAML).
fn scenario(workload: &str) -> Result<Scenario, String> {
    // The kinds declared: keys indented by 4 under `  kinds:`.
    let mut kinds = Vec::new();
    let mut inside = false;
    for line in workload.lines() {
        let indent = line.len() - line.trim_start().len();
        if line.trim() == "kinds:" {
            inside = true;
        } else if indent <= 2 && !line.trim().is_empty() {
            inside = false;
        } else if inside && indent == 4 {
            kinds.push(line.trim().split(':').next().unwrap().to_string());
        }
    }
    let speed: Vec<String> = kinds.iter().map(|k| format!("{k}: 1")).collect();
    let text = format!(
        "name: t\nhorizon: 1h\ndatacenter:\n  classes:\n    cpu:\n      category: cpu\n      count: 4\n      \
         speed: {{{}}}\n      busy_power: 100W\nworkload:\n{workload}",
        speed.join(", ")
    );
    parse_str(&text, Format::Yaml, Path::new("t.yaml")).map_err(|e| e.to_string())
}

fn kind_size(yaml_size: &str) -> Result<SizeDist, String> {
    let sc = scenario(&format!(
        "  kinds:\n    a:\n      arrival: {{process: poisson, rate: 1/s}}\n      size: {yaml_size}\n"
    ))?;
    Ok(sc.kinds[0].size().clone())
}

/// Sample mean and variance of `n` draws.
fn moments(d: &SizeDist, n: usize, seed: u64) -> (f64, f64) {
    let s = Sampler::new(d).unwrap();
    let mut rng = stream_rng(seed, "test");
    let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
    let m = xs.iter().sum::<f64>() / n as f64;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
    (m, v)
}

/// The sample mean is within 4.5 standard errors of the distribution's mean, and the
/// sample variance within `var_tol` (relative) of its variance.
fn check_moments(d: &SizeDist, var_tol: f64) {
    let n = 200_000;
    let (m, v) = moments(d, n, 11);
    let (mu, var) = (d.mean(), d.variance());
    let se = (var / n as f64).sqrt();
    assert!(
        (m - mu).abs() <= 4.5 * se + 1e-12,
        "{d:?}: sample mean {m}, expected {mu} +- {}",
        4.5 * se
    );
    assert!(
        (v - var).abs() <= var_tol * var + 1e-12,
        "{d:?}: sample variance {v}, expected {var}"
    );
}

#[test]
fn every_distribution_matches_its_mean_and_variance() {
    let cases = [
        ("{dist: constant, value: 3}", 0.0),
        ("{dist: exponential, mean: 2}", 0.03),
        ("{dist: uniform, min: 1, max: 5}", 0.02),
        ("{dist: normal, mean: 10, sd: 3}", 0.03),
        ("{dist: normal, mean: 1, sd: 2, min: 0, max: 4}", 0.03),
        ("{dist: lognormal, mean: 20, cv: 0.5}", 0.05),
        ("{dist: gamma, shape: 2.5, scale: 4}", 0.04),
        ("{dist: gamma, mean: 10, cv: 0.7}", 0.04),
        ("{dist: weibull, shape: 1.5, scale: 3}", 0.04),
        ("{dist: pareto, shape: 5, scale: 2}", 0.1),
        ("{dist: pareto, shape: 1.2, scale: 1, max: 100}", 0.1),
    ];
    for (yaml, tol) in cases {
        let d = kind_size(yaml).unwrap();
        check_moments(&d, tol);
    }
}

#[test]
fn distribution_parameters_map_exactly() {
    // gamma by mean and cv: shape = 1/cv^2, scale = mean cv^2.
    match kind_size("{dist: gamma, mean: 10, cv: 0.5}").unwrap() {
        SizeDist::Gamma { shape, scale } => {
            assert!((shape - 4.0).abs() < 1e-12 && (scale - 2.5).abs() < 1e-12)
        }
        d => panic!("{d:?}"),
    }
    // Truncated normal: the mean of N(1, 2) on [0, 4] is 1 + 2 (phi(-0.5) - phi(1.5)) / Z.
    let d = kind_size("{dist: normal, mean: 1, sd: 2, min: 0, max: 4}").unwrap();
    assert!((d.mean() - 1.712_56).abs() < 1e-4, "{}", d.mean());
    // Weibull(1, 3) is an exponential with mean 3.
    let d = kind_size("{dist: weibull, shape: 1, scale: 3}").unwrap();
    assert!((d.mean() - 3.0).abs() < 1e-9 && (d.variance() - 9.0).abs() < 1e-9);
    // Pareto(3, 2): mean 3 * 2 / 2 = 3.
    assert!(
        (kind_size("{dist: pareto, shape: 3, scale: 2}")
            .unwrap()
            .mean()
            - 3.0)
            .abs()
            < 1e-12
    );
}

#[test]
fn bad_distribution_parameters_name_the_field() {
    let err = |y: &str| kind_size(y).unwrap_err();
    let e = err("{dist: lognormal, mean: 20, cv: -0.5}");
    assert!(
        e.contains("workload.kinds.a.size.cv") && e.contains("negative"),
        "{e}"
    );
    let e = err("{dist: lognormal, mean: 20, cv: 0}");
    assert!(e.contains("size.cv") && e.contains("positive"), "{e}");
    let e = err("{dist: exponential, mean: 2, cv: 1}");
    assert!(e.contains("size.cv") && e.contains("does not apply"), "{e}");
    let e = err("{dist: gamma, shape: 2}");
    assert!(e.contains("size.scale") && e.contains("missing"), "{e}");
    let e = err("{dist: gamma, shape: 2, scale: 1, mean: 2}");
    assert!(e.contains("size.mean"), "{e}");
    let e = err("{dist: pareto, shape: 0.9, scale: 1}");
    assert!(
        e.contains("size.shape") && e.contains("infinite mean"),
        "{e}"
    );
    let e = err("{dist: pareto, shape: 2, scale: 5, max: 4}");
    assert!(e.contains("size.max"), "{e}");
    let e = err("{dist: normal, mean: 0, sd: 1, min: 5}");
    assert!(e.contains("size.min") && e.contains("mass"), "{e}");
    let e = err("{dist: uniform, min: 3, max: 1}");
    assert!(e.contains("size.max"), "{e}");
    let e = err("{dist: weibull, shape: 1, scale: 1, cv: 2}");
    assert!(e.contains("size.cv"), "{e}");
    let e = err("{dist: triangular, mean: 1}");
    assert!(e.contains("size.dist"), "{e}");
}

#[test]
fn empirical_distribution_resamples_a_csv_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.csv");
    std::fs::write(&f, "id,seconds\n1,1\n2,2\n3,3\n4,10\n").unwrap();
    let size = format!(
        "{{dist: empirical, file: \"{}\", column: seconds, scale: 2}}",
        f.display()
    );
    let d = kind_size(&size).unwrap();
    match &d {
        SizeDist::Empirical {
            samples,
            interpolate,
        } => {
            assert_eq!(&samples[..], &[2.0, 4.0, 6.0, 20.0]);
            assert!(!interpolate);
        }
        d => panic!("{d:?}"),
    }
    assert_eq!(d.mean(), 8.0);
    check_moments(&d, 0.03);
    // Draws are the samples themselves.
    let s = Sampler::new(&d).unwrap();
    let mut rng = stream_rng(1, "x");
    for _ in 0..1000 {
        assert!([2.0, 4.0, 6.0, 20.0].contains(&s.sample(&mut rng)));
    }
    // Interpolated: a continuous distribution with the piecewise-linear quantile mean.
    let interp = SizeDist::Empirical {
        samples: Arc::from(vec![0.0, 1.0, 3.0]),
        interpolate: true,
    };
    assert!((interp.mean() - 1.25).abs() < 1e-12);
    check_moments(&interp, 0.03);
    // Errors name the field and the line.
    std::fs::write(&f, "seconds\n1\nabc\n").unwrap();
    let e = kind_size(&format!("{{dist: empirical, file: \"{}\"}}", f.display())).unwrap_err();
    assert!(
        e.contains("size.file") && e.contains(":3:") && e.contains("abc"),
        "{e}"
    );
    let e = kind_size(&format!(
        "{{dist: empirical, file: \"{}\", column: x}}",
        f.display()
    ))
    .unwrap_err();
    assert!(e.contains("size.column"), "{e}");
}

#[test]
#[ignore = "needs ../shared/data (CI runs it: cargo test -- --ignored)"]
fn empirical_distribution_from_the_philly_run_times() {
    let data = crate::common::shared_data();
    let f = data.join("gpu/alibaba_gpu2020_analysis_philly_runtime.csv");
    let d = kind_size(&format!(
        "{{dist: empirical, file: \"{}\", column: runtime}}",
        f.display()
    ))
    .unwrap();
    let SizeDist::Empirical { samples, .. } = &d else {
        panic!()
    };
    assert_eq!(samples.len(), 83_154);
    check_moments(&d, 0.2);
}

/// Arrival times of a process over `[0, t_end)`.
fn times(a: &Arrival, seed: u64, t_end: f64) -> Vec<f64> {
    let mut s = ArrivalStream::new(a, stream_rng(seed, "arrivals"));
    let mut out = Vec::new();
    while let Some(t) = s.next() {
        if t >= t_end {
            break;
        }
        out.push(t);
    }
    out
}

fn sorted(v: &[f64]) -> bool {
    v.windows(2).all(|w| w[0] <= w[1])
}

#[test]
fn poisson_counts_have_poisson_mean_and_variance() {
    // 400 replications of a rate-5/s process over 20 s: counts ~ Poisson(100).
    let a = Arrival::Poisson {
        rate: 5.0,
        count: None,
        start: 0.0,
        gap: Exp::new(5.0).unwrap(),
    };
    let counts: Vec<f64> = (0..400).map(|s| times(&a, s, 20.0).len() as f64).collect();
    let n = counts.len() as f64;
    let m = counts.iter().sum::<f64>() / n;
    let v = counts.iter().map(|c| (c - m).powi(2)).sum::<f64>() / (n - 1.0);
    // Mean: standard error sqrt(100/400) = 0.5. Variance: sd about 100 sqrt(2/399) = 7.1.
    assert!((m - 100.0).abs() < 2.5, "mean count {m}");
    assert!((v - 100.0).abs() < 30.0, "count variance {v}");
    // count stops the process.
    let a = Arrival::Poisson {
        rate: 5.0,
        count: Some(7),
        start: 10.0,
        gap: Exp::new(5.0).unwrap(),
    };
    let t = times(&a, 1, f64::INFINITY);
    assert_eq!(t.len(), 7);
    assert!(t[0] > 10.0 && sorted(&t));
}

#[test]
fn periodic_sources_keep_their_rate_and_order() {
    let one = Arrival::Periodic {
        period: 0.2,
        jitter: 0.05,
        count: None,
        start: 1.0,
        sources: 1,
    };
    let t = times(&one, 3, 101.0);
    assert_eq!(t.len(), 500);
    for (k, x) in t.iter().enumerate() {
        let nominal = 1.0 + 0.2 * k as f64;
        assert!((x - nominal).abs() <= 0.025 + 1e-12, "arrival {k} at {x}");
    }
    // Eight gateways at 5 Hz each: 40 jobs/s in time order despite crossings.
    let eight = Arrival::Periodic {
        period: 0.2,
        jitter: 0.05,
        count: None,
        start: 0.0,
        sources: 8,
    };
    let t = times(&eight, 3, 100.0);
    assert!(sorted(&t));
    assert!((t.len() as i64 - 4000).abs() <= 8, "{}", t.len());
    // Without jitter each source is exactly periodic: gaps repeat every 8 arrivals.
    let exact = Arrival::Periodic {
        period: 0.2,
        jitter: 0.0,
        count: Some(80),
        start: 0.0,
        sources: 8,
    };
    let t = times(&exact, 4, f64::INFINITY);
    assert_eq!(t.len(), 80);
    for k in 8..80 {
        assert!((t[k] - t[k - 8] - 0.2).abs() < 1e-9);
    }
}

#[test]
fn on_off_bursts_have_the_stationary_rate_and_are_bursty() {
    // On 10 s at 20/s, off 30 s at 1/s: mean rate (20 x 10 + 1 x 30) / 40 = 5.75/s.
    let a = Arrival::Burst {
        on_rate: 20.0,
        off_rate: 1.0,
        on_mean: 10.0,
        off_mean: 30.0,
        count: None,
        start: 0.0,
        on_len: Exp::new(1.0 / 10.0).unwrap(),
        off_len: Exp::new(1.0 / 30.0).unwrap(),
    };
    let t_end = 200_000.0;
    let t = times(&a, 5, t_end);
    assert!(sorted(&t));
    let rate = t.len() as f64 / t_end;
    assert!((rate - 5.75).abs() < 0.15, "rate {rate}");
    // Counts per 10 s window: an index of dispersion far above Poisson's 1.
    let mut bins = vec![0.0f64; (t_end / 10.0) as usize];
    for x in &t {
        bins[(x / 10.0) as usize] += 1.0;
    }
    let m = bins.iter().sum::<f64>() / bins.len() as f64;
    let v = bins.iter().map(|c| (c - m).powi(2)).sum::<f64>() / bins.len() as f64;
    assert!(v / m > 10.0, "index of dispersion {}", v / m);
}

/// Arrivals per segment of a profile process over many periods against
/// rate x integral, within 5 standard deviations per segment, and in total.
fn check_thinning(profile: RateProfile, rate: f64, periods: usize, seed: u64) {
    let a = Arrival::Profile {
        rate,
        profile: profile.clone(),
        count: None,
        start: 0.0,
    };
    let t_end = profile.period * periods as f64;
    let t = times(&a, seed, t_end);
    assert!(sorted(&t));
    let expected_total = rate * profile.integral(0.0, t_end);
    let total = t.len() as f64;
    assert!(
        (total - expected_total).abs() < 4.0 * expected_total.sqrt(),
        "total {total}, expected {expected_total}"
    );
    // Hour-long bins of the period.
    let bins = 24;
    let w = profile.period / bins as f64;
    let mut got = vec![0.0; bins];
    for x in &t {
        got[((x % profile.period) / w) as usize % bins] += 1.0;
    }
    for (b, g) in got.iter().enumerate() {
        let e = rate * profile.integral(b as f64 * w, (b + 1) as f64 * w) * periods as f64;
        assert!(
            (g - e).abs() <= 5.0 * e.sqrt().max(1.0),
            "bin {b}: {g} arrivals, expected {e}"
        );
    }
}

#[test]
fn thinning_reproduces_the_profile_integral() {
    // Rush hours: linear, first point after 0 (the curve wraps from the last point).
    let rush = RateProfile::new(
        86400.0,
        vec![
            (3.0 * 3600.0, 0.1),
            (8.0 * 3600.0, 1.0),
            (11.0 * 3600.0, 0.4),
            (17.5 * 3600.0, 1.0),
            (21.0 * 3600.0, 0.2),
        ],
        Interpolation::Linear,
    );
    assert_eq!(rush.points[0].0, 0.0);
    check_thinning(rush, 0.5, 20, 7);
    // Market hours: a step profile with a zero level overnight.
    let market = RateProfile::new(
        86400.0,
        vec![
            (0.0, 0.0),
            (9.5 * 3600.0, 3.0),
            (10.0 * 3600.0, 1.0),
            (15.5 * 3600.0, 3.0),
            (16.0 * 3600.0, 0.0),
        ],
        Interpolation::Step,
    );
    check_thinning(market.clone(), 0.2, 20, 8);
    // No arrival ever falls while the level is 0.
    let a = Arrival::Profile {
        rate: 0.2,
        profile: market.clone(),
        count: None,
        start: 0.0,
    };
    for x in times(&a, 9, 86400.0 * 5.0) {
        assert!(market.level(x) > 0.0, "arrival at {x} while closed");
    }
}

#[test]
fn profile_integral_and_level_are_exact() {
    let p = RateProfile::new(10.0, vec![(0.0, 0.0), (5.0, 2.0)], Interpolation::Linear);
    // Triangle up to 2 at t=5 and back to 0 at t=10: integral 10, mean 1.
    assert!((p.period_integral() - 10.0).abs() < 1e-12);
    assert!((p.level(2.5) - 1.0).abs() < 1e-12);
    assert!((p.level(7.5) - 1.0).abs() < 1e-12);
    assert!((p.integral(0.0, 25.0) - 25.0).abs() < 1e-9);
    assert!((p.integral(5.0, 7.5) - 3.75).abs() < 1e-12);
    // Wrap-around point for a step curve starting after 0: the level at 0 is the last one.
    let s = RateProfile::new(24.0, vec![(6.0, 1.0), (18.0, 0.25)], Interpolation::Step);
    assert_eq!(s.level(3.0), 0.25);
    assert_eq!(s.level(12.0), 1.0);
    assert!((s.mean_level() - (12.0 + 0.25 * 12.0) / 24.0).abs() < 1e-12);
}

#[test]
fn repeating_batches_arrive_together() {
    let a = Arrival::Batch {
        count: 3,
        at: 5.0,
        every: Some(10.0),
        batches: Some(4),
    };
    let t = times(&a, 1, f64::INFINITY);
    assert_eq!(
        t,
        vec![
            5.0, 5.0, 5.0, 15.0, 15.0, 15.0, 25.0, 25.0, 25.0, 35.0, 35.0, 35.0
        ]
    );
    let once = Arrival::Batch {
        count: 2,
        at: 0.0,
        every: None,
        batches: None,
    };
    assert_eq!(times(&once, 1, f64::INFINITY), vec![0.0, 0.0]);
}

#[test]
fn arrival_processes_load_from_scenarios_with_checks() {
    let sc = scenario(
        "  scale: 2\n  kinds:\n    a:\n      arrival: {process: periodic, period: 200ms, jitter: 10ms, sources: 8}\n      size: {dist: constant, value: 1}\n    b:\n      arrival: {process: burst, rate: 10/s, on_mean: 5s, off_mean: 1min}\n      size: {dist: constant, value: 1}\n    c:\n      arrival:\n        process: profile\n        rate: 2/min\n        profile: {period: 24h, interpolation: step, points: [[0h, 0.5], [9h, 2], [17h, 0.5]]}\n      size: {dist: constant, value: 1}\n    d:\n      arrival: {process: batch, count: 5, at: 22h, every: 24h}\n      size: {dist: constant, value: 1}\n",
    )
    .unwrap();
    // scale 2: periods halve, rates and batch sizes double.
    assert_eq!(
        *sc.kinds[0].arrival(),
        Arrival::Periodic {
            period: 0.1,
            jitter: 0.005,
            count: None,
            start: 0.0,
            sources: 8
        }
    );
    match sc.kinds[1].arrival() {
        Arrival::Burst {
            on_rate,
            on_mean,
            off_mean,
            ..
        } => assert_eq!((*on_rate, *on_mean, *off_mean), (20.0, 5.0, 60.0)),
        a => panic!("{a:?}"),
    }
    match sc.kinds[2].arrival() {
        Arrival::Profile { rate, profile, .. } => {
            assert!((rate - 4.0 / 60.0).abs() < 1e-12);
            assert_eq!(profile.interpolation, Interpolation::Step);
            assert_eq!(profile.level(10.0 * 3600.0), 2.0);
        }
        a => panic!("{a:?}"),
    }
    assert!(matches!(
        sc.kinds[3].arrival(),
        Arrival::Batch { count: 10, .. }
    ));

    let err = |w: &str| scenario(w).unwrap_err();
    let e = err(
        "  kinds:\n    a:\n      arrival: {process: poisson, rate: 1/s, period: 1s}\n      size: {dist: constant, value: 1}\n",
    );
    assert!(
        e.contains("arrival.period") && e.contains("does not apply"),
        "{e}"
    );
    let e = err(
        "  kinds:\n    a:\n      arrival: {process: burst, rate: 1/s, on_mean: 1s}\n      size: {dist: constant, value: 1}\n",
    );
    assert!(
        e.contains("arrival.off_mean") && e.contains("missing"),
        "{e}"
    );
    let e = err(
        "  kinds:\n    a:\n      arrival: {process: profile, rate: 1/s, profile: {period: 1h, points: [[0s, 1], [2h, 1]]}}\n      size: {dist: constant, value: 1}\n",
    );
    assert!(e.contains("profile.points[1]"), "{e}");
    let e = err(
        "  kinds:\n    a:\n      arrival: {process: profile, rate: 1/s, profile: {points: [[0h, 0]]}}\n      size: {dist: constant, value: 1}\n",
    );
    assert!(
        e.contains("profile.points") && e.contains("every level is 0"),
        "{e}"
    );
    let e = err(
        "  kinds:\n    a:\n      arrival: {process: periodic, period: 1s, jitter: 2s}\n      size: {dist: constant, value: 1}\n",
    );
    assert!(e.contains("arrival.jitter"), "{e}");
    let e = err(
        "  kinds:\n    a:\n      arrival: {process: batch, count: 2, batches: 3}\n      size: {dist: constant, value: 1}\n",
    );
    assert!(e.contains("arrival.batches"), "{e}");
    let e = err("  scale: 0\n  kinds:\n    a: {}\n");
    assert!(e.contains("workload.scale"), "{e}");
}

#[test]
fn horizon_ends_generated_streams_and_seeds_are_per_kind() {
    let one = scenario(
        "  kinds:\n    a:\n      arrival: {process: poisson, rate: 2/s}\n      size: {dist: exponential, mean: 1}\n",
    )
    .unwrap();
    let two = scenario(
        "  kinds:\n    b:\n      arrival: {process: poisson, rate: 9/s}\n      size: {dist: exponential, mean: 3}\n    a:\n      arrival: {process: poisson, rate: 2/s}\n      size: {dist: exponential, mean: 1}\n",
    )
    .unwrap();
    let drain = |sc: &Scenario, stream: usize| -> Vec<NewJob> {
        let mut w = Workload::new(sc, 42);
        std::iter::from_fn(|| w.next(stream)).collect()
    };
    let a1 = drain(&one, 0);
    let a2 = drain(&two, 1);
    // Horizon 1 h: about 7200 jobs, none at or after it.
    assert!((a1.len() as f64 - 7200.0).abs() < 4.0 * 7200f64.sqrt());
    assert!(a1.iter().all(|j| j.arrival < secs(3600.0)));
    // Kind `a` draws the same jobs whether or not kind `b` exists (seeds by name).
    assert_eq!(a1.len(), a2.len());
    for (x, y) in a1.iter().zip(&a2) {
        assert_eq!((x.arrival, x.req.work), (y.arrival, y.req.work));
    }
}

#[test]
fn kind_pipelines_release_successors_with_lineage() {
    let sc = scenario(
        "  kinds:\n    a:\n      arrival: {process: poisson, rate: 1/s, count: 50}\n      size: {dist: constant, value: 1}\n      then: [b, c]\n    b:\n      size: {dist: exponential, mean: 4}\n      then: [d]\n      deadline: 2s\n    c:\n      size: {dist: constant, value: 7}\n    d:\n      size: {dist: uniform, min: 1, max: 2}\n",
    )
    .unwrap();
    assert_eq!(sc.kinds[0].then, vec![1, 2]);
    let mut w = Workload::new(&sc, 1);
    assert!(w.has_pipelines());
    let mut out = Vec::new();
    let mut b_work = Vec::new();
    let mut ends = 0;
    while let Some(j) = w.next(0) {
        assert_eq!(j.lineage.depth, 0);
        assert_eq!(j.lineage.origin, j.arrival);
        // Completes 0.5 s later: releases b then c, at that instant.
        let done = j.arrival + secs(0.5);
        out.clear();
        assert_eq!(w.release(j.kind, j.lineage, done, &mut out), 2);
        let (b, c) = (out[0], out[1]);
        assert_eq!((b.kind, c.kind), (1, 2));
        assert!(b.arrival == done && c.arrival == done);
        assert_eq!(b.lineage.origin, j.arrival);
        assert_eq!((b.lineage.root, b.lineage.depth), (0, 1));
        assert_eq!(b.req.deadline, Some(2.0));
        assert_eq!(c.req.work, 7.0);
        b_work.push(b.req.work);
        // b releases d (depth 2); c and d end their branches.
        let mut more = Vec::new();
        assert_eq!(w.release(b.kind, b.lineage, done + secs(1.0), &mut more), 1);
        assert_eq!((more[0].kind, more[0].lineage.depth), (3, 2));
        assert!((1.0..=2.0).contains(&more[0].req.work));
        for leaf in [c, more[0]] {
            let mut none = Vec::new();
            assert_eq!(
                w.release(leaf.kind, leaf.lineage, done + secs(2.0), &mut none),
                0
            );
            ends += 1;
        }
    }
    assert_eq!(ends, 100);
    // b's work is drawn from b's own distribution (mean 4).
    let m = b_work.iter().sum::<f64>() / b_work.len() as f64;
    assert!(m > 2.0 && m < 6.5, "{m}");
    let _ = to_secs(0);
}

#[test]
fn job_pipelines_hold_successors_until_release() {
    let sc = scenario(
        "  kinds:\n    a: {}\n    b: {}\n  jobs:\n    - {kind: b, work: 9, after: first}\n    - {kind: a, arrival: 5, work: 1, id: first}\n    - {kind: a, arrival: 1, work: 2}\n",
    )
    .unwrap();
    // Sorted by arrival; the held job follows its predecessor's arrival.
    let arrivals: Vec<f64> = sc.jobs.iter().map(|j| j.arrival).collect();
    assert_eq!(arrivals, vec![1.0, 5.0, 5.0]);
    let held = sc.jobs.iter().position(|j| j.after.is_some()).unwrap();
    let pred = sc.jobs[held].after.unwrap() as usize;
    assert_eq!(sc.jobs[pred].req.work, 1.0);
    let mut w = Workload::new(&sc, 1);
    let listed: Vec<NewJob> = std::iter::from_fn(|| w.next(0)).collect();
    assert_eq!(listed.len(), 2, "the held job is not listed");
    let first = listed.iter().find(|j| j.req.work == 1.0).unwrap();
    let other = listed.iter().find(|j| j.req.work == 2.0).unwrap();
    let mut out = Vec::new();
    assert_eq!(w.release(other.kind, other.lineage, secs(3.0), &mut out), 0);
    assert_eq!(w.release(first.kind, first.lineage, secs(8.0), &mut out), 1);
    assert_eq!(
        (out[0].kind, out[0].req.work, out[0].arrival),
        (1, 9.0, secs(8.0))
    );
    assert_eq!(out[0].lineage.origin, secs(5.0));
    assert_eq!(out[0].lineage.depth, 1);
    let _: Lineage = out[0].lineage;
}

#[test]
fn pipeline_errors_name_the_field() {
    let e = scenario(
        "  kinds:\n    a:\n      arrival: {process: poisson, rate: 1/s}\n      size: {dist: constant, value: 1}\n      then: [b]\n    b:\n      size: {dist: constant, value: 1}\n      then: [a]\n",
    )
    .unwrap_err();
    assert!(
        e.contains("then") && e.contains("cycle") && e.contains("a -> b -> a"),
        "{e}"
    );
    let e = scenario(
        "  kinds:\n    a:\n      arrival: {process: poisson, rate: 1/s}\n      size: {dist: constant, value: 1}\n      then: [b]\n    b: {}\n",
    )
    .unwrap_err();
    assert!(e.contains("kinds.b.size") && e.contains("pipeline"), "{e}");
    let e = scenario(
        "  kinds:\n    a:\n      arrival: {process: poisson, rate: 1/s}\n      size: {dist: constant, value: 1}\n      then: [zz]\n",
    )
    .unwrap_err();
    assert!(e.contains("then[0]") && e.contains("zz"), "{e}");
    let e = scenario("  kinds:\n    a: {}\n  jobs:\n    - {kind: a, work: 1, after: nobody}\n")
        .unwrap_err();
    assert!(e.contains("jobs[0].after"), "{e}");
    let e = scenario(
        "  kinds:\n    a: {}\n  jobs:\n    - {kind: a, work: 1, id: x, after: y}\n    - {kind: a, work: 1, id: y, after: x}\n",
    )
    .unwrap_err();
    assert!(e.contains("cycle"), "{e}");
}
