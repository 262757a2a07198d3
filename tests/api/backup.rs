//! `jobcopilot backup FILE` / `restore FILE`: the real binary, as separate
//! processes, against the embedded cluster and against `DATABASE_URL`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use jobcopilot::store::embedded::{EmbeddedOptions, EmbeddedPostgres};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{cluster, fresh_database, spawn_with_pool};
use crate::replicas::database_url;

/// The tables whose rows a restore must bring back exactly.
const TABLES: [&str; 7] = [
    "users",
    "api_tokens",
    "job_applications",
    "status_history",
    "notes",
    "interviews",
    "refinery_schema_history",
];

/// A command's exit code and what it said.
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Outcome {
    #[track_caller]
    fn assert_success(&self) {
        assert_eq!(self.code, 0, "{}{}", self.stdout, self.stderr);
    }

    /// A refusal: the given exit code and one line saying why.
    #[track_caller]
    fn assert_refused(&self, code: i32, says: &str) {
        assert_eq!(self.code, code, "{}{}", self.stdout, self.stderr);
        assert_eq!(self.stderr.trim().lines().count(), 1, "{}", self.stderr);
        assert!(self.stderr.contains(says), "{}", self.stderr);
    }
}

/// The binary with a clean environment, quiet logs and `env`.
fn jobcopilot(args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jobcopilot"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("JOBCOPILOT_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the binary runs");
    Outcome {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `backup`/`restore` FILE on the embedded database in `data`.
fn embedded(command: &str, data: &Path, file: &Path) -> Outcome {
    jobcopilot(
        &[command, path_str(file)],
        &[("JOBCOPILOT_DATA_DIR", path_str(data))],
    )
}

/// `backup`/`restore` FILE on the database behind `url`.
fn external(command: &str, url: &str, file: &Path) -> Outcome {
    jobcopilot(&[command, path_str(file)], &[("DATABASE_URL", url)])
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// A scratch directory under /tmp (the cluster's user can reach it) and, in
/// it, a vault only root may enter.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("jc-backup-")
        .tempdir_in("/tmp")
        .expect("tempdir");
    let vault = dir.path().join("vault");
    std::fs::create_dir(&vault).expect("vault");
    std::fs::set_permissions(&vault, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    (dir, vault)
}

/// Each table's row count and a digest of all its rows.
async fn fingerprint(config: tokio_postgres::Config) -> Vec<(String, i64, String)> {
    let (client, conn) = config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("connects");
    actix_web::rt::spawn(async move {
        let _ = conn.await;
    });
    let mut out = Vec::new();
    for table in TABLES {
        let row = client
            .query_one(
                &format!(
                    "SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t"
                ),
                &[],
            )
            .await
            .expect("table reads");
        out.push((table.to_owned(), row.get(0), row.get(1)));
    }
    out
}

/// The fingerprint of the embedded database in `data` (started for the
/// occasion, or attached to).
async fn embedded_fingerprint(data: &Path) -> Vec<(String, i64, String)> {
    let pg = EmbeddedPostgres::start(EmbeddedOptions {
        cluster_dir: data.join("postgres"),
        durable: true,
        server_settings: Vec::new(),
    })
    .await
    .expect("the cluster starts");
    let fp = fingerprint(pg.config("jobcopilot")).await;
    drop(pg);
    fp
}

fn count(fp: &[(String, i64, String)], table: &str) -> i64 {
    fp.iter()
        .find(|(t, _, _)| t == table)
        .map(|(_, n, _)| *n)
        .unwrap_or(-1)
}

#[actix_web::test]
async fn a_backup_restores_into_a_fresh_data_dir_with_the_same_data_and_nowhere_else() {
    let (dir, vault) = scratch();
    let (source, copy) = (dir.path().join("source"), dir.path().join("copy"));
    let file = vault.join("jobcopilot.dump");
    jobcopilot(&["demo"], &[("JOBCOPILOT_DATA_DIR", path_str(&source))]).assert_success();

    let backed_up = embedded("backup", &source, &file);
    backed_up.assert_success();
    assert!(
        backed_up.stdout.contains("backed up"),
        "{}",
        backed_up.stdout
    );
    let mode = std::fs::metadata(&file)
        .expect("FILE exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "a backup is its owner's alone");
    let names: Vec<_> = std::fs::read_dir(&vault)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["jobcopilot.dump"], "no temporary file is left");

    // A restore that breaks off midway is one rolled-back transaction.
    let dump = std::fs::read(&file).unwrap();
    let truncated = vault.join("truncated.dump");
    std::fs::write(&truncated, &dump[..dump.len() - dump.len() / 10]).unwrap();
    embedded("restore", &copy, &truncated).assert_refused(1, "nothing was");

    embedded("restore", &copy, &file).assert_success();
    let original = embedded_fingerprint(&source).await;
    let restored = embedded_fingerprint(&copy).await;
    assert_eq!(count(&original, "job_applications"), 40, "{original:?}");
    assert!(count(&original, "notes") > 0 && count(&original, "interviews") > 0);
    assert_eq!(restored, original);

    embedded("restore", &copy, &file).assert_refused(1, "already holds data");
    assert_eq!(
        embedded_fingerprint(&copy).await,
        original,
        "nothing changed"
    );
}

#[actix_web::test]
async fn restoring_something_that_is_not_a_backup_fails_cleanly_and_creates_nothing() {
    let (dir, vault) = scratch();
    let data = dir.path().join("data");
    let junk = vault.join("junk.dump");
    std::fs::write(&junk, "PGDMP? no, just text\n".repeat(100)).unwrap();

    embedded("restore", &data, &junk).assert_refused(1, "is not a Job Copilot backup");
    assert!(!data.exists(), "no cluster was created for a junk file");

    embedded("restore", &data, &vault.join("missing.dump")).assert_refused(1, "cannot read");
    assert!(!data.exists());
}

#[actix_web::test]
async fn a_backup_that_cannot_be_written_or_has_nothing_to_dump_says_so() {
    let (dir, vault) = scratch();
    let data = dir.path().join("never-used");

    embedded("backup", &data, &vault.join("x.dump")).assert_refused(1, "nothing to back up");
    embedded("backup", &data, &dir.path().join("no/such/dir/x.dump"))
        .assert_refused(1, "cannot write");
    assert_eq!(std::fs::read_dir(&vault).unwrap().count(), 0);
    assert!(!data.exists());
}

#[actix_web::test]
async fn an_unreachable_database_exits_69() {
    let (_dir, vault) = scratch();
    let url = "postgres://postgres:pw@127.0.0.1:1/jobcopilot?connect_timeout=2";
    jobcopilot(
        &["backup", path_str(&vault.join("x.dump"))],
        &[
            ("DATABASE_URL", url),
            ("JOBCOPILOT_DATABASE_WAIT_SECONDS", "1"),
        ],
    )
    .assert_refused(69, "did not answer within 1 s");
    assert_eq!(std::fs::read_dir(&vault).unwrap().count(), 0);
}

/// `jobcopilot serve` on a data directory, stopped (SIGTERM) on drop.
struct Serve {
    child: Child,
    base: String,
}

impl Serve {
    async fn start(data: &Path) -> Serve {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_jobcopilot"))
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("JOBCOPILOT_DATA_DIR", data)
            .env("JOBCOPILOT_LISTEN", format!("127.0.0.1:{port}"))
            .env("JOBCOPILOT_SCHEDULER_TICK_SECONDS", "0")
            .env("JOBCOPILOT_REGISTRATION_LIMIT", "0")
            .env("JOBCOPILOT_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts");
        let serve = Serve {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..600 {
            if serve.ready().await {
                return serve;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("serve never became ready");
    }

    async fn ready(&self) -> bool {
        reqwest::get(format!("{}/readyz", self.base))
            .await
            .map(|r| r.status() == 200)
            .unwrap_or(false)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

#[actix_web::test]
async fn a_backup_while_serve_runs_attaches_to_its_cluster_and_leaves_it_serving() {
    let (dir, vault) = scratch();
    let (live, copy) = (dir.path().join("live"), dir.path().join("copy"));
    let file = vault.join("live.dump");
    let serve = Serve::start(&live).await;
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{}/api/v1/auth/register", serve.base))
        .json(&json!({"email": "ada@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let token = res.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = http
        .post(format!("{}/api/v1/applications", serve.base))
        .bearer_auth(&token)
        .json(&json!({"company": "Acme", "title": "Dev"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    embedded("backup", &live, &file).assert_success();
    assert!(serve.ready().await, "serve still answers after the backup");
    embedded("restore", &live, &file).assert_refused(1, "already holds data");
    assert!(serve.ready().await);

    embedded("restore", &copy, &file).assert_success();
    let restored = embedded_fingerprint(&copy).await;
    assert_eq!(count(&restored, "users"), 1, "{restored:?}");
    assert_eq!(count(&restored, "job_applications"), 1, "{restored:?}");
    let live_fp = embedded_fingerprint(&live).await;
    assert_eq!(restored, live_fp);
    assert!(
        serve.ready().await,
        "attaching for a fingerprint left it running"
    );
}

#[actix_web::test]
async fn a_database_url_backup_restores_into_an_empty_database_only() {
    let (_dir, vault) = scratch();
    let file = vault.join("external.dump");
    let (source, pool) = fresh_database().await;
    let settings = jobcopilot::config::Settings::from_pairs([
        ("listen", "127.0.0.1:0"),
        ("scheduler_tick_seconds", "0"),
        ("registration_limit", "0"),
    ])
    .unwrap();
    let app = spawn_with_pool(settings, source.clone(), pool).await;
    let (token, _) = app.user("grace@example.com").await;
    let application = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let id = application["id"].as_str().unwrap();
    let res = app
        .post(
            &token,
            &format!("/api/v1/applications/{id}/notes"),
            json!({"body": "Call back on Monday"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);

    external("backup", &database_url(&source), &file).assert_success();

    let target = format!("r_{}", Uuid::now_v7().simple());
    let (admin, conn) = cluster()
        .config("postgres")
        .connect(tokio_postgres::NoTls)
        .await
        .unwrap();
    actix_web::rt::spawn(async move {
        let _ = conn.await;
    });
    admin
        .batch_execute(&format!("CREATE DATABASE {target}"))
        .await
        .unwrap();
    // A URL with a password (passed to pg_restore in PGPASSWORD; the test
    // cluster trusts its socket, so any password does).
    let socket = database_url(&target);
    let host = socket
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("host="))
        .unwrap()
        .to_owned();
    let url = format!("postgresql://postgres:s3cret@/{target}?host={host}");
    external("restore", &url, &file).assert_success();

    let original = fingerprint(cluster().config(&source)).await;
    let restored = fingerprint(cluster().config(&target)).await;
    assert_eq!(count(&original, "notes"), 1, "{original:?}");
    assert_eq!(restored, original);

    external("restore", &url, &file).assert_refused(1, "already holds data");
    external("restore", &database_url(&source), &file).assert_refused(1, "already holds data");
    assert_eq!(fingerprint(cluster().config(&target)).await, original);
    let _ = admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {target} WITH (FORCE)"))
        .await;
}
