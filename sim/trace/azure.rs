//! Azure LLM inference trace 2023 (Patel et al., "Splitwise", ISCA'24;
//! `AzurePublicDataset/data/AzureLLMInferenceTrace_{code,conv}.csv`).
//!
//! Columns: `TIMESTAMP` (`2023-11-16 18:17:03.9799600`, sub-second), `ContextTokens`,
//! `GeneratedTokens`. Work is counted in tokens, so a class's speed for these kinds is
//! its token throughput. The mapping:
//!
//! | mode | jobs per request | rule |
//! |---|---|---|
//! | `combined` (default) | one, kind `llm` | work = ContextTokens + decode_weight x GeneratedTokens, in prompt-token units; the speed is the class's prefill throughput (prompt tokens/s) |
//! | `split` | two: kind `prefill`, then kind `decode` | prefill work = ContextTokens (speed: prompt tokens/s); decode work = GeneratedTokens (speed: generated tokens/s), released when the prefill completes (a pipeline, as in Splitwise's phase splitting) |
//!
//! arrival = TIMESTAMP in seconds since midnight of the first request's day (kept
//! small so sub-microsecond digits survive; the scenario shifts the first request to 0).
//!
//! `decode_weight` defaults to [`DEFAULT_DECODE_WEIGHT`] = 20: in Splitwise's measured
//! profiles (`../shared/data/power/splitwise_perf_model.csv`, llama2-70b on DGX-A100,
//! tensor parallel 2, batch 8) a prompt of 8 x 512 tokens takes 1,596 ms (2,566 prompt
//! tokens/s) and one decode step for the batch takes 61.7 ms (130 generated tokens/s),
//! so one generated token costs about 20 prompt tokens of device time. At batch 1 the
//! ratio is about 150 (18 generated tokens/s); H100 rows give about 34 at batch 8.

use super::{Ctx, LlmMode, Options, RecordError, TraceError, TraceJob, column, number};
use std::io::BufRead;

/// Default cost of one generated token in prompt-token units (see the module docs).
pub const DEFAULT_DECODE_WEIGHT: f64 = 20.0;

/// The mapping, one line per rule (for imported files).
pub const MAPPING: &[&str] = &[
    "arrival  = TIMESTAMP (s; shifted so the first request arrives at 0)",
    "combined: one job of kind llm, work = ContextTokens + decode_weight x GeneratedTokens (prompt-token units)",
    "split:    job of kind prefill (work = ContextTokens), then job of kind decode (work = GeneratedTokens) released when the prefill completes",
    "speeds are token throughputs (prompt tokens/s; generated tokens/s for decode)",
];

/// Reads a request trace.
pub fn read(r: Box<dyn BufRead>, ctx: &mut Ctx, opts: &Options) -> Result<(), TraceError> {
    let mut cols = None;
    let mut day0: Option<i64> = None;
    let (llm, prefill, decode) = match opts.mode {
        LlmMode::Combined => (ctx.trace.category("llm"), 0, 0),
        LlmMode::Split => (
            0,
            ctx.trace.category("prefill"),
            ctx.trace.category("decode"),
        ),
    };
    super::each_csv_record(r, ctx, b',', true, |ctx, line, header, rec| {
        let (ct, cc, cg) = match cols {
            Some(c) => c,
            None => {
                let c = (
                    column(ctx, header, "TIMESTAMP")?,
                    column(ctx, header, "ContextTokens")?,
                    column(ctx, header, "GeneratedTokens")?,
                );
                cols = Some(c);
                c
            }
        };
        let ts = rec.get(ct).unwrap_or("").trim();
        let Some((day, sod)) = parse_datetime_parts(ts) else {
            return ctx.malformed(
                line,
                format!("TIMESTAMP: `{ts}` is not a date-time like 2023-11-16 18:17:03.98"),
            );
        };
        let t = (day - *day0.get_or_insert(day)) as f64 * 86400.0 + sod;
        let tokens = |i: usize, name: &str| -> Result<f64, RecordError> {
            let v = number(rec.get(i).unwrap_or(""), name)?;
            if v < 0.0 || v.fract() != 0.0 {
                Err(format!("{name}: `{v}` is not a token count").into())
            } else {
                Ok(v)
            }
        };
        let (ctx_tok, gen_tok) = match (tokens(cc, "ContextTokens"), tokens(cg, "GeneratedTokens"))
        {
            (Ok(a), Ok(b)) => (a, b),
            (Err(m), _) | (_, Err(m)) => return ctx.malformed(line, m),
        };
        let row = ctx.trace.records - 1;
        let job = |category, work, after| TraceJob {
            line,
            arrival: t,
            category,
            work,
            devices: None,
            memory: None,
            deadline: None,
            priority: None,
            estimate: None,
            slack: None,
            after,
            slots: None,
            source_id: Some(row),
        };
        match opts.mode {
            LlmMode::Combined => {
                let w = ctx_tok + opts.decode_weight * gen_tok;
                ctx.trace.jobs.push(job(llm, w, None));
            }
            LlmMode::Split => {
                let i = ctx.trace.jobs.len() as u32;
                ctx.trace.jobs.push(job(prefill, ctx_tok, None));
                ctx.trace.jobs.push(job(decode, gen_tok, Some(i)));
            }
        }
        Ok(())
    })
}

/// Parses `YYYY-MM-DD HH:MM:SS[.fraction]` (or with a `T`) as seconds since
/// 1970-01-01 00:00:00, ignoring time zones.
pub fn parse_datetime(s: &str) -> Option<f64> {
    parse_datetime_parts(s).map(|(d, sod)| d as f64 * 86400.0 + sod)
}

/// Parses a date-time into (days since 1970-01-01, seconds since midnight).
pub fn parse_datetime_parts(s: &str) -> Option<(i64, f64)> {
    let s = s.trim();
    let (date, time) = s.split_once([' ', 'T'])?;
    let mut d = date.splitn(3, '-');
    let y: i64 = d.next()?.parse().ok()?;
    let m: i64 = d.next()?.parse().ok()?;
    let day: i64 = d.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut t = time.splitn(3, ':');
    let hh: i64 = t.next()?.parse().ok()?;
    let mm: i64 = t.next()?.parse().ok()?;
    let ss: f64 = t.next()?.parse().ok()?;
    if !(0..24).contains(&hh) || !(0..60).contains(&mm) || !(0.0..61.0).contains(&ss) {
        return None;
    }
    Some((
        days_from_civil(y, m, day),
        (hh * 3600 + mm * 60) as f64 + ss,
    ))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_datetime;

    #[test]
    fn parses_trace_timestamps() {
        assert_eq!(parse_datetime("1970-01-02 00:00:01"), Some(86401.0));
        // 2023-11-16 is day 19677 since the epoch.
        let t = parse_datetime("2023-11-16 18:17:03.9799600").unwrap();
        assert!((t - (19677.0 * 86400.0 + 18.0 * 3600.0 + 17.0 * 60.0 + 3.97996)).abs() < 1e-6);
        assert_eq!(parse_datetime("2023-13-01 00:00:00"), None);
        assert_eq!(parse_datetime("yesterday"), None);
    }
}
