//! Signing in and out: the local sign-in and register forms (with their
//! pre-session CSRF token), OpenID Connect, and sign-out.

use std::collections::HashMap;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::{
    as_object, check_session_csrf, cookie, flash_message, forms, html, page_user, removal,
    safe_next, see_other, FLASH_COOKIE,
};
use crate::auth::revocation::Revocation;
use crate::auth::sessions::{self, FORM_CSRF_COOKIE, OIDC_COOKIE, SESSION_COOKIE};
use crate::auth::{accounts, hash_token, throttle};
use crate::domain::account::{Credentials, Registration};
use crate::error::{Error, Result};
use crate::http::extract::{client_address, Credential};
use crate::http::AppState;
use crate::store::sessions as session_store;

/// The pre-session CSRF token of the sign-in forms: the cookie's, or a new one.
fn form_csrf(req: &HttpRequest) -> (String, bool) {
    match req.cookie(FORM_CSRF_COOKIE) {
        Some(c) if c.value().len() == 64 => (c.value().to_owned(), false),
        _ => (sessions::random_secret(), true),
    }
}

fn check_form_csrf(req: &HttpRequest, form: &HashMap<String, String>) -> Result<()> {
    let cookie = req
        .cookie(FORM_CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let sent = form.get("_csrf").map(String::as_str).unwrap_or("");
    if cookie.is_empty() || !sessions::same_secret(sent, &cookie) {
        return Err(Error::Csrf);
    }
    Ok(())
}

/// What the sign-in page shows.
struct LoginView<'a> {
    next: &'a str,
    error: Option<String>,
    email: &'a str,
    errors: HashMap<String, String>,
}

fn render_login(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    view: LoginView<'_>,
) -> Result<HttpResponse> {
    let (csrf, fresh) = form_csrf(req);
    // A message left by the redirect here (the account was deleted).
    let flash = flash_message(req);
    let oidc_name = state
        .oidc
        .as_ref()
        .map(|o| provider_name(o.issuer()))
        .unwrap_or_default();
    let body = state.templates.render(
        "pages/login.html",
        context! {
            next => view.next, error => view.error, email => view.email, errors => view.errors,
            form_csrf => csrf, oidc => state.oidc.is_some(), oidc_name => oidc_name,
            local => state.settings.local_accounts,
            registration_open => state.registration_open(), flash => flash,
        },
    )?;
    let mut res = html(status, body);
    if fresh {
        let _ = res.add_cookie(&cookie(state, FORM_CSRF_COOKIE, csrf, None));
    }
    if flash.is_some() {
        let _ = res.add_removal_cookie(&removal(state, FLASH_COOKIE));
    }
    Ok(res)
}

/// "Google" for Google's issuer, else the issuer's host.
fn provider_name(issuer: &str) -> String {
    let host = url::Url::parse(issuer)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    if host == "accounts.google.com" {
        "Google".into()
    } else {
        host
    }
}

