//! The EventBus: live events for a user's connected clients, on every
//! replica. With `REDIS_URL` each event is also published to Redis
//! (versioned JSON on per-purpose channels: `jobcopilot:v1:events` for what
//! clients see, `jobcopilot:v1:invalidate` for what caches must drop), and
//! one subscriber connection per replica brings the other replicas' events
//! in: to local clients, to the user actors (a write elsewhere reloads the
//! user's working set here) and to the credential cache (a revocation
//! elsewhere is forgotten here). The link reconnects with backoff; while it
//! is down, caches are not trusted (reads go to PostgreSQL), and on every
//! (re)subscription every cache is dropped. Without `REDIS_URL` it is an
//! in-process broadcast. Subscribers are bounded channels; a client that
//! went away is dropped on the next publish or sweep.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use serde_json::Value;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::config::RedisSettings;

use crate::domain::events::{EventKind, Invalidates};

/// One live event for one user.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Unique within this process, increasing.
    pub id: u64,
    pub user_id: Uuid,
    pub kind: EventKind,
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

const EVENTS: &str = "jobcopilot:v1:events";
const INVALIDATE: &str = "jobcopilot:v1:invalidate";

/// The state of this replica's link to Redis.
#[derive(Debug)]
pub struct RedisLink {
    configured: bool,
    /// 1 while subscribed; 0 while not.
    up: AtomicU8,
}

impl RedisLink {
    pub fn new(configured: bool) -> Arc<RedisLink> {
        Arc::new(RedisLink {
            configured,
            up: AtomicU8::new(0),
        })
    }

    /// `ok`, `down` or `disabled`, as `/readyz` says it.
    pub fn status(&self) -> &'static str {
        match (self.configured, self.up.load(Ordering::Acquire)) {
            (false, _) => "disabled",
            (true, 1) => "ok",
            (true, _) => "down",
        }
    }

    /// Whether other replicas may write the same users' data (Redis is
    /// configured): memory may then be a moment behind PostgreSQL.
    pub fn shared(&self) -> bool {
        self.configured
    }

    /// Whether this replica may answer from its caches: it hears about
    /// every other replica's writes (or there is no other replica).
    pub fn caches_trusted(&self) -> bool {
        !self.configured || self.up.load(Ordering::Acquire) == 1
    }

    fn set_up(&self, up: bool) {
        self.up.store(u8::from(up), Ordering::Release);
    }
}

/// What travels between replicas.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Wire {
    v: u8,
    origin: Uuid,
    user_id: Uuid,
    kind: String,
    data: Value,
}

pub struct EventBus {
    subscribers: HashMap<Uuid, Vec<(u64, mpsc::Sender<Event>)>>,
    next_subscriber: u64,
    ids: Arc<EventIds>,
    redis: Option<RedisSettings>,
    link: Arc<RedisLink>,
    /// This replica, to skip our own messages coming back.
    origin: Uuid,
    outbox: Option<mpsc::UnboundedSender<(&'static str, String)>>,
    /// Whoever keeps users' data in memory (the registry of user actors).
    caches: Option<UserCaches>,
    credentials: Option<Arc<crate::auth::cache::CredentialCache>>,
}

impl EventBus {
    pub fn new(ids: Arc<EventIds>) -> Self {
        EventBus {
            subscribers: HashMap::new(),
            next_subscriber: 0,
            ids,
            redis: None,
            link: RedisLink::new(false),
            outbox: None,
            origin: Uuid::new_v4(),
            caches: None,
            credentials: None,
        }
    }

    /// An event bus that shares events with the other replicas through Redis.
    pub fn with_redis(
        ids: Arc<EventIds>,
        redis: Option<RedisSettings>,
        link: Arc<RedisLink>,
        credentials: Arc<crate::auth::cache::CredentialCache>,
    ) -> Self {
        EventBus {
            redis,
            link,
            credentials: Some(credentials),
            ..EventBus::new(ids)
        }
    }

    fn deliver(&mut self, user_id: Uuid, kind: EventKind, data: Value) {
        // Something of the user's changed (here or on another replica, by
        // them or by a worker): answers remembered for them are stale.
        if let Some(caches) = &self.caches {
            caches.forget_reads.do_send(ForgetReads(user_id));
        }
        let Some(subs) = self.subscribers.get_mut(&user_id) else {
            return;
        };
        let event = Event {
            id: self.ids.next(),
            user_id,
            kind,
            data,
        };
        // A full or closed channel means a gone or stuck client: drop it.
        subs.retain(|(_, tx)| tx.try_send(event.clone()).is_ok());
        if subs.is_empty() {
            self.subscribers.remove(&user_id);
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
        if let Some(redis) = self.redis.clone() {
            let (tx, rx) = mpsc::unbounded_channel();
            self.outbox = Some(tx);
            ctx.spawn(actix::fut::wrap_future(publish_loop(redis.clone(), rx)));
            ctx.spawn(actix::fut::wrap_future(subscribe_loop(
                redis,
                self.link.clone(),
                ctx.address(),
                self.origin,
            )));
        }
    }
}

impl Supervised for EventBus {}

/// Publishes an event to the user's subscribers.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Publish {
    pub user_id: Uuid,
    pub kind: EventKind,
    pub data: Value,
}

impl Handler<Publish> for EventBus {
    type Result = ();

