//! Every plot of a run drawn from engine data to SVG (vector: axes, tick labels, axis titles, legend)
//! or PNG (the same drawing rasterised): the K-choice curves with the recommendation, the PCA scatter
//! coloured by segment, the dendrogram with its cut, the silhouette plot and the profiles heatmap.
//! `segscope plot` and the HTML report (`crate::report`) both draw through here.
//!
//! One drawing code, two backends: each plot is a [`Figure`] drawn on a plotters drawing area; the SVG
//! backend writes text as `<text>` (escaped), the bitmap backend draws it with the embedded Ubuntu
//! Light font (no system fonts), and [`render_png`] encodes the pixels with the `png` crate.

pub mod dendrogram;
pub mod of_run;
pub mod palette;
pub mod profiles;
pub mod scatter;
pub mod silhouette;
pub mod sweep;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, Result};

pub use dendrogram::DendrogramPlot;
pub use profiles::ProfilesPlot;
pub use scatter::ScatterPlot;
pub use silhouette::SilhouettePlot;
pub use sweep::SweepPlot;

/// The font family every plot's text uses (registered once with the embedded font for bitmaps).
pub const FONT: &str = "sans-serif";

/// What drawing on a plotters area returns.
pub type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A plot that can be drawn on any plotters backend.
pub trait Figure {
    /// Width and height in pixels (the SVG's size and the PNG's).
    fn size(&self) -> (u32, u32) {
        (960, 600)
    }

    /// Draws the plot on `root` (already cleared to white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Scalable vector graphics.
    Svg,
    /// A PNG image.
    Png,
}

impl Format {
    /// The format a path's extension names (`.svg`, `.png`, case-insensitive), if any.
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "svg" => Some(Self::Svg),
            "png" => Some(Self::Png),
            _ => None,
        }
    }
}

fn draw_err(e: impl std::fmt::Display) -> Error {
    Error::InvalidParameter(format!("cannot draw the plot: {e}"))
}

/// The plot as an SVG document.
pub fn render_svg(fig: &impl Figure) -> Result<String> {
    // Text is laid out with the embedded font's metrics in both formats.
    register_font()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, fig.size()).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        fig.draw(&root).map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(out)
}

/// The plot as PNG bytes (RGB, the figure's size).
pub fn render_png(fig: &impl Figure) -> Result<Vec<u8>> {
    register_font()?;
    let (w, h) = fig.size();
    let mut pixels = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        fig.draw(&root).map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut wr = enc.write_header().map_err(draw_err)?;
        wr.write_image_data(&pixels).map_err(draw_err)?;
        wr.finish().map_err(draw_err)?;
    }
    Ok(out)
}

/// The plot in `format`.
pub fn render(fig: &impl Figure, format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Svg => render_svg(fig).map(String::into_bytes),
        Format::Png => render_png(fig),
    }
}

/// Registers the embedded font for the bitmap backend (once per process).
fn register_font() -> Result<()> {
    static DONE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, epaint_default_fonts::UBUNTU_LIGHT)
            .is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidParameter(
            "cannot draw the plot: the embedded font did not load".into(),
        ))
    }
}

/// A plotters colour from an RGB triple.
pub(crate) fn rgb(c: palette::Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// The text style of titles, labels and captions at `size` pixels.
pub(crate) fn text(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&rgb(palette::INK))
}

/// `(lo, hi)` of finite values padded by `pad` of the span (a unit span around a single value; `(0, 1)`
/// with none).
pub(crate) fn padded_range(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    if span <= f64::EPSILON * lo.abs().max(1.0) {
        return (lo - 0.5, hi + 0.5);
    }
    (lo - pad * span, hi + pad * span)
}

/// Short number for tick labels: up to 3 significant decimals, no trailing zeros.
pub(crate) fn tick(v: f64) -> String {
    let a = v.abs();
    let s = if a != 0.0 && !(1e-3..1e6).contains(&a) {
        format!("{v:.1e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    };
    if s.contains('.') && !s.contains('e') {
        let t = s.trim_end_matches('0').trim_end_matches('.');
        if t == "-0" { "0".into() } else { t.into() }
    } else {
        s
    }
}

/// Segment `s`'s legend label: `"{s}: name (size)"`, or `outliers (size)` for the noise segment.
pub(crate) fn segment_label(
    s: usize,
    names: &[String],
    size: usize,
    noise: Option<usize>,
) -> String {
    if Some(s) == noise {
        return format!("outliers ({size})");
    }
    match names.get(s) {
        Some(n) if !n.is_empty() => format!("{s}: {n} ({size})"),
        _ => format!("segment {s} ({size})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_and_ranges() {
        assert_eq!(tick(0.5), "0.5");
        assert_eq!(tick(2.0), "2");
        assert_eq!(tick(1234.4), "1234");
        assert_eq!(tick(-0.0001), "-1.0e-4");
        assert_eq!(padded_range([1.0, 3.0].into_iter(), 0.5), (0.0, 4.0));
        assert_eq!(padded_range([2.0].into_iter(), 0.1), (1.5, 2.5));
        assert_eq!(padded_range([f64::NAN].into_iter(), 0.1), (0.0, 1.0));
        assert_eq!(
            Format::from_path(std::path::Path::new("a/B.PNG")),
            Some(Format::Png)
        );
        assert_eq!(Format::from_path(std::path::Path::new("a.pdf")), None);
    }
}
