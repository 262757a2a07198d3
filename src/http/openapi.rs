//! The OpenAPI 3.1 document, generated from the handlers and types, and the
//! Swagger UI page that renders it (bundled: no CDN).
//!
//! The handlers' annotations say what each operation is for and what it
//! answers when it works. What every operation can also answer follows from
//! how the code is built, so [`exact`] adds it by rules that mirror the code
//! (the extractors in `extract.rs`, the middleware, `error.rs`) instead of
//! repeating it on every handler:
//!
//! - every error answer is `application/problem+json` (`Problem`);
//! - every route but `/healthz` can answer 503 with `Retry-After` (migrations
//!   still running, PostgreSQL unreachable, a saturated hashing pool);
//! - an operation with a bearer requirement answers 401 with
//!   `WWW-Authenticate`, and an unsafe one 403 when a session cookie
//!   authenticates it without the session's CSRF token;
//! - an operation with a JSON body answers 400 (malformed JSON, no body),
//!   413 (over 1 MiB), 415 (not JSON) and 422 (field errors, unknown fields);
//! - a path `{id}` answers 404 (missing, another user's, not a UUID);
//! - an `If-Match` header answers 400 when malformed and 412 when stale;
//! - documented query parameters are read strictly (`extract::Query`):
//!   an unknown, repeated or malformed one answers 400;
//! - rate-limited operations answer 429 with `Retry-After`;
//! - every answer carries `X-Request-Id`; versioned resources carry `ETag`,
//!   and what a create makes is named by `Location`.

use std::sync::OnceLock;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use serde_json::{json, Map, Value};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::error::PROBLEM_JSON;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "a personal access token from POST /api/v1/auth/token or /api/v1/tokens",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Job Copilot API",
        version = "1",
        description = "Track job applications, their pipeline, interviews and notes. \
Every error is RFC 9457 problem+json; every mutable resource carries `version` and an `ETag`, \
and PATCH/DELETE honour `If-Match`. Collections are keyset-paginated with `limit` and `cursor`. \
See docs/api-decisions.md for the choices the contract left open."
    ),
    modifiers(&BearerAuth),
    paths(
        super::health::healthz,
        super::health::readyz,
        super::account::register,
        super::account::sign_in,
        super::account::me,
        super::account::update_me,
        super::account::list_tokens,
        super::account::create_token,
        super::account::revoke_token,
        super::account::change_password,
        super::account::list_sessions,
        super::account::end_session,
        super::account::end_other_sessions,
        super::account::delete_me,
        super::transfer::export,
        super::transfer::import_export,
        super::transfer::export_csv,
        super::transfer::import_csv,
        super::capture::capture,
        super::inbox::connect,
        super::inbox::get,
        super::inbox::disconnect,
        super::inbox::get_settings,
        super::inbox::put_settings,
        super::inbox::list,
        super::inbox::apply,
        super::inbox::dismiss,
        super::inbox::sync,
        super::inbox::upload,
        super::applications::list,
        super::applications::create,
        super::applications::get,
        super::applications::update,
        super::applications::delete,
        super::applications::history,
        super::applications::fit,
        super::notes::list,
        super::notes::create,
        super::notes::get,
        super::notes::update,
        super::notes::delete,
        super::interviews::list,
        super::interviews::create,
        super::interviews::get,
        super::interviews::update,
        super::interviews::delete,
        super::dashboard::dashboard,
        super::events::events,
        super::calendar::get,
        super::calendar::rotate,
        super::calendar::delete,
        super::calendar::ics,
        super::analytics::snapshots,
        super::analytics::refresh,
        super::preferences::get,
        super::preferences::put,
        super::preferences::preview,
        super::preferences::get_profile,
        super::preferences::put_profile,
        super::generations::create,
        super::generations::list,
        super::generations::get,
        super::generations::cancel,
        super::generations::delete,
        super::generations::status,
    ),
    components(schemas(
        super::error::Problem,
        crate::domain::FieldError,
        crate::domain::pipeline::Status,
    )),
    tags(
        (name = "auth", description = "accounts and API tokens"),
        (name = "account", description = "your password, your sessions, deleting your account"),
        (name = "inbox", description = "a mailbox read for mail about applications, and the suggestions it gives"),
        (name = "data", description = "your data out and in: the full export, its import, CSV"),
        (name = "applications", description = "job applications and their status pipeline"),
        (name = "notes", description = "notes on applications"),
        (name = "interviews", description = "interviews"),
        (name = "dashboard", description = "figures and what to do next"),
        (name = "calendar", description = "the secret calendar feed of interviews and deadlines"),
        (name = "preferences", description = "preferences, the ranking they give, and the profile drafts draw on"),
        (name = "ai", description = "AI drafts"),
        (name = "operations", description = "health and readiness"),
    )
)]
pub struct ApiDoc;

