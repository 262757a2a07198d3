//! schema.org `JobPosting` in a page's JSON-LD blocks.

use scraper::{ElementRef, Html};
use serde_json::{Map, Value};

use super::posting::{self, is_job_posting, Ids};
use super::CapturedFields;

/// The fields of the first `JobPosting` in any `application/ld+json` block
/// (at the top, in an array, in `@graph` or nested in another node). A block
/// that is not valid JSON is skipped.
pub(super) fn read(page: &Html, timezone: &str) -> Option<CapturedFields> {
    let blocks: Vec<Value> = page
        .root_element()
        .descendent_elements()
        .filter(is_json_ld)
        .filter_map(|script| parse_block(&script.text().collect::<String>()))
        .collect();
    let mut ids = Ids::default();
    let mut postings = Vec::new();
    for block in &blocks {
        collect(block, &mut postings, &mut ids);
    }
    postings
        .first()
        .map(|found| posting::read(found, &ids, timezone))
}

fn is_json_ld(element: &ElementRef<'_>) -> bool {
    element.value().name() == "script"
        && element.attr("type").is_some_and(|t| {
            let media_type = t.split(';').next().unwrap_or(t);
            media_type
                .trim()
                .eq_ignore_ascii_case("application/ld+json")
        })
}

/// A block as JSON. Comment and CDATA wrappers are tolerated, and so are raw
/// line breaks and tabs inside strings (common in descriptions); any other
/// error makes the block malformed.
fn parse_block(raw: &str) -> Option<Value> {
    let json = unwrap_block(raw);
    serde_json::from_str(json).ok().or_else(|| {
        json.contains(|c: char| c < ' ')
            .then(|| serde_json::from_str(&escape_controls_in_strings(json)).ok())
            .flatten()
    })
}

fn unwrap_block(raw: &str) -> &str {
    let mut s = raw.trim();
    for (open, close) in [
        ("<!--", "-->"),
        ("//<![CDATA[", "//]]>"),
        ("<![CDATA[", "]]>"),
    ] {
        if let Some(inner) = s.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
            s = inner.trim();
        }
    }
    s
}

/// JSON with control characters inside strings written as escapes.
fn escape_controls_in_strings(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        match c {
            '\n' if in_string => out.push_str("\\n"),
            '\r' if in_string => out.push_str("\\r"),
            '\t' if in_string => out.push_str("\\t"),
            c if in_string && c < ' ' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
        if !in_string {
            in_string = c == '"';
        } else if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_string = false;
        }
    }
    out
}

/// Every `JobPosting` node in document order, and every node with an `@id`.
/// serde_json refuses nesting beyond 128 levels, which bounds the recursion.
fn collect<'a>(value: &'a Value, postings: &mut Vec<&'a Map<String, Value>>, ids: &mut Ids<'a>) {
    match value {
        Value::Array(values) => {
            for v in values {
                collect(v, postings, ids);
            }
        }
        Value::Object(node) => {
            ids.remember(value);
            if is_job_posting(node) {
                postings.push(node);
            }
            for v in node.values() {
                collect(v, postings, ids);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(blocks: &[&str]) -> Html {
        let scripts: String = blocks
            .iter()
            .map(|b| format!("<script type=\"application/ld+json\">{b}</script>"))
            .collect();
        Html::parse_document(&format!("<html><head>{scripts}</head><body></body></html>"))
    }

    #[test]
    fn a_malformed_block_is_skipped_and_the_next_valid_posting_is_used() {
        let html = page(&[
            r#"{"@type": "JobPosting", "title": "Broken", }"#,
            r#"{"@type": "BreadcrumbList", "itemListElement": []}"#,
            r#"{"@type": "JobPosting", "title": "Kept"}"#,
        ]);
        let found = read(&html, "UTC").expect("a posting");
        assert_eq!(found.title.as_deref(), Some("Kept"));
    }

    #[test]
    fn postings_are_found_in_graphs_arrays_and_nested_nodes() {
        for block in [
            r#"{"@graph": [{"@type": "WebPage"}, {"@type": "JobPosting", "title": "A"}]}"#,
            r#"[{"@type": "Organization"}, {"@type": "JobPosting", "title": "A"}]"#,
            r#"{"@type": "WebPage", "mainEntity": {"@type": "JobPosting", "title": "A"}}"#,
        ] {
            let found = read(&page(&[block]), "UTC").expect("a posting");
            assert_eq!(found.title.as_deref(), Some("A"), "{block}");
        }
    }

    #[test]
    fn raw_line_breaks_in_strings_and_comment_wrappers_are_tolerated() {
        let block =
            "<!-- {\"@type\": \"JobPosting\", \"title\": \"A\", \"description\": \"one\ntwo\"} -->";
        let found = read(&page(&[block]), "UTC").expect("a posting");
        assert_eq!(found.job_description.as_deref(), Some("one\ntwo"));
    }

    #[test]
    fn control_characters_are_escaped_only_inside_strings() {
        assert_eq!(
            escape_controls_in_strings("{\"a\\\"\n\":\n\"b\tc\"}"),
            "{\"a\\\"\\n\":\n\"b\\tc\"}"
        );
    }

    #[test]
    fn a_page_without_a_posting_has_none() {
        let html = page(&[r#"{"@type": "Organization", "name": "Acme"}"#]);
        assert!(read(&html, "UTC").is_none());
    }
}
