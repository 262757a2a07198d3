use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn register_answers_the_user_and_a_working_token() {
    let app = spawn_app().await;
    let res = app
        .req(Method::POST, "/api/v1/auth/register")
        .json(&json!({"email": "Ada@Example.com", "password": "correct horse battery", "display_name": "Ada"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["user"]["email"], "Ada@Example.com");
    assert_eq!(res.body["user"]["auth_methods"], json!(["password"]));
    assert_eq!(res.body["user"]["timezone"], "UTC");
    assert!(res.body["token_info"]["id"].is_string());
    assert!(res.body["token_info"].get("token").is_none());
    let token = res.body["token"].as_str().unwrap();
    let me = app.get(token, "/api/v1/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["display_name"], "Ada");
    for key in [
        "id",
        "email",
        "display_name",
        "timezone",
        "auth_methods",
        "created_at",
    ] {
        assert!(me.body.get(key).is_some(), "{key}");
    }
}

#[actix_web::test]
async fn an_email_registered_in_any_case_answers_409() {
    let app = spawn_app().await;
    app.user("ada@example.com").await;
    let res = app
        .req(Method::POST, "/api/v1/auth/register")
        .json(&json!({"email": "ADA@example.COM", "password": "another password"}))
        .send()
        .await;
    res.assert_problem(409, "conflict");
}

#[actix_web::test]
async fn registration_rules_name_the_field() {
    let app = spawn_app().await;
    for (body, field) in [
        (
            json!({"email": "ada@example.com", "password": "short"}),
            "password",
        ),
        (
            json!({"email": "not-an-email", "password": "0123456789"}),
            "email",
        ),
        (json!({"password": "0123456789"}), "email"),
        (json!({"email": "ada@example.com"}), "password"),
        (
            json!({"email": "ada@example.com", "password": "0123456789", "admin": true}),
            "admin",
        ),
    ] {
        let res = app
            .req(Method::POST, "/api/v1/auth/register")
            .json(&body)
            .send()
            .await;
        res.assert_problem(422, "validation");
        assert_eq!(res.error_fields(), [field], "{body}");
    }
}

#[actix_web::test]
async fn a_password_sign_in_answers_a_new_token() {
    let app = spawn_app().await;
    app.user("ada@example.com").await;
    let res = app
        .req(Method::POST, "/api/v1/auth/token")
        .json(&json!({"email": "ADA@example.com", "password": "correct horse battery", "token_name": "laptop"}))
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["token_info"]["name"], "laptop");
    let token = res.body["token"].as_str().unwrap();
    assert_eq!(app.get(token, "/api/v1/me").await.status, 200);
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    let app = spawn_app().await;
    app.user("ada@example.com").await;
    let wrong = app
        .req(Method::POST, "/api/v1/auth/token")
        .json(&json!({"email": "ada@example.com", "password": "wrong password"}))
        .send()
        .await;
    let unknown = app
        .req(Method::POST, "/api/v1/auth/token")
        .json(&json!({"email": "bob@example.com", "password": "wrong password"}))
        .send()
        .await;
    wrong.assert_problem(401, "unauthenticated");
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.status, unknown.status);
}

#[actix_web::test]
async fn five_failures_lock_the_account_for_a_while_even_with_the_right_password() {
    let app = spawn_app().await;
    app.user("ada@example.com").await;
    for _ in 0..5 {
        let res = app
            .req(Method::POST, "/api/v1/auth/token")
            .json(&json!({"email": "ada@example.com", "password": "wrong password"}))
            .send()
            .await;
        assert_eq!(res.status, 401);
    }
    let res = app
        .req(Method::POST, "/api/v1/auth/token")
        .json(&json!({"email": "ada@example.com", "password": "correct horse battery"}))
        .send()
        .await;
    res.assert_problem(429, "rate_limited");
    let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 15 * 60);
}

#[actix_web::test]
async fn twenty_failures_from_one_address_throttle_that_address() {
    let app = spawn_app().await;
    for i in 0..20 {
        let res = app
            .req(Method::POST, "/api/v1/auth/token")
            .json(&json!({"email": format!("user{i}@example.com"), "password": "wrong password"}))
            .send()
            .await;
        assert_eq!(res.status, 401);
    }
    let res = app
        .req(Method::POST, "/api/v1/auth/token")
        .json(&json!({"email": "someone.else@example.com", "password": "wrong password"}))
        .send()
        .await;
    res.assert_problem(429, "rate_limited");
    assert!(res.header("retry-after").is_some());
}

