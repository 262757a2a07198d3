//! Accounts and tokens: `/api/v1/auth/*`, `/api/v1/me` (and its password and
//! deletion), `/api/v1/sessions`, `/api/v1/tokens`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use uuid::Uuid;

use super::extract::{client_address, AuthUser, Credential, IfMatch, JsonObject, Query};
use super::schemas::{
    DeleteAccountInput, MeInput, NewTokenInput, PasswordInput, RegisterInput, SessionList,
    TokenList, TokenRequest,
};
use super::{created, json, no_content, no_store, versioned, AppState};
use crate::actors::user_state::{CreateToken, RevokeToken, UpdateMe};
use crate::auth::revocation::Revocation;
use crate::auth::{accounts, throttle};
use crate::domain::account::{
    AccountDeletion, Credentials, NewToken, PasswordChange, Registration, TokenInfo, User,
    UserPatch,
};
use crate::error::{Error, Result};
use crate::http::error::Problem;
use crate::store::{sessions as session_store, tokens, users};

/// Answer of register.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Registered {
    pub user: User,
    /// The API token's secret: shown this once only.
    pub token: String,
    pub token_info: TokenInfo,
}

/// Answer of a password sign-in.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IssuedToken {
    /// The API token's secret: shown this once only.
    pub token: String,
    pub token_info: TokenInfo,
}

/// A new token with its secret.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    /// The secret: shown this once only.
    pub token: String,
}

fn require_local_accounts(state: &AppState) -> Result<()> {
    if state.settings.local_accounts {
        Ok(())
    } else {
        Err(Error::NotFound)
    }
}

/// Create a local account; answers its first API token.
#[utoipa::path(
    post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterInput,
    responses(
        (status = 201, body = Registered), (status = 403, body = Problem, description = "registration is closed (`registration_closed`)"),
        (status = 404, body = Problem, description = "local accounts are off"),
        (status = 409, body = Problem, description = "email already registered"), (status = 422, body = Problem),
        (status = 429, body = Problem, description = "too many accounts from this address in the last hour; see Retry-After")
    )
)]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonObject,
) -> Result<HttpResponse> {
    require_local_accounts(&state)?;
    if !state.registration_open() {
        return Err(Error::RegistrationClosed);
    }
    let reg = Registration::parse(&body)?;
    let address = client_address(&req, &state.settings.trusted_proxies);
    let limit = state.settings.registration_limit;
    let (user, token, token_info) = throttle::within_registration_limit(
        &state.pool,
        &address,
        limit,
        accounts::register(&state.pool, reg),
    )
    .await?;
    let location = "/api/v1/me".to_owned();
    Ok(no_store(created(
        location,
        &Registered {
            user,
            token,
            token_info,
        },
        None,
    )))
}

/// Exchange an email and password for a new API token.
#[utoipa::path(
    post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses(
        (status = 201, body = IssuedToken), (status = 401, body = Problem, description = "wrong email or password"),
        (status = 404, body = Problem, description = "local accounts are off"), (status = 422, body = Problem),
        (status = 429, body = Problem, description = "throttled; see Retry-After")
    )
)]
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonObject,
) -> Result<HttpResponse> {
    require_local_accounts(&state)?;
    let creds = Credentials::parse(&body)?;
    let address = client_address(&req, &state.settings.trusted_proxies);
    let user_id = accounts::verify_credentials(&state.pool, &creds, &address).await?;
    let name = creds
        .token_name
        .unwrap_or_else(|| "Password sign-in".to_owned());
    let new = NewToken {
        name,
        expires_at: None,
    };
    let (token, token_info) = state
        .user(user_id)
        .await?
        .send(CreateToken { new })
        .await??;
    Ok(no_store(json(
        StatusCode::CREATED,
        &IssuedToken { token, token_info },
    )))
}

/// The signed-in user.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = User), (status = 401, body = Problem)),
    security(("bearer" = []))
)]
pub async fn me(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let user = users::get(&client, auth.user_id)
        .await?
        .ok_or(Error::Unauthenticated)?;
    Ok(versioned(StatusCode::OK, &user, user.version))
}

