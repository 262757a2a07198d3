use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::spawn_app;

#[actix_web::test]
async fn creating_an_application_answers_201_with_location_etag_and_defaults() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let res = app
        .post(
            &token,
            "/api/v1/applications",
            json!({"company": "  Acme ", "title": "Engineer"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.id();
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/applications/{id}").as_str())
    );
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let b = &res.body;
    assert_eq!(b["company"], "Acme");
    assert_eq!(b["status"], "wishlist");
    assert_eq!(b["salary_currency"], "USD");
    assert_eq!(b["tags"], json!([]));
    assert_eq!(b["version"], 1);
    assert_eq!(
        b["priority_score"], 75,
        "default preferences: a neutral company (0.5) and fresh (1.0)"
    );
    assert_eq!(b["possible_duplicate_of"], Value::Null);
    assert!(b["created_at"].as_str().unwrap().ends_with('Z'));
    let uuid: uuid::Uuid = id.parse().unwrap();
    assert_eq!(uuid.get_version_num(), 7);

    let got = app.get(&token, &format!("/api/v1/applications/{id}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("etag"), Some("\"1\""));
    assert_eq!(got.body, res.body);
}

#[actix_web::test]
async fn every_validation_rule_answers_422_naming_the_field_and_creates_nothing() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let base = json!({"company": "Acme", "title": "Engineer"});
    let cases: Vec<(Value, &str)> = vec![
        (json!({"title": "x"}), "company"),
        (json!({"company": "x"}), "title"),
        (json!({"company": "   "}), "company"),
        (json!({"company": "é".repeat(201)}), "company"),
        (json!({"title": "x".repeat(201)}), "title"),
        (json!({"location": "x".repeat(201)}), "location"),
        (json!({"source": "x".repeat(201)}), "source"),
        (json!({"contact_name": "x".repeat(201)}), "contact_name"),
        (json!({"url": "ftp://example.com/job"}), "url"),
        (json!({"url": "not a url"}), "url"),
        (
            json!({"url": format!("https://example.com/{}", "a".repeat(2000))}),
            "url",
        ),
        (json!({"work_mode": "office"}), "work_mode"),
        (json!({"salary_min": -5}), "salary_min"),
        (json!({"salary_max": 1.5}), "salary_max"),
        (json!({"salary_min": 200, "salary_max": 100}), "salary_min"),
        (json!({"salary_currency": "DOLLARS"}), "salary_currency"),
        (json!({"status": "hired"}), "status"),
        (json!({"applied_on": "2026-02-30"}), "applied_on"),
        (json!({"deadline": "next week"}), "deadline"),
        (
            json!({"job_description": "x".repeat(100_001)}),
            "job_description",
        ),
        (
            json!({"tags": (0..21).map(|i| format!("t{i}")).collect::<Vec<_>>()}),
            "tags",
        ),
        (json!({"tags": ["x".repeat(41)]}), "tags"),
        (json!({"tags": "rust"}), "tags"),
        (json!({"contact_email": "nobody"}), "contact_email"),
        (json!({"next_action_at": "tomorrow"}), "next_action_at"),
        (json!({"next_action": 7}), "next_action"),
        (json!({"id": "0190f0a0-0000-7000-8000-000000000000"}), "id"),
        (json!({"priority_score": 99}), "priority_score"),
        (json!({"version": 3}), "version"),
        (json!({"salary": 100}), "salary"),
    ];
    for (extra, field) in cases {
        // Each case starts from a valid body; the first two cases drop a required field.
        let mut body = base.clone();
        let extra = extra.as_object().unwrap();
        if !extra.contains_key("company") && field == "company" {
            body.as_object_mut().unwrap().remove("company");
        }
        if !extra.contains_key("title") && field == "title" {
            body.as_object_mut().unwrap().remove("title");
        }
        for (k, v) in extra {
            body[k] = v.clone();
        }
        let res = app.post(&token, "/api/v1/applications", body.clone()).await;
        res.assert_problem(422, "validation");
        assert!(
            res.error_fields().contains(&field.to_string()),
            "{field}: {}",
            res.text
        );
    }
    let list = app.get(&token, "/api/v1/applications").await;
    assert_eq!(list.body["items"], json!([]), "nothing was created");
}

#[actix_web::test]
async fn a_merge_patch_changes_named_fields_and_null_clears_optional_ones() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev", "location": "Berlin", "tags": ["rust"], "salary_min": 1}))
        .await;
    let id = a["id"].as_str().unwrap();
    let res = app
        .req(Method::PATCH, &format!("/api/v1/applications/{id}"))
        .bearer(&token)
        .body(
            "application/merge-patch+json",
            r#"{"location": null, "title": "Senior Dev", "tags": ["rust", "go"]}"#,
        )
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["location"], Value::Null);
    assert_eq!(res.body["title"], "Senior Dev");
    assert_eq!(res.body["tags"], json!(["rust", "go"]));
    assert_eq!(res.body["salary_min"], 1, "absent fields are unchanged");
    assert_eq!(res.body["version"], 2);
    assert_eq!(res.header("etag"), Some("\"2\""));
}

