//! Feature selection: which columns of a [`Table`] become features. By default every numeric column (minus
//! `--exclude`); text and date columns are never picked by default. A name that is not a column is an error
//! that suggests the closest column names by edit distance.

use crate::data::{ColumnKind, Table};
use crate::error::{Error, Result};

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
/// column not in `exclude`. Errors when nothing is selected.
pub fn select_features(
    table: &Table,
    features: &[String],
    exclude: &[String],
) -> Result<Vec<String>> {
    check_names(table, features, "--features")?;
    check_names(table, exclude, "--exclude")?;
    let mut out: Vec<String> = Vec::new();
    if features.is_empty() {
        for c in &table.columns {
            if c.kind() == ColumnKind::Numeric && !exclude.contains(&c.name) {
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
        } else {
            "every candidate column was excluded".to_owned()
        };
        return Err(Error::InvalidParameter(format!(
            "no numeric feature selected: {why}; name the features to use with --features a,b,c"
        )));
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
                        levels: vec!["a".into(), "b".into()],
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
