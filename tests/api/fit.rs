//! Fit over HTTP: `GET /api/v1/applications/{id}/fit` lists the posting's
//! requirements with the user's own evidence, only for the owner; the
//! application page shows it as a two-column table that says met and
//! missing in words.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{sign_up, spawn_app, TestApp};
use crate::pages::{get, new_application, post};

const POSTING: &str = "Senior Rust Engineer — Nimbus Cloud\n\n\
About us\nNimbus Cloud builds a serverless data platform used by 300 companies.\n\n\
What you'll do\n- Design low-latency Rust services for our query engine\n- Mentor engineers\n\n\
Requirements\n- 5+ years backend, Rust or C++, distributed systems\n- Solid PostgreSQL skills\n\n\
Nice to have\n- Experience with WebAssembly\n\n\
What we offer\n- Salary €95,000–€120,000\n- 30 days of vacation";

const RESUME: &str = "Senior Backend Engineer, Streamline (2020–2026)\n\
- Cut p99 latency from 900 ms to 40 ms by rewriting the ingest path in Rust\n\
- Mentored 4 junior engineers through their first on-call rotations\n\
- Led the migration from MySQL to Postgres with zero downtime";

async fn profile(app: &TestApp, token: &str, body: Value) {
    let res = app
        .req(Method::PUT, "/api/v1/profile")
        .bearer(token)
        .json(&body)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[actix_web::test]
async fn the_fit_lists_each_requirement_with_the_users_own_evidence() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    profile(
        &app,
        &token,
        json!({"resume_text": RESUME, "skills": ["Rust", "Go"], "summary": "I build distributed systems."}),
    )
    .await;
    let made = app
        .application(
            &token,
            json!({"company": "Nimbus Cloud", "title": "Senior Rust Engineer", "job_description": POSTING}),
        )
        .await;
    let id = made["id"].as_str().unwrap();

    let res = app
        .get(&token, &format!("/api/v1/applications/{id}/fit"))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let fit = &res.body;
    let mut keys: Vec<&str> = fit
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "computed_from",
            "met_count",
            "missing",
            "requirements",
            "total"
        ]
    );
    let texts: Vec<&str> = fit["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        vec![
            "Design low-latency Rust services for our query engine",
            "Mentor engineers",
            "5+ years backend",
            "Rust or C++",
            "Distributed systems",
            "Solid PostgreSQL skills",
            "Experience with WebAssembly",
        ],
        "one item per ask; the company's description and the perks are none"
    );
    let rust = &fit["requirements"][3];
    assert_eq!(rust["kind"], "required");
    assert_eq!(rust["met"], true);
    assert_eq!(
        rust["evidence"][0],
        json!({"source": "resume", "text": "Cut p99 latency from 900 ms to 40 ms by rewriting the ingest path in Rust"}),
        "the user's own line comes first"
    );
    assert_eq!(
        fit["requirements"][5]["evidence"][0]["text"],
        "Led the migration from MySQL to Postgres with zero downtime",
        "Postgres is PostgreSQL"
    );
    assert_eq!(fit["requirements"][4]["evidence"][0]["source"], "summary");
    let wasm = &fit["requirements"][6];
    assert_eq!(
        (&wasm["kind"], &wasm["met"], &wasm["evidence"]),
        (&json!("nice_to_have"), &json!(false), &json!([]))
    );
    assert_eq!(fit["missing"], json!(["Experience with WebAssembly"]));
    assert_eq!(fit["total"], 7);
    assert_eq!(fit["met_count"], 6);
    assert_eq!(
        fit["computed_from"],
        json!({"job_description_chars": POSTING.chars().count(), "resume_chars": RESUME.chars().count()})
    );
}

#[actix_web::test]
async fn another_users_application_has_no_fit_for_you() {
    let app = spawn_app().await;
    let (ada, _) = app.user("ada@example.com").await;
    let (bob, _) = app.user("bob@example.com").await;
    let made = app
        .application(
            &ada,
            json!({"company": "Acme", "title": "Engineer", "job_description": POSTING}),
        )
        .await;
    let id = made["id"].as_str().unwrap();
    app.get(&bob, &format!("/api/v1/applications/{id}/fit"))
        .await
        .assert_problem(404, "not_found");
    app.get(
        &ada,
        &format!("/api/v1/applications/{}/fit", uuid::Uuid::now_v7()),
    )
    .await
    .assert_problem(404, "not_found");
    assert_eq!(
        app.get(&ada, &format!("/api/v1/applications/{id}/fit"))
            .await
            .status,
        200
    );
}

#[actix_web::test]
async fn with_no_job_description_or_profile_the_fit_is_empty_and_says_so() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let made = app
        .application(&token, json!({"company": "Acme", "title": "Engineer"}))
        .await;
    let id = made["id"].as_str().unwrap();
    let fit = app
        .get(&token, &format!("/api/v1/applications/{id}/fit"))
        .await
        .body;
    assert_eq!(
        fit,
        json!({"requirements": [], "met_count": 0, "total": 0, "missing": [],
               "computed_from": {"job_description_chars": 0, "resume_chars": 0}})
    );
    // a posting but no profile: every requirement is missing
    let res = app
        .patch(
            &token,
            &format!("/api/v1/applications/{id}"),
            json!({"job_description": "Requirements\n- Rust\n- PostgreSQL"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let fit = app
        .get(&token, &format!("/api/v1/applications/{id}/fit"))
        .await
        .body;
    assert_eq!(fit["missing"], json!(["Rust", "PostgreSQL"]));
    assert_eq!(fit["computed_from"]["resume_chars"], 0);
}

#[actix_web::test]
async fn the_application_page_shows_each_requirement_beside_its_evidence_in_words() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let saved = post(
        &app,
        &b,
        "/settings/profile",
        &[
            ("resume_text", RESUME),
            ("skills", "Rust, Go"),
            ("headline", ""),
            ("summary", ""),
            ("links", ""),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let id = new_application(
        &app,
        &b,
        &[
            ("company", "Nimbus Cloud"),
            ("title", "Senior Rust Engineer"),
            ("status", "wishlist"),
            ("job_description", POSTING),
        ],
    )
    .await;
    let page = get(&app, &b, &format!("/applications/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.html;
    let fit = &html[html.find("id=\"fit\"").expect("a fit section")..];
    let fit = &fit[..fit.find("</section>").unwrap()];
    assert!(fit.contains("5 of 7 requirements met"), "{fit}");
    assert!(
        fit.contains(
            "<th scope=\"col\">The posting asks for</th><th scope=\"col\">Your evidence</th>"
        ),
        "{fit}"
    );
    assert!(
        fit.contains("<span class=\"fit-status\">Met</span> Rust or C++"),
        "{fit}"
    );
    assert!(
        fit.contains("Cut p99 latency from 900 ms to 40 ms by rewriting the ingest path in Rust <span class=\"muted small\">(résumé)</span>"),
        "{fit}"
    );
    assert!(
        fit.contains("<span class=\"fit-status\">Missing</span> Experience with WebAssembly <span class=\"muted small\">(nice to have)</span>"),
        "{fit}"
    );
    assert!(fit.contains("Nothing in your résumé, skills or summary shows this yet."));
    assert!(
        !fit.contains("serverless"),
        "the company's description is no requirement"
    );
    assert!(!fit.contains("vacation"));
}
