use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_calendar_feed_serves_interviews_and_deadlines_behind_a_rotating_secret() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    app.get(&token, "/api/v1/calendar-feed")
        .await
        .assert_problem(404, "not_found");
    let a = app
        .application(
            &token,
            json!({"company": "Acme", "title": "Dev", "deadline": "2026-12-24"}),
        )
        .await;
    let iv = app
        .post(&token, "/api/v1/interviews", json!({"application_id": a["id"], "scheduled_at": "2026-12-01T10:00:00Z", "kind": "technical"}))
        .await;
    let created = app.post(&token, "/api/v1/calendar-feed", json!({})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let url = created.body["url"].as_str().unwrap().to_owned();
    assert!(url.ends_with(".ics"));
    assert_eq!(
        app.get(&token, "/api/v1/calendar-feed").await.body["url"],
        url.as_str()
    );

    let path = url
        .split_once("/calendar/")
        .map(|(_, rest)| format!("/calendar/{rest}"))
        .unwrap();
    let ics = reqwest::get(format!("{}{path}", app.address))
        .await
        .unwrap();
    assert_eq!(ics.status(), 200);
    assert!(ics.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let text = ics.text().await.unwrap();
    assert!(text.contains(&format!("UID:interview-{}@", iv.id())));
    assert!(text.contains("DTSTART:20261201T100000Z"));
    assert!(text.contains("DTSTART;VALUE=DATE:20261224"));
    assert!(text.contains("SEQUENCE:0"));

    // An update is visible to calendar apps: a higher SEQUENCE, and CANCELLED.
    app.patch(
        &token,
        &format!("/api/v1/interviews/{}", iv.id()),
        json!({"outcome": "cancelled"}),
    )
    .await;
    let text = reqwest::get(format!("{}{path}", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("STATUS:CANCELLED") && text.contains("SEQUENCE:1"));

    // Rotating makes the old URL stop working; deleting turns the feed off.
    let rotated = app.post(&token, "/api/v1/calendar-feed", json!({})).await;
    assert_ne!(rotated.body["url"], url.as_str());
    assert_eq!(
        reqwest::get(format!("{}{path}", app.address))
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        app.delete(&token, "/api/v1/calendar-feed").await.status,
        204
    );
    app.get(&token, "/api/v1/calendar-feed")
        .await
        .assert_problem(404, "not_found");
    assert_eq!(
        reqwest::get(format!("{}/calendar/guess.ics", app.address))
            .await
            .unwrap()
            .status(),
        404
    );
}
