//! Preferences, profile and the ranking they imply.

use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_ranking_and_its_reasons_follow_the_preferences_and_move_at_once() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let defaults = app.get(&token, "/api/v1/preferences").await;
    assert_eq!(defaults.body["follow_up_after_days"], 7);
    assert_eq!(defaults.body["weights"]["salary"], 1.0);

    let rust = app
        .application(
            &token,
            json!({"company": "Ferrous", "title": "Rust Engineer", "work_mode": "remote",
            "salary_max": 120000, "job_description": "Rust and Kubernetes all day"}),
        )
        .await;
    let php = app
        .application(
            &token,
            json!({"company": "Legacy Co", "title": "PHP Developer", "work_mode": "onsite",
            "salary_max": 60000, "job_description": "PHP maintenance"}),
        )
        .await;
    let prefs = json!({"target_salary": 100000, "salary_currency": "USD", "work_modes": ["remote"],
        "keywords_include": ["Rust", "Kubernetes"], "keywords_exclude": ["PHP"], "companies_avoided": ["legacy co"]});
    let res = app
        .req(reqwest::Method::PUT, "/api/v1/preferences")
        .bearer(&token)
        .json(&prefs)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);

    let list = app
        .get(&token, "/api/v1/applications?sort=-priority_score")
        .await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items[0]["id"], rust["id"]);
    assert_eq!(items[1]["id"], php["id"]);
    let reasons: Vec<&str> = items[0]["priority_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"salary 20% above your target"),
        "{reasons:?}"
    );
    assert!(reasons.contains(&"remote, as you prefer"), "{reasons:?}");
    assert!(
        reasons.contains(&"mentions Rust and Kubernetes"),
        "{reasons:?}"
    );
    // salary 1, work mode 1, keywords 1, company 0.5, freshness 1 → 4.5 / 5
    assert_eq!(items[0]["priority_score"], 90);
    let php_reasons = items[1]["priority_reasons"].as_array().unwrap();
    assert!(php_reasons.contains(&json!("avoided company")));
    assert!(php_reasons.contains(&json!("mentions PHP, which you avoid")));
    assert_eq!(items[0]["version"], 1, "a re-score does not bump versions");

    let dash = app.get(&token, "/api/v1/dashboard").await.body;
    assert_eq!(dash["recommendations"][0]["application_id"], rust["id"]);

    // Favour the other company only: the ranking flips at once.
    let res = app
        .req(reqwest::Method::PUT, "/api/v1/preferences")
        .bearer(&token)
        .json(&json!({"companies_favored": ["Legacy Co"], "weights": {"salary": 0, "location": 0, "work_mode": 0, "keywords": 0, "company": 1, "freshness": 0}}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    let list = app
        .get(&token, "/api/v1/applications?sort=-priority_score")
        .await;
    assert_eq!(list.body["items"][0]["id"], php["id"]);
    assert_eq!(list.body["items"][0]["priority_score"], 100);
    let dash = app.get(&token, "/api/v1/dashboard").await.body;
    assert_eq!(dash["recommendations"][0]["application_id"], php["id"]);
}

#[actix_web::test]
async fn a_preview_ranks_without_saving() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    app.application(&token, json!({"company": "A", "title": "Go dev"}))
        .await;
    let b = app
        .application(&token, json!({"company": "B", "title": "Rust dev"}))
        .await;
    let res = app
        .post(
            &token,
            "/api/v1/preferences/preview",
            json!({"keywords_include": ["rust"]}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body[0]["application_id"], b["id"]);
    let saved = app.get(&token, "/api/v1/preferences").await;
    assert_eq!(saved.body["keywords_include"], json!([]), "nothing saved");
}

#[actix_web::test]
async fn bad_preferences_name_the_field_and_change_nothing() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    for (body, field) in [
        (json!({"weights": {"salary": -1}}), "weights.salary"),
        (json!({"follow_up_after_days": 0}), "follow_up_after_days"),
        (json!({"ghosted_after_days": 200}), "ghosted_after_days"),
        (
            json!({"preferred_locations": vec!["x"; 51]}),
            "preferred_locations",
        ),
    ] {
        let res = app
            .req(reqwest::Method::PUT, "/api/v1/preferences")
            .bearer(&token)
            .json(&body)
            .send()
            .await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), [field]);
    }
    assert_eq!(
        app.get(&token, "/api/v1/preferences").await.body["follow_up_after_days"],
        7
    );
}

#[actix_web::test]
async fn the_profile_is_kept_as_written() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    assert_eq!(
        app.get(&token, "/api/v1/profile").await.body["skills"],
        json!([])
    );
    let body = json!({"headline": "Rust engineer", "summary": "Builds calm systems", "resume_text": "10 years…",
        "skills": ["Rust", "PostgreSQL"], "links": ["https://ada.dev"]});
    let res = app
        .req(reqwest::Method::PUT, "/api/v1/profile")
        .bearer(&token)
        .json(&body)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(app.get(&token, "/api/v1/profile").await.body, body);
    let bad = app
        .req(reqwest::Method::PUT, "/api/v1/profile")
        .bearer(&token)
        .json(&json!({"links": ["nope"]}))
        .send()
        .await;
    assert_eq!(bad.error_fields(), ["links"]);
}

#[actix_web::test]
async fn scores_are_recomputed_daily_as_applications_grow_stale() {
    use jobcopilot::actors::scheduler::RunDue;
    let app = spawn_app().await;
    let (token, user) = app.user("ada@example.com").await;
    let a = app
        .application(
            &token,
            json!({"company": "Acme", "title": "Dev", "status": "applied"}),
        )
        .await;
    assert_eq!(a["priority_score"], 75);
    app.get(&token, "/api/v1/dashboard").await; // the actor is running
    let client = app.pool.get().await.unwrap();
    let user: uuid::Uuid = user.parse().unwrap();
    client
        .execute("UPDATE job_applications SET status_changed_at = now() - interval '28 days' WHERE user_id = $1", &[&user])
        .await
        .unwrap();
    let seq = "SELECT change_seq FROM users WHERE id = $1";
    let before: i64 = client.query_one(seq, &[&user]).await.unwrap().get(0);
    let report = app
        .scheduler
        .send(RunDue {
            now: time::OffsetDateTime::now_utc(),
        })
        .await
        .unwrap();
    assert!(report.ran.contains(&"rescore".to_owned()), "{report:?}");
    let after_seq: i64 = client.query_one(seq, &[&user]).await.unwrap().get(0);
    assert!(
        after_seq > before,
        "the re-score is a write: other replicas' caches and the recheck see it"
    );
    let after = app
        .get(
            &token,
            &format!("/api/v1/applications/{}", a["id"].as_str().unwrap()),
        )
        .await;
    // (company 0.5 + freshness just under 0.25) / 2
    assert_eq!(after.body["priority_score"], 37);
    assert!(after.body["priority_reasons"]
        .as_array()
        .unwrap()
        .contains(&json!("no status change for 28 days")));
    let mut seen = json!(null);
    for _ in 0..100 {
        seen = app.get(&token, "/api/v1/dashboard").await.body["recommendations"][0]
            ["priority_score"]
            .clone();
        if seen == 37 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(seen, 37, "the actor reloaded the new scores");
}
