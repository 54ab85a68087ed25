//! Special functions and moments behind [`super::SizeDist`]'s mean and variance.

/// Standard normal density.
pub fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal distribution function, through the complementary error function
/// (relative error below 1.2e-7).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, relative error
/// below 1.2e-7 everywhere).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Mean and variance of Normal(mu, sd) truncated to [a, b], and the probability mass
/// kept, `(mean, variance, kept)`.
pub fn truncated_normal_moments(mu: f64, sd: f64, a: f64, b: f64) -> (f64, f64, f64) {
    let alpha = (a - mu) / sd;
    let beta = (b - mu) / sd;
    let (pa, pb) = (
        normal_pdf(alpha),
        if b.is_finite() { normal_pdf(beta) } else { 0.0 },
    );
    let z = normal_cdf(beta) - normal_cdf(alpha);
    let ta = if alpha.is_finite() { alpha * pa } else { 0.0 };
    let tb = if beta.is_finite() { beta * pb } else { 0.0 };
    let mean = mu + sd * (pa - pb) / z;
    let var = sd * sd * (1.0 + (ta - tb) / z - ((pa - pb) / z).powi(2));
    (mean, var, z)
}

/// Gamma function (Lanczos approximation, g = 7, 9 terms; relative error ~1e-15).
pub fn gamma_fn(x: f64) -> f64 {
    const G: [f64; 9] = [
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
        std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma_fn(1.0 - x))
    } else {
        let x = x - 1.0;
        let mut a = G[0];
        let t = x + 7.5;
        for (i, g) in G.iter().enumerate().skip(1) {
            a += g / (x + i as f64);
        }
        (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
    }
}

/// k-th raw moment of a Pareto(shape, scale), bounded above by `max` when given.
pub(super) fn pareto_moment(alpha: f64, xm: f64, max: Option<f64>, k: f64) -> f64 {
    match max {
        None => {
            if alpha <= k {
                f64::INFINITY
            } else {
                alpha * xm.powf(k) / (alpha - k)
            }
        }
        Some(h) => {
            let l = xm;
            let norm = 1.0 - (l / h).powf(alpha);
            if (alpha - k).abs() < 1e-12 {
                alpha * l.powf(alpha) * (h / l).ln() / norm
            } else {
                alpha * l.powf(alpha) * (h.powf(k - alpha) - l.powf(k - alpha))
                    / ((k - alpha) * norm)
            }
        }
    }
}
