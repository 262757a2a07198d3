//! The dashboard (`/`) and analytics (`/analytics`) pages: the same figures
//! as `GET /api/v1/dashboard`, from the user's actor, with SVG charts.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use super::{charts, done, remembered_page, render_page, Poster, Viewer};
use crate::actors::analytics::RefreshUser;
use crate::actors::user_state::GetDashboard;
use crate::domain::pipeline::Status;
use crate::domain::time::{format_date, local_date};
use crate::error::Result;
use crate::http::AppState;
use crate::store::analytics;

/// `GET /`.
pub async fn dashboard(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let user_id = viewer.auth.user_id;
    let build = async {
        let d = state
            .user_for_reading(user_id)
            .await?
            .send(GetDashboard { at: None })
            .await??;
        // Served from the actor's memory alone: recommendations carry their names.
        let recommendations: Vec<_> = d
            .recommendations
            .iter()
            .map(|r| {
                context! { id => r.application_id, company => r.company, title => r.title,
                score => r.priority_score, reasons => r.reasons }
            })
            .collect();
        let by_status: Vec<_> = Status::ALL
            .iter()
            .map(|s| context! { status => s.as_str(), count => d.totals.by_status.get(s.as_str()).copied().unwrap_or(0) })
            .collect();
        Ok(context! {
            d => minijinja::Value::from_serialize(&d),
            by_status => by_status,
            recommendations => recommendations,
            funnel => minijinja::Value::from_serialize(charts::funnel(&d.funnel)),
            weekly => minijinja::Value::from_serialize(charts::weekly(&d.weekly)),
        })
    };
    remembered_page(
        &state,
        &req,
        &viewer,
        "pages/dashboard.html",
        "dashboard",
        build,
    )
    .await
}

/// `GET /analytics`: trends from the stored weekly snapshots, rates by
/// source and time in stage.
pub async fn analytics_page(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let user_id = viewer.auth.user_id;
    let now = OffsetDateTime::now_utc();
    let since = local_date(now - Duration::weeks(26), viewer.timezone());
    let client = state.pool.get().await?;
    let snapshots =
        analytics::list_snapshots(&client, user_id, "week", Some(since), None, 200, None)
            .await?
            .items;
    let rate = |m: &Value, name: &str| m["rates"][name].as_f64().unwrap_or(0.0);
    let labels: Vec<String> = snapshots
        .iter()
        .map(|s| s.period_start.map(charts::day_month).unwrap_or_default())
        .collect();
    let series = [
        (
            "Response rate",
            "response",
            snapshots
                .iter()
                .map(|s| rate(&s.metrics, "response_rate"))
                .collect(),
        ),
        (
            "Interview rate",
            "interview",
            snapshots
                .iter()
                .map(|s| rate(&s.metrics, "interview_rate"))
                .collect(),
        ),
        (
            "Offer rate",
            "offer",
            snapshots
                .iter()
                .map(|s| rate(&s.metrics, "offer_rate"))
                .collect(),
        ),
    ];
    let rows: Vec<_> = snapshots
        .iter()
        .map(|s| {
            context! {
                week => s.period_start.map(format_date),
                applications => s.metrics["totals"]["all"].as_i64().unwrap_or(0),
                response_rate => rate(&s.metrics, "response_rate"),
                interview_rate => rate(&s.metrics, "interview_rate"),
                offer_rate => rate(&s.metrics, "offer_rate"),
            }
        })
        .collect();
    let d = state
        .user_for_reading(user_id)
        .await?
        .send(GetDashboard { at: None })
        .await??;
    let ctx = context! {
        trend => minijinja::Value::from_serialize(charts::rates(&labels, &series)),
        rows => rows,
        d => minijinja::Value::from_serialize(&d),
    };
    render_page(
        &state,
        &req,
        &viewer,
        StatusCode::OK,
        "pages/analytics.html",
        "analytics",
        ctx,
    )
}

/// `POST /analytics/refresh`: recomputes the snapshots now, then shows them.
pub async fn refresh(
    state: web::Data<AppState>,
    Poster { viewer, .. }: Poster,
) -> Result<HttpResponse> {
    let written = state
        .analytics
        .send(RefreshUser {
            user_id: viewer.auth.user_id,
        })
        .await??;
    Ok(done(
        &state,
        "/analytics",
        &format!("Snapshots recomputed ({written} periods)."),
    ))
}
