//! One-hot encoding of categorical (and explicitly chosen text) features, like pandas `get_dummies`:
//! one column `name=level` per level in sorted order. A missing category is either filled (mode by default,
//! or `constant:V`) or becomes its own level `name=<missing>` (last). Features with more than
//! `max_categories` levels are refused unless `top_levels` keeps the N most frequent and folds the rest
//! into `name=<other>`. Levels unseen at fit time encode as all zeros (or `<other>`), and are counted.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::recipe::{Impute, MissingCategory, Preparation};
use crate::data::{Levels, MISSING_CODE};
use crate::error::{Error, Result};

/// Label of the level that collects missing categories.
pub const MISSING_LEVEL: &str = "<missing>";
/// Label of the level that collects levels beyond `top_levels`.
pub const OTHER_LEVEL: &str = "<other>";

/// A fitted one-hot encoder for one feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneHot {
    /// Input column name.
    pub name: String,
    /// Levels with their own column, sorted.
    pub levels: Vec<String>,
    /// Whether an `<other>` column follows the levels.
    pub other: bool,
    /// Whether a `<missing>` column comes last.
    pub missing_level: bool,
    /// Level that missing cells are filled with (mode or constant), if any.
    pub fill: Option<String>,
    /// Rows missing this feature are dropped.
    pub drop: bool,
}

/// Counts from encoding one column.
#[derive(Debug, Default, Clone, Copy)]
pub struct EncodeCounts {
    /// Missing cells filled with [`OneHot::fill`].
    pub filled: usize,
    /// Cells encoded as all zeros: a level (or a missing cell) not seen at fit time and no `<other>`.
    pub unknown: usize,
}

impl OneHot {
    /// Learns the encoder from the kept rows of a categorical column (`codes` into `levels`).
    pub fn fit(
        name: &str,
        codes: &[u32],
        levels: &Levels,
        kept: &[usize],
        recipe: &Preparation,
    ) -> Result<Self> {
        let mut counts = vec![0usize; levels.len()];
        let mut missing = 0usize;
        for &r in kept {
            match codes[r] {
                MISSING_CODE => missing += 1,
                c => counts[c as usize] += 1,
            }
        }
        let mut level_counts: Vec<(String, usize)> = levels
            .iter()
            .zip(&counts)
            .filter(|(_, n)| **n > 0)
            .map(|(l, n)| (l.to_owned(), *n))
            .collect();
        let as_level = recipe.missing_category == MissingCategory::Level;
        let impute = recipe.impute_for(name);
        let mut fill = None;
        let drop = !as_level && *impute == Impute::Drop;
        if !as_level && !drop && missing > 0 {
            let level = match (recipe.impute_columns.get(name), impute) {
                (_, Impute::Constant(v)) => v.clone(),
                (Some(Impute::Mean | Impute::Median | Impute::Knn(_)), _) => {
                    return Err(Error::Column {
                        name: name.to_owned(),
                        message: format!(
                            "is categorical; '{impute}' imputation needs numbers. Use mode or constant:LEVEL"
                        ),
                    });
                }
                // Mode; levels are sorted, so the first maximum is the smallest tied level.
                _ => level_counts
                    .iter()
                    .fold(None::<&(String, usize)>, |best, lc| match best {
                        Some(b) if b.1 >= lc.1 => Some(b),
                        _ => Some(lc),
                    })
                    .map(|(l, _)| l.clone())
                    .ok_or_else(|| Error::Column {
                        name: name.to_owned(),
                        message: "has no values to take the most frequent level from".into(),
                    })?,
            };
            if let Some(lc) = level_counts.iter_mut().find(|(l, _)| *l == level) {
                lc.1 += missing;
            } else {
                level_counts.push((level.clone(), missing));
                level_counts.sort();
            }
            fill = Some(level);
        }
        let mut other = false;
        match recipe.top_levels {
            Some(top) if level_counts.len() > top => {
                let mut by_count = level_counts.clone();
                by_count.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                by_count.truncate(top);
                by_count.sort();
                level_counts = by_count;
                other = true;
            }
            None if level_counts.len() > recipe.max_categories => {
                return Err(Error::Column {
                    name: name.to_owned(),
                    message: format!(
                        "has {} levels, more than the limit of {} (--max-categories); drop it from the \
                         features, raise --max-categories, or keep the most frequent levels with \
                         \"top_levels\": N in a recipe (the rest become '{name}={OTHER_LEVEL}')",
                        level_counts.len(),
                        recipe.max_categories
                    ),
                });
            }
            _ => {}
        }
        Ok(Self {
            name: name.to_owned(),
            levels: level_counts.into_iter().map(|(l, _)| l).collect(),
            other,
            missing_level: as_level && missing > 0,
            fill,
            drop,
        })
    }

