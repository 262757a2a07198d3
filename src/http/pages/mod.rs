//! The web UI, rendered on the server with minijinja. This module holds the
//! sign-in pages (local forms, OpenID Connect, sign-out), API tokens and
//! what every page shares (the signed-in viewer, flash messages, forms);
//! the other pages live in the submodules. Forms post and redirect; a
//! refused form is rendered again with the errors beside the fields and the
//! input kept (never the password). JavaScript only adds niceties.

pub mod applications;
pub mod charts;
pub mod dashboard;
pub mod filters;
pub mod forms;
pub mod interviews;
pub mod settings;

use std::collections::HashMap;

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::extract::{authenticate, client_address, AuthUser, Credential};
use super::AppState;
use crate::actors::event_bus::Publish;
use crate::actors::user_state::{CreateToken, RevokeToken};
use crate::auth::revocation::Revocation;
use crate::auth::sessions::{self, FORM_CSRF_COOKIE, OIDC_COOKIE, SESSION_COOKIE};
use crate::auth::{accounts, hash_token, throttle};
use crate::domain::account::{Credentials, NewToken, Registration};
use crate::domain::events::EventKind;
use crate::error::{Error, Result};
use crate::store::{sessions as session_store, tokens, users};

/// The page templates, compiled into the binary (autoescaped: `.html`).
pub struct Templates {
    env: minijinja::Environment<'static>,
}

impl Templates {
    pub fn new() -> Self {
        let mut env = minijinja::Environment::new();
        macro_rules! templates {
            ($($name:literal),* $(,)?) => {
                [$(($name, include_str!(concat!("../../../templates/", $name)))),*]
            };
        }
        let sources = templates![
            "base.html",
            "macros.html",
            "pages/login.html",
            "pages/register.html",
            "pages/dashboard.html",
            "pages/analytics.html",
            "pages/applications.html",
            "pages/board.html",
            "pages/application_form.html",
            "pages/application.html",
            "pages/interviews.html",
            "pages/settings.html",
            "pages/tokens.html",
            "pages/error.html",
        ];
        for (name, source) in sources {
            if let Err(e) = env.add_template(name, source) {
                // A broken template is a bug caught by every test run.
                tracing::error!(template = name, error = %e, "template does not compile");
            }
        }
        filters::register(&mut env);
        Templates { env }
    }

    pub fn render(&self, name: &str, ctx: minijinja::Value) -> Result<String> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| Error::internal(format!("rendering {name}: {e:#}")))
    }
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A redirect target must be a same-origin path.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn cookie<'c>(
    state: &AppState,
    name: &'c str,
    value: String,
    max_age: Option<Duration>,
) -> Cookie<'c> {
    let mut c = Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.public_url.scheme() == "https")
        .finish();
    if let Some(age) = max_age {
        c.set_max_age(CookieDuration::seconds(age.whole_seconds()));
    }
    c
}

fn removal<'c>(state: &AppState, name: &'c str) -> Cookie<'c> {
    let mut c = cookie(state, name, String::new(), None);
    c.make_removal();
    c
}

/// The signed-in user of a page (by session cookie), if any.
async fn page_user(state: &AppState, req: &HttpRequest) -> Result<Option<AuthUser>> {
    if req.cookie(SESSION_COOKIE).is_none() {
        return Ok(None);
    }
    match authenticate(state, req, true).await {
        Ok(u) => Ok(Some(u)),
        Err(Error::Unauthenticated) => Ok(None),
        Err(e) => Err(e),
    }
}

fn to_login(req: &HttpRequest) -> HttpResponse {
    let next = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("next", next)
        .finish();
    see_other(&format!("/auth/login?{query}"))
}

/// Form fields as the JSON object the domain reads.
fn as_object(form: &HashMap<String, String>, fields: &[&str]) -> Map<String, Value> {
    fields
        .iter()
        .filter_map(|f| {
            form.get(*f)
                .map(|v| (f.to_string(), Value::String(v.clone())))
        })
        .filter(|(k, v)| k == "password" || v.as_str().is_some_and(|s| !s.trim().is_empty()))
        .collect()
}

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

