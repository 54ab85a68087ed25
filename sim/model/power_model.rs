//! How a device's power follows its load, and the long-run rate of arrival processes
//! (for the overload warning).

/// How a device's power follows its load `u` = busy slots / slots, in [0, 1]. Load is
/// piecewise constant between events, so power is too and energy stays an exact sum.
/// On a one-slot device every model gives idle power at load 0 and the kind's busy
/// power at load 1.
#[derive(Clone, Debug, PartialEq)]
pub enum PowerModel {
    /// `idle + sum over busy slots of (busy power of its kind - idle) / slots`: linear
    /// from idle to busy (the default, and the model of one-slot devices).
    Linear,
    /// Measured points `(load, W)`, load from 0 to 1 strictly increasing, interpolated
    /// linearly (SPECpower_ssj2008's 11 points: active idle, 10 %, ..., 100 %). The
    /// class's idle power is the point at 0, its busy power the point at 1, for every
    /// kind.
    Points(Vec<(f64, f64)>),
    /// `idle + (B - idle) u^3`, where B is the mean busy power of the kinds running
    /// (weighted by slots).
    Cubic,
}

impl PowerModel {
    /// Name as written in scenarios.
    pub fn name(&self) -> &'static str {
        match self {
            PowerModel::Linear => "linear",
            PowerModel::Points(_) => "points",
            PowerModel::Cubic => "cubic",
        }
    }

    /// Power of a device with `slots` slots, `busy` of them busy, whose busy slots'
    /// kinds' busy powers add up to `busy_sum` W.
    pub fn power(&self, idle: f64, slots: u32, busy: u32, busy_sum: f64) -> f64 {
        if busy == 0 {
            return idle;
        }
        let u = busy as f64 / slots as f64;
        match self {
            PowerModel::Linear => idle + (busy_sum - busy as f64 * idle) / slots as f64,
            PowerModel::Points(p) => interpolate(p, u),
            PowerModel::Cubic => idle + (busy_sum / busy as f64 - idle) * u * u * u,
        }
    }
}

/// The piecewise-linear function through `points` (x strictly increasing) at `x`,
/// held constant outside them.
pub fn interpolate(points: &[(f64, f64)], x: f64) -> f64 {
    let i = points.partition_point(|p| p.0 <= x);
    if i == 0 {
        return points[0].1;
    }
    if i == points.len() {
        return points[i - 1].1;
    }
    let (x0, y0) = points[i - 1];
    let (x1, y1) = points[i];
    y0 + (y1 - y0) * (x - x0) / (x1 - x0)
}