    /// Output column names, `name=level`.
    pub fn output_names(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .levels
            .iter()
            .map(|l| format!("{}={l}", self.name))
            .collect();
        if self.other {
            out.push(format!("{}={OTHER_LEVEL}", self.name));
        }
        if self.missing_level {
            out.push(format!("{}={MISSING_LEVEL}", self.name));
        }
        out
    }

    /// Number of output columns.
    pub fn width(&self) -> usize {
        self.levels.len() + usize::from(self.other) + usize::from(self.missing_level)
    }

    /// Encodes the given rows of a column (`codes` into `levels`) into [`OneHot::width`] new columns.
    pub fn encode(
        &self,
        codes: &[u32],
        levels: &Levels,
        rows: &[usize],
    ) -> (Vec<Vec<f64>>, EncodeCounts) {
        let index: HashMap<&str, usize> = self
            .levels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i))
            .collect();
        let other_col = self.other.then_some(self.levels.len());
        let missing_col = self.missing_level.then(|| self.width() - 1);
        let fill_col = self
            .fill
            .as_deref()
            .and_then(|f| index.get(f).copied().or(other_col));
        // Output column of each input code.
        let by_code: Vec<Option<usize>> = levels
            .iter()
            .map(|l| index.get(l).copied().or(other_col))
            .collect();
        let mut cols = vec![vec![0.0; rows.len()]; self.width()];
        let mut counts = EncodeCounts::default();
        for (i, &r) in rows.iter().enumerate() {
            let target = match codes[r] {
                MISSING_CODE if self.fill.is_some() => {
                    counts.filled += 1;
                    fill_col
                }
                MISSING_CODE => missing_col,
                c => by_code.get(c as usize).copied().flatten(),
            };
            match target {
                Some(j) => cols[j][i] = 1.0,
                None => counts.unknown += 1,
            }
        }
        (cols, counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels() -> Levels {
        Levels::from(vec!["North", "South", "West"])
    }

    #[test]
    fn sorted_levels_and_mode_fill() {
        let r = Preparation::new(vec!["region".into()]);
        let codes = [1, 0, 1, MISSING_CODE, 2];
        let e = OneHot::fit("region", &codes, &levels(), &[0, 1, 2, 3, 4], &r).unwrap();
        assert_eq!(
            e.output_names(),
            ["region=North", "region=South", "region=West"]
        );
        assert_eq!(e.fill.as_deref(), Some("South"));
        let (cols, counts) = e.encode(&codes, &levels(), &[0, 3, 4]);
        assert_eq!(
            cols,
            vec![
                vec![0.0, 0.0, 0.0],
                vec![1.0, 1.0, 0.0],
                vec![0.0, 0.0, 1.0]
            ]
        );
        assert_eq!(counts.filled, 1);
    }

    #[test]
    fn missing_as_level_and_unknown() {
        let mut r = Preparation::new(vec!["region".into()]);
        r.missing_category = MissingCategory::Level;
        let codes = [0, MISSING_CODE, 1];
        let e = OneHot::fit("region", &codes, &levels(), &[0, 1, 2], &r).unwrap();
        assert_eq!(
            e.output_names(),
            ["region=North", "region=South", "region=<missing>"]
        );
        let (cols, counts) = e.encode(&[2, 1], &levels(), &[0, 1]);
        assert_eq!(cols, vec![vec![0.0, 0.0], vec![0.0, 1.0], vec![0.0, 0.0]]);
        assert_eq!(counts.unknown, 1);
    }

    #[test]
    fn too_many_levels_and_top_levels() {
        let mut r = Preparation::new(vec!["region".into()]);
        r.max_categories = 2;
        let codes = [0, 1, 1, 2, 2, 2];
        let all: Vec<usize> = (0..6).collect();
        let e = OneHot::fit("region", &codes, &levels(), &all, &r).unwrap_err();
        assert!(e.to_string().contains("has 3 levels"), "{e}");
        r.top_levels = Some(2);
        let e = OneHot::fit("region", &codes, &levels(), &all, &r).unwrap();
        assert_eq!(
            e.output_names(),
            ["region=South", "region=West", "region=<other>"]
        );
        let (cols, _) = e.encode(&codes, &levels(), &[0]);
        assert_eq!(cols, vec![vec![0.0], vec![0.0], vec![1.0]]);
    }
}
