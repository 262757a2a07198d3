//! `/api/v1/interviews`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::extract::{AuthUser, IfMatch, JsonObject, Query};
use super::schemas::{InterviewInput, InterviewList, NewInterviewInput};
use super::{created, json, no_content, versioned, AppState};
use crate::actors::user_state::{CreateInterview, DeleteInterview, UpdateInterview};
use crate::domain::interview::{Interview, InterviewPatch, NewInterview, Outcome};
use crate::error::{Error, Result};
use crate::http::error::Problem;
use crate::store::interviews::{self as store, ListQuery};

/// The user's interviews by time.
#[utoipa::path(
    get, path = "/api/v1/interviews", tag = "interviews",
    params(
        ("from" = Option<String>, Query, description = "RFC 3339; from ≤ scheduled_at"),
        ("to" = Option<String>, Query, description = "RFC 3339; scheduled_at < to"),
        ("application_id" = Option<Uuid>, Query),
        ("outcome" = Option<String>, Query, description = "comma list of outcomes"),
        ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)
    ),
    responses((status = 200, body = InterviewList), (status = 400, body = Problem)),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let query = Query::parse(
        &req,
        &["from", "to", "application_id", "outcome", "limit", "cursor"],
    )?;
    let (from, to) = (query.timestamp("from")?, query.timestamp("to")?);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(Error::bad_request("from", "must not be after 'to'"));
        }
    }
    let list_query = ListQuery {
        from,
        to,
        application_id: query.uuid("application_id")?,
        outcomes: query.list(
            "outcome",
            Outcome::parse,
            "scheduled, completed, passed, failed, cancelled, no_show",
        )?,
        limit: query.limit()?,
        cursor: query.cursor()?,
    };
    let client = state.pool.get().await?;
    let page = store::list(&client, auth.user_id, &list_query).await?;
    Ok(json(StatusCode::OK, &page))
}

/// Schedule an interview for one of the user's applications.
#[utoipa::path(
    post, path = "/api/v1/interviews", tag = "interviews",
    request_body = NewInterviewInput,
    responses((status = 201, body = Interview), (status = 404, body = Problem, description = "no such application"), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub async fn create(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonObject,
) -> Result<HttpResponse> {
    let new = NewInterview::parse(&body)?;
    let interview = state
        .user(auth.user_id)
        .await?
        .send(CreateInterview { new })
        .await??;
    Ok(created(
        format!("/api/v1/interviews/{}", interview.id),
        &interview,
        Some(interview.version),
    ))
}

#[utoipa::path(
    get, path = "/api/v1/interviews/{id}", tag = "interviews",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Interview), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn get(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let interview = store::get(&client, auth.user_id, *id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(versioned(StatusCode::OK, &interview, interview.version))
}

#[utoipa::path(
    patch, path = "/api/v1/interviews/{id}", tag = "interviews",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body(content = InterviewInput, content_type = "application/merge-patch+json"),
    responses((status = 200, body = Interview), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub async fn update(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonObject,
) -> Result<HttpResponse> {
    let patch = InterviewPatch::parse(&body)?;
    let msg = UpdateInterview {
        id: *id,
        if_match: if_match.0,
        patch,
    };
    let interview = state.user(auth.user_id).await?.send(msg).await??;
    Ok(versioned(StatusCode::OK, &interview, interview.version))
}

#[utoipa::path(
    delete, path = "/api/v1/interviews/{id}", tag = "interviews",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    responses((status = 204), (status = 404, body = Problem), (status = 412, body = Problem)),
    security(("bearer" = []))
)]
pub async fn delete(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse> {
    state
        .user(auth.user_id)
        .await?
        .send(DeleteInterview {
            id: *id,
            if_match: if_match.0,
        })
        .await??;
    Ok(no_content())
}

/// Interviews.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(
        resource("/interviews", &[M::GET, M::POST])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/interviews/{id}", &[M::GET, M::PATCH, M::DELETE])
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    );
}
