//! The scheduler, snapshots and reminders.

use std::time::Duration;

use jobcopilot::actors::scheduler::{run_job, RunDue, TickReport};
use serde_json::json;
use time::OffsetDateTime;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn each_slot_runs_exactly_once_and_writes_snapshots() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    app.application(
        &token,
        json!({"company": "Acme", "title": "Dev", "status": "applied"}),
    )
    .await;
    let now = OffsetDateTime::now_utc();
    let first = app.scheduler.send(RunDue { now }).await.unwrap();
    assert_eq!(
        first.ran,
        ["snapshots", "reminders", "housekeeping", "rescore"],
        "{first:?}"
    );
    let again = app.scheduler.send(RunDue { now }).await.unwrap();
    assert_eq!(
        again,
        TickReport::default(),
        "the same slots never run twice"
    );
    let days = app
        .get(&token, "/api/v1/analytics/snapshots?period=day")
        .await;
    let items = days.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "yesterday and today: {}", days.text);
    assert_eq!(items[1]["metrics"]["totals"]["all"], 1);
    assert_eq!(items[0]["period"], "day");
    let weeks = app
        .get(&token, "/api/v1/analytics/snapshots?period=week")
        .await;
    assert_eq!(weeks.body["items"].as_array().unwrap().len(), 2);
    app.get(&token, "/api/v1/analytics/snapshots?period=month")
        .await
        .assert_problem(400, "bad_request");
}

#[actix_web::test]
async fn a_refresh_recomputes_the_users_snapshots_from_history() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(
            &token,
            json!({"company": "Acme", "title": "Dev", "status": "applied"}),
        )
        .await;
    app.walk(&token, a["id"].as_str().unwrap(), &["screening"])
        .await;
    let res = app
        .post(&token, "/api/v1/analytics/refresh", json!({}))
        .await;
    assert_eq!(res.status, 202);
    let mut items = Vec::new();
    for _ in 0..200 {
        let page = app
            .get(&token, "/api/v1/analytics/snapshots?period=day&limit=200")
            .await;
        items = page.body["items"].as_array().unwrap().clone();
        if items.len() == 30 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(items.len(), 30);
    let today = items.last().unwrap();
    assert_eq!(today["metrics"]["totals"]["by_status"]["screening"], 1);
    assert_eq!(today["metrics"]["rates"]["response_rate"], 1.0);
    assert_eq!(
        items[0]["metrics"]["totals"]["all"], 0,
        "a month ago there was nothing"
    );
}

#[actix_web::test]
async fn due_reminders_are_raised_once_as_events() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let old = (OffsetDateTime::now_utc().date() - time::Duration::days(10)).to_string();
    let a = app
        .application(
            &token,
            json!({"company": "Acme", "title": "Dev", "status": "applied", "applied_on": old}),
        )
        .await;
    let res = app.open_stream(&token).await;
    let now = OffsetDateTime::now_utc();
    let report = app.scheduler.send(RunDue { now }).await.unwrap();
    assert!(report.ran.contains(&"reminders".to_owned()));
    let later = app
        .scheduler
        .send(RunDue {
            now: now + time::Duration::minutes(5),
        })
        .await
        .unwrap();
    assert!(later.ran.contains(&"reminders".to_owned()));
    let client = app.pool.get().await.unwrap();
    let n: i64 = client
        .query_one(
            "SELECT count(*) FROM reminders WHERE kind = 'follow_up'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1, "raised once");
    let mut stream = res.bytes_stream();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !text.contains("event: reminder.due") {
        use futures_util::StreamExt;
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
            _ => break,
        }
    }
    assert!(text.contains("event: reminder.due"), "{text}");
    assert!(text.contains(a["id"].as_str().unwrap()));
    assert!(text.contains("\"kind\":\"follow_up\""));
}

#[actix_web::test]
async fn a_failing_or_panicking_job_releases_its_slot_for_the_next_tick() {
    let app = spawn_app().await;
    let mut report = TickReport::default();
    run_job(
        &app.pool,
        "me",
        "test-job",
        "slot-1",
        async { Err(jobcopilot::error::Error::Internal("boom".into())) },
        &mut report,
    )
    .await;
    run_job(
        &app.pool,
        "me",
        "test-panic",
        "slot-1",
        async { panic!("job panicked") },
        &mut report,
    )
    .await;
    assert_eq!(report.failed, ["test-job", "test-panic"]);
    // Both can run again.
    run_job(
        &app.pool,
        "me",
        "test-job",
        "slot-1",
        async { Ok("fine".to_owned()) },
        &mut report,
    )
    .await;
    run_job(
        &app.pool,
        "me",
        "test-panic",
        "slot-1",
        async { Ok("fine".to_owned()) },
        &mut report,
    )
    .await;
    assert_eq!(report.ran, ["test-job", "test-panic"]);
    // And the scheduler itself still answers.
    assert!(!app
        .scheduler
        .send(RunDue {
            now: OffsetDateTime::now_utc()
        })
        .await
        .unwrap()
        .ran
        .is_empty());
}

#[actix_web::test]
async fn housekeeping_removes_expired_sessions_and_tokens() {
    let app = spawn_app().await;
    let (token, user) = app.user("ada@example.com").await;
    app.post(
        &token,
        "/api/v1/tokens",
        json!({"name": "old", "expires_at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let client = app.pool.get().await.unwrap();
    let user: uuid::Uuid = user.parse().unwrap();
    client.execute("UPDATE api_tokens SET expires_at = now() - interval '1 hour' WHERE user_id = $1 AND name = 'old'", &[&user]).await.unwrap();
    app.scheduler
        .send(RunDue {
            now: OffsetDateTime::now_utc(),
        })
        .await
        .unwrap();
    let left: i64 = client
        .query_one("SELECT count(*) FROM api_tokens WHERE name = 'old'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
    assert_eq!(
        app.get(&token, "/api/v1/me").await.status,
        200,
        "live tokens stay"
    );
}

#[actix_web::test]
async fn reminders_follow_the_users_own_delays() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let res = app
        .req(reqwest::Method::PUT, "/api/v1/preferences")
        .bearer(&token)
        .json(&json!({"follow_up_after_days": 30}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    let old = (OffsetDateTime::now_utc().date() - time::Duration::days(10)).to_string();
    app.application(
        &token,
        json!({"company": "Acme", "title": "Dev", "status": "applied", "applied_on": old}),
    )
    .await;
    app.scheduler
        .send(RunDue {
            now: OffsetDateTime::now_utc(),
        })
        .await
        .unwrap();
    let client = app.pool.get().await.unwrap();
    let n: i64 = client
        .query_one(
            "SELECT count(*) FROM reminders WHERE kind = 'follow_up'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "ten days is not yet thirty");
    let dash = app.get(&token, "/api/v1/dashboard").await.body;
    assert!(dash["upcoming"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["kind"] != "follow_up"));
}