/// Change the display name or time zone.
#[utoipa::path(
    patch, path = "/api/v1/me", tag = "auth", request_body(content = MeInput, content_type = "application/merge-patch+json"),
    params(("If-Match" = Option<String>, Header)),
    responses((status = 200, body = User), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub async fn update_me(
    state: web::Data<AppState>,
    auth: AuthUser,
    if_match: IfMatch,
    body: JsonObject,
) -> Result<HttpResponse> {
    let patch = UserPatch::parse(&body)?;
    let user = state
        .user(auth.user_id)
        .await?
        .send(UpdateMe {
            if_match: if_match.0,
            patch,
        })
        .await??;
    Ok(versioned(StatusCode::OK, &user, user.version))
}

/// The user's API tokens (never their secrets), newest first.
#[utoipa::path(
    get, path = "/api/v1/tokens", tag = "auth",
    params(("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = TokenList)),
    security(("bearer" = []))
)]
pub async fn list_tokens(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let client = state.pool.get().await?;
    let page = tokens::list(
        &client,
        auth.user_id,
        query.limit()?,
        query.cursor()?.as_deref(),
    )
    .await?;
    Ok(json(StatusCode::OK, &page))
}

/// Create an API token; its secret is in this answer only.
#[utoipa::path(
    post, path = "/api/v1/tokens", tag = "auth", request_body = NewTokenInput,
    responses((status = 201, body = CreatedToken), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub async fn create_token(
    state: web::Data<AppState>,
    auth: AuthUser,
    body: JsonObject,
) -> Result<HttpResponse> {
    let new = NewToken::parse(&body, time::OffsetDateTime::now_utc())?.capped_by(auth.expires_at);
    let (token, info) = state
        .user(auth.user_id)
        .await?
        .send(CreateToken { new })
        .await??;
    let location = format!("/api/v1/tokens/{}", info.id);
    Ok(no_store(created(
        location,
        &CreatedToken { info, token },
        None,
    )))
}

/// Revoke an API token: it stops working at once.
#[utoipa::path(
    delete, path = "/api/v1/tokens/{id}", tag = "auth", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn revoke_token(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse> {
    state
        .user(auth.user_id)
        .await?
        .send(RevokeToken { id: *id })
        .await??;
    state.credentials.forget(*id);
    Ok(no_content())
}

/// The session the request came with, if it came with one.
pub(crate) fn own_session(auth: &AuthUser) -> Option<Uuid> {
    match auth.credential {
        Credential::Session { id, .. } => Some(id),
        Credential::Token(_) => None,
    }
}

/// Change the password (or set a first one on an OIDC-only account).
#[utoipa::path(
    put, path = "/api/v1/me/password", tag = "account", request_body = PasswordInput,
    responses(
        (status = 204, description = "changed; every other session ended (and every token, with revoke_tokens)"),
        (status = 404, body = Problem, description = "local accounts are off"),
        (status = 409, body = Problem, description = "the password changed meanwhile"),
        (status = 422, body = Problem, description = "new_password too short, or current_password missing or wrong"),
        (status = 429, body = Problem, description = "too many wrong passwords; see Retry-After")
    ),
    security(("bearer" = []))
)]
pub async fn change_password(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
    body: JsonObject,
) -> Result<HttpResponse> {
    require_local_accounts(&state)?;
    let change = PasswordChange::parse(&body)?;
    let address = client_address(&req, &state.settings.trusted_proxies);
    let revoked = accounts::change_password(
        &state.pool,
        auth.user_id,
        change,
        own_session(&auth),
        &address,
    )
    .await?;
    state.revoked(auth.user_id, revoked);
    Ok(no_content())
}

/// The user's signed-in browser sessions, newest first.
#[utoipa::path(
    get, path = "/api/v1/sessions", tag = "account",
    params(("limit" = Option<u32>, Query), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = SessionList)),
    security(("bearer" = []))
)]
pub async fn list_sessions(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let query = Query::parse(&req, &["limit", "cursor"])?;
    let client = state.pool.get().await?;
    let idle_since = time::OffsetDateTime::now_utc() - crate::auth::sessions::IDLE_LIMIT;
    let page = session_store::list(
        &client,
        auth.user_id,
        own_session(&auth),
        query.limit()?,
        query.cursor()?.as_deref(),
        idle_since,
    )
    .await?;
    Ok(no_store(json(StatusCode::OK, &page)))
}

/// End one session: its cookie stops working and its live streams close.
#[utoipa::path(
    delete, path = "/api/v1/sessions/{id}", tag = "account", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub async fn end_session(
    state: web::Data<AppState>,
    auth: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    if !session_store::delete_one(&client, auth.user_id, *id).await? {
        return Err(Error::NotFound);
    }
    state.revoked(auth.user_id, Revocation::sessions(vec![*id]));
    Ok(no_content())
}

/// End every session but the current one.
#[utoipa::path(
    delete, path = "/api/v1/sessions", tag = "account",
    responses((status = 204)),
    security(("bearer" = []))
)]
pub async fn end_other_sessions(
    state: web::Data<AppState>,
    auth: AuthUser,
) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let ended = session_store::delete_others(&client, auth.user_id, own_session(&auth)).await?;
    state.revoked(auth.user_id, Revocation::sessions(ended));
    Ok(no_content())
}

/// Delete the account and everything it owns, at once and for good.
#[utoipa::path(
    delete, path = "/api/v1/me", tag = "account", request_body = DeleteAccountInput,
    responses(
        (status = 204, description = "the account and all its data are gone; every session, token and stream ended"),
        (status = 422, body = Problem, description = "confirm is not the account's email, or the password is missing or wrong"),
        (status = 429, body = Problem, description = "too many wrong passwords; see Retry-After")
    ),
    security(("bearer" = []))
)]
pub async fn delete_me(
    state: web::Data<AppState>,
    auth: AuthUser,
    req: HttpRequest,
    body: JsonObject,
) -> Result<HttpResponse> {
    let request = AccountDeletion::parse(&body)?;
    let address = client_address(&req, &state.settings.trusted_proxies);
    let revoked = accounts::delete_account(&state.pool, auth.user_id, request, &address).await?;
    state.revoked(auth.user_id, revoked);
    Ok(no_content())
}

/// Accounts and API tokens.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/auth/register", &[M::POST]).route(web::post().to(register)))
        .service(resource("/auth/token", &[M::POST]).route(web::post().to(sign_in)))
        .service(
            resource("/me", &[M::GET, M::PATCH, M::DELETE])
                .route(web::get().to(me))
                .route(web::patch().to(update_me))
                .route(web::delete().to(delete_me)),
        )
        .service(resource("/me/password", &[M::PUT]).route(web::put().to(change_password)))
        .service(
            resource("/sessions", &[M::GET, M::DELETE])
                .route(web::get().to(list_sessions))
                .route(web::delete().to(end_other_sessions)),
        )
        .service(resource("/sessions/{id}", &[M::DELETE]).route(web::delete().to(end_session)))
        .service(
            resource("/tokens", &[M::GET, M::POST])
                .route(web::get().to(list_tokens))
                .route(web::post().to(create_token)),
        )
        .service(resource("/tokens/{id}", &[M::DELETE]).route(web::delete().to(revoke_token)));
}
