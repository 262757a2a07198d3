//! The test harness: one throwaway PostgreSQL cluster per test run (started
//! from the machine's binaries, as the embedded default does), a migrated
//! template database, and for each test its own database cloned from it and
//! an in-process server on a free port.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use actix::Addr;
use jobcopilot::actors::{ActorStats, Registry};
use jobcopilot::config::Settings;
use jobcopilot::startup::{Application, Database, RunOptions};
use jobcopilot::store::{self, embedded::EmbeddedOptions, embedded::EmbeddedPostgres};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

const TEMPLATE: &str = "jc_template";

pub struct Cluster {
    pg: EmbeddedPostgres,
}

impl Cluster {
    pub fn config(&self, db: &str) -> tokio_postgres::Config {
        self.pg.config(db)
    }
}

/// Removes clusters left by earlier runs whose process is gone.
fn remove_stale_runs() {
    let Ok(entries) = std::fs::read_dir("/tmp") else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().to_string();
        if let Some(pid) = name
            .strip_prefix("jc-test-")
            .and_then(|p| p.parse::<i32>().ok())
        {
            if unsafe { libc::kill(pid, 0) } != 0 {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

pub fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        // Its own thread and runtime: the cluster outlives any one test.
        std::thread::spawn(|| {
            remove_stale_runs();
            let dir = PathBuf::from(format!("/tmp/jc-test-{}", std::process::id()));
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let pg = EmbeddedPostgres::start(EmbeddedOptions {
                    cluster_dir: dir.join("pg"),
                    durable: false,
                    server_settings: Vec::new(),
                })
                .await
                .expect("test PostgreSQL starts");
                let (admin, conn) = pg
                    .config("postgres")
                    .connect(tokio_postgres::NoTls)
                    .await
                    .expect("admin connects");
                tokio::spawn(conn);
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {TEMPLATE}"))
                    .await
                    .expect("drop template");
                admin
                    .batch_execute(&format!("CREATE DATABASE {TEMPLATE}"))
                    .await
                    .expect("create template");
                let pool = store::pool(pg.config(TEMPLATE), 2).expect("pool");
                store::migrate(&pool).await.expect("template migrates");
                pool.close();
                Cluster { pg }
            })
        })
        .join()
        .expect("cluster thread")
    })
}

async fn admin() -> tokio_postgres::Client {
    let (client, conn) = cluster()
        .config("postgres")
        .connect(tokio_postgres::NoTls)
        .await
        .expect("admin connects");
    actix_web::rt::spawn(async move {
        let _ = conn.await;
    });
    client
}

/// A fresh database cloned from the migrated template.
pub async fn fresh_database() -> (String, deadpool_postgres::Pool) {
    let name = format!("t_{}", Uuid::now_v7().simple());
    let admin = admin().await;
    let mut tries = 0;
    loop {
        match admin
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
            .await
        {
            Ok(()) => break,
            // Two clones of one template at the same instant can collide.
            Err(_) if tries < 20 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("cannot create {name}: {e}"),
        }
    }
    let pool = store::pool(cluster().config(&name), 16).expect("pool");
    (name, pool)
}

fn drop_database(name: String) {
    // Drop runs outside any async context: use a thread with its own runtime.
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            if let Ok((client, conn)) = cluster()
                .config("postgres")
                .connect(tokio_postgres::NoTls)
                .await
            {
                tokio::spawn(conn);
                let _ = client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            }
        });
    })
    .join();
}

