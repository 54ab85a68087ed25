//! Iteration time from measured profiles: piecewise-linear curves over
//! x = prompt size x batch size, built from the Splitwise performance-model CSV.
//!
//! For one (model, hardware, tensor parallelism) the rows are grouped by x; each group
//! gives the median of its times (ms in the file, seconds here). Between the points of
//! a curve the value is linear, beyond them it extends the first or last segment, as
//! `scipy.interpolate.interp1d(..., fill_value="extrapolate")` does in splitwise-sim.

/// A piecewise-linear curve with linear extrapolation.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    xs: Vec<f64>,
    ys: Vec<f64>,
}

impl Curve {
    /// A curve through `points` (x strictly increasing after sorting; duplicate x are
    /// an error). Needs at least one point.
    pub fn new(mut points: Vec<(f64, f64)>) -> Result<Curve, String> {
        if points.is_empty() {
            return Err("a curve needs at least one point".into());
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        if points.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err("two points of a curve share the same x".into());
        }
        Ok(Curve {
            xs: points.iter().map(|p| p.0).collect(),
            ys: points.iter().map(|p| p.1).collect(),
        })
    }

    /// The curve's points.
    pub fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.xs.iter().copied().zip(self.ys.iter().copied())
    }

    /// The value at `x`: linear between neighbouring points, the first or last
    /// segment extended outside them.
    pub fn at(&self, x: f64) -> f64 {
        let n = self.xs.len();
        if n == 1 {
            return self.ys[0];
        }
        // Index of the segment's upper point, clamped to [1, n-1].
        let hi = self.xs.partition_point(|&v| v < x).clamp(1, n - 1);
        let (x0, x1, y0, y1) = (self.xs[hi - 1], self.xs[hi], self.ys[hi - 1], self.ys[hi]);
        let slope = (y1 - y0) / (x1 - x0);
        slope * (x - x0) + y0
    }
}

/// One row of the profile file.
#[derive(Clone, Debug)]
pub struct ProfileRow {
    /// Model name (`llama2-70b`).
    pub model: String,
    /// Hardware name (`a100-80gb`).
    pub hardware: String,
    /// Tensor parallelism (devices per instance).
    pub tensor_parallel: u32,
    /// Prompt size, tokens.
    pub prompt_size: u64,
    /// Batch size, requests.
    pub batch_size: u64,
    /// Peak power, fraction of TDP (0 where not measured).
    pub peak_power: f64,
    /// Average power, fraction of TDP (0 where not measured).
    pub average_power: f64,
    /// Prompt (prefill) time, ms.
    pub prompt_time_ms: f64,
    /// Time per generated token, ms.
    pub token_time_ms: f64,
}

