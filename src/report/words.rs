//! The report's text: HTML escaping, the data summary, the preparation in words, the fit quality and
//! the segment cards.

use std::fmt::Write as _;

use crate::analysis::{PreparedData, SegResult, silhouette_quality};
use crate::data::{Table, summarize_table};
use crate::plot::palette::{hex, segment_colour};
use crate::prep::{Impute, Preparation, Scale};

/// `s` with `&`, `<`, `>`, `"` and `'` escaped (text and attribute values alike).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `s` quoted for a POSIX shell when it needs it.
pub(super) fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./+=:,@".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn num(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or_else(|| "–".to_owned(), crate::plot::tick)
}

/// One sentence under the title.
pub(super) fn headline(table: &Table, data: &PreparedData, result: &SegResult) -> String {
    let noise = result.seg.n_noise();
    let outliers = if result.seg.method.is_density() {
        format!(" and {noise} outliers")
    } else {
        String::new()
    };
    format!(
        "{} segments{outliers} found by {} in {} of {} rows, on {} prepared features.",
        result.seg.n_clusters(),
        result.seg.method,
        data.n_rows(),
        table.n_rows(),
        data.x().ncols()
    )
}

/// The data section: size, sampling, and one line per column.
pub(super) fn data_summary(table: &Table, data: &PreparedData) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<p><strong>{}</strong>: {} rows × {} columns; {} rows segmented.</p>",
        escape(&table.source_name),
        table.n_rows(),
        table.n_cols(),
        data.n_rows()
    );
    if let Some(s) = &table.sampled {
        let _ = write!(
            h,
            "<p>A uniform random sample of {} of the file's {} rows (seed {}): every figure is of the \
             sample.</p>",
            table.n_rows(),
            s.rows_in_file,
            s.seed
        );
    }
    let features = &data.fitted.preparation.features;
    h.push_str(
        "<table class=\"columns\"><thead><tr><th>column</th><th>kind</th><th>feature</th>\
         <th>missing</th><th>distinct</th><th>mean</th><th>min</th><th>max</th></tr></thead><tbody>",
    );
    for c in summarize_table(table) {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&c.name),
            c.kind.as_str(),
            if features.contains(&c.name) {
                "yes"
            } else {
                ""
            },
            c.missing,
            c.distinct,
            num(c.mean),
            num(c.min),
            num(c.max)
        );
    }
    h.push_str("</tbody></table>");
    for w in table.warnings.iter().chain(&data.prepared.report.warnings) {
        let _ = write!(h, "<p class=\"note\">Note: {}</p>", escape(w));
    }
    h
}

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("<em>{}</em>", escape(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn impute_words(i: &Impute) -> String {
    match i {
        Impute::Drop => "rows with a missing value are left out".into(),
        Impute::Mean => "missing values are filled with the column mean".into(),
        Impute::Median => "missing values are filled with the column median".into(),
        Impute::Mode => "missing values are filled with the most frequent value".into(),
        other => format!(
            "missing values are filled by the rule <code>{}</code>",
            escape(&other.to_string())
        ),
    }
}

/// The preparation as a short list of sentences (HTML).
pub fn preparation_in_words(p: &Preparation, data: &PreparedData) -> String {
    let mut items = vec![format!(
        "Features ({}): {}.",
        p.features.len(),
        list(&p.features)
    )];
    items.push(format!(
        "Numeric features: {}; categorical features use the most frequent level.",
        impute_words(&p.impute)
    ));
    for (col, rule) in &p.impute_columns {
        items.push(format!(
            "For <em>{}</em>, {}.",
            escape(col),
            impute_words(rule)
        ));
    }
    if !p.log1p.is_empty() {
        items.push(format!(
            "Skewed features are log-transformed, ln(1 + x): {}.",
            list(&p.log1p)
        ));
    }
    if let Some(w) = &p.winsorize {
        let cols = if w.columns.is_empty() {
            "every numeric feature".to_owned()
        } else {
            list(&w.columns)
        };
        items.push(format!(
            "Extreme values are clipped to the {}th–{}th percentiles ({cols}).",
            w.lower, w.upper
        ));
    }
    items.push(
        match p.scale {
            Scale::Standard => {
                "Each feature is standardised (mean 0, standard deviation 1), so all weigh alike."
            }
            Scale::Minmax => "Each feature is scaled to the range 0–1.",
            Scale::Robust => {
                "Each feature is centred on its median and divided by its interquartile range."
            }
            Scale::None => "Features are used in their own units (no scaling).",
        }
        .to_owned(),
    );
    if let Some(t) = p.top_levels {
        items.push(format!(
            "Categorical features keep their {t} most frequent levels; the rest are grouped as <em>&lt;other&gt;</em>."
        ));
    }
    let onehot = data.prepared.feature_names.len();
    if onehot != p.features.len() {
        items.push(format!(
            "Categorical features are one-hot encoded: {onehot} prepared columns in all."
        ));
    }
    for (col, n) in &data.prepared.report.filled {
        if *n > 0 {
            items.push(format!(
                "{n} missing values of <em>{}</em> were filled.",
                escape(col)
            ));
        }
    }
    let dropped = data
        .prepared
        .report
        .n_input_rows
        .saturating_sub(data.n_rows());
    if dropped > 0 {
        items.push(format!("{dropped} rows with missing values were left out."));
    }
    let mut h = String::from("<ul>");
    for i in items {
        let _ = write!(h, "<li>{i}</li>");
    }
    h.push_str("</ul>");
    h
}

/// The fit quality (indices and the policy's decisions).
pub(super) fn quality(r: &SegResult) -> String {
    let mut h = String::new();
    let sil = r.silhouette_mean.map_or_else(
        || "undefined".to_owned(),
        |s| format!("{s:.3} ({})", silhouette_quality(s)),
    );
    let sampled = r.silhouette_sampled.map_or_else(String::new, |s| {
        format!(
            " — estimated from {} rows, 95% interval {:.3}–{:.3}",
            s.sample_size, s.ci_low, s.ci_high
        )
    });
    let _ = write!(
        h,
        "<table><tbody><tr><th>mean silhouette</th><td>{}{}</td></tr>\
         <tr><th>Davies-Bouldin (lower is better)</th><td>{}</td></tr>\
         <tr><th>Calinski-Harabasz (higher is better)</th><td>{}</td></tr></tbody></table>",
        escape(&sil),
        escape(&sampled),
        num(r.davies_bouldin),
        num(r.calinski_harabasz)
    );
    if r.seg.method.is_density() {
        let _ = write!(
            h,
            "<p class=\"note\">{} outliers are left out of the silhouette and the indices.</p>",
            r.seg.n_noise()
        );
    }
    for d in &r.decisions {
        let _ = write!(h, "<p class=\"note\">{}</p>", escape(&d.to_string()));
    }
    h
}

/// A card per segment: colour, name, size and share, description and top features.
pub(super) fn segment_cards(r: &SegResult) -> String {
    let noise = r.seg.noise_segment();
    let mut h = String::from("<div class=\"cards\">");
    for d in &r.descriptions {
        let name = r.names.get(d.segment).unwrap_or(&d.name);
        let number = if Some(d.segment) == noise {
            "outliers".to_owned()
        } else {
            format!("Segment {}", d.segment)
        };
        let _ = write!(
            h,
            "<div class=\"card\" style=\"--c: {}\"><h3>{}: {}</h3><p class=\"size\">{} rows ({:.1}%)</p>\
             <p>{}</p>",
            hex(segment_colour(d.segment, noise)),
            escape(&number),
            escape(name),
            d.size,
            100.0 * d.share,
            escape(&d.description)
        );
        if !d.top_features.is_empty() {
            h.push_str(
                "<table><thead><tr><th>feature</th><th></th><th>segment</th><th>all rows</th></tr></thead><tbody>",
            );
            for f in &d.top_features {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    escape(&f.feature),
                    escape(&f.direction),
                    num(Some(f.segment_value)),
                    num(Some(f.overall_value))
                );
            }
            h.push_str("</tbody></table>");
        }
        h.push_str("</div>");
    }
    h.push_str("</div>");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes_shell_words() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
        assert_eq!(shell_word("data/x.csv"), "data/x.csv");
        assert_eq!(shell_word("my file's.csv"), "'my file'\\''s.csv'");
    }
}