/// `GET /auth/login`.
pub async fn login_page(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse> {
    let query: HashMap<String, String> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let next = safe_next(query.get("next").map(String::as_str));
    if page_user(&state, &req).await?.is_some() {
        return Ok(see_other(&next));
    }
    let view = LoginView {
        next: &next,
        error: None,
        email: "",
        errors: HashMap::new(),
    };
    render_login(&state, &req, StatusCode::OK, view)
}

/// A session for `user_id`: the cookie to set and where to go.
async fn signed_in(
    state: &AppState,
    req: &HttpRequest,
    user_id: Uuid,
    next: &str,
) -> Result<HttpResponse> {
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let address = client_address(req, &state.settings.trusted_proxies);
    let session = sessions::start(&state.pool, user_id, user_agent, &address).await?;
    let mut res = see_other(next);
    let _ = res.add_cookie(&cookie(
        state,
        SESSION_COOKIE,
        session.cookie_value,
        Some(sessions::ABSOLUTE_LIMIT),
    ));
    let _ = res.add_removal_cookie(&removal(state, FORM_CSRF_COOKIE));
    Ok(res)
}

/// `POST /auth/local/login`.
pub async fn local_login(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse> {
    if !state.settings.local_accounts {
        return Err(Error::NotFound);
    }
    check_form_csrf(&req, &form)?;
    let next = safe_next(form.get("next").map(String::as_str));
    let email = form
        .get("email")
        .map(|e| e.trim().to_owned())
        .unwrap_or_default();
    let view = |error: Option<String>, errors| LoginView {
        next: &next,
        error,
        email: &email,
        errors,
    };
    let creds = match Credentials::parse(&as_object(&form, &["email", "password"])) {
        Ok(c) => c,
        Err(e) => {
            return render_login(
                &state,
                &req,
                StatusCode::UNPROCESSABLE_ENTITY,
                view(None, forms::errors_by_field(&e)),
            )
        }
    };
    let address = client_address(&req, &state.settings.trusted_proxies);
    match accounts::verify_credentials(&state.pool, &creds, &address).await {
        Ok(user_id) => signed_in(&state, &req, user_id, &next).await,
        Err(Error::BadCredentials) => {
            let msg = "The email or password is wrong.".to_owned();
            render_login(
                &state,
                &req,
                StatusCode::UNAUTHORIZED,
                view(Some(msg), HashMap::new()),
            )
        }
        Err(Error::RateLimited { retry_after }) => {
            let msg = format!(
                "Too many attempts. Try again in {}.",
                wait_words(retry_after)
            );
            let res = render_login(
                &state,
                &req,
                StatusCode::TOO_MANY_REQUESTS,
                view(Some(msg), HashMap::new()),
            )?;
            Ok(with_retry_after(res, retry_after))
        }
        Err(e) => Err(e),
    }
}

/// "3 minutes", "1 minute".
pub(super) fn wait_words(seconds: u64) -> String {
    let minutes = seconds.div_ceil(60);
    format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
}

pub(super) fn with_retry_after(mut res: HttpResponse, seconds: u64) -> HttpResponse {
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

fn render_register(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    form: &HashMap<String, String>,
    error: Option<String>,
    errors: HashMap<String, String>,
) -> Result<HttpResponse> {
    let (csrf, fresh) = form_csrf(req);
    let get = |k: &str| form.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let body = state.templates.render(
        "pages/register.html",
        context! {
            form_csrf => csrf, next => safe_next(form.get("next").map(String::as_str)),
            email => get("email"), display_name => get("display_name"), error => error, errors => errors,
            closed => !state.registration_open(),
        },
    )?;
    let mut res = html(status, body);
    if fresh {
        let _ = res.add_cookie(&cookie(state, FORM_CSRF_COOKIE, csrf, None));
    }
    Ok(res)
}

/// `GET /auth/register`.
pub async fn register_page(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse> {
    if !state.settings.local_accounts {
        return Err(Error::NotFound);
    }
    let query: HashMap<String, String> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let status = if state.registration_open() {
        StatusCode::OK
    } else {
        StatusCode::FORBIDDEN
    };
    render_register(&state, &req, status, &query, None, HashMap::new())
}

/// `POST /auth/local/register`.
pub async fn local_register(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse> {
    if !state.settings.local_accounts {
        return Err(Error::NotFound);
    }
    check_form_csrf(&req, &form)?;
    if !state.registration_open() {
        let status = StatusCode::FORBIDDEN;
        return render_register(&state, &req, status, &form, None, HashMap::new());
    }
    let reg = match Registration::parse(&as_object(&form, &["email", "password", "display_name"])) {
        Ok(r) => r,
        Err(e) => {
            return render_register(
                &state,
                &req,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                None,
                forms::errors_by_field(&e),
            )
        }
    };
    let address = client_address(&req, &state.settings.trusted_proxies);
    let limit = state.settings.registration_limit;
    let registered = throttle::within_registration_limit(
        &state.pool,
        &address,
        limit,
        accounts::register_user(&state.pool, reg),
    )
    .await;
    match registered {
        Ok(user) => {
            signed_in(
                &state,
                &req,
                user.id,
                &safe_next(form.get("next").map(String::as_str)),
            )
            .await
        }
        Err(Error::Conflict(_)) => {
            let errors = HashMap::from([(
                "email".to_owned(),
                "An account with this email already exists.".to_owned(),
            )]);
            render_register(&state, &req, StatusCode::CONFLICT, &form, None, errors)
        }
        Err(Error::RateLimited { retry_after }) => {
            let msg = format!(
                "Too many accounts were created from your address recently. Try again in {}.",
                wait_words(retry_after)
            );
            let status = StatusCode::TOO_MANY_REQUESTS;
            let res = render_register(&state, &req, status, &form, Some(msg), HashMap::new())?;
            Ok(with_retry_after(res, retry_after))
        }
        Err(e) => Err(e),
    }
}

/// `POST /auth/logout`: the session is deleted, so a copied cookie stops working.
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse> {
    if let Some(user) = page_user(&state, &req).await? {
        check_session_csrf(&user, &form)?;
        if let Some(c) = req.cookie(SESSION_COOKIE) {
            sessions::end(&state.pool, c.value()).await?;
        }
        if let Credential::Session { id, .. } = user.credential {
            // Live streams opened with this session close now.
            state.revoked(user.user_id, Revocation::sessions(vec![id]));
        }
    }
    let mut res = see_other("/auth/login");
    let _ = res.add_removal_cookie(&removal(&state, SESSION_COOKIE));
    Ok(res)
}

/// `GET /auth/oidc/start`: to the provider, with state, nonce and PKCE.
pub async fn oidc_start(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse> {
    let oidc = state.oidc.clone().ok_or(Error::NotFound)?;
    let query: HashMap<String, String> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let next = safe_next(query.get("next").map(String::as_str));
    let authorization = match oidc.authorize().await {
        Ok(a) => a,
        Err(e) => {
            return oidc_failure(&state, &req, StatusCode::SERVICE_UNAVAILABLE, e.to_string())
        }
    };
    let browser_key = sessions::random_secret();
    let login = session_store::PendingLogin {
        browser_hash: hash_token(&browser_key),
        nonce: authorization.nonce,
        pkce_verifier: authorization.pkce_verifier,
        next_path: next,
        expires_at: OffsetDateTime::now_utc() + Duration::minutes(10),
    };
    let client = state.pool.get().await?;
    session_store::insert_login(&client, &hash_token(&authorization.state), &login).await?;
    let mut res = HttpResponse::Found()
        .insert_header((header::LOCATION, authorization.url.as_str()))
        .finish();
    let _ = res.add_cookie(&cookie(
        &state,
        OIDC_COOKIE,
        browser_key,
        Some(Duration::minutes(10)),
    ));
    Ok(res)
}

fn oidc_failure(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    reason: String,
) -> Result<HttpResponse> {
    let view = LoginView {
        next: "/",
        error: Some(format!("Sign-in did not complete: {reason}")),
        email: "",
        errors: HashMap::new(),
    };
    let mut res = render_login(state, req, status, view)?;
    let _ = res.add_removal_cookie(&removal(state, OIDC_COOKIE));
    Ok(res)
}

/// `GET /auth/oidc/callback`: every failure ends on the sign-in page with the
/// reason and no session.
pub async fn oidc_callback(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse> {
    let oidc = state.oidc.clone().ok_or(Error::NotFound)?;
    let query: HashMap<String, String> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let fail =
        |status: StatusCode, reason: &str| oidc_failure(&state, &req, status, reason.to_owned());
    let Some(st) = query.get("state") else {
        return fail(
            StatusCode::BAD_REQUEST,
            "the answer from the identity provider was incomplete",
        );
    };
    let client = state.pool.get().await?;
    let pending = session_store::take_login(&client, &hash_token(st)).await?;
    drop(client);
    let browser = req.cookie(OIDC_COOKIE).map(|c| hash_token(c.value()));
    let pending = match pending {
        Some(p)
            if Some(&p.browser_hash) == browser.as_ref()
                && p.expires_at > OffsetDateTime::now_utc() =>
        {
            p
        }
        _ => {
            return fail(
                StatusCode::BAD_REQUEST,
                "this sign-in link has expired or was already used; please start again",
            )
        }
    };
    if let Some(error) = query.get("error") {
        let reason = match error.as_str() {
            "access_denied" => "you declined to sign in at the identity provider".to_owned(),
            other => {
                let detail = query
                    .get("error_description")
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                format!("the identity provider answered {other}{detail}")
            }
        };
        return fail(StatusCode::BAD_REQUEST, &reason);
    }
    let Some(code) = query.get("code") else {
        return fail(
            StatusCode::BAD_REQUEST,
            "the answer from the identity provider had no code",
        );
    };
    let identity = match oidc
        .complete(code.clone(), pending.pkce_verifier, pending.nonce)
        .await
    {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = ?e, "OIDC sign-in refused");
            return fail(StatusCode::BAD_REQUEST, &e.to_string());
        }
    };
    let user_id = match accounts::sign_in_oidc(&state.pool, &identity, state.registration_open()).await {
        Ok((id, revoked)) => {
            // Linking revoked the account's sessions and tokens: forget the
            // user's cached lookups and close their live streams, here and,
            // through the event, on every other replica.
            state.revoked(id, revoked);
            id
        }
        Err(Error::Conflict(reason)) => return fail(StatusCode::CONFLICT, &reason),
        Err(Error::RegistrationClosed) => {
            return fail(
                StatusCode::FORBIDDEN,
                "registration is closed on this server, and no account matches your identity; ask its operator for an account",
            )
        }
        Err(e) => return Err(e),
    };
    let mut res = signed_in(&state, &req, user_id, &pending.next_path).await?;
    let _ = res.add_removal_cookie(&removal(&state, OIDC_COOKIE));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_button_names_google_for_googles_issuer() {
        assert_eq!(provider_name("https://accounts.google.com"), "Google");
        assert_eq!(provider_name("http://127.0.0.1:4000"), "127.0.0.1");
    }
}
