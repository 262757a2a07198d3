//! AI drafts on the application page: ask for one (queued with the AI pool),
//! stop it, delete it.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::applications::{page_of, Refused};
use super::forms::{back_to_application, errors_by_field, to_json, Empty, Kind};
use super::{done, Poster};
use crate::actors::ai_pool::Queue;
use crate::error::{Error, Result};
use crate::http::AppState;

/// `POST /applications/{id}/drafts`: asks the AI pool for a draft.
pub async fn ask_draft(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let id = *id;
    let spec = [
        ("kind", Kind::Text),
        ("tone", Kind::Text),
        ("instructions", Kind::Text),
        ("interview_id", Kind::Text),
    ];
    let body = to_json(&form, &spec, Empty::Omit, viewer.timezone());
    let refused = |errors: HashMap<String, String>| Refused {
        draft: Some(form.values()),
        draft_errors: errors,
        ..Default::default()
    };
    let new = match crate::domain::generation::NewGeneration::parse(&body) {
        Ok(n) => n,
        Err(e) => {
            return page_of(&state, &req, &viewer, id)
                .show(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    refused(errors_by_field(&e)),
                )
                .await
        }
    };
    let queued = state
        .ai
        .send(Queue {
            user_id: viewer.auth.user_id,
            application_id: id,
            new: new.clone(),
        })
        .await?;
    match queued {
        Ok(_) => Ok(done(
            &state,
            &format!("/applications/{id}#drafts"),
            &format!(
                "{} requested: it appears below as it is written.",
                new.kind.title()
            ),
        )),
        Err(Error::LimitReached { detail, .. }) => {
            let errors = HashMap::from([("kind".to_owned(), format!("Not now: {detail}."))]);
            page_of(&state, &req, &viewer, id)
                .show(StatusCode::TOO_MANY_REQUESTS, refused(errors))
                .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /drafts/{id}/cancel`.
pub async fn cancel_draft(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let message =
        match crate::http::generations::request_cancel(&state, viewer.auth.user_id, *id).await {
            Ok(g) if g.status == crate::domain::generation::Status::Cancelled => "Draft cancelled.",
            Ok(_) => "Stopping the draft: it ends within a few seconds.",
            Err(Error::Conflict(_)) => "That draft had already finished.",
            Err(e) => return Err(e),
        };
    Ok(done(
        &state,
        &back_to_application(&form, "drafts", "/applications"),
        message,
    ))
}

/// `POST /drafts/{id}/delete`.
pub async fn delete_draft(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    if !crate::store::generations::delete(&client, viewer.auth.user_id, *id).await? {
        return Err(Error::NotFound);
    }
    state.forget_reads(viewer.auth.user_id);
    Ok(done(
        &state,
        &back_to_application(&form, "drafts", "/applications"),
        "Draft deleted.",
    ))
}
