//! `jobcopilot users …` run as separate processes against a running server's
//! database: what they change takes effect in the server at once.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

/// Runs `jobcopilot users <args>` on the app's database, with `stdin`.
fn users(app: &TestApp, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jobcopilot"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", app.database_url())
        .arg("users")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("jobcopilot runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

async fn token_for(app: &TestApp, email: &str, password: &str) -> Res {
    app.post(
        "",
        "/api/v1/auth/token",
        json!({"email": email, "password": password}),
    )
    .await
}

async fn session_for(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let b = browser();
    let res = submit(
        app,
        &b,
        "/auth/login",
        "/auth/local/login",
        &[("email", email), ("password", password)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    b
}

async fn me(app: &TestApp, b: &reqwest::Client) -> StatusCode {
    b.get(format!("{}/api/v1/me", app.address))
        .send()
        .await
        .unwrap()
        .status()
}

#[actix_web::test]
async fn operators_create_disable_enable_reset_and_delete_accounts_of_a_running_server() {
    let app = spawn_app_with(&[("registration", "closed")]).await;
    // create: a one-time password printed once; or one from standard input.
    let out = stdout(&users(
        &app,
        &["create", "ada@example.com", "--name", "Ada"],
        None,
    ));
    let password = out
        .split("(shown this once): ")
        .nth(1)
        .expect("the password is printed")
        .trim()
        .to_owned();
    assert!(password.len() >= 16, "{out}");
    let res = token_for(&app, "ada@example.com", &password).await;
    assert_eq!(
        res.status, 201,
        "registration closed does not stop an operator"
    );
    let token = res.body["token"].as_str().unwrap().to_owned();
    let out = stdout(&users(
        &app,
        &["create", "bob@example.com", "--password-stdin"],
        Some("bobs long password\n"),
    ));
    assert!(!out.contains("shown this once"), "{out}");
    assert_eq!(
        token_for(&app, "bob@example.com", "bobs long password")
            .await
            .status,
        201
    );
    let short = users(
        &app,
        &["create", "eve@example.com", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!short.status.success());
    let list = stdout(&users(&app, &["list"], None));
    assert!(
        list.contains("ada@example.com") && list.contains("bob@example.com"),
        "{list}"
    );
    assert!(list.contains("2 accounts"), "{list}");
    assert!(!list.contains("eve@example.com"));

    // disable: sign-in, token and session stop at once (the cached token too).
    let b = session_for(&app, "ada@example.com", &password).await;
    assert_eq!(
        app.get(&token, "/api/v1/me").await.status,
        200,
        "the token is cached now"
    );
    stdout(&users(&app, &["disable", "ada@example.com"], None));
    let mut refused = false;
    for _ in 0..50 {
        if app.get(&token, "/api/v1/me").await.status == 401 {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused, "the disabled account's token stopped working");
    assert_eq!(me(&app, &b).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        token_for(&app, "ada@example.com", &password).await.status,
        401
    );
    assert!(stdout(&users(&app, &["list"], None)).contains("disabled"));
    // enable: the same credentials work again.
    stdout(&users(&app, &["enable", "ada@example.com"], None));
    assert_eq!(app.get(&token, "/api/v1/me").await.status, 200);
    assert_eq!(me(&app, &b).await, StatusCode::OK);

    // reset-password: the old one stops, the new one works, sessions end.
    stdout(&users(
        &app,
        &["reset-password", "ada@example.com", "--password-stdin"],
        Some("a brand new password\n"),
    ));
    assert_eq!(
        token_for(&app, "ada@example.com", &password).await.status,
        401
    );
    assert_eq!(
        token_for(&app, "ada@example.com", "a brand new password")
            .await
            .status,
        201
    );
    assert_eq!(me(&app, &b).await, StatusCode::UNAUTHORIZED);
    let out = stdout(&users(&app, &["reset-password", "bob@example.com"], None));
    let bobs = out
        .split("(shown this once): ")
        .nth(1)
        .unwrap()
        .trim()
        .to_owned();
    assert_eq!(token_for(&app, "bob@example.com", &bobs).await.status, 201);

    // delete: the account and its data are gone; the token stops at once.
    app.application(&token, json!({"company": "Acme", "title": "Engineer"}))
        .await;
    stdout(&users(&app, &["delete", "ada@example.com"], None));
    assert_eq!(app.get(&token, "/api/v1/me").await.status, 401);
    let client = app.pool.get().await.unwrap();
    let left: i64 = client
        .query_one(
            "SELECT (SELECT count(*) FROM users WHERE lower(email) = 'ada@example.com') \
                  + (SELECT count(*) FROM job_applications)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0);

    // An unknown email: non-zero, one line naming it.
    for command in ["disable", "enable", "delete", "reset-password"] {
        let out = users(&app, &[command, "nobody@example.com"], None);
        assert!(!out.status.success(), "{command}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("jobcopilot:"))
            .collect();
        assert_eq!(line.len(), 1, "{stderr}");
        assert!(line[0].contains("nobody@example.com"), "{stderr}");
    }
}
