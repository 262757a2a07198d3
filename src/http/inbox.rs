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
use crate::domain::mailbox::{MailboxInput, Security};
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
    put, path = "/api/v1/mailbox", tag = "inbox", request_body = Object,
    responses(
        (status = 200, body = Mailbox, description = "connected: the login and folder work"),
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
    let secrets = state.secrets()?;
    let config = MailboxConfig {
        host: input.host.clone(),
        port: input.port,
        security: match input.security {
            Security::Tls => imap::Security::Tls,
            Security::StartTls => imap::Security::StartTls,
        },
        username: input.username.clone(),
        password: input.password.clone(),
        folder: input.folder.clone(),
    };
    imap::check(&config, &state.mail).await.map_err(refused)?;
    let sealed = secrets.seal(&input.password);
    let client = state.pool.get().await?;
    let stored = store::put_mailbox(
        &client,
        auth.user_id,
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
    Ok(json(StatusCode::OK, &Mailbox::from(stored)))
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
    put, path = "/api/v1/inbox/settings", tag = "inbox", request_body = Object,
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

/// The mailbox and the inbox's settings.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(
        resource("/api/v1/mailbox", &[M::GET, M::PUT, M::DELETE])
            .route(web::get().to(get))
            .route(web::put().to(connect))
            .route(web::delete().to(disconnect)),
    )
    .service(
        resource("/api/v1/inbox/settings", &[M::GET, M::PUT])
            .route(web::get().to(get_settings))
            .route(web::put().to(put_settings)),
    );
}
