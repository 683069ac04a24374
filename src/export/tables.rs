//! The table-shaped outputs: the prepared feature matrix, the per-segment profile, the RFM table, the
//! scipy linkage matrix and 2-D embeddings. Each writes to any `Write`; where the bytes go (a temp file
//! renamed into place, a device, standard output) is [`super::write`]'s business. Numbers use
//! [`fmt_f64`]: shortest round-trip text, so reading them back gives the same f64.

use std::io::Write;

use crate::analysis::Profile;
use crate::analysis::describe::SegmentDescription;
use crate::error::{Error, Result};
use crate::prep::Prepared;
use crate::prep::rfm::Rfm;

/// A write failure of an output, to be named by the output writer with the user's path.
pub fn io_err(source: std::io::Error) -> Error {
    Error::io(OUTPUT_PLACEHOLDER, source)
}

/// A CSV writer failure: I/O errors become [`io_err`], anything else names the problem.
pub fn csv_err(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io_err(io),
        other => Error::InvalidParameter(format!("cannot write the CSV: {other:?}")),
    }
}

/// The path errors of writers carry until the output writer replaces it with the real one.
pub const OUTPUT_PLACEHOLDER: &str = "<output>";

/// A number for CSV output: shortest round-trip text, in exponent form when very large or small (never
/// hundreds of digits).
pub fn fmt_f64(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || (1e-5..1e16).contains(&a) || !v.is_finite() {
        v.to_string()
    } else {
        format!("{v:e}")
    }
}

/// Writes the matrix as CSV: a header of feature names, then one line per kept row; numbers use Rust's
/// shortest round-trip formatting (`{}`), so reading them back gives the same f64.
pub fn write_prepared_csv(prepared: &Prepared, w: &mut dyn Write) -> Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    let to_err = csv_err;
    csv.write_record(&prepared.feature_names).map_err(to_err)?;
    for row in prepared.matrix.rows() {
        csv.write_record(row.iter().map(f64::to_string))
            .map_err(to_err)?;
    }
    csv.flush().map_err(io_err)
}

/// The words that go with a profile in its CSV: the segment names and each segment's ranked features.
/// Empty slices (a bare profile) leave the `name`, `effect` and `rank` rows out.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProfileWords<'a> {
    /// Segment names, in segment order.
    pub names: &'a [String],
    /// Each segment explained in words ([`crate::analysis::describe::describe_segments`]).
    pub descriptions: &'a [SegmentDescription],
}

impl ProfileWords<'_> {
    /// Per segment, the (1-based rank, effect) of `feature` among that segment's top features.
    fn ranking(&self, feature: &str, k: usize) -> Option<Vec<Option<(usize, f64)>>> {
        let per: Vec<Option<(usize, f64)>> = (0..k)
            .map(|s| {
                let d = self.descriptions.iter().find(|d| d.segment == s)?;
                d.top_features
                    .iter()
                    .position(|t| t.feature == feature)
                    .map(|i| (i + 1, d.top_features[i].effect))
            })
            .collect();
        per.iter().any(Option::is_some).then_some(per)
    }
}

/// Writes one profile CSV row: feature, statistic, a value per segment, overall, ANOVA F.
type RowWriter<'a> = dyn FnMut(&str, &str, Vec<String>, String, String) -> Result<()> + 'a;

