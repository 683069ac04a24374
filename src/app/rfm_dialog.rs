//! The "Build RFM features" dialog: pick a transactions CSV (customer, date, amount), check a preview and
//! the column choices, and build one row per customer (recency_days, frequency, monetary and 1–5 scores)
//! on a worker. The result is loaded as the app's table, so the explorer starts on it.

use std::io::Read;
use std::path::{Path, PathBuf};

use egui::{RichText, Ui, vec2};

use super::format::fmt_count;
use super::state::{Cause, Command, FileAction, LoadSource, file_name};
use crate::data::{format_date, parse_date_iso};
use crate::error::Error;
use crate::export::write_rfm_csv;
use crate::jobs::Job;
use crate::prep::rfm::{RfmOptions, rfm_from_path};

/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 10;

/// Bytes read for the preview.
const PREVIEW_BYTES: u64 = 256 * 1024;

/// The first rows of a transactions file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Preview {
    /// Column names.
    pub headers: Vec<String>,
    /// Up to [`PREVIEW_ROWS`] rows.
    pub rows: Vec<Vec<String>>,
}

/// What a finished build produced.
#[derive(Debug)]
struct Built {
    name: String,
    csv: Vec<u8>,
    customers: usize,
    transactions: u64,
    as_of: i32,
    warnings: Vec<String>,
}

/// The dialog's state (closed by default).
#[derive(Debug, Default)]
pub struct RfmDialog {
    open: bool,
    path: Option<PathBuf>,
    preview: Option<Preview>,
    preview_error: Option<String>,
    customer: usize,
    date: usize,
    amount: usize,
    as_of: String,
    skip_bad_rows: bool,
    job: Option<Job<Built>>,
    /// The preview being read on a worker (a slow or network drive never stalls the window).
    preview_job: Option<Job<Preview>>,
    done: Option<String>,
    warnings: Vec<String>,
}

impl RfmDialog {
    /// Shows the dialog.
    pub fn open(&mut self) {
        self.open = true;
    }

    /// Whether the dialog is shown.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Whether a build or a preview read runs.
    pub fn is_busy(&self) -> bool {
        self.job.is_some() || self.preview_job.is_some()
    }

    /// Uses `path` as the transactions file: reads a preview on a worker, then guesses the columns.
    pub fn set_file(&mut self, path: PathBuf) {
        self.done = None;
        self.warnings.clear();
        self.preview = None;
        self.preview_error = None;
        if let Some(old) = self.preview_job.take() {
            old.cancel();
        }
        let p = path.clone();
        match Job::spawn("segscope-rfm-preview", move |_| {
            read_preview(&p).map_err(crate::Error::InvalidParameter)
        }) {
            Ok(job) => self.preview_job = Some(job),
            Err(e) => self.preview_error = Some(e.to_string()),
        }
        self.path = Some(path);
        self.open = true;
    }

    fn poll_preview(&mut self) {
        let Some(result) = self.preview_job.as_mut().and_then(Job::poll) else {
            return;
        };
        self.preview_job = None;
        match result {
            Ok(p) => {
                (self.customer, self.date, self.amount) = guess_columns(&p);
                self.preview = Some(p);
            }
            Err(e) => self.preview_error = Some(e.to_string()),
        }
    }

    /// Draws the dialog (if open) and takes a finished build: its table is loaded, errors become banners.
    pub fn ui(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        self.poll(commands);
        self.poll_preview();
        if !self.open {
            return;
        }
        let mut open = true;
        egui::Window::new("Build RFM features")
            .open(&mut open)
            .collapsible(false)
            .resizable(true)
            .default_width(620.0)
            .pivot(egui::Align2::CENTER_TOP)
            .default_pos(ctx.content_rect().center_top() + vec2(0.0, 80.0))
            .show(ctx, |ui| self.contents_ui(ui, commands));
        if !open {
            self.close();
        }
        if self.job.is_some() || self.preview_job.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
    }

    fn close(&mut self) {
        if let Some(job) = self.job.take() {
            job.cancel();
        }
        if let Some(job) = self.preview_job.take() {
            job.cancel();
        }
        self.open = false;
        self.done = None;
    }

