//! `GET /api/v1/events`: Server-Sent Events for the signed-in user. Each event
//! has an id; a keep-alive comment goes out every 15 s; the stream closes when
//! its token or session is revoked, and at once on shutdown. A reconnecting
//! client is not promised a replay: it should refetch.

use std::time::Duration;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpResponse};
use futures_util::stream;
use tokio::sync::{mpsc, watch};

use super::extract::{AuthUser, Credential};
use super::AppState;
use crate::actors::commands::REVOKED;
use crate::actors::event_bus::{Event, Subscribe};
use crate::error::Result;
use crate::http::error::Problem;

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
    match credential {
        Credential::Token(id) => event.data["token_id"].as_str() == Some(id.to_string().as_str()),
        Credential::Session { id, .. } => {
            event.data["session_id"].as_str() == Some(id.to_string().as_str())
        }
    }
}

struct Stream {
    events: mpsc::Receiver<Event>,
    keep_alive: tokio::time::Interval,
    shutdown: watch::Receiver<bool>,
    credential: Credential,
    opened: bool,
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
        tokio::select! {
            event = s.events.recv() => {
                let event = event?;
                if event.kind == REVOKED {
                    if revokes(&event, &s.credential) {
                        return None;
                    }
                    continue;
                }
                return Some((Ok(frame(&event)), s));
            }
            _ = s.keep_alive.tick() => return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), s)),
            _ = s.shutdown.changed() => return None,
        }
    }
}

/// Live events: `application.*`, `interview.*`, `dashboard.updated`, …
#[utoipa::path(
    get, path = "/api/v1/events", tag = "dashboard",
    responses(
        (status = 200, content_type = "text/event-stream", description = "Server-Sent Events: id, event (kind) and JSON data"),
        (status = 401, body = Problem)
    ),
    security(("bearer" = []))
)]
pub async fn events(state: web::Data<AppState>, auth: AuthUser) -> Result<HttpResponse> {
    let events = state
        .event_bus
        .send(Subscribe {
            user_id: auth.user_id,
        })
        .await?;
    let mut keep_alive = tokio::time::interval(KEEP_ALIVE);
    keep_alive.reset(); // the first tick after 15 s, not at once
    let s = Stream {
        events,
        keep_alive,
        shutdown: state.shutdown.clone(),
        credential: auth.credential,
        opened: false,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        // Never compressed (a compressor would hold events back).
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream::unfold(s, next_frame)))
}
