//! `GET /api/v1/events`: Server-Sent Events for the signed-in user. Each event
//! has an id; a keep-alive comment goes out every 15 s; the stream closes when
//! its token or session is revoked, and at once on shutdown. A reconnecting
//! client is not promised a replay: it should refetch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpResponse};
use futures_util::stream;
use tokio::sync::{mpsc, watch, Notify};

use super::extract::{AuthUser, Credential};
use super::AppState;
use crate::actors::event_bus::{Event, Subscribe};
use crate::auth::revocation::Revocation;
use crate::domain::events::EventKind;
use crate::error::{Error, Result};
use crate::http::error::Problem;
use crate::store::{sessions, tokens};
use deadpool_postgres::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The wire form of one event.
pub fn frame(event: &Event) -> Bytes {
    Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {}\n\n",
        event.id, event.kind, event.data
    ))
}

/// Whether a revocation event names this stream's credential.
fn revokes(event: &Event, credential: &Credential) -> bool {
    let revoked = Revocation::from_value(&event.data);
    match credential {
        Credential::Token(id) => revoked.names_token(*id),
        Credential::Session { id, .. } => revoked.names_session(*id),
    }
}

/// How often an open stream checks in PostgreSQL that its credential still
/// works (a safety net under revocation events, and how expiry is noticed).
pub const RECHECK: Duration = Duration::from_secs(15);

/// Open streams per user on this replica, bounded by
/// `JOBCOPILOT_MAX_STREAMS_PER_USER`. A connection the client closed is only
/// noticed when something is written to it, so a user at the cap first has
/// their streams probed (a comment written at once) before a 429.
#[derive(Debug, Default)]
pub struct StreamCounts {
    open: Mutex<HashMap<Uuid, (usize, Arc<Notify>)>>,
}

/// One open stream: its place is given back when the stream ends.
pub struct StreamSlot {
    counts: Arc<StreamCounts>,
    user_id: Uuid,
    probe: Arc<Notify>,
}

impl StreamCounts {
    /// A place for one more stream of `user_id`, unless it holds `max` already.
    pub fn open(self: &Arc<Self>, user_id: Uuid, max: usize) -> Option<StreamSlot> {
        let mut open = self.open.lock().ok()?;
        let (n, probe) = open.entry(user_id).or_default();
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(StreamSlot {
            counts: self.clone(),
            user_id,
            probe: probe.clone(),
        })
    }

    /// Asks every stream of the user to write at once (closed ones then end).
    pub fn probe(&self, user_id: Uuid) {
        if let Ok(open) = self.open.lock() {
            if let Some((_, probe)) = open.get(&user_id) {
                probe.notify_waiters();
            }
        }
    }

    /// A place for one more stream, probing the user's streams (twice: the
    /// first write to a closed connection may still succeed) when full.
    pub async fn open_or_probe(self: &Arc<Self>, user_id: Uuid, max: usize) -> Option<StreamSlot> {
        for _ in 0..4 {
            if let Some(slot) = self.open(user_id, max) {
                return Some(slot);
            }
            self.probe(user_id);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.open(user_id, max)
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.counts.open.lock() {
            if let Some((n, _)) = open.get_mut(&self.user_id) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    open.remove(&self.user_id);
                }
            }
        }
    }
}

struct Stream {
    events: mpsc::Receiver<Event>,
    keep_alive: tokio::time::Interval,
    recheck: tokio::time::Interval,
    shutdown: watch::Receiver<bool>,
    credential: Credential,
    /// The credential's own expiry, when it has one.
    expires_at: Option<OffsetDateTime>,
    pool: Pool,
    opened: bool,
    slot: StreamSlot,
}

/// Whether the stream's credential still works.
async fn still_valid(pool: &Pool, credential: &Credential) -> bool {
    let now = OffsetDateTime::now_utc();
    let Ok(client) = pool.get().await else {
        // PostgreSQL away: keep the stream (revocations still arrive as events).
        return true;
    };
    let live = match credential {
        Credential::Token(id) => tokens::is_live(&client, *id, now).await,
        Credential::Session { id, .. } => {
            sessions::is_live(&client, *id, now, now - crate::auth::sessions::IDLE_LIMIT).await
        }
    };
    live.unwrap_or(true)
}

async fn next_frame(mut s: Stream) -> Option<(Result<Bytes, actix_web::Error>, Stream)> {
    if !s.opened {
        s.opened = true;
        // Tell the browser how soon to reconnect, and flush headers at once.
        return Some((Ok(Bytes::from_static(b"retry: 3000\n\n")), s));
    }
    loop {
        if *s.shutdown.borrow() {
            return None;
        }
        let expiry = async {
            match s.expires_at {
                Some(at) => {
                    let left = (at - OffsetDateTime::now_utc()).max(time::Duration::ZERO);
                    tokio::time::sleep(left.try_into().unwrap_or(Duration::ZERO)).await
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            event = s.events.recv() => {
                let event = event?;
                if event.kind == EventKind::CredentialRevoked {
                    if revokes(&event, &s.credential) {
                        return None;
                    }
                    continue;
                }
                return Some((Ok(frame(&event)), s));
            }
            _ = s.keep_alive.tick() => return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), s)),
            _ = s.slot.probe.notified() => return Some((Ok(Bytes::from_static(b": probe\n\n")), s)),
            _ = s.recheck.tick() => {
                if !still_valid(&s.pool, &s.credential).await {
                    return None;
                }
            }
            _ = expiry => return None,
            _ = s.shutdown.changed() => return None,
        }
    }
}

/// Live events: `application.*`, `interview.*`, `dashboard.updated`, …
#[utoipa::path(
    get, path = "/api/v1/events", tag = "dashboard",
    responses(
        (status = 200, content_type = "text/event-stream", description = "Server-Sent Events: id, event (kind) and JSON data"),
        (status = 401, body = Problem),
        (status = 429, body = Problem, description = "too many live streams open for this user; see Retry-After")
    ),
    security(("bearer" = []))
)]
pub async fn events(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    let max = state.settings.max_streams_per_user as usize;
    let slot = state
        .streams
        .open_or_probe(auth.user_id, max)
        .await
        .ok_or_else(|| Error::LimitReached {
            retry_after: 30,
            detail: format!(
                "you have {max} live event streams open already; close one (a tab) first"
            ),
        })?;
    let events = state
        .event_bus
        .send(Subscribe {
            user_id: auth.user_id,
        })
        .await?;
    let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
    keep_alive.reset(); // the first tick after 15 s, not at once
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.reset();
    let s = Stream {
        events,
        keep_alive,
        recheck,
        shutdown: state.shutdown.clone(),
        credential: auth.credential,
        expires_at: auth.expires_at,
        pool: state.pool.clone(),
        opened: false,
        slot,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Never compressed (a compressor would hold events back).
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream::unfold(s, next_frame)))
}

/// The live event stream.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use super::resource;
    use actix_web::http::Method as M;
    cfg.service(resource("/events", &[M::GET]).route(web::get().to(events)));
}
