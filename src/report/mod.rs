//! A self-contained HTML report of one run, to hand to people who never open the app: the data summary,
//! the preparation in words, the K-choice curves with the recommendation and its reason, the segments on
//! the PCA map, the dendrogram (hierarchical methods), the silhouette plot, the profiles heatmap, a card
//! per segment (its name and description from [`crate::analysis::describe`]) and the recipe that
//! reproduces the run.
//!
//! Nothing external: no scripts, fonts, stylesheets or images; every plot is an inline SVG drawn by
//! [`crate::plot`]. Every user string (file and column names, levels, segment names) is HTML-escaped.
//! A print stylesheet starts each section on a new page (A4 or Letter, whichever the printer uses).
//!
//! [`write_report`] is the plain engine function the app's "Export report…" can call with what it
//! already holds (table, prepared data, result, optional sweep) on a worker thread.

mod words;

use std::fmt::Write as _;
use std::io::Write;

use crate::analysis::{PreparedData, SegResult, Sweep};
use crate::data::Table;
use crate::error::{Error, Result};
use crate::jobs::Progress;
use crate::plot::of_run::{self, Map};
use crate::plot::{SweepPlot, render_svg};

pub use words::{escape, preparation_in_words};

/// What a report is made of.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The loaded table.
    pub table: &'a Table,
    /// The prepared matrix the segments were fitted on.
    pub data: &'a PreparedData,
    /// The segmentation.
    pub result: &'a SegResult,
    /// The K sweep behind the choice, if one was made (density methods have none).
    pub sweep: Option<&'a Sweep>,
    /// The 2-D map to draw the segments on (`None`: the PCA map is computed).
    pub map: Option<&'a Map>,
}

/// The report as one HTML document.
pub fn build_html(input: &ReportInput<'_>, progress: &Progress) -> Result<String> {
    let ReportInput {
        table,
        data,
        result,
        sweep,
        map,
    } = *input;
    progress.set_stage("drawing the report", 0);
    let own_map;
    let map = if let Some(m) = map {
        Some(m)
    } else {
        own_map = of_run::pca_map(data, progress).ok();
        own_map.as_ref()
    };
    let recipe = result.recipe(data)?.to_json()?;
    let title = format!("Segments of {}", table.source_name);
    let mut h = String::with_capacity(1 << 20);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"segscope {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n<header><h1>{}</h1>\n<p class=\"lede\">{}</p></header>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&title),
        escape(&title),
        escape(&words::headline(table, data, result)),
    );
    section(
        &mut h,
        "data",
        "The data",
        &words::data_summary(table, data),
    );
    section(
        &mut h,
        "preparation",
        "The preparation",
        &preparation_in_words(&data.fitted.preparation, data),
    );
    progress.check()?;
    let mut k_choice = String::new();
    match sweep {
        Some(s) => {
            k_choice.push_str(&figure(&render_svg(&SweepPlot {
                sweep: s,
                chosen_k: Some(result.seg.n_clusters()).filter(|_| !result.seg.method.is_density()),
            })?));
            let _ = write!(
                k_choice,
                "<p><strong>Recommendation:</strong> {}</p>",
                escape(&s.recommendation.reason)
            );
            if s.recommended_k.is_some_and(|k| k != result.seg.k) {
                let _ = write!(
                    k_choice,
                    "<p>This report uses k = {} (chosen by the analyst).</p>",
                    result.seg.k
                );
            }
        }
        None if result.seg.method.is_density() => {
            let _ = write!(
                k_choice,
                "<p>{} finds the number of segments itself from its density settings (see the \
                 recipe): rows in no dense region are outliers. It found {} segments and {} outliers.</p>",
                escape(&result.seg.method.to_string()),
                result.seg.n_clusters(),
                result.seg.n_noise()
            );
        }
        None => k_choice.push_str("<p>No sweep of k was made for this run.</p>"),
    }
    section(
        &mut h,
        "k-choice",
        "Choosing the number of segments",
        &k_choice,
    );
    progress.check()?;
    let map_html = match map {
        Some(m) => figure(&render_svg(&of_run::scatter(result, m))?),
        None => "<p>The map needs at least 2 prepared features.</p>".to_owned(),
    };
    section(&mut h, "map", "The segments on a map", &map_html);
    if let Some(d) = of_run::dendrogram(result) {
        section(
            &mut h,
            "dendrogram",
            "The merge tree",
            &figure(&render_svg(&d)?),
        );
    }
    progress.check()?;
    let quality = words::quality(result);
    let sil = match of_run::silhouette(result) {
        Some(s) => format!("{quality}{}", figure(&render_svg(&s)?)),
        None => format!(
            "{quality}<p>Per-row silhouettes were not computed for this run (too many rows for exact \
             silhouettes, or fewer than 2 segments).</p>"
        ),
    };
    section(&mut h, "silhouette", "How well the rows fit", &sil);
    section(
        &mut h,
        "profiles",
        "Segment profiles",
        &format!(
            "{}<p class=\"note\">Each cell: the segment's mean minus the mean of all rows, in standard \
             deviations of all rows (for a level: of its 0/1 indicator). Orange above, blue below.</p>",
            figure(&render_svg(&of_run::profiles(result))?)
        ),
    );
    section(
        &mut h,
        "segments",
        "The segments",
        &words::segment_cards(result),
    );
    let _ = write!(
        h,
        "<section id=\"recipe\"><h2>Reproduce this run</h2>\n<p>Save this as <code>recipe.json</code> \
         and run <code>segscope cluster {} --recipe recipe.json -o labelled.csv</code>.</p>\n\
         <pre class=\"recipe\">{}</pre></section>\n",
        escape(&words::shell_word(&table.source_name)),
        escape(&recipe)
    );
    h.push_str("</body>\n</html>\n");
    Ok(h)
}

