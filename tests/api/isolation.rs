//! Another user's resources answer 404 on every verb, exactly like missing ones.

use reqwest::Method;
use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn another_users_resources_answer_404_on_every_verb_and_stay_unchanged() {
    let app = spawn_app().await;
    let (alice, _) = app.user("alice@example.com").await;
    let (bob, _) = app.user("bob@example.com").await;
    let a = app
        .application(&alice, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let app_id = a["id"].as_str().unwrap().to_owned();
    let note = app
        .post(
            &alice,
            &format!("/api/v1/applications/{app_id}/notes"),
            json!({"body": "secret"}),
        )
        .await
        .id();
    let interview = app
        .post(
            &alice,
            "/api/v1/interviews",
            json!({"application_id": app_id, "scheduled_at": "2026-12-01T10:00:00Z"}),
        )
        .await
        .id();
    let alice_tokens = app.get(&alice, "/api/v1/tokens").await;
    let alice_token_id = alice_tokens.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let attempts: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, format!("/api/v1/applications/{app_id}"), None),
        (
            Method::PATCH,
            format!("/api/v1/applications/{app_id}"),
            Some(json!({"title": "Hacked"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/applications/{app_id}"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/applications/{app_id}/history"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/applications/{app_id}/notes"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/applications/{app_id}/notes"),
            Some(json!({"body": "mine now"})),
        ),
        (Method::GET, format!("/api/v1/notes/{note}"), None),
        (
            Method::PATCH,
            format!("/api/v1/notes/{note}"),
            Some(json!({"body": "changed"})),
        ),
        (Method::DELETE, format!("/api/v1/notes/{note}"), None),
        (Method::GET, format!("/api/v1/interviews/{interview}"), None),
        (
            Method::PATCH,
            format!("/api/v1/interviews/{interview}"),
            Some(json!({"outcome": "failed"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/interviews/{interview}"),
            None,
        ),
        (
            Method::POST,
            "/api/v1/interviews".into(),
            Some(json!({"application_id": app_id, "scheduled_at": "2026-12-02T10:00:00Z"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/tokens/{alice_token_id}"),
            None,
        ),
    ];
    for (method, path, body) in attempts {
        let mut req = app.req(method.clone(), &path).bearer(&bob);
        if let Some(b) = &body {
            req = req.json(b);
        }
        let res = req.send().await;
        res.assert_problem(404, "not_found");
        // Exactly the answer a missing resource gets.
        let missing = path
            .replace(&app_id, "0190f0a0-0000-7000-8000-000000000000")
            .replace(&note, "0190f0a0-0000-7000-8000-000000000000")
            .replace(&interview, "0190f0a0-0000-7000-8000-000000000000")
            .replace(&alice_token_id, "0190f0a0-0000-7000-8000-000000000000");
        if missing != path {
            let mut req = app.req(method, &missing).bearer(&bob);
            if let Some(b) = &body {
                req = req.json(b);
            }
            assert_eq!(req.send().await.body, res.body, "{path}");
        }
    }

    // Bob sees none of Alice's data in lists either.
    assert_eq!(
        app.get(&bob, "/api/v1/applications").await.body["items"],
        json!([])
    );
    assert_eq!(
        app.get(&bob, "/api/v1/interviews").await.body["items"],
        json!([])
    );
    assert_eq!(
        app.get(&bob, &format!("/api/v1/interviews?application_id={app_id}"))
            .await
            .body["items"],
        json!([])
    );
    assert_eq!(
        app.get(&bob, "/api/v1/applications?q=secret").await.body["items"],
        json!([])
    );

    // Alice's data is untouched.
    let after = app
        .get(&alice, &format!("/api/v1/applications/{app_id}"))
        .await;
    assert_eq!(after.body["title"], "Dev");
    assert_eq!(after.body["version"], 1);
    assert_eq!(
        app.get(&alice, &format!("/api/v1/notes/{note}")).await.body["body"],
        "secret"
    );
    assert_eq!(
        app.get(&alice, &format!("/api/v1/interviews/{interview}"))
            .await
            .body["outcome"],
        "scheduled"
    );
    assert_eq!(
        app.get(&alice, "/api/v1/me").await.status,
        200,
        "alice's token still works"
    );
    assert_eq!(
        app.get(&alice, &format!("/api/v1/applications/{app_id}/notes"))
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
