//! Feature selection: which columns of a [`Table`] become features. By default every numeric column that
//! is not ID-like or label-like ([`column_role`]); text and date columns are never picked by default. A name
//! that is not a column is an error that suggests the closest column names by edit distance.
//!
//! The one rule for "this column is an ID, not a feature" lives here and serves the app and the CLI alike:
//! an unnamed first column (blank header) whose values are all distinct (R's row names, pandas' exported
//! index), a column named like an ID (`id`, `index`, `row`, `…_id`, `id_…`, `… id`) whose values are all
//! distinct, or integers that are all distinct and form a consecutive run (row numbers). Columns named
//! `target`, `label`, `class`, `segment` or `cluster` are probably labels, not features.

use crate::data::{Column, ColumnData, ColumnKind, MISSING_CODE, Table};
use crate::error::{Error, Result};

/// Why a column is or is not a default feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    /// A numeric column used by default.
    Feature,
    /// Looks like a row or customer ID: left out by default ("ID, not a feature").
    Id,
    /// Named like a label (`target`, `class`, ...): left out by default, a natural "compare with" column.
    Label,
    /// Categorical: usable (one-hot encoded), not picked by default.
    Categorical,
    /// Text or date: never a feature by default.
    NotFeature,
}

impl ColumnRole {
    /// A short note for the user, `None` for plain features and categoricals.
    pub fn note(self) -> Option<&'static str> {
        match self {
            ColumnRole::Id => Some("looks like an ID, not a feature"),
            ColumnRole::Label => Some("looks like a label (target / class), not a feature"),
            ColumnRole::Feature | ColumnRole::Categorical | ColumnRole::NotFeature => None,
        }
    }
}

/// Fewest rows for which a run of distinct consecutive integers counts as row numbers (tiny tables are too
/// likely to hold such a feature by chance).
const MIN_ROWS_FOR_RUN: usize = 20;

/// Names that mark a label column.
const LABEL_NAMES: [&str; 7] = [
    "target", "label", "labels", "class", "segment", "cluster", "y_true",
];

fn id_named(lower: &str) -> bool {
    matches!(
        lower,
        "id" | "index"
            | "idx"
            | "row"
            | "rowid"
            | "row_id"
            | "row.names"
            | "rownames"
            | "unnamed: 0"
    ) || lower.ends_with("_id")
        || lower.ends_with(" id")
        || lower.ends_with("-id")
        || lower.strip_suffix(".id").is_some()
        || lower.starts_with("id_")
}

/// Whether the loader named this column because its header was blank (`column_N` at position N).
fn blank_header(table: &Table, position: usize, c: &Column) -> bool {
    table.has_header && c.name == format!("column_{}", position + 1)
}

/// (all present values distinct, they are integers forming a consecutive run), each only when asked
/// for (`want_distinct`, `want_run`). Without a sort where it can: a consecutive run of n integers spans
/// exactly n − 1, so a bitmap over that span finds any repeat; "all distinct" sorts, but only columns
/// whose name or place suggests an ID ask for it.
fn distinct_and_run(c: &Column, want_distinct: bool, want_run: bool) -> (bool, bool) {
    match &c.data {
        ColumnData::Numeric(v) => {
            if v.len() < 2 || v.iter().any(|x| x.is_nan()) || !(want_distinct || want_run) {
                return (false, false);
            }
            let (lo, hi) = v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                    (lo.min(x), hi.max(x))
                });
            let integers = v.iter().all(|x| x.fract() == 0.0);
            let run = want_run && integers && hi - lo == (v.len() - 1) as f64 && {
                let mut seen = vec![false; v.len()];
                v.iter().all(|&x| {
                    // In 0..len: x is an integer in [lo, lo + len − 1].
                    let at = (x - lo) as usize;
                    !std::mem::replace(&mut seen[at], true)
                })
            };
            let distinct = run
                || want_distinct && {
                    let mut sorted = v.clone();
                    sorted.sort_unstable_by(f64::total_cmp);
                    sorted.windows(2).all(|w| w[0] < w[1])
                };
            (distinct, run)
        }
        ColumnData::Categorical { codes, levels } | ColumnData::Text { codes, levels } => {
            let present = codes.iter().filter(|&&c| c != MISSING_CODE).count();
            (
                present >= 2 && present == codes.len() && levels.len() == present,
                false,
            )
        }
        ColumnData::Date(_) => (false, false),
    }
}