#[actix_web::test]
async fn patch_refuses_null_for_required_read_only_unknown_and_mistyped_fields() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let path = format!("/api/v1/applications/{}", a["id"].as_str().unwrap());
    for (body, field) in [
        (json!({"company": null}), "company"),
        (json!({"title": null}), "title"),
        (json!({"status": null}), "status"),
        (json!({"salary_currency": null}), "salary_currency"),
        (json!({"created_at": "2026-01-01T00:00:00Z"}), "created_at"),
        (json!({"updated_at": "2026-01-01T00:00:00Z"}), "updated_at"),
        (json!({"priority_reasons": []}), "priority_reasons"),
        (
            json!({"possible_duplicate_of": null}),
            "possible_duplicate_of",
        ),
        (json!({"favourite": true}), "favourite"),
        (json!({"salary_min": "100000"}), "salary_min"),
        (json!({"tags": [1, 2]}), "tags"),
    ] {
        let res = app.patch(&token, &path, body.clone()).await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), [field], "{body}");
    }
    let after = app.get(&token, &path).await;
    assert_eq!(after.body["version"], 1, "nothing changed");
}

#[actix_web::test]
async fn a_stale_if_match_answers_412_and_changes_nothing() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let path = format!("/api/v1/applications/{}", a["id"].as_str().unwrap());
    let ok = app
        .req(Method::PATCH, &path)
        .bearer(&token)
        .if_match(1)
        .json(&json!({"title": "Lead"}))
        .send()
        .await;
    assert_eq!(ok.status, 200);
    let stale = app
        .req(Method::PATCH, &path)
        .bearer(&token)
        .if_match(1)
        .json(&json!({"title": "CTO"}))
        .send()
        .await;
    stale.assert_problem(412, "stale_version");
    let stale_delete = app
        .req(Method::DELETE, &path)
        .bearer(&token)
        .if_match(1)
        .send()
        .await;
    stale_delete.assert_problem(412, "stale_version");
    let now = app.get(&token, &path).await;
    assert_eq!(now.body["title"], "Lead");
    assert_eq!(now.body["version"], 2);
    let weak = app
        .req(Method::PATCH, &path)
        .bearer(&token)
        .header("if-match", "W/\"2\"")
        .json(&json!({"title": "Staff"}))
        .send()
        .await;
    assert_eq!(weak.status, 200);
    let bad = app
        .req(Method::PATCH, &path)
        .bearer(&token)
        .header("if-match", "\"two\"")
        .json(&json!({"title": "X"}))
        .send()
        .await;
    bad.assert_problem(400, "bad_request");
    let ok_delete = app
        .req(Method::DELETE, &path)
        .bearer(&token)
        .if_match(3)
        .send()
        .await;
    assert_eq!(ok_delete.status, 204);
}

#[actix_web::test]
async fn a_patch_that_changes_nothing_keeps_the_version() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let path = format!("/api/v1/applications/{}", a["id"].as_str().unwrap());
    let res = app.patch(&token, &path, json!({"company": "Acme"})).await;
    assert_eq!(res.body["version"], 1);
    assert_eq!(res.body["updated_at"], a["updated_at"]);
}

