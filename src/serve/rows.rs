//! Request bodies to scores: a JSON array of row objects or a CSV (header + rows) becomes raw cells, which
//! go through the same scoring path as `apply` ([`crate::model::apply::score_cells`]: the model's fitted
//! preparation, no refit, each row on its own). Anything wrong with a body is a [`BadRequest`] with a
//! message for the client; the server answers it with 400.
//!
//! Kinds are checked strictly, row by row: a numeric input column takes a JSON number, `null`, or a
//! string that is a number or a missing token (`""`, `NA`, `NaN`, `null`, `?`, `None`); anything else is
//! refused naming the row and column (a file through `apply` tolerates a few stray texts as missing; one
//! request is too small for that rule, and silently imputing a typo would be a wrong score). A
//! categorical column takes a string, a number or a boolean (as their text), or `null` (missing).

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::data::{ColumnKind, is_missing_token};
use crate::model::apply::{Cells, input_positions, read_cells, score_cells};
use crate::model::{InputColumn, SegmentModel};

/// A request the server refuses with 400, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRequest(pub String);

impl std::fmt::Display for BadRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json`: an array of objects keyed by the original column names.
    Json,
    /// `text/csv`: a header row, then one row per customer.
    Csv,
}

/// The answer to `POST /score`, in request order. A row the preparation drops (a feature whose missing
/// values drop the row) has `null` everywhere.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScoreResponse {
    /// Segment of each row.
    pub segments: Vec<Option<usize>>,
    /// Segment name of each row.
    pub names: Vec<Option<String>>,
    /// Distance to the segment's centre in the prepared space (k-means, as `apply` writes it), else null.
    pub distances: Vec<Option<f64>>,
    /// Membership probabilities in segment order (Gaussian mixtures only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probabilities: Option<Vec<Option<Vec<f64>>>>,
}

/// The name rows carry in messages.
const SOURCE: &str = "the request";

/// Scores a request body with `model`.
pub fn score_body(
    model: &SegmentModel,
    kind: BodyKind,
    body: &[u8],
) -> Result<ScoreResponse, BadRequest> {
    let (cells, positions) = match kind {
        BodyKind::Json => (
            json_cells(model, body)?,
            (0..model.input_columns.len()).collect(),
        ),
        BodyKind::Csv => {
            let (names, rows) = read_cells(body, SOURCE).map_err(|e| BadRequest(e.to_string()))?;
            let positions =
                input_positions(model, &names, SOURCE).map_err(|e| BadRequest(e.to_string()))?;
            (rows, positions)
        }
    };
    check_kinds(model, &cells, &positions)?;
    score(model, &cells, &positions)
}

/// Scores cells that passed the checks.
fn score(
    model: &SegmentModel,
    cells: &[Vec<Vec<u8>>],
    positions: &[usize],
) -> Result<ScoreResponse, BadRequest> {
    let n = cells.len();
    let gmm = model.info.method == crate::cluster::Method::Gmm;
    let kmeans = model.info.method == crate::cluster::Method::Kmeans;
    let mut out = ScoreResponse {
        segments: vec![None; n],
        names: vec![None; n],
        distances: vec![None; n],
        probabilities: gmm.then(|| vec![None; n]),
    };
    if n == 0 {
        return Ok(out);
    }
    // Line numbers in messages: the header is line 1 of a CSV; JSON rows count from 1 as well.
    let lines = (0..n as u64).map(|i| i + 2).collect();
    let scored = score_cells(model, cells, positions, SOURCE, lines)
        .map_err(|e| BadRequest(e.to_string()))?;
    for (i, (&row, &label)) in scored
        .kept_rows
        .iter()
        .zip(&scored.scored.labels)
        .enumerate()
    {
        out.segments[row] = Some(label);
        out.names[row] = model.segments.get(label).map(|s| s.name.clone());
        if kmeans {
            out.distances[row] = scored.distances.get(i).copied().filter(|d| d.is_finite());
        }
        if let (Some(all), Some(p)) = (out.probabilities.as_mut(), &scored.scored.probabilities) {
            let r: Vec<f64> = p.row(i).to_vec();
            if r.iter().all(|v| v.is_finite()) {
                all[row] = Some(r);
            }
        }
    }
    Ok(out)
}

/// A JSON body's rows as cells in the model's input-column order. Parsed straight into cells (no
/// `serde_json::Value` tree): the keys the model does not need are skipped unread.
fn json_cells(model: &SegmentModel, body: &[u8]) -> Result<Cells, BadRequest> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let cells = RowsSeed(&model.input_columns)
        .deserialize(&mut de)
        .and_then(|c| de.end().map(|()| c))
        .map_err(|e| match e.classify() {
            serde_json::error::Category::Data => BadRequest(e.to_string()),
            _ => BadRequest(format!(
                "the body is not valid JSON (line {}, column {}): {e}",
                e.line(),
                e.column()
            )),
        })?;
    Ok(cells)
}

/// The rows of a JSON body: an array of objects.
struct RowsSeed<'m>(&'m [InputColumn]);

impl<'de> DeserializeSeed<'de> for RowsSeed<'_> {
    type Value = Cells;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Cells, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_> {
    type Value = Cells;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array of row objects, e.g. [{\"column\": 1.5}]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Cells, A::Error> {
        let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
        while let Some(row) = seq.next_element_seed(RowSeed {
            cols: self.0,
            row: rows.len() + 1,
        })? {
            rows.push(row);
        }
        Ok(rows)
    }
}

/// One row object (`row` counts from 1, for messages).
struct RowSeed<'m> {
    cols: &'m [InputColumn],
    row: usize,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = Vec<Vec<u8>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = Vec<Vec<u8>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "row {} to be an object keyed by column names", self.row)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut cells: Vec<Option<Vec<u8>>> = vec![None; self.cols.len()];
        while let Some(key) = map.next_key::<Key<'de>>()? {
            match self.cols.iter().position(|c| c.name == key.0) {
                Some(j) => {
                    cells[j] = Some(map.next_value_seed(CellSeed {
                        col: &self.cols[j],
                        row: self.row,
                    })?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let missing: Vec<&str> = self
            .cols
            .iter()
            .zip(&cells)
            .filter(|(_, v)| v.is_none())
            .map(|(c, _)| c.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(de::Error::custom(format!(
                "row {}: lacks column(s) the model needs: {} (use null for a missing value)",
                self.row,
                missing.join(", ")
            )));
        }
        Ok(cells.into_iter().map(Option::unwrap_or_default).collect())
    }
}

/// An object key, borrowed from the body when it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a column name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(v.into()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(v.to_owned().into()))
            }
        }
        d.deserialize_str(V)
    }
}

/// One value: `null`, a number, a string, or (categorical columns) a boolean.
struct CellSeed<'m> {
    col: &'m InputColumn,
    row: usize,
}

impl CellSeed<'_> {
    fn wrong<E: de::Error>(&self, got: &str) -> E {
        E::custom(format!(
            "row {}: column '{}' is {} in the model, got {got}",
            self.row,
            self.col.name,
            kind_name(self.col.kind)
        ))
    }
}

impl<'de> DeserializeSeed<'de> for CellSeed<'_> {
    type Value = Vec<u8>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<u8>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CellSeed<'_> {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a number, a string or null for '{}'", self.col.name)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Vec<u8>, E> {
        Ok(Vec::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Vec<u8>, E> {
        Ok(Vec::new())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<u8>, E> {
        Ok(v.to_string().into_bytes())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<u8>, E> {
        Ok(v.to_string().into_bytes())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<u8>, E> {
        // Shortest round-trip text: parsed back, the same f64.
        Ok(v.to_string().into_bytes())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
        Ok(v.as_bytes().to_vec())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Vec<u8>, E> {
        if self.col.kind == ColumnKind::Numeric {
            Err(self.wrong("a boolean"))
        } else {
            Ok(v.to_string().into_bytes())
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Vec<u8>, A::Error> {
        Err(self.wrong("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Vec<u8>, A::Error> {
        Err(self.wrong("an object"))
    }
}

/// Refuses a numeric input cell that is neither a number nor missing.
fn check_kinds(
    model: &SegmentModel,
    cells: &[Vec<Vec<u8>>],
    positions: &[usize],
) -> Result<(), BadRequest> {
    for (c, &p) in model.input_columns.iter().zip(positions) {
        if c.kind != ColumnKind::Numeric {
            continue;
        }
        for (i, row) in cells.iter().enumerate() {
            let cell = row.get(p).map_or(&[][..], Vec::as_slice).trim_ascii();
            if is_missing_token(cell) || cell == b"None" {
                continue;
            }
            let ok = std::str::from_utf8(cell)
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .is_some_and(f64::is_finite);
            if !ok {
                return Err(BadRequest(format!(
                    "row {}: column '{}' is numeric in the model, but \"{}\" is not a number",
                    i + 1,
                    c.name,
                    String::from_utf8_lossy(cell)
                )));
            }
        }
    }
    Ok(())
}

fn kind_name(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Numeric => "numeric",
        _ => "categorical",
    }
}
