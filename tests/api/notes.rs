use reqwest::Method;
use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn notes_are_added_listed_oldest_first_edited_with_versions_and_deleted() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let id = a["id"].as_str().unwrap();
    let first = app
        .post(
            &token,
            &format!("/api/v1/applications/{id}/notes"),
            json!({"body": " first "}),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["body"], "first");
    assert_eq!(first.body["application_id"], id);
    assert_eq!(first.body["version"], 1);
    assert_eq!(
        first.header("location"),
        Some(format!("/api/v1/notes/{}", first.id()).as_str())
    );
    app.post(
        &token,
        &format!("/api/v1/applications/{id}/notes"),
        json!({"body": "second"}),
    )
    .await;
    let list = app
        .get(&token, &format!("/api/v1/applications/{id}/notes"))
        .await;
    let bodies: Vec<_> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].clone())
        .collect();
    assert_eq!(bodies, [json!("first"), json!("second")]);

    let note_path = format!("/api/v1/notes/{}", first.id());
    let edited = app
        .req(Method::PATCH, &note_path)
        .bearer(&token)
        .if_match(1)
        .json(&json!({"body": "edited"}))
        .send()
        .await;
    assert_eq!(edited.body["version"], 2);
    let stale = app
        .req(Method::PATCH, &note_path)
        .bearer(&token)
        .if_match(1)
        .json(&json!({"body": "lost"}))
        .send()
        .await;
    stale.assert_problem(412, "stale_version");
    assert_eq!(app.get(&token, &note_path).await.body["body"], "edited");

    // A note does not bump the application's version.
    assert_eq!(
        app.get(&token, &format!("/api/v1/applications/{id}"))
            .await
            .body["version"],
        1
    );

    for bad in [
        json!({}),
        json!({"body": ""}),
        json!({"body": "x".repeat(20_001)}),
        json!({"body": 5}),
    ] {
        let res = app
            .post(&token, &format!("/api/v1/applications/{id}/notes"), bad)
            .await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), ["body"]);
    }
    assert_eq!(app.delete(&token, &note_path).await.status, 204);
    app.get(&token, &note_path)
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        app.get(&token, &format!("/api/v1/applications/{id}/notes"))
            .await
            .body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn notes_on_a_missing_application_answer_404() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let missing = "0190f0a0-0000-7000-8000-000000000000";
    app.post(
        &token,
        &format!("/api/v1/applications/{missing}/notes"),
        json!({"body": "x"}),
    )
    .await
    .assert_problem(404, "not_found");
    app.get(&token, &format!("/api/v1/applications/{missing}/notes"))
        .await
        .assert_problem(404, "not_found");
}
