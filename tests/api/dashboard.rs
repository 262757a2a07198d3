//! The dashboard: figures from the actor's memory, always equal to a fresh
//! computation from PostgreSQL.

use jobcopilot::actors::user_state::{GetDashboard, WorkingSet};
use jobcopilot::actors::UserActor;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::helpers::{spawn_app, TestApp};

const STATUSES: [&str; 10] = [
    "wishlist",
    "applied",
    "screening",
    "interviewing",
    "offer",
    "accepted",
    "declined",
    "rejected",
    "withdrawn",
    "ghosted",
];

async fn compare(app: &TestApp, user: uuid::Uuid, step: &str) {
    let at = OffsetDateTime::now_utc();
    let actor = app.registry.send(UserActor(user)).await.unwrap();
    let from_memory = actor
        .send(GetDashboard { at: Some(at) })
        .await
        .unwrap()
        .unwrap();
    let fresh = WorkingSet::load(app.pool.clone(), user)
        .await
        .unwrap()
        .aggregates
        .dashboard(at);
    assert_eq!(from_memory, fresh, "after {step}");
}

#[actix_web::test]
async fn random_writes_keep_the_actors_figures_equal_to_a_fresh_computation() {
    let app = spawn_app().await;
    let (token, user) = app.user("ada@example.com").await;
    let user: uuid::Uuid = user.parse().unwrap();
    for seed in [7_u64, 42, 2026] {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut ids: Vec<String> = Vec::new();
        let mut interviews: Vec<String> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        for step in 0..60 {
            let op = rng.gen_range(0..100);
            let label;
            if ids.is_empty() || op < 25 {
                let status = STATUSES[rng.gen_range(0..STATUSES.len())];
                let source = ["LinkedIn", "referral", "site"][rng.gen_range(0..3)];
                let mut body = json!({"company": format!("Co {seed}-{step}"), "title": "Dev", "status": status, "source": source});
                if rng.gen_bool(0.5) {
                    body["applied_on"] = json!(format!(
                        "2026-{:02}-{:02}",
                        rng.gen_range(8..12),
                        rng.gen_range(1..28)
                    ));
                }
                if rng.gen_bool(0.3) {
                    body["deadline"] = json!(format!("2026-12-{:02}", rng.gen_range(1..28)));
                }
                if rng.gen_bool(0.3) {
                    body["next_action_at"] =
                        json!(format!("2026-11-{:02}T10:00:00Z", rng.gen_range(1..30)));
                }
                let res = app.post(&token, "/api/v1/applications", body).await;
                assert_eq!(res.status, 201, "{}", res.text);
                ids.push(res.id());
                label = "create";
            } else {
                let id = ids[rng.gen_range(0..ids.len())].clone();
                let path = format!("/api/v1/applications/{id}");
                match op {
                    25..=54 => {
                        // A status change: allowed ones succeed, others are refused.
                        let status = STATUSES[rng.gen_range(0..STATUSES.len())];
                        let res = app.patch(&token, &path, json!({"status": status})).await;
                        assert!(res.status == 200 || res.status == 422, "{}", res.text);
                        label = "status change";
                    }
                    55..=66 => {
                        let body = json!({"source": if rng.gen_bool(0.5) { Value::Null } else { json!("LinkedIn") },
                            "applied_on": format!("2026-11-{:02}", rng.gen_range(1..25))});
                        assert_eq!(app.patch(&token, &path, body).await.status, 200);
                        label = "edit";
                    }
                    67..=76 => {
                        let res = app
                            .post(&token, &format!("{path}/notes"), json!({"body": "called"}))
                            .await;
                        notes.push(res.id());
                        label = "note";
                    }
                    77..=84 => {
                        let days = rng.gen_range(-20..20);
                        let at = OffsetDateTime::now_utc() + time::Duration::days(days);
                        let outcomes = ["scheduled", "completed", "cancelled"];
                        let outcome = outcomes[rng.gen_range(0..3)];
                        let res = app
                            .post(&token, "/api/v1/interviews", json!({"application_id": id,
                                "scheduled_at": jobcopilot::domain::time::format_timestamp(at), "outcome": outcome}))
                            .await;
                        assert_eq!(res.status, 201, "{}", res.text);
                        interviews.push(res.id());
                        label = "interview";
                    }
                    85..=89 if !notes.is_empty() => {
                        let n = notes.swap_remove(rng.gen_range(0..notes.len()));
                        let _ = app.delete(&token, &format!("/api/v1/notes/{n}")).await;
                        label = "note delete";
                    }
                    90..=93 if !interviews.is_empty() => {
                        let i = interviews.swap_remove(rng.gen_range(0..interviews.len()));
                        let _ = app.delete(&token, &format!("/api/v1/interviews/{i}")).await;
                        label = "interview delete";
                    }
                    _ => {
                        let idx = rng.gen_range(0..ids.len());
                        let id = ids.swap_remove(idx);
                        assert_eq!(
                            app.delete(&token, &format!("/api/v1/applications/{id}"))
                                .await
                                .status,
                            204
                        );
                        label = "delete";
                    }
                }
            }
            compare(&app, user, &format!("seed {seed}, step {step}: {label}")).await;
        }
    }
    // A change of time zone recomputes every date-based figure.
    app.patch(
        &token,
        "/api/v1/me",
        json!({"timezone": "Pacific/Auckland"}),
    )
    .await;
    compare(&app, user, "time zone change").await;
}

