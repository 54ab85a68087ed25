//! `index.html` of a sweep folder: the plan, a results table, the Pareto front and the
//! charts, readable offline. Built from the manifest and the aggregates only (no
//! timestamps, no timings), so it is as reproducible as the CSV files.

use super::aggregate::{Aggregate, ParetoPoint};
use super::charts::{ChartInfo, Kind, axis_label};
use super::plan::{Manifest, cell};
use crate::report::kit::html::esc;
use crate::report::metric;
use std::fmt::Write;

/// The page.
pub fn page(
    m: &Manifest,
    agg: &Aggregate,
    pareto: &[ParetoPoint],
    charts: &[ChartInfo],
    warnings: &[String],
) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>hetsim sweep {name}</title>
<style>
body {{ font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }}
table {{ border-collapse: collapse; font-size: 13px; margin: 0.5em 0 1.5em; }}
th, td {{ border: 1px solid #ccc; padding: 3px 7px; text-align: right; }}
th {{ background: #f3f3f3; }}
td.l, th.l {{ text-align: left; }}
pre {{ background: #f6f6f6; padding: 0.8em; overflow-x: auto; font-size: 13px; }}
img {{ max-width: 100%; border: 1px solid #eee; margin: 0.3em 0; }}
.front {{ font-weight: bold; }}
</style></head><body>
<h1>Sweep {name}</h1>
"#,
        name = esc(&m.name)
    );
    if !m.description.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", esc(&m.description));
    }
    let _ = writeln!(
        h,
        "<p>{} points &times; {} replication(s) = {} runs of <code>{}</code> \
         (sha256 <code>{}</code>), base seed {}, hetsim {}. Plan hash <code>{}</code>.</p>",
        m.points,
        m.replications,
        m.runs.len(),
        esc(&m.scenario),
        &m.scenario_sha256[..16.min(m.scenario_sha256.len())],
        m.base_seed,
        esc(&m.hetsim_version),
        &m.plan_hash[..16.min(m.plan_hash.len())]
    );
    let _ = writeln!(
        h,
        "<p>Files: <a href=\"runs.csv\">runs.csv</a> (one row per run), \
         <a href=\"summary.csv\">summary.csv</a> (mean, std, 95% CI per point), \
         <a href=\"pareto.csv\">pareto.csv</a>, <a href=\"manifest.json\">manifest.json</a> \
         (the plan and every seed).</p>"
    );

    if !warnings.is_empty() {
        h.push_str("<h2>Warnings</h2>\n<ul>\n");
        for w in warnings {
            let _ = writeln!(h, "<li>{}</li>", esc(w));
        }
        h.push_str("</ul>\n");
    }

    // Axes.
    h.push_str(
        "<h2>Axes</h2>\n<table><tr><th class=\"l\">field</th><th class=\"l\">values</th></tr>\n",
    );
    for a in &m.axes {
        let vals: Vec<String> = a.values.iter().map(cell).collect();
        let _ = writeln!(
            h,
            "<tr><td class=\"l\"><code>{}</code></td><td class=\"l\">{}</td></tr>",
            esc(&a.path),
            esc(&vals.join(", "))
        );
    }
    h.push_str("</table>\n");

    // Results table: chart metrics (or the first few numeric columns), mean ± ci95.
    let mut cols: Vec<usize> = m.metrics.iter().filter_map(|k| agg.index(k)).collect();
    for k in [&m.pareto.x, &m.pareto.y] {
        if let Some(i) = agg.index(k)
            && !cols.contains(&i)
        {
            cols.push(i);
        }
    }
    h.push_str("<h2>Results</h2>\n<p>Mean &plusmn; half-width of the 95% Student-t confidence interval over the replications.</p>\n<table><tr><th>point</th>");
    for a in &m.axes {
        let _ = write!(
            h,
            "<th class=\"l\" title=\"{}\">{}</th>",
            esc(&a.path),
            esc(&axis_label(m, &a.path))
        );
    }
    h.push_str("<th>runs</th>");
    for &c in &cols {
        let key = &agg.metrics[c];
        let _ = write!(
            h,
            "<th title=\"{}\">{}</th>",
            esc(key),
            esc(&metric::lookup(key).label)
        );
    }
    h.push_str("</tr>\n");
    for p in &agg.points {
        let _ = write!(h, "<tr><td>{}</td>", p.point);
        for v in &p.cells {
            let _ = write!(h, "<td class=\"l\">{}</td>", esc(v));
        }
        let _ = write!(h, "<td>{}</td>", p.runs);
        for &c in &cols {
            let key = &agg.metrics[c];
            match p.stats[c] {
                Some(s) => {
                    let _ = write!(
                        h,
                        "<td title=\"{}\">{}</td>",
                        s.mean,
                        esc(&metric::format_ci(key, s.mean, s.ci95.unwrap_or(0.0)))
                    );
                }
                None => h.push_str("<td></td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");

    // Pareto.
    let pcharts: Vec<&ChartInfo> = charts.iter().filter(|c| c.kind == Kind::Pareto).collect();
    if !pcharts.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Pareto front</h2>\n<p>Point means of {} and {}, both \
             minimized; circled points are not dominated by any other point of the same \
             chart (one chart per value of the axes other than the series). The table lists \
             the points not dominated by any point of the whole sweep.</p>",
            esc(&metric::lookup(&m.pareto.x).label),
            esc(&metric::lookup(&m.pareto.y).label),
        );
        for c in pcharts {
            let _ = writeln!(
                h,
                "<img src=\"charts/{}.svg\" alt=\"{}\">",
                esc(&c.stem),
                esc(&c.title)
            );
        }
        h.push_str("<table><tr><th>point</th>");
        for a in &m.axes {
            let _ = write!(h, "<th class=\"l\">{}</th>", esc(&axis_label(m, &a.path)));
        }
        let _ = writeln!(
            h,
            "<th>{}</th><th>{}</th></tr>",
            esc(&metric::lookup(&m.pareto.x).label),
            esc(&metric::lookup(&m.pareto.y).label)
        );
        let mut front: Vec<&ParetoPoint> = pareto.iter().filter(|p| p.on_front).collect();
        front.sort_by(|a, b| a.x.total_cmp(&b.x));
        for p in front {
            let _ = write!(h, "<tr class=\"front\"><td>{}</td>", p.point);
            for v in m.point_cells(p.point) {
                let _ = write!(h, "<td class=\"l\">{}</td>", esc(&v));
            }
            let _ = writeln!(
                h,
                "<td>{}</td><td>{}</td></tr>",
                esc(&metric::format_ci(&m.pareto.x, p.x, 0.0)),
                esc(&metric::format_ci(&m.pareto.y, p.y, 0.0))
            );
        }
        h.push_str("</table>\n");
    }

    // Metric charts, grouped by metric.
    let metric_charts: Vec<&ChartInfo> = charts.iter().filter(|c| c.kind == Kind::Metric).collect();
    if !metric_charts.is_empty() {
        h.push_str("<h2>Metrics against the numeric axes</h2>\n<p>Lines are point means; bands are 95% confidence intervals. SVG and PNG versions are in <code>charts/</code>.</p>\n");
        let mut last = "";
        for c in metric_charts {
            if c.metric != last {
                let _ = writeln!(h, "<h3>{}</h3>", esc(&metric::lookup(&c.metric).label));
                last = &c.metric;
            }
            let _ = writeln!(
                h,
                "<img src=\"charts/{}.svg\" alt=\"{}\">",
                esc(&c.stem),
                esc(&c.title)
            );
        }
    }
    let flat: Vec<&str> = m
        .metrics
        .iter()
        .filter(|k| agg.index(k).is_some_and(|i| agg.is_constant(i)))
        .map(String::as_str)
        .collect();
    if !flat.is_empty() {
        let _ = writeln!(
            h,
            "<p>Not charted (same value at every point): {}.</p>",
            esc(&flat.join(", "))
        );
    }

    let _ = writeln!(
        h,
        "<h2>Sweep file</h2>\n<p><code>{}</code> (sha256 <code>{}</code>)</p>\n<pre>{}</pre>",
        esc(&m.sweep_file),
        &m.sweep_sha256[..16.min(m.sweep_sha256.len())],
        esc(&m.sweep_text)
    );
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::kit::style::fmt4;

    #[test]
    fn escapes_and_formats() {
        assert_eq!(esc("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
        assert_eq!(fmt4(1234.5678), "1235");
        assert_eq!(fmt4(0.012346), "0.01235");
        assert_eq!(fmt4(12345678.0), "1.235e7");
    }
}
