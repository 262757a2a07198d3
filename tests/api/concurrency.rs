use std::collections::HashSet;

use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn forty_concurrent_writes_on_one_application_are_all_kept() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let path = format!("/api/v1/applications/{}", a["id"].as_str().unwrap());
    let writes = (0..40).map(|i| {
        let (app, token, path) = (&app, token.clone(), path.clone());
        async move {
            app.patch(&token, &path, json!({"title": format!("Title {i}")}))
                .await
        }
    });
    let results = join_all(writes).await;
    let mut versions = HashSet::new();
    for r in &results {
        assert_eq!(r.status, 200, "{}", r.text);
        versions.insert(r.body["version"].as_i64().unwrap());
    }
    assert_eq!(
        versions,
        (2..=41).collect::<HashSet<_>>(),
        "each write got its own version"
    );
    let last = app.get(&token, &path).await;
    assert_eq!(last.body["version"], 41);
    let winner = results.iter().find(|r| r.body["version"] == 41).unwrap();
    assert_eq!(last.body["title"], winner.body["title"]);
}

#[actix_web::test]
async fn forty_concurrent_notes_on_one_application_are_all_kept() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let path = format!("/api/v1/applications/{}/notes", a["id"].as_str().unwrap());
    let writes = (0..40).map(|i| {
        let (app, token, path) = (&app, token.clone(), path.clone());
        async move {
            app.post(&token, &path, json!({"body": format!("note {i}")}))
                .await
        }
    });
    for r in join_all(writes).await {
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let notes = app.get(&token, &format!("{path}?limit=200")).await;
    let bodies: HashSet<String> = notes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(bodies.len(), 40);
}

#[actix_web::test]
async fn concurrent_status_changes_never_leave_history_out_of_step() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app
        .application(
            &token,
            json!({"company": "Acme", "title": "Dev", "status": "applied"}),
        )
        .await;
    let id = a["id"].as_str().unwrap().to_owned();
    // Two racing moves from applied: exactly one target can win per step.
    let racers = ["screening", "interviewing", "rejected", "ghosted"].map(|s| {
        let (app, token, id) = (&app, token.clone(), id.clone());
        async move {
            app.patch(
                &token,
                &format!("/api/v1/applications/{id}"),
                json!({"status": s}),
            )
            .await
        }
    });
    let results = join_all(racers).await;
    let final_status = app
        .get(&token, &format!("/api/v1/applications/{id}"))
        .await
        .body["status"]
        .clone();
    let history = app
        .get(&token, &format!("/api/v1/applications/{id}/history"))
        .await;
    let items = history.body["items"].as_array().unwrap();
    assert_eq!(items.last().unwrap()["to_status"], final_status);
    for pair in items.windows(2) {
        assert_eq!(
            pair[1]["from_status"], pair[0]["to_status"],
            "history is a chain"
        );
    }
    assert_eq!(
        items.len() - 1,
        results.iter().filter(|r| r.status == 200).count()
    );
}

