//! Your account and your data: password and sessions, deletion, export and
//! import of everything, closed registration.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "correct horse battery";

/// A signed-in browser's CSRF token (from any page).
async fn page_csrf(app: &TestApp, b: &reqwest::Client) -> String {
    let page = b
        .get(format!("{}/settings", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    meta_csrf(&page)
}

/// A browser's own request to the API (cookie + CSRF header).
async fn browser_call(
    app: &TestApp,
    b: &reqwest::Client,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let csrf = page_csrf(app, b).await;
    let mut r = b
        .request(method, format!("{}{}", app.address, path))
        .header("x-csrf-token", csrf)
        .header("user-agent", "TestBrowser/1.0");
    if let Some(body) = body {
        r = r.json(&body);
    }
    let res = r.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn is_signed_in(app: &TestApp, b: &reqwest::Client) -> bool {
    let res = b
        .get(format!("{}/api/v1/me", app.address))
        .send()
        .await
        .unwrap();
    res.status() == StatusCode::OK
}

/// Signs in a second browser of an existing account.
async fn another_browser(app: &TestApp, email: &str) -> reqwest::Client {
    let b = browser();
    let res = sign_in_form(app, &b, email).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    b
}

#[actix_web::test]
async fn changing_the_password_ends_every_other_session_and_keeps_tokens_unless_asked() {
    let app = spawn_app().await;
    let email = "pw@example.com";
    let (token, _) = app.user(email).await;
    let (phone, laptop) = (
        another_browser(&app, email).await,
        another_browser(&app, email).await,
    );
    // Wrong or missing current password, short new one: 422 naming the field, nothing changes.
    for (body, field) in [
        (
            json!({"current_password": "wrong password!", "new_password": "a new long password"}),
            "current_password",
        ),
        (
            json!({"new_password": "a new long password"}),
            "current_password",
        ),
        (
            json!({"current_password": PASSWORD, "new_password": "short"}),
            "new_password",
        ),
    ] {
        let res = app
            .req(Method::PUT, "/api/v1/me/password")
            .bearer(&token)
            .json(&body)
            .send()
            .await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec![field.to_owned()], "{body}");
    }
    assert!(is_signed_in(&app, &phone).await && is_signed_in(&app, &laptop).await);
    // From the laptop: the phone's session ends, the laptop's stays, tokens stay.
    let (status, _) = browser_call(
        &app,
        &laptop,
        Method::PUT,
        "/api/v1/me/password",
        Some(json!({"current_password": PASSWORD, "new_password": "a new long password"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!is_signed_in(&app, &phone).await, "the other session ended");
    assert!(
        is_signed_in(&app, &laptop).await,
        "the current session stays"
    );
    assert_eq!(
        app.get(&token, "/api/v1/me").await.status,
        200,
        "tokens stay"
    );
    // The old password no longer signs in; the new one does.
    let old = app
        .post(
            "",
            "/api/v1/auth/token",
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(old.status, 401);
    let new = app
        .post(
            "",
            "/api/v1/auth/token",
            json!({"email": email, "password": "a new long password"}),
        )
        .await;
    assert_eq!(new.status, 201);
    let second = new.body["token"].as_str().unwrap().to_owned();
    // revoke_tokens: every token goes, the calling one included.
    let res = app
        .req(Method::PUT, "/api/v1/me/password")
        .bearer(&token)
        .json(&json!({"current_password": "a new long password", "new_password": "the third password", "revoke_tokens": true}))
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    assert_eq!(app.get(&token, "/api/v1/me").await.status, 401);
    assert_eq!(app.get(&second, "/api/v1/me").await.status, 401);
    assert!(
        !is_signed_in(&app, &laptop).await,
        "a token-made change ends every session"
    );
}

#[actix_web::test]
async fn a_changed_password_closes_the_other_sessions_live_streams() {
    let app = spawn_app().await;
    let email = "streams@example.com";
    let (token, _) = app.user(email).await;
    let other = another_browser(&app, email).await;
    let stream = other
        .get(format!("{}/api/v1/events", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    let res = app
        .req(Method::PUT, "/api/v1/me/password")
        .bearer(&token)
        .json(&json!({"current_password": PASSWORD, "new_password": "another long password"}))
        .send()
        .await;
    assert_eq!(res.status, 204);
    // The stream ends (its body completes) instead of staying open.
    let body = tokio::time::timeout(Duration::from_secs(20), stream.bytes()).await;
    assert!(body.is_ok(), "the revoked session's stream closed");
}

#[actix_web::test]
async fn sessions_are_listed_with_their_browser_and_can_be_ended() {
    let app = spawn_app().await;
    let email = "sessions@example.com";
    let (token, _) = app.user(email).await;
    let (a, b) = (
        another_browser(&app, email).await,
        another_browser(&app, email).await,
    );
    let (status, list) = browser_call(&app, &a, Method::GET, "/api/v1/sessions", None).await;
    assert_eq!(status, StatusCode::OK);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{list}");
    let current: Vec<&Value> = items.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1, "exactly one is this one: {list}");
    for s in items {
        assert_eq!(s["address"], "127.0.0.1");
        for field in ["id", "created_at", "last_seen_at", "user_agent"] {
            assert!(s.get(field).is_some(), "{field} in {s}");
        }
    }
    let other_id = items.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Another user cannot see or end them.
    let (stranger, _) = app.user("stranger@example.com").await;
    assert_eq!(
        app.get(&stranger, "/api/v1/sessions").await.body["items"],
        json!([])
    );
    let res = app
        .delete(&stranger, &format!("/api/v1/sessions/{other_id}"))
        .await;
    res.assert_problem(404, "not_found");
    assert!(is_signed_in(&app, &b).await);
    // a ends b.
    let (status, _) = browser_call(
        &app,
        &a,
        Method::DELETE,
        &format!("/api/v1/sessions/{other_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!is_signed_in(&app, &b).await, "that session ended at once");
    assert!(is_signed_in(&app, &a).await);
    // Every other session: a third browser ends, a stays.
    let c = another_browser(&app, email).await;
    let (status, _) = browser_call(&app, &a, Method::DELETE, "/api/v1/sessions", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(!is_signed_in(&app, &c).await && is_signed_in(&app, &a).await);
    // With a token there is no current session: every session ends.
    assert_eq!(app.delete(&token, "/api/v1/sessions").await.status, 204);
    assert!(!is_signed_in(&app, &a).await);
}

/// Every table with a `user_id` column, and how many rows it holds for `user`.
async fn rows_of(app: &TestApp, user: &str) -> Vec<(String, i64)> {
    let client = app.pool.get().await.unwrap();
    let tables: Vec<String> = client
        .query(
            "SELECT table_name FROM information_schema.columns \
             WHERE table_schema = 'public' AND column_name = 'user_id' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let id: uuid::Uuid = user.parse().unwrap();
    let mut out = Vec::new();
    for t in tables {
        let n: i64 = client
            .query_one(
                &format!("SELECT count(*) FROM {t} WHERE user_id = $1"),
                &[&id],
            )
            .await
            .unwrap()
            .get(0);
        out.push((t, n));
    }
    let n: i64 = client
        .query_one("SELECT count(*) FROM users WHERE id = $1", &[&id])
        .await
        .unwrap()
        .get(0);
    out.push(("users".into(), n));
    out
}

/// An account with some of everything: applications through the pipeline,
/// notes, an interview, a draft, preferences, a profile, a calendar feed.
async fn rich_account(app: &TestApp, token: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for (i, company) in ["Acme", "Globex", "Initech"].iter().enumerate() {
        let a = app
            .application(
                token,
                json!({"company": company, "title": format!("Engineer {i}"), "url": format!("https://jobs.example.com/{i}"),
                       "tags": ["rust", "remote"], "salary_min": 100000, "salary_max": 120000, "salary_currency": "EUR",
                       "job_description": "Write Rust.\nShip it.", "location": "Berlin", "work_mode": "hybrid"}),
            )
            .await;
        let id = a["id"].as_str().unwrap().to_owned();
        app.walk(token, &id, &["applied", "screening"]).await;
        let n = app
            .post(
                token,
                &format!("/api/v1/applications/{id}/notes"),
                json!({"body": format!("Note on {company}\nsecond line")}),
            )
            .await;
        assert_eq!(n.status, 201);
        ids.push(id);
    }
    let iv = app
        .post(
            token,
            "/api/v1/interviews",
            json!({"application_id": ids[0], "kind": "technical", "scheduled_at": "2026-12-03T09:00:00Z",
                   "duration_minutes": 45, "interviewers": ["Grace"], "notes": "Prepare"}),
        )
        .await;
    assert_eq!(iv.status, 201, "{}", iv.text);
    let g = app
        .post(
            token,
            &format!("/api/v1/applications/{}/generations", ids[0]),
            json!({"kind": "cover_letter", "tone": "warm"}),
        )
        .await;
    assert_eq!(g.status, 202, "{}", g.text);
    let gid = g.body["id"].as_str().unwrap().to_owned();
    for _ in 0..300 {
        let s = app.get(token, &format!("/api/v1/generations/{gid}")).await;
        if s.body["status"] == "succeeded" {
            // the draft keeps the fit it was written from, so the export
            // round trip below carries it too
            assert!(s.body["fit"]["requirements"].is_array(), "{}", s.text);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let p = app
        .req(Method::PUT, "/api/v1/preferences")
        .bearer(token)
        .json(&json!({"target_salary": 110000, "salary_currency": "EUR", "keywords_include": ["rust"]}))
        .send()
        .await;
    assert_eq!(p.status, 200, "{}", p.text);
    let p = app
        .req(Method::PUT, "/api/v1/profile")
        .bearer(token)
        .json(&json!({"headline": "Rustacean", "skills": ["Rust"]}))
        .send()
        .await;
    assert_eq!(p.status, 200, "{}", p.text);
    ids
}

#[actix_web::test]
async fn deleting_the_account_needs_its_email_and_password_and_leaves_no_row_behind() {
    let app = spawn_app().await;
    let email = "leaving@example.com";
    let (token, user) = app.user(email).await;
    let (other, other_id) = app.user("staying@example.com").await;
    rich_account(&app, &token).await;
    rich_account(&app, &other).await;
    let b = another_browser(&app, email).await;
    let cal = app.post(&token, "/api/v1/calendar-feed", json!({})).await;
    assert!(cal.status == 201 || cal.status == 200, "{}", cal.text);
    let before = rows_of(&app, &user).await;
    assert!(
        before.iter().filter(|(_, n)| *n > 0).count() >= 8,
        "{before:?}"
    );
    for (body, field) in [
        (
            json!({"confirm": "someone@example.com", "password": PASSWORD}),
            "confirm",
        ),
        (json!({"confirm": email}), "password"),
        (
            json!({"confirm": email, "password": "wrong password!"}),
            "password",
        ),
        (json!({"password": PASSWORD}), "confirm"),
    ] {
        let res = app
            .req(Method::DELETE, "/api/v1/me")
            .bearer(&token)
            .json(&body)
            .send()
            .await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec![field.to_owned()], "{body}");
    }
    assert_eq!(rows_of(&app, &user).await, before, "nothing was deleted");
    let res = app
        .req(Method::DELETE, "/api/v1/me")
        .bearer(&token)
        .json(&json!({"confirm": "LEAVING@example.com", "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    let after = rows_of(&app, &user).await;
    assert!(
        after.iter().all(|(_, n)| *n == 0),
        "rows left behind: {after:?}"
    );
    assert_eq!(app.get(&token, "/api/v1/me").await.status, 401);
    assert!(!is_signed_in(&app, &b).await);
    let signin = app
        .post(
            "",
            "/api/v1/auth/token",
            json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(signin.status, 401);
    // The other account is untouched, and the email can be registered again.
    assert_eq!(
        app.get(&other, "/api/v1/applications").await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(rows_of(&app, &other_id)
        .await
        .iter()
        .all(|(t, n)| *n > 0 || t != "job_applications"));
    app.user(email).await;
}

/// An export with ids, times of export and the user taken out, and the
/// applications in a stable order: what must survive a round trip.
fn comparable(export: &Value) -> Value {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(k, _)| {
                        ![
                            "id",
                            "application_id",
                            "interview_id",
                            "possible_duplicate_of",
                        ]
                        .contains(&k.as_str())
                    })
                    .map(|(k, v)| (k.clone(), strip(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    let mut apps: Vec<Value> = export["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(strip)
        .collect();
    apps.sort_by_key(|a| a["company"].as_str().unwrap_or("").to_owned());
    json!({"preferences": export["preferences"], "profile": strip(&export["profile"]), "applications": apps})
}

/// Where two JSON values first differ (a path), if they do.
fn difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                difference(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &format!("{path}.{k}"),
                )
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| difference(p, q, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{path}: {a} vs {b}")),
    }
}

fn assert_same(a: &Value, b: &Value) {
    if let Some(d) = difference(&comparable(a), &comparable(b), "") {
        panic!("the data differ at {d}");
    }
}

async fn export_of(app: &TestApp, token: &str) -> (Value, reqwest::header::HeaderMap) {
    let res = app
        .http
        .get(format!("{}/api/v1/export", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    (
        serde_json::from_str(&text).expect("the export is one JSON document"),
        headers,
    )
}

async fn import(app: &TestApp, token: &str, body: Vec<u8>) -> Res {
    app.req(Method::POST, "/api/v1/import/export")
        .bearer(token)
        .body("application/json", body)
        .send()
        .await
}

#[actix_web::test]
async fn an_export_imports_into_another_account_as_the_same_data_with_new_ids_once() {
    let app = spawn_app().await;
    let (token, user) = app.user("source@example.com").await;
    rich_account(&app, &token).await;
    let (export, headers) = export_of(&app, &token).await;
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("jobcopilot-export-"));
    assert_eq!(export["format"], "jobcopilot-export");
    assert_eq!(export["version"], 1);
    assert_eq!(export["user"]["id"], user.as_str());
    assert_eq!(export["applications"].as_array().unwrap().len(), 3);
    let first = &export["applications"][0];
    for list in ["notes", "history"] {
        assert!(!first[list].as_array().unwrap().is_empty(), "{list}");
    }
    assert_eq!(
        export["applications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["interviews"].as_array().unwrap().len())
            .sum::<usize>(),
        1
    );
    assert_eq!(first["job_description"], "Write Rust.\nShip it.");
    let text = export.to_string();
    assert!(!text.contains("jcp_"), "no token secret in an export");
    assert!(
        export["tokens"][0]["name"].is_string(),
        "token metadata is there"
    );

    // Into another account: the same data with new ids and the original dates.
    let (other, _) = app.user("target@example.com").await;
    let res = import(&app, &other, text.clone().into_bytes()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["applications"], 3);
    assert_eq!(res.body["notes"], 3);
    assert_eq!(res.body["interviews"], 1);
    assert_eq!(res.body["history"], 9);
    let (copy, _) = export_of(&app, &other).await;
    assert_same(&copy, &export);
    let old_ids: Vec<&Value> = export["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["id"])
        .collect();
    for a in copy["applications"].as_array().unwrap() {
        assert!(!old_ids.contains(&&a["id"]), "new ids");
    }
    // The imported applications are the account's own: listed, scored, on the dashboard.
    let list = app
        .get(&other, "/api/v1/applications?status=screening")
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 3);
    let dash = app.get(&other, "/api/v1/dashboard").await;
    assert_eq!(dash.status, 200);
    assert!(dash.text.contains("screening"), "{}", dash.text);

    // Twice: nothing is created twice.
    let again = import(&app, &other, text.clone().into_bytes()).await;
    assert_eq!(again.status, 201, "{}", again.text);
    assert_eq!(again.body["applications"], 0);
    assert_eq!(again.body["notes"], 0);
    assert_eq!(again.body["skipped"], 3);
    let (still, _) = export_of(&app, &other).await;
    assert_eq!(still["applications"].as_array().unwrap().len(), 3);
    // Into the account it came from: everything is already there.
    let home = import(&app, &token, text.into_bytes()).await;
    assert_eq!(home.body["applications"], 0, "{}", home.text);
    // On another instance (a fresh database), too.
    let elsewhere = spawn_app().await;
    let (t2, _) = elsewhere.user("elsewhere@example.com").await;
    let res = import(&elsewhere, &t2, export.to_string().into_bytes()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let (there, _) = export_of(&elsewhere, &t2).await;
    assert_same(&there, &export);
}

#[actix_web::test]
async fn what_is_not_an_export_is_refused_and_imports_nothing() {
    let app = spawn_app().await;
    let (source, _) = app.user("s@example.com").await;
    rich_account(&app, &source).await;
    let (export, _) = export_of(&app, &source).await;
    let (token, _) = app.user("t@example.com").await;
    let mut broken_record = export.clone();
    broken_record["applications"][2]["notes"][0]["body"] = json!("");
    let mut control = export.clone();
    control["applications"][1]["company"] = json!("Evil\u{0007}Corp");
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (b"{not json".to_vec(), 400, "body"),
        (b"".to_vec(), 400, "body"),
        (br#"{"applications": []}"#.to_vec(), 422, "format"),
        (
            br#"{"format": "huntr-export", "version": 1, "applications": []}"#.to_vec(),
            422,
            "format",
        ),
        (
            br#"{"format": "jobcopilot-export", "version": 9, "applications": []}"#.to_vec(),
            422,
            "format",
        ),
        (b"[1,2,3]".to_vec(), 422, "format"),
        (
            broken_record.to_string().into_bytes(),
            422,
            "applications[2].notes[0].body",
        ),
        (
            control.to_string().into_bytes(),
            422,
            "applications[1].company",
        ),
        (vec![0xff, 0xfe, 0x00, 0x7b], 400, "body"),
    ];
    for (body, status, field) in cases {
        let shown = String::from_utf8_lossy(&body)
            .chars()
            .take(60)
            .collect::<String>();
        let res = import(&app, &token, body).await;
        assert_eq!(res.status, status, "{shown}: {}", res.text);
        assert!(
            res.error_fields().contains(&field.to_owned()),
            "{shown}: {}",
            res.text
        );
        let list = app.get(&token, "/api/v1/applications").await;
        assert_eq!(list.body["items"], json!([]), "{shown}: nothing imported");
    }
}

#[actix_web::test]
async fn imports_are_limited_per_user_and_hour_even_in_parallel() {
    let app = spawn_app_with(&[("imports_per_hour", "3")]).await;
    let (token, _) = app.user("busy@example.com").await;
    let (export, _) = export_of(&app, &token).await;
    let body = export.to_string();
    let results = futures_util::future::join_all(
        (0..8).map(|_| import(&app, &token, body.clone().into_bytes())),
    )
    .await;
    let ok = results.iter().filter(|r| r.status == 201).count();
    let limited: Vec<&Res> = results.iter().filter(|r| r.status == 429).collect();
    assert_eq!(
        (ok, limited.len()),
        (3, 5),
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(limited[0].header("retry-after").is_some());
    // Another user has their own allowance.
    let (other, _) = app.user("calm@example.com").await;
    assert_eq!(import(&app, &other, body.into_bytes()).await.status, 201);
}

#[actix_web::test]
async fn with_registration_closed_nobody_signs_up_but_accounts_sign_in() {
    let app = spawn_app_with(&[("registration", "closed")]).await;
    let res = app
        .req(Method::POST, "/api/v1/auth/register")
        .json(&json!({"email": "new@example.com", "password": PASSWORD}))
        .send()
        .await;
    res.assert_problem(403, "registration_closed");
    // The form: the sign-in page offers no sign-up, the register page and its POST refuse.
    let b = browser();
    let login = b
        .get(format!("{}/auth/login", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!login.contains("Create an account"), "{login}");
    let res = submit(
        &app,
        &b,
        "/auth/login",
        "/auth/local/register",
        &[("email", "new@example.com"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.unwrap();
    assert!(page.contains("Registration is closed"), "{page}");
    let register = b
        .get(format!("{}/auth/register", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(register.status(), StatusCode::FORBIDDEN);
    assert!(!register.text().await.unwrap().contains("name=\"password\""));
    let client = app.pool.get().await.unwrap();
    let n: i64 = client
        .query_one("SELECT count(*) FROM users", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "no account was made");
    // An account an operator made signs in as before.
    jobcopilot::operators::create(
        &app.pool,
        "made@example.com",
        None,
        jobcopilot::operators::NewPassword::Given(PASSWORD.into()),
    )
    .await
    .unwrap();
    let b = browser();
    let res = sign_in_form(&app, &b, "made@example.com").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(is_signed_in(&app, &b).await);
}