#[actix_web::test]
async fn lists_leave_out_the_job_description_and_a_get_has_it() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(
            &token,
            json!({"company": "Acme", "title": "Dev", "job_description": "Build things"}),
        )
        .await;
    let list = app.get(&token, "/api/v1/applications").await;
    assert!(list.body["items"][0].get("job_description").is_none());
    assert_eq!(list.body["next_cursor"], Value::Null);
    let one = app
        .get(
            &token,
            &format!("/api/v1/applications/{}", a["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(one.body["job_description"], "Build things");
}

#[actix_web::test]
async fn deleting_an_application_takes_its_notes_interviews_and_history() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let id = a["id"].as_str().unwrap();
    let note = app
        .post(
            &token,
            &format!("/api/v1/applications/{id}/notes"),
            json!({"body": "hi"}),
        )
        .await;
    let interview = app
        .post(
            &token,
            "/api/v1/interviews",
            json!({"application_id": id, "scheduled_at": "2026-12-01T10:00:00Z"}),
        )
        .await;
    assert_eq!(
        app.delete(&token, &format!("/api/v1/applications/{id}"))
            .await
            .status,
        204
    );
    app.get(&token, &format!("/api/v1/applications/{id}"))
        .await
        .assert_problem(404, "not_found");
    app.get(&token, &format!("/api/v1/applications/{id}/history"))
        .await
        .assert_problem(404, "not_found");
    app.get(&token, &format!("/api/v1/notes/{}", note.id()))
        .await
        .assert_problem(404, "not_found");
    app.get(&token, &format!("/api/v1/interviews/{}", interview.id()))
        .await
        .assert_problem(404, "not_found");
    let client = app.pool.get().await.unwrap();
    let left: i64 = client
        .query_one("SELECT (SELECT count(*) FROM status_history) + (SELECT count(*) FROM notes) + (SELECT count(*) FROM interviews)", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
    app.delete(&token, &format!("/api/v1/applications/{id}"))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_repeated_url_or_company_and_title_is_flagged_as_a_possible_duplicate() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let first = app
        .application(
            &token,
            json!({"company": "Acme", "title": "Dev", "url": "https://Jobs.Acme.com/42/"}),
        )
        .await;
    let by_url = app
        .application(&token, json!({"company": "Other name", "title": "Other", "url": "https://jobs.acme.com/42?utm_source=x#top"}))
        .await;
    assert_eq!(by_url["possible_duplicate_of"], first["id"]);
    let by_name = app
        .application(&token, json!({"company": " ACME ", "title": "dev"}))
        .await;
    assert_eq!(by_name["possible_duplicate_of"], first["id"]);
    let fresh = app
        .application(&token, json!({"company": "Globex", "title": "Dev"}))
        .await;
    assert_eq!(fresh["possible_duplicate_of"], Value::Null);

    // Not recomputed on patch; cleared when the earlier one goes.
    let patched = app
        .patch(
            &token,
            &format!("/api/v1/applications/{}", fresh["id"].as_str().unwrap()),
            json!({"company": "Acme"}),
        )
        .await;
    assert_eq!(patched.body["possible_duplicate_of"], Value::Null);
    app.delete(
        &token,
        &format!("/api/v1/applications/{}", first["id"].as_str().unwrap()),
    )
    .await;
    let again = app
        .get(
            &token,
            &format!("/api/v1/applications/{}", by_url["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(again.body["possible_duplicate_of"], Value::Null);
}

#[actix_web::test]
async fn a_name_duplicate_is_the_newest_match_within_60_days() {
    let app = spawn_app().await;
    let (token, user) = app.user("ada@example.com").await;
    let old = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let client = app.pool.get().await.unwrap();
    let user: uuid::Uuid = user.parse().unwrap();
    client
        .execute("UPDATE job_applications SET created_at = now() - interval '61 days' WHERE user_id = $1", &[&user])
        .await
        .unwrap();
    let second = app
        .application(&token, json!({"company": "acme", "title": "DEV"}))
        .await;
    assert_eq!(
        second["possible_duplicate_of"],
        Value::Null,
        "the old one is outside the window"
    );
    let third = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    assert_eq!(third["possible_duplicate_of"], second["id"]);
    assert_ne!(third["possible_duplicate_of"], old["id"]);
}

#[actix_web::test]
async fn repeated_reads_never_outlive_a_write() {
    // Pages and single applications are answered from the user's read cache
    // until the next write: every kind of write must show at once.
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let (other, _) = app.user("bob@example.com").await;
    let id = app
        .post(
            &token,
            "/api/v1/applications",
            json!({"company": "Acme", "title": "Engineer"}),
        )
        .await
        .id();
    let one = format!("/api/v1/applications/{id}");
    let search = "/api/v1/applications?q=kubernetes";
    for _ in 0..2 {
        assert_eq!(
            app.get(&token, "/api/v1/applications").await.body["items"][0]["title"],
            "Engineer"
        );
        assert_eq!(app.get(&token, &one).await.header("etag"), Some("\"1\""));
        assert_eq!(app.get(&token, search).await.body["items"], json!([]));
    }
    let res = app
        .patch(&token, &one, json!({"title": "Staff Engineer"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        app.get(&token, "/api/v1/applications").await.body["items"][0]["title"],
        "Staff Engineer"
    );
    let res = app.get(&token, &one).await;
    assert_eq!(res.header("etag"), Some("\"2\""));
    assert_eq!(res.body["title"], "Staff Engineer");

    // A note is searchable as soon as it is written.
    let res = app
        .post(
            &token,
            &format!("{one}/notes"),
            json!({"body": "They run Kubernetes"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(
        app.get(&token, search).await.body["items"][0]["id"],
        id.as_str()
    );

    // Another user's cache is their own.
    assert_eq!(app.get(&other, &one).await.status, 404);
    assert_eq!(
        app.get(&other, "/api/v1/applications").await.body["items"],
        json!([])
    );

    let res = app.delete(&token, &one).await;
    assert_eq!(res.status, 204);
    assert_eq!(app.get(&token, &one).await.status, 404);
    assert_eq!(
        app.get(&token, "/api/v1/applications").await.body["items"],
        json!([])
    );
    assert_eq!(app.get(&token, search).await.body["items"], json!([]));
}
