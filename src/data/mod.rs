//! The data layer: a typed, column-oriented [`Table`] loaded from CSV, and per-column summaries.
//!
//! Loading ([`load_path`], [`load_bytes`], [`load_reader`]) streams the input in blocks, sniffs the
//! delimiter, strips a BOM, decodes UTF-16 and Latin-1 files, detects a header row, infers each column's
//! kind and reports what it had to guess as warnings; memory is checked against [`crate::budget`] as it
//! reads, and [`Sample`] loads a uniform random sample of a file bigger than memory. Missing tokens are
//! empty, `NA`, `N/A`, `NaN`, `null` and `?` (case-insensitive); `None` is missing only in an otherwise
//! numeric column. The table keeps its [`Source`] so that the labelled export can stream the original
//! records again.

mod dates;
mod decode;
mod infer;
mod levels;
mod load;
mod pipeline;
mod sample;
mod small_file;
mod source;
pub(crate) mod split;
mod summary;
mod tokenize;

pub use dates::{days_from_civil, format_date, parse_date_iso};
pub use decode::sniff_delimiter;
pub use infer::is_missing_token;
pub use levels::Levels;
pub use load::{
    LoadOptions, MAX_COLUMNS, Sample, decode_text, load_bytes, load_input, load_path, load_reader,
    read_input,
};
pub use sample::{SizeEstimate, estimate_path};
pub use small_file::{SMALL_FILE_LIMIT, read_small_file};
pub use source::{SPOOL_MEMORY, Source, Spool, spool_path};
pub use summary::{ColumnSummary, HISTOGRAM_BINS, summarize, summarize_table};

/// Code of a missing cell in categorical and text columns.
pub const MISSING_CODE: u32 = u32::MAX;

/// What a column holds, as inferred at load time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Numbers; missing cells are NaN.
    Numeric,
    /// Strings with few distinct values (levels).
    Categorical,
    /// Calendar dates.
    Date,
    /// High-cardinality strings such as names or ids; never used as features by default.
    Text,
}

impl ColumnKind {
    /// Lower-case name, as shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Date => "date",
            ColumnKind::Text => "text",
        }
    }
}

impl std::fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The values of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnData {
    /// f64 values, NaN = missing.
    Numeric(Vec<f64>),
    /// Codes into `levels` (sorted), [`MISSING_CODE`] = missing.
    Categorical {
        /// One code per row.
        codes: Vec<u32>,
        /// Distinct values, sorted.
        levels: Levels,
    },
    /// Days since 1970-01-01; `None` = missing.
    Date(Vec<Option<i32>>),
    /// Like `Categorical`, but with too many distinct values to be a feature.
    Text {
        /// One code per row.
        codes: Vec<u32>,
        /// Distinct values, sorted.
        levels: Levels,
    },
}

impl ColumnData {
    /// The kind of this data.
    pub fn kind(&self) -> ColumnKind {
        match self {
            ColumnData::Numeric(_) => ColumnKind::Numeric,
            ColumnData::Categorical { .. } => ColumnKind::Categorical,
            ColumnData::Date(_) => ColumnKind::Date,
            ColumnData::Text { .. } => ColumnKind::Text,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Numeric(v) => v.len(),
            ColumnData::Categorical { codes, .. } | ColumnData::Text { codes, .. } => codes.len(),
            ColumnData::Date(v) => v.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether row `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            ColumnData::Numeric(v) => v[i].is_nan(),
            ColumnData::Categorical { codes, .. } | ColumnData::Text { codes, .. } => {
                codes[i] == MISSING_CODE
            }
            ColumnData::Date(v) => v[i].is_none(),
        }
    }

    /// Row `i` as display text ("" when missing).
    pub fn display(&self, i: usize) -> String {
        match self {
            ColumnData::Numeric(v) if v[i].is_nan() => String::new(),
            ColumnData::Numeric(v) => format!("{}", v[i]),
            ColumnData::Categorical { codes, levels } | ColumnData::Text { codes, levels } => {
                levels
                    .get(codes[i] as usize)
                    .map(str::to_owned)
                    .unwrap_or_default()
            }
            ColumnData::Date(v) => v[i].map(format_date).unwrap_or_default(),
        }
    }
}

/// One named column with what loading found wrong in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Unique column name (blank and duplicate header names are renamed).
    pub name: String,
    /// The values.
    pub data: ColumnData,
    /// Cells of a numeric column that were not numbers (stray words, `inf`, `1e400`); now missing.
    pub invalid: usize,
    /// Up to five invalid cells as `(line, text)`, for messages.
    pub invalid_examples: Vec<(u64, String)>,
}

impl Column {
    /// A column with no invalid cells.
    pub fn new(name: impl Into<String>, data: ColumnData) -> Self {
        Self {
            name: name.into(),
            data,
            invalid: 0,
            invalid_examples: Vec::new(),
        }
    }

    /// The column's kind.
    pub fn kind(&self) -> ColumnKind {
        self.data.kind()
    }

    /// The numeric values, if numeric.
    pub fn as_numeric(&self) -> Option<&[f64]> {
        match &self.data {
            ColumnData::Numeric(v) => Some(v),
            _ => None,
        }
    }
}

/// A loaded data set: named, typed columns of equal length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The columns, in file order.
    pub columns: Vec<Column>,
    /// Where it came from (file name or `<stdin>`), for messages.
    pub source_name: String,
    /// What loading had to guess or repair, in words.
    pub warnings: Vec<String>,
    /// 1-based line of each data row in the source (for messages that name a row); empty when row `i`
    /// is on line `i + 2` (one header line, no blank lines or multi-line records: the usual case, stored
    /// for free). Read it with [`Table::line_of_row`].
    pub row_lines: Vec<u64>,
    /// The field delimiter that was used.
    pub delimiter: u8,
    /// Whether the first row was taken as the header.
    pub has_header: bool,
    /// Where the text came from, to read it again (the labelled export streams the original records).
    pub source: Source,
    /// Set when the rows are a random sample of the file's data rows.
    pub sampled: Option<SampleInfo>,
}

/// How a sampled table was drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleInfo {
    /// Data rows in the whole file.
    pub rows_in_file: u64,
    /// Seed of the draw.
    pub seed: u64,
    /// 0-based data-row index in the file of each kept row (increasing): exports refer back with it.
    pub file_rows: Vec<u64>,
}

impl Table {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.columns
            .first()
            .map_or(self.row_lines.len(), |c| c.data.len())
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.columns.len()
    }

    /// Column names in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Index of the column called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The source line of data row `row` (0-based): from [`Table::row_lines`], else `row + 2`.
    pub fn line_of_row(&self, row: usize) -> u64 {
        self.row_lines.get(row).copied().unwrap_or(row as u64 + 2)
    }

    /// The 0-based data-row index in the source file of row `row` (differs from `row` in a sample).
    pub fn file_row(&self, row: usize) -> u64 {
        self.sampled
            .as_ref()
            .and_then(|s| s.file_rows.get(row).copied())
            .unwrap_or(row as u64)
    }
}
