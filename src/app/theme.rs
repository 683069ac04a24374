//! Every colour the app picks itself, in one place, for dark and light mode.
#![allow(
    clippy::disallowed_methods,
    reason = "the one place colours are made (clippy.toml forbids it elsewhere)"
)]

use egui::{Color32, Visuals};

use crate::data::ColumnKind;

/// The app's colours for the current egui theme.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    /// Error banner background.
    pub error_fill: Color32,
    /// Error banner text.
    pub error_text: Color32,
    /// Loader-notes background (yellow).
    pub warn_fill: Color32,
    /// Loader-notes text.
    pub warn_text: Color32,
    /// Info banner background.
    pub info_fill: Color32,
    /// Info banner text.
    pub info_text: Color32,
    /// Missing-value percentages above zero.
    pub missing: Color32,
    /// Histogram bars.
    pub histogram: Color32,
    /// Histogram baseline.
    pub histogram_base: Color32,
    /// The dimming layer shown while files hover over the window.
    pub drop_fill: Color32,
    /// Text on the drop layer.
    pub drop_text: Color32,
    /// Text on kind badges.
    pub badge_text: Color32,
    /// Loadings arrows and their feature labels (scatter biplot).
    pub loading: Color32,
    /// The box-select rectangle.
    pub selection: Color32,
    /// Dendrogram links above the cut (not inside any segment).
    pub link_neutral: Color32,
    /// The dendrogram's cut line.
    pub cut_line: Color32,
}

impl Palette {
    /// The palette for `visuals` (dark or light).
    pub fn of(visuals: &Visuals) -> Self {
        if visuals.dark_mode {
            Self {
                error_fill: Color32::from_rgb(96, 24, 24),
                error_text: Color32::from_rgb(255, 214, 214),
                warn_fill: Color32::from_rgb(74, 62, 14),
                warn_text: Color32::from_rgb(255, 232, 150),
                info_fill: Color32::from_rgb(28, 50, 80),
                info_text: Color32::from_rgb(214, 230, 255),
                missing: Color32::from_rgb(255, 170, 60),
                histogram: Color32::from_rgb(100, 160, 230),
                histogram_base: Color32::from_gray(90),
                drop_fill: Color32::from_rgba_unmultiplied(10, 20, 40, 200),
                drop_text: Color32::WHITE,
                badge_text: Color32::from_gray(20),
                loading: Color32::from_rgb(235, 235, 235),
                selection: Color32::from_rgb(255, 220, 90),
                link_neutral: Color32::from_gray(150),
                cut_line: Color32::from_rgb(255, 90, 90),
            }
        } else {
            Self {
                error_fill: Color32::from_rgb(253, 226, 226),
                error_text: Color32::from_rgb(140, 20, 20),
                warn_fill: Color32::from_rgb(255, 244, 200),
                warn_text: Color32::from_rgb(110, 80, 0),
                info_fill: Color32::from_rgb(222, 235, 252),
                info_text: Color32::from_rgb(20, 50, 100),
                missing: Color32::from_rgb(200, 100, 0),
                histogram: Color32::from_rgb(50, 110, 190),
                histogram_base: Color32::from_gray(190),
                drop_fill: Color32::from_rgba_unmultiplied(230, 240, 255, 220),
                drop_text: Color32::from_rgb(20, 50, 100),
                badge_text: Color32::from_gray(20),
                loading: Color32::from_rgb(40, 40, 40),
                selection: Color32::from_rgb(200, 120, 0),
                link_neutral: Color32::from_gray(110),
                cut_line: Color32::from_rgb(200, 30, 30),
            }
        }
    }
}

/// Badge colour of a column kind (readable with [`Palette::badge_text`] in both themes).
pub fn kind_color(kind: ColumnKind) -> Color32 {
    match kind {
        ColumnKind::Numeric => Color32::from_rgb(140, 190, 250),
        ColumnKind::Categorical => Color32::from_rgb(170, 220, 150),
        ColumnKind::Date => Color32::from_rgb(240, 200, 120),
        ColumnKind::Text => Color32::from_rgb(200, 200, 200),
    }
}

/// Short badge text of a column kind.
pub fn kind_badge(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Numeric => "num",
        ColumnKind::Categorical => "cat",
        ColumnKind::Date => "date",
        ColumnKind::Text => "text",
    }
}

/// Colours of segments 0, 1, ... 39: the one palette of the app and the exported plots,
/// [`crate::plot::palette::SEGMENT_COLOURS`] (its choice and guarantees are described there; the tests
/// below check them against this theme's reserved colours and backgrounds). Repeats after 40.
pub const SEGMENT_COLORS: [Color32; 40] = {
    let mut out = [Color32::BLACK; 40];
    let mut i = 0;
    while i < 40 {
        let (r, g, b) = crate::plot::palette::SEGMENT_COLOURS[i];
        out[i] = Color32::from_rgb(r, g, b);
        i += 1;
    }
    out
};