    fn handle(&mut self, msg: Publish, _: &mut Context<Self>) {
        if let Some(outbox) = &self.outbox {
            let wire = Wire {
                v: 1,
                origin: self.origin,
                user_id: msg.user_id,
                kind: msg.kind.as_str().to_owned(),
                data: msg.data.clone(),
            };
            if let Ok(text) = serde_json::to_string(&wire) {
                if msg.kind.invalidates() != Invalidates::Nothing {
                    let _ = outbox.send((INVALIDATE, text.clone()));
                }
                let _ = outbox.send((EVENTS, text));
            }
        }
        self.deliver(msg.user_id, msg.kind, msg.data);
    }
}

/// An event raised on another replica.
#[derive(Message)]
#[rtype(result = "()")]
struct Remote {
    channel: String,
    wire: Wire,
}

impl Handler<Remote> for EventBus {
    type Result = ();

    fn handle(&mut self, msg: Remote, _: &mut Context<Self>) {
        let w = msg.wire;
        // A kind this version does not know (a newer replica's) is skipped.
        let Some(kind) = EventKind::parse(&w.kind) else {
            return;
        };
        if msg.channel == INVALIDATE {
            if kind.invalidates() == Invalidates::Credentials {
                if let Some(cache) = &self.credentials {
                    let revoked = crate::auth::revocation::Revocation::from_value(&w.data);
                    cache.apply(w.user_id, &revoked);
                }
            } else if let Some(caches) = &self.caches {
                caches.reload_user.do_send(ReloadUser(w.user_id));
            }
            return;
        }
        self.deliver(w.user_id, kind, w.data);
    }
}

/// A revocation announced through PostgreSQL (an operator's command): this
/// replica forgets the cached lookups and closes the streams it names. It is
/// not passed on to Redis: every replica hears PostgreSQL itself.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AnnouncedRevocation {
    pub user_id: Uuid,
    pub data: Value,
}

impl Handler<AnnouncedRevocation> for EventBus {
    type Result = ();

    fn handle(&mut self, msg: AnnouncedRevocation, _: &mut Context<Self>) {
        if let Some(cache) = &self.credentials {
            let revoked = crate::auth::revocation::Revocation::from_value(&msg.data);
            cache.apply(msg.user_id, &revoked);
        }
        self.deliver(msg.user_id, EventKind::CredentialRevoked, msg.data);
    }
}

