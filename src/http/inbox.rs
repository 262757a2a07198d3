//! The mailbox and inbox settings: `PUT/GET/DELETE /api/v1/mailbox`,
//! `GET/PUT /api/v1/inbox/settings`. A mailbox is stored only after its
//! login and folder were checked; its password is sealed and never shown.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use time::OffsetDateTime;

use super::extract::{AuthUser, JsonObject};
use super::{json, no_content, AppState};
use crate::domain::fields::{Fields, Presence};
use crate::domain::mailbox::MailboxInput;
use crate::domain::time::serde_ts;
use crate::domain::ValidationError;
use crate::error::{Error, Result};
use crate::http::error::Problem;
use crate::mail::imap::{self, MailError, MailboxConfig};
use crate::store::mail::{self as store, MailboxRow, NewMailbox};

/// A connected mailbox, as its owner sees it (never its password).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Mailbox {
    pub host: String,
    pub port: i32,
    pub security: String,
    pub username: String,
    pub folder: String,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub since: OffsetDateTime,
    #[serde(serialize_with = "serde_ts::option_timestamp")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_sync_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub messages_seen: i32,
}

impl From<MailboxRow> for Mailbox {
    fn from(m: MailboxRow) -> Self {
        Mailbox {
            host: m.host,
            port: m.port,
            security: m.security,
            username: m.username,
            folder: m.folder,
            since: m.since,
            last_sync_at: m.last_sync_at,
            last_error: m.last_error,
            messages_seen: m.messages_seen,
        }
    }
}

/// Which field a failed connection points at.
fn refused(e: MailError) -> Error {
    let field = match &e {
        MailError::Login => "password",
        MailError::NoSuchFolder(_) => "folder",
        MailError::StartTlsUnsupported => "security",
        _ => "host",
    };
    ValidationError::single(field, e.to_string()).into()
}

/// Connect a mailbox: the login and the folder are checked first; nothing
/// is stored when they fail.
#[utoipa::path(
    put, path = "/api/v1/mailbox", tag = "inbox", request_body = crate::http::schemas::MailboxInput,
    responses(
        (status = 200, body = Mailbox, description = "connected: the login and folder work; a first sync is queued"),
        (status = 422, body = Problem, description = "a field is invalid, or the server refused (the field names what \
          failed: host, password, folder or security); nothing was stored"),
        (status = 503, body = Problem, description = "the operator has not set JOBCOPILOT_SECRET_KEY")
    ),
    security(("bearer" = []))
)]
pub async fn connect(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonObject,
) -> Result<HttpResponse> {
    let input = MailboxInput::parse(&body)?;
    let stored = connect_mailbox(&state, auth.user_id, &input).await?;
    Ok(json(StatusCode::OK, &Mailbox::from(stored)))
}

/// Tries the login and the folder, then stores the mailbox with its
/// password sealed and queues its first sync (the API and the Settings page
/// both connect this way).
/// A refusal is a validation error naming host, password, folder or
/// security; nothing is stored then.
pub(crate) async fn connect_mailbox(
    state: &AppState,
    user: uuid::Uuid,
    input: &MailboxInput,
) -> Result<MailboxRow> {
    let secrets = state.secrets()?;
    let config = MailboxConfig {
        host: input.host.clone(),
        port: input.port,
        security: input.security,
        username: input.username.clone(),
        password: input.password.clone(),
        folder: input.folder.clone(),
    };
    imap::check(&config, &state.mail).await.map_err(refused)?;
    let sealed = secrets.seal(&input.password);
    let client = state.pool.get().await?;
    let stored = store::put_mailbox(
        &client,
        user,
        &NewMailbox {
            host: &input.host,
            port: i32::from(input.port),
            security: input.security.as_str(),
            username: &input.username,
            password_sealed: &sealed,
            folder: &input.folder,
            since: input.since.unwrap_or_else(OffsetDateTime::now_utc),
        },
    )
    .await?;
    // Its mail is read at once, not at the next periodic sync.
    store::queue_sync(&client, user).await?;
    Ok(stored)
}