/// The document as served: utoipa's, made exact by [`exact`].
pub fn document_value() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    exact(&mut doc);
    doc
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> HttpResponse {
    static BODY: OnceLock<Vec<u8>> = OnceLock::new();
    let body = BODY.get_or_init(|| serde_json::to_vec(&document_value()).unwrap_or_default());
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, super::JSON))
        .body(body.clone())
}

/// `GET /api/docs` → the UI at `/api/docs/`.
pub async fn docs_redirect() -> HttpResponse {
    HttpResponse::build(StatusCode::FOUND)
        .insert_header((header::LOCATION, "/api/docs/"))
        .finish()
}

/// The bundled Swagger UI, reading our document.
pub fn swagger_ui() -> SwaggerUi {
    SwaggerUi::new("/api/docs/{_:.*}")
        .config(Config::new(["/api/v1/openapi.json"]).try_it_out_enabled(true))
}

/// Operations that count attempts or uses and answer 429 with `Retry-After`:
/// sign-in throttling, the registration limit per client address, the AI
/// draft quota and concurrent limit, live streams per user.
const RATE_LIMITED: [(&str, &str); 4] = [
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/applications/{id}/generations"),
    ("get", "/api/v1/events"),
];

/// 201 answers that do not name what they made (a sign-in's token has no
/// address of its own).
const CREATED_WITHOUT_LOCATION: [&str; 1] = ["/api/v1/auth/token"];

/// 202 answers that name the job they queued.
const ACCEPTED_WITH_LOCATION: [&str; 1] = ["/api/v1/applications/{id}/generations"];

/// Resources answered with `ETag: "<version>"`.
const VERSIONED: [&str; 4] = ["User", "ApplicationDetail", "Note", "Interview"];

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

fn default_description(status: &str) -> &'static str {
    match status {
        "400" => "bad_request: malformed JSON or no body, a malformed header, or a query parameter that is unknown, repeated or invalid (a cursor that does not fit its sort and filters included)",
        "401" => "unauthenticated: no valid bearer token or session",
        "403" => "csrf: a request authenticated by a session cookie without the session's CSRF token (X-CSRF-Token)",
        "404" => "not_found: no such resource, or another user's",
        "409" => "conflict",
        "412" => "stale_version: If-Match names another version than the current one; nothing changed",
        "413" => "too_large: the body is over 1 MiB",
        "415" => "unsupported_media_type: the body is not JSON",
        "422" => "validation: field errors, each naming its field (an unknown or read-only field included)",
        "429" => "rate_limited: too many attempts or uses; Retry-After says when to try again",
        "503" => "unavailable: starting up (migrations running), or PostgreSQL is unreachable; Retry-After says when to try again",
        _ => "error",
    }
}

fn header(description: &str, schema: Value, required: bool) -> Value {
    json!({"description": description, "required": required, "schema": schema})
}

fn retry_after() -> Value {
    header(
        "seconds to wait before trying again",
        json!({"type": "string", "pattern": "^[0-9]+$"}),
        true,
    )
}

fn problem_content() -> Value {
    json!({PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}})
}

/// Makes the generated document true to the code (see the module comment).
pub fn exact(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            if let Some(op) = item.get_mut(method) {
                exact_operation(method, path, op);
            }
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        exact_schemas(schemas);
    }
}

/// A unique operation id from the method and the path (utoipa names an
/// operation after its handler, and handlers of different modules share
/// names such as `get` and `list`): `get_applications_by_id_notes`.
fn operation_id(method: &str, path: &str) -> String {
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    let mut id = method.to_owned();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        id.push('_');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                id.push_str("by_");
                id.push_str(name);
            }
            None => id.push_str(&segment.replace(['-', '.'], "_")),
        }
    }
    id
}

fn exact_operation(method: &str, path: &str, op: &mut Value) {
    op["operationId"] = json!(operation_id(method, path));
    let secured = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let has_body = op.get("requestBody").is_some();
    let params: Vec<(String, String)> = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let name = p["name"].as_str().unwrap_or_default().to_owned();
                    let place = p["in"].as_str().unwrap_or_default().to_owned();
                    (name, place)
                })
                .collect()
        })
        .unwrap_or_default();
    let has = |name: &str, place: &str| params.iter().any(|(n, p)| n == name && p == place);
    let has_query = params.iter().any(|(_, p)| p == "query");

    let mut statuses: Vec<&str> = Vec::new();
    if path != "/healthz" {
        statuses.push("503");
    }
    if secured {
        statuses.push("401");
        if method != "get" {
            statuses.push("403");
        }
    }
    if has_body {
        statuses.extend(["400", "413", "415", "422"]);
    }
    if has("id", "path") {
        statuses.push("404");
    }
    if has("If-Match", "header") {
        statuses.extend(["400", "412"]);
    }
    if has_query {
        statuses.push("400");
    }
    if RATE_LIMITED.contains(&(method, path)) {
        statuses.push("429");
    }

    // A merge patch is read whether it says merge-patch+json or plain JSON.
    if method == "patch" {
        if let Some(content) = op
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        {
            if let Some(body) = content.get("application/merge-patch+json").cloned() {
                content.entry("application/json").or_insert(body);
            }
        }
    }
    if op.get("responses").and_then(Value::as_object).is_none() {
        op["responses"] = json!({});
    }
    let Some(responses) = op["responses"].as_object_mut() else {
        return;
    };
    for status in statuses {
        responses
            .entry(status)
            .or_insert_with(|| json!({"description": default_description(status)}));
    }
    for (status, response) in responses.iter_mut() {
        exact_response(method, path, status, response);
    }
    let mut sorted: Vec<(String, Value)> = std::mem::take(responses).into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    responses.extend(sorted);
    if let Some(parameters) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for p in parameters {
            exact_parameter(path, p);
        }
    }
}

