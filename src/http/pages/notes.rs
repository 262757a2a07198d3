//! Notes on the application page: add, edit, delete (plain forms that
//! redirect back to the page's notes, or re-render it with the error).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::applications::{page_of, version_of, Refused};
use super::forms::{back_to_application, errors_by_field, to_json, Empty, Kind};
use super::{done, Poster};
use crate::actors::user_state::{AddNote, DeleteNote, UpdateNote};
use crate::domain::note::parse_note_body;
use crate::error::{Error, Result};
use crate::http::AppState;

/// `POST /applications/{id}/notes`.
pub async fn add_note(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let id = *id;
    let body = to_json(
        &form,
        &[("body", Kind::Text)],
        Empty::Omit,
        viewer.timezone(),
    );
    let refused = |e: &crate::domain::ValidationError| Refused {
        note_body: form.get("body").to_owned(),
        note_error: errors_by_field(e).into_values().next(),
        ..Default::default()
    };
    let text = match parse_note_body(&body) {
        Ok(t) => t,
        Err(e) => {
            return page_of(&state, &req, &viewer, id)
                .show(StatusCode::UNPROCESSABLE_ENTITY, refused(&e))
                .await
        }
    };
    let msg = AddNote {
        application_id: id,
        body: text,
    };
    state.user(viewer.auth.user_id).await?.send(msg).await??;
    Ok(done(
        &state,
        &format!("/applications/{id}#notes"),
        "Note added.",
    ))
}

/// `POST /notes/{id}`: edits a note (from its application's page).
pub async fn update_note(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let back = back_to_application(&form, "notes", "/applications");
    let body = to_json(
        &form,
        &[("body", Kind::Text)],
        Empty::Omit,
        viewer.timezone(),
    );
    let text = match parse_note_body(&body) {
        Ok(t) => t,
        Err(_) => {
            return Ok(done(
                &state,
                &back,
                "A note cannot be empty; it was kept as it was.",
            ))
        }
    };
    let msg = UpdateNote {
        id: *id,
        if_match: version_of(&form),
        body: text,
    };
    match state.user(viewer.auth.user_id).await?.send(msg).await? {
        Ok(_) => Ok(done(&state, &back, "Note saved.")),
        Err(Error::StaleVersion { .. }) => Ok(done(
            &state,
            &back,
            "That note changed meanwhile; your edit was not saved. Here it is as it stands now.",
        )),
        Err(e) => Err(e),
    }
}

/// `POST /notes/{id}/delete`.
pub async fn delete_note(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let msg = DeleteNote {
        id: *id,
        if_match: None,
    };
    state.user(viewer.auth.user_id).await?.send(msg).await??;
    Ok(done(
        &state,
        &back_to_application(&form, "notes", "/applications"),
        "Note deleted.",
    ))
}
