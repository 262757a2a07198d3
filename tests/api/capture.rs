//! `POST /api/v1/capture` over HTTP: postings into fields, nothing created,
//! duplicates named, bad input refused, and the server-side fetch guarded
//! against request forgery (against a real HTTP server on loopback).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use actix_web::{web, App, HttpResponse, HttpServer};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

const POSTING: &str = r#"<!doctype html><html><head><title>Backend Engineer - Acme</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "JobPosting",
 "title": "Backend Engineer", "hiringOrganization": {"@type": "Organization", "name": "Acme Robotics"},
 "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Berlin",
   "addressRegion": "Berlin", "addressCountry": "DE"}},
 "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR",
   "value": {"@type": "QuantitativeValue", "minValue": 6000, "maxValue": 7000, "unitText": "MONTH"}},
 "validThrough": "2026-12-31", "employmentType": "FULL_TIME",
 "description": "<p>Build <b>robots</b>.</p><ul><li>Rust</li><li>PostgreSQL</li></ul>"}</script>
</head><body><h1>Backend Engineer</h1></body></html>"#;

/// A web server on loopback that serves postings, redirects, non-HTML,
/// huge and slow pages, and counts the requests it got.
struct Site {
    base: String,
    hits: Arc<AtomicUsize>,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Site {
    fn drop(&mut self) {
        let h = self.handle.clone();
        actix_web::rt::spawn(async move { h.stop(false).await });
    }
}

async fn site(redirect_to: &str) -> Site {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let target = redirect_to.to_owned();
    let server = HttpServer::new(move || {
        let counter = counter.clone();
        let target = target.clone();
        App::new()
            .wrap_fn(move |req, srv| {
                counter.fetch_add(1, Ordering::SeqCst);
                actix_web::dev::Service::call(srv, req)
            })
            .route(
                "/job",
                web::get().to(|| async {
                    HttpResponse::Ok()
                        .content_type("text/html; charset=utf-8")
                        .body(POSTING)
                }),
            )
            .route(
                "/moved",
                web::get().to(|| async {
                    HttpResponse::Found()
                        .insert_header(("Location", "/job?utm_source=x&ref=1"))
                        .finish()
                }),
            )
            .route(
                "/away",
                web::get().to(move || {
                    let target = target.clone();
                    async move {
                        HttpResponse::Found()
                            .insert_header(("Location", target))
                            .finish()
                    }
                }),
            )
            .route(
                "/loop/{n}",
                web::get().to(|n: web::Path<u32>| async move {
                    HttpResponse::Found()
                        .insert_header(("Location", format!("/loop/{}", *n + 1)))
                        .finish()
                }),
            )
            .route(
                "/pdf",
                web::get().to(|| async {
                    HttpResponse::Ok()
                        .content_type("application/pdf")
                        .body("%PDF-1.4")
                }),
            )
            .route(
                "/huge",
                web::get().to(|| async {
                    HttpResponse::Ok()
                        .content_type("text/html")
                        .body(vec![b'a'; 3 * 1024 * 1024])
                }),
            )
            .route(
                "/slow",
                web::get().to(|| async {
                    tokio::time::sleep(std::time::Duration::from_secs(8)).await;
                    HttpResponse::Ok().content_type("text/html").body(POSTING)
                }),
            )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    let running = server.run();
    let handle = running.handle();
    actix_web::rt::spawn(running);
    Site {
        base: format!("http://127.0.0.1:{port}"),
        hits,
        handle,
    }
}

async fn capture(app: &TestApp, token: &str, body: Value) -> Res {
    app.post(token, "/api/v1/capture", body).await
}

#[actix_web::test]
async fn a_posting_becomes_fields_creates_nothing_and_names_its_duplicate() {
    let app = spawn_app().await;
    let (token, _) = app.user("capture@example.com").await;
    let url = "https://boards.greenhouse.io/acme/jobs/123?utm_source=linkedin&gh_src=abc";
    let res = capture(&app, &token, json!({"url": url, "html": POSTING})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["found_by"], "json-ld");
    let f = &res.body["fields"];
    assert_eq!(f["company"], "Acme Robotics");
    assert_eq!(f["title"], "Backend Engineer");
    assert_eq!(f["location"], "Berlin, Berlin, DE");
    assert_eq!(
        (f["salary_min"].clone(), f["salary_max"].clone()),
        (json!(72000), json!(84000))
    );
    assert_eq!(f["salary_currency"], "EUR");
    assert_eq!(f["deadline"], "2026-12-31");
    assert_eq!(
        f["url"],
        "https://boards.greenhouse.io/acme/jobs/123?gh_src=abc"
    );
    assert_eq!(f["source"], "Greenhouse");
    assert_eq!(f["tags"], json!(["full-time"]));
    assert_eq!(f["work_mode"], Value::Null, "never a guess");
    let description = f["job_description"].as_str().unwrap();
    assert!(
        description.contains("Build robots.") && description.contains("Rust"),
        "{description}"
    );
    assert!(!description.contains('<'), "{description}");
    assert_eq!(res.body["duplicate_of"], Value::Null);
    let list = app.get(&token, "/api/v1/applications").await;
    assert_eq!(list.body["items"], json!([]), "capture creates nothing");

    // The reviewed fields post as they are; the next capture names the duplicate.
    let mut body = f.clone();
    body.as_object_mut().unwrap().retain(|_, v| !v.is_null());
    let created = app.application(&token, body).await;
    let again = capture(&app, &token, json!({"url": url, "html": POSTING})).await;
    let dup = &again.body["duplicate_of"];
    assert_eq!(dup["id"], created["id"]);
    assert_eq!(
        (dup["company"].clone(), dup["status"].clone()),
        (json!("Acme Robotics"), json!("wishlist"))
    );
    // Another user's application is nobody's duplicate here.
    let (other, _) = app.user("other@example.com").await;
    let theirs = capture(&app, &other, json!({"url": url, "html": POSTING})).await;
    assert_eq!(theirs.body["duplicate_of"], Value::Null);
}

#[actix_web::test]
async fn empty_binary_oversized_and_unfetchable_captures_are_refused() {
    let app = spawn_app().await;
    let (token, _) = app.user("bad-capture@example.com").await;
    for (body, field) in [
        (json!({}), "url"),
        (json!({"text": "   "}), "url"),
        (
            json!({"html": "PK\u{0003}\u{0004}\u{0000}\u{0000}"}),
            "html",
        ),
        (json!({"text": ["a"]}), "text"),
        (json!({"url": "javascript:alert(1)"}), "url"),
        (json!({"url": "https://jobs.example.com/1"}), "url"),
        (json!({"html": "<p>x</p>", "cookies": "x"}), "cookies"),
    ] {
        let res = capture(&app, &token, body.clone()).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec![field.to_owned()], "{body}");
    }
    let off = capture(&app, &token, json!({"url": "https://jobs.example.com/1"})).await;
    assert!(off.text.contains("does not fetch"), "{}", off.text);
    let huge = "a".repeat(5 * 1024 * 1024 + 10);
    let res = capture(&app, &token, json!({"text": huge})).await;
    res.assert_problem(413, "too_large");
    let res = app
        .req(Method::POST, "/api/v1/capture")
        .bearer(&token)
        .body("text/html", POSTING)
        .send()
        .await;
    res.assert_problem(415, "unsupported_media_type");
    // A malformed JSON-LD block is skipped; the next valid one is read.
    let page = format!(
        "<script type=\"application/ld+json\">{{\"@type\": \"JobPosting\", \"title\": </script>{}",
        POSTING
    );
    let res = capture(&app, &token, json!({"html": page})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["fields"]["title"], "Backend Engineer");
    let list = app.get(&token, "/api/v1/applications").await;
    assert_eq!(list.body["items"], json!([]));
}

#[actix_web::test]
async fn with_fetching_on_no_forbidden_address_is_ever_reached() {
    let local = site("/job").await;
    let port = local.base.rsplit(':').next().unwrap().to_owned();
    // Off by default: a url alone is refused without any request.
    let default = spawn_app().await;
    let (t, _) = default.user("off@example.com").await;
    let res = capture(&default, &t, json!({"url": format!("{}/job", local.base)})).await;
    res.assert_problem(422, "validation");
    let app = spawn_app_with(&[("capture_fetch", "true")]).await;
    let (token, _) = app.user("ssrf@example.com").await;
    for url in [
        format!("http://127.0.0.1:{port}/job"),
        format!("http://localhost:{port}/job"),
        format!("http://[::1]:{port}/job"),
        format!("http://[::ffff:127.0.0.1]:{port}/job"),
        format!("http://0.0.0.0:{port}/job"),
        format!("http://127.1:{port}/job"),
        format!("http://2130706433:{port}/job"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://[fd00:ec2::254]/latest/meta-data/".to_owned(),
        "http://10.0.0.1/".to_owned(),
        "http://192.168.1.1/".to_owned(),
        "http://172.16.5.4/".to_owned(),
        "http://100.100.100.200/".to_owned(),
        "ftp://127.0.0.1/job".to_owned(),
    ] {
        let res = capture(&app, &token, json!({"url": url})).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec!["url".to_owned()], "{url}");
    }
    assert_eq!(
        local.hits.load(Ordering::SeqCst),
        0,
        "nothing reached the local server"
    );
}

#[actix_web::test]
async fn an_allowed_page_is_fetched_within_its_limits_and_every_redirect_is_checked() {
    let local = site("http://169.254.169.254/latest/meta-data/").await;
    let app = spawn_app_with(&[
        ("capture_fetch", "true"),
        ("capture_fetch_allow", "127.0.0.1/32"),
    ])
    .await;
    let (token, _) = app.user("fetch@example.com").await;
    let res = capture(
        &app,
        &token,
        json!({"url": format!("{}/moved", local.base)}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["fields"]["title"], "Backend Engineer");
    assert_eq!(
        res.body["fields"]["url"],
        format!("{}/job?ref=1", local.base),
        "the page it ended on, without utm_*"
    );
    for (path, says) in [
        ("/away", "169.254.169.254"),
        ("/loop/0", "redirected more than 3"),
        ("/pdf", "not an HTML page"),
        ("/huge", "larger than 2 MiB"),
        ("/slow", "within 5 seconds"),
    ] {
        let res = capture(
            &app,
            &token,
            json!({"url": format!("{}{path}", local.base)}),
        )
        .await;
        res.assert_problem(422, "validation");
        assert!(res.text.contains(says), "{path}: {}", res.text);
    }
    // ::1 is loopback too, and not in the allowed range.
    let port = local.base.rsplit(':').next().unwrap();
    let res = capture(
        &app,
        &token,
        json!({"url": format!("http://[::1]:{port}/job")}),
    )
    .await;
    assert_eq!(res.status, 422, "{}", res.text);
}

#[actix_web::test]
async fn captures_are_limited_per_user_and_hour_even_in_parallel() {
    let app = spawn_app_with(&[("captures_per_hour", "3")]).await;
    let (token, _) = app.user("many@example.com").await;
    let results = futures_util::future::join_all(
        (0..6).map(|_| capture(&app, &token, json!({"html": POSTING}))),
    )
    .await;
    let mut statuses: Vec<u16> = results.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, vec![200, 200, 200, 429, 429, 429]);
    let limited = results.iter().find(|r| r.status == 429).unwrap();
    assert!(limited.header("retry-after").is_some());
}