fn exact_response(method: &str, path: &str, status: &str, response: &mut Value) {
    let code: u16 = status.parse().unwrap_or(0);
    let Some(response) = response.as_object_mut() else {
        return;
    };
    if code >= 400 {
        if path == "/readyz" && code == 503 {
            // Not ready: a problem that carries the readiness members too.
            response.insert(
                "content".into(),
                json!({PROBLEM_JSON: {"schema": {"allOf": [
                    {"$ref": "#/components/schemas/Problem"},
                    {"$ref": "#/components/schemas/Readiness"},
                ]}}}),
            );
        } else {
            response.insert("content".into(), problem_content());
        }
    }
    let headers = response
        .entry("headers")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(headers) = headers else { return };
    headers.insert(
        "X-Request-Id".into(),
        header(
            "the request's id, as the log records it (the client's own when it sent a plain one)",
            json!({"type": "string", "minLength": 1}),
            true,
        ),
    );
    match code {
        401 => {
            headers.insert(
                "WWW-Authenticate".into(),
                header(
                    "the Bearer challenge",
                    json!({"type": "string", "pattern": "^Bearer"}),
                    true,
                ),
            );
        }
        429 | 503 => {
            headers.insert("Retry-After".into(), retry_after());
        }
        201 if !CREATED_WITHOUT_LOCATION.contains(&path) => {
            headers.insert(
                "Location".into(),
                header(
                    "the address of what was created",
                    json!({"type": "string", "pattern": "^/"}),
                    true,
                ),
            );
        }
        202 if method == "post" && ACCEPTED_WITH_LOCATION.contains(&path) => {
            headers.insert(
                "Location".into(),
                header(
                    "the address of the queued job",
                    json!({"type": "string", "pattern": "^/"}),
                    true,
                ),
            );
        }
        _ => {}
    }
    let versioned = (200..300).contains(&code)
        && response
            .get("content")
            .and_then(|c| c.get("application/json"))
            .and_then(|c| c["schema"]["$ref"].as_str())
            .is_some_and(|r| VERSIONED.iter().any(|v| r.ends_with(&format!("/{v}"))));
    if versioned {
        if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
            headers.insert(
                "ETag".into(),
                header(
                    "the resource's version, \"<version>\"; send it back as If-Match",
                    json!({"type": "string", "pattern": "^\"[0-9]+\"$"}),
                    true,
                ),
            );
        }
    }
}

