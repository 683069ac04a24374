//! Words for segment descriptions: the direction vocabulary of recency- and frequency-like feature names,
//! number and share formatting, and names built from a segment's top features, unique across segments.

/// Features a name starts from (more are added only to tell two names apart).
const NAME_FEATURES: usize = 2;

/// A direction vocabulary for a family of feature names.
pub(super) struct Wording {
    pub(super) fragments: &'static [&'static str],
    pub(super) high: &'static str,
    pub(super) low: &'static str,
}

pub(super) const WORDINGS: [Wording; 2] = [
    Wording {
        fragments: &["recency", "days_since", "since_last"],
        high: "lapsed",
        low: "recent",
    },
    Wording {
        fragments: &["frequency", "orders", "purchases", "visits", "transactions"],
        high: "frequent",
        low: "infrequent",
    },
];

pub(super) fn wording(feature: &str) -> Option<&'static Wording> {
    let lower = feature.to_lowercase();
    WORDINGS
        .iter()
        .find(|w| w.fragments.iter().any(|f| lower.contains(f)))
}

/// `total_spent` -> `total spent`.
pub(super) fn human(name: &str) -> String {
    name.split(['_', '.', '-'])
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A number for a sentence: thousands separated above 1,000, fewer decimals for larger values.
pub(super) fn number(v: f64) -> String {
    let a = v.abs();
    if a >= 1000.0 {
        let digits = format!("{a:.0}");
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 { format!("-{out}") } else { out }
    } else if a >= 10.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

pub(super) fn percent(p: f64) -> String {
    if p >= 0.01 || p == 0.0 {
        format!("{:.0}%", 100.0 * p)
    } else {
        format!("{:.1}%", 100.0 * p)
    }
}

/// How a feature enters a name.
#[derive(Debug, Clone)]
pub(super) enum NameWord {
    /// Before "customers": "recent", "web".
    Adjective(String),
    /// After "customers with": "high total spent".
    With(String),
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// "Recent frequent customers with high total spent" from the first features of a segment.
fn name_from(words: &[NameWord]) -> String {
    if words.is_empty() {
        return "Typical customers".to_owned();
    }
    let mut adjectives = Vec::new();
    let mut with = Vec::new();
    for w in words {
        match w {
            NameWord::Adjective(a) if !adjectives.contains(a) => adjectives.push(a.clone()),
            NameWord::With(w) => with.push(w.clone()),
            NameWord::Adjective(_) => {}
        }
    }
    let mut name = adjectives.join(" ");
    if !name.is_empty() {
        name.push(' ');
    }
    name.push_str("customers");
    if !with.is_empty() {
        name.push_str(" with ");
        name.push_str(&with.join(" and "));
    }
    capitalised(&name)
}

/// Names from the first `NAME_FEATURES` features, taking more features where two segments would share a
/// name, and numbering what is still shared.
pub(super) fn unique_names(cands: &[Vec<NameWord>]) -> Vec<String> {
    let mut used: Vec<usize> = cands.iter().map(|c| c.len().min(NAME_FEATURES)).collect();
    loop {
        let names: Vec<String> = cands
            .iter()
            .zip(&used)
            .map(|(c, &m)| name_from(&c[..m]))
            .collect();
        let clashes: Vec<usize> = (0..names.len())
            .filter(|&s| names.iter().filter(|n| **n == names[s]).count() > 1)
            .collect();
        if clashes.is_empty() {
            return names;
        }
        let mut grew = false;
        for &s in &clashes {
            if used[s] < cands[s].len() {
                used[s] += 1;
                grew = true;
            }
        }
        if !grew {
            return names
                .into_iter()
                .enumerate()
                .map(|(s, n)| {
                    if clashes.contains(&s) {
                        format!("{n} (segment {s})")
                    } else {
                        n
                    }
                })
                .collect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_names_and_words() {
        assert_eq!(human("avg_order_value"), "avg order value");
        assert_eq!(number(3442.21), "3,442");
        assert_eq!(number(-1_234_567.0), "-1,234,567");
        assert_eq!(number(9.12), "9.1");
        assert_eq!(number(0.456), "0.46");
        assert_eq!(percent(0.183), "18%");
        assert_eq!(
            wording("Days_Since_Last_Order").map(|w| w.low),
            Some("recent")
        );
        assert_eq!(wording("orders_12m").map(|w| w.high), Some("frequent"));
        assert!(wording("avg_order_value").is_none());
        let adj = |s: &str| NameWord::Adjective(s.to_owned());
        let with = |s: &str| NameWord::With(s.to_owned());
        assert_eq!(
            name_from(&[adj("recent"), with("high spend"), adj("web")]),
            "Recent web customers with high spend"
        );
        // Two segments alike on their first features take a third; identical ones are numbered.
        let names = unique_names(&[
            vec![adj("recent"), adj("frequent"), adj("web")],
            vec![adj("recent"), adj("frequent"), adj("store")],
            vec![],
            vec![],
        ]);
        assert_eq!(
            names,
            [
                "Recent frequent web customers",
                "Recent frequent store customers",
                "Typical customers (segment 2)",
                "Typical customers (segment 3)"
            ]
        );
    }
}
