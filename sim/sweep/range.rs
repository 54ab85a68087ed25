//! Range axes `{from, to, step}`: expansion into values.

use serde::Deserialize;
use serde_json::Value;

/// Most values one range axis may produce.
pub const MAX_RANGE_VALUES: usize = 100_000;

/// A range axis as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRange {
    pub(super) from: f64,
    pub(super) to: f64,
    pub(super) step: f64,
}

/// Decimal places needed to write `x` (its shortest round-trip form), at most 12.
fn decimals(x: f64) -> i32 {
    let s = format!("{x}");
    match s.split_once('.') {
        Some((_, frac)) => (frac.len() as i32).min(12),
        None => 0,
    }
}

/// Expands a range axis; returns the values or a message.
pub(super) fn expand_range(r: &RawRange) -> Result<Vec<Value>, String> {
    let RawRange { from, to, step } = *r;
    if !(from.is_finite() && to.is_finite() && step.is_finite()) {
        return Err("from, to and step must be finite numbers".into());
    }
    if step == 0.0 {
        return Err("step must not be 0".into());
    }
    let span = (to - from) / step;
    if span < -1e-9 {
        return Err(format!(
            "a step of {step} never reaches {to} from {from} (use a {} step)",
            if step > 0.0 { "negative" } else { "positive" }
        ));
    }
    let n = (span + 1e-9).floor() as usize + 1;
    if n > MAX_RANGE_VALUES {
        return Err(format!(
            "range gives {n} values, more than the limit of {MAX_RANGE_VALUES}"
        ));
    }
    let integral = from.fract() == 0.0 && step.fract() == 0.0 && from.abs() < 9e15;
    let d = decimals(from).max(decimals(step));
    let scale = 10f64.powi(d);
    Ok((0..n)
        .map(|i| {
            let x = from + i as f64 * step;
            if integral {
                Value::from(x as i64)
            } else {
                let x = (x * scale).round() / scale;
                serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn range(from: f64, to: f64, step: f64) -> Vec<Value> {
        expand_range(&RawRange { from, to, step }).unwrap()
    }

    #[test]
    fn ranges_expand_inclusively() {
        assert_eq!(
            range(8.0, 14.0, 2.0),
            vec![json!(8), json!(10), json!(12), json!(14)]
        );
        assert_eq!(
            range(0.1, 0.3, 0.1),
            vec![json!(0.1), json!(0.2), json!(0.3)]
        );
        assert_eq!(range(1.0, 2.0, 0.25).len(), 5);
        assert_eq!(range(5.0, 1.0, -2.0), vec![json!(5), json!(3), json!(1)]);
        assert_eq!(range(3.0, 3.0, 1.0), vec![json!(3)]);
        assert!(
            expand_range(&RawRange {
                from: 1.0,
                to: 2.0,
                step: 0.0
            })
            .is_err()
        );
        assert!(
            expand_range(&RawRange {
                from: 2.0,
                to: 1.0,
                step: 1.0
            })
            .is_err()
        );
    }
}
