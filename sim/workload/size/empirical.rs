//! Resampling of observed values read from a CSV column. With `interpolate`, a draw
//! is a linear interpolation between neighbouring order statistics (a continuous
//! version of the empirical distribution); without, one of the values uniformly.

use super::{Checks, Sampler};
use crate::model::{FieldError, SizeDist};
use crate::trace::{self, TraceError};
use rand::{Rng, RngExt};
use std::path::Path;
use std::sync::Arc;

/// Settings an empirical distribution takes.
pub(super) const FIELDS: &[&str] = &["file", "column", "scale", "interpolate"];

/// Raw settings to the model (reads the file).
pub(super) fn validate(c: &Checks) -> Result<SizeDist, FieldError> {
    let (s, p) = (c.s, c.p);
    let file = s.file.as_ref().ok_or_else(|| {
        FieldError::new(format!("{p}.file"), "missing `file` for dist `empirical`")
    })?;
    let factor = match s.scale {
        None => 1.0,
        Some(v) if v.0 > 0.0 => v.0,
        Some(_) => {
            return Err(FieldError::new(
                format!("{p}.scale"),
                "`scale` must be positive",
            ));
        }
    };
    let mut samples = read_samples(&c.base.join(file), s.column.as_deref())
        .map_err(|e| FieldError::new(format!("{p}.{}", e.field()), e.to_string()))?;
    for v in &mut samples {
        *v *= factor;
    }
    samples.sort_by(f64::total_cmp);
    Ok(SizeDist::Empirical {
        samples: Arc::from(samples),
        interpolate: s.interpolate.unwrap_or(false),
    })
}

/// A samples file that cannot be used. [`SamplesError::field`] names the setting it
/// is about (`file` or `column`).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SamplesError {
    /// The file cannot be opened.
    #[error(transparent)]
    Open(#[from] TraceError),
    /// The header does not read.
    #[error("{path}: cannot read the header: {message}")]
    Header {
        /// The file, as shown.
        path: String,
        /// The CSV reader's message.
        message: String,
    },
    /// No column of that name.
    #[error("{path} has no column `{column}` (columns: {columns})")]
    NoColumn {
        /// The file, as shown.
        path: String,
        /// The column asked for.
        column: String,
        /// The header's columns, comma-separated.
        columns: String,
    },
    /// A record does not read.
    #[error("{path}: {message}")]
    Record {
        /// The file, as shown.
        path: String,
        /// The CSV reader's message.
        message: String,
    },
    /// A cell is not a number.
    #[error("{path}:{line}: `{cell}` is not a number")]
    NotANumber {
        /// The file, as shown.
        path: String,
        /// 1-based line.
        line: u64,
        /// The cell's text.
        cell: String,
    },
    /// A cell is negative or not finite.
    #[error("{path}:{line}: {value} is not a non-negative number")]
    OutOfRange {
        /// The file, as shown.
        path: String,
        /// 1-based line.
        line: u64,
        /// The value.
        value: f64,
    },
    /// No values at all.
    #[error("{path}: no samples")]
    Empty {
        /// The file, as shown.
        path: String,
    },
}

impl SamplesError {
    /// The setting the error is about: `column` for a missing column, else `file`.
    pub fn field(&self) -> &'static str {
        match self {
            SamplesError::NoColumn { .. } => "column",
            _ => "file",
        }
    }
}

/// Reads one column of a CSV file with a header as non-negative numbers.
pub fn read_samples(path: &Path, column: Option<&str>) -> Result<Vec<f64>, SamplesError> {
    let shown = path.display().to_string();
    let r = trace::open(path)?;
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(r);
    let header = rdr
        .headers()
        .map_err(|e| SamplesError::Header {
            path: shown.clone(),
            message: e.to_string(),
        })?
        .clone();
    let col = match column {
        None => 0,
        Some(c) => {
            header
                .iter()
                .position(|h| h.trim() == c)
                .ok_or_else(|| SamplesError::NoColumn {
                    path: shown.clone(),
                    column: c.to_string(),
                    columns: header.iter().collect::<Vec<_>>().join(", "),
                })?
        }
    };
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| SamplesError::Record {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let line = rec.position().map_or(0, |p| p.line());
        let cell = rec.get(col).unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        let v: f64 = cell.parse().map_err(|_| SamplesError::NotANumber {
            path: shown.clone(),
            line,
            cell: cell.to_string(),
        })?;
        if !v.is_finite() || v < 0.0 {
            return Err(SamplesError::OutOfRange {
                path: shown,
                line,
                value: v,
            });
        }
        out.push(v);
    }
    if out.is_empty() {
        return Err(SamplesError::Empty { path: shown });
    }
    Ok(out)
}

/// The sampler.
pub(super) fn sampler(samples: &Arc<[f64]>, interpolate: bool) -> Sampler {
    Sampler::Empirical(samples.clone(), interpolate)
}

/// One draw from sorted samples `s`.
pub(super) fn sample<R: Rng + ?Sized>(s: &[f64], interpolate: bool, rng: &mut R) -> f64 {
    let n = s.len();
    if n == 1 {
        return s[0];
    }
    let u: f64 = rng.random();
    if interpolate {
        let x = u * (n - 1) as f64;
        let i = (x as usize).min(n - 2);
        let f = x - i as f64;
        s[i] + f * (s[i + 1] - s[i])
    } else {
        s[((u * n as f64) as usize).min(n - 1)]
    }
}
