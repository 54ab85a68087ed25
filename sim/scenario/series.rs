//! Reads time series (carbon intensity, price, power caps) from inline points or CSV.

use super::raw::RawSeries;
use crate::engine::secs;
use crate::signal::Signal;
use std::path::Path;

/// Largest number of rows read from a series CSV.
pub const MAX_SERIES_ROWS: usize = 10_000_000;
/// Largest series CSV file read, bytes (10^7 rows of up to about 100 bytes).
pub const MAX_SERIES_BYTES: u64 = 1 << 30;

/// A series that cannot be built: its settings, its CSV file, or its points.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SeriesError {
    /// The settings contradict each other or miss something.
    #[error("{0}")]
    Settings(&'static str),
    /// The file cannot be used at all (unreadable, not a file, too large).
    #[error("{0}")]
    File(String),
    /// Something about the file as a whole: `<path>: <message>`.
    #[error("{path}: {message}")]
    Content {
        /// The file, as shown.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// One row: `<path> line <line>: <message>`.
    #[error("{path} line {line}: {message}")]
    Line {
        /// The file, as shown.
        path: String,
        /// 1-based line (the header is line 1).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The `start` setting does not parse.
    #[error("`start`: `{0}` is not YYYY-MM-DD HH:MM[:SS]")]
    Start(String),
    /// The points do not make a signal.
    #[error(transparent)]
    Signal(#[from] crate::signal::SignalError),
}

/// Builds a signal from a raw series. `scale` multiplies values; `base` resolves paths.
pub fn build(s: &RawSeries, base: &Path, unit_scale: f64) -> Result<Signal, SeriesError> {
    let scale = s.scale.map_or(1.0, |v| v.0) * unit_scale;
    let period = s.repeat.map(|p| secs(p.0));
    if period == Some(0) {
        return Err(SeriesError::Settings("`repeat` must be positive"));
    }
    let points: Vec<(u64, f64)> = match (&s.points, &s.csv) {
        (Some(_), Some(_)) => {
            return Err(SeriesError::Settings(
                "give either `points` or `csv`, not both",
            ));
        }
        (None, None) => return Err(SeriesError::Settings("a series needs `points` or `csv`")),
        (Some(p), None) => p.iter().map(|(t, v)| (secs(t.0), v.0 * scale)).collect(),
        (None, Some(file)) => read_csv(&base.join(file), s, scale)?,
    };
    Ok(Signal::from_points(&points, period)?)
}

fn read_csv(path: &Path, s: &RawSeries, scale: f64) -> Result<Vec<(u64, f64)>, SeriesError> {
    let shown = path.display();
    let content = |message: String| SeriesError::Content {
        path: shown.to_string(),
        message,
    };
    let line_error = |line: usize, message: String| SeriesError::Line {
        path: shown.to_string(),
        line,
        message,
    };
    // Only a regular file of bounded size: a directory, a device such as /dev/zero or
    // a pipe would fail late or be read without end.
    let meta = std::fs::metadata(path)
        .map_err(|e| SeriesError::File(format!("cannot read series file {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(SeriesError::File(format!(
            "series file {shown} is {}, expected a CSV file",
            if meta.is_dir() {
                "a directory"
            } else {
                "not a regular file"
            }
        )));
    }
    if meta.len() > MAX_SERIES_BYTES {
        return Err(SeriesError::File(format!(
            "series file {shown} is {} bytes, more than the limit of {MAX_SERIES_BYTES}",
            meta.len()
        )));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| SeriesError::File(format!("cannot read series file {shown}: {e}")))?;
    // The file may grow while it is read; never read past the limit.
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(std::io::Read::take(file, MAX_SERIES_BYTES));
    let header = r.headers().map_err(|e| content(e.to_string()))?.clone();
    let col = |name: &Option<String>, default: usize| -> Result<usize, SeriesError> {
        match name {
            None if header.len() > default => Ok(default),
            None => Err(content(format!(
                "expected at least {} columns",
                default + 1
            ))),
            Some(n) => header.iter().position(|h| h.trim() == n).ok_or_else(|| {
                content(format!(
                    "no column `{n}`; columns: {}",
                    header.iter().collect::<Vec<_>>().join(", ")
                ))
            }),
        }
    };
    let tc = col(&s.time_column, 0)?;
    let vc = col(&s.value_column, 1)?;
    let start = match &s.start {
        Some(st) => Some(parse_time(st).ok_or_else(|| SeriesError::Start(st.clone()))?),
        None => None,
    };
    let mut raw: Vec<(f64, f64)> = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| line_error(line, e.to_string()))?;
        if raw.len() >= MAX_SERIES_ROWS {
            return Err(content(format!("more than {MAX_SERIES_ROWS} rows")));
        }
        let ts = rec.get(tc).unwrap_or("").trim();
        let t = parse_time(ts)
            .ok_or_else(|| line_error(line, format!("time `{ts}` is not seconds or a datetime")))?;
        let vs = rec.get(vc).unwrap_or("").trim();
        let v: f64 = vs
            .parse()
            .map_err(|_| line_error(line, format!("value `{vs}` is not a number")))?;
        if !v.is_finite() || v < 0.0 {
            return Err(line_error(
                line,
                format!("value {v} must be finite and non-negative"),
            ));
        }
        raw.push((t, v * scale));
    }
    if raw.is_empty() {
        return Err(content("no rows".into()));
    }
    let t0 = start.unwrap_or(raw[0].0);
    // The value in force at t0 is the last row at or before it.
    let first = raw.iter().rposition(|(t, _)| *t <= t0).unwrap_or(0);
    let mut out: Vec<(u64, f64)> = Vec::with_capacity(raw.len() - first);
    for &(t, v) in &raw[first..] {
        let rel = secs((t - t0).max(0.0));
        match out.last_mut() {
            Some(last) if last.0 == rel => last.1 = v,
            Some(last) if last.0 > rel => {
                return Err(content(format!("times are not increasing near value {v}")));
            }
            _ => out.push((rel, v)),
        }
    }
    Ok(out)
}