/// A parse error of the profile file: 1-based line, column name, message.
#[derive(Clone, Debug, PartialEq)]
pub struct RowError {
    /// Line in the file (1-based; the header is line 1).
    pub line: usize,
    /// Column the error is about.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

const COLUMNS: [&str; 9] = [
    "model",
    "hardware",
    "tensor_parallel",
    "prompt_size",
    "batch_size",
    "peak_power",
    "average_power",
    "prompt_time",
    "token_time",
];

/// Parses the profile CSV (the columns above, any order, others ignored).
pub fn parse_rows(text: &str) -> Result<Vec<ProfileRow>, RowError> {
    let mut lines = text.lines().enumerate();
    let err = |line: usize, field: &str, message: String| RowError {
        line,
        field: field.into(),
        message,
    };
    let (_, header) = lines
        .next()
        .ok_or_else(|| err(1, "header", "empty file".into()))?;
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    let mut idx = [0usize; 9];
    for (i, c) in COLUMNS.iter().enumerate() {
        idx[i] = names
            .iter()
            .position(|n| n == c)
            .ok_or_else(|| err(1, c, format!("missing column `{c}`")))?;
    }
    let mut rows = Vec::new();
    for (i, l) in lines {
        let line = i + 1;
        if l.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = l.split(',').map(str::trim).collect();
        let get = |k: usize| -> Result<&str, RowError> {
            f.get(idx[k])
                .copied()
                .ok_or_else(|| err(line, COLUMNS[k], "missing value".into()))
        };
        let num = |k: usize| -> Result<f64, RowError> {
            let s = get(k)?;
            let v: f64 = s
                .parse()
                .map_err(|_| err(line, COLUMNS[k], format!("`{s}` is not a number")))?;
            if !v.is_finite() || v < 0.0 {
                return Err(err(
                    line,
                    COLUMNS[k],
                    format!("`{s}` must be finite and >= 0"),
                ));
            }
            Ok(v)
        };
        let int = |k: usize| -> Result<u64, RowError> {
            let s = get(k)?;
            s.parse()
                .map_err(|_| err(line, COLUMNS[k], format!("`{s}` is not a whole number")))
        };
        rows.push(ProfileRow {
            model: get(0)?.to_string(),
            hardware: get(1)?.to_string(),
            tensor_parallel: int(2)? as u32,
            prompt_size: int(3)?,
            batch_size: int(4)?,
            peak_power: num(5)?,
            average_power: num(6)?,
            prompt_time_ms: num(7)?,
            token_time_ms: num(8)?,
        });
    }
    Ok(rows)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The curves and measured power of one (model, hardware, tensor parallelism).
#[derive(Clone, Debug)]
pub struct Profile {
    /// Prefill time (s) against prompt size x batch size.
    pub prompt: Curve,
    /// Decode-iteration time (s) against prompt size x batch size (what it is fitted
    /// on; splitwise-sim queries it with the number of decodes in the batch).
    pub token: Curve,
    /// Median peak power over the rows that measured it, fraction of TDP.
    pub peak_power: Option<f64>,
    /// Median average power over the rows that measured it, fraction of TDP.
    pub average_power: Option<f64>,
}

/// Builds the profile of (model, hardware, tp) from parsed rows; `None` if no row
/// matches.
pub fn profile(rows: &[ProfileRow], model: &str, hardware: &str, tp: u32) -> Option<Profile> {
    use std::collections::BTreeMap;
    let mut groups: BTreeMap<u64, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    let (mut peak, mut avg) = (Vec::new(), Vec::new());
    for r in rows
        .iter()
        .filter(|r| r.model == model && r.hardware == hardware && r.tensor_parallel == tp)
    {
        let g = groups.entry(r.prompt_size * r.batch_size).or_default();
        g.0.push(r.prompt_time_ms / 1000.0);
        g.1.push(r.token_time_ms / 1000.0);
        if r.peak_power > 0.0 {
            peak.push(r.peak_power);
        }
        if r.average_power > 0.0 {
            avg.push(r.average_power);
        }
    }
    if groups.is_empty() {
        return None;
    }
    let mut p = Vec::new();
    let mut t = Vec::new();
    for (x, (mut a, mut b)) in groups {
        p.push((x as f64, median(&mut a)));
        t.push((x as f64, median(&mut b)));
    }
    Some(Profile {
        prompt: Curve::new(p).expect("distinct x"),
        token: Curve::new(t).expect("distinct x"),
        peak_power: (!peak.is_empty()).then(|| median(&mut peak)),
        average_power: (!avg.is_empty()).then(|| median(&mut avg)),
    })
}

/// What an iteration's batch holds, for its duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IterKind {
    /// Prefills only.
    Prefill,
    /// Decodes only.
    Decode,
    /// Both.
    Mixed,
}

impl Profile {
    /// Duration (s) of one iteration of `kind` with `batch_tokens` = sum of prompt
    /// sizes + number of decodes: prefill-only on the prompt curve, decode-only on the
    /// token curve, mixed 1.1 x the prompt curve.
    pub fn iteration(&self, kind: IterKind, batch_tokens: u64) -> f64 {
        let x = batch_tokens as f64;
        match kind {
            IterKind::Prefill => self.prompt.at(x),
            IterKind::Decode => self.token.at(x),
            IterKind::Mixed => self.prompt.at(x) * 1.1,
        }
    }
}
