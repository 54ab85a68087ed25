//! Request streams: the Azure LLM inference traces replayed by timestamp,
//! splitwise-sim's trace CSV read verbatim, and a seeded Poisson stream drawing
//! (prompt, output) pairs from a trace.
//!
//! Parsers take text and return rows or a [`RowError`] (line, column, message); the
//! scenario layer reads the files and names them in its errors.

pub use super::perf::RowError;
use rand::RngExt;

/// One request row: arrival (s), prompt tokens, output tokens, optional id.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    /// Request id from the file, if it has one.
    pub id: Option<u64>,
    /// Arrival, s from the trace's first request (Azure) or as written.
    pub arrival: f64,
    /// Prompt tokens.
    pub prompt: u32,
    /// Output tokens (at least 1).
    pub output: u32,
}

fn err(line: usize, field: &str, message: impl Into<String>) -> RowError {
    RowError {
        line,
        field: field.into(),
        message: message.into(),
    }
}

fn columns(header: &str, want: &[&str]) -> Result<Vec<usize>, RowError> {
    let names: Vec<&str> = header
        .split(',')
        .map(|s| s.trim().trim_start_matches('\u{feff}'))
        .collect();
    want.iter()
        .map(|c| {
            names
                .iter()
                .position(|n| n == c)
                .ok_or_else(|| err(1, c, format!("missing column `{c}` (header: {header})")))
        })
        .collect()
}

fn tokens(s: &str, line: usize, field: &str, min: u32) -> Result<u32, RowError> {
    let v: u32 = s.parse().map_err(|_| {
        err(
            line,
            field,
            format!("`{s}` is not a whole number of tokens"),
        )
    })?;
    if v < min {
        return Err(err(line, field, format!("{v} tokens, fewer than {min}")));
    }
    Ok(v)
}

/// Seconds since midnight of `YYYY-MM-DD HH:MM:SS[.fraction]` plus days since
/// 2000-01-01 x 86,400 (only differences are used).
fn timestamp(s: &str) -> Option<f64> {
    let (date, time) = s.trim().split_once(' ')?;
    let mut d = date.split('-').map(|x| x.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':');
    let (h, mi, sec) = (
        t.next()?.parse::<i64>().ok()?,
        t.next()?.parse::<i64>().ok()?,
        t.next()?.parse::<f64>().ok()?,
    );
    if !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || h > 23
        || mi > 59
        || !(0.0..61.0).contains(&sec)
    {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 730_485;
    Some(days as f64 * 86_400.0 + (h * 3600 + mi * 60) as f64 + sec)
}

/// Azure LLM trace (`TIMESTAMP,ContextTokens,GeneratedTokens`): arrivals relative to
/// the first row; rows must be in time order.
pub fn parse_azure(text: &str) -> Result<Vec<Row>, RowError> {
    let mut lines = text.lines().enumerate();
    let (_, header) = lines.next().ok_or_else(|| err(1, "header", "empty file"))?;
    let c = columns(header, &["TIMESTAMP", "ContextTokens", "GeneratedTokens"])?;
    let mut rows = Vec::new();
    let mut t0 = None;
    let mut last = f64::NEG_INFINITY;
    for (i, l) in lines {
        let line = i + 1;
        if l.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = l.split(',').collect();
        let get = |k: usize, name: &str| {
            f.get(c[k])
                .map(|s| s.trim())
                .ok_or_else(|| err(line, name, "missing value"))
        };
        let ts = get(0, "TIMESTAMP")?;
        let t = timestamp(ts).ok_or_else(|| {
            err(
                line,
                "TIMESTAMP",
                format!("`{ts}` is not YYYY-MM-DD HH:MM:SS.fraction"),
            )
        })?;
        if t < last {
            return Err(err(
                line,
                "TIMESTAMP",
                "earlier than the row before (the trace must be in time order)",
            ));
        }
        last = t;
        let t0 = *t0.get_or_insert(t);
        rows.push(Row {
            id: None,
            arrival: t - t0,
            prompt: tokens(get(1, "ContextTokens")?, line, "ContextTokens", 1)?,
            output: tokens(get(2, "GeneratedTokens")?, line, "GeneratedTokens", 1)?,
        });
    }
    Ok(rows)
}

/// splitwise-sim's trace CSV (`request_id, request_type, application_id,
/// arrival_timestamp, batch_size, prompt_size, token_size`), read verbatim; rows may
/// be in any order (they are sorted by arrival, stably).
pub fn parse_splitwise(text: &str) -> Result<Vec<Row>, RowError> {
    let mut lines = text.lines().enumerate();
    let (_, header) = lines.next().ok_or_else(|| err(1, "header", "empty file"))?;
    let c = columns(
        header,
        &[
            "request_id",
            "arrival_timestamp",
            "prompt_size",
            "token_size",
            "batch_size",
        ],
    )?;
    let mut rows = Vec::new();
    for (i, l) in lines {
        let line = i + 1;
        if l.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = l.split(',').collect();
        let get = |k: usize, name: &str| {
            f.get(c[k])
                .map(|s| s.trim())
                .ok_or_else(|| err(line, name, "missing value"))
        };
        let id_s = get(0, "request_id")?;
        let id = id_s.parse::<u64>().map_err(|_| {
            err(
                line,
                "request_id",
                format!("`{id_s}` is not a whole number"),
            )
        })?;
        let a = get(1, "arrival_timestamp")?;
        let arrival: f64 = a
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                err(
                    line,
                    "arrival_timestamp",
                    format!("`{a}` is not a time >= 0 in seconds"),
                )
            })?;
        let bs = get(4, "batch_size")?;
        if bs != "1" {
            return Err(err(
                line,
                "batch_size",
                format!("batch_size {bs}: only 1 is supported"),
            ));
        }
        rows.push(Row {
            id: Some(id),
            arrival,
            prompt: tokens(get(2, "prompt_size")?, line, "prompt_size", 1)?,
            output: tokens(get(3, "token_size")?, line, "token_size", 1)?,
        });
    }
    rows.sort_by(|a, b| a.arrival.total_cmp(&b.arrival));
    Ok(rows)
}

/// A Poisson stream of `rate` requests/s over `[0, duration)`, each drawing a
/// (prompt, output) pair uniformly with replacement from `pairs`, from a ChaCha8
/// generator seeded with `seed`.
pub fn poisson(pairs: &[Row], rate: f64, duration: f64, seed: u64) -> Vec<Row> {
    use rand::SeedableRng;
    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    let mut t = 0.0;
    if pairs.is_empty() || rate <= 0.0 {
        return out;
    }
    loop {
        let u: f64 = rng.random();
        t += -(1.0 - u).ln() / rate;
        if t >= duration {
            return out;
        }
        let p = pairs[rng.random_range(0..pairs.len())];
        out.push(Row {
            id: Some(out.len() as u64),
            arrival: t,
            prompt: p.prompt,
            output: p.output,
        });
    }
}
