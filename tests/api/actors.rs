use jobcopilot::actors::user_state::{Crash, Summarize};
use jobcopilot::actors::UserActor;
use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn a_panic_in_one_users_actor_restarts_it_from_postgres_and_spares_the_others() {
    let app = spawn_app().await;
    let (alice, alice_id) = app.user("alice@example.com").await;
    let (bob, bob_id) = app.user("bob@example.com").await;
    for i in 0..3 {
        app.application(&alice, json!({"company": format!("A{i}"), "title": "Dev"}))
            .await;
    }
    app.application(&bob, json!({"company": "B", "title": "Dev"}))
        .await;

    let alice_actor = app
        .registry
        .send(UserActor(alice_id.parse().unwrap()))
        .await
        .unwrap();
    let bob_actor = app
        .registry
        .send(UserActor(bob_id.parse().unwrap()))
        .await
        .unwrap();
    let bob_before = bob_actor.send(Summarize).await.unwrap();
    assert_eq!(bob_before.applications, 1);

    let crash = alice_actor.send(Crash).await.unwrap();
    assert!(crash.is_err(), "the panicking command fails cleanly");
    assert_eq!(
        app.stats
            .user_restarts
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );

    // Alice's actor is back, reloaded from PostgreSQL, and takes writes.
    let reloaded = alice_actor.send(Summarize).await.unwrap();
    assert!(reloaded.loaded);
    assert_eq!(reloaded.applications, 3);
    let res = app
        .post(
            &alice,
            "/api/v1/applications",
            json!({"company": "A3", "title": "Dev"}),
        )
        .await;
    assert_eq!(res.status, 201);
    assert_eq!(alice_actor.send(Summarize).await.unwrap().applications, 4);

    // Bob never noticed.
    let bob_after = bob_actor.send(Summarize).await.unwrap();
    assert_eq!(bob_after, bob_before);
    assert_eq!(
        app.post(
            &bob,
            "/api/v1/applications",
            json!({"company": "B2", "title": "Dev"})
        )
        .await
        .status,
        201
    );
}

#[actix_web::test]
async fn the_working_set_follows_every_write() {
    let app = spawn_app().await;
    let (token, user) = app.user("ada@example.com").await;
    let actor = app
        .registry
        .send(UserActor(user.parse().unwrap()))
        .await
        .unwrap();
    let a = app
        .application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let id = a["id"].as_str().unwrap();
    app.post(
        &token,
        "/api/v1/interviews",
        json!({"application_id": id, "scheduled_at": "2099-01-01T10:00:00Z"}),
    )
    .await;
    let s = actor.send(Summarize).await.unwrap();
    assert_eq!((s.applications, s.interviews), (1, 1));
    let seq_before = s.change_seq;
    app.delete(&token, &format!("/api/v1/applications/{id}"))
        .await;
    let s = actor.send(Summarize).await.unwrap();
    assert_eq!((s.applications, s.interviews), (0, 0));
    assert!(
        s.change_seq > seq_before,
        "each write bumps the user's change sequence"
    );
}

#[actix_web::test]
async fn an_idle_users_actor_is_retired_and_comes_back_on_the_next_request() {
    use jobcopilot::actors::registry::CountActive;
    use std::sync::atomic::Ordering;
    let app = crate::helpers::spawn_app_idle(std::time::Duration::from_millis(100)).await;
    let (token, _) = app.user("ada@example.com").await;
    app.application(&token, json!({"company": "Acme", "title": "Dev"}))
        .await;
    assert_eq!(app.registry.send(CountActive).await.unwrap(), 1);
    let starts = app.stats.user_starts.load(Ordering::Relaxed);
    // Wait (bounded) for the sweep to retire it.
    let mut retired = false;
    for _ in 0..200 {
        if app.registry.send(CountActive).await.unwrap() == 0 {
            retired = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(retired, "the idle actor was retired");
    let res = app
        .post(
            &token,
            "/api/v1/applications",
            json!({"company": "Globex", "title": "Dev"}),
        )
        .await;
    assert_eq!(res.status, 201);
    assert_eq!(
        app.stats.user_starts.load(Ordering::Relaxed),
        starts + 1,
        "a new actor started"
    );
    assert_eq!(
        app.stats.user_restarts.load(Ordering::Relaxed),
        0,
        "retiring is not a restart"
    );
}

#[actix_web::test]
async fn a_job_description_is_served_from_postgresql_and_never_kept_in_the_actor() {
    use jobcopilot::actors::user_state::{CachedRead, GetApplication, Lookup};
    let app = spawn_app().await;
    let (token, user) = app.user("ada@example.com").await;
    let long = app
        .application(
            &token,
            json!({"company": "A", "title": "Dev", "job_description": "Rust. ".repeat(200)}),
        )
        .await;
    let short = app
        .application(
            &token,
            json!({"company": "B", "title": "Dev", "job_description": "Rust."}),
        )
        .await;
    for _ in 0..2 {
        for a in [&long, &short] {
            let res = app
                .get(
                    &token,
                    &format!("/api/v1/applications/{}", a["id"].as_str().unwrap()),
                )
                .await;
            assert_eq!(res.body, *a, "served whole, description included");
        }
    }
    let actor = app
        .registry
        .send(UserActor(user.parse().unwrap()))
        .await
        .unwrap();
    for a in [&long, &short] {
        let id: uuid::Uuid = a["id"].as_str().unwrap().parse().unwrap();
        // The actor holds the application without its description (the
        // type has none), and no answer carrying it.
        let held = actor.send(GetApplication(id)).await.unwrap();
        assert_eq!(held.map(|h| h.id), Some(id));
        let kept = CachedRead {
            key: format!("application/{id}"),
        };
        assert!(
            matches!(actor.send(kept).await.unwrap(), Lookup::Miss { .. }),
            "no answer with a description is kept"
        );
    }
}
