//! Profile arrivals (non-homogeneous Poisson): intensity `rate x profile.level(t)`,
//! sampled by thinning (Lewis and Shedler) against a piecewise-constant bound: within
//! each segment of the profile the bound is the larger endpoint level. A candidate
//! that overruns its segment restarts at the next segment (memoryless), so no
//! candidate is ever tested against a bound below the intensity. The result is exact
//! for any piecewise-linear or step profile.

use super::{Checks, RawInterpolation, RawProfile};
use crate::model::{Arrival, FieldError, Interpolation, RateProfile};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;

/// Settings a profile process takes.
pub(super) const FIELDS: &[&str] = &["rate", "profile", "count", "start"];

/// Raw settings to the model.
pub(super) fn validate(c: &Checks) -> Result<Arrival, FieldError> {
    let (a, p) = (c.a, c.p);
    let rate = c.need_rate()?;
    let rp = a.profile.as_ref().ok_or_else(|| {
        FieldError::new(
            format!("{p}.profile"),
            "missing `profile` for a profile process",
        )
    })?;
    let profile = raw_profile(rp, &format!("{p}.profile"))?;
    c.unbounded(a.count)?;
    Ok(Arrival::Profile {
        rate,
        profile,
        count: a.count,
        start: c.start(),
    })
}

fn raw_profile(rp: &RawProfile, p: &str) -> Result<RateProfile, FieldError> {
    let period = rp.period.map_or(86400.0, |s| s.0);
    if period <= 0.0 {
        return Err(FieldError::new(
            format!("{p}.period"),
            "period must be positive",
        ));
    }
    if rp.points.is_empty() {
        return Err(FieldError::new(
            format!("{p}.points"),
            "a profile needs at least one point",
        ));
    }
    let mut points = Vec::with_capacity(rp.points.len());
    for (i, (t, v)) in rp.points.iter().enumerate() {
        if t.0 >= period {
            return Err(FieldError::new(
                format!("{p}.points[{i}]"),
                format!("time {} s is not inside the period ({period} s)", t.0),
            )
            .with_hint("point times run from 0 to just below `period`"));
        }
        if let Some(&(prev, _)) = points.last()
            && t.0 <= prev
        {
            return Err(FieldError::new(
                format!("{p}.points[{i}]"),
                "point times must increase",
            ));
        }
        points.push((t.0, v.0));
    }
    if points.iter().all(|&(_, v)| v <= 0.0) {
        return Err(FieldError::new(
            format!("{p}.points"),
            "every level is 0: no job would ever arrive",
        ));
    }
    let interpolation = match rp.interpolation.unwrap_or(RawInterpolation::Linear) {
        RawInterpolation::Step => Interpolation::Step,
        RawInterpolation::Linear => Interpolation::Linear,
    };
    Ok(RateProfile::new(period, points, interpolation))
}

/// Generator state.
#[derive(Debug)]
pub(super) struct State {
    rate: f64,
    profile: RateProfile,
    t: f64,
    /// Start of the current period, absolute.
    base: f64,
    seg: usize,
}

impl State {
    pub(super) fn new(rate: f64, profile: &RateProfile, start: f64) -> Self {
        let base = (start / profile.period).floor() * profile.period;
        let x = start - base;
        let seg = profile.points.partition_point(|p| p.0 <= x).max(1) - 1;
        State {
            rate,
            profile: profile.clone(),
            t: start,
            base,
            seg,
        }
    }

    pub(super) fn next(&mut self, rng: &mut ChaCha8Rng) -> Option<f64> {
        let State {
            rate,
            profile,
            t,
            base,
            seg,
        } = self;
        loop {
            let (a, b, va, vb) = profile.segment(*seg);
            let bound = *rate * va.max(vb);
            let end = *base + b;
            let next_segment = |seg: &mut usize, base: &mut f64| {
                *seg += 1;
                if *seg == profile.segment_count() {
                    *seg = 0;
                    *base += profile.period;
                }
            };
            if bound <= 0.0 {
                *t = end;
                next_segment(seg, base);
                continue;
            }
            let cand = *t - (1.0 - rng.random::<f64>()).ln() / bound;
            if cand >= end {
                *t = end;
                next_segment(seg, base);
                continue;
            }
            *t = cand;
            if va == vb {
                return Some(cand);
            }
            let level = va + (vb - va) * (cand - *base - a) / (b - a);
            if rng.random::<f64>() * bound < *rate * level {
                return Some(cand);
            }
        }
    }
}
