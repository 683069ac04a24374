//! Tick marks for the plots' value axes, shared by every plot that sets its own grid: "nice" steps
//! (1, 2, 2.5, 5 × 10ⁿ) spaced so that their labels fit, and at least three marks whenever the axis is
//! long enough. egui_plot's default spacer only offers powers of ten for labels, which leaves an axis
//! spanning −1.3..1.4 with the single label "0" when the 0.1 step is too dense for text.

use egui_plot::{GridInput, GridMark};

/// Pixels per plot unit of a grid input (`base_step_size` is 8 px in plot units).
pub fn px_per_unit(input: &GridInput) -> f64 {
    if input.base_step_size > 0.0 && input.base_step_size.is_finite() {
        8.0 / input.base_step_size
    } else {
        0.0
    }
}

/// The "nice" steps (1, 2, 2.5, 5 × 10ⁿ) from small to large around `scale`.
fn nice_steps(scale: f64) -> impl Iterator<Item = f64> {
    let e = scale.log10().floor() as i32;
    (e - 2..=e + 2).flat_map(|p| [1.0, 2.0, 2.5, 5.0].map(|m| m * 10f64.powi(p)))
}

/// The step for an axis spanning `range` units at `px_per_unit`: the smallest nice step at least
/// `min_px` apart; if that leaves fewer than three marks, the largest nice step that gives three.
pub fn nice_step(range: f64, px_per_unit: f64, min_px: f64) -> Option<f64> {
    if !(range.is_finite() && range > 0.0 && px_per_unit.is_finite() && px_per_unit > 0.0) {
        return None;
    }
    let roomy = nice_steps(range).find(|&s| s * px_per_unit >= min_px)?;
    if range / roomy >= 3.0 {
        return Some(roomy);
    }
    // Three marks need a step of at most range / 3 (a little less, for marks that miss the ends).
    nice_steps(range)
        .take_while(|&s| s <= range / 3.0)
        .last()
        .or(Some(roomy))
}

/// Marks at multiples of [`nice_step`] within the input's bounds, labels at least `min_px` apart.
pub fn value_marks(input: &GridInput, min_px: f64) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    let Some(step) = nice_step(hi - lo, px_per_unit(input), min_px) else {
        return Vec::new();
    };
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    if last - first > 1_000 {
        return Vec::new();
    }
    (first..=last)
        .map(|i| GridMark {
            value: i as f64 * step,
            step_size: step,
        })
        .collect()
}

/// The label of a mark: as many decimals as its step needs (0.25 → two), so neighbouring labels never
/// read the same ("2" for both 2 and 2.5); "−0" reads "0".
pub fn mark_label(mark: GridMark) -> String {
    let step = mark.step_size.abs();
    let decimals = (0..=9)
        .find(|&d| {
            let scaled = step * 10f64.powi(d);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(9) as usize;
    let text = format!("{:.*}", decimals, mark.value);
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        text.trim_start_matches('-').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(lo: f64, hi: f64, px: f64) -> GridInput {
        GridInput {
            bounds: (lo, hi),
            base_step_size: 8.0 * (hi - lo) / px,
        }
    }

    #[test]
    fn a_short_wide_axis_gets_several_labels_not_only_zero() {
        // The t-SNE map's x axis: −1.1..1.05 over 420 px; labels need 48 px.
        let marks = value_marks(&input(-1.1, 1.05, 420.0), 48.0);
        assert!(marks.len() >= 3, "{marks:?}");
        let step = marks[1].value - marks[0].value;
        assert!(
            step * 420.0 / 2.15 >= 48.0 - 1e-9,
            "labels fit: step {step}"
        );
        assert!(marks.iter().all(|m| (-1.1..=1.05).contains(&m.value)));
    }

    #[test]
    fn labels_have_the_decimals_of_their_step() {
        let label = |value, step_size| mark_label(GridMark { value, step_size });
        assert_eq!(label(2.5, 0.5), "2.5");
        assert_eq!(label(2.0, 0.5), "2.0");
        assert_eq!(label(-0.75, 0.25), "-0.75");
        assert_eq!(label(40.0, 20.0), "40");
        assert_eq!(label(-0.0, 0.1), "0.0");
        assert_eq!(label(1e-17, 0.2), "0.0");
        // Every label of an axis differs from its neighbours.
        let marks = value_marks(&input(-2.4, 2.6, 160.0), 24.0);
        let texts: Vec<String> = marks.iter().map(|&m| mark_label(m)).collect();
        assert!(texts.windows(2).all(|w| w[0] != w[1]), "{texts:?}");
    }

    #[test]
    fn steps_are_nice_and_bounded() {
        assert_eq!(nice_step(10.0, 50.0, 48.0), Some(1.0));
        assert_eq!(nice_step(10.0, 5.0, 48.0), Some(2.5));
        assert_eq!(nice_step(0.0, 5.0, 48.0), None);
        assert_eq!(nice_step(f64::NAN, 5.0, 48.0), None);
        assert!(value_marks(&input(0.0, 1e9, 1e-9), 48.0).is_empty());
    }
}
