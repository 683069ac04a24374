//! The one segment palette of every exported plot: 40 distinct colours as plain RGB (no GUI types, so
//! the app's theme can import the same table), a grey for outliers and a red kept for negative
//! silhouettes (no segment colour is red or grey).

/// An sRGB colour.
pub type Rgb = (u8, u8, u8);

/// 40 distinct segment colours, in order: Tableau 10 and its light variants (red and grey left out),
/// then Tableau 20b/20c hues (reds left out). Segment `i` is `SEGMENT_COLOURS[i % 40]`.
pub const SEGMENT_COLOURS: [Rgb; 40] = [
    (0x1f, 0x77, 0xb4),
    (0xff, 0x7f, 0x0e),
    (0x2c, 0xa0, 0x2c),
    (0x94, 0x67, 0xbd),
    (0x8c, 0x56, 0x4b),
    (0xe3, 0x77, 0xc2),
    (0xbc, 0xbd, 0x22),
    (0x17, 0xbe, 0xcf),
    (0xae, 0xc7, 0xe8),
    (0xff, 0xbb, 0x78),
    (0x98, 0xdf, 0x8a),
    (0xc5, 0xb0, 0xd5),
    (0xc4, 0x9c, 0x94),
    (0xf7, 0xb6, 0xd2),
    (0xdb, 0xdb, 0x8d),
    (0x9e, 0xda, 0xe5),
    (0x39, 0x3b, 0x79),
    (0x52, 0x54, 0xa3),
    (0x6b, 0x6e, 0xcf),
    (0x9c, 0x9e, 0xde),
    (0x63, 0x79, 0x39),
    (0x8c, 0xa2, 0x52),
    (0xb5, 0xcf, 0x6b),
    (0xce, 0xdb, 0x9c),
    (0x8c, 0x6d, 0x31),
    (0xbd, 0x9e, 0x39),
    (0xe7, 0xba, 0x52),
    (0xe7, 0xcb, 0x94),
    (0x7b, 0x41, 0x73),
    (0xa5, 0x51, 0x94),
    (0xce, 0x6d, 0xbd),
    (0xde, 0x9e, 0xd6),
    (0x6b, 0xae, 0xd6),
    (0x31, 0xa3, 0x54),
    (0x75, 0x6b, 0xb1),
    (0x9e, 0xca, 0xe1),
    (0xfd, 0xae, 0x6b),
    (0xa1, 0xd9, 0x9b),
    (0xbc, 0xbd, 0xdc),
    (0x31, 0x82, 0xbd),
];

/// Outliers (a density method's noise segment).
pub const OUTLIER: Rgb = (0x9a, 0x9a, 0x9a);

/// Negative silhouettes (rows closer to another segment than to their own).
pub const NEGATIVE: Rgb = (0xd6, 0x27, 0x28);

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_distinct_colours_none_red_or_grey() {
        let mut seen = SEGMENT_COLOURS.to_vec();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 40);
        for &c in &SEGMENT_COLOURS {
            assert_ne!(c, OUTLIER);
            assert_ne!(c, NEGATIVE);
            let (r, g, b) = (i32::from(c.0), i32::from(c.1), i32::from(c.2));
            // Not grey: some channel differs from another by a visible amount.
            assert!(
                (r - g).abs().max((g - b).abs()).max((r - b).abs()) > 20,
                "{c:?}"
            );
            // Not red: red does not dominate both others by a lot.
            assert!(!(r > 150 && g < 110 && b < 110), "{c:?}");
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