    fn poll(&mut self, commands: &mut Vec<Command>) {
        let Some(result) = self.job.as_mut().and_then(Job::poll) else {
            return;
        };
        self.job = None;
        match result {
            Ok(built) => {
                self.done = Some(format!(
                    "Built {} customers from {} transactions (as of {}); opened as {}.",
                    fmt_count(built.customers),
                    fmt_count(built.transactions as usize),
                    format_date(built.as_of),
                    built.name
                ));
                self.warnings = built.warnings;
                commands.push(Command::Load(LoadSource::Bytes {
                    name: built.name,
                    bytes: built.csv,
                }));
            }
            Err(Error::Cancelled) => {}
            Err(e) => commands.push(Command::FailBecause(
                Cause::Rfm,
                format!("Building RFM features failed: {e}"),
            )),
        }
    }

    fn contents_ui(&mut self, ui: &mut Ui, commands: &mut Vec<Command>) {
        ui.label(
            "Turns a transactions file (one row per purchase) into one row per customer: \
             recency_days (days since the last purchase), frequency (purchases), monetary (total \
             amount), and 1–5 scores for each (5 = best).",
        );
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.job.is_none(), egui::Button::new("Choose file…"))
                .clicked()
            {
                commands.push(Command::File(FileAction::PickTransactions));
            }
            match &self.path {
                Some(p) => {
                    ui.label(RichText::new(file_name(p)).strong())
                        .on_hover_text(p.display().to_string());
                }
                None => {
                    ui.weak("No transactions file chosen");
                }
            }
        });
        if self.preview_job.is_some() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading a preview…");
            });
        }
        if let Some(e) = &self.preview_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let Some(preview) = self.preview.clone() else {
            return;
        };
        ui.add_space(6.0);
        preview_ui(ui, &preview);
        ui.add_space(6.0);
        let as_of = parse_as_of(&self.as_of);
        egui::Grid::new("rfm_columns")
            .num_columns(2)
            .spacing(vec2(12.0, 6.0))
            .show(ui, |ui| {
                for (label, slot, help) in [
                    (
                        "Customer",
                        &mut self.customer,
                        "Identifies the customer of each row",
                    ),
                    (
                        "Date",
                        &mut self.date,
                        "Purchase date, YYYY-MM-DD (a time is ignored)",
                    ),
                    ("Amount", &mut self.amount, "Money spent in the purchase"),
                ] {
                    let l = ui.label(label).on_hover_text(help);
                    column_combo(ui, label, &preview.headers, slot).labelled_by(l.id);
                    ui.end_row();
                }
                let l = ui.label("As of").on_hover_text(
                    "The day recency is counted to. Empty: the day after the last purchase.",
                );
                ui.horizontal(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(&mut self.as_of)
                            .hint_text("YYYY-MM-DD (optional)")
                            .desired_width(150.0),
                    )
                    .labelled_by(l.id);
                    if as_of.is_err() {
                        ui.colored_label(ui.visuals().error_fg_color, "not a date (YYYY-MM-DD)");
                    }
                });
                ui.end_row();
                ui.label("");
                ui.checkbox(&mut self.skip_bad_rows, "Skip bad rows").on_hover_text(
                    "Skip (and count) rows with a missing customer, an unreadable date or amount \
                     instead of stopping at the first one.",
                );
                ui.end_row();
            });
        let distinct =
            self.customer != self.date && self.customer != self.amount && self.date != self.amount;
        if !distinct {
            ui.colored_label(
                ui.visuals().error_fg_color,
                "Customer, date and amount must be three different columns.",
            );
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if let Some(job) = &self.job {
                let p = job.progress();
                ui.spinner();
                ui.add(
                    egui::ProgressBar::new(p.fraction().unwrap_or(0.0))
                        .desired_width(220.0)
                        .show_percentage(),
                );
                ui.label(p.stage());
                if ui.button("Cancel").clicked()
                    && let Some(job) = self.job.take()
                {
                    job.cancel();
                }
            } else {
                let ready = distinct && as_of.is_ok() && self.path.is_some();
                if ui
                    .add_enabled(ready, egui::Button::new("Build"))
                    .on_hover_text("Build the RFM table and open it")
                    .clicked()
                    && let Ok(as_of) = as_of
                {
                    self.start(&preview, as_of, commands);
                }
                if ui.button("Close").clicked() {
                    self.close();
                }
            }
        });
        if let Some(done) = &self.done {
            ui.add_space(4.0);
            ui.label(done);
            for w in &self.warnings {
                ui.label(
                    RichText::new(format!("Note: {w}"))
                        .small()
                        .color(crate::app::theme::Palette::of(ui.visuals()).missing),
                );
            }
        }
    }

    fn start(&mut self, preview: &Preview, as_of: Option<i32>, commands: &mut Vec<Command>) {
        let Some(path) = self.path.clone() else {
            return;
        };
        let header = |i: usize| preview.headers.get(i).cloned().unwrap_or_default();
        let opts = RfmOptions {
            customer: header(self.customer),
            date: header(self.date),
            amount: header(self.amount),
            as_of,
            skip_bad_rows: self.skip_bad_rows,
        };
        let name = rfm_name(&path);
        self.done = None;
        self.warnings.clear();
        let work = move |p: &crate::jobs::Progress| {
            let rfm = rfm_from_path(&path, &opts, p)?;
            p.check()?;
            p.set_stage("writing the table", 0);
            let mut csv = Vec::new();
            write_rfm_csv(&rfm, &opts.customer, &mut csv)?;
            Ok(Built {
                name,
                csv,
                customers: rfm.rows.len(),
                transactions: rfm.n_transactions,
                as_of: rfm.as_of,
                warnings: rfm.warnings,
            })
        };
        match Job::spawn("segscope-rfm", work) {
            Ok(job) => self.job = Some(job),
            Err(e) => commands.push(Command::FailBecause(
                Cause::Rfm,
                format!("Building RFM features failed: {e}"),
            )),
        }
    }
}

