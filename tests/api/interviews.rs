use serde_json::{json, Value};

use crate::helpers::spawn_app;

#[actix_web::test]
async fn an_interview_is_created_with_defaults_and_can_be_changed() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let res = app
        .post(
            &token,
            "/api/v1/interviews",
            json!({"application_id": a["id"], "scheduled_at": "2026-12-01T10:00:00+01:00"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["kind"], "other");
    assert_eq!(res.body["duration_minutes"], 60);
    assert_eq!(res.body["outcome"], "scheduled");
    assert_eq!(res.body["interviewers"], json!([]));
    assert_eq!(res.body["scheduled_at"], "2026-12-01T09:00:00Z");
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/interviews/{}", res.id()).as_str())
    );
    let path = format!("/api/v1/interviews/{}", res.id());
    let patched = app
        .patch(
            &token,
            &path,
            json!({"outcome": "passed", "interviewers": ["Kim", "Lee"], "kind": "technical"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["version"], 2);
    assert_eq!(patched.body["interviewers"], json!(["Kim", "Lee"]));
    let res = app
        .patch(&token, &path, json!({"application_id": a["id"]}))
        .await;
    assert_eq!(res.error_fields(), ["application_id"]);
    assert_eq!(app.delete(&token, &path).await.status, 204);
}

#[actix_web::test]
async fn interview_rules_name_the_field() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let base = json!({"application_id": a["id"], "scheduled_at": "2026-12-01T10:00:00Z"});
    for (extra, field) in [
        (json!({"scheduled_at": null}), "scheduled_at"),
        (json!({"scheduled_at": "monday"}), "scheduled_at"),
        (json!({"application_id": "nope"}), "application_id"),
        (json!({"kind": "chat"}), "kind"),
        (json!({"duration_minutes": 0}), "duration_minutes"),
        (json!({"duration_minutes": 1441}), "duration_minutes"),
        (json!({"meeting_url": "zoom://x"}), "meeting_url"),
        (
            json!({"interviewers": (0..21).map(|i| format!("p{i}")).collect::<Vec<_>>()}),
            "interviewers",
        ),
        (json!({"outcome": "won"}), "outcome"),
        (json!({"location": "x".repeat(201)}), "location"),
    ] {
        let mut body = base.clone();
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = app.post(&token, "/api/v1/interviews", body).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), [field], "{extra}");
    }
    let missing = app
        .post(&token, "/api/v1/interviews", json!({"application_id": "0190f0a0-0000-7000-8000-000000000000", "scheduled_at": "2026-12-01T10:00:00Z"}))
        .await;
    missing.assert_problem(404, "not_found");
}

#[actix_web::test]
async fn interviews_list_by_time_with_from_to_application_and_outcome_filters() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let b = app
        .application(&token, json!({"company": "Globex", "title": "Dev"}))
        .await;
    for (app_id, at, outcome) in [
        (&a["id"], "2026-12-03T10:00:00Z", "scheduled"),
        (&a["id"], "2026-12-01T10:00:00Z", "passed"),
        (&b["id"], "2026-12-02T10:00:00Z", "scheduled"),
        (&b["id"], "2026-12-05T10:00:00Z", "cancelled"),
    ] {
        let res = app
            .post(
                &token,
                "/api/v1/interviews",
                json!({"application_id": app_id, "scheduled_at": at, "outcome": outcome}),
            )
            .await;
        assert_eq!(res.status, 201);
    }
    let times = |res: &crate::helpers::Res| -> Vec<Value> {
        res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["scheduled_at"].clone())
            .collect()
    };
    let all = app.get(&token, "/api/v1/interviews").await;
    assert_eq!(
        times(&all),
        [
            json!("2026-12-01T10:00:00Z"),
            json!("2026-12-02T10:00:00Z"),
            json!("2026-12-03T10:00:00Z"),
            json!("2026-12-05T10:00:00Z")
        ]
    );
    let window = app
        .get(
            &token,
            "/api/v1/interviews?from=2026-12-02T10:00:00Z&to=2026-12-05T10:00:00Z",
        )
        .await;
    assert_eq!(
        times(&window),
        [json!("2026-12-02T10:00:00Z"), json!("2026-12-03T10:00:00Z")],
        "from inclusive, to exclusive"
    );
    let for_a = app
        .get(
            &token,
            &format!(
                "/api/v1/interviews?application_id={}",
                a["id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(for_a.body["items"].as_array().unwrap().len(), 2);
    let scheduled = app
        .get(&token, "/api/v1/interviews?outcome=scheduled")
        .await;
    assert_eq!(scheduled.body["items"].as_array().unwrap().len(), 2);
    let page1 = app.get(&token, "/api/v1/interviews?limit=3").await;
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(
            &token,
            &format!("/api/v1/interviews?limit=3&cursor={cursor}"),
        )
        .await;
    assert_eq!(times(&page2), [json!("2026-12-05T10:00:00Z")]);
    assert_eq!(page2.body["next_cursor"], Value::Null);
    app.get(
        &token,
        &format!("/api/v1/interviews?limit=3&outcome=passed&cursor={cursor}"),
    )
    .await
    .assert_problem(400, "bad_request");
}
