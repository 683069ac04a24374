//! Segments explained in words: for each segment the features that set it apart, ranked by effect size,
//! a one-line description ("Segment 2 · 18% · recent (12 days since last order vs 64 overall), ...") and
//! a short name unique across segments ("Recent frequent customers").
//!
//! Effect sizes, all "segment vs the rest of the rows", in original units (the [`Table`], not the scaled
//! matrix), present values only:
//!
//! * numeric features: Cohen's d with the pooled standard deviation,
//!   `(mean_seg − mean_rest) / sqrt((SS_seg + SS_rest) / (n − 2))` (each SS around its own mean). A feature
//!   with |d| < [`MIN_EFFECT`] (0.2, Cohen's "small") is never called high or low;
//! * categorical levels: Cohen's h, `2·asin √p_seg − 2·asin √p_rest`, on the same scale as d, for levels
//!   over-represented in the segment: lift `p_seg / p_overall` ≥ [`MIN_LIFT`] and a share of at least
//!   [`MIN_SHARE`] of the segment.
//!
//! The values shown are the segment's and the overall mean (or level share) from the [`Profile`].
//! Direction words come from a small rule table on the feature name (lower case): names containing
//! `recency`, `days_since` or `since_last` read "recent" (low) / "lapsed" (high); names containing
//! `frequency`, `orders`, `purchases`, `visits` or `transactions` read "frequent" / "infrequent"; any other
//! numeric feature reads "high X" / "low X"; a level reads "mostly L" (≥ 50% of the segment) or "often L".

mod words;

use words::{NameWord, human, number, percent, unique_names, wording};

use super::Profile;
use crate::data::{ColumnData, MISSING_CODE, Table};
use crate::error::{Error, Result};

/// Smallest |effect| for a feature to describe a segment.
pub const MIN_EFFECT: f64 = 0.2;
/// Smallest lift (segment share / overall share) for a categorical level to describe a segment.
pub const MIN_LIFT: f64 = 1.2;
/// Smallest share of the segment a categorical level needs to describe it.
pub const MIN_SHARE: f64 = 0.2;
/// Most features listed per segment.
pub const MAX_TOP_FEATURES: usize = 5;
/// Features used in the sentence.
const SENTENCE_FEATURES: usize = 3;
/// One feature that sets a segment apart.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TopFeature {
    /// Input column (numeric), or `column=level` (categorical).
    pub feature: String,
    /// `high`/`low`, `recent`/`lapsed`, `frequent`/`infrequent` (numeric) or `mostly`/`often` (level).
    pub direction: String,
    /// Segment mean (numeric) or share of the segment with the level.
    pub segment_value: f64,
    /// Overall mean or share.
    pub overall_value: f64,
    /// Cohen's d (numeric) or Cohen's h (level), segment vs the rest; the ranking key.
    pub effect: f64,
}

/// One segment in words.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SegmentDescription {
    /// Segment number (0 = largest).
    pub segment: usize,
    /// Rows in the segment.
    pub size: usize,
    /// Share of the clustered rows.
    pub share: f64,
    /// A suggested name, unique across segments.
    pub name: String,
    /// One line: number, share and the top features with their values.
    pub description: String,
    /// Up to [`MAX_TOP_FEATURES`] features, strongest first.
    pub top_features: Vec<TopFeature>,
}

/// A feature that sets a segment apart, with its words.
#[derive(Debug, Clone)]
struct Candidate {
    top: TopFeature,
    phrase: String,
    name_word: NameWord,
}

/// Per-segment count, mean and sum of squares around the mean of one numeric feature.
fn group_stats(values: &[f64], rows: &[usize], labels: &[usize], k: usize) -> Vec<(f64, f64, f64)> {
    let mut n = vec![0.0f64; k];
    let mut sum = vec![0.0f64; k];
    for (&r, &l) in rows.iter().zip(labels) {
        if !values[r].is_nan() {
            n[l] += 1.0;
            sum[l] += values[r];
        }
    }
    let mean: Vec<f64> = n
        .iter()
        .zip(&sum)
        .map(|(&c, &s)| if c > 0.0 { s / c } else { 0.0 })
        .collect();
    let mut ss = vec![0.0f64; k];
    for (&r, &l) in rows.iter().zip(labels) {
        if !values[r].is_nan() {
            ss[l] += (values[r] - mean[l]).powi(2);
        }
    }
    (0..k).map(|s| (n[s], mean[s], ss[s])).collect()
}