fn column_combo(ui: &mut Ui, label: &str, headers: &[String], slot: &mut usize) -> egui::Response {
    let current = headers.get(*slot).map_or("—", String::as_str);
    egui::ComboBox::from_id_salt(("rfm_column", label))
        .selected_text(current)
        .width(200.0)
        .show_ui(ui, |ui| {
            for (i, h) in headers.iter().enumerate() {
                ui.selectable_value(slot, i, h);
            }
        })
        .response
}

fn preview_ui(ui: &mut Ui, preview: &Preview) {
    ui.weak(format!("First {} rows", preview.rows.len()));
    egui::Frame::group(ui.style()).show(ui, |ui| {
        egui::ScrollArea::both()
            .id_salt("rfm_preview")
            .max_height(220.0)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                egui::Grid::new("rfm_preview_grid")
                    .striped(true)
                    .spacing(vec2(14.0, 3.0))
                    .show(ui, |ui| {
                        for h in &preview.headers {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for row in &preview.rows {
                            for cell in row {
                                ui.label(RichText::new(cell).monospace());
                            }
                            ui.end_row();
                        }
                    });
            });
    });
}

/// The optional as-of date: `Ok(None)` when empty, `Err(())` when it is not a date.
pub fn parse_as_of(text: &str) -> Result<Option<i32>, ()> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    parse_date_iso(t).map(Some).ok_or(())
}

/// `orders.csv` → `orders_rfm.csv`.
pub fn rfm_name(path: &Path) -> String {
    let stem = path.file_stem().map_or_else(
        || "transactions".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    format!("{stem}_rfm.csv")
}

/// Reads the header and the first rows of a CSV.
pub fn read_preview(path: &Path) -> Result<Preview, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut head = Vec::new();
    file.take(PREVIEW_BYTES)
        .read_to_end(&mut head)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&head);
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| (first.bytes().filter(|b| b == d).count(), *d == b','))
        .unwrap_or(b',');
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(str::to_owned)
        .collect();
    if headers.len() < 3 {
        return Err(format!(
            "{} has {} column(s); a transactions file needs customer, date and amount columns",
            file_name(path),
            headers.len()
        ));
    }
    let rows = rdr
        .records()
        .take(PREVIEW_ROWS)
        .filter_map(std::result::Result::ok)
        .map(|r| r.iter().map(str::to_owned).collect())
        .collect();
    Ok(Preview { headers, rows })
}