/// Smallest CIE76 ΔE between two segment colours (tested).
pub const SEGMENT_MIN_DELTA_E: f64 = 25.0;

/// The colour of segment `i`.
pub fn segment_color(i: usize) -> Color32 {
    SEGMENT_COLORS[i % SEGMENT_COLORS.len()]
}

/// The grey reserved for density outliers (DBSCAN / HDBSCAN noise, label -1) in every plot: a mid grey
/// readable on both themes, and no segment colour comes near it.
pub fn outlier_color() -> Color32 {
    Color32::from_gray(128)
}

/// Colours of the analysis charts (Choose K curves, silhouette bars, profile heat map).
#[derive(Debug, Clone, Copy)]
pub struct ChartPalette {
    /// Metric curves and their markers.
    pub curve: Color32,
    /// The recommended K (dashed vertical line).
    pub recommended: Color32,
    /// The K shown (marker and band).
    pub current: Color32,
    /// Faint band behind the K shown.
    pub current_band: Color32,
    /// The knee of the inertia curve.
    pub knee: Color32,
    /// Negative silhouettes (rows closer to another segment).
    pub negative: Color32,
    /// Average lines and zero axes.
    pub reference: Color32,
    /// Middle of the diverging z-score scale (z = 0).
    pub diverging_mid: Color32,
    /// Ambiguous GMM memberships (max probability below the threshold).
    pub ambiguous: Color32,
}

impl ChartPalette {
    /// The chart colours for `visuals` (dark or light).
    pub fn of(visuals: &Visuals) -> Self {
        if visuals.dark_mode {
            Self {
                curve: Color32::from_rgb(110, 170, 240),
                recommended: Color32::from_rgb(120, 220, 140),
                current: Color32::from_rgb(255, 190, 70),
                current_band: Color32::from_rgba_unmultiplied(255, 190, 70, 28),
                knee: Color32::from_rgb(230, 120, 230),
                negative: Color32::from_rgb(255, 80, 80),
                reference: Color32::from_gray(200),
                diverging_mid: Color32::from_gray(62),
                ambiguous: Color32::from_rgb(255, 150, 60),
            }
        } else {
            Self {
                curve: Color32::from_rgb(40, 100, 180),
                recommended: Color32::from_rgb(30, 140, 60),
                current: Color32::from_rgb(220, 120, 0),
                current_band: Color32::from_rgba_unmultiplied(230, 140, 20, 36),
                knee: Color32::from_rgb(170, 40, 170),
                negative: Color32::from_rgb(200, 20, 30),
                reference: Color32::from_gray(60),
                diverging_mid: Color32::from_gray(248),
                ambiguous: Color32::from_rgb(220, 110, 0),
            }
        }
    }
}

/// Blue end of the diverging z-score scale (RdBu).
pub const DIVERGING_LOW: Color32 = Color32::from_rgb(33, 102, 172);
/// Red end of the diverging z-score scale (RdBu).
pub const DIVERGING_HIGH: Color32 = Color32::from_rgb(178, 24, 43);
/// |z| at which the diverging scale saturates.
pub const Z_CLAMP: f64 = 2.0;

/// Colour of a z-score on the diverging blue – `mid` – red scale, saturating at ±[`Z_CLAMP`];
/// `mid` for z = 0 and for undefined (NaN) z.
pub fn z_color(z: f64, mid: Color32) -> Color32 {
    if z.is_nan() {
        return mid;
    }
    let t = (z / Z_CLAMP).clamp(-1.0, 1.0) as f32;
    let end = if t < 0.0 {
        DIVERGING_LOW
    } else {
        DIVERGING_HIGH
    };
    lerp_color(mid, end, t.abs())
}

/// Linear blend of two opaque colours: `a` at 0, `b` at 1.
pub fn lerp_color(a: Color32, b: Color32, t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let mix = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    Color32::from_rgb(mix(a.r(), b.r()), mix(a.g(), b.g()), mix(a.b(), b.b()))
}

