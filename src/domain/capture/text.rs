//! HTML as plain text: a posting's description with its line structure, and
//! the one-line fields (a title, a company) with entities decoded.

use ego_tree::iter::Edge;
use scraper::{ElementRef, Node};

use super::markup;

/// What a list item's line starts with in a description.
pub const LIST_BULLET: &str = "- ";

/// Tag names that mark a string as HTML rather than text that happens to
/// hold a `<` ("<5 years", "C<T>").
const HTML_TAGS: [&str; 30] = [
    "a",
    "b",
    "br",
    "blockquote",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "section",
    "span",
    "strong",
    "table",
    "td",
    "th",
    "tr",
    "u",
    "ul",
    "font",
    "article",
    "pre",
    "small",
];

/// How far apart two pieces of text are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Break {
    None,
    Line,
    Paragraph,
}

fn element_break(name: &str) -> Break {
    match name {
        "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "dl" | "table"
        | "blockquote" | "pre" | "section" | "article" | "header" | "footer" | "aside" | "nav"
        | "main" | "hr" | "form" | "fieldset" | "figure" | "details" => Break::Paragraph,
        "div" | "li" | "tr" | "dt" | "dd" | "address" | "figcaption" | "summary" | "caption"
        | "center" | "legend" | "option" => Break::Line,
        _ => Break::None,
    }
}

/// Elements whose content is never text a reader sees.
fn is_dropped(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "noscript" | "template" | "head" | "title" | "svg" | "iframe"
    )
}

/// Plain text of an HTML fragment: block elements become line breaks
/// (paragraph-like blocks a blank line, `<br>`, `<div>` and `<li>` one line
/// break, two `<br>` a blank line), each list item starts with
/// [`LIST_BULLET`], entities are decoded, scripts and styles dropped, runs of
/// whitespace collapse to one space and every line is trimmed.
pub fn html_to_text(html: &str) -> String {
    let fragment = markup::fragment(html);
    element_text(fragment.root_element())
}

/// Plain text of one element and everything inside it (see [`html_to_text`]).
fn element_text(element: ElementRef<'_>) -> String {
    let mut writer = TextWriter::default();
    // Counts the open dropped elements around the current node; the walk is
    // by edges, not recursion, so a deeply nested page cannot exhaust the stack.
    let mut dropped = 0usize;
    for edge in element.traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Text(text) if dropped == 0 => writer.text(text),
                Node::Element(e) if dropped > 0 || is_dropped(e.name()) => dropped += 1,
                Node::Element(e) => writer.open(e.name()),
                _ => {}
            },
            Edge::Close(node) => match node.value() {
                Node::Element(_) if dropped > 0 => dropped -= 1,
                Node::Element(e) => writer.close(e.name()),
                _ => {}
            },
        }
    }
    writer.out
}

/// Writes text with breaks decided lazily: a break or space is written only
/// when more text follows, so the result has no leading or trailing space.
#[derive(Debug)]
struct TextWriter {
    out: String,
    pending: Break,
    space: bool,
    bullet: bool,
    list_items: usize,
}

impl Default for TextWriter {
    fn default() -> Self {
        Self {
            out: String::new(),
            pending: Break::None,
            space: false,
            bullet: false,
            list_items: 0,
        }
    }
}

impl TextWriter {
    fn text(&mut self, text: &str) {
        for c in text.chars() {
            if c.is_whitespace() {
                self.space = true;
            } else if !c.is_control() {
                self.write_pending();
                self.out.push(c);
            }
        }
    }

    fn write_pending(&mut self) {
        if !self.out.is_empty() {
            match self.pending {
                Break::Paragraph => self.out.push_str("\n\n"),
                Break::Line => self.out.push('\n'),
                Break::None if self.space => self.out.push(' '),
                Break::None => {}
            }
        }
        if self.bullet {
            self.out.push_str(LIST_BULLET);
            self.bullet = false;
        }
        self.pending = Break::None;
        self.space = false;
    }

    fn open(&mut self, name: &str) {
        match name {
            // One <br> ends a line; a second in a row leaves a blank line.
            "br" => {
                self.pending = match self.pending {
                    Break::None => Break::Line,
                    _ => Break::Paragraph,
                }
            }
            "li" => {
                self.list_items += 1;
                self.request(Break::Line);
                self.bullet = true;
            }
            "td" | "th" => self.space = true,
            _ => self.request(element_break(name)),
        }
    }

    fn close(&mut self, name: &str) {
        if name == "li" {
            self.list_items = self.list_items.saturating_sub(1);
            self.bullet = false;
        }
        self.request(element_break(name));
    }

    /// Inside a list item, paragraphs are only lines: items stay together.
    fn request(&mut self, wanted: Break) {
        let wanted = if self.list_items > 0 {
            wanted.min(Break::Line)
        } else {
            wanted
        };
        self.pending = self.pending.max(wanted);
    }
}

