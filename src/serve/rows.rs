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

use serde_json::Value;

use crate::data::{ColumnKind, is_missing_token};
use crate::model::SegmentModel;
use crate::model::apply::{input_positions, read_cells, score_cells};

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

/// A JSON body's rows as cells in the model's input-column order.
fn json_cells(model: &SegmentModel, body: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, BadRequest> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        BadRequest(format!(
            "the body is not valid JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    let Value::Array(rows) = value else {
        return Err(BadRequest(
            "the body must be a JSON array of row objects, e.g. [{\"column\": 1.5}]".into(),
        ));
    };
    let mut cells = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let Value::Object(obj) = row else {
            return Err(BadRequest(format!(
                "row {}: expected an object keyed by column names, got {}",
                i + 1,
                kind_of(row)
            )));
        };
        let missing: Vec<&str> = model
            .input_columns
            .iter()
            .filter(|c| !obj.contains_key(&c.name))
            .map(|c| c.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(BadRequest(format!(
                "row {}: lacks column(s) the model needs: {} (use null for a missing value)",
                i + 1,
                missing.join(", ")
            )));
        }
        let mut r = Vec::with_capacity(model.input_columns.len());
        for c in &model.input_columns {
            let v = &obj[&c.name];
            let cell = match (v, c.kind) {
                (Value::Null, _) => Vec::new(),
                (Value::Number(x), _) => x.to_string().into_bytes(),
                (Value::String(s), _) => s.clone().into_bytes(),
                (Value::Bool(b), k) if k != ColumnKind::Numeric => b.to_string().into_bytes(),
                _ => {
                    return Err(BadRequest(format!(
                        "row {}: column '{}' is {} in the model, got {}",
                        i + 1,
                        c.name,
                        kind_name(c.kind),
                        kind_of(v)
                    )));
                }
            };
            r.push(cell);
        }
        cells.push(r);
    }
    Ok(cells)
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

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
