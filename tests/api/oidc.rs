//! Sign-in through a real OpenID provider on loopback.

use jobcopilot::config::Settings;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::free_port;
use crate::helpers::{fresh_database, spawn_with_pool, TestApp};
use crate::provider::{browser, walk_to_callback, Person, Provider, CLIENT_ID, CLIENT_SECRET};

async fn app_with_provider() -> (TestApp, Provider) {
    app_with_provider_and(&[]).await
}

async fn app_with_provider_and(extra: &[(&str, &str)]) -> (TestApp, Provider) {
    let port = free_port();
    let provider = Provider::start(&format!("http://127.0.0.1:{port}/auth/oidc/callback"));
    let listen = format!("127.0.0.1:{port}");
    let mut pairs = vec![
        ("listen", listen.as_str()),
        ("oidc_issuer_url", provider.issuer.as_str()),
        ("oidc_client_id", CLIENT_ID),
        ("oidc_client_secret", CLIENT_SECRET),
        ("registration_limit", "0"),
    ];
    pairs.extend_from_slice(extra);
    let settings = Settings::from_pairs(pairs).unwrap();
    let (db, pool) = fresh_database().await;
    (spawn_with_pool(settings, db, pool).await, provider)
}

/// A fresh browser that went through the provider's login as `person`, and
/// the callback URL the provider sent it to.
async fn to_callback(
    app: &TestApp,
    provider: &Provider,
    person: &Person<'_>,
) -> (reqwest::Client, String) {
    let b = browser();
    let cb = walk_to_callback(&b, &app.address, provider, person).await;
    (b, cb)
}

/// Follows the callback; returns its status and the signed-in user (if any).
async fn finish(
    app: &TestApp,
    browser: &reqwest::Client,
    callback: &str,
) -> (StatusCode, Option<serde_json::Value>) {
    let res = browser.get(callback).send().await.unwrap();
    let status = res.status();
    let me = browser
        .get(format!("{}/api/v1/me", app.address))
        .send()
        .await
        .unwrap();
    let user = if me.status() == 200 {
        Some(me.json().await.unwrap())
    } else {
        None
    };
    (status, user)
}

async fn session_count(app: &TestApp) -> i64 {
    let client = app.pool.get().await.unwrap();
    client
        .query_one("SELECT count(*) FROM sessions", &[])
        .await
        .unwrap()
        .get(0)
}

#[actix_web::test]
async fn two_people_get_two_accounts_and_the_same_person_gets_the_same_one_again() {
    let (app, provider) = app_with_provider().await;
    let alice = Person::new("alice", "alice@example.com");
    let b1 = browser();
    let cb = walk_to_callback(&b1, &app.address, &provider, &alice).await;
    let (status, first) = finish(&app, &b1, &cb).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let first = first.expect("alice is signed in");
    assert_eq!(first["email"], "alice@example.com");
    assert_eq!(first["display_name"], "alice");
    assert_eq!(first["auth_methods"], json!(["oidc"]));

    let b2 = browser();
    let cb = walk_to_callback(
        &b2,
        &app.address,
        &provider,
        &Person::new("bob", "bob@example.com"),
    )
    .await;
    let bob = finish(&app, &b2, &cb).await.1.expect("bob is signed in");
    assert_ne!(bob["id"], first["id"]);

    let b3 = browser();
    let cb = walk_to_callback(&b3, &app.address, &provider, &alice).await;
    let again = finish(&app, &b3, &cb).await.1.expect("alice again");
    assert_eq!(again["id"], first["id"]);
    // The landing page is the dashboard.
    let home = b3.get(format!("{}/", app.address)).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("Hello, alice"));
}