/// The connected mailbox and how its reading goes.
#[utoipa::path(
    get, path = "/api/v1/mailbox", tag = "inbox",
    responses((status = 200, body = Mailbox), (status = 404, body = Problem, description = "no mailbox is connected")),
    security(("bearer" = []))
)]
pub async fn get(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let found = store::get_mailbox(&client, auth.user_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(json(StatusCode::OK, &Mailbox::from(found)))
}

/// Disconnect the mailbox: its stored password is gone.
#[utoipa::path(
    delete, path = "/api/v1/mailbox", tag = "inbox",
    responses((status = 204), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn disconnect(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    if !store::delete_mailbox(&client, auth.user_id).await? {
        return Err(Error::NotFound);
    }
    Ok(no_content())
}

/// Whether sure suggestions apply themselves.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InboxSettings {
    /// A suggestion with confidence ≥ 0.9 and a matched application applies
    /// itself (never with a forbidden transition). Off by default.
    pub auto_apply: bool,
}

#[utoipa::path(
    get, path = "/api/v1/inbox/settings", tag = "inbox",
    responses((status = 200, body = InboxSettings)),
    security(("bearer" = []))
)]
pub async fn get_settings(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let auto_apply = store::auto_apply(&client, auth.user_id).await?;
    Ok(json(StatusCode::OK, &InboxSettings { auto_apply }))
}

#[utoipa::path(
    put, path = "/api/v1/inbox/settings", tag = "inbox", request_body = crate::http::schemas::InboxSettingsInput,
    responses((status = 200, body = InboxSettings), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub async fn put_settings(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonObject,
) -> Result<HttpResponse> {
    let mut f = Fields::new(&body);
    let on = f.boolean("auto_apply", Presence::Required);
    f.require("auto_apply", &on);
    f.finish()?;
    let auto_apply = on.into_option().unwrap_or(false);
    let client = state.pool.get().await?;
    store::set_auto_apply(&client, auth.user_id, auto_apply).await?;
    Ok(json(StatusCode::OK, &InboxSettings { auto_apply }))
}

/// The suggestions mail gave, newest first.
#[utoipa::path(
    get, path = "/api/v1/inbox", tag = "inbox",
    params(
        ("state" = Option<String>, Query, description = "pending, applied or dismissed"),
        ("kind" = Option<String>, Query, description = "applied, rejection, interview_invitation, offer, recruiter_outreach"),
        ("application_id" = Option<uuid::Uuid>, Query),
        ("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = crate::http::schemas::SuggestionList, description = "a page of suggestions"), (status = 400, body = Problem)),
    security(("bearer" = []))
)]
pub async fn list(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse> {
    use crate::domain::suggestion::State;
    let query = super::extract::Query::parse(
        &req,
        &["state", "kind", "application_id", "limit", "cursor"],
    )?;
    let filter = store::SuggestionFilter {
        state: query
            .one("state")?
            .map(|s| {
                State::parse(s.trim()).ok_or_else(|| {
                    Error::bad_request("state", "must be pending, applied or dismissed")
                })
            })
            .transpose()?,
        kind: query
            .one("kind")?
            .map(|k| match crate::domain::mail::Kind::parse(k.trim()) {
                Some(kind) if kind != crate::domain::mail::Kind::Other => {
                    Ok(kind.as_str().to_owned())
                }
                _ => Err(Error::bad_request(
                    "kind",
                    "must be applied, rejection, interview_invitation, offer or recruiter_outreach",
                )),
            })
            .transpose()?,
        application_id: query.uuid("application_id")?,
        decided: false,
    };
    let client = state.pool.get().await?;
    let page = store::list_suggestions(
        &client,
        auth.user_id,
        &filter,
        query.limit()?,
        query.cursor()?.as_deref(),
    )
    .await?;
    Ok(json(StatusCode::OK, &page))
}

/// Apply a suggestion (as proposed, or edited): one transaction.
#[utoipa::path(
    post, path = "/api/v1/inbox/{id}/apply", tag = "inbox", params(("id" = uuid::Uuid, Path)),
    request_body = crate::http::schemas::ApplyInput,
    responses(
        (status = 200, body = crate::domain::suggestion::Suggestion, description = "the suggestion, state applied"),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "already applied or dismissed"),
        (status = 422, body = Problem, description = "an edit is invalid, or the pipeline forbids the status change")
    ),
    security(("bearer" = []))
)]
pub async fn apply(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<uuid::Uuid>,
    body: Option<JsonObject>,
) -> Result<HttpResponse> {
    let edited = match body.as_ref().and_then(|b| b.get("proposed")) {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Object(o)) => {
            Some(crate::domain::suggestion::Proposed::parse(o).map_err(|e| {
                ValidationError {
                    errors: e
                        .errors
                        .into_iter()
                        .map(|fe| {
                            crate::domain::FieldError::new(
                                format!("proposed.{}", fe.field),
                                fe.message,
                            )
                        })
                        .collect(),
                }
            })?)
        }
        Some(_) => return Err(ValidationError::single("proposed", "must be an object").into()),
    };
    let suggestion = apply_suggestion(&state, auth.user_id, *id, edited).await?;
    Ok(json(StatusCode::OK, &suggestion))
}

