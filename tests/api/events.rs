//! Live events over Server-Sent Events.

use std::time::Duration;

use futures_util::StreamExt;
use jobcopilot::actors::event_bus::CountSubscribers;
use serde_json::json;

use crate::helpers::spawn_app;

/// Reads SSE frames until `want` events of interest arrived (bounded in time).
pub(crate) async fn read_events(
    res: reqwest::Response,
    want: usize,
) -> (Vec<(String, String, serde_json::Value)>, bool) {
    let mut stream = res.bytes_stream();
    let mut buffer = String::new();
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let next = tokio::time::timeout_at(deadline, stream.next()).await;
        let chunk = match next {
            Ok(Some(Ok(c))) => c,
            Ok(None) | Ok(Some(Err(_))) => return (events, true),
            Err(_) => return (events, false),
        };
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| {
                frame
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned))
            };
            if let (Some(id), Some(kind), Some(data)) = (field("id"), field("event"), field("data"))
            {
                events.push((id, kind, serde_json::from_str(&data).unwrap()));
            }
        }
        if events.len() >= want {
            return (events, false);
        }
    }
}

#[actix_web::test]
async fn a_client_receives_its_users_events_with_ids_and_nobody_elses() {
    let app = spawn_app().await;
    let (alice, _) = app.user("alice@example.com").await;
    let (bob, _) = app.user("bob@example.com").await;
    let res = app.open_stream(&alice).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    app.application(&bob, json!({"company": "Bob's", "title": "Dev"}))
        .await;
    let created = app
        .application(&alice, json!({"company": "Acme", "title": "Dev"}))
        .await;
    let id = created["id"].as_str().unwrap();
    app.patch(
        &alice,
        &format!("/api/v1/applications/{id}"),
        json!({"title": "Lead"}),
    )
    .await;
    let (events, _) = read_events(res, 4).await;
    let kinds: Vec<&str> = events.iter().map(|(_, k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "application.created",
            "dashboard.updated",
            "application.updated",
            "dashboard.updated"
        ]
    );
    assert_eq!(events[0].2, json!({"id": id, "version": 1}));
    assert_eq!(events[2].2, json!({"id": id, "version": 2}));
    let ids: Vec<u64> = events.iter().map(|(i, _, _)| i.parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids increase");
}

#[actix_web::test]
async fn revoking_the_token_closes_its_stream() {
    let app = spawn_app().await;
    let (main, _) = app.user("ada@example.com").await;
    let created = app
        .post(&main, "/api/v1/tokens", json!({"name": "stream"}))
        .await;
    let stream_token = created.body["token"].as_str().unwrap().to_owned();
    let res = app.open_stream(&stream_token).await;
    assert_eq!(res.status(), 200);
    let reader = tokio::spawn(read_events(res, usize::MAX));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        app.delete(&main, &format!("/api/v1/tokens/{}", created.id()))
            .await
            .status,
        204
    );
    let (_, closed) = reader.await.unwrap();
    assert!(closed, "the stream ended");
}

#[actix_web::test]
async fn a_client_that_disconnects_is_forgotten() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let bus = {
        let res = app.open_stream(&token).await;
        assert_eq!(res.status(), 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(res);
        app.event_bus()
    };
    let mut remaining = usize::MAX;
    for _ in 0..100 {
        // A write makes the bus notice the closed channel.
        app.application(&token, json!({"company": "Acme", "title": "Dev"}))
            .await;
        remaining = bus.send(CountSubscribers).await.unwrap();
        if remaining == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(remaining, 0);
}
