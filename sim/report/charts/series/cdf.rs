//! Response-time CDFs (exact, then a bounded histogram) and deadlines per kind.

use std::collections::BTreeSet;

/// Smallest positive value the response-time histogram resolves, s (2^-40, below the
/// simulation's 1 ns clock).
const HIST_MIN_EXP: i64 = -40;
/// Octaves covered by the histogram (2^-40 s to 2^40 s).
const HIST_OCTAVES: i64 = 80;
/// Sub-buckets per octave: 2^7, so a bucket is at most 1/128 (0.8 %) wide.
const HIST_SUB_BITS: u32 = 7;

/// Response times of one job kind, reduced to an empirical CDF.
///
/// Up to `exact_limit` values are kept and sorted exactly. Beyond that, values go
/// into a log-spaced histogram with 128 buckets per doubling (bucket width at most
/// 0.8 % of its value), which uses constant memory however many jobs stream past.
#[derive(Clone, Debug)]
pub struct CdfBuilder {
    exact_limit: usize,
    exact: Vec<f64>,
    hist: Option<Vec<u64>>,
    zeros: u64,
    n: u64,
}

/// An empirical CDF ready to draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cdf {
    /// Points `(x, F(x))` where the CDF jumps to `F`, in increasing x; the last F is 1.
    pub points: Vec<(f64, f64)>,
    /// Fraction of values that are 0 (drawn at the left edge on a log axis).
    pub at_zero: f64,
    /// Number of values.
    pub n: u64,
    /// True when every value was kept (else x is a histogram bucket's upper edge).
    pub exact: bool,
}

impl CdfBuilder {
    /// A builder keeping up to `exact_limit` values exactly.
    pub fn new(exact_limit: usize) -> Self {
        CdfBuilder {
            exact_limit,
            exact: Vec::new(),
            hist: None,
            zeros: 0,
            n: 0,
        }
    }

    fn bucket(x: f64) -> usize {
        let shift = 52 - HIST_SUB_BITS;
        let idx = (x.to_bits() >> shift) as i64;
        let base = (2f64.powi(HIST_MIN_EXP as i32).to_bits() >> shift) as i64;
        (idx - base).clamp(0, (HIST_OCTAVES << HIST_SUB_BITS) - 1) as usize
    }

    fn upper_edge(b: usize) -> f64 {
        let shift = 52 - HIST_SUB_BITS;
        let base = 2f64.powi(HIST_MIN_EXP as i32).to_bits() >> shift;
        f64::from_bits((base + b as u64 + 1) << shift)
    }

    /// Adds one value (negative values count as 0; NaN is ignored).
    pub fn push(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.n += 1;
        if x <= 0.0 {
            self.zeros += 1;
            return;
        }
        match &mut self.hist {
            Some(h) => h[Self::bucket(x)] += 1,
            None => {
                self.exact.push(x);
                if self.exact.len() > self.exact_limit {
                    let mut h = vec![0u64; (HIST_OCTAVES << HIST_SUB_BITS) as usize];
                    for &v in &self.exact {
                        h[Self::bucket(v)] += 1;
                    }
                    self.exact = Vec::new();
                    self.hist = Some(h);
                }
            }
        }
    }

    fn histogram(&mut self) -> &mut Vec<u64> {
        if self.hist.is_none() {
            let mut h = vec![0u64; (HIST_OCTAVES << HIST_SUB_BITS) as usize];
            for &v in &self.exact {
                h[Self::bucket(v)] += 1;
            }
            self.exact = Vec::new();
            self.hist = Some(h);
        }
        self.hist.as_mut().expect("just built")
    }

    /// Adds the values of another builder. The result is the same as pushing every
    /// value into one builder, in any order.
    pub fn merge(&mut self, mut other: CdfBuilder) {
        self.n += other.n;
        self.zeros += other.zeros;
        if self.hist.is_none()
            && other.hist.is_none()
            && self.exact.len() + other.exact.len() <= self.exact_limit
        {
            self.exact.extend(other.exact);
            return;
        }
        let theirs = std::mem::take(other.histogram());
        for (a, b) in self.histogram().iter_mut().zip(theirs) {
            *a += b;
        }
    }

    /// Number of values added.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// True when no value was added.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The CDF.
    pub fn finish(mut self) -> Cdf {
        let n = self.n;
        let nf = n.max(1) as f64;
        let mut points = Vec::new();
        let mut seen = self.zeros;
        let exact = self.hist.is_none();
        match self.hist {
            None => {
                self.exact.sort_by(f64::total_cmp);
                for (i, &x) in self.exact.iter().enumerate() {
                    let f = (seen + i as u64 + 1) as f64 / nf;
                    // Equal values make one jump.
                    match points.last_mut() {
                        Some((px, pf)) if *px == x => *pf = f,
                        _ => points.push((x, f)),
                    }
                }
            }
            Some(h) => {
                for (b, &c) in h.iter().enumerate() {
                    if c > 0 {
                        seen += c;
                        points.push((Self::upper_edge(b), seen as f64 / nf));
                    }
                }
            }
        }
        // Guard against rounding: the CDF ends at exactly 1.
        if let Some(last) = points.last_mut() {
            last.1 = 1.0;
        }
        Cdf {
            points,
            at_zero: if n > 0 { self.zeros as f64 / nf } else { 0.0 },
            n,
            exact,
        }
    }
}

/// Relative deadlines seen for one job kind (rounded to the 1 ns clock), up to a few
/// distinct values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Deadlines {
    values_ns: BTreeSet<i64>,
    /// True when more than [`Deadlines::MAX`] distinct values were seen.
    pub varied: bool,
    /// Jobs with a deadline.
    pub with_deadline: u64,
    /// Jobs that met their deadline.
    pub met: u64,
}

impl Deadlines {
    /// Distinct deadlines kept for marking on a chart.
    pub const MAX: usize = 4;

    /// Records one job's relative deadline (s) and whether it was met.
    pub fn add(&mut self, relative_s: f64, met: bool) {
        self.with_deadline += 1;
        if met {
            self.met += 1;
        }
        if !self.varied {
            self.values_ns.insert((relative_s * 1e9).round() as i64);
            if self.values_ns.len() > Self::MAX {
                self.varied = true;
                self.values_ns.clear();
            }
        }
    }

    /// Adds the deadlines recorded by another set.
    pub fn merge(&mut self, other: Deadlines) {
        self.with_deadline += other.with_deadline;
        self.met += other.met;
        self.varied |= other.varied;
        if self.varied {
            self.values_ns.clear();
            return;
        }
        self.values_ns.extend(other.values_ns);
        if self.values_ns.len() > Self::MAX {
            self.varied = true;
            self.values_ns.clear();
        }
    }

    /// The distinct relative deadlines, s (empty when none or when they vary).
    pub fn values_s(&self) -> Vec<f64> {
        self.values_ns.iter().map(|&v| v as f64 / 1e9).collect()
    }
}
