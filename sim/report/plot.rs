//! `hetsim plot` and the end of `hetsim run`: reads a run folder, draws its charts into
//! `charts/` and writes `index.html`.

use crate::model::Scenario;
use crate::report::charts::read::{self, ReadOptions};
use crate::report::charts::{CHART_DIR, Charts, draw_charts};
use crate::report::error::{Context, Result};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What [`draw_run`] did, with timings.
#[derive(Clone, Debug)]
pub struct DrawStats {
    /// Charts drawn.
    pub charts: usize,
    /// Seconds spent reading the run's files.
    pub read_s: f64,
    /// Seconds spent drawing and writing charts and the report.
    pub draw_s: f64,
    /// Path of index.html.
    pub index: PathBuf,
}

/// Reads a run folder, draws every chart into `charts/` and writes `index.html`.
/// `scenario` is the run's own scenario when the caller has it (see
/// [`read::read_run`]). Files are written to a temporary folder first and moved into
/// place, so a failure leaves the previous charts intact.
pub fn draw_run(dir: &Path, scenario: Option<&Scenario>) -> Result<DrawStats> {
    let t0 = Instant::now();
    let run = read::read_run(dir, scenario, &ReadOptions::default())?;
    let read_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let tmp = dir.join(format!(".charts.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    let result = (|| -> Result<Charts> {
        let charts = draw_charts(&run, &tmp)?;
        let html = crate::report::html::index(&run, &charts);
        std::fs::write(tmp.join("index.html"), html)?;
        Ok(charts)
    })();
    let charts = match result {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    let index = dir.join("index.html");
    std::fs::rename(tmp.join("index.html"), &index)?;
    let target = dir.join(CHART_DIR);
    if target.exists() {
        std::fs::remove_dir_all(&target)
            .with_context(|| format!("cannot replace {}", target.display()))?;
    }
    std::fs::rename(&tmp, &target)
        .with_context(|| format!("cannot move charts into {}", target.display()))?;
    Ok(DrawStats {
        charts: charts.charts.len(),
        read_s,
        draw_s: t1.elapsed().as_secs_f64(),
        index,
    })
}
