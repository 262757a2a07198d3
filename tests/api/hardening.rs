//! The defects a new user, a browser and a reviewer found (issue #12), each
//! tried as they found it: over HTTP, with parallel requests where a limit is
//! concerned.

use std::io::Read;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::events::read_events;
use crate::helpers::sign_up;
use crate::helpers::{fresh_database, spawn_app, spawn_app_with, spawn_with_pool_unready, TestApp};

const PASSWORD: &str = "correct horse battery";

/// Signs in with a password from `address` (the app trusts 127.0.0.1 as a proxy).
async fn sign_in_from(app: &TestApp, email: &str, password: &str, address: &str) -> u16 {
    app.req(Method::POST, "/api/v1/auth/token")
        .header("x-forwarded-for", address)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .status
        .as_u16()
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

// 1. Friendly error pages reach the browser: compressed bodies match their header.
#[actix_web::test]
async fn error_pages_are_compressed_as_their_headers_say() {
    let app = spawn_app().await;
    let res = app
        .http
        .get(format!("{}/no/such/page", app.address))
        .header("accept", "text/html")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let encoding = res
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_owned());
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let bytes = res.bytes().await.unwrap();
    let html = match encoding.as_deref() {
        Some("gzip") => {
            let mut out = String::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut out)
                .expect("the body is the gzip its header promises");
            out
        }
        None | Some("identity") => String::from_utf8(bytes.to_vec()).unwrap(),
        Some(other) => panic!("unexpected encoding {other}"),
    };
    assert!(html.contains("Page not found"), "{html}");
    // The API's problems too.
    let res = app
        .http
        .get(format!("{}/api/v1/applications", app.address))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let gz = res.headers().get("content-encoding").is_some();
    let bytes = res.bytes().await.unwrap();
    let text = if gz {
        let mut out = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut out)
            .unwrap();
        out
    } else {
        String::from_utf8(bytes.to_vec()).unwrap()
    };
    assert!(text.contains("unauthenticated"), "{text}");
}