/// The role of column `position` of `table` (the one ID-like / label-like rule of the engine).
pub fn column_role(table: &Table, position: usize) -> ColumnRole {
    let Some(c) = table.columns.get(position) else {
        return ColumnRole::NotFeature;
    };
    let lower = c.name.trim().to_ascii_lowercase();
    if LABEL_NAMES.contains(&lower.as_str()) {
        return ColumnRole::Label;
    }
    let unnamed_first = position == 0 && blank_header(table, position, c);
    let text = c.kind() == ColumnKind::Text;
    let id_like = id_named(&lower) || unnamed_first || text;
    let (distinct, run) = distinct_and_run(c, id_like, c.data.len() >= MIN_ROWS_FOR_RUN);
    if distinct && id_like || run {
        return ColumnRole::Id;
    }
    match c.kind() {
        ColumnKind::Numeric => ColumnRole::Feature,
        ColumnKind::Categorical => ColumnRole::Categorical,
        ColumnKind::Text | ColumnKind::Date => ColumnRole::NotFeature,
    }
}

/// The role of every column, in table order.
pub fn column_roles(table: &Table) -> Vec<ColumnRole> {
    (0..table.columns.len())
        .map(|i| column_role(table, i))
        .collect()
}

/// Numeric columns left out of the default features because they look like IDs or labels, with the note.
pub fn left_out_by_default(table: &Table) -> Vec<(String, ColumnRole)> {
    table
        .columns
        .iter()
        .zip(column_roles(table))
        .filter(|(c, r)| c.kind() == ColumnKind::Numeric && r.note().is_some())
        .map(|(c, r)| (c.name.clone(), r))
        .collect()
}

/// Levenshtein distance between two strings, counted in characters, case-insensitive.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Whether the characters of `short` appear in order in `long` (case-insensitive): `amt` in `amount`.
fn is_subsequence(short: &str, long: &str) -> bool {
    let mut it = long.chars().flat_map(char::to_lowercase);
    short
        .chars()
        .flat_map(char::to_lowercase)
        .all(|c| it.any(|d| d == c))
}

/// Up to three column names close to `name`: first those containing its letters in order (`amt` in
/// `amount`), then the nearest by edit distance (and those one edit further); ties in file order.
pub fn closest_names<'a>(name: &str, candidates: &[&'a str]) -> Vec<&'a str> {
    let mut scored: Vec<(bool, usize, usize, &str)> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| (!is_subsequence(name, c), edit_distance(name, c), i, *c))
        .collect();
    let best = scored.iter().map(|s| s.1).min().unwrap_or(0);
    scored.sort_unstable();
    scored
        .into_iter()
        .filter(|s| !s.0 || s.1 <= best + 1)
        .take(3)
        .map(|(_, _, _, c)| c)
        .collect()
}

/// The error for a column name the table does not have, with suggestions.
pub fn unknown_column(table: &Table, name: &str, what: &str) -> Error {
    let names = table.names();
    let close = closest_names(name, &names);
    let hint = if close.is_empty() {
        "the file has no columns".to_owned()
    } else {
        let quoted: Vec<String> = close.iter().map(|c| format!("'{c}'")).collect();
        format!("did you mean {}?", quoted.join(" or "))
    };
    Error::Column {
        name: name.to_owned(),
        message: format!(
            "{what} names a column that {} does not have; {hint} (columns: {})",
            table.source_name,
            names.join(", ")
        ),
    }
}

/// Checks that every name is a column of `table`.
pub fn check_names<'a>(
    table: &Table,
    names: impl IntoIterator<Item = &'a String>,
    what: &str,
) -> Result<()> {
    for n in names {
        if table.index_of(n).is_none() {
            return Err(unknown_column(table, n, what));
        }
    }
    Ok(())
}