/// Whether `s` holds at least one tag of common HTML.
fn looks_like_html(s: &str) -> bool {
    s.match_indices('<').any(|(i, _)| {
        let rest = s[i + 1..].strip_prefix('/').unwrap_or(&s[i + 1..]);
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let name = rest[..name_len].to_ascii_lowercase();
        let after = rest[name_len..].chars().next();
        HTML_TAGS.contains(&name.as_str())
            && matches!(after, Some(c) if c == '>' || c == '/' || c.is_whitespace())
    })
}

/// `s` with character references (`&amp;`, `&#39;`, `&eacute;`) decoded and
/// nothing else changed.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    // `<` escaped first, so that only references are interpreted.
    let fragment = markup::fragment(&s.replace('<', "&lt;"));
    fragment.root_element().text().collect()
}

/// One trimmed line: entities decoded, tags (if any) removed, every run of
/// whitespace (line breaks included) one space, control characters dropped.
pub(super) fn one_line(raw: &str) -> Option<String> {
    let text = if looks_like_html(raw) {
        html_to_text(raw)
    } else {
        decode_entities(raw)
    };
    let line = collapse_whitespace(&text);
    (!line.is_empty()).then_some(line)
}

/// A description given as HTML or as plain text, as plain text. HTML that
/// was escaped once more (`&lt;p&gt;`, as some applicant tracking systems
/// write it) is read as HTML after decoding.
pub(super) fn description_text(raw: &str) -> Option<String> {
    let text = if looks_like_html(raw) {
        html_to_text(raw)
    } else {
        tidy_lines(&decode_entities(raw))
    };
    let text = if looks_like_html(&text) {
        html_to_text(&text)
    } else {
        text
    };
    (!text.is_empty()).then_some(text)
}

/// Plain text with its lines kept: each line's whitespace collapsed, runs of
/// blank lines one blank line, none at the start or end.
fn tidy_lines(s: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in s.lines() {
        let line = collapse_whitespace(line);
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        out.push_str(&line);
        blank = false;
    }
    out
}

/// Words separated by one space; control characters dropped.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().filter(|c| !c.is_control()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_separated_by_a_blank_line_and_list_items_are_bulleted_lines() {
        let html = "<h2>About</h2><p>We  build\n things.</p><ul><li>Rust</li><li><p>SQL</p></li></ul><p>Apply!</p>";
        assert_eq!(
            html_to_text(html),
            "About\n\nWe build things.\n\n- Rust\n- SQL\n\nApply!"
        );
    }

    #[test]
    fn line_breaks_and_divs_end_lines_and_two_breaks_leave_a_blank_line() {
        assert_eq!(html_to_text("a<br>b<br/><br>c"), "a\nb\n\nc");
        assert_eq!(html_to_text("<div>a</div><div>b</div>"), "a\nb");
        assert_eq!(html_to_text("<b>bold</b>text <i>x</i>"), "boldtext x");
    }

    #[test]
    fn entities_are_decoded_and_scripts_and_styles_dropped() {
        let html = "<p>R&amp;D&nbsp;team &ndash; M&uuml;ller</p><script>alert(1)</script><style>p{}</style>";
        assert_eq!(html_to_text(html), "R&D team – Müller");
    }

    #[test]
    fn html_escaped_once_more_is_read_as_html() {
        let raw = "&lt;p&gt;Hello &amp;amp; welcome&lt;/p&gt;&lt;ul&gt;&lt;li&gt;One&lt;/li&gt;&lt;/ul&gt;";
        assert_eq!(
            description_text(raw).as_deref(),
            Some("Hello & welcome\n\n- One")
        );
    }

    #[test]
    fn plain_text_descriptions_keep_their_lines() {
        let raw = "First line.\r\n\r\n\r\nSecond   line.\nThird &amp; last.  ";
        assert_eq!(
            description_text(raw).as_deref(),
            Some("First line.\n\nSecond line.\nThird & last.")
        );
        assert_eq!(description_text("  \n "), None);
    }

    #[test]
    fn a_less_than_sign_alone_is_not_html() {
        assert!(!looks_like_html("needs <5 years of C<T> and a<b"));
        assert!(looks_like_html("a <br/> b"));
        assert!(looks_like_html("</P>"));
    }

    #[test]
    fn one_line_fields_decode_entities_and_collapse_whitespace() {
        assert_eq!(
            one_line("  Müller &amp; Söhne\n GmbH ").as_deref(),
            Some("Müller & Söhne GmbH")
        );
        assert_eq!(
            one_line("<b>Senior</b> Engineer").as_deref(),
            Some("Senior Engineer")
        );
        assert_eq!(one_line(" \u{1}\t"), None);
    }

    #[test]
    fn deeply_nested_html_does_not_exhaust_the_stack() {
        let html = format!("{}deep{}", "<div>".repeat(4_000), "</div>".repeat(4_000));
        assert_eq!(html_to_text(&html), "deep");
    }
}
