//! Every failure as RFC 9457 problem details (`application/problem+json`).
//! A 5xx answer never carries internal text: that goes to the log, tied to
//! the answer by its request id.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{json, Value};

use crate::domain::FieldError;
use crate::error::Error;

pub const PROBLEM_JSON: &str = "application/problem+json";
const TYPE_BASE: &str = "https://jobcopilot.dev/problems/";

/// A problem details body.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// A stable machine-readable code (`validation`, `not_found`, …).
    pub code: String,
    pub detail: String,
    /// Field errors (validation) or the offending parameter.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For `invalid_transition`: the statuses allowed now.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>)]
    pub allowed: Option<Value>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Self {
        Problem {
            kind: format!("{TYPE_BASE}{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            code: code.to_owned(),
            detail: detail.into(),
            errors: Vec::new(),
            allowed: None,
        }
    }

    /// The generic problem for a bare status (used when something other than
    /// our handlers produced an error answer).
    pub fn for_status(status: StatusCode) -> Self {
        let (code, title) = match status.as_u16() {
            400 => ("bad_request", "Bad request"),
            401 => ("unauthenticated", "Authentication required"),
            403 => ("forbidden", "Forbidden"),
            404 => ("not_found", "Not found"),
            405 => ("method_not_allowed", "Method not allowed"),
            409 => ("conflict", "Conflict"),
            412 => ("stale_version", "Stale version"),
            413 => ("too_large", "Request body too large"),
            415 => ("unsupported_media_type", "Unsupported media type"),
            422 => ("validation", "Validation failed"),
            429 => ("rate_limited", "Too many requests"),
            503 => ("unavailable", "Service unavailable"),
            s if s >= 500 => ("internal", "Internal server error"),
            _ => ("bad_request", "Bad request"),
        };
        let detail = status.canonical_reason().unwrap_or(title).to_owned();
        Problem::new(status, code, title, detail)
    }

    pub fn response(&self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
            .body(serde_json::to_vec(self).unwrap_or_default())
    }
}

impl Error {
    pub fn problem(&self) -> Problem {
        use StatusCode as S;
        match self {
            Error::Validation(v) => {
                let mut p = Problem::new(S::UNPROCESSABLE_ENTITY, "validation", "Validation failed", v.to_string());
                if v.errors.len() > 1 {
                    p.detail = format!("{} fields are invalid", v.errors.len());
                }
                p.errors = v.errors.clone();
                p
            }
            Error::InvalidTransition(t) => {
                let allowed: Vec<&str> = t.allowed.iter().map(|s| s.as_str()).collect();
                let detail = if allowed.is_empty() {
                    format!("status cannot change from {} to {}; no change is allowed now", t.from, t.to)
                } else {
                    format!("status cannot change from {} to {}; allowed: {}", t.from, t.to, allowed.join(", "))
                };
                let mut p = Problem::new(S::UNPROCESSABLE_ENTITY, "invalid_transition", "Invalid status change", detail);
                p.errors = vec![FieldError::new("status", format!("cannot change from {} to {}", t.from, t.to))];
                p.allowed = Some(json!(allowed));
                p
            }
            Error::NotFound => Problem::new(S::NOT_FOUND, "not_found", "Not found", "no such resource"),
            Error::StaleVersion { expected, current } => Problem::new(
                S::PRECONDITION_FAILED,
                "stale_version",
                "Stale version",
                format!("If-Match names version {expected}, but the current version is {current}; fetch it again and retry"),
            ),
            Error::Conflict(m) => Problem::new(S::CONFLICT, "conflict", "Conflict", m.clone()),
            Error::Unauthenticated => Problem::new(
                S::UNAUTHORIZED,
                "unauthenticated",
                "Authentication required",
                "send a valid API token as 'Authorization: Bearer <token>'",
            ),
            Error::BadCredentials => Problem::new(
                S::UNAUTHORIZED,
                "unauthenticated",
                "Authentication failed",
                "the email or password is wrong",
            ),
            Error::Csrf => Problem::new(
                S::FORBIDDEN,
                "csrf",
                "CSRF token missing or wrong",
                "a request authenticated by a session cookie must carry the session's CSRF token \
                 (X-CSRF-Token header or _csrf form field)",
            ),
            Error::RegistrationClosed => Problem::new(
                S::FORBIDDEN,
                "registration_closed",
                "Registration is closed",
                "this server does not take new sign-ups; ask its operator for an account",
            ),
            Error::RateLimited { retry_after } => Problem::new(
                S::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many requests",
                format!("too many attempts; try again in {retry_after} seconds"),
            ),
            Error::LimitReached { detail, .. } => Problem::new(
                S::TOO_MANY_REQUESTS,
                "rate_limited",
                "Limit reached",
                detail.clone(),
            ),
            Error::BadRequest { param, message } => {
                let mut p = Problem::new(S::BAD_REQUEST, "bad_request", "Bad request", message.clone());
                if let Some(param) = param {
                    p.errors = vec![FieldError::new(param.clone(), message.clone())];
                }
                p
            }
            Error::TooLarge { limit } => Problem::new(
                S::PAYLOAD_TOO_LARGE,
                "too_large",
                "Request body too large",
                format!("the request body must be at most {limit} bytes"),
            ),
            Error::UnsupportedMediaType(m) => {
                Problem::new(S::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Unsupported media type", m.clone())
            }
            Error::MethodNotAllowed { allow } => Problem::new(
                S::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
                format!("this resource allows {}", allow.join(", ")),
            ),
            Error::Unavailable(_) => Problem::new(
                S::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
                "a service this request needs is unavailable; try again shortly",
            ),
            Error::Internal(_) => Problem::new(
                S::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal server error",
                "something went wrong on our side; the request id identifies it in our logs",
            ),
        }
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.problem().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = self.problem().response();
        let headers = res.headers_mut();
        match self {
            Error::Unauthenticated | Error::BadCredentials => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"jobcopilot\""),
                );
            }
            Error::RateLimited { retry_after } | Error::LimitReached { retry_after, .. } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
            }
            Error::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            Error::MethodNotAllowed { allow } => {
                if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                    headers.insert(header::ALLOW, v);
                }
            }
            _ => {}
        }
        res
    }
}
