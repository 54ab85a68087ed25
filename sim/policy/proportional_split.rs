//! `proportional-split`: the study's allocation weights. Optimises a divisible job's
//! completion time by splitting it across device classes so that all parts finish
//! together.
//!
//! For a divisible job of work W, each capable class c offers its earliest-available gang
//! (free at a_c, speed r_c). The finish time T solves sum over classes with a_c < T of
//! r_c (T - a_c) = W (water-filling), and class c gets w_c = r_c (T - a_c). When every
//! class is free now this is w_c = W r_c / sum r: work in proportion to capability, the
//! study's weights. One part per class; jobs that are not divisible go to `eft`.
//! Cost: O(classes x (log n + k)) per job.

use super::{ClusterView, Decision, JobInfo, Policy, assign_by, finish_on};
use crate::engine::NANOS_PER_SEC;

/// The proportional-split policy.
pub struct ProportionalSplit;

/// Work per class (same order as `offers`) so that all parts finish together.
/// `offers` are (available at, s; speed); returns the work of each (0 if unused).
pub fn split(work: f64, offers: &[(f64, f64)]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..offers.len()).collect();
    order.sort_by(|&a, &b| offers[a].0.total_cmp(&offers[b].0).then(a.cmp(&b)));
    // Add classes in order of availability while they are free before the finish.
    let (mut rate, mut weighted) = (0.0, 0.0);
    let mut used = 0;
    let mut t = f64::INFINITY;
    for (i, &c) in order.iter().enumerate() {
        let (a, r) = offers[c];
        rate += r;
        weighted += r * a;
        let finish = (work + weighted) / rate;
        used = i + 1;
        t = finish;
        if order.get(i + 1).is_none_or(|&n| offers[n].0 >= finish) {
            break;
        }
    }
    let mut out = vec![0.0; offers.len()];
    for &c in &order[..used] {
        let (a, r) = offers[c];
        out[c] = (r * (t - a)).max(0.0);
    }
    // Make the parts add up to exactly `work` despite rounding.
    let sum: f64 = out.iter().sum();
    if sum > 0.0 {
        out.iter_mut().for_each(|w| *w *= work / sum);
    }
    out
}

impl Policy for ProportionalSplit {
    fn name(&self) -> &'static str {
        "proportional-split"
    }
    fn on_arrival(&mut self, job: JobInfo, view: &ClusterView, out: &mut Vec<Decision>) {
        if !job.divisible() {
            out.extend(assign_by(&job, view, |c| {
                finish_on(&job, view, c).unwrap_or(u64::MAX)
            }));
            return;
        }
        let k = job.devices() as usize;
        let mut classes = Vec::new();
        let mut offers = Vec::new();
        for c in view.classes() {
            if let (true, Some(a), Some(r)) = (
                view.can_run(c, &job),
                view.earliest_start(c, k),
                view.speed(c, &job),
            ) {
                classes.push(c);
                offers.push(((a - view.now()) as f64 / NANOS_PER_SEC, r));
            }
        }
        let works = split(job.work(), &offers);
        let parts: Vec<_> = classes
            .iter()
            .zip(&works)
            .filter(|(_, w)| **w > 0.0)
            .map(|(&c, &w)| (view.earliest_devices(c, k).map(|(d, _)| d).collect(), w))
            .collect();
        if parts.is_empty() {
            return;
        }
        out.push(Decision::Split {
            job: job.slot(),
            parts,
        });
    }
    fn decide(&mut self, _: &ClusterView, _: &mut Vec<Decision>) {}
    fn waiting(&self) -> usize {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn all_free_splits_in_proportion_to_speed() {
        // The study's platforms: capabilities 1, 1.5, 2 share 450 units as 100, 150, 200,
        // all finishing at 100 s.
        let w = split(450.0, &[(0.0, 1.0), (0.0, 1.5), (0.0, 2.0)]);
        assert!(
            (w[0] - 100.0).abs() < 1e-9
                && (w[1] - 150.0).abs() < 1e-9
                && (w[2] - 200.0).abs() < 1e-9
        );
    }

    #[test]
    fn a_busy_class_joins_only_if_free_before_the_finish() {
        // Class 1 frees at 100 s, but class 0 alone finishes 50 units at 50 s: unused.
        assert_eq!(split(50.0, &[(0.0, 1.0), (100.0, 5.0)]), vec![50.0, 0.0]);
        // With 300 units, class 0 alone would finish at 300 s; class 1 joins at 100 s:
        // 1 x T + 5 x (T - 100) = 300 -> T = 800/6; parts 133.3 and 166.7.
        let w = split(300.0, &[(0.0, 1.0), (100.0, 5.0)]);
        let t = 800.0 / 6.0;
        assert!((w[0] - t).abs() < 1e-9 && (w[1] - 5.0 * (t - 100.0)).abs() < 1e-9);
    }
}