pub struct TestApp {
    pub address: String,
    pub http: reqwest::Client,
    pub pool: deadpool_postgres::Pool,
    pub registry: Addr<Registry>,
    pub stats: std::sync::Arc<ActorStats>,
    event_bus: actix::Addr<jobcopilot::actors::event_bus::EventBus>,
    pub scheduler: actix::Addr<jobcopilot::actors::scheduler::Scheduler>,
    db_name: String,
    handle: actix_web::dev::ServerHandle,
    /// The separate `/metrics` address's port, when one was set.
    pub metrics_port: Option<u16>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        actix_web::rt::spawn(async move { handle.stop(false).await });
        self.pool.close();
        drop_database(self.db_name.clone());
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// An app with extra settings (`("local_accounts", "false")`, …).
pub async fn spawn_app_with(pairs: &[(&str, &str)]) -> TestApp {
    let (db_name, pool) = fresh_database().await;
    // Tests register many accounts from 127.0.0.1: no registration limit
    // unless a test sets one.
    let mut all = vec![
        ("listen", "127.0.0.1:0"),
        ("scheduler_tick_seconds", "0"),
        ("registration_limit", "0"),
    ];
    all.extend_from_slice(pairs);
    let settings = Settings::from_pairs(all).expect("test settings");
    spawn_with_pool(settings, db_name, pool).await
}

pub async fn spawn_with_pool(
    settings: Settings,
    db_name: String,
    pool: deadpool_postgres::Pool,
) -> TestApp {
    let app = spawn_with_pool_unready(settings, db_name, pool).await;
    app.wait_ready().await;
    app
}

/// An app whose user actors retire after `idle`.
pub async fn spawn_app_idle(idle: Duration) -> TestApp {
    let (db_name, pool) = fresh_database().await;
    let settings =
        Settings::from_pairs([("listen", "127.0.0.1:0"), ("scheduler_tick_seconds", "0")])
            .expect("test settings");
    let app = start(settings, db_name, pool, idle).await;
    app.wait_ready().await;
    app
}

/// Starts an app without waiting for `/readyz` (for outage tests).
pub async fn spawn_with_pool_unready(
    settings: Settings,
    db_name: String,
    pool: deadpool_postgres::Pool,
) -> TestApp {
    start(settings, db_name, pool, Duration::from_secs(600)).await
}

async fn start(
    settings: Settings,
    db_name: String,
    pool: deadpool_postgres::Pool,
    idle: Duration,
) -> TestApp {
    // JC_TEST_LOG=debug (or any filter) shows the server's logs.
    if let Ok(filter) = std::env::var("JC_TEST_LOG") {
        jobcopilot::telemetry::init(jobcopilot::config::RunEnv::Development, &filter);
    }
    let db = Database {
        pool: pool.clone(),
        config: cluster().config(&db_name),
        tls: Default::default(),
        // The pool given is the one every request uses (some tests point it
        // at a database that is down).
        worker_pools: false,
        embedded: None,
    };
    let options = RunOptions {
        handle_signals: false,
        actor_idle: idle,
        workers: Some(2),
    };
    let app = Application::build(settings, db, options)
        .await
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let (handle, registry, stats, event_bus) =
        (app.handle(), app.registry(), app.stats(), app.event_bus());
    let scheduler = app.scheduler();
    let metrics_port = app.metrics_port();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        pool,
        registry,
        stats,
        event_bus,
        scheduler,
        db_name,
        handle,
        metrics_port,
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Res {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The fields named in a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("body has an id").to_owned()
    }

    #[track_caller]
    pub fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.text
        );
        assert_eq!(self.body["code"], code, "{}", self.text);
        assert_eq!(self.body["status"], status, "{}", self.text);
    }
}

pub struct Req<'a> {
    app: &'a TestApp,
    builder: reqwest::RequestBuilder,
}

impl Req<'_> {
    pub fn bearer(mut self, token: &str) -> Self {
        self.builder = self.builder.bearer_auth(token);
        self
    }

    pub fn json(mut self, body: &Value) -> Self {
        self.builder = self.builder.json(body);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    pub fn body(mut self, content_type: &str, body: impl Into<reqwest::Body>) -> Self {
        self.builder = self.builder.header("content-type", content_type).body(body);
        self
    }

    pub fn if_match(self, version: i64) -> Self {
        self.header("if-match", &format!("\"{version}\""))
    }

    pub async fn send(self) -> Res {
        let _ = self.app;
        let res = self.builder.send().await.expect("request is answered");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Res {
            status,
            headers,
            body,
            text,
        }
    }
}

