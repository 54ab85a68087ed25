//! Quantities with human units, as a person writes them in a scenario file.
//!
//! Each type accepts a bare number in its base unit (seconds, watts, bytes, per second,
//! joules) or a string with a unit suffix: `"250ms"`, `"24h"`, `"1.5kW"`, `"64GiB"`,
//! `"20/s"`, `"300/h"`. Values must be finite and non-negative; the check runs while
//! deserializing, so the error carries the file position and field path.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Parses `text` as a number followed by one of `units` (name, factor to the base unit).
/// A bare number is taken in the base unit.
fn parse_with_units(
    text: &str,
    units: &[(&str, f64)],
    what: &'static str,
) -> Result<f64, UnitError> {
    let t = text.trim();
    let split = t
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || c == '.'
                || c == '_'
                || ((c == '-' || c == '+') && (i == 0 || t[..i].ends_with(['e', 'E'])))
                || ((c == 'e' || c == 'E')
                    && t[i + 1..]
                        .starts_with(|d: char| d.is_ascii_digit() || d == '-' || d == '+')
                    && i > 0))
        })
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num = num.replace('_', "");
    let value: f64 = num.parse().map_err(|_| UnitError::NotANumber {
        text: text.to_string(),
        what,
        units: units_hint(units),
    })?;
    // `1e-400` parses as 0: a value the user wrote as non-zero must not vanish.
    let mantissa = num.split(['e', 'E']).next().unwrap_or("");
    if value == 0.0 && mantissa.contains(|c: char| ('1'..='9').contains(&c)) {
        return Err(UnitError::Underflow {
            text: text.to_string(),
            what,
        });
    }
    let unit = unit.trim();
    let factor = if unit.is_empty() {
        1.0
    } else {
        units
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, f)| *f)
            .ok_or_else(|| UnitError::UnknownUnit {
                unit: unit.to_string(),
                text: text.to_string(),
                what,
                units: units_hint(units),
            })?
    };
    Ok(value * factor)
}

fn units_hint(units: &[(&str, f64)]) -> String {
    units.iter().map(|(u, _)| *u).collect::<Vec<_>>().join(", ")
}

/// A quantity that does not parse or is out of range. The text is what the scenario
/// loader shows at the field's position.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum UnitError {
    /// The number part does not parse.
    #[error("`{text}` is not a {what} (expected a number with a unit, e.g. {units})")]
    NotANumber {
        /// The text as written.
        text: String,
        /// What was expected ("duration", "power", ...).
        what: &'static str,
        /// The accepted units, comma-separated.
        units: String,
    },
    /// The unit suffix is not one of the accepted ones.
    #[error("unknown {what} unit `{unit}` in `{text}`; use one of {units}")]
    UnknownUnit {
        /// The unit as written.
        unit: String,
        /// The text as written.
        text: String,
        /// What was expected.
        what: &'static str,
        /// The accepted units, comma-separated.
        units: String,
    },
    /// A non-zero number too small for a 64-bit float (it would read as 0).
    #[error("`{text}` is too small to represent (it would read as 0); write 0 for none")]
    Underflow {
        /// The text as written.
        text: String,
        /// What was expected.
        what: &'static str,
    },
    /// Infinite or NaN.
    #[error("{what} must be a finite number, got {value}")]
    NotFinite {
        /// What was expected.
        what: &'static str,
        /// The value.
        value: f64,
    },
    /// Below zero.
    #[error("{what} must not be negative, got {}", show(*value))]
    Negative {
        /// What was expected.
        what: &'static str,
        /// The value.
        value: f64,
    },
    /// Above the largest accepted value (durations: [`MAX_SECONDS`]).
    #[error(
        "{what} must be at most {max} s (100 years: the clock counts nanoseconds), got {}",
        show(*value)
    )]
    TooLarge {
        /// What was expected.
        what: &'static str,
        /// The limit.
        max: f64,
        /// The value.
        value: f64,
    },
}

fn check(v: f64, what: &'static str) -> Result<f64, UnitError> {
    if !v.is_finite() {
        Err(UnitError::NotFinite { what, value: v })
    } else if v < 0.0 {
        Err(UnitError::Negative { what, value: v })
    } else {
        Ok(v)
    }
}