/// Black or white, whichever reads better on `background` (relative luminance threshold).
pub fn text_on(background: Color32) -> Color32 {
    let lin = |c: u8| {
        let c = f32::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l =
        0.2126 * lin(background.r()) + 0.7152 * lin(background.g()) + 0.0722 * lin(background.b());
    if l > 0.179 {
        Color32::from_gray(15)
    } else {
        Color32::from_gray(245)
    }
}

/// Colours of the drift report (verdict bars, paired segment-share bars).
#[derive(Debug, Clone, Copy)]
pub struct DriftPalette {
    /// PSI below 0.1.
    pub stable: Color32,
    /// PSI 0.1–0.25.
    pub watch: Color32,
    /// PSI above 0.25.
    pub retrain: Color32,
    /// The training share of a segment (the "then" bar; "now" uses the segment's colour).
    pub then: Color32,
    /// Threshold marks on the PSI bars and the bars' track.
    pub track: Color32,
}

/// The drift colours for `visuals` (dark or light).
pub fn drift_colors(visuals: &Visuals) -> DriftPalette {
    if visuals.dark_mode {
        DriftPalette {
            stable: Color32::from_rgb(90, 190, 110),
            watch: Color32::from_rgb(240, 190, 60),
            retrain: Color32::from_rgb(240, 90, 80),
            then: Color32::from_gray(130),
            track: Color32::from_gray(70),
        }
    } else {
        DriftPalette {
            stable: Color32::from_rgb(40, 150, 70),
            watch: Color32::from_rgb(210, 150, 0),
            retrain: Color32::from_rgb(205, 40, 40),
            then: Color32::from_gray(150),
            track: Color32::from_gray(215),
        }
    }
}

#[cfg(test)]
mod chart_tests {
    use super::*;

    fn lab(c: Color32) -> [f64; 3] {
        crate::plot::palette::lab((c.r(), c.g(), c.b()))
    }

    fn delta_e(a: Color32, b: Color32) -> f64 {
        crate::plot::palette::delta_e((a.r(), a.g(), a.b()), (b.r(), b.g(), b.b()))
    }

    #[test]
    fn lab_matches_the_reference_values() {
        // sRGB red and mid grey (CIE76 references: red L 53.24 a 80.09 b 67.20; grey 128 L 53.59).
        let red = lab(Color32::from_rgb(255, 0, 0));
        assert!(
            (red[0] - 53.24).abs() < 0.05 && (red[1] - 80.09).abs() < 0.05,
            "{red:?}"
        );
        assert!((red[2] - 67.20).abs() < 0.05, "{red:?}");
        let grey = lab(Color32::from_gray(128));
        assert!(
            (grey[0] - 53.59).abs() < 0.05 && grey[1].abs() < 0.01,
            "{grey:?}"
        );
    }

    #[test]
    fn forty_segments_have_forty_distinct_colours() {
        let mut min = f64::INFINITY;
        for i in 0..40 {
            for j in 0..i {
                let d = delta_e(segment_color(i), segment_color(j));
                min = min.min(d);
                assert!(d >= SEGMENT_MIN_DELTA_E, "segments {i} and {j}: ΔE {d:.1}");
            }
        }
        // Not by luck: the bound is the palette's actual minimum, to a unit.
        assert!(min < SEGMENT_MIN_DELTA_E + 1.0, "{min}");
        assert_eq!(segment_color(40), segment_color(0));
    }

    #[test]
    fn segment_colours_stay_away_from_the_reserved_colours_in_both_themes() {
        for visuals in [Visuals::dark(), Visuals::light()] {
            let negative = ChartPalette::of(&visuals).negative;
            let background = visuals.panel_fill;
            for i in 0..40 {
                let c = segment_color(i);
                let red = delta_e(c, negative);
                assert!(red >= 30.0, "segment {i} vs negative red: ΔE {red:.1}");
                let bg = delta_e(c, background);
                assert!(
                    bg >= 30.0,
                    "segment {i} vs background {background:?}: ΔE {bg:.1}"
                );
                let grey = delta_e(c, outlier_color());
                assert!(grey >= 25.0, "segment {i} vs outlier grey: ΔE {grey:.1}");
            }
            // The outlier grey itself reads on the background.
            assert!(delta_e(outlier_color(), background) >= 30.0);
        }
    }

    #[test]
    fn z_colors_diverge_and_saturate() {
        let mid = Color32::WHITE;
        assert_eq!(z_color(0.0, mid), mid);
        assert_eq!(z_color(f64::NAN, mid), mid);
        assert_eq!(z_color(2.0, mid), DIVERGING_HIGH);
        assert_eq!(z_color(-2.0, mid), DIVERGING_LOW);
        assert_eq!(z_color(7.5, mid), DIVERGING_HIGH, "clamped at +2");
        assert_eq!(z_color(-30.0, mid), DIVERGING_LOW, "clamped at -2");
        assert_eq!(z_color(f64::INFINITY, mid), DIVERGING_HIGH);
        let half = z_color(1.0, mid);
        assert!(half.b() < 255 && half.b() > DIVERGING_HIGH.b(), "{half:?}");
        assert!(half.r() > half.b(), "positive z leans red: {half:?}");
        let neg = z_color(-1.0, mid);
        assert!(neg.b() > neg.r(), "negative z leans blue: {neg:?}");
        // Monotone: farther from 0 is farther from the middle colour.
        let dist = |c: Color32| 255 - i32::from(c.g());
        assert!(dist(z_color(0.5, mid)) < dist(z_color(1.5, mid)));
    }

    #[test]
    fn text_is_readable_on_the_scale() {
        assert_eq!(text_on(Color32::WHITE), Color32::from_gray(15));
        assert_eq!(text_on(DIVERGING_HIGH), Color32::from_gray(245));
        assert_eq!(text_on(DIVERGING_LOW), Color32::from_gray(245));
        assert_eq!(text_on(Color32::from_gray(62)), Color32::from_gray(245));
    }
}