fn check_session_csrf(user: &AuthUser, form: &HashMap<String, String>) -> Result<()> {
    let sent = form.get("_csrf").map(String::as_str).unwrap_or("");
    match user.csrf() {
        Some(csrf) if sessions::same_secret(sent, csrf) => Ok(()),
        _ => Err(Error::Csrf),
    }
}

/// The signed-in person a page is rendered for.
pub struct Viewer {
    pub auth: AuthUser,
    pub user: crate::domain::account::User,
}

impl Viewer {
    pub fn timezone(&self) -> &str {
        &self.user.timezone
    }
}

/// The signed-in viewer of a page. Without a session the request is
/// answered with the redirect to the sign-in page (and back here after).
impl actix_web::FromRequest for Viewer {
    type Error = actix_web::Error;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = std::result::Result<Viewer, actix_web::Error>>>,
    >;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = state_of(&req)?;
            match page_user(&state, &req).await? {
                Some(auth) => Ok(signed_in_viewer(&state, auth).await?),
                None => Err(actix_web::error::InternalError::from_response(
                    "sign in first",
                    to_login(&req),
                )
                .into()),
            }
        })
    }
}

/// The viewer of a posted form, with the form: a session and the form's
/// CSRF token (`_csrf`) are required.
pub struct Poster {
    pub viewer: Viewer,
    pub form: FormData,
}

impl actix_web::FromRequest for Poster {
    type Error = Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Poster>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        let form = FormData::from_request(&req, payload);
        Box::pin(async move {
            let form = form.await?;
            let state = state_of(&req)?;
            let auth = page_user(&state, &req)
                .await?
                .ok_or(Error::Unauthenticated)?;
            match auth.csrf() {
                Some(csrf) if sessions::same_secret(form.get("_csrf"), csrf) => {}
                _ => return Err(Error::Csrf),
            }
            let viewer = signed_in_viewer(&state, auth).await?;
            Ok(Poster { viewer, form })
        })
    }
}

fn state_of(req: &HttpRequest) -> Result<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| Error::internal("application state missing"))
}

async fn signed_in_viewer(state: &AppState, auth: AuthUser) -> Result<Viewer> {
    let client = state.pool.get().await?;
    let user = users::get(&client, auth.user_id)
        .await?
        .ok_or(Error::Unauthenticated)?;
    Ok(Viewer { auth, user })
}

const FLASH_COOKIE: &str = "jc_flash";

/// A redirect after a successful form, with a message for the next page.
pub fn done(state: &AppState, location: &str, message: &str) -> HttpResponse {
    let mut res = see_other(location);
    let value = url::form_urlencoded::byte_serialize(message.as_bytes()).collect::<String>();
    let _ = res.add_cookie(&cookie(
        state,
        FLASH_COOKIE,
        value,
        Some(Duration::minutes(5)),
    ));
    res
}

/// Renders a page of the signed-in UI: the template gets `user`, `tz`,
/// `csrf`, `flash` and `nav` besides its own context.
pub fn render_page(
    state: &AppState,
    req: &HttpRequest,
    viewer: &Viewer,
    status: StatusCode,
    template: &str,
    nav: &str,
    ctx: minijinja::Value,
) -> Result<HttpResponse> {
    let flash = req.cookie(FLASH_COOKIE).map(|c| {
        url::form_urlencoded::parse(format!("m={}", c.value()).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    });
    let user = &viewer.user;
    let body = state.templates.render(
        template,
        context! {
            user => context! { display_name => user.display_name, email => user.email, id => user.id },
            tz => user.timezone, csrf => viewer.auth.csrf(), flash => flash, nav => nav,
            ..ctx
        },
    )?;
    let mut res = super::no_store(html(status, body));
    if flash.is_some() {
        let _ = res.add_removal_cookie(&removal(state, FLASH_COOKIE));
    }
    Ok(res)
}

/// A posted HTML form (fields may repeat: checkboxes).
#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// The first value of a field ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Every field as a map (the last value wins), to re-render a form.
    pub fn values(&self) -> HashMap<String, String> {
        self.0.iter().cloned().collect()
    }
}

