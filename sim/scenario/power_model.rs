//! A class's `slots` and `power_model`: how many jobs a device runs at once and how its
//! power follows its load.

use super::raw::{RawClass, RawPowerModel};
use crate::catalog::Device;
use crate::model::{FieldError, PowerModel};

/// Largest number of slots per device (a many-core server has a few hundred hardware
/// threads).
pub const MAX_SLOTS: u32 = 4096;

/// Checks class `c`'s (at field path `p`) slots and power model against the rest of
/// the class, and returns (slots, power model, idle W, busy W per kind): a `points`
/// or `catalog` model sets idle and busy power from its ends.
#[allow(clippy::too_many_arguments)]
pub(super) fn slots_and_power(
    p: &str,
    c: &RawClass,
    catalog: Option<&Device>,
    has_sleep: bool,
    pstates: usize,
    idle_w: f64,
    busy_w: Vec<f64>,
    kinds: usize,
) -> Result<(u32, PowerModel, f64, Vec<f64>), FieldError> {
    let slots = match c.slots {
        None => 1,
        Some(0) => {
            return Err(FieldError::new(
                format!("{p}.slots"),
                "slots must be at least 1",
            ));
        }
        Some(n) if n > MAX_SLOTS as u64 => {
            return Err(FieldError::new(
                format!("{p}.slots"),
                format!("more than {MAX_SLOTS} slots per device"),
            ));
        }
        Some(n) => n as u32,
    };
    if slots > 1 && has_sleep {
        return Err(FieldError::new(
            format!("{p}.sleep"),
            "a device with several slots has no sleep state in this model",
        )
        .with_hint("leave out `sleep`, or `slots`"));
    }
    if slots > 1 && pstates > 1 {
        return Err(FieldError::new(
            format!("{p}.pstates"),
            "a device with several slots has no P-states in this model",
        )
        .with_hint("leave out `pstates`, or `slots`"));
    }
    let (power_model, idle_w, busy_w) = match &c.power_model {
        None => (PowerModel::Linear, idle_w, busy_w),
        Some(RawPowerModel::Name(n)) => match n.as_str() {
            "linear" => (PowerModel::Linear, idle_w, busy_w),
            "cubic" => (PowerModel::Cubic, idle_w, busy_w),
            "catalog" => {
                let Some(curve) = catalog.and_then(|d| d.load_curve.as_ref()) else {
                    return Err(FieldError::new(
                        format!("{p}.power_model"),
                        "`catalog` needs a catalog `device` with a measured load curve",
                    )
                    .with_hint(
                        "`hetsim catalog` lists the devices; the servers have SPECpower curves",
                    ));
                };
                if c.idle_power.is_some() || c.busy_power.is_some() {
                    return Err(FieldError::new(
                        format!("{p}.power_model"),
                        "with the catalog's load curve, idle and busy power are its points at 0 and 100 % load",
                    )
                    .with_hint("leave out idle_power and busy_power"));
                }
                let n = curve.values.len() - 1;
                let pts: Vec<(f64, f64)> = curve
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (i as f64 / n as f64, *w))
                    .collect();
                let (idle, busy) = (pts[0].1, pts[n].1);
                (PowerModel::Points(pts), idle, vec![busy; kinds])
            }
            _ => {
                return Err(FieldError::new(
                    format!("{p}.power_model"),
                    format!("unknown power model `{n}`"),
                )
                .with_hint("linear, cubic, catalog (the device's SPECpower curve), or {points: [[0, W], ..., [1, W]]}"));
            }
        },
        Some(RawPowerModel::Points { points }) => {
            let pts: Vec<(f64, f64)> = points.iter().map(|(u, w)| (*u, w.0)).collect();
            let ok = pts.len() >= 2
                && pts[0].0 == 0.0
                && pts[pts.len() - 1].0 == 1.0
                && pts.windows(2).all(|w| w[1].0 > w[0].0)
                && pts.iter().all(|p| p.1.is_finite() && p.1 >= 0.0);
            if !ok {
                return Err(FieldError::new(
                    format!("{p}.power_model.points"),
                    "points need loads strictly increasing from 0 to 1 and powers of at least 0 W",
                )
                .with_hint("e.g. SPECpower's 11 points: [[0, 52.3], [0.1, 98], ..., [1, 457]]"));
            }
            if c.idle_power.is_some() || c.busy_power.is_some() {
                return Err(FieldError::new(
                    format!("{p}.power_model"),
                    "with `points`, idle power is the point at load 0 and busy power the point at load 1",
                )
                .with_hint("leave out idle_power and busy_power"));
            }
            let idle = pts[0].1;
            let busy = pts[pts.len() - 1].1;
            (PowerModel::Points(pts), idle, vec![busy; kinds])
        }
    };
    Ok((slots, power_model, idle_w, busy_w))
}
