//! Parsing HTML within a bounded amount of work.
//!
//! html5ever checks element scopes by walking its stack of open elements, so
//! a parse costs about tags × nesting depth: a 5 MiB page of nested `<div>`s
//! would take hours. Capture parses only the part of a page that fits a work
//! budget measured the same way; ordinary pages, even large ones, fit whole
//! (a 5 MiB page of 150,000 tags 40 deep is 6 million), and the head with its
//! JSON-LD and meta tags comes first.

use scraper::Html;

/// Tags × depth a parse may cost (well under a second in a release build).
const WORK_BUDGET: u64 = 10_000_000;

/// Elements that never hold content.
const VOID: [&str; 16] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr", "frame",
];

/// Elements the parser closes by itself when the next one opens (`<li>`
/// after `<li>`), so they do not pile up.
const CLOSED_BY_SIBLINGS: [&str; 12] = [
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rp",
];

/// Elements whose content is text up to their end tag.
const RAW_TEXT: [&str; 9] = [
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];

/// A whole document, or the part of it within the work budget.
pub(super) fn document(html: &str) -> Html {
    Html::parse_document(within_budget(html))
}

/// A fragment, or the part of it within the work budget.
pub(super) fn fragment(html: &str) -> Html {
    Html::parse_fragment(within_budget(html))
}

/// `html` cut before the first tag at which the estimated work passes the
/// budget (all of it when it never does). The estimate is a linear scan:
/// each tag costs the depth it is at; comments, doctypes and the content of
/// scripts and styles are skipped.
fn within_budget(html: &str) -> &str {
    let lower = html.to_ascii_lowercase();
    let mut scan = DepthScan::default();
    let mut at = 0;
    while let Some(offset) = lower[at..].find('<') {
        let start = at + offset;
        match scan.tag(&lower, start) {
            Step::Next(next) => at = next,
            Step::End => break,
        }
        if scan.work > WORK_BUDGET {
            return &html[..start];
        }
    }
    html
}

#[derive(Debug, Default)]
struct DepthScan {
    depth: u64,
    /// Open `<svg>`/`<math>` elements: inside them `<x/>` really closes.
    foreign: u64,
    work: u64,
}

enum Step {
    Next(usize),
    End,
}

impl DepthScan {
    /// Reads the markup starting at `start` (a `<` in the lower-cased page)
    /// and says where to continue.
    fn tag(&mut self, lower: &str, start: usize) -> Step {
        let rest = &lower[start..];
        if rest.starts_with("<!--") {
            return skip_past(lower, start + 4, "-->");
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            return skip_past(lower, start + 2, ">");
        }
        let closing = rest.starts_with("</");
        let name_start = start + if closing { 2 } else { 1 };
        let name_len = lower[name_start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(lower.len() - name_start);
        if name_len == 0 {
            return Step::Next(start + 1);
        }
        let name = &lower[name_start..name_start + name_len];
        let Some(end) = lower[name_start..].find('>').map(|i| name_start + i) else {
            return Step::End;
        };
        self.work += self.depth + 1;
        let self_closed = lower[..end].ends_with('/');
        if closing {
            self.close(name);
        } else {
            self.open(name, self_closed);
            if RAW_TEXT.contains(&name) && !self_closed {
                // Its end tag is read next, as a tag like any other.
                return match lower[end..].find(&format!("</{name}")) {
                    Some(i) => Step::Next(end + i),
                    None => Step::End,
                };
            }
        }
        Step::Next(end + 1)
    }

    fn open(&mut self, name: &str, self_closed: bool) {
        if VOID.contains(&name) || CLOSED_BY_SIBLINGS.contains(&name) {
            return;
        }
        if self.foreign > 0 && self_closed {
            return;
        }
        self.depth += 1;
        if matches!(name, "svg" | "math") && !self_closed {
            self.foreign += 1;
        }
    }

    fn close(&mut self, name: &str) {
        if VOID.contains(&name) || CLOSED_BY_SIBLINGS.contains(&name) {
            return;
        }
        self.depth = self.depth.saturating_sub(1);
        if matches!(name, "svg" | "math") {
            self.foreign = self.foreign.saturating_sub(1);
        }
    }
}

fn skip_past(lower: &str, from: usize, end: &str) -> Step {
    match lower.get(from..).and_then(|rest| rest.find(end)) {
        Some(i) => Step::Next(from + i + end.len()),
        None => Step::End,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ordinary_large_page_is_parsed_whole() {
        let row = "<tr><td><a href=\"/x\">x</a></td><td><p>y<br>z</td></tr>";
        let body = format!("<table>{}</table>", row.repeat(10_000));
        let page = format!(
            "<html><head><script>if (a<b) {{ s = '<div><div><div>'; }}</script></head><body>{}{body}<svg>{}</svg></body></html>",
            "<div>".repeat(30),
            "<path d=\"M0\"/>".repeat(5_000)
        );
        assert_eq!(within_budget(&page).len(), page.len());
    }

    #[test]
    fn a_page_nested_too_deep_is_cut_where_the_budget_runs_out() {
        let head = "<html><head><title>Kept</title></head><body>";
        let page = format!(
            "{head}{}deep{}",
            "<div>".repeat(50_000),
            "</div>".repeat(50_000)
        );
        let kept = within_budget(&page);
        assert!(kept.starts_with(head));
        assert!(kept.len() < page.len());
        let started = std::time::Instant::now();
        let parsed = document(&page);
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        assert!(parsed.root_element().text().any(|t| t == "Kept"));
    }

    #[test]
    fn self_closed_non_void_elements_still_count_outside_svg() {
        let page = "<div/>".repeat(20_000);
        assert!(within_budget(&page).len() < page.len());
    }
}
