//! The one segment palette of the app and of every exported plot: 40 distinct colours as plain RGB (no
//! GUI types: the app's theme builds its colours from this table), a grey for outliers and a red kept
//! for negative silhouettes (every segment colour is far from both, in CIELAB).

/// An sRGB colour.
pub type Rgb = (u8, u8, u8);

/// The 40 segment colours of the app and of every exported plot (segment `i` is
/// `SEGMENT_COLOURS[i % 40]`): distinct up to the dendrogram's limit of 40 segments, readable on
/// the dark and the light theme, and away from the two reserved colours (the red of negative silhouettes,
/// the app's `ChartPalette::negative` and [`NEGATIVE`], and the grey of density outliers, the app's `outlier_color` and [`OUTLIER`]). Tableau 10's blue,
/// orange, green, teal, yellow and purple come first (its red and grey are the reserved ones); the rest
/// were picked greedily (farthest point in CIELAB, lightness 38–80) from an sRGB grid. Guarantees, tested
/// below with CIE76 ΔE: every pair at least 25 (the app's `SEGMENT_MIN_DELTA_E`) apart, each colour at least 30 from
/// both negative reds and both theme backgrounds, and 25 from the outlier grey. Repeats after 40.
pub const SEGMENT_COLOURS: [Rgb; 40] = [
    (78, 121, 167),
    (242, 142, 43),
    (89, 161, 79),
    (118, 183, 178),
    (237, 201, 72),
    (176, 122, 161),
    (104, 0, 255),
    (255, 0, 200),
    (0, 224, 0),
    (24, 112, 255),
    (208, 0, 88),
    (112, 88, 48),
    (248, 184, 152),
    (144, 56, 168),
    (160, 208, 0),
    (255, 152, 255),
    (0, 224, 176),
    (200, 72, 255),
    (184, 88, 80),
    (0, 104, 80),
    (152, 160, 255),
    (0, 200, 255),
    (0, 216, 104),
    (128, 128, 8),
    (192, 200, 136),
    (255, 120, 176),
    (255, 88, 0),
    (160, 40, 112),
    (40, 88, 176),
    (152, 80, 0),
    (24, 64, 240),
    (176, 192, 240),
    (56, 160, 0),
    (255, 24, 152),
    (192, 144, 72),
    (176, 120, 255),
    (255, 176, 200),
    (72, 104, 40),
    (168, 208, 96),
    (224, 80, 184),
];

/// Outliers (a density method's noise segment): the app's outlier grey.
pub const OUTLIER: Rgb = (0x80, 0x80, 0x80);

/// Negative silhouettes (rows closer to another segment than to their own): the light theme's red.
pub const NEGATIVE: Rgb = (200, 20, 30);

/// Lines and text.
pub const INK: Rgb = (0x20, 0x20, 0x20);

/// Secondary marks (links above the cut, grid).
pub const MUTED: Rgb = (0x80, 0x80, 0x80);

/// The colour of segment `segment`; `noise` is the outliers' segment, if any.
pub fn segment_colour(segment: usize, noise: Option<usize>) -> Rgb {
    if Some(segment) == noise {
        OUTLIER
    } else {
        SEGMENT_COLOURS[segment % SEGMENT_COLOURS.len()]
    }
}

/// `#rrggbb`.
pub fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The diverging colour of a standardised difference `z` (blue below the mean, white at it, orange
/// above; saturated at |z| = `z_max`), for the profiles heatmap.
pub fn diverging(z: f64, z_max: f64) -> Rgb {
    let t = if z.is_finite() && z_max > 0.0 {
        (z / z_max).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let (end, t) = if t < 0.0 {
        ((0x21, 0x66, 0xac), -t)
    } else {
        ((0xe6, 0x6a, 0x00), t)
    };
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    (mix(0xf7, end.0), mix(0xf7, end.1), mix(0xf7, end.2))
}

/// CIELAB (D65) of an sRGB colour.
pub fn lab(c: Rgb) -> [f64; 3] {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let (r, g, b) = (lin(c.0), lin(c.1), lin(c.2));
    let x = (0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b) / 0.950_47;
    let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175 * b;
    let z = (0.019_333_9 * r + 0.119_192 * g + 0.950_304_1 * b) / 1.088_83;
    let f = |t: f64| {
        let e = 6.0_f64 / 29.0;
        if t > e.powi(3) {
            t.cbrt()
        } else {
            t / (3.0 * e * e) + 4.0 / 29.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIE76 colour difference of two sRGB colours.
pub fn delta_e(a: Rgb, b: Rgb) -> f64 {
    let (a, b) = (lab(a), lab(b));
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_distinct_colours_away_from_the_reserved_red_grey_and_paper() {
        for (i, &c) in SEGMENT_COLOURS.iter().enumerate() {
            for &other in &SEGMENT_COLOURS[..i] {
                assert!(delta_e(c, other) >= 25.0, "{c:?} vs {other:?}");
            }
            // The exported plots' reserved colours and their white paper.
            assert!(delta_e(c, NEGATIVE) >= 30.0, "{c:?} vs the negative red");
            assert!(delta_e(c, OUTLIER) >= 25.0, "{c:?} vs the outlier grey");
            assert!(delta_e(c, (255, 255, 255)) >= 30.0, "{c:?} vs white");
        }
        assert_eq!(segment_colour(3, Some(3)), OUTLIER);
        assert_eq!(segment_colour(41, None), SEGMENT_COLOURS[1]);
        assert_eq!(hex((1, 0xab, 255)), "#01abff");
    }

    #[test]
    fn diverging_is_white_at_zero_and_saturates() {
        assert_eq!(diverging(0.0, 2.0), (0xf7, 0xf7, 0xf7));
        assert_eq!(diverging(5.0, 2.0), (0xe6, 0x6a, 0x00));
        assert_eq!(diverging(-2.0, 2.0), (0x21, 0x66, 0xac));
        assert_eq!(diverging(f64::NAN, 2.0), (0xf7, 0xf7, 0xf7));
    }
}