/// Cohen's d of segment `s` against the rest, from per-segment statistics.
fn cohens_d(stats: &[(f64, f64, f64)], s: usize) -> Option<f64> {
    let (n_s, mean_s, ss_s) = stats[s];
    let n: f64 = stats.iter().map(|t| t.0).sum();
    let n_r = n - n_s;
    if n_s < 1.0 || n_r < 1.0 || n <= 2.0 {
        return None;
    }
    let total: f64 = stats.iter().map(|t| t.0 * t.1).sum();
    let mean_r = (total - n_s * mean_s) / n_r;
    let mean_all = total / n;
    let ss_r: f64 = stats
        .iter()
        .enumerate()
        .filter(|(t, _)| *t != s)
        .map(|(_, &(c, m, ss))| ss + c * (m - mean_r).powi(2))
        .sum();
    let pooled = ((ss_s + ss_r) / (n - 2.0)).sqrt();
    if pooled > 0.0 {
        return Some((mean_s - mean_r) / pooled);
    }
    // No spread inside either group: fall back on the overall spread (0 when there is none at all).
    let ss_all: f64 = stats
        .iter()
        .map(|&(c, m, ss)| ss + c * (m - mean_all).powi(2))
        .sum();
    let sd = (ss_all / n).sqrt();
    Some(if sd > 0.0 {
        (mean_s - mean_r) / sd
    } else {
        0.0
    })
}

fn numeric_candidates(
    name: &str,
    values: &[f64],
    rows: &[usize],
    labels: &[usize],
    profile_means: (&[Option<f64>], Option<f64>),
    out: &mut [Vec<Candidate>],
) {
    let k = out.len();
    let stats = group_stats(values, rows, labels, k);
    let (means, overall) = profile_means;
    let Some(overall) = overall else { return };
    for (s, cands) in out.iter_mut().enumerate() {
        let (Some(d), Some(Some(seg))) = (cohens_d(&stats, s), means.get(s)) else {
            continue;
        };
        if !d.is_finite() || d.abs() < MIN_EFFECT {
            continue;
        }
        let high = d > 0.0;
        let (direction, phrase, name_word) = if let Some(w) = wording(name) {
            let word = if high { w.high } else { w.low };
            (
                word.to_owned(),
                format!(
                    "{word} ({} {} vs {} overall)",
                    number(*seg),
                    human(name),
                    number(overall)
                ),
                NameWord::Adjective(word.to_owned()),
            )
        } else {
            let word = if high { "high" } else { "low" };
            (
                word.to_owned(),
                format!(
                    "{word} {} ({} vs {} overall)",
                    human(name),
                    number(*seg),
                    number(overall)
                ),
                NameWord::With(format!("{word} {}", human(name))),
            )
        };
        cands.push(Candidate {
            top: TopFeature {
                feature: name.to_owned(),
                direction,
                segment_value: *seg,
                overall_value: overall,
                effect: d,
            },
            phrase,
            name_word,
        });
    }
}

fn level_candidates(
    name: &str,
    codes: &[u32],
    levels: &crate::data::Levels,
    rows: &[usize],
    labels: &[usize],
    out: &mut [Vec<Candidate>],
) {
    let k = out.len();
    let mut counts = vec![vec![0usize; levels.len()]; k];
    for (&r, &l) in rows.iter().zip(labels) {
        if codes[r] != MISSING_CODE {
            counts[l][codes[r] as usize] += 1;
        }
    }
    let seg_n: Vec<usize> = counts.iter().map(|c| c.iter().sum()).collect();
    let n: usize = seg_n.iter().sum();
    for (j, level) in levels.iter().enumerate() {
        let level_n: usize = counts.iter().map(|c| c[j]).sum();
        if level_n == 0 {
            continue;
        }
        let p_all = level_n as f64 / n as f64;
        for (s, cands) in out.iter_mut().enumerate() {
            if seg_n[s] == 0 || seg_n[s] == n {
                continue;
            }
            let p = counts[s][j] as f64 / seg_n[s] as f64;
            let p_rest = (level_n - counts[s][j]) as f64 / (n - seg_n[s]) as f64;
            let h = 2.0 * p.sqrt().asin() - 2.0 * p_rest.sqrt().asin();
            if p < MIN_SHARE || p / p_all < MIN_LIFT || h < MIN_EFFECT {
                continue;
            }
            let word = if p >= 0.5 { "mostly" } else { "often" };
            cands.push(Candidate {
                top: TopFeature {
                    feature: format!("{name}={level}"),
                    direction: word.to_owned(),
                    segment_value: p,
                    overall_value: p_all,
                    effect: h,
                },
                phrase: format!(
                    "{word} {level} ({} vs {} overall)",
                    percent(p),
                    percent(p_all)
                ),
                name_word: NameWord::Adjective(level.to_owned()),
            });
        }
    }
}