impl TestApp {
    /// A `DATABASE_URL` for this app's database (for the binary's commands).
    pub fn database_url(&self) -> String {
        crate::replicas::database_url(&self.db_name)
    }

    pub fn event_bus(&self) -> actix::Addr<jobcopilot::actors::event_bus::EventBus> {
        self.event_bus.clone()
    }

    pub fn req(&self, method: Method, path: &str) -> Req<'_> {
        Req {
            app: self,
            builder: self
                .http
                .request(method, format!("{}{}", self.address, path)),
        }
    }

    async fn wait_ready(&self) {
        for _ in 0..200 {
            if let Ok(r) = self
                .http
                .get(format!("{}/readyz", self.address))
                .send()
                .await
            {
                if r.status() == StatusCode::OK {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("app never became ready");
    }

    /// Opens the live event stream with a bearer token (the raw answer).
    pub async fn open_stream(&self, token: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/api/v1/events", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("the stream is answered")
    }

    /// Registers a user; returns (token, user id).
    pub async fn user(&self, email: &str) -> (String, String) {
        let res = self
            .req(Method::POST, "/api/v1/auth/register")
            .json(&json!({"email": email, "password": "correct horse battery"}))
            .send()
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        (
            res.body["token"].as_str().expect("token").to_owned(),
            res.body["user"]["id"].as_str().expect("id").to_owned(),
        )
    }

    pub async fn get(&self, token: &str, path: &str) -> Res {
        self.req(Method::GET, path).bearer(token).send().await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Res {
        self.req(Method::POST, path)
            .bearer(token)
            .json(&body)
            .send()
            .await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> Res {
        self.req(Method::PATCH, path)
            .bearer(token)
            .json(&body)
            .send()
            .await
    }

    pub async fn delete(&self, token: &str, path: &str) -> Res {
        self.req(Method::DELETE, path).bearer(token).send().await
    }

    /// Creates an application; returns its body.
    pub async fn application(&self, token: &str, body: Value) -> Value {
        let res = self.post(token, "/api/v1/applications", body).await;
        assert_eq!(res.status, 201, "{}", res.text);
        res.body
    }

    /// Moves an application through `statuses` in order.
    pub async fn walk(&self, token: &str, id: &str, statuses: &[&str]) -> Value {
        let mut last = Value::Null;
        for s in statuses {
            let res = self
                .patch(
                    token,
                    &format!("/api/v1/applications/{id}"),
                    json!({"status": s}),
                )
                .await;
            assert_eq!(res.status, 200, "to {s}: {}", res.text);
            last = res.body;
        }
        last
    }
}

// Browser sign-in, as a person does it: forms with their CSRF tokens.

/// A browser: keeps cookies, follows nothing by itself.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.split(&marker)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_owned()
}

/// Opens a form page, then posts the form with its `_csrf` and `fields`.
pub async fn submit(
    app: &TestApp,
    b: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    submit_at(&app.address, b, page, action, fields).await
}

/// [`submit`] to the server at `base` (a replica, or a proxy).
pub async fn submit_at(
    base: &str,
    b: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let html = b
        .get(format!("{base}{page}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&html, "_csrf");
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    b.post(format!("{base}{action}"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

pub fn meta_csrf(page: &str) -> String {
    page.split("name=\"csrf-token\" content=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

/// Signs in through the sign-in form (the test password); the raw answer.
pub async fn sign_in_form(app: &TestApp, b: &reqwest::Client, email: &str) -> reqwest::Response {
    let fields = [("email", email), ("password", "correct horse battery")];
    submit(app, b, "/auth/login", "/auth/local/login", &fields).await
}

/// Signs up through the register form; returns the browser (signed in).
pub async fn sign_up(app: &TestApp, email: &str) -> reqwest::Client {
    let b = browser();
    let fields = [
        ("email", email),
        ("password", "correct horse battery"),
        ("display_name", "Ada"),
    ];
    let res = submit(app, &b, "/auth/register", "/auth/local/register", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    b
}

/// A port on 127.0.0.1 that nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