/// Guesses (customer, date, amount) columns from names first, then from the values in the preview.
pub fn guess_columns(p: &Preview) -> (usize, usize, usize) {
    let n = p.headers.len();
    let lower: Vec<String> = p.headers.iter().map(|h| h.to_ascii_lowercase()).collect();
    let values = |i: usize| {
        p.rows
            .iter()
            .filter_map(move |r| r.get(i))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    let is_date =
        |i: usize| values(i).count() > 0 && values(i).all(|v| parse_date_iso(v).is_some());
    let is_number = |i: usize| values(i).count() > 0 && values(i).all(|v| v.parse::<f64>().is_ok());
    let named = |i: usize, words: &[&str]| words.iter().any(|w| lower[i].contains(w));
    let pick = |taken: &[usize], pred: &dyn Fn(usize) -> bool| {
        (0..n).find(|&i| !taken.contains(&i) && pred(i))
    };
    let date = pick(&[], &|i| is_date(i) && named(i, &["date", "time", "day"]))
        .or_else(|| pick(&[], &|i| is_date(i)))
        .unwrap_or(n.min(2).saturating_sub(1));
    let amount = pick(&[date], &|i| {
        is_number(i)
            && named(
                i,
                &[
                    "amount", "value", "revenue", "spend", "price", "total", "sales", "sum",
                ],
            )
    })
    .or_else(|| pick(&[date], &|i| is_number(i) && !id_like(&lower[i])))
    .unwrap_or_else(|| (0..n).find(|i| *i != date).unwrap_or(0));
    let customer = pick(&[date, amount], &|i| {
        named(
            i,
            &[
                "customer", "client", "user", "member", "account", "buyer", "shopper",
            ],
        )
    })
    .or_else(|| pick(&[date, amount], &|i| id_like(&lower[i])))
    .or_else(|| pick(&[date, amount], &|_| true))
    .unwrap_or(0);
    (customer, date, amount)
}

/// `id`, `customer_id`, `client id`, `id_customer` (lower case), but not `paid`.
fn id_like(lower: &str) -> bool {
    lower == "id"
        || lower.ends_with("_id")
        || lower.ends_with(" id")
        || lower.ends_with("-id")
        || lower.starts_with("id_")
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn preview(headers: &[&str], rows: &[&[&str]]) -> Preview {
        Preview {
            headers: headers.iter().map(|s| (*s).to_owned()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| (*s).to_owned()).collect())
                .collect(),
        }
    }

    #[test]
    fn guesses_by_name_then_by_values() {
        let p = preview(
            &["customer_id", "date", "amount"],
            &[&["C1", "2020-01-02", "40.1"], &["C2", "2020-02-03", "3"]],
        );
        assert_eq!(guess_columns(&p), (0, 1, 2));
        let p = preview(
            &["ref", "paid", "when", "shopper"],
            &[
                &["A17", "9.5", "2021-05-01", "x"],
                &["A18", "3", "2021-05-02", "y"],
            ],
        );
        // the date and the amount by their values
        assert_eq!(guess_columns(&p), (3, 2, 1));
        let p = preview(
            &["ts", "client", "total"],
            &[&["2021-05-01T10:00", "k", "1"]],
        );
        assert_eq!(guess_columns(&p), (1, 0, 2));
    }

    #[test]
    fn as_of_is_optional_but_must_be_a_date() {
        assert_eq!(parse_as_of("  "), Ok(None));
        assert_eq!(parse_as_of("1970-01-02"), Ok(Some(1)));
        assert_eq!(parse_as_of("yesterday"), Err(()));
        assert_eq!(rfm_name(Path::new("/x/orders.csv")), "orders_rfm.csv");
    }

    #[test]
    fn preview_reads_header_and_ten_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut text = String::from("c;d;a\n");
        for i in 0..30 {
            writeln!(text, "c{i};2020-01-01;{i}").unwrap();
        }
        std::fs::write(&path, text).unwrap();
        let p = read_preview(&path).unwrap();
        assert_eq!(p.headers, ["c", "d", "a"]);
        assert_eq!(p.rows.len(), PREVIEW_ROWS);
        assert_eq!(p.rows[3], ["c3", "2020-01-01", "3"]);
        std::fs::write(&path, "only,two\n1,2\n").unwrap();
        assert!(read_preview(&path).unwrap_err().contains("2 column"));
    }
}
