//! The web UI, rendered on the server with minijinja. This module is the
//! page kit every page shares (templates, the signed-in `Viewer`, the
//! `Poster` of a form, flash messages, cookies, the bundled static files)
//! and the routes; the pages live in the submodules (`sign_in`, `tokens`,
//! `dashboard`, `applications`, `interviews`, `settings`, `security`,
//! `mailbox`, `import`, `capture`, `inbox`). Forms post and redirect; a
//! refused form is rendered again with the errors beside the fields and the
//! input kept (never the password). JavaScript only adds niceties.

pub mod applications;
pub mod capture;
pub mod charts;
pub mod dashboard;
pub mod drafts;
pub mod filters;
pub mod forms;
pub mod import;
pub mod inbox;
pub mod interviews;
pub mod mailbox;
pub mod notes;
pub mod security;
pub mod settings;
pub mod sign_in;
pub mod tokens;

use std::collections::HashMap;

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::header::{self};
use actix_web::http::StatusCode;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use minijinja::context;
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::extract::{authenticate, AuthUser};
use super::AppState;
use crate::auth::sessions::{self, SESSION_COOKIE};
use crate::error::{Error, Result};

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
            "pages/import.html",
            "pages/inbox.html",
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

fn html(status: StatusCode, body: impl actix_web::body::MessageBody + 'static) -> HttpResponse {
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

fn check_session_csrf(user: &AuthUser, form: &HashMap<String, String>) -> Result<()> {
    session_csrf(user, form.get("_csrf").map(String::as_str).unwrap_or(""))
}

/// A signed-in form's `_csrf` must be the session's CSRF token.
fn session_csrf(user: &AuthUser, sent: &str) -> Result<()> {
    match user.csrf() {
        Some(csrf) if sessions::same_secret(sent, csrf) => Ok(()),
        _ => Err(Error::Csrf),
    }
}

/// The signed-in person a page is rendered for.
pub struct Viewer {
    pub auth: AuthUser,
    pub user: crate::domain::account::User,
    /// Inbox suggestions waiting for a decision (the navigation's badge).
    pub pending: i64,
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
                Some(auth) => {
                    // A page that may be remembered is looked up with the
                    // viewer, in the same message to the user's actor.
                    let key = (req.method() == actix_web::http::Method::GET
                        && auth.csrf().is_some()
                        && flash_message(&req).is_none())
                    .then(|| page_key(&req));
                    let (viewer, page) = viewer_and_page(&state, auth, key.clone()).await?;
                    if let (Some(key), Some(body)) = (key, page) {
                        req.extensions_mut().insert(RememberedPage { key, body });
                    }
                    Ok(viewer)
                }
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
            session_csrf(&auth, form.get("_csrf"))?;
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

/// The signed-in user and their inbox's pending count: remembered by their
/// actor until something of theirs changes (else one statement).
async fn signed_in_viewer(state: &AppState, auth: AuthUser) -> Result<Viewer> {
    Ok(viewer_and_page(state, auth, None).await?.0)
}

/// The same, with the remembered page under `page` if there is one.
async fn viewer_and_page(
    state: &AppState,
    auth: AuthUser,
    page: Option<String>,
) -> Result<(Viewer, Option<crate::actors::read_cache::CachedBody>)> {
    let (v, remembered) = state.viewer(auth.user_id, page).await?;
    let viewer = Viewer {
        auth,
        user: v.user.clone(),
        pending: v.pending,
    };
    Ok((viewer, remembered))
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

/// The message a redirect left for this page, if any (the answer removes
/// its cookie: it is shown once).
fn flash_message(req: &HttpRequest) -> Option<String> {
    req.cookie(FLASH_COOKIE).map(|c| {
        url::form_urlencoded::parse(format!("m={}", c.value()).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    })
}

/// Renders a page of the signed-in UI: the template gets `user`, `tz`,
/// `csrf`, `flash`, `nav` and `pending` (the inbox's badge) besides its own
/// context.
pub fn render_page(
    state: &AppState,
    req: &HttpRequest,
    viewer: &Viewer,
    status: StatusCode,
    template: &str,
    nav: &str,
    ctx: minijinja::Value,
) -> Result<HttpResponse> {
    let flash = flash_message(req);
    let body = render_body(
        state,
        viewer,
        template,
        nav,
        ctx,
        viewer.auth.csrf(),
        flash.as_deref(),
    )?;
    let mut res = super::no_store(html(status, body));
    if flash.is_some() {
        let _ = res.add_removal_cookie(&removal(state, FLASH_COOKIE));
    }
    Ok(res)
}

fn render_body(
    state: &AppState,
    viewer: &Viewer,
    template: &str,
    nav: &str,
    ctx: minijinja::Value,
    csrf: Option<&str>,
    flash: Option<&str>,
) -> Result<String> {
    let user = &viewer.user;
    state.templates.render(
        template,
        context! {
            user => context! { display_name => user.display_name, email => user.email, id => user.id },
            tz => user.timezone, csrf => csrf, flash => flash, nav => nav,
            pending => viewer.pending,
            ..ctx
        },
    )
}

/// Stands for the session's CSRF token in a remembered page (the page is
/// the user's, the token the session's). Made at start, never shown.
static CSRF_MARK: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("csrf{}", Uuid::new_v4().simple()));

/// The mark's searcher, built once (building one per page view cost more
/// than the search).
static CSRF_FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memchr::memmem::Finder::new(CSRF_MARK.as_bytes()).into_owned());

/// A page that shows the user's own data as of now, answered from the
/// user's remembered answers: it is rendered once (with a stand-in for the
/// session's CSRF token) and kept until something of the user's changes or
/// the minute turns (pages say "today" and "in 3 days"). A page with a
/// message from the previous form is rendered afresh.
pub async fn remembered_page(
    state: &AppState,
    req: &HttpRequest,
    viewer: &Viewer,
    template: &'static str,
    nav: &'static str,
    build: impl std::future::Future<Output = Result<minijinja::Value>>,
) -> Result<HttpResponse> {
    let Some(csrf) = viewer.auth.csrf().filter(|_| flash_message(req).is_none()) else {
        let ctx = build.await?;
        return render_page(state, req, viewer, StatusCode::OK, template, nav, ctx);
    };
    let key = page_key(req);
    let found = req
        .extensions_mut()
        .remove::<RememberedPage>()
        .filter(|found| found.key == key);
    if let Some(found) = found {
        ::metrics::counter!("read_cache_lookups_total", "result" => "hit").increment(1);
        return Ok(super::no_store(html(
            StatusCode::OK,
            with_csrf(&found.body.body, csrf),
        )));
    }
    let page = state
        .remembered(viewer.auth.user_id, key, async {
            let ctx = build.await?;
            // The viewer read again: the one this request started with may
            // be older than the generation the page is remembered in (a
            // change that came in between would stay on the page).
            let viewer = signed_in_viewer(state, viewer.auth.clone()).await?;
            let body = render_body(state, &viewer, template, nav, ctx, Some(&CSRF_MARK), None)?;
            let page = crate::actors::read_cache::CachedBody {
                body: body.into(),
                version: None,
            };
            Ok((page, true))
        })
        .await?;
    Ok(super::no_store(html(
        StatusCode::OK,
        with_csrf(&page.body, csrf),
    )))
}

/// Where a page is remembered among the user's answers: its address, for
/// at most the minute it was made in (relative times on it move on).
fn page_key(req: &HttpRequest) -> String {
    let minute = OffsetDateTime::now_utc().unix_timestamp().div_euclid(60);
    format!("page {minute} {}", req.uri())
}

/// A page found remembered when the viewer was looked up (see `Viewer`).
struct RememberedPage {
    key: String,
    body: crate::actors::read_cache::CachedBody,
}

/// The remembered page with the session's CSRF token in place of its mark.
fn with_csrf(page: &[u8], csrf: &str) -> Vec<u8> {
    let mark_len = CSRF_MARK.len();
    let mut out = Vec::with_capacity(page.len() + 64);
    let mut last = 0;
    for at in CSRF_FINDER.find_iter(page) {
        out.extend_from_slice(&page[last..at]);
        out.extend_from_slice(csrf.as_bytes());
        last = at + mark_len;
    }
    out.extend_from_slice(&page[last..]);
    out
}

/// A posted HTML form (fields may repeat: checkboxes).
#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// A form of these fields, as a test writes one.
    #[cfg(test)]
    pub fn of(pairs: &[(&str, &str)]) -> FormData {
        FormData(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
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

/// The pages of the signed-in UI (sign-in and tokens are routed with the API).
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/", &[M::GET]).route(web::get().to(dashboard::dashboard)))
        .service(resource("/static/app.css", &[M::GET]).route(web::get().to(stylesheet)))
        .service(resource("/static/app.js", &[M::GET]).route(web::get().to(script)))
        .service(resource("/static/import.js", &[M::GET]).route(web::get().to(import_script)))
        .service(resource("/static/capture.js", &[M::GET]).route(web::get().to(capture::script)))
        .service(resource("/static/favicon.svg", &[M::GET]).route(web::get().to(favicon_svg)))
        .service(resource("/favicon.ico", &[M::GET]).route(web::get().to(favicon_ico)))
        .service(resource("/auth/login", &[M::GET]).route(web::get().to(sign_in::login_page)))
        .service(resource("/auth/register", &[M::GET]).route(web::get().to(sign_in::register_page)))
        .service(
            resource("/auth/local/login", &[M::POST]).route(web::post().to(sign_in::local_login)),
        )
        .service(
            resource("/auth/local/register", &[M::POST])
                .route(web::post().to(sign_in::local_register)),
        )
        .service(resource("/auth/logout", &[M::POST]).route(web::post().to(sign_in::logout)))
        .service(resource("/auth/oidc/start", &[M::GET]).route(web::get().to(sign_in::oidc_start)))
        .service(
            resource("/auth/oidc/callback", &[M::GET]).route(web::get().to(sign_in::oidc_callback)),
        )
        .service(
            resource("/settings/tokens", &[M::GET, M::POST])
                .route(web::get().to(tokens::tokens_page))
                .route(web::post().to(tokens::create_token)),
        )
        .service(
            resource("/settings/tokens/{id}/revoke", &[M::POST])
                .route(web::post().to(tokens::revoke_token)),
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
            resource("/applications/{id}/notes", &[M::POST]).route(web::post().to(notes::add_note)),
        )
        .service(
            resource("/applications/{id}/interviews", &[M::POST])
                .route(web::post().to(applications::add_interview)),
        )
        .service(
            resource("/applications/{id}/drafts", &[M::POST])
                .route(web::post().to(drafts::ask_draft)),
        )
        .service(
            resource("/drafts/{id}/cancel", &[M::POST]).route(web::post().to(drafts::cancel_draft)),
        )
        .service(
            resource("/drafts/{id}/delete", &[M::POST]).route(web::post().to(drafts::delete_draft)),
        )
        .service(resource("/notes/{id}", &[M::POST]).route(web::post().to(notes::update_note)))
        .service(
            resource("/notes/{id}/delete", &[M::POST]).route(web::post().to(notes::delete_note)),
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
        )
        .service(
            resource("/settings/password", &[M::POST])
                .route(web::post().to(security::change_password)),
        )
        .service(
            resource("/settings/sessions/end-others", &[M::POST])
                .route(web::post().to(security::end_other_sessions)),
        )
        .service(
            resource("/settings/sessions/{id}/end", &[M::POST])
                .route(web::post().to(security::end_session)),
        )
        .service(
            resource("/settings/delete", &[M::POST])
                .route(web::post().to(security::delete_account)),
        )
        .service(resource("/settings/mailbox", &[M::POST]).route(web::post().to(mailbox::connect)))
        .service(
            resource("/settings/mailbox/sync", &[M::POST]).route(web::post().to(mailbox::sync_now)),
        )
        .service(
            resource("/settings/mailbox/delete", &[M::POST])
                .route(web::post().to(mailbox::disconnect)),
        )
        .service(resource("/settings/inbox", &[M::POST]).route(web::post().to(mailbox::auto_apply)))
        .service(resource("/inbox", &[M::GET]).route(web::get().to(inbox::page)))
        .service(resource("/inbox/messages", &[M::POST]).route(web::post().to(inbox::upload)))
        .service(resource("/inbox/{id}/apply", &[M::POST]).route(web::post().to(inbox::apply)))
        .service(resource("/inbox/{id}/dismiss", &[M::POST]).route(web::post().to(inbox::dismiss)))
        .service(resource("/import", &[M::GET]).route(web::get().to(import::page)))
        .service(resource("/capture", &[M::GET]).route(web::get().to(capture::page)));
}

/// `GET /static/app.js` (bundled): the niceties; every page works without it.
pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../../static/app.js"))
}

/// `GET /static/import.js` (bundled): the Import page's preview and upload.
pub async fn import_script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/javascript; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(include_str!("../../../static/import.js"))
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
    fn a_remembered_page_gets_the_sessions_csrf_token_wherever_its_mark_is() {
        let mark = CSRF_MARK.as_str();
        let page = format!("<meta content=\"{mark}\"><form><input value=\"{mark}\"></form>{mark}");
        let token = "a".repeat(64);
        let out = String::from_utf8(with_csrf(page.as_bytes(), &token)).unwrap();
        assert_eq!(
            out,
            format!("<meta content=\"{token}\"><form><input value=\"{token}\"></form>{token}")
        );
        assert!(!out.contains(mark));
        assert_eq!(with_csrf(b"no forms here", &token), b"no forms here");
    }

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
            t.env.templates().count() >= 15,
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
}