/// Listens for announced revocations for as long as the bus runs,
/// reconnecting with backoff; each (re)connection forgets every cached
/// lookup, since announcements may have been missed meanwhile.
pub async fn listen_for_revocations(
    config: tokio_postgres::Config,
    tls: crate::store::connect::PgTls,
    bus: Addr<EventBus>,
) {
    let mut backoff = Duration::from_millis(500);
    while bus.connected() {
        let (tx, mut rx) = mpsc::channel::<crate::store::revocations::Announced>(64);
        bus.do_send(ForgetCredentials);
        let started = std::time::Instant::now();
        let forward = async {
            while let Some(a) = rx.recv().await {
                bus.do_send(AnnouncedRevocation {
                    user_id: a.user_id,
                    data: a.data,
                });
            }
        };
        tokio::select! {
            why = crate::store::revocations::listen(&config, &tls, &tx) => {
                tracing::debug!(error = %why, "revocation listener reconnecting");
            }
            () = forward => {}
        }
        if started.elapsed() > Duration::from_secs(30) {
            backoff = Duration::from_millis(500);
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

/// Forget every cached credential lookup.
#[derive(Message)]
#[rtype(result = "()")]
struct ForgetCredentials;

impl Handler<ForgetCredentials> for EventBus {
    type Result = ();

    fn handle(&mut self, _: ForgetCredentials, _: &mut Context<Self>) {
        if let Some(cache) = &self.credentials {
            cache.clear();
        }
    }
}

/// The subscription is (again) in place: every cache may be stale.
#[derive(Message)]
#[rtype(result = "()")]
struct Resubscribed;

impl Handler<Resubscribed> for EventBus {
    type Result = ();

    fn handle(&mut self, _: Resubscribed, _: &mut Context<Self>) {
        if let Some(caches) = &self.caches {
            caches.reload_all.do_send(ReloadAll);
        }
        if let Some(cache) = &self.credentials {
            cache.clear();
        }
    }
}

/// Tells a user's running actor (if any) to reload from PostgreSQL: another
/// replica changed that user's data.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ReloadUser(pub Uuid);

/// Tells a user's actor, if running, that the answers it remembers are
/// stale (an event of theirs: an inbox count, a draft, a write).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ForgetReads(pub Uuid);

/// Tells every running user actor to reload (their caches may be stale).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ReloadAll;

/// Whom to tell when users' cached data goes stale: recipients, so the bus
/// knows nothing of who keeps the data (the registry of user actors).
#[derive(Message, Clone)]
#[rtype(result = "()")]
pub struct UserCaches {
    pub reload_user: Recipient<ReloadUser>,
    pub reload_all: Recipient<ReloadAll>,
    pub forget_reads: Recipient<ForgetReads>,
}

impl Handler<UserCaches> for EventBus {
    type Result = ();

    fn handle(&mut self, msg: UserCaches, _: &mut Context<Self>) {
        self.caches = Some(msg);
    }
}

/// Publishes what this replica raises; a message that cannot be sent while
/// Redis is away is dropped (Redis carries only what may be lost).
async fn publish_loop(
    redis: RedisSettings,
    mut rx: mpsc::UnboundedReceiver<(&'static str, String)>,
) {
    let Some(mut conn) = command_connection(&redis) else {
        return;
    };
    while let Some((channel, payload)) = rx.recv().await {
        // The manager reconnects by itself; a failure here only drops this message.
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            redis::cmd("PUBLISH")
                .arg(channel)
                .arg(payload)
                .query_async::<i64>(&mut conn),
        )
        .await;
    }
}

/// A Redis client for the settings: `rediss://` verified against
/// `JOBCOPILOT_REDIS_CA_FILE` when it is set, else the system's roots.
pub fn client(redis: &RedisSettings) -> redis::RedisResult<redis::Client> {
    match &redis.ca_pem {
        Some(pem) => redis::Client::build_with_tls(
            redis.url.as_str(),
            redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(pem.clone()),
            },
        ),
        None => redis::Client::open(redis.url.as_str()),
    }
}

/// A connection for Redis commands (publish, the leader lock): the crate's
/// `ConnectionManager`, connected lazily and reconnecting by itself, with
/// short timeouts so a Redis that is away costs a second, never a hang.
pub fn command_connection(redis: &RedisSettings) -> Option<redis::aio::ConnectionManager> {
    let client = client(redis)
        .map_err(|e| tracing::error!(error = %e, "REDIS_URL cannot be used"))
        .ok()?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(Duration::from_secs(1)))
        .set_number_of_retries(1);
    redis::aio::ConnectionManager::new_lazy_with_config(client, config).ok()
}

/// One subscriber connection per replica, reconnecting with backoff.
async fn subscribe_loop(
    redis: RedisSettings,
    link: Arc<RedisLink>,
    bus: Addr<EventBus>,
    origin: Uuid,
) {
    use futures_util::StreamExt;
    let client = match client(&redis) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "REDIS_URL cannot be used");
            return;
        }
    };
    let mut backoff = Duration::from_millis(100);
    // Whether this outage was logged: once at warn with its reason (a
    // refused certificate or password says so), then quietly.
    let mut reported = false;
    let down = |reported: &mut bool, why: &str| {
        if *reported {
            tracing::debug!(error = %why, "Redis still unreachable");
        } else {
            *reported = true;
            tracing::warn!(
                error = %why,
                "Redis cannot be reached or verified: this replica's view only (reading through to PostgreSQL) until it is back"
            );
        }
    };
    loop {
        let subscribed = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(EVENTS).await?;
            pubsub.subscribe(INVALIDATE).await?;
            Ok::<_, redis::RedisError>(pubsub)
        };
        match tokio::time::timeout(Duration::from_secs(3), subscribed).await {
            Ok(Ok(pubsub)) => {
                backoff = Duration::from_millis(100);
                reported = false;
                link.set_up(true);
                bus.do_send(Resubscribed);
                tracing::info!(
                    "subscribed to Redis: live events and cache invalidation are shared"
                );
                let mut messages = pubsub.into_on_message();
                while let Some(msg) = messages.next().await {
                    let channel = msg.get_channel_name().to_owned();
                    let Ok(payload) = msg.get_payload::<String>() else {
                        continue;
                    };
                    match serde_json::from_str::<Wire>(&payload) {
                        Ok(wire) if wire.v == 1 && wire.origin != origin => {
                            bus.do_send(Remote { channel, wire });
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "an unreadable message on Redis"),
                    }
                }
                link.set_up(false);
                tracing::warn!(
                    "lost the Redis subscription: reading through to PostgreSQL until it is back"
                );
            }
            Ok(Err(e)) => {
                link.set_up(false);
                down(&mut reported, &e.to_string());
            }
            Err(_) => {
                link.set_up(false);
                down(&mut reported, "no answer within 3 s");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
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