/// Describes every segment of `profile` (made from the same `table`, `rows` and `labels`, as
/// [`super::profile()`] takes them: `rows[i]` is the input row of `labels[i]`).
pub fn describe_segments(
    table: &Table,
    rows: &[usize],
    labels: &[usize],
    profile: &Profile,
) -> Result<Vec<SegmentDescription>> {
    let k = profile.sizes.len();
    if rows.len() != labels.len() {
        return Err(Error::InvalidParameter(
            "internal: rows and labels differ in length".into(),
        ));
    }
    if let Some(&bad) = labels.iter().find(|&&l| l >= k) {
        return Err(Error::InvalidParameter(format!(
            "internal: segment {bad} is not in the {k}-segment profile"
        )));
    }
    if let Some(&bad) = rows.iter().find(|&&r| r >= table.n_rows()) {
        return Err(Error::InvalidParameter(format!(
            "internal: row {bad} is not in the table ({} rows)",
            table.n_rows()
        )));
    }
    let column = |name: &str| {
        table.column(name).ok_or_else(|| Error::Column {
            name: name.to_owned(),
            message:
                "is in the profile but not in the table; describe with the table the profile was \
                      made from"
                    .into(),
        })
    };
    let mut cands: Vec<Vec<Candidate>> = vec![Vec::new(); k];
    for f in &profile.numeric {
        if let ColumnData::Numeric(v) = &column(&f.name)?.data {
            numeric_candidates(
                &f.name,
                v,
                rows,
                labels,
                (&f.mean, f.overall_mean),
                &mut cands,
            );
        }
    }
    for c in &profile.categorical {
        if let ColumnData::Categorical { codes, levels } | ColumnData::Text { codes, levels } =
            &column(&c.name)?.data
        {
            level_candidates(&c.name, codes, levels, rows, labels, &mut cands);
        }
    }
    for c in &mut cands {
        // Stable: equal effects keep the profile's feature order.
        c.sort_by(|a, b| b.top.effect.abs().total_cmp(&a.top.effect.abs()));
        c.truncate(MAX_TOP_FEATURES);
    }
    let words: Vec<Vec<NameWord>> = cands
        .iter()
        .map(|c| c.iter().map(|c| c.name_word.clone()).collect())
        .collect();
    let names = unique_names(&words);
    Ok(cands
        .into_iter()
        .zip(names)
        .enumerate()
        .map(|(s, (c, name))| {
            let share = profile.shares.get(s).copied().unwrap_or(0.0);
            let what = if c.is_empty() {
                "close to the overall average on every feature".to_owned()
            } else {
                c.iter()
                    .take(SENTENCE_FEATURES)
                    .map(|c| c.phrase.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            SegmentDescription {
                segment: s,
                size: profile.sizes[s],
                share,
                name,
                description: format!("Segment {s} · {} · {what}", percent(share)),
                top_features: c.into_iter().map(|c| c.top).collect(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::profile;
    use crate::data::Column;

    /// Three segments of 4 rows: 0 recent and frequent web buyers, 1 lapsed, 2 average with high age.
    fn table() -> (Table, Vec<usize>) {
        let days = vec![
            3.0, 5.0, 4.0, 6.0, 200.0, 220.0, 210.0, 190.0, 60.0, 70.0, 65.0, 55.0,
        ];
        let orders = vec![9.0, 10.0, 8.0, 9.0, 1.0, 0.0, 1.0, 2.0, 4.0, 5.0, 4.0, 5.0];
        let age = vec![
            30.0,
            40.0,
            35.0,
            45.0,
            38.0,
            36.0,
            41.0,
            39.0,
            70.0,
            72.0,
            f64::NAN,
            68.0,
        ];
        let channel = vec![0, 0, 0, 1, 1, 1, 0, 1, 1, MISSING_CODE, 1, 0];
        let t = Table {
            columns: vec![
                Column::new("days_since_last_order", ColumnData::Numeric(days)),
                Column::new("orders_12m", ColumnData::Numeric(orders)),
                Column::new("age", ColumnData::Numeric(age)),
                Column::new(
                    "channel",
                    ColumnData::Categorical {
                        codes: channel,
                        levels: crate::data::Levels::from(vec!["web", "store"]),
                    },
                ),
            ],
            ..Table::default()
        };
        let labels = (0..12).map(|i| i / 4).collect();
        (t, labels)
    }

    fn described() -> Vec<SegmentDescription> {
        let (t, labels) = table();
        let rows: Vec<usize> = (0..12).collect();
        let features: Vec<String> = t.names().iter().map(|s| (*s).to_owned()).collect();
        let p = profile(&t, &features, &rows, &labels, 3).unwrap();
        describe_segments(&t, &rows, &labels, &p).unwrap()
    }

    #[test]
    fn segments_are_described_by_their_strongest_features() {
        let d = described();
        assert_eq!(d.len(), 3);
        let recent = &d[0];
        let dirs: Vec<(&str, &str)> = recent
            .top_features
            .iter()
            .map(|f| (f.feature.as_str(), f.direction.as_str()))
            .collect();
        assert!(
            dirs.contains(&("days_since_last_order", "recent")),
            "{dirs:?}"
        );
        assert!(dirs.contains(&("orders_12m", "frequent")), "{dirs:?}");
        assert!(dirs.contains(&("channel=web", "mostly")), "{dirs:?}");
        assert!(
            recent.description.starts_with("Segment 0 · 33% · "),
            "{}",
            recent.description
        );
        assert!(
            recent
                .description
                .contains("recent (4.5 days since last order vs 91 overall)"),
            "{}",
            recent.description
        );
        let web = recent
            .top_features
            .iter()
            .find(|f| f.feature == "channel=web")
            .unwrap();
        assert_eq!(web.segment_value, 0.75);
        assert!((web.overall_value - 5.0 / 11.0).abs() < 1e-12);
        // Sorted by |effect|, every one at least MIN_EFFECT.
        for s in &d {
            for w in s.top_features.windows(2) {
                assert!(w[0].effect.abs() >= w[1].effect.abs());
            }
            assert!(s.top_features.iter().all(|f| f.effect.abs() >= MIN_EFFECT));
        }
        let lapsed = &d[1];
        assert_eq!(lapsed.top_features[0].direction, "lapsed", "{lapsed:?}");
        let old = &d[2];
        let age = old
            .top_features
            .iter()
            .find(|f| f.feature == "age")
            .unwrap();
        assert_eq!(age.direction, "high");
        assert!(
            (age.segment_value - 70.0).abs() < 1e-12,
            "NaN skipped: {age:?}"
        );
        assert!(
            old.description.contains("high age (70 vs"),
            "{}",
            old.description
        );
    }

    #[test]
    fn cohens_d_matches_the_pooled_formula() {
        // Segment {1, 2, 3} vs rest {7, 9}: means 2 and 8, SS 2 and 2, pooled sd sqrt(4 / 3).
        let v = [1.0, 2.0, 3.0, 7.0, 9.0];
        let stats = group_stats(&v, &[0, 1, 2, 3, 4], &[0, 0, 0, 1, 1], 2);
        let d = cohens_d(&stats, 0).unwrap();
        assert!((d - (-6.0 / (4.0f64 / 3.0).sqrt())).abs() < 1e-12, "{d}");
        // No spread in either group.
        let flat = group_stats(&[1.0, 1.0, 2.0, 2.0], &[0, 1, 2, 3], &[0, 0, 1, 1], 2);
        assert!((cohens_d(&flat, 0).unwrap() + 2.0).abs() < 1e-12);
    }

    #[test]
    fn small_differences_are_not_called_high_or_low() {
        let t = Table {
            columns: vec![Column::new(
                "spend",
                ColumnData::Numeric(vec![10.0, 11.0, 9.0, 10.1, 10.9, 9.1]),
            )],
            ..Table::default()
        };
        let rows: Vec<usize> = (0..6).collect();
        let labels = [0, 0, 0, 1, 1, 1];
        let p = profile(&t, &["spend".into()], &rows, &labels, 2).unwrap();
        let d = describe_segments(&t, &rows, &labels, &p).unwrap();
        assert!(d.iter().all(|s| s.top_features.is_empty()), "{d:?}");
        assert!(d[0].description.contains("close to the overall average"));
        assert_ne!(d[0].name, d[1].name);
        assert!(d[0].name.starts_with("Typical customers"), "{}", d[0].name);
    }

    #[test]
    fn names_are_short_and_unique() {
        let d = described();
        let names: Vec<&str> = d.iter().map(|s| s.name.as_str()).collect();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[..i].contains(n), "{names:?}");
        }
        assert_eq!(names[1], "Lapsed infrequent customers", "{names:?}");
        assert!(names[2].contains("with high age"), "{names:?}");
    }

    #[test]
    fn mismatched_inputs_are_errors() {
        let (t, labels) = table();
        let rows: Vec<usize> = (0..12).collect();
        let p = profile(&t, &["age".into()], &rows, &labels, 3).unwrap();
        assert!(describe_segments(&t, &rows[..5], &labels, &p).is_err());
        let mut bad = labels.clone();
        bad[0] = 7;
        assert!(describe_segments(&t, &rows, &bad, &p).is_err());
        let mut far = rows.clone();
        far[0] = 99;
        assert!(describe_segments(&t, &far, &labels, &p).is_err());
    }
}
