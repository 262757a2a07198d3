//! The production path to PostgreSQL: a real server with `ssl=on` and a
//! `pg_hba.conf` that refuses plaintext over TCP, certificates made by the
//! test; each `sslmode` means what libpq says; the binary starts over TLS,
//! and refuses a certificate it cannot trust with one line and exit 78; a
//! database that never answers is exit 69; the command line's mistakes 64.

use crate::helpers::free_port;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output};

use jobcopilot::config::Settings;
use jobcopilot::store::connect::{self, Refusal};
use jobcopilot::store::embedded::{EmbeddedOptions, EmbeddedPostgres};
use serde_json::json;

use crate::replicas::Replica;

/// A PostgreSQL listening on 127.0.0.1 and 127.0.0.2 with TLS only (its
/// certificate names localhost and 127.0.0.1, signed by the test's CA).
struct TlsPostgres {
    dir: tempfile::TempDir,
    _pg: EmbeddedPostgres,
    port: u16,
}

fn server_user() -> Option<(u32, u32)> {
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let name = std::ffi::CString::new("postgres").unwrap();
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    assert!(!pw.is_null(), "running as root needs a postgres user");
    Some(unsafe { ((*pw).pw_uid, (*pw).pw_gid) })
}

impl TlsPostgres {
    async fn start() -> TlsPostgres {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
        crate::dovecot::make_certificates(root);
        // The server reads its key as itself, and only a key no one else can read.
        std::fs::set_permissions(
            root.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        if let Some((uid, gid)) = server_user() {
            for file in ["server.key", "server.pem"] {
                std::os::unix::fs::chown(root.join(file), Some(uid), Some(gid)).unwrap();
            }
        }
        std::fs::write(
            root.join("pg_hba.conf"),
            "local all all trust\n\
             hostssl all all 127.0.0.0/8 trust\n\
             hostnossl all all 127.0.0.0/8 reject\n",
        )
        .unwrap();
        std::fs::set_permissions(
            root.join("pg_hba.conf"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let port = free_port();
        let pg = EmbeddedPostgres::start(EmbeddedOptions {
            cluster_dir: root.join("cluster"),
            durable: false,
            server_settings: vec![
                format!("port={port}"),
                "listen_addresses=127.0.0.1,127.0.0.2".into(),
                "ssl=on".into(),
                format!("ssl_cert_file={}", root.join("server.pem").display()),
                format!("ssl_key_file={}", root.join("server.key").display()),
                format!("hba_file={}", root.join("pg_hba.conf").display()),
            ],
        })
        .await
        .expect("the TLS cluster starts");
        TlsPostgres { dir, _pg: pg, port }
    }

    fn url(&self, host: &str, query: &str) -> String {
        format!("postgres://postgres@{host}:{}/postgres?{query}", self.port)
    }

    fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A CA that signed nothing of this server's.
    fn other_ca(&self) -> PathBuf {
        let path = self.dir.path().join("other.pem");
        if !path.exists() {
            crate::dovecot::make_ca(self.dir.path(), "other", "Another CA");
        }
        path
    }
}

/// Connects as the settings say; answers whether the session is encrypted,
/// or the refusal as start-up would judge it.
async fn session_encrypted(pairs: &[(&str, &str)]) -> Result<bool, Refusal> {
    let settings = Settings::from_pairs(pairs.iter().copied()).expect("the settings are good");
    let db = settings.database.expect("a database");
    let (config, tls) = connect::configure(&db).expect("a configuration");
    if let Err(e) = connect::probe(&config, &tls).await {
        return Err(connect::judge(&e, &connect::host_of(&config), db.ssl_mode));
    }
    let pool = connect::pool_with(config, 1, &tls).unwrap();
    let client = pool.get().await.expect("a pooled connection");
    let row = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .unwrap();
    Ok(row.get(0))
}

fn setting_refused(outcome: Result<bool, Refusal>, words: &str) {
    match outcome {
        Err(Refusal::Setting(why)) => assert!(why.contains(words), "{words:?} in {why:?}"),
        other => panic!("refused for {words:?} expected, got {other:?}"),
    }
}

#[actix_web::test]
async fn each_sslmode_means_what_libpq_says_against_a_server_that_refuses_plaintext() {
    let pg = TlsPostgres::start().await;
    let ca = pg.ca().display().to_string();
    let other = pg.other_ca().display().to_string();
    let url = |host: &str, mode: &str| pg.url(host, &format!("sslmode={mode}"));

    // verify-full: the chain and the name, with the CA given.
    let full = url("localhost", "verify-full");
    assert_eq!(
        session_encrypted(&[("database_url", &full), ("database_ca_file", &ca)]).await,
        Ok(true)
    );
    // The same CA named in the URL, as libpq's sslrootcert.
    let rootcert = pg.url(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    assert_eq!(
        session_encrypted(&[("database_url", &rootcert)]).await,
        Ok(true)
    );
    // Without the CA the system's roots do not know it; another host name
    // is not the certificate's.
    setting_refused(
        session_encrypted(&[("database_url", &full)]).await,
        "JOBCOPILOT_DATABASE_CA_FILE",
    );
    setting_refused(
        session_encrypted(&[
            ("database_url", &url("127.0.0.2", "verify-full")),
            ("database_ca_file", &ca),
        ])
        .await,
        "not valid for 127.0.0.2",
    );
    setting_refused(
        session_encrypted(&[("database_url", &full), ("database_ca_file", &other)]).await,
        "authority",
    );
    // verify-ca: the chain only, so the other name is fine.
    assert_eq!(
        session_encrypted(&[
            ("database_url", &url("127.0.0.2", "verify-ca")),
            ("database_ca_file", &ca),
        ])
        .await,
        Ok(true)
    );
    // require: encrypted, unchecked without a CA; with one, the chain is
    // checked (as libpq does with a root certificate).
    assert_eq!(
        session_encrypted(&[("database_url", &url("127.0.0.2", "require"))]).await,
        Ok(true)
    );
    setting_refused(
        session_encrypted(&[
            ("database_url", &url("localhost", "require")),
            ("database_ca_file", &other),
        ])
        .await,
        "authority",
    );
    // prefer (the default) takes the TLS the server offers.
    assert_eq!(
        session_encrypted(&[("database_url", &pg.url("localhost", ""))]).await,
        Ok(true)
    );
    // disable: plaintext, which this server refuses; never a silent retry.
    setting_refused(
        session_encrypted(&[("database_url", &url("localhost", "disable"))]).await,
        "no encryption",
    );
}

/// `jobcopilot ARGS` with only these settings, from an empty directory.
fn jobcopilot(args: &[&str], env: &[(&str, &str)]) -> Output {
    let cwd = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jobcopilot"));
    cmd.args(args)
        .current_dir(cwd.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("JOBCOPILOT_LOG", "error");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

/// The exit code and the one line on standard error of a refusal.
fn refused(out: &Output, code: i32, words: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {stderr}");
    for w in words {
        assert!(lines[0].contains(w), "{w:?} in {stderr}");
    }
}

#[actix_web::test]
async fn the_binary_serves_over_tls_and_refuses_what_cannot_work_with_one_line_and_its_code() {
    let pg = TlsPostgres::start().await;
    let ca = pg.ca().display().to_string();
    let full = pg.url("localhost", "sslmode=verify-full");
    let tls_env = [
        ("DATABASE_URL", full.as_str()),
        ("JOBCOPILOT_DATABASE_CA_FILE", ca.as_str()),
    ];

    let out = jobcopilot(&["migrate"], &tls_env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A replica over TLS: it signs people up and writes.
    let replica = Replica::start("postgres", &tls_env).await;
    let token = replica.user("ada@example.com").await;
    let (status, body) = replica
        .call(
            Some(&token),
            reqwest::Method::POST,
            "/api/v1/applications",
            Some(json!({"company": "Acme", "title": "Engineer"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    drop(replica);

    // A certificate it cannot trust, a name it does not carry, plaintext
    // refused by the server: 78, one line naming DATABASE_URL.
    refused(
        &jobcopilot(&["migrate"], &[("DATABASE_URL", &full)]),
        78,
        &["DATABASE_URL", "JOBCOPILOT_DATABASE_CA_FILE"],
    );
    refused(
        &jobcopilot(
            &["migrate"],
            &[
                ("DATABASE_URL", &pg.url("127.0.0.2", "sslmode=verify-full")),
                ("JOBCOPILOT_DATABASE_CA_FILE", &ca),
            ],
        ),
        78,
        &["DATABASE_URL", "not valid for 127.0.0.2"],
    );
    refused(
        &jobcopilot(
            &["migrate"],
            &[("DATABASE_URL", &pg.url("localhost", "sslmode=disable"))],
        ),
        78,
        &["DATABASE_URL", "no encryption"],
    );
}

#[test]
fn settings_are_checked_before_any_connection_and_the_command_line_before_them() {
    // Nothing listens on this port: only a setting can be the answer.
    let closed = format!("postgres://postgres@127.0.0.1:{}/jc", free_port());
    let not_pem = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(not_pem.path(), "not a certificate").unwrap();
    let not_pem = not_pem.path().display().to_string();
    for (env, words) in [
        (
            vec![(
                "DATABASE_URL",
                format!("{closed}?sslmode=verify-everything"),
            )],
            vec!["DATABASE_URL", "sslmode"],
        ),
        (
            vec![
                ("DATABASE_URL", format!("{closed}?sslmode=verify-full")),
                ("JOBCOPILOT_DATABASE_CA_FILE", not_pem.clone()),
            ],
            vec!["JOBCOPILOT_DATABASE_CA_FILE", "certificate"],
        ),
        (
            vec![
                ("REDIS_URL", "rediss://127.0.0.1:1".to_owned()),
                ("JOBCOPILOT_REDIS_CA_FILE", "/nonexistent/ca.pem".to_owned()),
            ],
            vec!["JOBCOPILOT_REDIS_CA_FILE"],
        ),
        (
            vec![
                ("DATABASE_URL", closed.clone()),
                ("DATABASE_URL_FILE", "/nonexistent/url".to_owned()),
            ],
            vec!["DATABASE_URL", "DATABASE_URL_FILE"],
        ),
        (
            vec![("JOBCOPILOT_REGISTRATION_LIMIT", "many".to_owned())],
            vec!["JOBCOPILOT_REGISTRATION_LIMIT"],
        ),
    ] {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        refused(&jobcopilot(&["migrate"], &env), 78, &words);
    }
    // The command line: 64 for a mistake, 0 for help and version.
    let out = jobcopilot(&["frobnicate"], &[]);
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("frobnicate"));
    for asked in ["--help", "--version"] {
        let out = jobcopilot(&[asked], &[]);
        assert_eq!(out.status.code(), Some(0), "{asked}");
        assert!(!out.stdout.is_empty(), "{asked}");
    }
}

#[test]
fn a_database_that_never_answers_is_exit_69_after_the_wait() {
    let closed = format!("postgres://postgres@127.0.0.1:{}/jc", free_port());
    refused(
        &jobcopilot(
            &["migrate"],
            &[
                ("DATABASE_URL", &closed),
                ("JOBCOPILOT_DATABASE_WAIT_SECONDS", "1"),
            ],
        ),
        69,
        &[
            "DATABASE_URL",
            "did not answer within 1 s",
            "JOBCOPILOT_DATABASE_WAIT_SECONDS",
        ],
    );
}