/// The profile as a CSV: one row per (feature, statistic), one column per segment, then `overall` and
/// `anova_f`. The header keeps `segment_<s>` (scripts address columns by it); the segment names come in
/// the `(all),name` row under it. A feature that sets a segment apart gets an `effect` row (Cohen's d,
/// or Cohen's h for a `column=level`, segment vs the rest) and a `rank` row (1 = strongest feature of
/// that segment), blank where it is not among the segment's top features.
pub fn write_profile_csv(p: &Profile, words: ProfileWords<'_>, w: &mut dyn Write) -> Result<()> {
    let k = p.sizes.len();
    let mut out = csv::Writer::from_writer(w);
    let err = csv_err;
    let mut header = vec!["feature".to_owned(), "statistic".to_owned()];
    header.extend((0..k).map(|s| format!("segment_{s}")));
    header.push("overall".into());
    header.push("anova_f".into());
    out.write_record(&header).map_err(err)?;
    let fmt = |v: Option<f64>| v.map(fmt_f64).unwrap_or_default();
    let mut row = |feature: &str, stat: &str, vals: Vec<String>, overall: String, f: String| {
        let mut r = vec![feature.to_owned(), stat.to_owned()];
        r.extend(vals);
        r.push(overall);
        r.push(f);
        out.write_record(&r).map_err(err)
    };
    let ranking_rows = |row: &mut RowWriter<'_>, feature: &str| -> Result<()> {
        if let Some(per) = words.ranking(feature, k) {
            let effect = per.iter().map(|r| fmt(r.map(|(_, e)| e))).collect();
            let rank = per
                .iter()
                .map(|r| r.map(|(i, _)| i.to_string()).unwrap_or_default())
                .collect();
            row(feature, "effect", effect, String::new(), String::new())?;
            row(feature, "rank", rank, String::new(), String::new())?;
        }
        Ok(())
    };
    let total: usize = p.sizes.iter().sum();
    if words.names.len() == k {
        row(
            "(all)",
            "name",
            words.names.to_vec(),
            String::new(),
            String::new(),
        )?;
    }
    row(
        "(all)",
        "size",
        p.sizes.iter().map(ToString::to_string).collect(),
        total.to_string(),
        String::new(),
    )?;
    row(
        "(all)",
        "share",
        p.shares.iter().map(ToString::to_string).collect(),
        "1".into(),
        String::new(),
    )?;
    for f in &p.numeric {
        row(
            &f.name,
            "mean",
            f.mean.iter().map(|v| fmt(*v)).collect(),
            fmt(f.overall_mean),
            fmt(f.anova_f),
        )?;
        row(
            &f.name,
            "median",
            f.median.iter().map(|v| fmt(*v)).collect(),
            String::new(),
            String::new(),
        )?;
        row(
            &f.name,
            "z",
            f.z.iter().map(|v| fmt(*v)).collect(),
            String::new(),
            String::new(),
        )?;
        ranking_rows(&mut row, &f.name)?;
    }
    for c in &p.categorical {
        for (j, level) in c.levels.iter().enumerate() {
            let feature = format!("{}={level}", c.name);
            row(
                &feature,
                "share",
                c.shares.iter().map(|s| s[j].to_string()).collect(),
                c.overall
                    .get(j)
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                String::new(),
            )?;
            ranking_rows(&mut row, &feature)?;
        }
    }
    out.flush().map_err(io_err)
}

/// Writes the RFM table as CSV with the customer column named `customer_header`.
pub fn write_rfm_csv(rfm: &Rfm, customer_header: &str, w: &mut dyn Write) -> Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    let to_err = csv_err;
    csv.write_record([
        customer_header,
        "recency_days",
        "frequency",
        "monetary",
        "r_score",
        "f_score",
        "m_score",
    ])
    .map_err(to_err)?;
    for r in &rfm.rows {
        csv.write_record([
            r.customer.clone(),
            r.recency_days.to_string(),
            r.frequency.to_string(),
            r.monetary.to_string(),
            r.r_score.to_string(),
            r.f_score.to_string(),
            r.m_score.to_string(),
        ])
        .map_err(to_err)?;
    }
    csv.flush().map_err(io_err)
}

/// The scipy linkage matrix as CSV: `a,b,distance,size`.
pub fn write_linkage_csv(matrix: &[[f64; 4]], w: &mut dyn Write) -> Result<()> {
    let io = io_err;
    writeln!(w, "a,b,distance,size").map_err(io)?;
    for m in matrix {
        writeln!(w, "{},{},{},{}", m[0], m[1], m[2], m[3]).map_err(io)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_short() {
        assert_eq!(
            fmt_f64(2.691_098_067_955_019e-204),
            "2.691098067955019e-204"
        );
        assert_eq!(fmt_f64(0.5), "0.5");
        assert_eq!(fmt_f64(0.0), "0");
        assert_eq!(fmt_f64(3e20), "3e20");
        assert_eq!(
            "2.691098067955019e-204".parse::<f64>().unwrap(),
            2.691_098_067_955_019e-204
        );
    }
}
