//! Settings → Security and Danger zone: change (or first set) the password,
//! end signed-in sessions, delete the account. Each is a form that posts and
//! redirects; a refused one re-renders the settings page with the message
//! beside its field. Password inputs are never filled again.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::forms::errors_by_field;
use super::settings::{render, Overlay, Section};
use super::sign_in::{wait_words, with_retry_after};
use super::{done, removal, FormData, Poster, Viewer};
use crate::auth::accounts;
use crate::auth::revocation::Revocation;
use crate::auth::sessions::SESSION_COOKIE;
use crate::domain::account::{AccountDeletion, PasswordChange};
use crate::domain::ValidationError;
use crate::error::{Error, Result};
use crate::http::account::own_session;
use crate::http::extract::client_address;
use crate::http::AppState;
use crate::store::sessions as session_store;

/// The field errors of a password form, with the password check worded for
/// the person typing (the domain's message names the API field).
fn password_errors(
    e: &ValidationError,
    form: &FormData,
    password_field: &str,
) -> HashMap<String, String> {
    let mut errors = errors_by_field(e);
    if errors.contains_key(password_field) {
        let message = if form.get(password_field).is_empty() {
            "Type your current password."
        } else {
            "That is not your current password."
        };
        errors.insert(password_field.to_owned(), message.to_owned());
    }
    errors
}

/// A password the form sent, unless left empty (then the domain says what
/// is missing).
fn insert_password(body: &mut Map<String, Value>, form: &FormData, field: &str) {
    let given = form.get(field);
    if !given.is_empty() {
        body.insert(field.to_owned(), Value::String(given.to_owned()));
    }
}

fn throttled(retry_after: u64) -> String {
    format!(
        "Too many wrong passwords. Try again in {}.",
        wait_words(retry_after)
    )
}

/// The settings page again after a refused form: 422 with the errors beside
/// the fields (`errors_of`), 429 (with `Retry-After`) saying how long to
/// wait, 409 with the reason; `overlay` builds what the section shows. Any
/// other error is not a refusal and goes on as it is.
async fn refused_page(
    state: &AppState,
    req: &HttpRequest,
    viewer: &Viewer,
    error: Error,
    errors_of: impl Fn(&ValidationError) -> HashMap<String, String>,
    overlay: impl Fn(HashMap<String, String>, Option<String>) -> Overlay,
) -> Result<HttpResponse> {
    let (status, shown) = match &error {
        Error::Validation(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            overlay(errors_of(e), None),
        ),
        Error::RateLimited { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            overlay(HashMap::new(), Some(throttled(*retry_after))),
        ),
        Error::Conflict(reason) => (
            StatusCode::CONFLICT,
            overlay(HashMap::new(), Some(format!("Nothing changed: {reason}."))),
        ),
        _ => return Err(error),
    };
    let res = render(state, req, viewer, status, shown).await?;
    Ok(match error {
        Error::RateLimited { retry_after } => with_retry_after(res, retry_after),
        _ => res,
    })
}

/// `POST /settings/password`: every other session ends (and with the box
/// ticked every API token); this browser stays signed in.
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    if !state.settings.local_accounts {
        return Err(Error::NotFound);
    }
    let mut body = Map::new();
    insert_password(&mut body, &form, "current_password");
    body.insert(
        "new_password".into(),
        Value::String(form.get("new_password").to_owned()),
    );
    body.insert(
        "revoke_tokens".into(),
        Value::Bool(form.has("revoke_tokens")),
    );
    // Only the checkbox is kept: passwords are typed again.
    let kept = || {
        let mut values = HashMap::new();
        if form.has("revoke_tokens") {
            values.insert("revoke_tokens".to_owned(), "true".to_owned());
        }
        values
    };
    let refused = |errors, alert| {
        let mut overlay = Overlay::default();
        overlay.password = Section {
            values: Some(kept()),
            errors,
        };
        overlay.security_alert = alert;
        overlay
    };
    let errors = |e: &ValidationError| password_errors(e, &form, "current_password");
    let change = match PasswordChange::parse(&body) {
        Ok(c) => c,
        Err(e) => return refused_page(&state, &req, &viewer, e.into(), errors, refused).await,
    };
    let user = viewer.auth.user_id;
    let address = client_address(&req, &state.settings.trusted_proxies);
    let changed = accounts::change_password(
        &state.pool,
        user,
        change,
        own_session(&viewer.auth),
        &address,
    )
    .await;
    match changed {
        Ok(revoked) => {
            let tokens = !revoked.token_ids.is_empty();
            state.revoked(user, revoked);
            let message = if tokens {
                "Password changed; your other sessions were signed out and every API token was revoked."
            } else {
                "Password changed; your other sessions were signed out."
            };
            Ok(done(&state, "/settings#security", message))
        }
        Err(e) => refused_page(&state, &req, &viewer, e, errors, refused).await,
    }
}