/// Query and header parameters as `extract::Query` and `IfMatch` read them.
fn exact_parameter(path: &str, p: &mut Value) {
    let name = p["name"].as_str().unwrap_or_default().to_owned();
    let place = p["in"].as_str().unwrap_or_default().to_owned();
    let list = |values: &[&str]| {
        // A comma list of names, any of which may be empty or padded.
        let item = format!(r"\s*({})?\s*", values.join("|"));
        json!({"type": "string", "pattern": format!("^{item}(,{item})*$")})
    };
    let schema = match (place.as_str(), name.as_str()) {
        ("header", "If-Match") => {
            json!({"type": "string", "pattern": r#"^\s*(\*|(W/)?("[+-]?[0-9]+"|[+-]?[0-9]+))\s*$"#})
        }
        ("query", "limit") => {
            json!({"type": "integer", "minimum": 1, "maximum": 200, "default": 50})
        }
        ("query", "cursor") => json!({"type": "string"}),
        ("query", "application_id" | "interview_id") => {
            json!({"type": "string", "format": "uuid"})
        }
        ("query", "q") => json!({"type": "string", "maxLength": 200}),
        ("query", "sort") => {
            let all: Vec<String> = crate::domain::listing::SortKey::CHOICES
                .iter()
                .flat_map(|(f, _)| [f.to_string(), format!("-{f}")])
                .collect();
            json!({"type": "string", "enum": all, "default": "-updated_at"})
        }
        ("query", "status") if path == "/api/v1/applications" => list(&super::schemas::STATUSES),
        ("query", "work_mode") => list(&super::schemas::WORK_MODES),
        ("query", "outcome") => list(&super::schemas::OUTCOMES),
        ("query", "status") => json!({"type": "string", "enum": [
            "queued", "running", "succeeded", "failed", "cancelled"
        ]}),
        ("query", "kind") => json!({"type": "string", "enum": [
            "cover_letter", "interview_questions", "follow_up_email", "thank_you_note", "resume_tailoring"
        ]}),
        ("query", "period") => json!({"type": "string", "enum": ["day", "week"], "default": "day"}),
        ("query", "from" | "to") if path == "/api/v1/analytics/snapshots" => {
            json!({"type": "string", "format": "date"})
        }
        ("query", "from" | "to") => json!({"type": "string", "format": "date-time"}),
        _ => return,
    };
    p["schema"] = schema;
}

/// Response schemas where the derive cannot see what the code writes.
fn exact_schemas(schemas: &mut Map<String, Value>) {
    if let Some(readiness) = schemas.get_mut("Readiness") {
        readiness["properties"]["postgres"]["enum"] = json!(["ok", "down"]);
        readiness["properties"]["redis"]["enum"] = json!(["ok", "down", "disabled"]);
        readiness["properties"]["migrations"]["enum"] = json!(["done", "running"]);
    }
    if let Some(health) = schemas.get_mut("Health") {
        health["properties"]["status"]["enum"] = json!(["ok"]);
    }
    if let Some(snapshot) = schemas.get_mut("Snapshot") {
        snapshot["properties"]["period"]["enum"] = json!(["day", "week"]);
    }
    if let Some(ai) = schemas.get_mut("AiStatus") {
        ai["properties"]["checked_at"]["format"] = json!("date-time");
    }
    if let Some(user) = schemas.get_mut("User") {
        user["properties"]["auth_methods"]["items"]["enum"] = json!(["password", "oidc"]);
    }
}

/// The OpenAPI document (under `/api/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/openapi.json", &[M::GET]).route(web::get().to(document)));
}

/// The document's page (Swagger UI).
pub fn docs_routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/api/docs", &[M::GET]).route(web::get().to(docs_redirect)))
        .service(swagger_ui());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op<'a>(doc: &'a Value, method: &str, path: &str) -> &'a Value {
        &doc["paths"][path][method]
    }

    #[test]
    fn every_error_answer_is_problem_json() {
        let doc = document_value();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                for (status, res) in op["responses"].as_object().into_iter().flatten() {
                    if status.as_str() >= "400" {
                        let content = res["content"].as_object().expect("content");
                        assert_eq!(
                            content.keys().collect::<Vec<_>>(),
                            [PROBLEM_JSON],
                            "{method} {path} {status}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn statuses_follow_the_extractors() {
        let doc = document_value();
        let statuses = |method, path| -> Vec<String> {
            op(&doc, method, path)["responses"]
                .as_object()
                .map(|r| r.keys().cloned().collect())
                .unwrap_or_default()
        };
        assert_eq!(statuses("get", "/healthz"), ["200"]);
        assert_eq!(
            statuses("patch", "/api/v1/applications/{id}"),
            ["200", "400", "401", "403", "404", "412", "413", "415", "422", "503"]
        );
        assert_eq!(
            statuses("get", "/api/v1/applications"),
            ["200", "400", "401", "503"]
        );
        assert!(statuses("post", "/api/v1/auth/token").contains(&"429".to_owned()));
        let retry = &op(&doc, "get", "/api/v1/me")["responses"]["503"]["headers"]["Retry-After"];
        assert_eq!(retry["required"], json!(true));
        let etag =
            &op(&doc, "get", "/api/v1/applications/{id}")["responses"]["200"]["headers"]["ETag"];
        assert_eq!(etag["required"], json!(true));
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = document_value();
        let mut ids: Vec<&str> = doc["paths"]
            .as_object()
            .into_iter()
            .flatten()
            .flat_map(|(_, item)| item.as_object().into_iter().flatten())
            .filter_map(|(_, op)| op["operationId"].as_str())
            .collect();
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count, "{ids:?}");
        assert!(ids.contains(&"get_applications_by_id_notes"));
    }

    #[test]
    fn names_do_not_collide() {
        let doc = document_value();
        let schemas = &doc["components"]["schemas"];
        assert!(schemas["ApplicationStatus"]["enum"]
            .as_array()
            .is_some_and(|e| e.contains(&json!("wishlist"))));
        assert!(schemas["GenerationStatus"]["enum"]
            .as_array()
            .is_some_and(|e| e.contains(&json!("queued"))));
    }
}
