//! Around every request: a request id (echoed as `X-Request-Id`), one log line
//! at the end (5xx with the internal cause), problem+json for error answers
//! that did not come from our handlers, and 503 while migrations run.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};
use tracing::Instrument;
use uuid::Uuid;

use super::error::{Problem, PROBLEM_JSON};
use super::AppState;
use crate::error::Error;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being served.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A client's own request id is kept when it is short and plain.
fn incoming_id(req: &ServiceRequest) -> Option<String> {
    let v = req.headers().get(&REQUEST_ID)?.to_str().ok()?.trim();
    let plain = !v.is_empty()
        && v.len() <= 64
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
    plain.then(|| v.to_owned())
}

/// The path as logged: secrets in paths (calendar feed tokens) are masked.
fn loggable_path(path: &str) -> String {
    match path.strip_prefix("/calendar/") {
        Some(_) => "/calendar/<redacted>".to_owned(),
        None => path.to_owned(),
    }
}

/// Requests being answered now (until their response's head is ready: a
/// live stream counts only while it opens). A stopping server waits for
/// none to be left before its workers stop (`startup::stop_on_signal`).
static IN_FLIGHT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

pub fn requests_in_flight() -> usize {
    IN_FLIGHT.load(std::sync::atomic::Ordering::Relaxed)
}

/// Counts a request in flight until dropped (a cancelled request too).
struct InFlight;

impl InFlight {
    fn start() -> InFlight {
        IN_FLIGHT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let _in_flight = InFlight::start();
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    // A stopping server closes each connection after its answer, so that
    // clients go elsewhere and the requests in flight drain.
    let stopping = state.as_ref().is_some_and(|s| *s.shutdown.borrow());
    let id = incoming_id(&req).unwrap_or_else(|| Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let https = state
        .as_ref()
        .is_some_and(|s| s.settings.public_url.scheme() == "https");
    let path = loggable_path(req.path());
    let page_state = state.as_ref().filter(|_| wants_page(&req));
    let span = tracing::info_span!("request", request_id = %id, %method, %path);

    // Until migrations are done every route but the liveness check answers
    // 503 (`/readyz` says why itself).
    let gated = !matches!(req.path(), "/healthz" | "/readyz")
        && state.as_ref().is_some_and(|s| !s.migrations.done());
    let result = if gated {
        let res = Error::Unavailable("migrations are running".into()).error_response();
        Ok(req.into_response(res))
    } else {
        next.call(req)
            .instrument(span.clone())
            .await
            .map(|r| r.map_into_boxed_body())
    };
    let mut res = match result {
        Ok(res) => res,
        Err(e) => return Err(e),
    };

    let status = res.status();
    if let Some(state) = page_state.filter(|_| status.as_u16() >= 400 && !is_html(&res)) {
        if let Some(page) = error_page(state, status) {
            res = res.map_body(|head, _| {
                head.headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                head.headers.remove(header::CONTENT_LENGTH);
                BoxBody::new(page)
            });
        }
    }
    if status.as_u16() >= 400 && !is_problem(&res) && !is_html(&res) {
        res = res.map_body(|head, _| {
            head.headers
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
            head.headers.remove(header::CONTENT_LENGTH);
            BoxBody::new(serde_json::to_vec(&Problem::for_status(status)).unwrap_or_default())
        });
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    security_headers(res.headers_mut(), https);
    if stopping {
        res.response_mut()
            .head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
    }

    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    super::metrics::record_request(
        &method,
        &route,
        status.as_u16(),
        started.elapsed().as_secs_f64(),
    );
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let _enter = span.enter();
    if status.is_server_error() {
        match res.response().error() {
            Some(cause) => {
                tracing::error!(status = status.as_u16(), elapsed_ms, cause = ?cause, "request failed")
            }
            None => tracing::warn!(status = status.as_u16(), elapsed_ms, "request not served"),
        }
    } else {
        tracing::info!(status = status.as_u16(), elapsed_ms, "request");
    }
    Ok(res)
}

/// No inline script, no framing, no sniffing; HSTS when served over https.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

fn security_headers(headers: &mut actix_web::http::header::HeaderMap, https: bool) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
}

/// A browser asking for a page (not the API, a feed or a static file).
fn wants_page(req: &ServiceRequest) -> bool {
    let path = req.path();
    let api = [
        "/api/",
        "/static/",
        "/calendar/",
        "/healthz",
        "/readyz",
        "/metrics",
    ]
    .iter()
    .any(|p| path.starts_with(p));
    !api && req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// A friendly page for an error met while browsing.
fn error_page(state: &AppState, status: StatusCode) -> Option<String> {
    let (title, message, back, back_label) = match status.as_u16() {
        401 => ("Please sign in again", "Your session has ended. Sign in and try once more: nothing you saved is lost.", "/auth/login", "Sign in"),
        403 => ("This form has expired", "The page was open for a long time or in another session. Go back, reload it, and send it again.", "/", "Back to the dashboard"),
        404 => ("Page not found", "There is nothing here: the link may be mistyped, or the application was deleted.", "/", "Back to the dashboard"),
        405 => ("Not available", "This address does not answer that kind of request.", "/", "Back to the dashboard"),
        413 => ("Too large", "What you sent is larger than Job Copilot accepts (1 MiB).", "/", "Back to the dashboard"),
        429 => ("Too many attempts", "Please wait a little before trying again.", "/", "Back to the dashboard"),
        503 => ("Back in a moment", "Job Copilot is starting or its database is unreachable. Try again in a few seconds: nothing you saved is lost.", "/", "Try again"),
        400..=499 => ("That did not work", "The request could not be understood. Go back and try again.", "/", "Back to the dashboard"),
        _ => ("Something went wrong", "An unexpected error stopped this page. It has been logged; please try again.", "/", "Back to the dashboard"),
    };
    state
        .templates
        .render(
            "pages/error.html",
            minijinja::context! { title, message, back, back_label, status => status.as_u16() },
        )
        .ok()
}

fn is_html(res: &ServiceResponse<BoxBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

fn is_problem(res: &ServiceResponse<BoxBody>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}