impl actix_web::FromRequest for FormData {
    type Error = Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<FormData>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let body = bytes
                .await
                .map_err(|e| Error::bad_request("body", e.to_string()))?;
            Ok(FormData::parse(&body))
        })
    }
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
        },
    )?;
    let mut res = html(status, body);
    if fresh {
        let _ = res.add_cookie(&cookie(state, FORM_CSRF_COOKIE, csrf, None));
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
async fn signed_in(state: &AppState, user_id: Uuid, next: &str) -> Result<HttpResponse> {
    let session = sessions::start(&state.pool, user_id).await?;
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
        Ok(user_id) => signed_in(&state, user_id, &next).await,
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
fn wait_words(seconds: u64) -> String {
    let minutes = seconds.div_ceil(60);
    format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
}

fn with_retry_after(mut res: HttpResponse, seconds: u64) -> HttpResponse {
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
    render_register(&state, &req, StatusCode::OK, &query, None, HashMap::new())
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
    let registered = match throttle::begin_registration(&state.pool, &address, limit).await {
        Ok(()) => accounts::register_user(&state.pool, reg).await,
        Err(e) => Err(e),
    };
    match registered {
        Ok(user) => {
            signed_in(
                &state,
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
            state.event_bus.do_send(Publish {
                user_id: user.user_id,
                kind: EventKind::CredentialRevoked,
                data: Revocation::sessions(vec![id]).to_value(),
            });
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
    let user_id = match accounts::sign_in_oidc(&state.pool, &identity).await {
        Ok((id, revoked)) => {
            // Linking revoked the account's sessions and tokens: forget the
            // user's cached lookups and close their live streams, here and,
            // through the event, on every other replica.
            if !revoked.is_empty() {
                state.credentials.forget_user(id);
                state.event_bus.do_send(Publish {
                    user_id: id,
                    kind: EventKind::CredentialRevoked,
                    data: revoked.to_value(),
                });
            }
            id
        }
        Err(Error::Conflict(reason)) => return fail(StatusCode::CONFLICT, &reason),
        Err(e) => return Err(e),
    };
    let mut res = signed_in(&state, user_id, &pending.next_path).await?;
    let _ = res.add_removal_cookie(&removal(&state, OIDC_COOKIE));
    Ok(res)
}

async fn render_tokens(
    state: &AppState,
    auth: &AuthUser,
    status: StatusCode,
    created: Option<(String, String)>,
    form: &HashMap<String, String>,
    errors: HashMap<String, String>,
) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let list = tokens::list(&client, auth.user_id, 200, None).await?.items;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let body = state.templates.render(
        "pages/tokens.html",
        context! {
            user => true, csrf => auth.csrf(), tokens => list, errors => errors,
            name => get("name"), expires_on => get("expires_on"),
            created => created.map(|(name, token)| context! { name => name, token => token }),
        },
    )?;
    Ok(super::no_store(html(status, body)))
}

/// `GET /settings/tokens`.
pub async fn tokens_page(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse> {
    let Some(auth) = page_user(&state, &req).await? else {
        return Ok(to_login(&req));
    };
    render_tokens(
        &state,
        &auth,
        StatusCode::OK,
        None,
        &HashMap::new(),
        HashMap::new(),
    )
    .await
}

/// `POST /settings/tokens`: the new token is shown once, on this answer.
pub async fn create_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse> {
    let Some(auth) = page_user(&state, &req).await? else {
        return Err(Error::Unauthenticated);
    };
    check_session_csrf(&auth, &form)?;
    let mut body = as_object(&form, &["name"]);
    if let Some(day) = form
        .get("expires_on")
        .map(|d| d.trim())
        .filter(|d| !d.is_empty())
    {
        body.insert(
            "expires_at".into(),
            Value::String(format!("{day}T00:00:00Z")),
        );
    }
    let new = match NewToken::parse(&body, OffsetDateTime::now_utc()) {
        Ok(n) => n,
        Err(e) => {
            return render_tokens(
                &state,
                &auth,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &form,
                forms::errors_by_field(&e),
            )
            .await
        }
    };
    let (secret, info) = state
        .user(auth.user_id)
        .await?
        .send(CreateToken { new })
        .await??;
    render_tokens(
        &state,
        &auth,
        StatusCode::CREATED,
        Some((info.name, secret)),
        &HashMap::new(),
        HashMap::new(),
    )
    .await
}

/// `POST /settings/tokens/{id}/revoke`.
pub async fn revoke_token(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse> {
    let Some(auth) = page_user(&state, &req).await? else {
        return Err(Error::Unauthenticated);
    };
    check_session_csrf(&auth, &form)?;
    state
        .user(auth.user_id)
        .await?
        .send(RevokeToken { id: *id })
        .await??;
    state.credentials.forget(*id);
    Ok(see_other("/settings/tokens"))
}

/// The pages of the signed-in UI (sign-in and tokens are routed with the API).
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/", &[M::GET]).route(web::get().to(dashboard::dashboard)))
        .service(resource("/static/app.css", &[M::GET]).route(web::get().to(stylesheet)))
        .service(resource("/static/app.js", &[M::GET]).route(web::get().to(script)))
        .service(resource("/static/favicon.svg", &[M::GET]).route(web::get().to(favicon_svg)))
        .service(resource("/favicon.ico", &[M::GET]).route(web::get().to(favicon_ico)))
        .service(resource("/auth/login", &[M::GET]).route(web::get().to(login_page)))
        .service(resource("/auth/register", &[M::GET]).route(web::get().to(register_page)))
        .service(resource("/auth/local/login", &[M::POST]).route(web::post().to(local_login)))
        .service(resource("/auth/local/register", &[M::POST]).route(web::post().to(local_register)))
        .service(resource("/auth/logout", &[M::POST]).route(web::post().to(logout)))
        .service(resource("/auth/oidc/start", &[M::GET]).route(web::get().to(oidc_start)))
        .service(resource("/auth/oidc/callback", &[M::GET]).route(web::get().to(oidc_callback)))
        .service(
            resource("/settings/tokens", &[M::GET, M::POST])
                .route(web::get().to(tokens_page))
                .route(web::post().to(create_token)),
        )
        .service(
            resource("/settings/tokens/{id}/revoke", &[M::POST])
                .route(web::post().to(revoke_token)),
        )
        .service(resource("/analytics", &[M::GET]).route(web::get().to(dashboard::analytics_page)))
        .service(
            resource("/analytics/refresh", &[M::POST]).route(web::post().to(dashboard::refresh)),
        )
        .service(resource("/applications", &[M::GET]).route(web::get().to(applications::list)))
        .service(
            resource("/applications/board", &[M::GET]).route(web::get().to(applications::board)),
        )
        .service(
            resource("/applications/new", &[M::GET, M::POST])
                .route(web::get().to(applications::new_form))
                .route(web::post().to(applications::create)),
        )
        .service(
            resource("/applications/{id}", &[M::GET, M::POST])
                .route(web::get().to(applications::detail))
                .route(web::post().to(applications::update)),
        )
        .service(
            resource("/applications/{id}/status", &[M::POST])
                .route(web::post().to(applications::change_status)),
        )
        .service(
            resource("/applications/{id}/delete", &[M::POST])
                .route(web::post().to(applications::delete)),
        )
        .service(
            resource("/applications/{id}/notes", &[M::POST])
                .route(web::post().to(applications::add_note)),
        )
        .service(
            resource("/applications/{id}/interviews", &[M::POST])
                .route(web::post().to(applications::add_interview)),
        )
        .service(
            resource("/applications/{id}/drafts", &[M::POST])
                .route(web::post().to(applications::ask_draft)),
        )
        .service(
            resource("/drafts/{id}/cancel", &[M::POST])
                .route(web::post().to(applications::cancel_draft)),
        )
        .service(
            resource("/drafts/{id}/delete", &[M::POST])
                .route(web::post().to(applications::delete_draft)),
        )
        .service(
            resource("/notes/{id}", &[M::POST]).route(web::post().to(applications::update_note)),
        )
        .service(
            resource("/notes/{id}/delete", &[M::POST])
                .route(web::post().to(applications::delete_note)),
        )
        .service(resource("/interviews", &[M::GET]).route(web::get().to(interviews::page)))
        .service(resource("/interviews/{id}", &[M::POST]).route(web::post().to(interviews::update)))
        .service(
            resource("/interviews/{id}/delete", &[M::POST])
                .route(web::post().to(interviews::delete)),
        )
        .service(resource("/settings", &[M::GET]).route(web::get().to(settings::page)))
        .service(resource("/settings/account", &[M::POST]).route(web::post().to(settings::account)))
        .service(
            resource("/settings/preferences", &[M::POST])
                .route(web::post().to(settings::preferences)),
        )
        .service(resource("/settings/profile", &[M::POST]).route(web::post().to(settings::profile)))
        .service(
            resource("/settings/calendar", &[M::POST])
                .route(web::post().to(settings::calendar_feed)),
        )
        .service(
            resource("/settings/calendar/delete", &[M::POST])
                .route(web::post().to(settings::calendar_off)),
        );
}

/// `GET /static/app.js` (bundled): the niceties; every page works without it.
pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../../static/app.js"))
}

/// `GET /favicon.ico` (bundled; pages also link the SVG).
pub async fn favicon_ico() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/x-icon"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(&include_bytes!("../../../static/favicon.ico")[..])
}

/// `GET /static/favicon.svg` (bundled).
pub async fn favicon_svg() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(include_str!("../../../static/favicon.svg"))
}

/// `GET /static/app.css` (bundled).
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/css; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../../static/app.css"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_origin_paths_are_followed_after_sign_in() {
        assert_eq!(
            safe_next(Some("/settings/tokens?x=1")),
            "/settings/tokens?x=1"
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn every_template_compiles() {
        let t = Templates::new();
        for name in t
            .env
            .templates()
            .map(|(name, _)| name.to_owned())
            .collect::<Vec<_>>()
        {
            assert!(t.env.get_template(&name).is_ok(), "{name}");
        }
        assert!(
            t.env.templates().count() >= 14,
            "every template is registered"
        );
    }

    #[test]
    fn a_company_named_like_a_script_renders_as_text() {
        let t = Templates::new();
        let item = serde_json::json!({
            "id": "0193", "company": "<script>alert(1)</script>", "title": "\"><img src=x onerror=alert(2)>",
            "status": "applied", "priority_score": 50, "tags": ["<b>t</b>"],
            "applied_on": null, "deadline": null, "updated_at": "2026-11-25T10:00:00Z",
        });
        let html = t
            .render(
                "pages/applications.html",
                context! {
                    items => minijinja::Value::from_serialize(vec![item]), columns => Vec::<String>::new(),
                    user => context! { email => "a@example.com" }, tz => "UTC", csrf => "x",
                    choices => context! { statuses => ["applied"], work_modes => ["remote"] },
                    selected => Vec::<String>::new(), selected_modes => Vec::<String>::new(),
                },
            )
            .unwrap();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<img src=x"));
        assert!(!html.contains("<b>t</b>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
        assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    }

    #[test]
    fn the_provider_button_names_google_for_googles_issuer() {
        assert_eq!(provider_name("https://accounts.google.com"), "Google");
        assert_eq!(provider_name("http://127.0.0.1:4000"), "127.0.0.1");
    }
}
