//! `/healthz` (the process runs) and `/readyz` (it can serve).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;

use actix_web::http::header;

use super::error::{Problem, PROBLEM_JSON};
use super::{json, AppState};
use crate::store;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    status: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// `ok` or `down`.
    postgres: &'static str,
    /// `ok`, `down` or `disabled` (no Redis configured).
    redis: &'static str,
    /// `done` or `running`.
    migrations: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> HttpResponse {
    json(StatusCode::OK, &Health { status: "ok" })
}

#[utoipa::path(
    get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness, description = "PostgreSQL unreachable or migrations running"))
)]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let postgres_ok =
        tokio::time::timeout(std::time::Duration::from_secs(3), store::ping(&state.pool))
            .await
            .map(|r| r.is_ok())
            .unwrap_or(false);
    let migrated = state.migrations.done();
    let body = Readiness {
        postgres: if postgres_ok { "ok" } else { "down" },
        redis: state.link.status(),
        migrations: if migrated { "done" } else { "running" },
    };
    if postgres_ok && migrated {
        return json(StatusCode::OK, &body);
    }
    // Not ready: a problem document (as every 5xx is) that carries the same
    // three members as extensions.
    let why = if postgres_ok {
        "migrations are still running"
    } else {
        "PostgreSQL is unreachable"
    };
    let problem = Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "Service unavailable",
        why,
    );
    let mut doc = serde_json::to_value(&problem).unwrap_or_default();
    if let (Some(map), Ok(serde_json::Value::Object(extra))) =
        (doc.as_object_mut(), serde_json::to_value(&body))
    {
        map.extend(extra);
    }
    HttpResponse::ServiceUnavailable()
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .insert_header((header::RETRY_AFTER, "5"))
        .body(doc.to_string())
}

/// `/healthz` and `/readyz`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/healthz", &[M::GET]).route(web::get().to(healthz)))
        .service(resource("/readyz", &[M::GET]).route(web::get().to(readyz)));
}