#[actix_web::test]
async fn with_local_accounts_off_register_and_token_answer_404() {
    let app = spawn_app_with(&[
        ("local_accounts", "false"),
        ("oidc_issuer_url", "https://issuer.example.com"),
        ("oidc_client_id", "id"),
        ("oidc_client_secret", "secret"),
    ])
    .await;
    let body = json!({"email": "ada@example.com", "password": "correct horse battery"});
    app.req(Method::POST, "/api/v1/auth/register")
        .json(&body)
        .send()
        .await
        .assert_problem(404, "not_found");
    app.req(Method::POST, "/api/v1/auth/token")
        .json(&body)
        .send()
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn me_can_change_its_name_and_time_zone_with_versions() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let res = app
        .patch(
            &token,
            "/api/v1/me",
            json!({"timezone": "Europe/Berlin", "display_name": "Ada L."}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["timezone"], "Europe/Berlin");
    assert_eq!(res.header("etag"), Some("\"2\""));
    let res = app
        .patch(&token, "/api/v1/me", json!({"timezone": "Mars/Base"}))
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), ["timezone"]);
    let res = app
        .req(Method::PATCH, "/api/v1/me")
        .bearer(&token)
        .if_match(1)
        .json(&json!({"display_name": "X"}))
        .send()
        .await;
    res.assert_problem(412, "stale_version");
    let me = app.get(&token, "/api/v1/me").await;
    assert_eq!(me.body["display_name"], "Ada L.");
    let res = app
        .patch(&token, "/api/v1/me", json!({"display_name": null}))
        .await;
    assert_eq!(res.body["display_name"], serde_json::Value::Null);
}

#[actix_web::test]
async fn tokens_are_shown_once_listed_without_secrets_and_revoked_at_once() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let res = app
        .post(
            &token,
            "/api/v1/tokens",
            json!({"name": "ci", "expires_at": "2099-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    for key in [
        "id",
        "name",
        "token",
        "created_at",
        "last_used_at",
        "expires_at",
    ] {
        assert!(res.body.get(key).is_some(), "{key}");
    }
    let ci = res.body["token"].as_str().unwrap().to_owned();
    let ci_id = res.id();
    assert_eq!(app.get(&ci, "/api/v1/me").await.status, 200);

    let list = app.get(&token, "/api/v1/tokens").await;
    assert_eq!(list.status, 200);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(!list.text.contains(&ci), "secrets never listed");
    assert!(items.iter().all(|t| t.get("token").is_none()));
    let used = items.iter().find(|t| t["id"] == ci_id.as_str()).unwrap();
    assert!(used["last_used_at"].is_string(), "use is recorded");

    assert_eq!(
        app.delete(&token, &format!("/api/v1/tokens/{ci_id}"))
            .await
            .status,
        204
    );
    app.get(&ci, "/api/v1/me")
        .await
        .assert_problem(401, "unauthenticated");
    app.delete(&token, &format!("/api/v1/tokens/{ci_id}"))
        .await
        .assert_problem(404, "not_found");
}

#[actix_web::test]
async fn a_token_must_have_a_name_and_a_future_expiry() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let res = app
        .post(
            &token,
            "/api/v1/tokens",
            json!({"name": "old", "expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(res.error_fields(), ["expires_at"]);
    let res = app.post(&token, "/api/v1/tokens", json!({})).await;
    assert_eq!(res.error_fields(), ["name"]);
}

#[actix_web::test]
async fn an_expired_token_is_refused() {
    let app = spawn_app().await;
    let (token, user_id) = app.user("ada@example.com").await;
    let res = app
        .post(
            &token,
            "/api/v1/tokens",
            json!({"name": "short", "expires_at": "2099-01-01T00:00:00Z"}),
        )
        .await;
    let short = res.body["token"].as_str().unwrap().to_owned();
    let client = app.pool.get().await.unwrap();
    let user: uuid::Uuid = user_id.parse().unwrap();
    client
        .execute("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND name = 'short'", &[&user])
        .await
        .unwrap();
    app.get(&short, "/api/v1/me")
        .await
        .assert_problem(401, "unauthenticated");
}