#[actix_web::test]
async fn a_forged_state_is_refused_and_leaves_no_session() {
    let (app, provider) = app_with_provider().await;
    let (b, cb) = to_callback(&app, &provider, &Person::new("alice", "alice@example.com")).await;
    let mut url = url::Url::parse(&cb).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                "forged-state-value".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    let res = b.get(url.as_str()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("expired or was already used"));
    assert_eq!(session_count(&app).await, 0);
    assert_eq!(
        b.get(format!("{}/api/v1/me", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

#[actix_web::test]
async fn a_replayed_callback_is_refused() {
    let (app, provider) = app_with_provider().await;
    let (b, cb) = to_callback(&app, &provider, &Person::new("alice", "alice@example.com")).await;
    assert!(finish(&app, &b, &cb).await.1.is_some());
    assert_eq!(session_count(&app).await, 1);
    // The same callback again, from the same browser and from another one.
    for replayer in [&b, &browser()] {
        let res = replayer.get(&cb).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    }
    assert_eq!(session_count(&app).await, 1, "no new session");
}

#[actix_web::test]
async fn a_callback_from_another_browser_is_refused() {
    let (app, provider) = app_with_provider().await;
    let victim = browser();
    let cb = walk_to_callback(
        &victim,
        &app.address,
        &provider,
        &Person::new("mallory", "mallory@example.com"),
    )
    .await;
    // Login CSRF: the attacker's callback URL opened in another browser.
    let other = browser();
    let (status, user) = finish(&app, &other, &cb).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(user.is_none());
    assert_eq!(session_count(&app).await, 0);
}

#[actix_web::test]
async fn a_wrong_nonce_a_foreign_key_and_an_expired_code_are_each_refused() {
    let (app, provider) = app_with_provider().await;
    for (mode, ttl, wait) in [
        ("wrong-nonce", 60, false),
        ("forge-key", 60, false),
        ("normal", 1, true),
    ] {
        provider.set_mode(mode, ttl).await;
        let (b, cb) =
            to_callback(&app, &provider, &Person::new("alice", "alice@example.com")).await;
        if wait {
            // Let the one-second authorization code expire.
            tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        }
        let res = b.get(&cb).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{mode}");
        let page = res.text().await.unwrap();
        assert!(page.contains("Sign-in did not complete"), "{mode}: {page}");
        assert_eq!(session_count(&app).await, 0, "{mode}");
    }
    // And the provider in its normal state still works.
    provider.set_mode("normal", 60).await;
    let (b, cb) = to_callback(&app, &provider, &Person::new("alice", "alice@example.com")).await;
    assert!(finish(&app, &b, &cb).await.1.is_some());
}

#[actix_web::test]
async fn the_provider_rotating_its_signing_key_does_not_break_sign_in() {
    let (app, provider) = app_with_provider().await;
    let (b, cb) = to_callback(&app, &provider, &Person::new("alice", "alice@example.com")).await;
    assert!(
        finish(&app, &b, &cb).await.1.is_some(),
        "keys are now cached"
    );
    let new_kid = provider.rotate_keys().await;
    assert!(new_kid.starts_with("key-"));
    let (b, cb) = to_callback(&app, &provider, &Person::new("alice", "alice@example.com")).await;
    assert!(
        finish(&app, &b, &cb).await.1.is_some(),
        "the new key was fetched"
    );
}

#[actix_web::test]
async fn declining_at_the_provider_ends_on_the_sign_in_page_with_the_reason() {
    let (app, provider) = app_with_provider().await;
    let b = browser();
    let who = Person {
        deny: true,
        ..Person::new("alice", "alice@example.com")
    };
    let cb = walk_to_callback(&b, &app.address, &provider, &who).await;
    assert!(cb.contains("error=access_denied"));
    let res = b.get(&cb).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("you declined to sign in"));
    assert_eq!(session_count(&app).await, 0);
}

#[actix_web::test]
async fn a_verified_email_links_the_local_account_and_revokes_what_it_had() {
    let (app, provider) = app_with_provider().await;
    let (token, local_id) = app.user("alice@example.com").await;
    // Whoever registered the address has a live stream open.
    let stream = app.open_stream(&token).await;
    assert_eq!(stream.status(), 200);
    let reader = tokio::spawn(crate::events::read_events(stream, usize::MAX));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (b, cb) = to_callback(
        &app,
        &provider,
        &Person::new("alice-sub", "ALICE@example.com"),
    )
    .await;
    let me = finish(&app, &b, &cb).await.1.expect("signed in");
    assert_eq!(me["id"], local_id.as_str());
    assert_eq!(me["auth_methods"], json!(["oidc"]));
    // The linking closed it: the new owner's events never reach it.
    let (seen, closed) = reader.await.unwrap();
    assert!(closed, "the old owner's stream was closed");
    assert!(seen.is_empty(), "{seen:?}");
    // Whoever registered the address keeps nothing: token and password are gone.
    app.get(&token, "/api/v1/me")
        .await
        .assert_problem(401, "unauthenticated");
    let res = app
        .req(reqwest::Method::POST, "/api/v1/auth/token")
        .json(&json!({"email": "alice@example.com", "password": "correct horse battery"}))
        .send()
        .await;
    res.assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn an_unverified_email_that_matches_an_account_is_refused() {
    let (app, provider) = app_with_provider().await;
    let (token, _) = app.user("alice@example.com").await;
    let b = browser();
    let who = Person {
        verified: false,
        ..Person::new("impostor", "alice@example.com")
    };
    let cb = walk_to_callback(&b, &app.address, &provider, &who).await;
    let (status, user) = finish(&app, &b, &cb).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(user.is_none());
    assert_eq!(session_count(&app).await, 0);
    assert_eq!(
        app.get(&token, "/api/v1/me").await.status,
        200,
        "the local account is untouched"
    );
}

#[actix_web::test]
async fn sign_out_kills_the_session_on_the_server() {
    let (app, provider) = app_with_provider().await;
    let (b, cb) = to_callback(&app, &provider, &Person::new("alice", "alice@example.com")).await;
    let res = b.get(&cb).send().await.unwrap();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("jc_session="))
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert!(cookie.len() > "jc_session=".len() + 32);
    let page = b
        .get(format!("{}/", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf-token\" content=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let out = b
        .post(format!("{}/auth/logout", app.address))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    // A copy of the old cookie no longer works.
    let copied = reqwest::Client::new()
        .get(format!("{}/api/v1/me", app.address))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(copied.status(), 401);
    assert_eq!(session_count(&app).await, 0);
}

#[actix_web::test]
async fn with_registration_closed_a_first_oidc_sign_in_is_refused_but_known_people_sign_in() {
    let (app, provider) = app_with_provider_and(&[("registration", "closed")]).await;
    let b = browser();
    let cb = walk_to_callback(
        &b,
        &app.address,
        &provider,
        &Person::new("newcomer", "new@example.com"),
    )
    .await;
    let (status, user) = finish(&app, &b, &cb).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(user.is_none());
    assert_eq!(session_count(&app).await, 0);
    let client = app.pool.get().await.unwrap();
    let n: i64 = client
        .query_one("SELECT count(*) FROM users", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "no account was made");
    // An account the operator made links on its verified email and signs in.
    jobcopilot::operators::create(
        &app.pool,
        "known@example.com",
        None,
        jobcopilot::operators::NewPassword::Given("a long enough password".into()),
    )
    .await
    .unwrap();
    let b = browser();
    let known = Person::new("known", "known@example.com");
    let cb = walk_to_callback(&b, &app.address, &provider, &known).await;
    let (status, user) = finish(&app, &b, &cb).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(user.expect("signed in")["email"], "known@example.com");
    // And again, as an OIDC account now.
    let b = browser();
    let cb = walk_to_callback(&b, &app.address, &provider, &known).await;
    assert!(finish(&app, &b, &cb).await.1.is_some());
}

#[actix_web::test]
async fn an_oidc_only_account_may_set_a_first_password_and_then_sign_in_with_it() {
    let (app, provider) = app_with_provider().await;
    let b = browser();
    let cb = walk_to_callback(
        &b,
        &app.address,
        &provider,
        &Person::new("olga", "olga@example.com"),
    )
    .await;
    let (_, user) = finish(&app, &b, &cb).await;
    assert_eq!(user.unwrap()["auth_methods"], json!(["oidc"]));
    let page = b
        .get(format!("{}/settings", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = crate::helpers::meta_csrf(&page);
    let res = b
        .put(format!("{}/api/v1/me/password", app.address))
        .header("x-csrf-token", csrf)
        .json(&json!({"new_password": "olgas first password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let me: serde_json::Value = b
        .get(format!("{}/api/v1/me", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["auth_methods"], json!(["password", "oidc"]));
    let token = app
        .post(
            "",
            "/api/v1/auth/token",
            json!({"email": "olga@example.com", "password": "olgas first password"}),
        )
        .await;
    assert_eq!(token.status, 201);
}
