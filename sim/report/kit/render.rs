//! Rendering a chart to `<stem>.png` and `<stem>.svg` with the bundled fonts.

use super::style;
use crate::report::error::{Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Something drawn into `<stem>.png` and `<stem>.svg`.
pub trait Drawable {
    /// File stem.
    fn stem(&self) -> &'static str;
    /// Title drawn on the chart.
    fn title(&self) -> String;
    /// Size in pixels (default: the standard chart size of every run chart).
    fn size(&self) -> (u32, u32) {
        (super::axes::WIDTH, super::axes::HEIGHT)
    }
    /// Draws onto `root` (already filled white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static;
}

/// Draws a figure into `dir/<stem>.png` and `dir/<stem>.svg`; returns the SVG text.
pub fn render<F: Drawable + ?Sized>(fig: &F, dir: &Path) -> Result<String> {
    style::register_fonts();
    let size = fig.size();
    let png = dir.join(format!("{}.png", fig.stem()));
    {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        root.fill(&WHITE)?;
        fig.draw(&root)
            .with_context(|| format!("drawing {}", png.display()))?;
        root.present()
            .with_context(|| format!("writing {}", png.display()))?;
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)?;
        fig.draw(&root)?;
        root.present()?;
    }
    let path = dir.join(format!("{}.svg", fig.stem()));
    std::fs::write(&path, &svg).with_context(|| format!("writing {}", path.display()))?;
    Ok(svg)
}
