//! Request extractors: JSON bodies (with the contract's limits and errors),
//! `If-Match`, the signed-in user, query parameters and the client address.

use std::collections::HashSet;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::AppState;
use crate::auth;
use crate::auth::sessions::{self, SESSION_COOKIE};
use crate::error::Error;
use crate::store::tokens;

/// Request bodies are limited to 1 MiB.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// A JSON object body (`application/json` or `application/merge-patch+json`)
/// of at most `LIMIT` bytes.
#[derive(Debug)]
pub struct JsonObjectUpTo<const LIMIT: usize>(pub Map<String, Value>);

/// A JSON object body within the usual 1 MiB.
pub type JsonObject = JsonObjectUpTo<BODY_LIMIT>;

impl<const LIMIT: usize> std::ops::Deref for JsonObjectUpTo<LIMIT> {
    type Target = Map<String, Value>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<const LIMIT: usize> FromRequest for JsonObjectUpTo<LIMIT> {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_length.is_some_and(|n| n > LIMIT) {
                return Err(Error::TooLarge { limit: LIMIT });
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    Error::bad_request("body", format!("could not read the body: {e}"))
                })?;
                if body.len() + chunk.len() > LIMIT {
                    return Err(Error::TooLarge { limit: LIMIT });
                }
                body.extend_from_slice(&chunk);
            }
            match content_type.as_deref() {
                Some(ct) if is_json(ct) => {}
                Some(ct) => {
                    return Err(Error::UnsupportedMediaType(format!(
                        "the body must be JSON (application/json), not {ct}"
                    )))
                }
                None if body.is_empty() => {}
                None => {
                    return Err(Error::UnsupportedMediaType(
                        "the body must be JSON: send Content-Type: application/json".into(),
                    ))
                }
            }
            if body.iter().all(u8::is_ascii_whitespace) {
                return Err(Error::bad_request("body", "a JSON object body is required"));
            }
            let value: Value = serde_json::from_slice(&body)
                .map_err(|e| Error::bad_request("body", format!("malformed JSON: {e}")))?;
            match value {
                Value::Object(map) => Ok(JsonObjectUpTo(map)),
                _ => Err(Error::Validation(crate::domain::ValidationError::single(
                    "body",
                    "must be a JSON object",
                ))),
            }
        })
    }
}

/// The version named by `If-Match` (`"3"`, `W/"3"` or `3`); `*` or no header
/// means "whatever is current".
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub Option<i32>);

impl FromRequest for IfMatch {
    type Error = Error;
    type Future = std::future::Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_if_match(req))
    }
}

fn parse_if_match(req: &HttpRequest) -> Result<IfMatch, Error> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(IfMatch(None));
    };
    let bad = || Error::bad_request("If-Match", "must be an ETag such as \"3\"");
    let raw = value.to_str().map_err(|_| bad())?.trim();
    if raw == "*" {
        return Ok(IfMatch(None));
    }
    let tag = raw.strip_prefix("W/").unwrap_or(raw);
    let tag = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(tag);
    tag.parse::<i32>()
        .map(|v| IfMatch(Some(v)))
        .map_err(|_| bad())
}

/// How a request was authenticated.
#[derive(Debug, Clone)]
pub enum Credential {
    /// `Authorization: Bearer` with a personal access token.
    Token(Uuid),
    /// A browser session cookie; `csrf` is the session's CSRF token.
    Session { id: Uuid, csrf: String },
}

/// The signed-in user: by bearer token, or by session cookie (then an unsafe
/// method must carry the session's CSRF token in `X-CSRF-Token`).
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub user_id: Uuid,
    pub credential: Credential,
    /// When the credential expires (API tokens made with an expiry).
    pub expires_at: Option<OffsetDateTime>,
}

