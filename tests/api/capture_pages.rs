//! Capture in the pages, over HTTP (no browser; `browser.rs` runs the
//! scripts): the new-application page's "Add from a posting", the
//! `/capture` page the bookmarklet opens, and the bookmarklet in Settings.
//! Also the bookmarklet's payload as a Rust mirror, for the browser tests.

use base64::Engine;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{browser, sign_up, spawn_app, spawn_app_with};
use crate::pages::get;

/// What the bookmarklet puts after `/capture#`, made as `bookmarklet.js`
/// makes it: base64url (no padding) of the UTF-8 JSON
/// `{v: 1, url, title, ld, text}`.
pub(crate) fn bookmarklet_payload(url: &str, title: &str, ld: &[&str], text: &str) -> String {
    let json = json!({"v": 1, "url": url, "title": title, "ld": ld, "text": text});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(&json).unwrap())
}

fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
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

/// The opening tag of the first element with this class.
fn tag_with_class<'a>(html: &'a str, class: &str) -> &'a str {
    let at = html
        .find(&format!("class=\"{class}\""))
        .unwrap_or_else(|| panic!("no .{class}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

#[actix_web::test]
async fn the_new_application_page_offers_to_fill_the_form_from_a_posting() {
    let app = spawn_app().await;
    let ada = sign_up(&app, "ada@example.com").await;

    let page = get(&app, &ada, "/applications/new").await;

    assert_eq!(page.status, StatusCode::OK);
    let html = unescape(&page.html);
    assert!(html.contains("<h2 id=\"capture-h\">Add from a posting</h2>"));
    assert!(html.contains("data-capture=\"paste\""));
    assert!(html.contains("<label for=\"capture-url\">Link to the posting</label>"));
    assert!(html.contains("<label for=\"capture-source\">The page’s text or source</label>"));
    assert!(html.contains("<button type=\"button\" class=\"button secondary\" id=\"capture-fill\">Fill the form</button>"));
    assert!(html.contains("<script src=\"/static/capture.js\" defer></script>"));
    // Without JavaScript: a note, and the section's controls are not shown.
    assert!(html.contains("<noscript>"));
    assert!(html.contains("<div class=\"js-only\">"));
    // The paste section sits above the form, outside it: nothing pasted is posted.
    let section = html.find("id=\"capture\"").unwrap();
    let form = html
        .find("<form method=\"post\" action=\"/applications/new\"")
        .unwrap();
    assert!(section < form);
    assert!(!html[form..].contains("capture-source"));

    let script = ada
        .get(format!("{}/static/capture.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert!(script.text().await.unwrap().contains("/api/v1/capture"));
}

#[actix_web::test]
async fn the_capture_page_is_the_new_application_form_with_its_script_and_needs_a_session() {
    let app = spawn_app().await;
    let ada = sign_up(&app, "ada@example.com").await;

    let page = get(&app, &ada, "/capture").await;

    assert_eq!(page.status, StatusCode::OK);
    let html = unescape(&page.html);
    assert!(html.contains("<title>Add from a posting · Job Copilot</title>"));
    assert!(html.contains("data-capture=\"fragment\""));
    assert!(html.contains("<script src=\"/static/capture.js\" defer></script>"));
    assert!(html.contains(
        "<form method=\"post\" action=\"/applications/new\" class=\"card\" id=\"application-form\""
    ));
    assert!(html.contains("<input id=\"f-company\" name=\"company\""));
    assert!(html.contains("<option value=\"wishlist\" selected>"));
    assert!(html.contains("<meta name=\"csrf-token\""));
    assert!(html.contains("<noscript>"));
    // The bookmarklet's paste box is not on this page.
    assert!(!html.contains("capture-source"));

    let stranger = browser();
    let page = get(&app, &stranger, "/capture").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location.as_deref(),
        Some("/auth/login?next=%2Fcapture")
    );
}

#[actix_web::test]
async fn settings_offers_the_bookmarklet_made_for_this_servers_public_address() {
    let app = spawn_app_with(&[("public_url", "http://jobs.example.test:8080/")]).await;
    let ada = sign_up(&app, "ada@example.com").await;

    let page = get(&app, &ada, "/settings").await;

    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .html
        .contains("<h2 id=\"capture-h\">Capture from any page</h2>"));
    assert!(page.html.contains("<a href=\"#capture\">Capture</a>"));
    let link = unescape(tag_with_class(&page.html, "bookmarklet"));
    // A plain link: no inline handler, nothing for this site's pages to run.
    assert!(!link.contains(" on"), "{link}");
    let href = link
        .split("href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    let code = percent_decoded(href.strip_prefix("javascript:").unwrap());
    assert!(
        code.starts_with("(function () { var server = \"http://jobs.example.test:8080\";"),
        "{code}"
    );
    assert!(code.contains("server + \"/capture#\" + encoded"));
    assert!(code.contains("script[type=\"application/ld+json\"]"));
    // The link is static/bookmarklet.js, every line of code in order.
    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/bookmarklet.js"),
    )
    .unwrap();
    let mut rest = code.as_str();
    for line in source.lines().map(str::trim) {
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        let line = line.replace("JOB_COPILOT_SERVER", "\"http://jobs.example.test:8080\"");
        let at = rest
            .find(&line)
            .unwrap_or_else(|| panic!("{line} is not in the link"));
        rest = &rest[at + line.len()..];
    }
    let text = unescape(&page.html);
    assert!(text.contains("this server (http://jobs.example.test:8080) opens in a new tab"));
    assert!(text.contains("nothing is saved until you press “Add application”"));
    assert!(text.contains("<script src=\"/static/capture.js\" defer></script>"));
}

#[test]
fn the_payload_mirror_is_base64url_of_the_json() {
    let payload = bookmarklet_payload("https://x.example/1", "Zürich ✓", &["{}"], "a/b+c?");
    assert!(payload
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&payload)
        .unwrap();
    let back: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(back["v"], 1);
    assert_eq!(back["title"], "Zürich ✓");
    assert_eq!(back["ld"], json!(["{}"]));
}
