//! Fonts, colours, units and number formats shared by every chart and HTML page (run,
//! compare and sweep).

use plotters::style::{FontStyle, RGBColor};
use std::sync::Once;

/// Font family written into charts. It is registered with the bundled DejaVu Sans, so
/// text layout never needs system fonts; in SVG it also names fallbacks a browser has.
pub const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

/// Registers the bundled DejaVu Sans under [`FAMILY`] and `sans-serif` (plotters'
/// default family), once per process. ab_glyph has no fallback font, so a family that
/// was never registered fails at draw time.
pub fn register_fonts() {
    static FONTS: Once = Once::new();
    FONTS.call_once(|| {
        for fam in [FAMILY, "sans-serif"] {
            let ok =
                plotters::style::register_font(fam, FontStyle::Normal, dejavu::sans::regular())
                    .is_ok()
                    && plotters::style::register_font(fam, FontStyle::Bold, dejavu::sans::bold())
                        .is_ok();
            // The font is compiled in; failing to parse it is a build defect.
            assert!(ok, "bundled DejaVu Sans font is invalid");
        }
    });
}

/// Colours of device classes, by class index (file order), cycling. Okabe-Ito, which
/// colour-blind readers can tell apart; the same class has the same colour on every
/// chart of a run.
pub const CLASS_COLORS: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
    RGBColor(110, 110, 110),
];

/// Colours of job kinds, by kind index, cycling (Tableau 10, distinct from the class
/// colours in hue order).
pub const KIND_COLORS: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(225, 87, 89),
    RGBColor(89, 161, 79),
    RGBColor(176, 122, 161),
    RGBColor(242, 142, 43),
    RGBColor(118, 183, 178),
    RGBColor(237, 201, 72),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
];

/// Colours of sweep series (classic Tableau 10), cycled. Sweep charts keep their own
/// palette so a sweep's lines never look like a run's device classes.
pub const SERIES_COLORS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Colour of sweep series `i`.
pub fn series_color(i: usize) -> RGBColor {
    SERIES_COLORS[i % SERIES_COLORS.len()]
}

/// Colour of device class `i`.
pub fn class_color(i: usize) -> RGBColor {
    CLASS_COLORS[i % CLASS_COLORS.len()]
}

/// Colour of job kind `i`.
pub fn kind_color(i: usize) -> RGBColor {
    KIND_COLORS[i % KIND_COLORS.len()]
}

/// Colour of run `i` in comparisons.
pub fn run_color(i: usize) -> RGBColor {
    class_color(i)
}

/// CSS `#rrggbb` of a colour.
pub fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// A display unit: divide base-unit values by `div` and write `label`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unit {
    /// Base units per display unit.
    pub div: f64,
    /// Unit symbol.
    pub label: &'static str,
}

/// Time unit for an axis that ends at `end_s`: seconds up to 5 min, minutes up to
/// 3 h, hours up to 3 days, else days.
pub fn time_unit(end_s: f64) -> Unit {
    match end_s {
        e if e <= 300.0 => Unit {
            div: 1.0,
            label: "s",
        },
        e if e <= 3.0 * 3600.0 => Unit {
            div: 60.0,
            label: "min",
        },
        e if e <= 3.0 * 86400.0 => Unit {
            div: 3600.0,
            label: "h",
        },
        _ => Unit {
            div: 86400.0,
            label: "days",
        },
    }
}

/// Power unit for values up to `max_w`.
pub fn power_unit(max_w: f64) -> Unit {
    match max_w {
        m if m >= 2e6 => Unit {
            div: 1e6,
            label: "MW",
        },
        m if m >= 2e3 => Unit {
            div: 1e3,
            label: "kW",
        },
        _ => Unit {
            div: 1.0,
            label: "W",
        },
    }
}

/// Energy unit for values up to `max_j`: joules for small runs, kWh and up (what
/// electricity is billed in) from 0.1 kWh.
pub fn energy_unit(max_j: f64) -> Unit {
    match max_j {
        m if m >= 3.6e9 => Unit {
            div: 3.6e9,
            label: "MWh",
        },
        m if m >= 3.6e5 => Unit {
            div: 3.6e6,
            label: "kWh",
        },
        m if m >= 1e4 => Unit {
            div: 1e3,
            label: "kJ",
        },
        _ => Unit {
            div: 1.0,
            label: "J",
        },
    }
}

/// Carbon unit for values up to `max_g`.
pub fn carbon_unit(max_g: f64) -> Unit {
    match max_g {
        m if m >= 1e6 => Unit {
            div: 1e6,
            label: "t CO₂e",
        },
        m if m >= 1e3 => Unit {
            div: 1e3,
            label: "kg CO₂e",
        },
        _ => Unit {
            div: 1.0,
            label: "g CO₂e",
        },
    }
}

