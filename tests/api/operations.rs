use reqwest::Method;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn healthz_and_readyz_answer_when_the_database_is_up() {
    let app = spawn_app().await;
    let res = app.req(Method::GET, "/healthz").send().await;
    assert_eq!(res.status, 200);
    let res = app.req(Method::GET, "/readyz").send().await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.body,
        serde_json::json!({"postgres": "ok", "redis": "disabled", "migrations": "done"})
    );
}

#[actix_web::test]
async fn every_answer_carries_a_request_id_and_a_plain_client_id_is_kept() {
    let app = spawn_app().await;
    let res = app.req(Method::GET, "/healthz").send().await;
    assert!(res.header("x-request-id").is_some_and(|v| v.len() >= 32));
    let res = app
        .req(Method::GET, "/nowhere")
        .header("x-request-id", "trace-abc-123")
        .send()
        .await;
    assert_eq!(res.header("x-request-id"), Some("trace-abc-123"));
    let res = app
        .req(Method::GET, "/healthz")
        .header("x-request-id", "bad id with spaces")
        .send()
        .await;
    assert_ne!(res.header("x-request-id"), Some("bad id with spaces"));
}

#[actix_web::test]
async fn the_openapi_document_describes_every_endpoint() {
    let app = spawn_app().await;
    let res = app.req(Method::GET, "/api/v1/openapi.json").send().await;
    assert_eq!(res.status, 200);
    assert!(res.body["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.1")));
    let paths = res.body["paths"].as_object().expect("paths");
    for (path, methods) in [
        ("/api/v1/auth/register", &["post"][..]),
        ("/api/v1/auth/token", &["post"]),
        ("/api/v1/me", &["get", "patch"]),
        ("/api/v1/tokens", &["get", "post"]),
        ("/api/v1/tokens/{id}", &["delete"]),
        ("/api/v1/applications", &["get", "post"]),
        ("/api/v1/applications/{id}", &["get", "patch", "delete"]),
        ("/api/v1/applications/{id}/history", &["get"]),
        ("/api/v1/applications/{id}/notes", &["get", "post"]),
        ("/api/v1/notes/{id}", &["get", "patch", "delete"]),
        ("/api/v1/interviews", &["get", "post"]),
        ("/api/v1/interviews/{id}", &["get", "patch", "delete"]),
        ("/healthz", &["get"]),
        ("/readyz", &["get"]),
    ] {
        for m in methods {
            assert!(paths[path][*m].is_object(), "{m} {path} is documented");
        }
    }
    assert!(res.body["components"]["schemas"]["Problem"].is_object());
}

#[actix_web::test]
async fn the_api_docs_page_is_served_without_internet() {
    let app = spawn_app().await;
    let res = app.req(Method::GET, "/api/docs").send().await;
    assert_eq!(res.status, 302);
    let res = app.req(Method::GET, "/api/docs/").send().await;
    assert_eq!(res.status, 200);
    assert!(
        res.text.contains("swagger"),
        "{}",
        &res.text[..200.min(res.text.len())]
    );
    assert!(!res.text.contains("cdn"), "no CDN");
    let init = app
        .req(Method::GET, "/api/docs/swagger-initializer.js")
        .send()
        .await;
    assert_eq!(init.status, 200);
    assert!(init.text.contains("/api/v1/openapi.json"));
}

#[actix_web::test]
async fn metrics_are_served_in_the_prometheus_text_format_by_route_not_by_path() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let missing = uuid::Uuid::now_v7();
    assert_eq!(
        app.get(&token, &format!("/api/v1/applications/{missing}"))
            .await
            .status,
        404
    );
    // Any token is a method to HTTP; each must not become a series.
    for odd in ["FROB", "X-SCAN-1", "X-SCAN-2"] {
        let method = Method::from_bytes(odd.as_bytes()).unwrap();
        assert_ne!(
            app.req(method, "/api/v1/applications").send().await.status,
            500
        );
    }
    let res = app.req(Method::GET, "/metrics").send().await;
    assert_eq!(res.status, 200);
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = &res.text;
    assert!(
        text.contains(
            r#"http_requests_total{method="GET",route="/api/v1/applications/{id}",status="404"}"#
        ),
        "{text}"
    );
    assert!(!text.contains(&missing.to_string()), "no ids in the series");
    assert!(text.contains(r#"method="OTHER",route="#), "{text}");
    assert!(!text.contains("FROB") && !text.contains("X-SCAN"), "{text}");
    assert!(text.contains("# TYPE http_request_duration_seconds histogram"));
    assert!(text.contains(r#"http_request_duration_seconds_bucket{method="GET",route="/api/v1/applications/{id}",le="0.005"}"#));
    for series in [
        r#"db_pool_connections{state="open"}"#,
        "sse_clients ",
        "user_actors_active ",
        "user_actor_restarts_total ",
        r#"actor_mailbox{actor="user_state"}"#,
        r#"ai_generations{status="queued"}"#,
        r#"redis_connection{state="disabled"} 1"#,
    ] {
        assert!(text.contains(series), "{series} in {text}");
    }
    assert!(
        text.contains("# TYPE user_actor_restarts_total counter"),
        "{text}"
    );
}
