//! The calendar feed: `/api/v1/calendar-feed` manages the secret URL, and
//! `/calendar/{token}.ics` serves the interviews and deadlines without a
//! session (the token never appears in logs).

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use time::OffsetDateTime;

use super::extract::AuthUser;
use super::{created, json, no_content, no_store, AppState};
use crate::actors::user_state::{CreateCalendarFeed, DeleteCalendarFeed};
use crate::domain::calendar::{feed, DeadlineEntry, InterviewEntry};
use crate::domain::time::serde_ts;
use crate::error::{Error, Result};
use crate::http::error::Problem;
use crate::store::{applications, calendar, interviews};

/// A calendar feed: subscribe to `url` in any calendar app.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CalendarFeed {
    pub url: String,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

pub fn feed_url(state: &AppState, token: &str) -> String {
    format!(
        "{}/calendar/{token}.ics",
        state.settings.public_url.as_str().trim_end_matches('/')
    )
}

/// The current feed URL.
#[utoipa::path(
    get, path = "/api/v1/calendar-feed", tag = "calendar",
    responses((status = 200, body = CalendarFeed), (status = 404, body = Problem, description = "the feed is off")),
    security(("bearer" = []))
)]
pub async fn get(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let (token, created_at) = calendar::get(&client, auth.user_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(no_store(json(
        StatusCode::OK,
        &CalendarFeed {
            url: feed_url(&state, &token),
            created_at,
        },
    )))
}

/// A new secret feed URL; any earlier one stops working.
#[utoipa::path(
    post, path = "/api/v1/calendar-feed", tag = "calendar",
    responses((status = 201, body = CalendarFeed)),
    security(("bearer" = []))
)]
pub async fn rotate(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    let (token, created_at) = state
        .user(auth.user_id)
        .await?
        .send(CreateCalendarFeed {})
        .await??;
    let body = CalendarFeed {
        url: feed_url(&state, &token),
        created_at,
    };
    Ok(no_store(created(
        "/api/v1/calendar-feed".into(),
        &body,
        None,
    )))
}

/// Turns the feed off.
#[utoipa::path(
    delete, path = "/api/v1/calendar-feed", tag = "calendar",
    responses((status = 204), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn delete(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    state
        .user(auth.user_id)
        .await?
        .send(DeleteCalendarFeed {})
        .await??;
    Ok(no_content())
}

/// `GET /calendar/{token}.ics`: iCalendar (RFC 5545), no session needed.
#[utoipa::path(
    get, path = "/calendar/{file}", tag = "calendar",
    params(("file" = String, Path, description = "<feed token>.ics")),
    responses((status = 200, content_type = "text/calendar"), (status = 404, body = Problem))
)]
pub async fn ics(state: web::Data<AppState>, file: web::Path<String>) -> Result<HttpResponse> {
    let token = file.strip_suffix(".ics").ok_or(Error::NotFound)?;
    let client = state.pool.get().await?;
    let user = calendar::owner(&client, token)
        .await?
        .ok_or(Error::NotFound)?;
    let ivs = interviews::all_with_application(&client, user).await?;
    let deadlines = applications::deadlines(&client, user).await?;
    let interview_entries: Vec<InterviewEntry<'_>> = ivs
        .iter()
        .map(|(i, company, title)| InterviewEntry {
            interview: i,
            company,
            title,
        })
        .collect();
    let deadline_entries: Vec<DeadlineEntry<'_>> = deadlines
        .iter()
        .map(|d| DeadlineEntry {
            application_id: d.id,
            version: d.version,
            company: &d.company,
            title: &d.title,
            deadline: d.deadline,
            updated_at: d.updated_at,
        })
        .collect();
    let host = state
        .settings
        .public_url
        .host_str()
        .unwrap_or("jobcopilot")
        .to_owned();
    let body = feed(&host, &interview_entries, &deadline_entries);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/calendar; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .body(body))
}

/// The calendar feed's settings (under `/api/v1`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(
        resource("/calendar-feed", &[M::GET, M::POST, M::DELETE])
            .route(web::get().to(get))
            .route(web::post().to(rotate))
            .route(web::delete().to(delete)),
    );
}

/// The calendar feed itself (its secret URL, outside the API).
pub fn feed_routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/calendar/{file}", &[M::GET]).route(web::get().to(ics)));
}