/// A number with about four significant digits, without exponent for everyday
/// magnitudes and without trailing zeros.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-4..1e9).contains(&a) {
        return format!("{v:.3e}");
    }
    let digits = (4 - 1 - a.log10().floor() as i32).clamp(0, 8) as usize;
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if a >= 1e4 && !s.contains('.') {
        group(&s)
    } else {
        s
    }
}

/// A share as a percentage; tiny nonzero shares read "< 0.001 %" rather than in
/// scientific notation.
pub fn percent(frac: f64) -> String {
    let p = 100.0 * frac;
    if p != 0.0 && p.abs() < 1e-3 {
        "< 0.001 %".into()
    } else {
        format!("{} %", num(p))
    }
}

/// An integer with thousands separators (1,234,567).
pub fn count(v: u64) -> String {
    group(&v.to_string())
}

fn group(s: &str) -> String {
    let (sign, digits) = match s.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", s),
    };
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{sign}{out}")
}

/// "1 device", "4 devices".
pub fn devices(n: u32) -> String {
    if n == 1 {
        "1 device".into()
    } else {
        format!("{} devices", count(n as u64))
    }
}

/// A number with 4 significant digits for sweep tables and chart labels (the CSV
/// files keep full precision).
pub fn fmt4(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let mag = x.abs().log10().floor() as i32;
    if (-3..6).contains(&mag) {
        let d = (3 - mag).max(0) as usize;
        format!("{x:.d$}")
    } else {
        format!("{x:.3e}")
    }
}

/// A tick label: like [`num`] but never grouped, so ticks stay short.
pub fn tick(v: f64) -> String {
    num(v).replace(',', "")
}

/// `v` rounded to `digits` significant digits.
fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let p = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
    (v * p).round() / p
}

/// A duration in the unit a reader expects (ns, µs, ms, s, min, h).
pub fn duration(s: f64) -> String {
    // Round to the digits shown first, so 0.000999999 reads "1 ms", not "1000 µs".
    let s = round_sig(s, 4);
    let a = s.abs();
    if s == 0.0 {
        "0 s".into()
    } else if a < 1e-6 {
        format!("{} ns", num(s * 1e9))
    } else if a < 1e-3 {
        format!("{} µs", num(s * 1e6))
    } else if a < 1.0 {
        format!("{} ms", num(s * 1e3))
    } else if a < 120.0 {
        format!("{} s", num(s))
    } else if a < 7200.0 {
        format!("{} min", num(s / 60.0))
    } else {
        format!("{} h", num(s / 3600.0))
    }
}

/// One unit for a whole axis that ends at `s` (switching later than [`duration`], so
/// a 200 s axis stays in seconds).
pub fn duration_unit(s: f64) -> Unit {
    let a = s.abs();
    let (div, label) = if a < 1e-6 {
        (1e-9, "ns")
    } else if a < 1e-3 {
        (1e-6, "µs")
    } else if a < 1.0 {
        (1e-3, "ms")
    } else if a < 600.0 {
        (1.0, "s")
    } else if a < 36000.0 {
        (60.0, "min")
    } else {
        (3600.0, "h")
    };
    Unit { div, label }
}

/// A value with an auto-scaled unit, e.g. `1.5 kW`.
pub fn with_unit(v: f64, u: Unit) -> String {
    format!("{} {}", num(v / u.div), u.label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(1234567.0), "1,234,567");
        assert_eq!(num(0.30000000000000004), "0.3");
        assert_eq!(num(1.58), "1.58");
        assert_eq!(num(0.00012346), "0.0001235");
        assert_eq!(num(-2500.7), "-2501");
        assert_eq!(count(1266994), "1,266,994");
        assert_eq!(tick(12000.0), "12000");
        assert_eq!(duration(0.05), "50 ms");
        assert_eq!(duration(0.0005), "500 µs");
        assert_eq!(duration(3600.0), "60 min");
        assert_eq!(duration(0.000999999999), "1 ms");
        assert_eq!(percent(6.944e-7), "< 0.001 %");
        assert_eq!(percent(0.03834), "3.834 %");
        assert_eq!(with_unit(1863.9, power_unit(1863.9)), "1864 W");
        assert_eq!(with_unit(19076330.0, energy_unit(19076330.0)), "5.299 kWh");
    }

    #[test]
    fn units_follow_magnitude() {
        assert_eq!(time_unit(150.0).label, "s");
        assert_eq!(time_unit(28800.0).label, "h");
        assert_eq!(time_unit(15620.0).label, "h");
        assert_eq!(time_unit(3000.0).label, "min");
        assert_eq!(power_unit(25_000.0).label, "kW");
        assert_eq!(energy_unit(316.0).label, "J");
    }
}