impl AuthUser {
    /// The session's CSRF token, for pages.
    pub fn csrf(&self) -> Option<&str> {
        match &self.credential {
            Credential::Session { csrf, .. } => Some(csrf),
            Credential::Token(_) => None,
        }
    }
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

fn is_unsafe(method: &actix_web::http::Method) -> bool {
    !matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS")
}

/// Authenticates a request; the CSRF header is checked here for unsafe
/// methods, except when `form_csrf` says a form handler checks `_csrf` itself.
pub async fn authenticate(
    state: &AppState,
    req: &HttpRequest,
    form_csrf: bool,
) -> Result<AuthUser, Error> {
    let now = OffsetDateTime::now_utc();
    if let Some(token) = bearer_token(req) {
        if token.is_empty() {
            return Err(Error::Unauthenticated);
        }
        let hash = auth::hash_token(&token);
        // A cached lookup is trusted only while revocations elsewhere reach us.
        let cached = state
            .link
            .caches_trusted()
            .then(|| state.credentials.get(&hash, now))
            .flatten();
        if let Some(c) = cached {
            return Ok(AuthUser {
                user_id: c.user_id,
                credential: Credential::Token(c.id),
                expires_at: c.expires_at,
            });
        }
        let client = state.pool.get().await?;
        let live = tokens::authenticate(&client, &hash, now)
            .await?
            .ok_or(Error::Unauthenticated)?;
        // "Last used" moves at most once a minute; a failed stamp must not fail the request.
        if live
            .last_used_at
            .is_none_or(|t| now - t > time::Duration::minutes(1))
        {
            if let Err(e) = tokens::touch(&client, live.id, now).await {
                tracing::warn!(error = %e, "could not record a token's last use");
            }
        }
        state
            .credentials
            .put(hash, live.user_id, live.id, live.expires_at);
        return Ok(AuthUser {
            user_id: live.user_id,
            credential: Credential::Token(live.id),
            expires_at: live.expires_at,
        });
    }
    if req.headers().contains_key(header::AUTHORIZATION) {
        return Err(Error::Unauthenticated);
    }
    let cookie = req.cookie(SESSION_COOKIE).ok_or(Error::Unauthenticated)?;
    // A session looked up in the last minute is trusted while revocations
    // reach this replica (a sign-out anywhere forgets it everywhere); its
    // sight is recorded at most once a minute, so idle expiry holds.
    let hash = auth::hash_token(cookie.value());
    let cached = state
        .link
        .caches_trusted()
        .then(|| state.credentials.get_session(&hash, now))
        .flatten();
    let (user_id, id, csrf) = match cached {
        Some((c, csrf)) => (c.user_id, c.id, csrf),
        None => {
            let s = sessions::resolve(&state.pool, cookie.value())
                .await?
                .ok_or(Error::Unauthenticated)?;
            state.credentials.put_session(
                hash,
                s.user_id,
                s.id,
                s.expires_at,
                s.csrf_token.clone(),
                s.last_seen_at,
            );
            (s.user_id, s.id, s.csrf_token)
        }
    };
    if is_unsafe(req.method()) && !form_csrf {
        let sent = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !sessions::same_secret(sent, &csrf) {
            return Err(Error::Csrf);
        }
    }
    Ok(AuthUser {
        user_id,
        credential: Credential::Session { id, csrf },
        expires_at: None,
    })
}

impl FromRequest for AuthUser {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(user) = req.extensions().get::<AuthUser>() {
            let user = user.clone();
            return Box::pin(async move { Ok(user) });
        }
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| Error::internal("application state missing"))?;
            let user = authenticate(&state, &req, false).await?;
            req.extensions_mut().insert(user.clone());
            Ok(user)
        })
    }
}

/// Query parameters, read strictly: unknown names are refused.
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub fn parse(req: &HttpRequest, allowed: &[&str]) -> Result<Query, Error> {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(req.query_string().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        let allowed: HashSet<&str> = allowed.iter().copied().collect();
        if let Some((k, _)) = pairs.iter().find(|(k, _)| !allowed.contains(k.as_str())) {
            return Err(Error::bad_request(
                k.clone(),
                format!("unknown query parameter '{k}'"),
            ));
        }
        if let Some((k, message)) = pairs.iter().find_map(|(k, v)| {
            crate::domain::fields::check_characters(v, crate::domain::fields::Lines::One)
                .err()
                .map(|m| (k, m))
        }) {
            return Err(Error::bad_request(k.clone(), format!("'{k}' {message}")));
        }
        Ok(Query { pairs })
    }

    /// The single value of `name` (repeating it is an error).
    pub fn one(&self, name: &str) -> Result<Option<&str>, Error> {
        let mut values = self
            .pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(Error::bad_request(
                name,
                format!("'{name}' may be given once"),
            ));
        }
        Ok(first)
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A comma-separated list of names parsed by `parse`.
    pub fn list<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Option<T>,
        choices: &str,
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        for raw in self.all(name) {
            for item in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let v = parse(item).ok_or_else(|| {
                    Error::bad_request(name, format!("'{item}' is not one of: {choices}"))
                })?;
                out.push(v);
            }
        }
        Ok(out)
    }

    /// `limit` (1–200, default 50).
    pub fn limit(&self) -> Result<usize, Error> {
        match self.one("limit")? {
            None => Ok(50),
            Some(s) => s
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=200).contains(n))
                .ok_or_else(|| Error::bad_request("limit", "must be a whole number from 1 to 200")),
        }
    }

    pub fn cursor(&self) -> Result<Option<String>, Error> {
        Ok(self
            .one("cursor")?
            .filter(|c| !c.is_empty())
            .map(str::to_owned))
    }

    pub fn timestamp(&self, name: &str) -> Result<Option<OffsetDateTime>, Error> {
        self.one(name)?
            .map(|s| {
                crate::domain::time::parse_timestamp(s.trim())
                    .ok_or_else(|| Error::bad_request(name, "must be an RFC 3339 timestamp"))
            })
            .transpose()
    }

    pub fn uuid(&self, name: &str) -> Result<Option<Uuid>, Error> {
        self.one(name)?
            .map(|s| {
                Uuid::parse_str(s.trim())
                    .map_err(|_| Error::bad_request(name, "must be an id (UUID)"))
            })
            .transpose()
    }
}

/// The client's address: the peer, or what a trusted proxy says it forwarded.
pub fn client_address(req: &HttpRequest, trusted: &[ipnet::IpNet]) -> String {
    let peer = req.peer_addr().map(|a| a.ip());
    let Some(peer) = peer else {
        return "unknown".into();
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    // The nearest address that is not one of our proxies is the client.
    forwarded
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(forwarded.first())
        .unwrap_or(&peer)
        .to_string()
}
