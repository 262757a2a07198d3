//! Capturing a job posting in the browser: the bookmarklet Settings offers
//! (made from `static/bookmarklet.js`), the `/capture` page it opens, and
//! the script both that page and the new-application page use to fill the
//! form through `POST /api/v1/capture`. Nothing is saved until the person
//! presses the form's own button.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::applications::{render_new_form, CaptureFrom};
use super::Viewer;
use crate::error::Result;
use crate::http::AppState;

/// The readable bookmarklet, the one source of the link Settings offers.
const BOOKMARKLET: &str = include_str!("../../../static/bookmarklet.js");

/// What stands for this server's address in `BOOKMARKLET`.
const SERVER: &str = "JOB_COPILOT_SERVER";

/// The bookmarklet's code as it runs: comment lines dropped, the lines
/// joined, this server's address (without a trailing slash) in place.
pub fn bookmarklet_code(public_url: &url::Url) -> String {
    let server = public_url.as_str().trim_end_matches('/');
    let literal = serde_json::Value::String(server.to_owned()).to_string();
    BOOKMARKLET
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .collect::<Vec<_>>()
        .join(" ")
        .replace(SERVER, &literal)
}

/// The `javascript:` link a person drags to the bookmarks bar. Browsers
/// percent-decode it before running it, so `%` and whatever is not plain in
/// a URL is encoded.
pub fn bookmarklet_href(public_url: &url::Url) -> String {
    let code = bookmarklet_code(public_url);
    let mut href = String::with_capacity(code.len() * 2);
    href.push_str("javascript:");
    for byte in code.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'();,/?:@&=+$[]{}".contains(&byte) {
            href.push(byte as char);
        } else {
            href.push_str(&format!("%{byte:02X}"));
        }
    }
    href
}

/// `GET /capture`: the new-application form, filled by `capture.js` from
/// what the bookmarklet put in the URL fragment (which never reaches the
/// server).
pub async fn page(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<HttpResponse> {
    render_new_form(&state, &req, &viewer, CaptureFrom::Bookmarklet)
}

/// `GET /static/capture.js` (bundled): reads a posting and fills the form.
pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../../static/capture.js"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    fn percent_decoded(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_bookmarklet_is_the_readable_source_with_this_servers_address() {
        let code = bookmarklet_code(&url("https://jobs.example.com/"));
        assert!(code.starts_with("(function () { var server = \"https://jobs.example.com\";"));
        assert!(code.ends_with("})();"), "{code}");
        assert!(!code.contains(SERVER));
        assert!(!code.contains('\n'));
        // Every line of code in the file is there, in order; no comment is.
        let mut rest = code.as_str();
        for line in BOOKMARKLET.lines().map(str::trim) {
            if line.is_empty() || line.starts_with("//") {
                continue;
            }
            let line = line.replace(SERVER, "\"https://jobs.example.com\"");
            let at = rest.find(&line).unwrap_or_else(|| panic!("{line}"));
            rest = &rest[at + line.len()..];
        }
        assert!(!code.contains("// "), "{code}");
    }

    #[test]
    fn the_bookmarklet_link_decodes_to_its_code() {
        let public = url("http://127.0.0.1:8080/");
        let href = bookmarklet_href(&public);
        let encoded = href.strip_prefix("javascript:").unwrap();
        assert_eq!(percent_decoded(encoded), bookmarklet_code(&public));
        // Only as escapes: a "%" of the code itself is encoded too.
        for plain in [' ', '"', '#', '<', '>', '\\', '`', '\n'] {
            assert!(!encoded.contains(plain), "{plain:?} is encoded");
        }
    }
}
