//! Per-point statistics (`summary.csv`) and the Pareto front (`pareto.csv`), computed
//! from the rows of `runs.csv` in plan order so the bytes never depend on run order.

use super::journal::{Table, csv_line, prefix_header};
use super::plan::Manifest;
use super::stats::Stat;

/// Statistics of every numeric column, per point.
#[derive(Clone, Debug)]
pub struct Aggregate {
    /// Names of the numeric columns of `runs.csv` (after the identifying columns).
    pub metrics: Vec<String>,
    /// One entry per point, in point order.
    pub points: Vec<PointAgg>,
}

/// One point's statistics.
#[derive(Clone, Debug)]
pub struct PointAgg {
    /// Point index.
    pub point: usize,
    /// Axis values as CSV cells.
    pub cells: Vec<String>,
    /// Number of runs.
    pub runs: usize,
    /// Statistics per metric (same order as [`Aggregate::metrics`]); `None` when no
    /// run of the point has a value.
    pub stats: Vec<Option<Stat>>,
}

fn number(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

impl Aggregate {
    /// Computes the statistics. A column is numeric when every non-empty cell is a
    /// finite number and at least one is non-empty.
    pub fn new(m: &Manifest, table: &Table) -> Aggregate {
        let skip = prefix_header(m).len();
        let cols: Vec<usize> = (skip..table.header.len())
            .filter(|&c| {
                let mut any = false;
                for r in table.rows.values() {
                    if r[c].is_empty() {
                        continue;
                    }
                    if number(&r[c]).is_none() {
                        return false;
                    }
                    any = true;
                }
                any
            })
            .collect();
        let metrics = cols.iter().map(|&c| table.header[c].clone()).collect();
        let reps = m.replications as usize;
        let points = (0..m.points)
            .map(|p| {
                let rows: Vec<&Vec<String>> = (p * reps..(p + 1) * reps)
                    .filter_map(|k| table.rows.get(&k))
                    .collect();
                let stats = cols
                    .iter()
                    .map(|&c| {
                        let v: Vec<f64> = rows.iter().filter_map(|r| number(&r[c])).collect();
                        Stat::of(&v)
                    })
                    .collect();
                PointAgg {
                    point: p,
                    cells: m.point_cells(p),
                    runs: rows.len(),
                    stats,
                }
            })
            .collect();
        Aggregate { metrics, points }
    }

    /// Index of a metric by name.
    pub fn index(&self, metric: &str) -> Option<usize> {
        self.metrics.iter().position(|x| x == metric)
    }

    /// A metric's statistics at a point.
    pub fn stat(&self, point: usize, metric: usize) -> Option<Stat> {
        self.points[point].stats[metric]
    }

    /// Whether a metric has the same mean at every point (its charts would be flat).
    pub fn is_constant(&self, metric: usize) -> bool {
        let mut means = self
            .points
            .iter()
            .filter_map(|p| p.stats[metric])
            .map(|s| s.mean);
        match means.next() {
            None => true,
            Some(first) => means.all(|x| x == first),
        }
    }

    /// The bytes of `summary.csv`: `point`, the axes, `runs`, then `<metric>_mean`,
    /// `<metric>_std`, `<metric>_ci95` for every numeric column.
    pub fn summary_csv(&self, m: &Manifest) -> Vec<u8> {
        let mut header = vec!["point".to_string()];
        header.extend(m.axes.iter().map(|a| a.path.clone()));
        header.push("runs".into());
        for k in &self.metrics {
            header.push(format!("{k}_mean"));
            header.push(format!("{k}_std"));
            header.push(format!("{k}_ci95"));
        }
        let mut out = csv_line(&header);
        let opt = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
        for p in &self.points {
            let mut row = vec![p.point.to_string()];
            row.extend(p.cells.iter().cloned());
            row.push(p.runs.to_string());
            for s in &p.stats {
                row.push(opt(s.map(|s| s.mean)));
                row.push(opt(s.and_then(|s| s.std)));
                row.push(opt(s.and_then(|s| s.ci95)));
            }
            out.extend(csv_line(&row));
        }
        out
    }
}

/// One point in the Pareto plane.
#[derive(Clone, Debug, PartialEq)]
pub struct ParetoPoint {
    /// Point index.
    pub point: usize,
    /// Mean of the x metric.
    pub x: f64,
    /// Mean of the y metric.
    pub y: f64,
    /// Whether no other point is at least as good on both and better on one.
    pub on_front: bool,
}

/// The points' means of the two Pareto metrics and which are non-dominated (both
/// metrics minimized). Empty when a metric is missing.
pub fn pareto(m: &Manifest, agg: &Aggregate) -> Vec<ParetoPoint> {
    let (Some(xi), Some(yi)) = (agg.index(&m.pareto.x), agg.index(&m.pareto.y)) else {
        return Vec::new();
    };
    let mut pts: Vec<ParetoPoint> = agg
        .points
        .iter()
        .filter_map(|p| {
            Some(ParetoPoint {
                point: p.point,
                x: p.stats[xi]?.mean,
                y: p.stats[yi]?.mean,
                on_front: false,
            })
        })
        .collect();
    let front = front(&pts.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>());
    for i in front {
        pts[i].on_front = true;
    }
    pts
}

/// Indices of the non-dominated points (minimizing both coordinates), sorted by x. Of
/// identical points only the first is kept.
pub fn front(pts: &[(f64, f64)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..pts.len()).collect();
    order.sort_by(|&a, &b| {
        pts[a]
            .0
            .total_cmp(&pts[b].0)
            .then(pts[a].1.total_cmp(&pts[b].1))
            .then(a.cmp(&b))
    });
    let mut best = f64::INFINITY;
    let mut out = Vec::new();
    for i in order {
        if pts[i].1 < best {
            best = pts[i].1;
            out.push(i);
        }
    }
    out
}

/// The bytes of `pareto.csv`: `point`, the axes, the two means, `on_front`.
pub fn pareto_csv(m: &Manifest, pts: &[ParetoPoint]) -> Vec<u8> {
    let mut header = vec!["point".to_string()];
    header.extend(m.axes.iter().map(|a| a.path.clone()));
    header.push(format!("{}_mean", m.pareto.x));
    header.push(format!("{}_mean", m.pareto.y));
    header.push("on_front".into());
    let mut out = csv_line(&header);
    for p in pts {
        let mut row = vec![p.point.to_string()];
        row.extend(m.point_cells(p.point));
        row.push(p.x.to_string());
        row.push(p.y.to_string());
        row.push(p.on_front.to_string());
        out.extend(csv_line(&row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pareto_front_minimizes_both() {
        // (x, y): 0 and 2 and 4 are non-dominated; 1 is dominated by 0; 3 by 2; 5 = 0.
        let pts = [
            (1.0, 5.0),
            (2.0, 6.0),
            (3.0, 2.0),
            (4.0, 3.0),
            (5.0, 1.0),
            (1.0, 5.0),
        ];
        assert_eq!(front(&pts), vec![0, 2, 4]);
        assert_eq!(front(&[]), Vec::<usize>::new());
    }
}