/// The features to use: `features` if given (checked to exist, duplicates removed), else every numeric
/// column that is neither ID-like nor label-like ([`column_role`]) and not in `exclude`. Errors when nothing
/// is selected.
pub fn select_features(
    table: &Table,
    features: &[String],
    exclude: &[String],
) -> Result<Vec<String>> {
    check_names(table, features, "the feature list")?;
    check_names(table, exclude, "the excluded columns")?;
    let mut out: Vec<String> = Vec::new();
    if features.is_empty() {
        for (c, role) in table.columns.iter().zip(column_roles(table)) {
            if role == ColumnRole::Feature && !exclude.contains(&c.name) {
                out.push(c.name.clone());
            }
        }
    } else {
        for f in features {
            if !out.contains(f) && !exclude.contains(f) {
                out.push(f.clone());
            }
        }
    }
    if out.is_empty() {
        let n_numeric = table
            .columns
            .iter()
            .filter(|c| c.kind() == ColumnKind::Numeric)
            .count();
        let why = if features.is_empty() && n_numeric == 0 {
            format!(
                "{} has no numeric columns (text and date columns are never picked by default)",
                table.source_name
            )
        } else if features.is_empty() && !left_out_by_default(table).is_empty() {
            let names: Vec<String> = left_out_by_default(table)
                .into_iter()
                .map(|(n, r)| format!("'{n}' {}", r.note().unwrap_or_default()))
                .collect();
            format!(
                "every numeric column was left out by default ({}) or excluded",
                names.join(", ")
            )
        } else {
            "every candidate column was excluded".to_owned()
        };
        return Err(Error::NoFeatures { why });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Column, ColumnData};

    fn table() -> Table {
        Table {
            columns: vec![
                Column::new("recency", ColumnData::Numeric(vec![1.0, 2.0])),
                Column::new("frequency", ColumnData::Numeric(vec![1.0, 2.0])),
                Column::new(
                    "name",
                    ColumnData::Text {
                        codes: vec![0, 1],
                        levels: crate::data::Levels::from(vec!["a", "b"]),
                    },
                ),
            ],
            source_name: "t.csv".into(),
            ..Table::default()
        }
    }

    #[test]
    fn distance_rules() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("Recency", "recency"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            closest_names("amt", &["date", "amount"]),
            ["amount", "date"]
        );
    }

    #[test]
    fn default_is_numeric_only() {
        let t = table();
        assert_eq!(
            select_features(&t, &[], &[]).unwrap(),
            ["recency", "frequency"]
        );
        assert_eq!(
            select_features(&t, &[], &["recency".into()]).unwrap(),
            ["frequency"]
        );
    }

    #[test]
    fn unknown_name_suggests_closest() {
        let e = select_features(&table(), &["recncy".into()], &[]).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("did you mean 'recency'"), "{msg}");
    }

    use std::fmt::Write as _;

    fn loaded(csv: &str) -> Table {
        crate::data::load_bytes(
            csv.as_bytes().to_vec(),
            "t.csv",
            &crate::data::LoadOptions::default(),
            &crate::jobs::Progress::new(),
        )
        .unwrap()
    }

    #[test]
    fn id_like_and_label_like_columns_are_left_out() {
        // R's write.csv: an unnamed first column of row names 1..n.
        let t = loaded("\"\",\"Price\",\"MPG\"\n\"1\",15.9,25\n\"2\",33.9,18\n\"3\",29.1,20\n");
        assert_eq!(column_role(&t, 0), ColumnRole::Id, "{:?}", t.names());
        assert_eq!(select_features(&t, &[], &[]).unwrap(), ["Price", "MPG"]);
        // pandas' exported index starts at 0; a named customer id; a target column.
        let t = loaded(",customer_id,spend,target\n0,101,3.5,1\n1,205,2.0,0\n2,150,7.5,1\n");
        let roles = column_roles(&t);
        assert_eq!(
            roles,
            [
                ColumnRole::Id,
                ColumnRole::Id,
                ColumnRole::Feature,
                ColumnRole::Label
            ]
        );
        assert_eq!(select_features(&t, &[], &[]).unwrap(), ["spend"]);
        assert_eq!(left_out_by_default(&t).len(), 3);
        // Still selectable by name.
        assert_eq!(
            select_features(&t, &["customer_id".into()], &[]).unwrap(),
            ["customer_id"]
        );
        // Repeated ids are data; distinct non-consecutive integers with a plain name are data.
        let t = loaded("id,x\n1,2\n1,3\n");
        assert_eq!(column_role(&t, 0), ColumnRole::Feature);
        let t = loaded("income,x\n100,2\n250,3\n175,9\n");
        assert_eq!(column_role(&t, 0), ColumnRole::Feature);
        // Consecutive distinct integers are row numbers whatever the name (from 20 rows on).
        let t = loaded("n,x\n5,2\n6,3\n7,9\n");
        assert_eq!(column_role(&t, 0), ColumnRole::Feature);
        let mut csv = String::from("n,x\n");
        for i in 0..30 {
            writeln!(csv, "{},{}", 100 + i, i % 7).unwrap();
        }
        assert_eq!(column_role(&loaded(&csv), 0), ColumnRole::Id);
    }

    #[test]
    fn only_ids_left_is_a_clear_error() {
        let t = loaded("id,code\n1,a\n2,b\n3,c\n");
        let e = select_features(&t, &[], &[]).unwrap_err().to_string();
        assert!(e.contains("'id' looks like an ID"), "{e}");
    }

    #[test]
    fn nothing_selected_is_an_error() {
        let e = select_features(&table(), &[], &["recency".into(), "frequency".into()]);
        assert!(
            e.unwrap_err()
                .to_string()
                .contains("no numeric feature selected")
        );
    }
}