/// Writes the report to `w` (the app's "Export report…" and `segscope report`).
pub fn write_report(w: &mut dyn Write, input: &ReportInput<'_>, progress: &Progress) -> Result<()> {
    let html = build_html(input, progress)?;
    w.write_all(html.as_bytes())
        .map_err(|e| Error::io("<report>", e))
}

fn section(h: &mut String, id: &str, title: &str, body: &str) {
    let _ = write!(
        h,
        "<section id=\"{id}\"><h2>{}</h2>\n{body}\n</section>\n",
        escape(title)
    );
}

/// An inline SVG in a figure box (the SVG's own XML is already escaped by the drawing backend).
fn figure(svg: &str) -> String {
    let svg = svg.trim_start();
    let svg = svg
        .strip_prefix("<?xml")
        .and_then(|rest| rest.find("?>").map(|i| rest[i + 2..].trim_start()))
        .unwrap_or(svg);
    format!("<figure>{svg}</figure>")
}

const STYLE: &str = "
:root { --ink: #202020; --muted: #666; --line: #ddd; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
  color: var(--ink); max-width: 1040px; margin: 0 auto; padding: 24px; line-height: 1.45; }
h1 { font-size: 1.8em; margin: 0 0 4px; }
h2 { font-size: 1.35em; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 36px; }
.lede { color: var(--muted); margin-top: 0; }
figure { margin: 12px 0; }
figure svg { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; font-size: 0.9em; margin: 8px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: var(--muted); font-size: 0.9em; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-left: 8px solid var(--c); border-radius: 4px; padding: 8px 12px;
  break-inside: avoid; page-break-inside: avoid; }
.card h3 { margin: 0 0 4px; font-size: 1.05em; }
.card .size { color: var(--muted); font-size: 0.9em; margin: 0 0 6px; }
pre.recipe { background: #f6f6f6; border: 1px solid var(--line); padding: 10px; overflow-x: auto;
  font-size: 0.8em; white-space: pre-wrap; word-break: break-word; }
@page { margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  section { break-before: page; page-break-before: always; }
  section:first-of-type { break-before: auto; page-break-before: auto; }
  h2 { margin-top: 0; }
  figure { break-inside: avoid; page-break-inside: avoid; }
  figure svg { max-height: 230mm; width: 100%; }
}
";
