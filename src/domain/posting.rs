//! A capture request: the posting as the client has it — its address, its
//! page's HTML, the text the person pasted or selected (at least one).

use serde_json::{Map, Value};

use super::application::URL_MAX;
use super::fields::{Fields, ValidationError};

/// Capture bodies may be this large (a whole page's source).
pub const BODY_LIMIT: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Posting {
    pub url: Option<String>,
    pub html: Option<String>,
    pub text: Option<String>,
}

/// A page's HTML or text as given, with stray control characters (form
/// feeds, vertical tabs… which pages do carry) made spaces; NUL bytes mean
/// the content is binary, not a page.
fn page_text(f: &mut Fields<'_>, body: &Map<String, Value>, name: &'static str) -> Option<String> {
    match body.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.contains('\0') => {
            f.error(name, "is binary, not a page's text (it contains NUL bytes)");
            None
        }
        Some(Value::String(s)) => {
            let cleaned: String = s
                .chars()
                .map(|c| {
                    if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
                        ' '
                    } else {
                        c
                    }
                })
                .collect();
            Some(cleaned).filter(|s| !s.trim().is_empty())
        }
        Some(_) => {
            f.error(name, "must be a string");
            None
        }
    }
}

impl Posting {
    pub fn parse(body: &Map<String, Value>) -> Result<Posting, ValidationError> {
        let mut f = Fields::new(body);
        let url = f.url("url", URL_MAX).into_option();
        // A page's source is read leniently (see `page_text`), not as a field.
        let html = page_text(&mut f, body, "html");
        let text = page_text(&mut f, body, "text");
        let nothing = url.is_none() && html.is_none() && text.is_none();
        match f.finish_known(&["html", "text"]) {
            Err(e) => Err(e),
            Ok(()) if nothing => Err(ValidationError::single(
                "url",
                "give at least one of url, html or text (the posting's address, its page source, or its text)",
            )),
            Ok(()) => Ok(Posting { url, html, text }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<Posting, ValidationError> {
        Posting::parse(v.as_object().unwrap())
    }

    #[test]
    fn a_posting_needs_something_and_refuses_binary() {
        assert!(parse(json!({"text": "Engineer at Acme"})).is_ok());
        assert!(parse(json!({"url": "https://jobs.example.com/1"})).is_ok());
        let p = parse(json!({"html": "<p>a\u{000c}b</p>"})).unwrap();
        assert_eq!(p.html.as_deref(), Some("<p>a b</p>"));
        for (body, field) in [
            (json!({}), "url"),
            (json!({"text": "   "}), "url"),
            (json!({"html": "x\u{0000}y"}), "html"),
            (json!({"text": 5}), "text"),
            (json!({"url": "ftp://x.example"}), "url"),
            (json!({"url": "https://a.example", "extra": 1}), "extra"),
        ] {
            let e = parse(body.clone()).expect_err(&body.to_string());
            assert_eq!(e.errors[0].field, field, "{body}");
        }
    }
}