// 3. NUL and control characters are refused (422 naming the field), line
// breaks only where text may have several lines; nothing is stored.
#[actix_web::test]
async fn control_characters_and_line_breaks_are_refused_by_field() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    for (field, value) in [
        ("company", "a\u{0}b"),
        ("title", "Dev\u{1b}[31m"),
        ("company", "Acme\r\nX-Injected: 1"),
        ("url", "https://a.example/\r\nATTACH:https://evil.example"),
        ("location", "Berlin\nParis"),
        ("source", "Link\u{7}edIn"),
    ] {
        let mut body = json!({"company": "Acme", "title": "Dev"});
        body[field] = json!(value);
        let res = app.post(&token, "/api/v1/applications", body).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), vec![field], "{value:?}");
    }
    let res = app
        .post(
            &token,
            "/api/v1/applications",
            json!({"company": "Acme", "title": "Dev", "tags": ["ok", "bad\u{0}"]}),
        )
        .await;
    assert_eq!(res.error_fields(), vec!["tags"]);
    let list = app.get(&token, "/api/v1/applications").await;
    assert_eq!(list.body["items"], json!([]), "nothing was stored");

    // Multi-line fields keep their line breaks (and a tab), but never NUL.
    let created = app
        .post(
            &token,
            "/api/v1/applications",
            json!({"company": "Acme", "title": "Dev", "job_description": "Line one\r\nLine\ttwo"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.id();
    let res = app
        .patch(
            &token,
            &format!("/api/v1/applications/{id}"),
            json!({"job_description": "a\u{0}b"}),
        )
        .await;
    assert_eq!(res.error_fields(), vec!["job_description"]);
    let res = app
        .post(
            &token,
            &format!("/api/v1/applications/{id}/notes"),
            json!({"body": "first\nsecond"}),
        )
        .await;
    assert_eq!(res.status, 201);
    let res = app
        .post(
            &token,
            &format!("/api/v1/applications/{id}/notes"),
            json!({"body": "x\u{0}"}),
        )
        .await;
    assert_eq!(res.error_fields(), vec!["body"]);
    let res = app
        .post(
            &token,
            "/api/v1/interviews",
            json!({"application_id": id, "scheduled_at": "2030-01-01T10:00:00Z",
                   "meeting_url": "https://meet.example/x\r\nATTACH:x"}),
        )
        .await;
    assert_eq!(res.error_fields(), vec!["meeting_url"]);
    let one = app.get(&token, &format!("/api/v1/applications/{id}")).await;
    assert_eq!(one.body["job_description"], "Line one\r\nLine\ttwo");
    assert_eq!(one.body["version"], 1, "the refused patch changed nothing");

    // Query parameters: a NUL in a search is a 400, never a 500.
    for q in ["q=a%00b", "tag=x%00", "q=%0d%0a"] {
        let res = app.get(&token, &format!("/api/v1/applications?{q}")).await;
        res.assert_problem(400, "bad_request");
    }
}

// 4. Sign-in throttling: counted before hashing, per (account, address).
#[actix_web::test]
async fn parallel_wrong_passwords_are_held_to_the_limit_and_do_not_lock_the_owner_out() {
    let app = spawn_app_with(&[("trusted_proxies", "127.0.0.1")]).await;
    app.user("owner@example.com").await;
    let guesses = (0..60).map(|i| {
        let app = &app;
        async move {
            sign_in_from(
                app,
                "owner@example.com",
                &format!("guess number {i}"),
                "203.0.113.9",
            )
            .await
        }
    });
    let statuses: Vec<u16> = join_all(guesses).await;
    assert_eq!(count(&statuses, 401), 5, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 55, "{statuses:?}");
    // The guesser stays locked out, even with the right password…
    assert_eq!(
        sign_in_from(&app, "owner@example.com", PASSWORD, "203.0.113.9").await,
        429
    );
    // …while the owner, elsewhere, signs in.
    assert_eq!(
        sign_in_from(&app, "owner@example.com", PASSWORD, "198.51.100.7").await,
        201
    );
    let res = app
        .req(Method::POST, "/api/v1/auth/token")
        .header("x-forwarded-for", "203.0.113.9")
        .json(&json!({"email": "owner@example.com", "password": "wrong wrong"}))
        .send()
        .await;
    res.assert_problem(429, "rate_limited");
    assert!(res.header("retry-after").unwrap().parse::<u64>().unwrap() > 0);
}

#[actix_web::test]
async fn one_address_may_try_twenty_times_a_minute_across_accounts() {
    let app = spawn_app_with(&[("trusted_proxies", "127.0.0.1")]).await;
    let tries = (0..30).map(|i| {
        let app = &app;
        async move {
            sign_in_from(
                app,
                &format!("nobody{i}@example.com"),
                "whatever it is",
                "192.0.2.1",
            )
            .await
        }
    });
    let statuses: Vec<u16> = join_all(tries).await;
    assert_eq!(count(&statuses, 401), 20, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 10, "{statuses:?}");
}

#[actix_web::test]
async fn an_account_takes_at_most_a_hundred_failures_an_hour_from_everywhere() {
    let app = spawn_app_with(&[("trusted_proxies", "127.0.0.1")]).await;
    app.user("owner@example.com").await;
    let mut statuses = Vec::new();
    for round in 0..3 {
        // 4 failures from each of many addresses: never the pair's limit.
        let tries = (0..40).map(|i| {
            let app = &app;
            let address = format!("10.{round}.{}.1", i / 4);
            async move { sign_in_from(app, "owner@example.com", "not the password", &address).await }
        });
        statuses.extend(join_all(tries).await);
    }
    assert_eq!(count(&statuses, 401), 100, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 20, "{statuses:?}");
}

#[actix_web::test]
async fn a_password_hashed_with_old_parameters_is_rehashed_at_sign_in() {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let app = spawn_app().await;
    let (_, user_id) = app.user("ada@example.com").await;
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(8192, 1, 1, None).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
    .unwrap()
    .to_string();
    let db = app.pool.get().await.unwrap();
    let id: uuid::Uuid = user_id.parse().unwrap();
    db.execute(
        "UPDATE users SET password_hash = $2 WHERE id = $1",
        &[&id, &weak],
    )
    .await
    .unwrap();
    assert_eq!(
        sign_in_from(&app, "ada@example.com", PASSWORD, "x").await,
        201
    );
    let now: String = db
        .query_one("SELECT password_hash FROM users WHERE id = $1", &[&id])
        .await
        .unwrap()
        .get(0);
    assert_ne!(now, weak);
    assert!(now.contains("m=19456,t=2,p=1"), "{now}");
    assert_eq!(
        sign_in_from(&app, "ada@example.com", PASSWORD, "x").await,
        201
    );
}

// 5. Registration is limited per client address per hour.
#[actix_web::test]
async fn registrations_are_limited_per_address_even_in_parallel() {
    let app = spawn_app_with(&[
        ("trusted_proxies", "127.0.0.1"),
        ("registration_limit", "3"),
    ])
    .await;
    let tries = (0..8).map(|i| {
        let app = &app;
        async move {
            app.req(Method::POST, "/api/v1/auth/register")
                .header("x-forwarded-for", "198.51.100.20")
                .json(&json!({"email": format!("p{i}@example.com"), "password": PASSWORD}))
                .send()
                .await
        }
    });
    let answers = join_all(tries).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(count(&statuses, 201), 3, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 5, "{statuses:?}");
    let refused = answers.iter().find(|r| r.status == 429).unwrap();
    refused.assert_problem(429, "rate_limited");
    assert!(refused.header("retry-after").is_some());
    let users: i64 = app
        .pool
        .get()
        .await
        .unwrap()
        .query_one("SELECT count(*) FROM users", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(users, 3);
    // A sign-up that created no account (a taken email) does not use up the
    // limit: it counts accounts, not tries.
    let other = |email: &str| {
        app.req(Method::POST, "/api/v1/auth/register")
            .header("x-forwarded-for", "198.51.100.22")
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
    };
    let taken = app
        .req(Method::POST, "/api/v1/auth/register")
        .header("x-forwarded-for", "198.51.100.24")
        .json(&json!({"email": "taken@example.com", "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(taken.status, 201, "{}", taken.text);
    for _ in 0..3 {
        assert_eq!(other("taken@example.com").await.status, 409);
    }
    for i in 0..3 {
        let res = other(&format!("q{i}@example.com")).await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    other("q9@example.com")
        .await
        .assert_problem(429, "rate_limited");
    // Another address may still register.
    let res = app
        .req(Method::POST, "/api/v1/auth/register")
        .header("x-forwarded-for", "198.51.100.23")
        .json(&json!({"email": "other@example.com", "password": PASSWORD}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
}

// 7. Live streams: a cap per user; a stream ends when its credential expires.
#[actix_web::test]
async fn live_streams_are_capped_per_user_even_when_opened_together() {
    let app = spawn_app_with(&[("max_streams_per_user", "2")]).await;
    let (token, _) = app.user("ada@example.com").await;
    let open = || app.open_stream(&token);
    let answers: Vec<reqwest::Response> = join_all((0..5).map(|_| open())).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(count(&statuses, 200), 2, "{statuses:?}");
    assert_eq!(count(&statuses, 429), 3, "{statuses:?}");
    let refused = answers.iter().find(|r| r.status() == 429).unwrap();
    assert!(refused.headers().contains_key("retry-after"));
    // Another user is not affected.
    let (other, _) = app.user("bob@example.com").await;
    let theirs = app.open_stream(&other).await;
    assert_eq!(theirs.status(), 200);
    // Closing one stream frees its place.
    drop(answers);
    let mut status = 0;
    for _ in 0..300 {
        let res = open().await;
        status = res.status().as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn a_stream_ends_when_its_token_expires() {
    let app = spawn_app().await;
    let (main, _) = app.user("ada@example.com").await;
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::seconds(2))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let made = app
        .post(
            &main,
            "/api/v1/tokens",
            json!({"name": "short", "expires_at": soon}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let res = app.open_stream(made.body["token"].as_str().unwrap()).await;
    assert_eq!(res.status(), 200);
    let (_, closed) = read_events(res, usize::MAX).await;
    assert!(closed, "the stream ended when its token expired");
}

// 8. A token made with an expiring token expires no later than it.
#[actix_web::test]
async fn a_token_made_with_an_expiring_token_expires_no_later_than_it() {
    let app = spawn_app().await;
    let (main, _) = app.user("ada@example.com").await;
    let rfc = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    let now = time::OffsetDateTime::now_utc();
    let parent_expiry = rfc(now + time::Duration::hours(1));
    let parent = app
        .post(
            &main,
            "/api/v1/tokens",
            json!({"name": "parent", "expires_at": parent_expiry}),
        )
        .await;
    let parent_token = parent.body["token"].as_str().unwrap().to_owned();
    let parent_expires = parent.body["expires_at"].as_str().unwrap().to_owned();
    let child = app
        .post(&parent_token, "/api/v1/tokens", json!({"name": "child"}))
        .await;
    assert_eq!(child.status, 201, "{}", child.text);
    assert_eq!(child.body["expires_at"], parent_expires.as_str());
    let later = app
        .post(
            &parent_token,
            "/api/v1/tokens",
            json!({"name": "later", "expires_at": rfc(now + time::Duration::days(30))}),
        )
        .await;
    assert_eq!(later.body["expires_at"], parent_expires.as_str());
    let sooner_at = now + time::Duration::minutes(10);
    let sooner = app
        .post(
            &parent_token,
            "/api/v1/tokens",
            json!({"name": "sooner", "expires_at": rfc(sooner_at)}),
        )
        .await;
    assert_ne!(sooner.body["expires_at"], parent_expires.as_str());
    // A token without expiry makes tokens without expiry.
    let free = app
        .post(&main, "/api/v1/tokens", json!({"name": "free"}))
        .await;
    assert_eq!(free.body["expires_at"], Value::Null);
}

// 9. Answers that carry a secret are never stored by a cache.
#[actix_web::test]
async fn answers_carrying_secrets_are_not_stored() {
    let app = spawn_app().await;
    let reg = app
        .req(Method::POST, "/api/v1/auth/register")
        .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await;
    let token = reg.body["token"].as_str().unwrap().to_owned();
    let signed = app
        .req(Method::POST, "/api/v1/auth/token")
        .json(&json!({"email": "ada@example.com", "password": PASSWORD}))
        .send()
        .await;
    let made = app
        .post(&token, "/api/v1/tokens", json!({"name": "x"}))
        .await;
    let feed = app.post(&token, "/api/v1/calendar-feed", json!({})).await;
    let feed_again = app.get(&token, "/api/v1/calendar-feed").await;
    for (what, res) in [
        ("register", &reg),
        ("sign-in", &signed),
        ("new token", &made),
        ("new feed", &feed),
        ("feed", &feed_again),
    ] {
        assert!(res.status.is_success(), "{what}: {}", res.text);
        assert_eq!(res.header("cache-control"), Some("no-store"), "{what}");
    }
    let b = sign_up(&app, "bob@example.com").await;
    for path in ["/settings/tokens", "/settings", "/"] {
        let res = b
            .get(format!("{}{path}", app.address))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
}

// 10. Until migrations are done every route but /healthz answers 503.
#[actix_web::test]
async fn every_route_answers_503_until_migrations_are_done() {
    let (db_name, pool) = fresh_database().await;
    // Hold the migration lock, as another replica migrating would.
    let holder = pool.get().await.unwrap();
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&0x6a6f_6263_6f70_i64])
        .await
        .unwrap();
    let settings = jobcopilot::config::Settings::from_pairs([
        ("listen", "127.0.0.1:0"),
        ("scheduler_tick_seconds", "0"),
    ])
    .unwrap();
    let app = spawn_with_pool_unready(settings, db_name, pool.clone()).await;
    let health = app.req(Method::GET, "/healthz").send().await;
    assert_eq!(health.status, 200);
    for path in [
        "/auth/login",
        "/auth/register",
        "/",
        "/api/v1/me",
        "/api/v1/openapi.json",
        "/calendar/whatever.ics",
        "/readyz",
    ] {
        let res = app.req(Method::GET, path).send().await;
        assert_eq!(res.status, 503, "{path}: {}", res.text);
        assert!(res.header("retry-after").is_some(), "{path}");
        assert!(!res.text.contains("relation"), "{path}: {}", res.text);
    }
    let form = app
        .req(Method::POST, "/auth/local/login")
        .body(
            "application/x-www-form-urlencoded",
            "email=a%40b.co&password=x",
        )
        .send()
        .await;
    assert_eq!(form.status, 503);
    holder
        .execute("SELECT pg_advisory_unlock($1)", &[&0x6a6f_6263_6f70_i64])
        .await
        .unwrap();
    let mut status = 0;
    for _ in 0..200 {
        status = app
            .req(Method::GET, "/auth/login")
            .send()
            .await
            .status
            .as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(status, 200);
}

// 10. PostgreSQL away: 503 with Retry-After at once; back: serving again
// without a restart, and nothing acknowledged is lost.
#[actix_web::test]
async fn a_postgres_outage_answers_503_and_serving_resumes_when_it_returns() {
    use jobcopilot::store::embedded::{EmbeddedOptions, EmbeddedPostgres};
    let dir = tempfile::Builder::new()
        .prefix("jc-outage-")
        .tempdir_in("/tmp")
        .unwrap();
    let options = || EmbeddedOptions {
        cluster_dir: dir.path().join("pg"),
        durable: true,
        server_settings: Vec::new(),
    };
    let mut pg = EmbeddedPostgres::start(options()).await.unwrap();
    {
        let (admin, conn) = pg
            .config("postgres")
            .connect(tokio_postgres::NoTls)
            .await
            .unwrap();
        actix_web::rt::spawn(conn);
        admin.batch_execute("CREATE DATABASE jc").await.unwrap();
        // A durable cluster of our own checkpoints by time, with its WAL's
        // full pages compressed (a burst of writes on a large database
        // otherwise checkpoints every few seconds).
        let show = |name: &'static str| {
            let admin = &admin;
            async move {
                let row = admin.query_one(&format!("SHOW {name}"), &[]).await.unwrap();
                row.get::<_, String>(0)
            }
        };
        assert_eq!(show("checkpoint_timeout").await, "15min");
        assert_eq!(show("max_wal_size").await, "8GB");
        let compression = show("wal_compression").await;
        assert!(
            ["lz4", "on"].contains(&compression.as_str()),
            "{compression}"
        );
    }
    let pool = jobcopilot::store::pool(pg.config("jc"), 4).unwrap();
    let settings = jobcopilot::config::Settings::from_pairs([
        ("listen", "127.0.0.1:0"),
        ("scheduler_tick_seconds", "0"),
    ])
    .unwrap();
    let (unused_db, _) = fresh_database().await;
    let app = spawn_with_pool_unready(settings, unused_db, pool).await;
    let mut ready = false;
    for _ in 0..300 {
        if app.req(Method::GET, "/readyz").send().await.status == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready);
    let (token, _) = app.user("ada@example.com").await;
    let saved = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let one = format!("/api/v1/applications/{}", saved["id"].as_str().unwrap());
    // Read once, so the connection that single statements share is held
    // when PostgreSQL goes.
    assert_eq!(app.get(&token, &one).await.status, 200);

    tokio::task::spawn_blocking(move || {
        pg.stop();
        pg
    })
    .await
    .map(drop)
    .unwrap();
    let started = std::time::Instant::now();
    let res = app
        .post(
            &token,
            "/api/v1/applications",
            json!({"company": "Initech", "title": "Dev"}),
        )
        .await;
    assert!(started.elapsed() < Duration::from_secs(30), "no hang");
    res.assert_problem(503, "unavailable");
    assert!(res.header("retry-after").is_some());
    let page = app
        .req(Method::GET, "/auth/login")
        .header("accept", "text/html")
        .send()
        .await;
    assert_eq!(page.status, 200, "the sign-in page needs no database");
    let list = app
        .req(Method::GET, "/api/v1/applications?q=acme")
        .bearer(&token)
        .send()
        .await;
    assert_eq!(list.status, 503, "{}", list.text);
    app.get(&token, &one)
        .await
        .assert_problem(503, "unavailable");

    let _pg = EmbeddedPostgres::start(options()).await.unwrap();
    let mut back = None;
    for _ in 0..200 {
        let res = app.get(&token, "/api/v1/applications?q=acme").await;
        if res.status == 200 {
            back = Some(res);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let back = back.expect("serving resumed without a restart");
    assert_eq!(back.body["items"][0]["id"], saved["id"]);
    // The shared connection PostgreSQL closed is replaced.
    let again = app.get(&token, &one).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["company"], "Acme");
    let created = app
        .post(
            &token,
            "/api/v1/applications",
            json!({"company": "Initech", "title": "Dev"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
}

// 11. A crafted cursor is a 400, never a database error; pages never show one.
#[actix_web::test]
async fn a_crafted_cursor_is_refused_and_never_reaches_the_database() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    for i in 0..3 {
        app.application(&token, json!({"company": format!("C{i}"), "title": "Dev"}))
            .await;
    }
    for sort in ["-updated_at", "applied_on", "company", "-priority_score"] {
        let first = app
            .get(&token, &format!("/api/v1/applications?limit=1&sort={sort}"))
            .await;
        let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
        let mut data: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&cursor).unwrap()).unwrap();
        for bad in [
            json!("not a value"),
            json!("1'; SELECT pg_sleep(10); --"),
            json!("a\u{0}b"),
        ] {
            data["v"] = bad;
            let crafted = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&data).unwrap());
            let res = app
                .get(
                    &token,
                    &format!("/api/v1/applications?limit=1&sort={sort}&cursor={crafted}"),
                )
                .await;
            if sort == "company" && data["v"] != json!("a\u{0}b") {
                // A text sort value is any text: a valid (if odd) position.
                assert_eq!(res.status, 200, "{}", res.text);
                continue;
            }
            res.assert_problem(400, "bad_request");
            assert_eq!(res.error_fields(), vec!["cursor"], "{sort}");
        }
    }
    // The page explains and starts over; it never prints database text.
    let b = sign_up(&app, "bob@example.com").await;
    let data = json!({"f": "0000000000000000", "v": "x", "i": uuid::Uuid::now_v7()});
    let crafted = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&data).unwrap());
    let res = b
        .get(format!("{}/applications?cursor={crafted}", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("starts again from the top"), "{html}");
    for leak in [
        "invalid input",
        "syntax",
        "SQLSTATE",
        "22007",
        "internal error",
    ] {
        assert!(!html.contains(leak), "{leak} in {html}");
    }
    let res = b
        .get(format!("{}/applications?q=a%00b", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("control characters"));
}

// 12. Web details: a favicon, unique ids per page, /metrics kept internal.
#[actix_web::test]
async fn the_favicon_is_served_and_every_id_on_a_page_is_unique() {
    let app = spawn_app().await;
    let icon = app.req(Method::GET, "/favicon.ico").send().await;
    assert_eq!(icon.status, 200);
    assert_eq!(icon.header("content-type"), Some("image/x-icon"));
    let svg = app.req(Method::GET, "/static/favicon.svg").send().await;
    assert_eq!(svg.status, 200);
    let b = sign_up(&app, "ada@example.com").await;
    let api = crate::pages::api_token(&app, &b).await;
    let created = app
        .application(
            &api,
            json!({"company": "Acme", "title": "Dev", "status": "applied"}),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    for path in [
        "/".to_owned(),
        "/applications".to_owned(),
        "/applications/new".to_owned(),
        "/applications/board".to_owned(),
        format!("/applications/{id}"),
        "/interviews".to_owned(),
        "/analytics".to_owned(),
        "/settings".to_owned(),
        "/settings/tokens".to_owned(),
    ] {
        let html = b
            .get(format!("{}{path}", app.address))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("rel=\"icon\""), "{path}");
        let mut seen = std::collections::HashSet::new();
        for id in html
            .split(" id=\"")
            .skip(1)
            .filter_map(|r| r.split('"').next())
        {
            assert!(seen.insert(id.to_owned()), "id {id:?} twice on {path}");
        }
        for label in html
            .split("<label for=\"")
            .skip(1)
            .filter_map(|r| r.split('"').next())
        {
            assert!(
                seen.contains(label),
                "label for {label:?} names no field on {path}"
            );
        }
    }
}

#[actix_web::test]
async fn metrics_can_move_to_an_internal_address_and_the_proxy_never_serves_them() {
    let app = spawn_app_with(&[("metrics_listen", "127.0.0.1:0")]).await;
    let main = app.req(Method::GET, "/metrics").send().await;
    assert_eq!(main.status, 404, "not on the public address");
    let port = app.metrics_port.expect("a metrics port");
    let res = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("http_requests"));
    let nginx =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/nginx.conf")).unwrap();
    let block = nginx
        .split("location = /metrics")
        .nth(1)
        .expect("the proxy configuration has a /metrics block");
    let body = block.split('}').next().unwrap();
    assert!(
        body.contains("return 404") || body.contains("deny all"),
        "{body}"
    );
}
