//! Replicas sharing PostgreSQL and a real `redis-server` on loopback: a
//! write on one is seen on the other, live events cross over, revocations
//! reach every replica, and losing Redis degrades to reading through to
//! PostgreSQL (never to stale data) until it is back.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::fresh_database;
use crate::replicas::Replica;

/// A real `redis-server` on loopback, optionally with a password
/// (`requirepass`, as the compose file runs it).
pub struct Redis {
    port: u16,
    password: Option<String>,
    child: Option<Child>,
}

impl Redis {
    fn spawn(port: u16, password: Option<&str>) -> Redis {
        let port_arg = port.to_string();
        let mut args = vec![
            "--port",
            &port_arg,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ];
        if let Some(p) = password {
            args.extend(["--requirepass", p]);
        }
        let child = Command::new("redis-server")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (scripts/test installs it)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Redis {
            port,
            password: password.map(str::to_owned),
            child: Some(child),
        }
    }

    fn start_on(port: u16) -> Redis {
        Redis::spawn(port, None)
    }

    pub fn start() -> Redis {
        Redis::spawn(crate::helpers::free_port(), None)
    }

    /// A Redis that refuses clients without `password`.
    pub fn start_with_password(password: &str) -> Redis {
        Redis::spawn(crate::helpers::free_port(), Some(password))
    }

