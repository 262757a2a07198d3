use reqwest::Method;
use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn unknown_routes_answer_404_problem_json() {
    let app = spawn_app().await;
    app.req(Method::GET, "/api/v1/nothing-here")
        .send()
        .await
        .assert_problem(404, "not_found");
    app.req(Method::GET, "/no/such/page")
        .send()
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_wrong_method_answers_405_with_allow() {
    let app = spawn_app().await;
    let res = app.req(Method::PUT, "/api/v1/applications").send().await;
    res.assert_problem(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET, POST"));
    let res = app
        .req(
            Method::POST,
            "/api/v1/applications/0190f0a0-0000-7000-8000-000000000000",
        )
        .send()
        .await;
    res.assert_problem(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET, PATCH, DELETE"));
}

#[actix_web::test]
async fn no_or_a_bad_token_answers_401_with_www_authenticate() {
    let app = spawn_app().await;
    for req in [
        app.req(Method::GET, "/api/v1/applications"),
        app.req(Method::GET, "/api/v1/applications")
            .bearer("jcp_not-a-real-token"),
        app.req(Method::GET, "/api/v1/me")
            .header("authorization", "Basic YTpi"),
    ] {
        let res = req.send().await;
        res.assert_problem(401, "unauthenticated");
        assert!(res
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer")));
    }
}

#[actix_web::test]
async fn malformed_json_answers_400_and_a_non_json_body_415() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let res = app
        .req(Method::POST, "/api/v1/applications")
        .bearer(&token)
        .body("application/json", "{\"company\": ")
        .send()
        .await;
    res.assert_problem(400, "bad_request");
    let res = app
        .req(Method::POST, "/api/v1/applications")
        .bearer(&token)
        .body("text/plain", "company=Acme")
        .send()
        .await;
    res.assert_problem(415, "unsupported_media_type");
    let res = app
        .req(Method::POST, "/api/v1/applications")
        .bearer(&token)
        .body("application/json", "[1, 2]")
        .send()
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["body"]);
    let list = app.get(&token, "/api/v1/applications").await;
    assert_eq!(list.body["items"], json!([]), "nothing was created");
}

#[actix_web::test]
async fn a_body_over_one_mebibyte_answers_413() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let big = format!("{{\"company\": \"{}\"}}", "x".repeat(1024 * 1024 + 10));
    let res = app
        .req(Method::POST, "/api/v1/applications")
        .bearer(&token)
        .body("application/json", big)
        .send()
        .await;
    res.assert_problem(413, "too_large");
}

#[actix_web::test]
async fn a_path_id_that_is_not_a_uuid_answers_404() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    app.get(&token, "/api/v1/applications/not-a-uuid")
        .await
        .assert_problem(404, "not_found");
    app.get(&token, "/api/v1/interviews/123")
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn bad_query_parameters_answer_400_naming_the_parameter() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    for (query, param) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("sort=salary", "sort"),
        ("status=hired", "status"),
        ("work_mode=moon", "work_mode"),
        ("cursor=garbage", "cursor"),
        ("colour=red", "colour"),
    ] {
        let res = app
            .get(&token, &format!("/api/v1/applications?{query}"))
            .await;
        res.assert_problem(400, "bad_request");
        assert_eq!(res.error_fields(), [param], "{query}");
    }
    let q = "x".repeat(201);
    app.get(&token, &format!("/api/v1/applications?q={q}"))
        .await
        .assert_problem(400, "bad_request");
    let res = app.get(&token, "/api/v1/interviews?from=yesterday").await;
    assert_eq!(res.error_fields(), ["from"]);
}

#[actix_web::test]
async fn a_database_outage_answers_503_without_internal_text() {
    use jobcopilot::config::Settings;
    // A pool pointing at a socket directory where no server listens.
    let mut config = tokio_postgres::Config::new();
    config
        .host_path("/tmp/jobcopilot-no-such-socket-dir")
        .user("postgres")
        .dbname("none");
    let pool = jobcopilot::store::pool(config, 2).expect("pool");
    let settings = Settings::from_pairs([("listen", "127.0.0.1:0"), ("migrate_on_start", "false")])
        .expect("settings");
    let (db_name, _unused) = crate::helpers::fresh_database().await;
    let app = crate::helpers::spawn_with_pool_unready(settings, db_name, pool).await;
    let res = app
        .req(Method::POST, "/api/v1/auth/register")
        .json(&json!({"email": "a@b.co", "password": "0123456789"}))
        .send()
        .await;
    res.assert_problem(503, "unavailable");
    assert!(res.header("retry-after").is_some());
    assert!(
        !res.text.to_lowercase().contains("socket") && !res.text.contains("tmp"),
        "{}",
        res.text
    );
    let ready = app.req(Method::GET, "/readyz").send().await;
    assert_eq!(ready.status, 503);
    assert_eq!(ready.body["postgres"], "down");
}
