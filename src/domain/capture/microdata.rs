//! schema.org `JobPosting` in a page's microdata (`itemscope`/`itemprop`),
//! read into the JSON shape of JSON-LD so one reader serves both.

use scraper::{ElementRef, Html};
use serde_json::{Map, Value};

use super::posting::{self, Ids};
use super::CapturedFields;

/// Nested items deeper than this are not read (a posting's address is three
/// levels down; a page nested thousands deep must not exhaust the stack).
const MAX_DEPTH: usize = 8;

/// The fields of the first element with `itemscope` and an `itemtype` of
/// schema.org's `JobPosting`.
pub(super) fn read(page: &Html, timezone: &str) -> Option<CapturedFields> {
    let scope = page
        .root_element()
        .descendent_elements()
        .find(is_job_posting_item)?;
    let item = item_json(scope, 0);
    Some(posting::read(&item, &Ids::default(), timezone))
}

fn is_job_posting_item(element: &ElementRef<'_>) -> bool {
    element.attr("itemscope").is_some()
        && element
            .attr("itemtype")
            .is_some_and(|types| types.split_whitespace().any(is_schema_job_posting))
}

/// `http://schema.org/JobPosting`, with https and `www.` or not.
fn is_schema_job_posting(item_type: &str) -> bool {
    let t = item_type.to_ascii_lowercase();
    let t = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(&t);
    let t = t.strip_prefix("www.").unwrap_or(t);
    t.trim_end_matches('/') == "schema.org/jobposting"
}

/// An item as a JSON object: `@type` from its `itemtype`, each property by
/// name (a repeated property becomes an array).
fn item_json(scope: ElementRef<'_>, depth: usize) -> Map<String, Value> {
    let mut item = Map::new();
    if let Some(t) = scope
        .attr("itemtype")
        .and_then(|t| t.split_whitespace().next())
    {
        let name = t.trim_end_matches('/').rsplit('/').next().unwrap_or(t);
        item.insert("@type".into(), Value::String(name.to_owned()));
    }
    for (name, element) in properties(scope) {
        let value = if element.attr("itemscope").is_some() {
            if depth >= MAX_DEPTH {
                continue;
            }
            Value::Object(item_json(element, depth + 1))
        } else {
            property_value(name, element)
        };
        add(&mut item, name, value);
    }
    item
}

fn add(item: &mut Map<String, Value>, name: &str, value: Value) {
    match item.get_mut(name) {
        None => {
            item.insert(name.to_owned(), value);
        }
        Some(Value::Array(values)) => values.push(value),
        Some(first) => {
            let first = first.take();
            item.insert(name.to_owned(), Value::Array(vec![first, value]));
        }
    }
}

/// The `itemprop` elements that belong to `scope`: its descendants, but not
/// those inside a nested item (they belong to that item).
fn properties<'a>(scope: ElementRef<'a>) -> Vec<(&'a str, ElementRef<'a>)> {
    let mut found = Vec::new();
    let mut stack: Vec<ElementRef<'a>> = scope.child_elements().collect();
    stack.reverse();
    while let Some(element) = stack.pop() {
        if let Some(names) = element.attr("itemprop") {
            found.extend(names.split_whitespace().map(|name| (name, element)));
        }
        if element.attr("itemscope").is_none() {
            let first_child = stack.len();
            stack.extend(element.child_elements());
            stack[first_child..].reverse();
        }
    }
    found
}

/// A property's value as microdata defines it (`content`, a link's `href`, a
/// time's `datetime`, else the text); a description keeps its HTML.
fn property_value(name: &str, element: ElementRef<'_>) -> Value {
    let attr = |a: &str| element.attr(a).map(str::to_owned);
    let value = attr("content").or_else(|| match element.value().name() {
        "time" => attr("datetime"),
        "a" | "area" | "link" => attr("href"),
        "img" | "audio" | "video" | "source" | "embed" | "iframe" | "track" => attr("src"),
        "object" => attr("data"),
        "data" | "meter" => attr("value"),
        _ => None,
    });
    let value = value.unwrap_or_else(|| {
        if name == "description" {
            element.html()
        } else {
            element.text().collect()
        }
    });
    Value::String(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_of_nested_items_belong_to_those_items() {
        let html = Html::parse_document(
            r#"<div itemscope itemtype="https://schema.org/JobPosting">
                 <h1 itemprop="title">Data Engineer</h1>
                 <div itemprop="hiringOrganization" itemscope itemtype="https://schema.org/Organization">
                   <span itemprop="name">Acme</span>
                 </div>
                 <div itemprop="jobLocation" itemscope itemtype="https://schema.org/Place">
                   <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
                     <span itemprop="addressLocality">Lyon</span>, <span itemprop="addressCountry">FR</span>
                   </div>
                 </div>
                 <time itemprop="validThrough" datetime="2026-09-01">1 Sept</time>
                 <div itemprop="description"><p>Build pipelines.</p><p>Own them.</p></div>
               </div>"#,
        );
        let found = read(&html, "UTC").expect("a posting");
        assert_eq!(found.title.as_deref(), Some("Data Engineer"));
        assert_eq!(found.company.as_deref(), Some("Acme"));
        assert_eq!(found.location.as_deref(), Some("Lyon, FR"));
        assert_eq!(found.deadline, Some(time::macros::date!(2026 - 09 - 01)));
        assert_eq!(
            found.job_description.as_deref(),
            Some("Build pipelines.\n\nOwn them.")
        );
    }

    #[test]
    fn item_types_match_with_or_without_https_and_www() {
        for t in [
            "http://schema.org/JobPosting",
            "https://www.schema.org/JobPosting/",
            "HTTPS://SCHEMA.ORG/JOBPOSTING",
        ] {
            assert!(is_schema_job_posting(t), "{t}");
        }
        assert!(!is_schema_job_posting("https://schema.org/Organization"));
        assert!(!is_schema_job_posting("https://example.org/JobPosting"));
    }

    #[test]
    fn deeply_nested_items_are_cut_off() {
        let nested =
            "<div itemprop=\"x\" itemscope itemtype=\"https://schema.org/Thing\">".repeat(5_000);
        let html = Html::parse_document(&format!(
            "<div itemscope itemtype=\"https://schema.org/JobPosting\"><h1 itemprop=\"title\">T</h1>{nested}</div>"
        ));
        assert_eq!(
            read(&html, "UTC").and_then(|f| f.title).as_deref(),
            Some("T")
        );
    }
}
