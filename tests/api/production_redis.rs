//! The production path (#17) with real processes: a `redis-server` that
//! speaks only TLS and wants a password, replicas reaching it through
//! `rediss://` with the test's CA and a password from a file, replicas that
//! cannot (wrong CA, no CA, wrong password) serving degraded, secrets read
//! from `NAME_FILE`, and both `NAME` and `NAME_FILE` refused with exit 78.

use crate::helpers::free_port;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::dovecot::{make_ca, make_certificates};
use crate::helpers::fresh_database;
use crate::model_server;
use crate::replicas::{ai_env, database_url, pairs, wait_finished, Replica};
use crate::scale_out::{create, events, next_event, redis_state, total, until};

const PASSWORD: &str = "tls p@ss/word:1";

/// `redis-server` with its plain port off and TLS on a free loopback port,
/// a certificate for `localhost`/127.0.0.1 signed by a CA made here, and
/// `requirepass`.
struct TlsRedis {
    dir: tempfile::TempDir,
    port: u16,
    child: Child,
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TlsRedis {
    fn start() -> TlsRedis {
        let dir = tempfile::Builder::new()
            .prefix("jc-redis-tls-")
            .tempdir_in("/tmp")
            .unwrap();
        make_certificates(dir.path());
        // A free port can be taken before Redis binds it: then another.
        for _ in 0..5 {
            let port = free_port();
            let p = |name: &str| dir.path().join(name).display().to_string();
            let mut child = Command::new("redis-server")
                .args([
                    "--port",
                    "0",
                    "--tls-port",
                    &port.to_string(),
                    "--bind",
                    "127.0.0.1",
                    "--tls-cert-file",
                    &p("server.pem"),
                    "--tls-key-file",
                    &p("server.key"),
                    "--tls-ca-cert-file",
                    &p("ca.pem"),
                    "--tls-auth-clients",
                    "no",
                    "--requirepass",
                    PASSWORD,
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    &dir.path().display().to_string(),
                    "--logfile",
                    &p("redis.log"),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("redis-server runs (scripts/test installs it)");
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return TlsRedis { dir, port, child };
                }
                if child.try_wait().unwrap().is_some() {
                    break; // exited: the port was taken, or worse (see below)
                }
                assert!(
                    Instant::now() < deadline,
                    "redis-server is not listening after 10 s:\n{}",
                    std::fs::read_to_string(p("redis.log")).unwrap_or_default()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!(
            "redis-server never started with TLS:\n{}",
            std::fs::read_to_string(dir.path().join("redis.log")).unwrap_or_default()
        );
    }

    fn url(&self) -> String {
        format!("rediss://localhost:{}", self.port)
    }

    fn ca_file(&self) -> String {
        self.dir.path().join("ca.pem").display().to_string()
    }

    /// A file holding `text` and a trailing newline, as secrets are mounted.
    fn secret_file(&self, name: &str, text: &str) -> String {
        write_secret(self.dir.path(), name, text)
    }
}

fn write_secret(dir: &Path, name: &str, text: &str) -> String {
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, format!("{text}\n")).unwrap();
    path.display().to_string()
}

/// Polls `check` for up to 30 s; panics naming `what` if it never holds.
async fn within_30s(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never within 30 s: {what}");
}

/// The `scheduler_redis_lock` gauge in the replica's /metrics, once set.
async fn redis_lock(r: &Replica) -> Option<String> {
    let text = reqwest::get(format!("{}/metrics", r.base))
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("scheduler_redis_lock "))
        .map(|v| v.trim().to_owned())
}

#[actix_web::test]
async fn replicas_share_writes_and_events_through_a_tls_only_redis_with_a_password_file() {
    let redis = TlsRedis::start();
    let (db, _pool) = fresh_database().await;
    let url = redis.url();
    let ca = redis.ca_file();
    let password = redis.secret_file("redis-password", PASSWORD);
    let env = [
        ("REDIS_URL", url.as_str()),
        ("JOBCOPILOT_REDIS_CA_FILE", ca.as_str()),
        ("JOBCOPILOT_REDIS_PASSWORD_FILE", password.as_str()),
    ];
    let a = Replica::start(&db, &env).await;
    let b = Replica::start(&db, &env).await;
    for r in [&a, &b] {
        until("subscribed to Redis over TLS", async || {
            redis_state(r).await == (200, "ok".into())
        })
        .await;
    }
    let token = a.user("ada@example.com").await;
    assert_eq!(total(&b, &token).await, 0, "B holds the user's working set");

    let stream = events(&b, &token).await;
    let id = create(&a, &token, "Acme").await;
    assert!(
        next_event(stream, "application.created", &id).await,
        "B's client saw A's event, carried by Redis over TLS"
    );
    // B trusts its cache only while subscribed: the count changed because
    // A's invalidation reached it.
    until("B's dashboard counts A's write", async || {
        total(&b, &token).await == 1
    })
    .await;
    for r in [&a, &b] {
        assert_eq!(redis_state(r).await, (200, "ok".into()));
    }
}

#[actix_web::test]
async fn replicas_that_cannot_verify_or_log_in_to_redis_serve_degraded_on_the_fence() {
    let redis = TlsRedis::start();
    let (db, _pool) = fresh_database().await;
    let url = redis.url();
    let ca = redis.ca_file();
    let other_ca = {
        make_ca(redis.dir.path(), "other", "Some Other CA");
        redis.dir.path().join("other.pem").display().to_string()
    };
    let password = redis.secret_file("redis-password", PASSWORD);
    let wrong_password = redis.secret_file("wrong-password", "not the password");
    let tick = ("JOBCOPILOT_SCHEDULER_TICK_SECONDS", "1");

    let good = Replica::start(
        &db,
        &[
            ("REDIS_URL", url.as_str()),
            ("JOBCOPILOT_REDIS_CA_FILE", ca.as_str()),
            ("JOBCOPILOT_REDIS_PASSWORD_FILE", password.as_str()),
            tick,
        ],
    )
    .await;
    let wrong_ca = Replica::start(
        &db,
        &[
            ("REDIS_URL", url.as_str()),
            ("JOBCOPILOT_REDIS_CA_FILE", other_ca.as_str()),
            ("JOBCOPILOT_REDIS_PASSWORD_FILE", password.as_str()),
            tick,
        ],
    )
    .await;
    let no_ca = Replica::start(
        &db,
        &[
            ("REDIS_URL", url.as_str()),
            ("JOBCOPILOT_REDIS_PASSWORD_FILE", password.as_str()),
            tick,
        ],
    )
    .await;
    let bad_password = Replica::start(
        &db,
        &[
            ("REDIS_URL", url.as_str()),
            ("JOBCOPILOT_REDIS_CA_FILE", ca.as_str()),
            ("JOBCOPILOT_REDIS_PASSWORD_FILE", wrong_password.as_str()),
            tick,
        ],
    )
    .await;

    within_30s("the good replica holds Redis and its lock", async || {
        redis_state(&good).await == (200, "ok".into())
            && redis_lock(&good).await.as_deref() == Some("1")
    })
    .await;
    let token = good.user("ada@example.com").await;
    for (name, r) in [
        ("wrong CA", &wrong_ca),
        ("no CA (system roots)", &no_ca),
        ("wrong password", &bad_password),
    ] {
        within_30s(
            &format!("{name}: scheduler_redis_lock 0 (ticking on the fence)"),
            async || redis_lock(r).await.as_deref() == Some("0"),
        )
        .await;
        assert_eq!(
            redis_state(r).await,
            (200, "down".into()),
            "{name}: ready, with Redis reported down"
        );
        // Degraded, not dead: it serves, reading through to PostgreSQL.
        let before = total(r, &token).await;
        create(r, &token, name).await;
        assert_eq!(total(r, &token).await, before + 1, "{name}");
        assert_eq!(
            redis_state(r).await,
            (200, "down".into()),
            "{name}: still down, never up by luck"
        );
    }
    assert_eq!(total(&good, &token).await, 3, "the good replica sees all");
    assert_eq!(redis_lock(&good).await.as_deref(), Some("1"));
}

async fn draft(r: &Replica, token: &str, company: &str) -> serde_json::Value {
    let (status, app) = r
        .call(
            Some(token),
            Method::POST,
            "/api/v1/applications",
            Some(json!({"company": company, "title": "Engineer"})),
        )
        .await;
    assert_eq!(status, 201, "{app}");
    let app_id = app["id"].as_str().unwrap();
    let (status, g) = r
        .call(
            Some(token),
            Method::POST,
            &format!("/api/v1/applications/{app_id}/generations"),
            Some(json!({"kind": "cover_letter"})),
        )
        .await;
    assert_eq!(status, 202, "{g}");
    wait_finished(r, token, g["id"].as_str().unwrap()).await
}

#[actix_web::test]
async fn an_all_digit_ai_key_from_a_file_or_the_environment_reaches_the_model_as_text() {
    let model = model_server::start().await;
    let (db, _pool) = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let key_file = write_secret(dir.path(), "ai-key", "123456789");

    for (scenario, key) in [
        (
            "key-from-file",
            ("JOBCOPILOT_AI_API_KEY_FILE", key_file.as_str()),
        ),
        ("key-from-env", ("JOBCOPILOT_AI_API_KEY", "123456789")),
    ] {
        let mut env = pairs(&ai_env(&model))
            .into_iter()
            .map(|(k, v)| (k, v.to_owned()))
            .collect::<Vec<_>>();
        env.push((key.0, key.1.to_owned()));
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = Replica::start(&db, &env).await;
        let token = r.user(&format!("{scenario}@example.com")).await;
        let done = draft(&r, &token, scenario).await;
        assert_eq!(done["status"], "succeeded", "{scenario}: {done}");
        assert_eq!(
            model.authorizations(scenario),
            vec!["Bearer 123456789".to_owned()],
            "{scenario}: the key as text, its newline trimmed"
        );
    }
}

#[actix_web::test]
async fn database_url_from_a_file_alone_is_enough_to_serve() {
    let (db, _pool) = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let file = write_secret(dir.path(), "database-url", &database_url(&db));
    // The harness sets DATABASE_URL; empty counts as unset.
    let r = Replica::start(&db, &[("DATABASE_URL", ""), ("DATABASE_URL_FILE", &file)]).await;
    let token = r.user("ada@example.com").await;
    create(&r, &token, "Acme").await;
    assert_eq!(total(&r, &token).await, 1);
}

#[actix_web::test]
async fn a_secret_set_directly_and_from_a_file_exits_78_with_one_line_naming_both() {
    // A real database: were the pair not refused, `migrate` would succeed
    // (exit 0) rather than wait.
    let (db, _pool) = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(&db);
    for (name, value) in [
        ("DATABASE_URL", url.as_str()),
        ("REDIS_URL", "redis://127.0.0.1:1"),
        ("JOBCOPILOT_REDIS_PASSWORD", "secret"),
        ("OIDC_CLIENT_SECRET", "secret"),
        ("JOBCOPILOT_AI_API_KEY", "123456789"),
        ("JOBCOPILOT_SECRET_KEY", "0123456789abcdef0123456789abcdef"),
    ] {
        let file_name = format!("{name}_FILE");
        let file = write_secret(dir.path(), &file_name, value);
        let out = Command::new(env!("CARGO_BIN_EXE_jobcopilot"))
            .arg("migrate")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &url)
            .env(name, value)
            .env(&file_name, &file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(78), "{name}: {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{name}: one line: {stderr}");
        assert!(
            lines[0].contains(name) && lines[0].contains(&file_name),
            "{name}: names both: {stderr}"
        );
    }
}