/// Applies a suggestion (as proposed, or edited) and tells the user's
/// actor and pages (the API and the Inbox page both apply this way).
pub(crate) async fn apply_suggestion(
    state: &AppState,
    user: uuid::Uuid,
    id: uuid::Uuid,
    edited: Option<crate::domain::suggestion::Proposed>,
) -> Result<crate::domain::suggestion::Suggestion> {
    let done = crate::actors::inbox::apply(&state.pool, user, id, edited).await?;
    state.bulk_written(user, done.events, done.change_seq);
    crate::actors::inbox::announce_pending(&state.pool, &state.event_bus, user).await?;
    Ok(done.value)
}

/// Dismisses a suggestion and tells the user's pages.
pub(crate) async fn dismiss_suggestion(
    state: &AppState,
    user: uuid::Uuid,
    id: uuid::Uuid,
) -> Result<crate::domain::suggestion::Suggestion> {
    let done = crate::actors::inbox::dismiss(&state.pool, user, id).await?;
    crate::actors::inbox::announce_pending(&state.pool, &state.event_bus, user).await?;
    Ok(done.value)
}

/// Dismiss a suggestion.
#[utoipa::path(
    post, path = "/api/v1/inbox/{id}/dismiss", tag = "inbox", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = crate::domain::suggestion::Suggestion, description = "the suggestion, state dismissed"), (status = 404, body = Problem),
              (status = 409, body = Problem, description = "already applied")),
    security(("bearer" = []))
)]
pub async fn dismiss(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    let suggestion = dismiss_suggestion(&state, auth.user_id, *id).await?;
    Ok(json(StatusCode::OK, &suggestion))
}