/// `POST /settings/sessions/{id}/end`: that browser is signed out at once
/// (another user's session, or none, is a 404).
pub async fn end_session(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Poster { viewer, .. }: Poster,
) -> Result<HttpResponse> {
    let user = viewer.auth.user_id;
    let client = state.pool.get().await?;
    if !session_store::delete_one(&client, user, *id).await? {
        return Err(Error::NotFound);
    }
    state.revoked(user, Revocation::sessions(vec![*id]));
    Ok(done(
        &state,
        "/settings#security",
        "That session is signed out.",
    ))
}

/// `POST /settings/sessions/end-others`: every session but this one ends.
pub async fn end_other_sessions(
    state: web::Data<AppState>,
    Poster { viewer, .. }: Poster,
) -> Result<HttpResponse> {
    let user = viewer.auth.user_id;
    let client = state.pool.get().await?;
    let ended = session_store::delete_others(&client, user, own_session(&viewer.auth)).await?;
    let message = match ended.len() {
        0 => "No other session was signed in.".to_owned(),
        1 => "Signed out of 1 other session.".to_owned(),
        n => format!("Signed out of {n} other sessions."),
    };
    state.revoked(user, Revocation::sessions(ended));
    Ok(done(&state, "/settings#security", &message))
}

/// `POST /settings/delete`: after the typed email (and the password, when
/// the account has one) the account and everything it owns are gone; the
/// browser lands on the sign-in page, saying so.
pub async fn delete_account(
    state: web::Data<AppState>,
    req: HttpRequest,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let mut body = Map::new();
    body.insert(
        "confirm".into(),
        Value::String(form.get("confirm").to_owned()),
    );
    insert_password(&mut body, &form, "password");
    let refused = |errors, alert| {
        let mut overlay = Overlay::default();
        overlay.deletion = Section {
            values: Some(HashMap::from([(
                "confirm".to_owned(),
                form.get("confirm").to_owned(),
            )])),
            errors,
        };
        overlay.danger_alert = alert;
        overlay
    };
    let errors = |e: &ValidationError| deletion_errors(e, &form, &viewer);
    let request = match AccountDeletion::parse(&body) {
        Ok(r) => r,
        Err(e) => return refused_page(&state, &req, &viewer, e.into(), errors, refused).await,
    };
    let user = viewer.auth.user_id;
    let address = client_address(&req, &state.settings.trusted_proxies);
    match accounts::delete_account(&state.pool, user, request, &address).await {
        Ok(revoked) => {
            state.revoked(user, revoked);
            let mut res = done(
                &state,
                "/auth/login",
                "Your account and all its data were deleted.",
            );
            let _ = res.add_removal_cookie(&removal(&state, SESSION_COOKIE));
            Ok(res)
        }
        Err(e) => refused_page(&state, &req, &viewer, e, errors, refused).await,
    }
}

/// The deletion form's errors: the confirmation names the email to type.
fn deletion_errors(
    e: &ValidationError,
    form: &FormData,
    viewer: &Viewer,
) -> HashMap<String, String> {
    let mut errors = password_errors(e, form, "password");
    if errors.contains_key("confirm") {
        errors.insert(
            "confirm".to_owned(),
            format!(
                "Type this account's email address, {}, to confirm.",
                viewer.user.email
            ),
        );
    }
    errors
}