#[actix_web::test]
async fn a_known_history_gives_exactly_the_contracts_figures() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let today = OffsetDateTime::now_utc().date();
    let day = |back: i64| (today - time::Duration::days(back)).to_string();
    let mk = |company: &str, applied: &str| json!({"company": company, "title": "Dev", "status": "applied", "applied_on": applied, "source": "LinkedIn"});
    let a = app.application(&token, mk("A", &day(3))).await;
    let b = app.application(&token, mk("B", &day(3))).await;
    let c = app.application(&token, mk("C", &day(3))).await;
    let d = app.application(&token, mk("D", &day(3))).await;
    app.application(&token, mk("E", &day(3))).await;
    app.application(&token, json!({"company": "W", "title": "Dev"}))
        .await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    app.walk(&token, &id(&a), &["screening", "interviewing", "offer"])
        .await;
    app.walk(&token, &id(&b), &["rejected"]).await;
    app.walk(&token, &id(&c), &["ghosted"]).await;
    app.walk(&token, &id(&d), &["withdrawn"]).await;

    let res = app.get(&token, "/api/v1/dashboard").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let dash = res.body;
    assert_eq!(dash["totals"]["all"], 6);
    assert_eq!(
        dash["totals"]["active"], 4,
        "wishlist, offer, ghosted, applied"
    );
    assert_eq!(dash["totals"]["by_status"]["withdrawn"], 1);
    let funnel: Vec<i64> = dash["funnel"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["count"].as_i64().unwrap())
        .collect();
    assert_eq!(
        funnel,
        [5, 1, 1, 1, 0],
        "withdrawn after applied still reached applied"
    );
    assert_eq!(dash["funnel"][0]["rate_from_previous"], Value::Null);
    assert_eq!(dash["funnel"][1]["rate_from_previous"], 0.2);
    assert_eq!(
        dash["rates"]["response_rate"], 0.4,
        "offer path and rejection"
    );
    assert_eq!(dash["rates"]["interview_rate"], 0.2);
    assert_eq!(dash["median_days_to_response"], 3.0);
    assert_eq!(
        dash["by_source"][0],
        json!({"source": "LinkedIn", "applied": 5, "responded": 2, "response_rate": 0.4})
    );
    assert_eq!(dash["weekly"].as_array().unwrap().len(), 12);
    let applied_total: i64 = dash["weekly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["applied"].as_i64().unwrap())
        .sum();
    assert_eq!(applied_total, 5);
    assert_eq!(
        dash["recommendations"].as_array().unwrap().len(),
        4,
        "active applications only"
    );

    // Right after a write, the figures move.
    app.walk(&token, &id(&a), &["accepted"]).await;
    let after = app.get(&token, "/api/v1/dashboard").await.body;
    assert_eq!(after["funnel"][4]["count"], 1);
    assert_eq!(after["totals"]["active"], 3);
    // An undo takes it back.
    app.walk(&token, &id(&a), &["offer"]).await;
    let undone = app.get(&token, "/api/v1/dashboard").await.body;
    assert_eq!(
        undone["funnel"][4]["count"], 0,
        "undone entries are ignored"
    );
}
