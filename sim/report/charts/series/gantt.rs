//! Gantt bars: jobs on device rows.

/// One job on a Gantt chart.
#[derive(Clone, Debug, PartialEq)]
pub struct GanttJob {
    /// Job id.
    pub id: u64,
    /// Kind index.
    pub kind: usize,
    /// Start, s.
    pub start_s: f64,
    /// End, s.
    pub end_s: f64,
    /// Device ids.
    pub devices: Vec<u32>,
}

/// One bar of a Gantt chart: a job on one device row.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Row (device id).
    pub row: u32,
    /// Start, s.
    pub t0: f64,
    /// End, s.
    pub t1: f64,
    /// Kind index (colour).
    pub kind: usize,
    /// Job id (label).
    pub id: u64,
}

/// Bars of a Gantt chart, one per job and device, sorted by row then start.
pub fn gantt_bars(jobs: &[GanttJob]) -> Vec<Bar> {
    let mut bars: Vec<Bar> = jobs
        .iter()
        .flat_map(|j| {
            j.devices.iter().map(move |&d| Bar {
                row: d,
                t0: j.start_s,
                t1: j.end_s,
                kind: j.kind,
                id: j.id,
            })
        })
        .collect();
    bars.sort_by(|a, b| a.row.cmp(&b.row).then(a.t0.total_cmp(&b.t0)));
    bars
}
