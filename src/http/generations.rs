//! AI generations: `/api/v1/applications/{id}/generations`,
//! `/api/v1/generations` and `/api/v1/ai/status`. A request is queued (202)
//! and written by the AI pool; progress arrives as live events.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use uuid::Uuid;

use super::extract::{AuthUser, JsonObject, Query};
use super::schemas::{GenerationList, NewGenerationInput};
use super::{json, no_content, AppState};
use crate::actors::ai_pool::{AiStatus, CheckStatus, Queue};
use crate::actors::event_bus::Publish;
use crate::domain::generation::{Generation, Kind, NewGeneration, Status};
use crate::error::{Error, Result};
use crate::http::error::Problem;
use crate::store::generations::{self as store, Cancel, ListQuery};

fn location(id: Uuid) -> String {
    format!("/api/v1/generations/{id}")
}

/// Ask for a draft.
#[utoipa::path(
    post, path = "/api/v1/applications/{id}/generations", tag = "ai",
    params(("id" = Uuid, Path)),
    request_body = NewGenerationInput,
    responses(
        (status = 202, body = Generation, description = "queued; Location names it"),
        (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem, description = "over the concurrent limit or the daily quota (Retry-After)")
    ),
    security(("bearer" = []))
)]
pub async fn create(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
    body: JsonObject,
) -> Result<HttpResponse> {
    let new = NewGeneration::parse(&body)?;
    let generation = state
        .ai
        .send(Queue {
            user_id: auth.user_id,
            application_id: *id,
            new,
        })
        .await??;
    let mut res = json(StatusCode::ACCEPTED, &generation);
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&location(generation.id)) {
        res.headers_mut()
            .insert(actix_web::http::header::LOCATION, v);
    }
    Ok(res)
}

/// The user's generations, newest first.
#[utoipa::path(
    get, path = "/api/v1/generations", tag = "ai",
    params(
        ("application_id" = Option<Uuid>, Query), ("interview_id" = Option<Uuid>, Query),
        ("kind" = Option<String>, Query), ("status" = Option<String>, Query),
        ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = GenerationList, description = "a page of generations, newest first")),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let query = Query::parse(
        &req,
        &[
            "application_id",
            "interview_id",
            "kind",
            "status",
            "limit",
            "cursor",
        ],
    )?;
    let kind = match query.one("kind")? {
        None => None,
        Some(k) => Some(Kind::parse(k.trim()).ok_or_else(|| {
            Error::bad_request("kind", "must be one of cover_letter, interview_questions, follow_up_email, thank_you_note, resume_tailoring")
        })?),
    };
    let status = match query.one("status")? {
        None => None,
        Some(s) => Some(Status::parse(s.trim()).ok_or_else(|| {
            Error::bad_request(
                "status",
                "must be one of queued, running, succeeded, failed, cancelled",
            )
        })?),
    };
    let q = ListQuery {
        application_id: query.uuid("application_id")?,
        interview_id: query.uuid("interview_id")?,
        kind,
        status,
        limit: query.limit()?,
        cursor: query.cursor()?,
    };
    let client = state.pool.get().await?;
    let page = store::list(&client, auth.user_id, &q).await?;
    Ok(json(StatusCode::OK, &page))
}

/// One generation, with its output, usage and audit.
#[utoipa::path(
    get, path = "/api/v1/generations/{id}", tag = "ai",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Generation), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn get(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let g = store::get(&client, auth.user_id, *id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(json(StatusCode::OK, &g))
}

/// Cancels a queued (at once) or running (at its next lease renewal) generation.
pub async fn request_cancel(state: &AppState, user_id: Uuid, id: Uuid) -> Result<Generation> {
    let client = state.pool.get().await?;
    match store::cancel(&client, user_id, id).await? {
        Cancel::Missing => return Err(Error::NotFound),
        Cancel::Finished => {
            return Err(Error::Conflict(
                "the generation has already finished".into(),
            ))
        }
        Cancel::Cancelled => state.event_bus.do_send(Publish {
            user_id,
            kind: crate::domain::events::EventKind::GenerationFinished,
            data: json!({"id": id, "status": "cancelled"}),
        }),
        Cancel::Requested => {}
    }
    store::get(&client, user_id, id)
        .await?
        .ok_or(Error::NotFound)
}

#[utoipa::path(
    post, path = "/api/v1/generations/{id}/cancel", tag = "ai",
    params(("id" = Uuid, Path)),
    responses((status = 202, body = Generation), (status = 404, body = Problem), (status = 409, body = Problem, description = "already finished")),
    security(("bearer" = []))
)]
pub async fn cancel(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse> {
    let g = request_cancel(&state, auth.user_id, *id).await?;
    Ok(json(StatusCode::ACCEPTED, &g))
}

#[utoipa::path(
    delete, path = "/api/v1/generations/{id}", tag = "ai",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn delete(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    if !store::delete(&client, auth.user_id, *id).await? {
        return Err(Error::NotFound);
    }
    state.forget_reads(auth.user_id);
    Ok(no_content())
}

/// Which provider writes drafts, and whether it answers.
#[utoipa::path(
    get, path = "/api/v1/ai/status", tag = "ai",
    responses((status = 200, body = AiStatus)),
    security(("bearer" = []))
)]
pub async fn status(state: web::Data<AppState>, _auth: AuthUser) -> Result<HttpResponse> {
    let s = state.ai.send(CheckStatus).await?;
    Ok(json(StatusCode::OK, &s))
}

/// AI drafts.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(
        resource("/applications/{id}/generations", &[M::POST]).route(web::post().to(create)),
    )
    .service(resource("/generations", &[M::GET]).route(web::get().to(list)))
    .service(
        resource("/generations/{id}", &[M::GET, M::DELETE])
            .route(web::get().to(get))
            .route(web::delete().to(delete)),
    )
    .service(resource("/generations/{id}/cancel", &[M::POST]).route(web::post().to(cancel)))
    .service(resource("/ai/status", &[M::GET]).route(web::get().to(status)));
}
