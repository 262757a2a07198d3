use serde_json::{json, Value};

use crate::helpers::spawn_app;

const ALL: [&str; 10] = [
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

/// (status, how to reach it from wishlist, what is allowed from it).
fn table() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    vec![
        ("wishlist", vec![], vec!["applied", "withdrawn"]),
        (
            "applied",
            vec!["applied"],
            vec![
                "screening",
                "interviewing",
                "offer",
                "rejected",
                "withdrawn",
                "ghosted",
            ],
        ),
        (
            "screening",
            vec!["applied", "screening"],
            vec!["interviewing", "offer", "rejected", "withdrawn", "ghosted"],
        ),
        (
            "interviewing",
            vec!["applied", "interviewing"],
            vec!["offer", "rejected", "withdrawn", "ghosted"],
        ),
        (
            "offer",
            vec!["applied", "offer"],
            vec!["accepted", "declined", "rejected", "withdrawn"],
        ),
        (
            "ghosted",
            vec!["applied", "ghosted"],
            vec![
                "screening",
                "interviewing",
                "offer",
                "rejected",
                "withdrawn",
            ],
        ),
        // Final statuses: only the undo back to where they came from.
        (
            "accepted",
            vec!["applied", "offer", "accepted"],
            vec!["offer"],
        ),
        (
            "declined",
            vec!["applied", "offer", "declined"],
            vec!["offer"],
        ),
        ("rejected", vec!["applied", "rejected"], vec!["applied"]),
        ("withdrawn", vec!["withdrawn"], vec!["wishlist"]),
    ]
}

#[actix_web::test]
async fn every_forbidden_status_change_answers_422_with_the_allowed_ones_and_changes_nothing() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    for (status, path, allowed) in table() {
        let a = app
            .application(
                &token,
                json!({"company": format!("Co {status}"), "title": "Dev"}),
            )
            .await;
        let id = a["id"].as_str().unwrap().to_owned();
        app.walk(&token, &id, &path).await;
        let before = app
            .get(&token, &format!("/api/v1/applications/{id}"))
            .await
            .body;
        assert_eq!(before["status"], status);
        for target in ALL.iter().filter(|t| **t != status && !allowed.contains(t)) {
            let res = app
                .patch(
                    &token,
                    &format!("/api/v1/applications/{id}"),
                    json!({"status": target, "title": "Changed"}),
                )
                .await;
            res.assert_problem(422, "invalid_transition");
            assert_eq!(res.body["allowed"], json!(allowed), "{status} → {target}");
        }
        let after = app
            .get(&token, &format!("/api/v1/applications/{id}"))
            .await
            .body;
        assert_eq!(after, before, "{status}: nothing changed");
        for target in &allowed {
            let probe = app
                .application(
                    &token,
                    json!({"company": format!("Probe {status} {target}"), "title": "Dev"}),
                )
                .await;
            let pid = probe["id"].as_str().unwrap().to_owned();
            app.walk(&token, &pid, &path).await;
            app.walk(&token, &pid, &[target]).await;
        }
    }
}

#[actix_web::test]
async fn history_records_every_change_oldest_first_with_its_note() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(
            &token,
            json!({"company": "Acme", "title": "Dev", "status_note": "found on HN"}),
        )
        .await;
    let id = a["id"].as_str().unwrap();
    let res = app
        .patch(
            &token,
            &format!("/api/v1/applications/{id}"),
            json!({"status": "applied", "status_note": "sent CV"}),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(res.body.get("status_note").is_none(), "write-only");
    let history = app
        .get(&token, &format!("/api/v1/applications/{id}/history"))
        .await;
    assert_eq!(history.status, 200);
    let items = history.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["from_status"], Value::Null);
    assert_eq!(items[0]["to_status"], "wishlist");
    assert_eq!(items[0]["note"], "found on HN");
    assert_eq!(items[1]["from_status"], "wishlist");
    assert_eq!(items[1]["to_status"], "applied");
    assert_eq!(items[1]["note"], "sent CV");
    for key in ["id", "changed_at", "undone", "is_undo"] {
        assert!(items[1].get(key).is_some(), "{key}");
    }
}

#[actix_web::test]
async fn the_same_status_again_writes_no_history_but_applies_other_fields() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(
            &token,
            json!({"company": "Acme", "title": "Dev", "status": "applied"}),
        )
        .await;
    let id = a["id"].as_str().unwrap();
    let res = app
        .patch(
            &token,
            &format!("/api/v1/applications/{id}"),
            json!({"status": "applied", "title": "Lead"}),
        )
        .await;
    assert_eq!(res.body["title"], "Lead");
    let history = app
        .get(&token, &format!("/api/v1/applications/{id}/history"))
        .await;
    assert_eq!(history.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn applying_without_a_date_sets_applied_on_to_today_in_the_users_zone() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    app.patch(
        &token,
        "/api/v1/me",
        json!({"timezone": "Pacific/Kiritimati"}),
    )
    .await;
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Pacific/Kiritimati").unwrap())
        .date()
        .to_string();
    let created = app
        .application(
            &token,
            json!({"company": "A", "title": "B", "status": "applied"}),
        )
        .await;
    assert_eq!(created["applied_on"], today);
    let later = app
        .application(&token, json!({"company": "C", "title": "D"}))
        .await;
    assert_eq!(later["applied_on"], Value::Null);
    let moved = app
        .walk(&token, later["id"].as_str().unwrap(), &["applied"])
        .await;
    assert_eq!(moved["applied_on"], today);
    let dated = app
        .application(
            &token,
            json!({"company": "E", "title": "F", "status": "applied", "applied_on": "2026-01-02"}),
        )
        .await;
    assert_eq!(dated["applied_on"], "2026-01-02");
}

#[actix_web::test]
async fn an_undo_returns_to_the_previous_status_and_marks_both_entries() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let id = a["id"].as_str().unwrap();
    app.walk(&token, id, &["applied", "interviewing", "rejected"])
        .await;
    let undone = app.walk(&token, id, &["interviewing"]).await;
    assert_eq!(undone["status"], "interviewing");
    let history = app
        .get(&token, &format!("/api/v1/applications/{id}/history"))
        .await;
    let items = history.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[3]["to_status"], "rejected");
    assert_eq!(items[3]["undone"], true);
    assert_eq!(items[4]["to_status"], "interviewing");
    assert_eq!(items[4]["is_undo"], true);
    assert_eq!(items[4]["undone"], false);
    // Interviewing again: the ordinary table applies.
    app.walk(&token, id, &["offer"]).await;
}

#[actix_web::test]
async fn an_undo_after_30_days_is_refused_with_nothing_allowed() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let id = a["id"].as_str().unwrap();
    app.walk(&token, id, &["applied", "withdrawn"]).await;
    let client = app.pool.get().await.unwrap();
    let uuid: uuid::Uuid = id.parse().unwrap();
    client
        .execute(
            "UPDATE status_history SET changed_at = changed_at - interval '30 days 1 minute' WHERE application_id = $1 AND to_status = 'withdrawn'",
            &[&uuid],
        )
        .await
        .unwrap();
    let res = app
        .patch(
            &token,
            &format!("/api/v1/applications/{id}"),
            json!({"status": "applied"}),
        )
        .await;
    res.assert_problem(422, "invalid_transition");
    assert_eq!(res.body["allowed"], json!([]));
}
