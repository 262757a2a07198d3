//! The OpenAPI document against the running code: schemathesis (PyPI, pinned
//! in tests/peers/schemathesis/requirements.txt, installed by scripts/test)
//! generates requests from the served document, valid and invalid, and checks
//! every answer against it. A fixed seed makes the run repeatable.
//!
//! Checks: all of schemathesis's but two. `positive_data_acceptance`
//! demands that every request the schema allows succeeds. A JSON Schema cannot
//! say what is valid only *now*: an opaque cursor from an earlier page, a
//! status change the pipeline allows from the current status, `If-Match`
//! naming the current version, `salary_min` ≤ `salary_max`, `from` ≤ `to`,
//! at least one preference weight above 0, a token expiry in the future.
//! Those answer 400, 412 or 422 by design (each is covered by its own test).
//! And `ensure_resource_availability`, which reads any 404 right after a
//! create as "the created resource is missing": a draft request may name an
//! interview in its body, and an interview that is not the application's
//! answers 404 as the contract wants (like another user's: no existence
//! leaks) although the application in the path was just created and exists.
//! (Its per-operation switch is not honoured in the stateful phase, the only
//! one where the check runs.)
//!
//! Settings only a configuration file can give are in
//! tests/peers/schemathesis/schemathesis.toml, each with its reason (the live
//! event stream is read up to its first frame).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp};

/// The fixed seed of the generated run.
const SEED: &str = "20261130";
/// Generated cases per operation and phase (the coverage phase adds its own
/// boundary cases); the whole run stays well under two minutes on two cores.
const MAX_EXAMPLES: &str = "5";

fn peer_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/schemathesis")
}

/// The schemathesis executable: `JC_SCHEMATHESIS`, else the venv scripts/test makes.
fn schemathesis() -> PathBuf {
    let path = std::env::var_os("JC_SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| peer_dir().join(".venv/bin/schemathesis"));
    assert!(
        path.is_file(),
        "schemathesis is not installed at {}: run scripts/test (it installs the pinned version \
         from tests/peers/schemathesis/requirements.txt), or python3 -m venv \
         tests/peers/schemathesis/.venv && tests/peers/schemathesis/.venv/bin/pip install -r \
         tests/peers/schemathesis/requirements.txt",
        path.display()
    );
    path
}

/// Data for the generated requests to find: an application with a note, an
/// interview and a draft, a calendar feed, preferences and a profile.
async fn seed_data(app: &TestApp, token: &str) {
    let first = app
        .application(
            token,
            json!({"company": "Acme", "title": "Rust engineer", "status": "applied",
                   "url": "https://jobs.example.com/1", "tags": ["rust"],
                   "job_description": "Requirements: Rust, PostgreSQL."}),
        )
        .await;
    let id = first["id"].as_str().expect("id").to_owned();
    app.application(
        token,
        json!({"company": "Globex", "title": "Platform engineer"}),
    )
    .await;
    for (path, body) in [
        (
            format!("/api/v1/applications/{id}/notes"),
            json!({"body": "Called the recruiter"}),
        ),
        (
            "/api/v1/interviews".to_owned(),
            json!({"application_id": id, "scheduled_at": "2030-01-02T10:00:00Z", "kind": "technical"}),
        ),
        (
            format!("/api/v1/applications/{id}/generations"),
            json!({"kind": "cover_letter"}),
        ),
        ("/api/v1/calendar-feed".to_owned(), json!({})),
    ] {
        let res = app.post(token, &path, body).await;
        assert!(res.status.is_success(), "{path}: {}", res.text);
    }
    let res = app
        .req(Method::PUT, "/api/v1/preferences")
        .bearer(token)
        .json(&json!({"preferred_locations": ["Berlin"], "work_modes": ["remote"]}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .req(Method::PUT, "/api/v1/profile")
        .bearer(token)
        .json(&json!({"headline": "Rust engineer", "skills": ["Rust", "PostgreSQL"]}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[actix_web::test]
async fn the_served_openapi_document_holds_for_generated_requests() {
    let program = schemathesis();
    let app = spawn_app().await;
    let (token, _) = app.user("fuzz@example.com").await;
    seed_data(&app, &token).await;

    let doc = app
        .req(Method::GET, "/api/v1/openapi.json")
        .send()
        .await
        .body;

    let work = tempfile::tempdir().expect("work dir");
    let started = Instant::now();
    let child = tokio::process::Command::new(&program)
        .arg("--config-file")
        .arg(peer_dir().join("schemathesis.toml"))
        .arg("run")
        .arg(format!("{}/api/v1/openapi.json", app.address))
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args([
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance,ensure_resource_availability",
        ])
        .args(["--seed", SEED, "--generation-deterministic"])
        .args(["--max-examples", MAX_EXAMPLES])
        .args(["--request-timeout", "20", "--no-color"])
        .current_dir(work.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("schemathesis starts");
    let output = tokio::time::timeout(Duration::from_secs(600), child.wait_with_output())
        .await
        .expect("schemathesis finishes within 10 minutes")
        .expect("schemathesis runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "schemathesis found failures (exit {:?}, {:.0?}):\n{stdout}\n{stderr}",
        output.status.code(),
        started.elapsed(),
    );
    // Every documented operation was tested, and nothing failed.
    let summary: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("Tested:") || l.contains("generated,") || l.contains("Selected:"))
        .collect();
    println!("schemathesis in {:.0?}: {summary:?}", started.elapsed());
    let operations = doc["paths"]
        .as_object()
        .map(|paths| {
            paths
                .values()
                .map(|p| p.as_object().map_or(0, |m| m.len()))
                .sum::<usize>()
        })
        .unwrap_or_default();
    assert!(
        stdout.contains(&format!("Tested: {operations}")),
        "every operation is tested ({operations} documented):\n{stdout}"
    );
    assert!(stdout.contains(" passed"), "{stdout}");
}
