//! Sample statistics for sweep points: mean, standard deviation, and the Student-t
//! confidence interval (the t quantile computed here, no statistics crate).

/// Mean, sample standard deviation and 95% confidence half-width of some values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stat {
    /// Number of values.
    pub n: usize,
    /// Arithmetic mean (summed in the given order, so it is reproducible).
    pub mean: f64,
    /// Sample standard deviation (divisor n-1); `None` for fewer than two values.
    pub std: Option<f64>,
    /// Half-width of the 95% Student-t confidence interval of the mean,
    /// `t(0.975, n-1) * std / sqrt(n)`; `None` for fewer than two values.
    pub ci95: Option<f64>,
}

impl Stat {
    /// Statistics of `values`; `None` when empty.
    pub fn of(values: &[f64]) -> Option<Stat> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Some(Stat {
                n,
                mean,
                std: None,
                ci95: None,
            });
        }
        let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        let std = (ss / (n - 1) as f64).sqrt();
        let ci = t_quantile(0.975, (n - 1) as f64) * std / (n as f64).sqrt();
        Some(Stat {
            n,
            mean,
            std: Some(std),
            ci95: Some(ci),
        })
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error below 1e-14).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularized incomplete beta function I_x(a, b), by its continued fraction
/// (modified Lentz), for a, b > 0 and 0 <= x <= 1.
pub fn inc_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    // The continued fraction converges fast for x < (a+1)/(a+b+2); use symmetry otherwise.
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_cf(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_cf(1.0 - x, b, a) / b
    }
}

fn beta_cf(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=500 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// CDF of Student's t distribution with `df` degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    let tail = 0.5 * inc_beta(x, 0.5 * df, 0.5);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// Quantile of Student's t distribution: the `t` with `t_cdf(t, df) = p`, for
/// 0 < p < 1 and df > 0. Bisection on the CDF to a relative 1e-15, so the result is
/// exact to about 12 significant digits (tested against published tables).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    assert!(p > 0.0 && p < 1.0 && df > 0.0, "t_quantile({p}, {df})");
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    if p == 0.5 {
        return 0.0;
    }
    let mut lo = 0.0;
    let mut hi = 1.0;
    while t_cdf(hi, df) < p {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-15 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol * b.abs().max(1.0), "{a} vs {b}");
    }

    #[test]
    fn t_quantiles_match_tables() {
        // R: qt(0.975, df) / scipy.stats.t.ppf(0.975, df).
        let table = [
            (1.0, 12.706_204_736_174_707),
            (2.0, 4.302_652_729_749_464),
            (3.0, 3.182_446_305_284_263),
            (4.0, 2.776_445_105_197_793),
            (5.0, 2.570_581_835_636_314),
            (9.0, 2.262_157_162_798_205),
            (10.0, 2.228_138_851_986_274),
            (29.0, 2.045_229_642_132_703),
            (30.0, 2.042_272_456_301_238),
            (100.0, 1.983_971_518_523_552),
            (1000.0, 1.962_339_080_826_408), // Cornish-Fisher to 1/df^4
        ];
        for (df, t) in table {
            close(t_quantile(0.975, df), t, 1e-10);
        }
        // Closed forms: df=1 is Cauchy, df=2 has t = (2p-1)/sqrt(2p(1-p)).
        close(
            t_quantile(0.975, 1.0),
            (std::f64::consts::PI * 0.475).tan(),
            1e-12,
        );
        close(
            t_quantile(0.975, 2.0),
            0.95 / (2.0f64 * 0.975 * 0.025).sqrt(),
            1e-12,
        );
        close(t_quantile(0.995, 5.0), 4.032_142_983_557_536, 1e-10);
        close(t_quantile(0.025, 10.0), -2.228_138_851_986_274, 1e-10);
        // Large df tends to the normal quantile.
        close(t_quantile(0.975, 1e7), 1.959_963_984_540_054, 1e-6);
    }

    #[test]
    fn ln_gamma_known_values() {
        close(ln_gamma(1.0), 0.0, 1e-14);
        close(ln_gamma(5.0), 24f64.ln(), 1e-14);
        close(ln_gamma(0.5), std::f64::consts::PI.sqrt().ln(), 1e-14);
    }

    #[test]
    fn stat_of_small_samples() {
        assert_eq!(Stat::of(&[]), None);
        let one = Stat::of(&[3.0]).unwrap();
        assert_eq!((one.n, one.mean, one.std, one.ci95), (1, 3.0, None, None));
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7.
        let s = Stat::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(s.mean, 5.0);
        close(s.std.unwrap(), (32.0f64 / 7.0).sqrt(), 1e-15);
        close(
            s.ci95.unwrap(),
            2.364_624_251_592_785 * (32.0f64 / 7.0).sqrt() / 8f64.sqrt(),
            1e-10,
        );
    }
}