    pub fn url(&self) -> String {
        match &self.password {
            Some(p) => format!("redis://:{p}@127.0.0.1:{}", self.port),
            None => format!("redis://127.0.0.1:{}", self.port),
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

pub async fn until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never: {what}");
}

pub async fn redis_state(r: &Replica) -> (u16, String) {
    let (status, body) = r.call(None, Method::GET, "/readyz", None).await;
    (
        status,
        body["redis"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn replicas(db: &str, redis: &Redis) -> (Replica, Replica) {
    replicas_with(db, redis, &[]).await
}

/// Two replicas on `db` and `redis` with `env` besides, once both are
/// subscribed to Redis.
pub async fn replicas_with(db: &str, redis: &Redis, env: &[(&str, &str)]) -> (Replica, Replica) {
    let url = redis.url();
    let mut env = env.to_vec();
    env.push(("REDIS_URL", url.as_str()));
    let a = Replica::start(db, &env).await;
    let b = Replica::start(db, &env).await;
    for r in [&a, &b] {
        until("subscribed to Redis", async || {
            redis_state(r).await == (200, "ok".into())
        })
        .await;
    }
    (a, b)
}

pub async fn total(r: &Replica, token: &str) -> i64 {
    let (status, d) = r
        .call(Some(token), Method::GET, "/api/v1/dashboard", None)
        .await;
    assert_eq!(status, 200, "{d}");
    d["totals"]["all"].as_i64().unwrap()
}

pub async fn create(r: &Replica, token: &str, company: &str) -> String {
    let (status, a) = r
        .call(
            Some(token),
            Method::POST,
            "/api/v1/applications",
            Some(json!({"company": company, "title": "Engineer"})),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    a["id"].as_str().unwrap().to_owned()
}

/// Reads a live-events stream until an event of `kind` for `id`.
pub async fn next_event(res: reqwest::Response, kind: &str, id: &str) -> bool {
    events_of(res, kind, &[id]).await.is_empty()
}

/// Reads a live-events stream as it comes, for up to 10 s, until it has
/// carried an event of `kind` for each of `ids`; answers those it did not.
pub async fn events_of(res: reqwest::Response, kind: &str, ids: &[&str]) -> Vec<String> {
    let mut missing: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    let mut stream = res.bytes_stream();
    let mut buffer = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline, stream.next()).await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            if frame.contains(&format!("event: {kind}\n")) {
                missing.retain(|id| !frame.contains(id.as_str()));
            }
        }
        if missing.is_empty() {
            break;
        }
    }
    missing
}

pub async fn events(r: &Replica, token: &str) -> reqwest::Response {
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/events", r.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res
}

#[actix_web::test]
async fn a_write_on_one_replica_reaches_the_others_cache_events_and_revocations() {
    let mut redis = Redis::start();
    let (db, _pool) = fresh_database().await;
    let (a, b) = replicas(&db, &redis).await;
    let token = a.user("ada@example.com").await;
    assert_eq!(
        total(&b, &token).await,
        0,
        "B now holds the user's working set"
    );
    let (_, list) = b
        .call(Some(&token), Method::GET, "/api/v1/applications", None)
        .await;
    assert_eq!(list["items"], json!([]), "and a cached first page");

    let stream = events(&b, &token).await;
    let id = create(&a, &token, "Acme").await;
    assert!(
        next_event(stream, "application.created", &id).await,
        "B's client saw A's event"
    );
    until("B's dashboard counts A's write", async || {
        total(&b, &token).await == 1
    })
    .await;
    let (_, list) = b
        .call(Some(&token), Method::GET, "/api/v1/applications", None)
        .await;
    assert_eq!(
        list["items"][0]["id"],
        id.as_str(),
        "B's cached page was dropped"
    );

    // A token B has cached stops working there as soon as A revokes it.
    let (status, t) = a
        .call(
            Some(&token),
            Method::POST,
            "/api/v1/tokens",
            Some(json!({"name": "script"})),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    let second = t["token"].as_str().unwrap().to_owned();
    let token_id = t["id"].as_str().unwrap().to_owned();
    assert_eq!(
        b.call(Some(&second), Method::GET, "/api/v1/me", None)
            .await
            .0,
        200
    );
    let (status, _) = a
        .call(
            Some(&token),
            Method::DELETE,
            &format!("/api/v1/tokens/{token_id}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    until("B refuses the revoked token", async || {
        b.call(Some(&second), Method::GET, "/api/v1/me", None)
            .await
            .0
            == 401
    })
    .await;
    redis.stop();
}

#[actix_web::test]
async fn without_redis_replicas_read_through_and_recover_when_it_is_back() {
    let mut redis = Redis::start();
    let port = redis.port;
    let (db, _pool) = fresh_database().await;
    let (a, b) = replicas(&db, &redis).await;
    let token = a.user("ada@example.com").await;
    assert_eq!(total(&b, &token).await, 0);

    redis.stop();
    for r in [&a, &b] {
        until("Redis reported down, degraded not dead", async || {
            redis_state(r).await == (200, "down".into())
        })
        .await;
    }
    create(&a, &token, "Written while Redis is down").await;
    assert_eq!(
        total(&b, &token).await,
        1,
        "B reads through to PostgreSQL: correct at once"
    );
    let (_, list): (u16, Value) = b
        .call(Some(&token), Method::GET, "/api/v1/applications", None)
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    let redis = Redis::start_on(port);
    for r in [&a, &b] {
        until("resubscribed without a restart", async || {
            redis_state(r).await == (200, "ok".into())
        })
        .await;
    }
    let stream = events(&b, &token).await;
    let id = create(&a, &token, "After Redis came back").await;
    assert!(
        next_event(stream, "application.created", &id).await,
        "live events resumed"
    );
    assert_eq!(total(&b, &token).await, 2);
    drop(redis);
}

async fn leads(r: &Replica) -> Option<bool> {
    let text = reqwest::get(format!("{}/metrics", r.base))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("scheduler_leader "))
        .map(|v| v.trim() == "1")
}

#[actix_web::test]
async fn one_replica_leads_the_scheduler_and_another_takes_over_when_it_is_killed() {
    let redis = Redis::start();
    let (db, pool) = fresh_database().await;
    let url = redis.url();
    let env = [
        ("REDIS_URL", url.as_str()),
        ("JOBCOPILOT_SCHEDULER_TICK_SECONDS", "1"),
    ];
    let a = Replica::start(&db, &env).await;
    let b = Replica::start(&db, &env).await;
    until("both replicas know who leads", async || {
        leads(&a).await.is_some() && leads(&b).await.is_some()
    })
    .await;
    let (la, lb) = (leads(&a).await.unwrap(), leads(&b).await.unwrap());
    assert!(la ^ lb, "exactly one leader (a: {la}, b: {lb})");
    let (leader, follower) = if la { (a, b) } else { (b, a) };
    let leader_pid = leader.pid();
    let client = pool.get().await.unwrap();
    until("the leader ran the ticks' jobs", async || {
        client
            .query_one(
                "SELECT count(*) FROM scheduler_runs WHERE job = 'reminders'",
                &[],
            )
            .await
            .unwrap()
            .get::<_, i64>(0)
            >= 1
    })
    .await;
    let claimers: Vec<String> = client
        .query("SELECT claimed_by FROM scheduler_runs", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        claimers
            .iter()
            .all(|c| c.starts_with(&format!("{leader_pid}-"))),
        "only the leader ran anything: {claimers:?}"
    );

    leader.kill();
    until("the follower took the lock over", async || {
        leads(&follower).await == Some(true)
    })
    .await;
    // Each (job, slot) ran once: the claims are the fence (a primary key).
    let dupes: i64 = client
        .query_one(
            "SELECT count(*) - count(DISTINCT (job, slot)) FROM scheduler_runs",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(dupes, 0);
}

#[actix_web::test]
async fn a_missed_invalidation_costs_seconds_of_staleness_never_more() {
    // Another replica's write whose message never arrived: PostgreSQL moved
    // on (data and change sequence) behind this replica's back.
    let app = crate::helpers::spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let id = app
        .application(&token, json!({"company": "Acme", "title": "Engineer"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let dashboard = app.get(&token, "/api/v1/dashboard").await;
    assert_eq!(dashboard.body["totals"]["by_status"]["wishlist"], 1);
    let client = app.pool.get().await.unwrap();
    let id: uuid::Uuid = id.parse().unwrap();
    client
        .execute(
            "UPDATE job_applications SET status = 'withdrawn' WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
    client
        .execute("UPDATE users SET change_seq = change_seq + 1 WHERE id = (SELECT user_id FROM job_applications WHERE id = $1)", &[&id])
        .await
        .unwrap();
    until("the running actor noticed and reloaded", async || {
        app.get(&token, "/api/v1/dashboard").await.body["totals"]["by_status"]["withdrawn"] == 1
    })
    .await;
}

/// Whether a live-events stream ends (its body completes) within 20 s.
async fn ends(res: reqwest::Response) -> bool {
    let mut stream = res.bytes_stream();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(None) | Ok(Some(Err(_))) => return true,
            Ok(Some(Ok(_))) => continue,
            Err(_) => return false,
        }
    }
}

async fn refused(r: &Replica, token: &str) {
    until("the replica refuses the token", async || {
        r.call(Some(token), Method::GET, "/api/v1/me", None).await.0 == 401
    })
    .await;
}

#[actix_web::test]
async fn password_changes_deletions_and_operators_revoke_on_every_replica() {
    let mut redis = Redis::start();
    let (db, _pool) = fresh_database().await;
    let (a, b) = replicas(&db, &redis).await;

    // A password change on A with revoke_tokens: B forgets the cached token
    // and closes the stream it opened.
    let token = a.user("ada@example.com").await;
    let (_, t) = a
        .call(
            Some(&token),
            Method::POST,
            "/api/v1/tokens",
            Some(json!({"name": "b"})),
        )
        .await;
    let second = t["token"].as_str().unwrap().to_owned();
    assert_eq!(
        b.call(Some(&second), Method::GET, "/api/v1/me", None)
            .await
            .0,
        200
    );
    let stream = events(&b, &second).await;
    let (status, body) = a
        .call(
            Some(&token),
            Method::PUT,
            "/api/v1/me/password",
            Some(json!({"current_password": "correct horse battery", "new_password": "a new long password", "revoke_tokens": true})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    refused(&b, &second).await;
    assert!(ends(stream).await, "B's stream of the revoked token closed");

    // Deleting the account on A: B's stream and cached token end too.
    let bob = a.user("bob@example.com").await;
    assert_eq!(
        b.call(Some(&bob), Method::GET, "/api/v1/me", None).await.0,
        200
    );
    let stream = events(&b, &bob).await;
    let (status, body) = a
        .call(
            Some(&bob),
            Method::DELETE,
            "/api/v1/me",
            Some(json!({"confirm": "bob@example.com", "password": "correct horse battery"})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    refused(&b, &bob).await;
    assert!(
        ends(stream).await,
        "B's stream of the deleted account closed"
    );

    // An operator disabling an account from the command line: both replicas
    // refuse its cached token at once and close its streams.
    let cat = a.user("cat@example.com").await;
    for r in [&a, &b] {
        assert_eq!(
            r.call(Some(&cat), Method::GET, "/api/v1/me", None).await.0,
            200
        );
    }
    let stream = events(&b, &cat).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jobcopilot"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", crate::replicas::database_url(&db))
        .args(["users", "disable", "cat@example.com"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    refused(&a, &cat).await;
    refused(&b, &cat).await;
    assert!(ends(stream).await, "the disabled account's stream closed");
    redis.stop();
}

/// The csrf token a page carries in its `<meta name="csrf-token">`.
fn page_csrf(html: &str) -> String {
    let at = html
        .find("name=\"csrf-token\" content=\"")
        .expect("a csrf meta tag")
        + 27;
    html[at..at + 64].to_owned()
}

/// A browser session is remembered by a replica (issue #18: a page asks
/// PostgreSQL nothing it remembers), yet a sign-out on one replica ends the
/// session on the other at once, and the other's pages show an account
/// change made on the first.
#[actix_web::test]
async fn a_session_signed_out_on_one_replica_ends_on_the_other() {
    let mut redis = Redis::start();
    let (db, _pool) = fresh_database().await;
    let (a, b) = replicas(&db, &redis).await;
    a.user("ada@example.com").await;
    // One browser: cookies are per host, so both replicas see its session.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = |r: &Replica, path: &str| {
        let url = format!("{}{path}", r.base);
        let browser = browser.clone();
        async move {
            let res = browser.get(url).send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    let (_, login) = page(&a, "/auth/login").await;
    let at = login.find("name=\"_csrf\" value=\"").unwrap() + 20;
    let form_csrf = login[at..].split('"').next().unwrap().to_owned();
    let signed_in = browser
        .post(format!("{}/auth/local/login", a.base))
        .form(&[
            ("_csrf", form_csrf.as_str()),
            ("email", "ada@example.com"),
            ("password", "correct horse battery"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 303);
    for _ in 0..3 {
        let (status, html) = page(&b, "/").await;
        assert_eq!(status, 200, "B knows the session");
        assert!(html.contains("<h1>Hello</h1>"), "{html}");
    }
    let (_, html) = page(&b, "/").await;
    let csrf = page_csrf(&html);

    // A display name saved through A shows on B's pages.
    let saved = browser
        .patch(format!("{}/api/v1/me", a.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"display_name": "Ada L."}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status().as_u16(), 200);
    until("B's page shows the new name", async || {
        page(&b, "/").await.1.contains("<h1>Hello, Ada L.</h1>")
    })
    .await;

    let out = browser
        .post(format!("{}/auth/logout", a.base))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status().as_u16(), 303);
    // The browser lost its cookie; a copy of it must stop working on B too.
    let copied = signed_in
        .cookies()
        .find(|c| c.name() == "jc_session")
        .map(|c| format!("jc_session={}", c.value()))
        .unwrap();
    until("B refuses the signed-out session", async || {
        let res = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(format!("{}/", b.base))
            .header("cookie", &copied)
            .send()
            .await
            .unwrap();
        res.status().as_u16() == 303
    })
    .await;
    redis.stop();
}

/// Lists come from each replica's memory: a list asked of one replica right
/// after a write on the other (before its news can have arrived) still
/// shows the write — the replica compares its memory with PostgreSQL's
/// change sequence first.
#[actix_web::test]
async fn a_list_on_one_replica_shows_a_write_just_made_on_the_other() {
    let redis = Redis::start();
    let (db, _pool) = fresh_database().await;
    let (a, b) = replicas(&db, &redis).await;
    let token = a.user("ada@example.com").await;
    for r in [&a, &b] {
        let (status, _) = r
            .call(
                Some(&token),
                Method::GET,
                "/api/v1/applications?q=acme",
                None,
            )
            .await;
        assert_eq!(status, 200, "both hold the working set");
    }
    for i in 0..15 {
        let (writer, reader) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let id = create(writer, &token, &format!("Acme {i}")).await;
        for path in ["/api/v1/applications", "/api/v1/applications?q=acme"] {
            let (status, list) = reader.call(Some(&token), Method::GET, path, None).await;
            assert_eq!(status, 200, "{list}");
            let ids: Vec<&str> = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|a| a["id"].as_str())
                .collect();
            assert!(
                ids.contains(&id.as_str()),
                "{path} on the other replica: {ids:?}"
            );
        }
    }
}
