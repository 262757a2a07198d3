//! Real `jobcopilot serve` processes sharing one PostgreSQL: what survives a
//! SIGKILL, and what two replicas never do twice.

use crate::helpers::free_port;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{cluster, fresh_database};
use crate::model_server;

/// A replica: the real binary as a child process on a free port.
pub struct Replica {
    pub base: String,
    child: Child,
    http: reqwest::Client,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn database_url(db: &str) -> String {
    let config = cluster().config(db);
    let host = match &config.get_hosts()[0] {
        tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        tokio_postgres::config::Host::Tcp(h) => h.clone(),
    };
    format!("host={host} user=postgres dbname={db}")
}

impl Replica {
    pub async fn start(db: &str, env: &[(&str, &str)]) -> Replica {
        let port = free_port();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jobcopilot"));
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url(db))
            .env("JOBCOPILOT_LISTEN", format!("127.0.0.1:{port}"))
            .env("JOBCOPILOT_SCHEDULER_TICK_SECONDS", "0")
            .env("JOBCOPILOT_REGISTRATION_LIMIT", "0")
            .env(
                "JOBCOPILOT_LOG",
                std::env::var("JC_TEST_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(Stdio::null())
            .stderr(if std::env::var("JC_TEST_LOG").is_ok() {
                Stdio::inherit()
            } else {
                Stdio::null()
            });
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("the binary starts");
        let replica = Replica {
            base: format!("http://127.0.0.1:{port}"),
            child,
            http: reqwest::Client::new(),
        };
        for _ in 0..200 {
            if let Ok(r) = replica
                .http
                .get(format!("{}/readyz", replica.base))
                .send()
                .await
            {
                if r.status() == 200 {
                    return replica;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("replica on port {port} never became ready");
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM: a graceful stop.
    pub fn terminate(&self) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
    }

    /// Waits (up to a minute) for the process to exit; its status.
    pub async fn exited(&mut self) -> std::process::ExitStatus {
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().expect("the child's status") {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the replica did not stop within a minute");
    }

    /// SIGKILL: no goodbye, leases left held.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub async fn call(
        &self,
        token: Option<&str>,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        call_at(&self.http, &self.base, token, method, path, body).await
    }

    /// A new user's API token.
    pub async fn user(&self, email: &str) -> String {
        let (status, body) = self
            .call(
                None,
                reqwest::Method::POST,
                "/api/v1/auth/register",
                Some(json!({"email": email, "password": "correct horse battery"})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["token"].as_str().unwrap().to_owned()
    }
}

/// One JSON call to `base` (a replica, or a proxy in front of replicas) with
/// `http`: its status and body (`null` when it is not JSON).
pub async fn call_at(
    http: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = http.request(method, format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("{base} answers {path}: {e}"));
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub fn ai_env(model: &model_server::ModelServer) -> Vec<(&'static str, String)> {
    vec![
        ("JOBCOPILOT_AI_BASE_URL", model.base.clone()),
        ("JOBCOPILOT_AI_MODEL", "test-model".into()),
        ("JOBCOPILOT_AI_LEASE_SECONDS", "2".into()),
        ("JOBCOPILOT_AI_STALL_SECONDS", "5".into()),
        ("JOBCOPILOT_AI_POLL_MILLIS", "100".into()),
        ("JOBCOPILOT_AI_RETRY_BASE_MILLIS", "100".into()),
        ("JOBCOPILOT_AI_USER_CONCURRENCY", "50".into()),
    ]
}

pub fn pairs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

pub async fn wait_finished(r: &Replica, token: &str, id: &str) -> Value {
    for _ in 0..400 {
        let (_, g) = r
            .call(
                Some(token),
                reqwest::Method::GET,
                &format!("/api/v1/generations/{id}"),
                None,
            )
            .await;
        if ["succeeded", "failed", "cancelled"].contains(&g["status"].as_str().unwrap_or("")) {
            return g;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("generation {id} never finished");
}

#[actix_web::test]
async fn a_job_running_when_its_process_is_killed_finishes_after_the_restart_exactly_once() {
    let model = model_server::start().await;
    let (db, _pool) = fresh_database().await;
    let env = ai_env(&model);
    let a = Replica::start(&db, &pairs(&env)).await;
    let token = a.user("ada@example.com").await;
    let (_, app) = a
        .call(
            Some(&token),
            reqwest::Method::POST,
            "/api/v1/applications",
            Some(json!({"company": "slow", "title": "Engineer"})),
        )
        .await;
    let app_id = app["id"].as_str().unwrap().to_owned();
    let (status, g) = a
        .call(
            Some(&token),
            reqwest::Method::POST,
            &format!("/api/v1/applications/{app_id}/generations"),
            Some(json!({"kind": "cover_letter"})),
        )
        .await;
    assert_eq!(status, 202, "{g}");
    let id = g["id"].as_str().unwrap().to_owned();
    // Kill it mid-generation, with text already written.
    for _ in 0..200 {
        let (_, g) = a
            .call(
                Some(&token),
                reqwest::Method::GET,
                &format!("/api/v1/generations/{id}"),
                None,
            )
            .await;
        if g["progress"].as_i64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    a.kill();
    let b = Replica::start(&db, &pairs(&env)).await;
    let done = wait_finished(&b, &token, &id).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2, "the killed attempt counted");
    let text = done["output"].as_str().unwrap();
    assert!(
        text.starts_with("part0 ") && text.ends_with("part59 "),
        "one whole draft: {text}"
    );
    assert_eq!(
        text.matches("part0 ").count(),
        1,
        "not two attempts glued together"
    );
    assert_eq!(model.calls("slow"), 2);
}

#[actix_web::test]
async fn two_replicas_sharing_the_database_never_run_one_job_twice() {
    let model = model_server::start().await;
    let (db, _pool) = fresh_database().await;
    let mut env = ai_env(&model);
    env.push(("JOBCOPILOT_AI_CONCURRENCY", "4".into()));
    let a = Replica::start(&db, &pairs(&env)).await;
    let b = Replica::start(&db, &pairs(&env)).await;
    let token = a.user("ada@example.com").await;
    let (_, app) = a
        .call(
            Some(&token),
            reqwest::Method::POST,
            "/api/v1/applications",
            Some(json!({"company": "ok", "title": "Engineer"})),
        )
        .await;
    let app_id = app["id"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for i in 0..16 {
        let r = if i % 2 == 0 { &a } else { &b };
        let (status, g) = r
            .call(
                Some(&token),
                reqwest::Method::POST,
                &format!("/api/v1/applications/{app_id}/generations"),
                Some(json!({"kind": "cover_letter"})),
            )
            .await;
        assert_eq!(status, 202, "{g}");
        ids.push(g["id"].as_str().unwrap().to_owned());
    }
    for id in &ids {
        let done = wait_finished(&a, &token, id).await;
        assert_eq!(done["status"], "succeeded", "{done}");
        assert_eq!(done["attempts"], 1, "{done}");
    }
    assert_eq!(
        model.calls("ok"),
        16,
        "each job ran exactly once across both replicas"
    );
}

/// A replica stopped (SIGTERM) while clients keep it busy answers every
/// request it took: no request fails (it drains before its workers stop),
/// every create it confirmed is in PostgreSQL, and it exits 0.
#[actix_web::test]
async fn a_replica_stopped_under_load_answers_every_request_it_took() {
    let (db, pool) = fresh_database().await;
    let mut replica = Replica::start(&db, &[]).await;
    let mut tokens = Vec::new();
    for i in 0..6 {
        tokens.push(replica.user(&format!("busy{i}@example.com")).await);
    }
    let mut clients = Vec::new();
    for c in 0..12 {
        let token = tokens[c % tokens.len()].clone();
        let base = replica.base.clone();
        clients.push(actix_web::rt::spawn(async move {
            // Each client its own connection, kept alive between requests.
            let http = reqwest::Client::new();
            let (mut confirmed, mut answers) = (Vec::new(), Vec::new());
            for n in 0.. {
                let req = match n % 3 {
                    0 => http
                        .post(format!("{base}/api/v1/applications"))
                        .json(&json!({"company": format!("Busy {c}-{n}"), "title": "Dev"})),
                    1 => http.get(format!("{base}/api/v1/applications?limit=5&sort=company")),
                    _ => http.get(format!("{base}/api/v1/dashboard")),
                };
                // A refused or reset connection: the replica has stopped.
                let Ok(res) = req.bearer_auth(&token).send().await else {
                    break;
                };
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap_or(Value::Null);
                if n % 3 == 0 && status == 201 {
                    confirmed.push(body["id"].as_str().unwrap_or_default().to_owned());
                }
                answers.push((status, body));
            }
            (confirmed, answers)
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    replica.terminate();
    let status = replica.exited().await;

    let (mut confirmed, mut answered) = (Vec::new(), 0);
    for client in clients {
        let (ids, answers) = client.await.unwrap();
        for (status, body) in &answers {
            assert!((200..300).contains(status), "{status}: {body}");
        }
        answered += answers.len();
        confirmed.extend(ids);
    }
    assert!(status.success(), "{status:?}");
    assert!(answered > 12 && !confirmed.is_empty(), "{answered} answers");
    let ids: Vec<uuid::Uuid> = confirmed.iter().map(|id| id.parse().unwrap()).collect();
    let client = pool.get().await.unwrap();
    let stored: i64 = client
        .query_one(
            "SELECT count(*) FROM job_applications WHERE id = ANY($1)",
            &[&ids],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored as usize, ids.len());
}
