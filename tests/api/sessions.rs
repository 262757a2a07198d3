//! Browser sessions: local sign-in forms, CSRF, security headers, tokens page.

use reqwest::StatusCode;

use crate::helpers::{
    browser, meta_csrf, sign_in_form, sign_up, spawn_app, spawn_app_with, submit,
};

#[actix_web::test]
async fn registering_through_the_form_signs_in_and_lands_on_the_dashboard() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let home = b.get(format!("{}/", app.address)).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let page = home.text().await.unwrap();
    assert!(page.contains("Hello, Ada"));
    assert_eq!(meta_csrf(&page).len(), 64);
}

#[actix_web::test]
async fn a_refused_form_keeps_the_input_and_shows_the_error_beside_the_field() {
    let app = spawn_app().await;
    let b = browser();
    let res = submit(
        &app,
        &b,
        "/auth/register",
        "/auth/local/register",
        &[
            ("email", "ada@example.com"),
            ("password", "short"),
            ("display_name", "Ada <b>"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.unwrap();
    assert!(page.contains("id=\"password-error\""));
    assert!(page.contains("at least 10 characters"));
    assert!(page.contains("value=\"ada@example.com\""), "email kept");
    assert!(page.contains("Ada &lt;b&gt;"), "input kept, escaped");
}

#[actix_web::test]
async fn an_unsafe_request_by_cookie_without_the_csrf_token_answers_403_csrf() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let url = format!("{}/api/v1/applications", app.address);
    let res = b
        .post(&url)
        .json(&serde_json::json!({"company": "A", "title": "B"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["code"], "csrf");
    let res = b
        .post(&url)
        .header("x-csrf-token", "0".repeat(64))
        .json(&serde_json::json!({"company": "A", "title": "B"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // With the page's token it works; a GET never needs one.
    let page = b
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let res = b
        .post(&url)
        .header("x-csrf-token", meta_csrf(&page))
        .json(&serde_json::json!({"company": "A", "title": "B"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(b.get(&url).send().await.unwrap().status(), 200);
    // A form without its _csrf field is refused the same way.
    let res = b
        .post(format!("{}/auth/logout", app.address))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = browser()
        .post(format!("{}/auth/local/login", app.address))
        .form(&[("email", "a@b.co"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_bearer_request_needs_no_csrf_token() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let res = app
        .post(
            &token,
            "/api/v1/applications",
            serde_json::json!({"company": "A", "title": "B"}),
        )
        .await;
    assert_eq!(res.status, 201);
}

#[actix_web::test]
async fn every_sign_in_gets_a_new_session_id_whatever_cookie_was_planted() {
    let app = spawn_app().await;
    app.user("ada@example.com").await;
    let mut cookies = Vec::new();
    for _ in 0..2 {
        // An attacker planted a session cookie of their choosing.
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let planted = "a".repeat(64);
        jar.add_cookie_str(
            &format!("jc_session={planted}; Path=/"),
            &app.address.parse().unwrap(),
        );
        let b = reqwest::Client::builder()
            .cookie_provider(jar)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let res = sign_in_form(&app, &b, "ada@example.com").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let set = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with("jc_session="))
            .unwrap();
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax"),
            "{set}"
        );
        assert!(!set.contains("Secure"), "plain http in tests");
        assert!(!set.contains(&planted), "a new id, not the planted one");
        cookies.push(set);
    }
    assert_ne!(cookies[0], cookies[1]);
}

#[actix_web::test]
async fn a_wrong_password_on_the_form_keeps_the_email_and_throttles_with_429() {
    let app = spawn_app().await;
    app.user("ada@example.com").await;
    let b = browser();
    let mut last = None;
    for _ in 0..6 {
        let res = submit(
            &app,
            &b,
            "/auth/login",
            "/auth/local/login",
            &[
                ("email", "ada@example.com"),
                ("password", "not the password"),
            ],
        )
        .await;
        last = Some(res);
        if last.as_ref().unwrap().status() == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        let res = last.take().unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let page = res.text().await.unwrap();
        assert!(page.contains("The email or password is wrong."));
        assert!(page.contains("value=\"ada@example.com\""));
    }
    let res = last.expect("throttled");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
}

#[actix_web::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/auth/login", "/api/v1/me", "/healthz", "/nowhere"] {
        let res = reqwest::get(format!("{}{path}", app.address))
            .await
            .unwrap();
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h.contains_key("referrer-policy"));
        assert!(
            !h.contains_key("strict-transport-security"),
            "no HSTS over plain http"
        );
    }
    let https = spawn_app_with(&[("public_url", "https://jobs.example.com")]).await;
    let res = reqwest::get(format!("{}/healthz", https.address))
        .await
        .unwrap();
    assert!(res.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
}

#[actix_web::test]
async fn session_cookies_are_secure_behind_https() {
    let app = spawn_app_with(&[("public_url", "https://jobs.example.com")]).await;
    app.user("ada@example.com").await;
    let b = browser();
    let res = sign_in_form(&app, &b, "ada@example.com").await;
    let set = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("jc_session="))
        .unwrap();
    assert!(set.contains("Secure"), "{set}");
}

#[actix_web::test]
async fn the_sign_in_page_offers_only_what_the_operator_configured() {
    let local_only = spawn_app().await;
    let page = reqwest::get(format!("{}/auth/login", local_only.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("action=\"/auth/local/login\""));
    assert!(!page.contains("/auth/oidc/start"));
    let oidc_only = spawn_app_with(&[
        ("local_accounts", "false"),
        ("oidc_issuer_url", "https://accounts.google.com"),
        ("oidc_client_id", "id"),
        ("oidc_client_secret", "secret"),
    ])
    .await;
    let page = reqwest::get(format!("{}/auth/login", oidc_only.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Sign in with Google"));
    assert!(!page.contains("action=\"/auth/local/login\""));
    assert_eq!(
        reqwest::get(format!("{}/auth/register", oidc_only.address))
            .await
            .unwrap()
            .status(),
        404
    );
}

#[actix_web::test]
async fn pages_send_a_signed_out_visitor_to_sign_in_and_back() {
    let app = spawn_app().await;
    let res = browser()
        .get(format!("{}/settings/tokens", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        "/auth/login?next=%2Fsettings%2Ftokens"
    );
    let page = reqwest::get(format!(
        "{}/auth/login?next=https://evil.example",
        app.address
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(!page.contains("evil.example"), "only same-origin paths");
}

#[actix_web::test]
async fn tokens_are_created_shown_once_listed_and_revoked_in_settings() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let page = b
        .get(format!("{}/settings/tokens", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = meta_csrf(&page);
    let bad = b
        .post(format!("{}/settings/tokens", app.address))
        .form(&[("_csrf", csrf.as_str()), ("name", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("id=\"name-error\""));
    let res = b
        .post(format!("{}/settings/tokens", app.address))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "laptop"),
            ("expires_on", "2099-01-01"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let page = res.text().await.unwrap();
    let secret = page
        .split("<code class=\"secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(secret.starts_with("jcp_"));
    assert_eq!(app.get(&secret, "/api/v1/me").await.status, 200);
    let listing = b
        .get(format!("{}/settings/tokens", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        listing.contains("laptop") && !listing.contains(&secret),
        "listed without its secret"
    );
    let list = app.get(&secret, "/api/v1/tokens").await;
    let id = list.body["items"][0]["id"].as_str().unwrap().to_owned();
    let res = b
        .post(format!("{}/settings/tokens/{id}/revoke", app.address))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.get(&secret, "/api/v1/me")
        .await
        .assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn a_session_ends_when_idle_too_long_or_past_its_absolute_limit() {
    let app = spawn_app().await;
    // A session seen in the last minute is remembered by the server (its
    // sight is recorded once a minute), so the test ages each session in
    // PostgreSQL before its first request, as the days would have.
    for (column, age) in [("last_seen_at", "8 days"), ("expires_at", "-1 second")] {
        let b = sign_up(&app, &format!("ada-{}@example.com", column.len())).await;
        let client = app.pool.get().await.unwrap();
        let sql = if column == "last_seen_at" {
            format!("UPDATE sessions SET last_seen_at = now() - interval '{age}'")
        } else {
            format!("UPDATE sessions SET expires_at = now() + interval '{age}'")
        };
        client.execute(sql.as_str(), &[]).await.unwrap();
        let res = b
            .get(format!("{}/api/v1/me", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{column}");
        // A session not aged works (the 401 was the age's).
        let fresh = sign_up(&app, &format!("bob-{}@example.com", column.len())).await;
        let res = fresh
            .get(format!("{}/api/v1/me", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{column}");
        client.execute("DELETE FROM sessions", &[]).await.unwrap();
    }
}