/// Read the mailbox now.
#[utoipa::path(
    post, path = "/api/v1/mailbox/sync", tag = "inbox",
    responses((status = 202, description = "a sync is queued (or already was)"),
              (status = 404, body = Problem, description = "no mailbox is connected")),
    security(("bearer" = []))
)]
pub async fn sync(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    queue_sync(&state, auth.user_id).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Queues a sync of the user's mailbox (once); 404 when none is connected.
pub(crate) async fn queue_sync(state: &AppState, user: uuid::Uuid) -> Result<()> {
    let client = state.pool.get().await?;
    if store::get_mailbox(&client, user).await?.is_none() {
        return Err(Error::NotFound);
    }
    store::queue_sync(&client, user).await?;
    Ok(())
}

/// One message may be this large (larger ones are skipped with a note).
pub const MESSAGE_LIMIT: usize = 10 * 1024 * 1024;

/// What an upload carried: its messages, and the multipart form's small
/// text fields (the Inbox page's form sends its `_csrf` among them).
#[derive(Default)]
pub(crate) struct Upload {
    pub files: Vec<Vec<u8>>,
    pub fields: Vec<(String, String)>,
}

/// The longest text field an upload form may carry beside its files.
const UPLOAD_FIELD_LIMIT: usize = 4096;

/// The messages of an upload: the body itself (`message/rfc822`), or every
/// `file` part of a multipart form; each at most [`MESSAGE_LIMIT`]. A file
/// part left empty (a form sent with no file chosen) is no message.
pub(crate) async fn uploaded(
    req: &actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<Upload> {
    use futures_util::StreamExt;
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        let mut one = Vec::new();
        super::transfer::receive(req, payload, MESSAGE_LIMIT, &mut one).await?;
        return Ok(Upload {
            files: vec![one],
            fields: Vec::new(),
        });
    }
    let mut form = actix_multipart::Multipart::new(req.headers(), payload.into_inner());
    let mut upload = Upload::default();
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| Error::bad_request("file", format!("unreadable form: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = name == "file";
        let limit = if is_file {
            MESSAGE_LIMIT
        } else {
            UPLOAD_FIELD_LIMIT
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|e| Error::bad_request("file", format!("unreadable form: {e}")))?;
            if bytes.len() + chunk.len() > limit {
                return Err(Error::TooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            let unnamed = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .is_some_and(str::is_empty);
            if !(bytes.is_empty() && unnamed) {
                upload.files.push(bytes);
            }
        } else {
            upload
                .fields
                .push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok(upload)
}

/// Queues uploaded messages for the mail workers (in one transaction):
/// one id per message; refused when there is none or one is empty.
pub(crate) async fn queue_messages(
    state: &AppState,
    user: uuid::Uuid,
    files: &[Vec<u8>],
) -> Result<Vec<uuid::Uuid>> {
    if files.is_empty() || files.iter().any(|f| f.iter().all(u8::is_ascii_whitespace)) {
        return Err(ValidationError::single(
            "file",
            "send at least one message, none of them empty",
        )
        .into());
    }
    let mut client = state.pool.get().await?;
    let tx = client.transaction().await?;
    let mut ids = Vec::with_capacity(files.len());
    for f in files {
        ids.push(store::queue_message(&tx, user, f).await?);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Answer of an upload: one id per message received.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Received {
    pub ids: Vec<uuid::Uuid>,
}

/// Upload `.eml` messages to be read like mail from the mailbox.
#[utoipa::path(
    post, path = "/api/v1/inbox/messages", tag = "inbox",
    request_body(content = Object, content_type = "multipart/form-data",
                 description = "one or more `file` parts (.eml), each ≤ 10 MiB; a single message may also be sent as the \
                   body itself with Content-Type message/rfc822"),
    responses((status = 202, body = Received), (status = 413, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub async fn upload(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let upload = uploaded(&req, payload).await?;
    let ids = queue_messages(&state, auth.user_id, &upload.files).await?;
    Ok(json(StatusCode::ACCEPTED, &Received { ids }))
}

/// The mailbox and the inbox's settings.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(
        resource("/mailbox", &[M::GET, M::PUT, M::DELETE])
            .route(web::get().to(get))
            .route(web::put().to(connect))
            .route(web::delete().to(disconnect)),
    )
    .service(resource("/mailbox/sync", &[M::POST]).route(web::post().to(sync)))
    .service(resource("/inbox", &[M::GET]).route(web::get().to(list)))
    .service(resource("/inbox/messages", &[M::POST]).route(web::post().to(upload)))
    .service(resource("/inbox/{id}/apply", &[M::POST]).route(web::post().to(apply)))
    .service(resource("/inbox/{id}/dismiss", &[M::POST]).route(web::post().to(dismiss)))
    .service(
        resource("/inbox/settings", &[M::GET, M::PUT])
            .route(web::get().to(get_settings))
            .route(web::put().to(put_settings)),
    );
}
