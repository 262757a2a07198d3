//! `/api/v1/analytics`: stored daily and weekly snapshots, and a refresh.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::{AuthUser, Query};
use super::{json, AppState};
use crate::actors::analytics::RefreshUser;
use crate::domain::time::parse_date;
use crate::error::{Error, Result};
use crate::http::error::Problem;
use crate::store::analytics::{self as store, Snapshot};

/// A page of snapshots.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct SnapshotList {
    items: Vec<Snapshot>,
    next_cursor: Option<String>,
}

/// The answer of an accepted request whose work goes on in the background.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Accepted {
    #[schema(value_type = String, pattern = "^accepted$")]
    status: &'static str,
}

/// Stored snapshots `{period, period_start, metrics}`, oldest first; metrics
/// are the dashboard's totals, funnel, rates and median at the period's end.
#[utoipa::path(
    get, path = "/api/v1/analytics/snapshots", tag = "dashboard",
    params(
        ("period" = Option<String>, Query, description = "day (default) or week"),
        ("from" = Option<String>, Query, description = "YYYY-MM-DD, inclusive"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD, inclusive"),
        ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)
    ),
    responses((status = 200, body = SnapshotList), (status = 400, body = Problem)),
    security(("bearer" = []))
)]
pub async fn snapshots(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let query = Query::parse(&req, &["period", "from", "to", "limit", "cursor"])?;
    let period = match query.one("period")?.unwrap_or("day") {
        p @ ("day" | "week") => p,
        _ => return Err(Error::bad_request("period", "must be day or week")),
    };
    let date = |name: &str| -> Result<Option<time::Date>> {
        query
            .one(name)?
            .map(|s| {
                parse_date(s.trim())
                    .ok_or_else(|| Error::bad_request(name, "must be a date (YYYY-MM-DD)"))
            })
            .transpose()
    };
    let (from, to) = (date("from")?, date("to")?);
    let client = state.pool.get().await?;
    let page = store::list_snapshots(
        &client,
        auth.user_id,
        period,
        from,
        to,
        query.limit()?,
        query.cursor()?.as_deref(),
    )
    .await?;
    Ok(json(StatusCode::OK, &page))
}

/// Recomputes the user's snapshots (the last 30 days and 12 weeks).
#[utoipa::path(
    post, path = "/api/v1/analytics/refresh", tag = "dashboard",
    responses((status = 202, body = Accepted, description = "recomputing")),
    security(("bearer" = []))
)]
pub async fn refresh(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    let analytics = state.analytics.clone();
    let user_id = auth.user_id;
    // Accepted now; the work finishes in the background.
    actix_web::rt::spawn(async move {
        match analytics.send(RefreshUser { user_id }).await {
            Ok(Ok(n)) => tracing::info!(%user_id, snapshots = n, "snapshots refreshed"),
            Ok(Err(e)) => tracing::warn!(%user_id, error = %e, "snapshot refresh failed"),
            Err(e) => tracing::warn!(%user_id, error = %e, "snapshot refresh not delivered"),
        }
    });
    Ok(json(StatusCode::ACCEPTED, &Accepted { status: "accepted" }))
}

/// Snapshots.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/analytics/snapshots", &[M::GET]).route(web::get().to(snapshots)))
        .service(resource("/analytics/refresh", &[M::POST]).route(web::post().to(refresh)));
}
