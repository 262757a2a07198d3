//! `POST /api/v1/capture`: a job posting (its address, page source or text)
//! into the fields of a new application, for the person to review. It
//! creates nothing.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use uuid::Uuid;

use super::extract::{AuthUser, JsonObjectUpTo};
use super::{json, AppState};
use crate::auth::throttle::{self, UserAction};
use crate::capture::fetch::{self, Guard};
use crate::domain::application::ApplicationFields;
use crate::domain::capture::{extract, CapturedFields, FoundBy, Source};
use crate::domain::pipeline::Status;
use crate::domain::posting::{Posting, BODY_LIMIT};
use crate::domain::ValidationError;
use crate::error::{Error, Result};
use crate::http::error::Problem;
use crate::http::schemas::CaptureInput;
use crate::store::{applications, users};

/// An application the captured posting looks like (same URL, or the same
/// company and title lately).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    pub id: Uuid,
    pub company: String,
    pub title: String,
    pub status: Status,
}

/// What capture found.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Capture {
    /// Every field of a new application capture reads; null when not found.
    pub fields: CapturedFields,
    /// How the title (or company) was found; null when nothing was.
    pub found_by: Option<FoundBy>,
    pub duplicate_of: Option<Duplicate>,
}

/// Turn a job posting into the fields of a new application (creates nothing).
#[utoipa::path(
    post, path = "/api/v1/capture", tag = "applications", request_body = CaptureInput,
    responses(
        (status = 200, body = Capture, description = "the fields found (null when not found) and the application it \
          may duplicate; nothing is created: review them, then POST /api/v1/applications"),
        (status = 400, body = Problem), (status = 413, body = Problem, description = "over 5 MiB"),
        (status = 415, body = Problem),
        (status = 422, body = Problem, description = "nothing to read, a binary body, or a url alone while this server \
          does not fetch pages (or the page could not be fetched: the field is url)"),
        (status = 429, body = Problem, description = "too many captures this hour; see Retry-After")
    ),
    security(("bearer" = []))
)]
pub async fn capture(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonObjectUpTo<BODY_LIMIT>,
) -> Result<HttpResponse> {
    let posting = Posting::parse(&body)?;
    let user = auth.user_id;
    throttle::user_action(
        &state.pool,
        user,
        UserAction::Capture,
        state.settings.captures_per_hour,
    )
    .await?;
    let (url, html) = match (&posting.url, &posting.html, &posting.text) {
        (Some(url), None, None) => {
            let page = fetched(&state, url).await?;
            (Some(page.url), Some(page.html))
        }
        _ => (posting.url.clone(), posting.html.clone()),
    };
    let zone = users::timezone(&state.pool.get().await?, user).await?;
    let source = (url, html, posting.text.clone());
    let captured = web::block(move || {
        let (url, html, text) = &source;
        extract(
            &Source {
                url: url.as_deref(),
                html: html.as_deref(),
                text: text.as_deref(),
            },
            &zone,
        )
    })
    .await
    .map_err(Error::internal)?;
    let duplicate_of = duplicate(&state, user, &captured.fields).await?;
    Ok(json(
        StatusCode::OK,
        &Capture {
            fields: captured.fields,
            found_by: captured.found_by,
            duplicate_of,
        },
    ))
}

/// The page at `url`, when the operator lets this server fetch pages.
async fn fetched(state: &AppState, url: &str) -> Result<fetch::Fetched> {
    if !state.settings.capture_fetch {
        return Err(ValidationError::single(
            "url",
            "this server does not fetch pages: send the page's source (html) or its text with the url",
        )
        .into());
    }
    let guard = Guard {
        allowed: state.settings.capture_fetch_allow.clone(),
    };
    fetch::fetch(url, &guard)
        .await
        .map_err(|e| ValidationError::single("url", e.to_string()).into())
}

/// The application the captured fields look like, by the create's rule.
async fn duplicate(
    state: &AppState,
    user: Uuid,
    fields: &CapturedFields,
) -> Result<Option<Duplicate>> {
    // The application the posting would become, as far as capture knows it.
    let probe = ApplicationFields {
        company: fields.company.clone().unwrap_or_default(),
        title: fields.title.clone().unwrap_or_default(),
        url: fields.url.as_deref().map(Into::into),
        location: fields.location.as_deref().map(Into::into),
        work_mode: fields.work_mode,
        salary_min: fields.salary_min,
        salary_max: fields.salary_max,
        salary_currency: fields
            .salary_currency
            .clone()
            .unwrap_or_else(|| "USD".into()),
        status: Status::Wishlist,
        source: fields.source.as_deref().map(Into::into),
        applied_on: None,
        deadline: fields.deadline,
        tags: fields.tags.clone().into(),
        contact_name: None,
        contact_email: None,
        next_action: None,
        next_action_at: None,
    };
    let client = state.pool.get().await?;
    let now = time::OffsetDateTime::now_utc();
    let found = applications::find_duplicates(&client, &[(user, &probe)], now).await?;
    let Some(id) = found.into_iter().flatten().next() else {
        return Ok(None);
    };
    Ok(applications::get(&client, user, id)
        .await?
        .map(|d| Duplicate {
            id,
            company: d.application.fields.company,
            title: d.application.fields.title,
            status: d.application.fields.status,
        }))
}

/// Capture.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/capture", &[M::POST]).route(web::post().to(capture)));
}