/// Formats a number for an error message: plainly in the usual range, in scientific
/// notation when it is very large or very small (`1e300`, not 301 digits).
pub fn show(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || !a.is_finite() || (1e-4..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Largest duration or time a scenario may give, in seconds: 100 years.
///
/// The clock counts nanoseconds in a `u64`, which ends after about 584 years; longer
/// values would saturate or overflow it. The margin leaves room for sums such as
/// arrival + deadline. Raise it (below 1.8e10) if you really simulate longer.
pub const MAX_SECONDS: f64 = 100.0 * 365.25 * 86400.0;

/// Finite, non-negative and at most `max`.
fn check_max(v: f64, what: &'static str, max: f64) -> Result<f64, UnitError> {
    let v = check(v, what)?;
    if v > max {
        Err(UnitError::TooLarge {
            what,
            max,
            value: v,
        })
    } else {
        Ok(v)
    }
}

const DURATION_UNITS: &[(&str, f64)] = &[
    ("ns", 1e-9),
    ("us", 1e-6),
    ("µs", 1e-6),
    ("ms", 1e-3),
    ("s", 1.0),
    ("min", 60.0),
    ("h", 3600.0),
    ("d", 86400.0),
];
const POWER_UNITS: &[(&str, f64)] = &[("mW", 1e-3), ("W", 1.0), ("kW", 1e3), ("MW", 1e6)];
const ENERGY_UNITS: &[(&str, f64)] = &[
    ("J", 1.0),
    ("kJ", 1e3),
    ("MJ", 1e6),
    ("Wh", 3600.0),
    ("kWh", 3.6e6),
];
const BYTES_UNITS: &[(&str, f64)] = &[
    ("B", 1.0),
    ("KB", 1e3),
    ("MB", 1e6),
    ("GB", 1e9),
    ("TB", 1e12),
    ("KiB", 1024.0),
    ("MiB", 1048576.0),
    ("GiB", 1073741824.0),
    ("TiB", 1099511627776.0),
];
const RATE_UNITS: &[(&str, f64)] = &[
    ("/s", 1.0),
    ("/min", 1.0 / 60.0),
    ("/h", 1.0 / 3600.0),
    ("/d", 1.0 / 86400.0),
];

macro_rules! quantity {
    ($(#[$doc:meta])* $name:ident, $units:expr, $what:literal) => {
        quantity!($(#[$doc])* $name, $units, $what, f64::INFINITY);
    };
    ($(#[$doc:meta])* $name:ident, $units:expr, $what:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub f64);

        impl $name {
            /// Parses a value such as the scenario file accepts it.
            pub fn parse(text: &str) -> Result<Self, UnitError> {
                parse_with_units(text, $units, $what)
                    .and_then(|v| check_max(v, $what, $max))
                    .map($name)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        write!(f, "a {} (a number or a string with a unit: {})", $what, units_hint($units))
                    }
                    fn visit_f64<E: de::Error>(self, v: f64) -> Result<$name, E> {
                        check_max(v, $what, $max).map($name).map_err(E::custom)
                    }
                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<$name, E> {
                        self.visit_f64(v as f64)
                    }
                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<$name, E> {
                        self.visit_f64(v as f64)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$name, E> {
                        $name::parse(v).map_err(E::custom)
                    }
                }
                d.deserialize_any(V)
            }
        }
    };
}

quantity!(
    /// A duration in seconds (`"250ms"`, `"24h"`, `3.5`), at most [`MAX_SECONDS`].
    Seconds, DURATION_UNITS, "duration", MAX_SECONDS
);
quantity!(
    /// A power in watts (`"300W"`, `"1.5kW"`).
    Watts, POWER_UNITS, "power"
);
quantity!(
    /// An energy in joules (`"5J"`, `"2kWh"`).
    Joules, ENERGY_UNITS, "energy"
);
quantity!(
    /// A size in bytes (`"64GB"`, `"80GiB"`).
    Bytes, BYTES_UNITS, "memory size"
);
quantity!(
    /// A rate in events per second (`"20/s"`, `"300/h"`).
    PerSecond, RATE_UNITS, "rate"
);
quantity!(
    /// A plain non-negative finite number (work units, factors, intensities).
    NonNeg, &[], "number"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_human_units() {
        assert_eq!(Seconds::parse("250ms").unwrap().0, 0.25);
        assert_eq!(Seconds::parse("24h").unwrap().0, 86400.0);
        assert_eq!(Seconds::parse("1.5").unwrap().0, 1.5);
        assert_eq!(Watts::parse("1.5kW").unwrap().0, 1500.0);
        assert_eq!(Watts::parse("300 W").unwrap().0, 300.0);
        assert_eq!(Bytes::parse("2GiB").unwrap().0, 2147483648.0);
        assert_eq!(PerSecond::parse("120/min").unwrap().0, 2.0);
        assert_eq!(Joules::parse("1kWh").unwrap().0, 3.6e6);
        assert_eq!(Seconds::parse("1e3ms").unwrap().0, 1.0);
    }

    #[test]
    fn rejects_bad_values() {
        assert!(
            Seconds::parse("-1s")
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
        assert!(
            Watts::parse("3 parsecs")
                .unwrap_err()
                .to_string()
                .contains("unknown power unit")
        );
        assert!(Seconds::parse("abc").is_err());
        assert!(Seconds::parse("inf").is_err());
        assert!(
            Seconds::parse("1e300")
                .unwrap_err()
                .to_string()
                .contains("at most")
        );
        assert!(Seconds::parse("101 d").is_ok());
    }

    #[test]
    fn signed_exponents_parse_and_underflow_is_refused() {
        assert_eq!(Watts::parse("1e-3kW").unwrap().0, 1.0);
        assert_eq!(Watts::parse("2E+3W").unwrap().0, 2000.0);
        assert_eq!(Watts::parse("0e-400W").unwrap().0, 0.0);
        let e = Watts::parse("1e-400W").unwrap_err().to_string();
        assert!(e.contains("too small to represent"), "{e}");
        assert!(
            Seconds::parse("-1e-3")
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
    }
}