#[actix_web::test]
async fn creates_from_many_users_at_once_are_each_committed_once_and_answered_right() {
    // Concurrent creates share transactions (group commit); every answer
    // must still be that user's own application, with its history, score,
    // duplicate flag and dashboard figures — and a bad create fails alone.
    let app = spawn_app().await;
    let mut users = Vec::new();
    for i in 0..12 {
        users.push(app.user(&format!("user{i}@example.com")).await.0);
    }
    let creates = users
        .iter()
        .enumerate()
        .flat_map(|(u, token)| (0..4).map(move |k| (u, token.clone(), k)));
    let results = join_all(creates.map(|(u, token, k)| {
        let app = &app;
        async move {
            // The third create of user 0 is invalid; every user's fourth repeats its first URL.
            let body = if u == 0 && k == 2 {
                json!({"company": "", "title": "Broken"})
            } else {
                json!({
                    "company": format!("Company {u}"),
                    "title": format!("Role {k}"),
                    "status": "applied",
                    "url": format!("https://jobs.example.com/{u}/{}", k % 3),
                    "tags": [format!("u{u}")],
                })
            };
            (u, k, app.post(&token, "/api/v1/applications", body).await)
        }
    }))
    .await;
    for (u, k, res) in &results {
        if *u == 0 && *k == 2 {
            res.assert_problem(422, "validation");
            continue;
        }
        assert_eq!(res.status, 201, "{}", res.text);
        assert_eq!(res.body["company"], format!("Company {u}"));
        assert_eq!(res.body["title"], format!("Role {k}"));
        assert_eq!(res.body["tags"], json!([format!("u{u}")]));
    }
    for (u, token) in users.iter().enumerate() {
        let expected = if u == 0 { 3 } else { 4 };
        let list = app.get(token, "/api/v1/applications?limit=50").await;
        let items = list.body["items"].as_array().unwrap();
        assert_eq!(items.len(), expected, "user {u}: {}", list.text);
        assert!(items.iter().all(|a| a["company"] == format!("Company {u}")));
        // The repeated URL is flagged against the same user's earlier application.
        let flagged: Vec<_> = items
            .iter()
            .filter(|a| !a["possible_duplicate_of"].is_null())
            .collect();
        if u != 0 {
            assert_eq!(flagged.len(), 1, "user {u}: {}", list.text);
            let original = flagged[0]["possible_duplicate_of"].as_str().unwrap();
            assert!(items.iter().any(|a| a["id"] == original));
        }
        for a in items {
            let path = format!("/api/v1/applications/{}/history", a["id"].as_str().unwrap());
            let h = app.get(token, &path).await;
            assert_eq!(h.body["items"].as_array().unwrap().len(), 1, "{}", h.text);
            assert_eq!(h.body["items"][0]["to_status"], "applied");
        }
        let d = app.get(token, "/api/v1/dashboard").await;
        assert_eq!(d.body["totals"]["all"], expected, "{}", d.text);
    }
}

// Reads of one application share a pipelined connection: many at once, of
// two users, each answers its own application with its own description, and
// another user's id is a 404 even among them.
#[actix_web::test]
async fn sixty_concurrent_reads_of_one_application_each_get_their_own() {
    let app = spawn_app().await;
    let (ada, _) = app.user("ada@example.com").await;
    let (bob, _) = app.user("bob@example.com").await;
    let mut mine = Vec::new();
    for (token, who) in [(&ada, "ada"), (&bob, "bob")] {
        for i in 0..10 {
            let a = app
                .application(
                    token,
                    json!({"company": format!("{who} {i}"), "title": "Dev",
                           "job_description": format!("{} posting {i}: {}", who, "long text ".repeat(40))}),
                )
                .await;
            mine.push((token.clone(), who, i, a["id"].as_str().unwrap().to_owned()));
        }
    }
    // Load both working sets, so the reads take the shared connection.
    assert_eq!(app.get(&ada, "/api/v1/dashboard").await.status, 200);
    assert_eq!(app.get(&bob, "/api/v1/dashboard").await.status, 200);
    let reads = (0..60).map(|n| {
        let (token, who, i, id) = mine[n % mine.len()].clone();
        let other = if who == "ada" {
            bob.clone()
        } else {
            ada.clone()
        };
        let app = &app;
        async move {
            let path = format!("/api/v1/applications/{id}");
            // Every third read asks with the other user's token.
            if n % 3 == 0 {
                (app.get(&other, &path).await, None)
            } else {
                (app.get(&token, &path).await, Some((who, i, id)))
            }
        }
    });
    for (res, expected) in join_all(reads).await {
        match expected {
            None => res.assert_problem(404, "not_found"),
            Some((who, i, id)) => {
                assert_eq!(res.status, 200, "{}", res.text);
                assert_eq!(res.body["id"], id);
                assert_eq!(res.body["company"], format!("{who} {i}"));
                let text = res.body["job_description"].as_str().unwrap();
                assert!(text.starts_with(&format!("{who} posting {i}:")), "{text}");
            }
        }
    }
}