/// Parses seconds (`3600`) or a datetime (`2020-01-01 00:30[:00]`, `T` allowed) to
/// seconds since 1970-01-01 (timezone-free).
pub fn parse_time(s: &str) -> Option<f64> {
    if let Ok(v) = s.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    let s = s.trim().trim_end_matches('Z');
    let (date, time) = s.split_once([' ', 'T']).unwrap_or((s, "00:00:00"));
    let mut d = date.split('-').map(|x| x.parse::<i64>());
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    // Calendar years only: a 17-digit year overflowed the day count.
    if !(0..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut tp = time.split(':');
    let h: f64 = tp.next()?.parse().ok()?;
    let mi: f64 = tp.next().unwrap_or("0").parse().ok()?;
    let sec: f64 = tp.next().unwrap_or("0").parse().ok()?;
    if !((0.0..24.0).contains(&h) && (0.0..60.0).contains(&mi) && (0.0..61.0).contains(&sec)) {
        return None;
    }
    Some(days_from_civil(y, m, day) as f64 * 86400.0 + h * 3600.0 + mi * 60.0 + sec)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_datetimes() {
        assert_eq!(parse_time("1970-01-02 00:00:00"), Some(86400.0));
        assert_eq!(parse_time("2020-01-01 00:30"), Some(1577838600.0));
        assert_eq!(parse_time("12.5"), Some(12.5));
        assert_eq!(parse_time("2020-13-01"), None);
        assert_eq!(parse_time("99999999999999999-01-01"), None);
        assert_eq!(parse_time("2020-01-01 25:00"), None);
        assert_eq!(parse_time("2020-01-01 1e300:00"), None);
    }
}
