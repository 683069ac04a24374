//! Every colour the app picks itself, in one place, for dark and light mode.

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

/// Colours of segments 0, 1, 2... (Tableau 10, readable on dark and light backgrounds); repeats after 10.
pub const SEGMENT_COLORS: [Color32; 10] = [
    Color32::from_rgb(78, 121, 167),
    Color32::from_rgb(242, 142, 43),
    Color32::from_rgb(225, 87, 89),
    Color32::from_rgb(118, 183, 178),
    Color32::from_rgb(89, 161, 79),
    Color32::from_rgb(237, 201, 72),
    Color32::from_rgb(176, 122, 161),
    Color32::from_rgb(255, 157, 167),
    Color32::from_rgb(156, 117, 95),
    Color32::from_rgb(186, 176, 172),
];

/// The colour of segment `i`.
pub fn segment_color(i: usize) -> Color32 {
    SEGMENT_COLORS[i % SEGMENT_COLORS.len()]
}
