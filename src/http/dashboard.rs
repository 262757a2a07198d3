//! `/api/v1/dashboard`: answered from the user's actor, from memory.

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::extract::AuthUser;
use super::{AppState, JSON};
use crate::actors::user_state::GetDashboardJson;
use crate::domain::metrics::Dashboard;
use crate::error::Result;
use crate::http::error::Problem;

/// The dashboard: totals, funnel, rates, timings, sources, weekly activity,
/// what is coming up and what to do next.
#[utoipa::path(
    get, path = "/api/v1/dashboard", tag = "dashboard",
    responses((status = 200, body = Dashboard), (status = 401, body = Problem), (status = 503, body = Problem)),
    security(("bearer" = []))
)]
pub async fn dashboard(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    let body = state
        .user_for_reading(auth.user_id)
        .await?
        .send(GetDashboardJson)
        .await??;
    Ok(HttpResponse::build(StatusCode::OK)
        .insert_header((header::CONTENT_TYPE, JSON))
        .body(body))
}

/// The dashboard.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/dashboard", &[M::GET]).route(web::get().to(dashboard)));
}
