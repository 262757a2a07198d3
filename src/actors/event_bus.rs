//! The EventBus: live events for a user's connected clients. In-process for
//! now (one replica); the scale-out work puts Redis pub/sub under it.
//! Subscribers are bounded channels; a client that went away is dropped on
//! the next publish or sweep, so it costs nothing after it goes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use serde_json::Value;
use tokio::sync::mpsc;
use uuid::Uuid;

/// One live event for one user.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Unique within this process, increasing.
    pub id: u64,
    pub user_id: Uuid,
    /// `application.updated`, `dashboard.updated`, …
    pub kind: String,
    pub data: Value,
}

/// Numbers events (shared by every publisher).
#[derive(Debug, Default)]
pub struct EventIds(AtomicU64);

impl EventIds {
    pub fn next(&self) -> u64 {
        self.0.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// Events a subscriber can hold before it is considered stuck and dropped.
const BUFFER: usize = 256;

pub struct EventBus {
    subscribers: HashMap<Uuid, Vec<(u64, mpsc::Sender<Event>)>>,
    next_subscriber: u64,
    ids: Arc<EventIds>,
}

impl EventBus {
    pub fn new(ids: Arc<EventIds>) -> Self {
        EventBus {
            subscribers: HashMap::new(),
            next_subscriber: 0,
            ids,
        }
    }

    fn sweep(&mut self) {
        self.subscribers.retain(|_, subs| {
            subs.retain(|(_, tx)| !tx.is_closed());
            !subs.is_empty()
        });
    }
}

impl Actor for EventBus {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.run_interval(Duration::from_secs(30), |act, _| act.sweep());
    }
}

impl Supervised for EventBus {}

/// Publishes an event to the user's subscribers.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Publish {
    pub user_id: Uuid,
    pub kind: String,
    pub data: Value,
}

impl Handler<Publish> for EventBus {
    type Result = ();

    fn handle(&mut self, msg: Publish, _: &mut Context<Self>) {
        let Some(subs) = self.subscribers.get_mut(&msg.user_id) else {
            return;
        };
        let event = Event {
            id: self.ids.next(),
            user_id: msg.user_id,
            kind: msg.kind,
            data: msg.data,
        };
        // A full or closed channel means a gone or stuck client: drop it.
        subs.retain(|(_, tx)| tx.try_send(event.clone()).is_ok());
        if subs.is_empty() {
            self.subscribers.remove(&msg.user_id);
        }
    }
}

/// Subscribes to a user's events.
#[derive(Message)]
#[rtype(result = "mpsc::Receiver<Event>")]
pub struct Subscribe {
    pub user_id: Uuid,
}

impl Handler<Subscribe> for EventBus {
    type Result = MessageResult<Subscribe>;

    fn handle(&mut self, msg: Subscribe, _: &mut Context<Self>) -> Self::Result {
        let (tx, rx) = mpsc::channel(BUFFER);
        self.next_subscriber += 1;
        self.subscribers
            .entry(msg.user_id)
            .or_default()
            .push((self.next_subscriber, tx));
        MessageResult(rx)
    }
}

/// How many clients are subscribed (for metrics and tests).
#[derive(Message)]
#[rtype(result = "usize")]
pub struct CountSubscribers;

impl Handler<CountSubscribers> for EventBus {
    type Result = usize;

    fn handle(&mut self, _: CountSubscribers, _: &mut Context<Self>) -> usize {
        self.sweep();
        self.subscribers.values().map(Vec::len).sum()
    }
}
