//! Notes: `/api/v1/applications/{id}/notes` and `/api/v1/notes/{id}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::extract::{AuthUser, IfMatch, JsonObject, Query};
use super::schemas::{NoteInput, NoteList};
use super::{created, json, no_content, versioned, AppState};
use crate::actors::user_state::{AddNote, DeleteNote, UpdateNote};
use crate::domain::note::{parse_note_body, Note};
use crate::error::{Error, Result};
use crate::http::error::Problem;
use crate::store::{applications, notes as store};

/// The notes of an application, oldest first.
#[utoipa::path(
    get, path = "/api/v1/applications/{id}/notes", tag = "notes",
    params(("id" = Uuid, Path), ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = NoteList), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let client = state.pool.get().await?;
    if !applications::exists(&client, auth.user_id, *id).await? {
        return Err(Error::NotFound);
    }
    let page = store::list(
        &client,
        auth.user_id,
        *id,
        query.limit()?,
        query.cursor()?.as_deref(),
    )
    .await?;
    Ok(json(StatusCode::OK, &page))
}

/// Add a note to an application.
#[utoipa::path(
    post, path = "/api/v1/applications/{id}/notes", tag = "notes",
    params(("id" = Uuid, Path)), request_body = NoteInput,
    responses((status = 201, body = Note), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub async fn create(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
    body: JsonObject,
) -> Result<HttpResponse> {
    let text = parse_note_body(&body)?;
    let note = state
        .user(auth.user_id)
        .await?
        .send(AddNote {
            application_id: *id,
            body: text,
        })
        .await??;
    Ok(created(
        format!("/api/v1/notes/{}", note.id),
        &note,
        Some(note.version),
    ))
}

/// Fetch one note.
#[utoipa::path(
    get, path = "/api/v1/notes/{id}", tag = "notes",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Note), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn get(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let note = store::get(&client, auth.user_id, *id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(versioned(StatusCode::OK, &note, note.version))
}

/// Change a note's text.
#[utoipa::path(
    patch, path = "/api/v1/notes/{id}", tag = "notes",
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header)),
    request_body(content = NoteInput, content_type = "application/merge-patch+json"),
    responses((status = 200, body = Note), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub async fn update(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: JsonObject,
) -> Result<HttpResponse> {
    let text = parse_note_body(&body)?;
    let msg = UpdateNote {
        id: *id,
        if_match: if_match.0,
        body: text,
    };
    let note = state.user(auth.user_id).await?.send(msg).await??;
    Ok(versioned(StatusCode::OK, &note, note.version))
}

/// Delete a note.
#[utoipa::path(
    delete, path = "/api/v1/notes/{id}", tag = "notes",
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
        .send(DeleteNote {
            id: *id,
            if_match: if_match.0,
        })
        .await??;
    Ok(no_content())
}

/// Notes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(
        resource("/applications/{id}/notes", &[M::GET, M::POST])
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .service(
        resource("/notes/{id}", &[M::GET, M::PATCH, M::DELETE])
            .route(web::get().to(get))
            .route(web::patch().to(update))
            .route(web::delete().to(delete)),
    );
}
