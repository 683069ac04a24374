//! Value transforms between imputation and scaling: `log1p` (refusing values ≤ -1 with the column and line)
//! and winsorizing (clipping at percentiles learnt at fit time, numpy linear percentiles).

use super::stats::{percentile_sorted, sorted_present};
use crate::data::Table;
use crate::error::{Error, Result};

/// Replaces each value with `ln(1 + x)`. `rows[i]` is the table row of `values[i]`, for messages.
pub fn log1p_in_place(values: &mut [f64], name: &str, table: &Table, rows: &[usize]) -> Result<()> {
    for (i, x) in values.iter_mut().enumerate() {
        if *x <= -1.0 {
            return Err(Error::Column {
                name: name.to_owned(),
                message: format!(
                    "log1p needs values above -1, but {} has {x} at line {} (row {}); remove --log1p for this \
                     column or fix the value",
                    table.source_name,
                    table.line_of_row(rows[i]),
                    rows[i] + 1
                ),
            });
        }
        *x = x.ln_1p();
    }
    Ok(())
}

/// The clipping bounds: the `lower` and `upper` percentiles (0..=100) of the values.
pub fn winsor_bounds(values: &[f64], lower: f64, upper: f64) -> (f64, f64) {
    let sorted = sorted_present(values.iter().copied());
    (
        percentile_sorted(&sorted, lower),
        percentile_sorted(&sorted, upper),
    )
}

/// Clips values to `[lo, hi]`.
pub fn clip_in_place(values: &mut [f64], (lo, hi): (f64, f64)) {
    for x in values {
        *x = x.clamp(lo, hi);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log1p_refuses_minus_one() {
        let t = Table {
            source_name: "t.csv".into(),
            row_lines: vec![2, 3, 5],
            ..Table::default()
        };
        let mut v = [0.0, 1.0, -1.0];
        let e = log1p_in_place(&mut v, "spend", &t, &[0, 1, 2]).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("'spend'") && msg.contains("line 5"), "{msg}");
        let mut ok = [0.0, std::f64::consts::E - 1.0];
        log1p_in_place(&mut ok, "spend", &t, &[0, 1]).unwrap();
        assert_eq!(ok[0], 0.0);
        assert!((ok[1] - 1.0).abs() < 1e-15);
    }

    #[test]
    fn winsorize_clips_at_percentiles() {
        let mut v: Vec<f64> = (0..=100).map(f64::from).collect();
        let b = winsor_bounds(&v, 5.0, 95.0);
        assert_eq!(b, (5.0, 95.0));
        clip_in_place(&mut v, b);
        assert_eq!(v[0], 5.0);
        assert_eq!(v[100], 95.0);
    }
}
