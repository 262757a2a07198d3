//! The HTTP layer: routes, extractors, problem+json errors, OpenAPI. Handlers
//! are thin: parse with the domain, send a command to the user's actor or
//! read from the store, render.

pub mod account;
pub mod analytics;
pub mod applications;
pub mod calendar;
pub mod capture;
pub mod dashboard;
pub mod error;
pub mod events;
pub mod extract;
pub mod generations;
pub mod health;
pub mod inbox;
pub mod interviews;
pub mod metrics;
pub mod middleware;
pub mod notes;
pub mod openapi;
pub mod pages;
pub mod preferences;
pub mod schemas;
pub mod transfer;

use std::sync::Arc;

use actix::Addr;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{web, HttpResponse, Resource};
use deadpool_postgres::Pool;
use serde::Serialize;
use uuid::Uuid;

use crate::actors::{ActorStats, Registry, UserActor, UserState};
use crate::config::Settings;
use crate::error::{Error, Result};

/// Every PostgreSQL pool of this process: the actors' and each HTTP
/// worker's (`/metrics` reports them together). Held weakly: a worker's
/// pool ends with its worker.
#[derive(Default)]
pub struct Pools(std::sync::Mutex<Vec<deadpool_postgres::WeakPool>>);

impl Pools {
    pub fn add(&self, pool: &Pool) {
        if let Ok(mut pools) = self.0.lock() {
            pools.retain(|p| p.upgrade().is_some());
            pools.push(pool.weak());
        }
    }

    /// The pools' states summed: open, maximum, idle and waiting.
    pub fn status(&self) -> deadpool_postgres::Status {
        let mut sum = deadpool_postgres::Status {
            max_size: 0,
            size: 0,
            available: 0,
            waiting: 0,
        };
        if let Ok(pools) = self.0.lock() {
            for s in pools.iter().filter_map(|p| p.upgrade()).map(|p| p.status()) {
                sum.max_size += s.max_size;
                sum.size += s.size;
                sum.available += s.available;
                sum.waiting += s.waiting;
            }
        }
        sum
    }
}

/// What every request can reach.
#[derive(Clone)]
pub struct AppState {
    /// The pool of the worker serving the request (the actors' pool when
    /// the workers share it).
    pub pool: Pool,
    /// One connection of `pool` shared by single statements (see `Pipelined`).
    pub pipelined: crate::store::connect::Pipelined,
    pub pools: Arc<Pools>,
    pub registry: Addr<Registry>,
    /// The running user actors (read without asking the registry).
    pub directory: Arc<crate::actors::registry::Directory>,
    pub settings: Arc<Settings>,
    pub migrations: Arc<crate::store::Migrations>,
    pub stats: Arc<ActorStats>,
    pub templates: Arc<pages::Templates>,
    /// The OpenID Connect client, when a provider is configured.
    pub oidc: Option<Arc<crate::auth::oidc::OidcClient>>,
    pub event_bus: Addr<crate::actors::event_bus::EventBus>,
    pub analytics: Addr<crate::actors::analytics::AnalyticsAggregator>,
    pub ai: Addr<crate::actors::ai_pool::AiPool>,
    /// Recent credential lookups (revocation here forgets them at once).
    pub credentials: Arc<crate::auth::cache::CredentialCache>,
    /// This replica's link to Redis: whether its caches may be trusted.
    pub link: Arc<crate::actors::event_bus::RedisLink>,
    /// Becomes true when the process is stopping (live streams close).
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// Live event streams open per user on this replica.
    pub streams: Arc<events::StreamCounts>,
    /// How mail servers are reached (extra CA, private hosts, time limits).
    pub mail: Arc<crate::mail::imap::ConnectSettings>,
}

/// A user's actor, with its messages counted while they wait or run (the
/// user actors' mailbox size in `/metrics`).
pub struct UserHandle {
    addr: Addr<UserState>,
    stats: Arc<ActorStats>,
}

impl UserHandle {
    pub async fn send<M>(&self, msg: M) -> std::result::Result<M::Result, actix::MailboxError>
    where
        M: actix::Message + Send + 'static,
        M::Result: Send,
        UserState: actix::Handler<M>,
    {
        // Counted down on drop too: a request cancelled while it waits.
        struct Waiting<'a>(&'a ActorStats);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0
                    .user_mailbox
                    .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        self.stats
            .user_mailbox
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _waiting = Waiting(&self.stats);
        self.addr.send(msg).await
    }

    pub fn do_send<M>(&self, msg: M)
    where
        M: actix::Message + Send + 'static,
        M::Result: Send,
        UserState: actix::Handler<M>,
    {
        self.addr.do_send(msg);
    }
}

impl AppState {
    /// The key that seals stored secrets: `JOBCOPILOT_SECRET_KEY`, or for the
    /// embedded default one kept in the data directory (made on first use);
    /// with `DATABASE_URL` and no key there is none (503 naming the setting).
    pub fn secrets(&self) -> Result<crate::auth::secrets::SecretBox> {
        let s = &self.settings;
        let embedded = s.database.is_none().then_some(s.data_dir.as_path());
        match crate::auth::secrets::server_box(s.secret_key.as_deref(), embedded) {
            Some(found) => found.map_err(Error::internal),
            None => Err(Error::Unavailable(
                "JOBCOPILOT_SECRET_KEY is not set: the operator must set it before a mailbox can be connected"
                    .into(),
            )),
        }
    }

    /// Whether a mailbox can be connected here: a sealing key is set, or the
    /// embedded default keeps one (asked without making it).
    pub fn can_seal_secrets(&self) -> bool {
        self.settings.secret_key.is_some() || self.settings.database.is_none()
    }

    /// Whether people may sign up by themselves (`JOBCOPILOT_REGISTRATION`).
    pub fn registration_open(&self) -> bool {
        self.settings.registration == crate::config::Registration::Open
    }

    /// Makes a revocation take effect: this replica forgets the cached
    /// lookups at once, and the event closes the revoked credentials'
    /// streams and forgets their lookups on every replica.
    pub fn revoked(&self, user_id: Uuid, revoked: crate::auth::revocation::Revocation) {
        // The account changed too (a password set, an identity linked): the
        // pages' viewer is read again.
        self.forget_reads(user_id);
        if revoked.is_empty() {
            return;
        }
        self.credentials.apply(user_id, &revoked);
        self.event_bus.do_send(crate::actors::event_bus::Publish {
            user_id,
            kind: crate::domain::events::EventKind::CredentialRevoked,
            data: revoked.to_value(),
        });
    }

    /// After a write made outside the user's actor (an import): the actor,
    /// if running, reloads from PostgreSQL; clients hear the write's events
    /// and other replicas drop what they cached.
    pub fn bulk_written(
        &self,
        user_id: Uuid,
        events: Vec<(crate::domain::events::EventKind, serde_json::Value)>,
        change_seq: Option<i64>,
    ) {
        use crate::actors::event_bus::Publish;
        use crate::domain::events::EventKind;
        if let Some(actor) = self.directory.get(user_id) {
            actor.do_send(crate::actors::user_state::Reload);
        }
        for (kind, data) in events {
            self.event_bus.do_send(Publish {
                user_id,
                kind,
                data,
            });
        }
        if let Some(seq) = change_seq {
            self.event_bus.do_send(Publish {
                user_id,
                kind: EventKind::DashboardUpdated,
                data: serde_json::json!({ "change_seq": seq }),
            });
        }
    }

    /// After a write that neither passes through the user's actor nor raises
    /// an event (a draft deleted): this replica's remembered answers go.
    pub fn forget_reads(&self, user_id: Uuid) {
        self.directory.forget_reads(user_id);
    }

    /// The actor of a user (started if it was not running).
    /// The actor of a user, for an answer from its memory: while this replica
    /// may have missed other replicas' writes (Redis down), it first reloads
    /// from PostgreSQL (correct, slower).
    pub async fn user_for_reading(&self, user_id: Uuid) -> Result<UserHandle> {
        let actor = self.user(user_id).await?;
        if !self.link.caches_trusted() {
            actor.do_send(crate::actors::user_state::Reload);
        }
        Ok(actor)
    }

    /// One application from the memory of the user's running actor, without
    /// a message; `None` when that cannot answer (no actor running, or this
    /// replica may have missed other replicas' writes): ask the actor then.
    pub fn remembered_application(
        &self,
        user_id: Uuid,
        id: Uuid,
    ) -> Option<Option<crate::domain::application::Application>> {
        if !self.link.caches_trusted() {
            return None;
        }
        self.directory.application(user_id, id)
    }

    pub async fn user(&self, user_id: Uuid) -> Result<UserHandle> {
        let addr = match self.directory.get(user_id) {
            Some(addr) => addr,
            None => self.registry.send(UserActor(user_id)).await?,
        };
        Ok(UserHandle {
            addr,
            stats: self.stats.clone(),
        })
    }
}

impl AppState {
    /// Answers a read from the user's read cache, or computes it with
    /// `load` (which gives the body and the version its `ETag` names) and
    /// offers the answer to the cache.
    /// `keep` says whether an answer may be remembered: actors hold no long
    /// text, so an answer carrying one is served but not kept.
    pub async fn cached_read<T, F>(
        &self,
        user_id: Uuid,
        key: String,
        load: F,
        keep: impl FnOnce(&T) -> bool,
    ) -> Result<HttpResponse>
    where
        T: Serialize,
        F: std::future::Future<Output = Result<(T, Option<i32>)>>,
    {
        use crate::actors::read_cache::CachedBody;
        let cached = self
            .remembered(user_id, key, async {
                let (value, version) = load.await?;
                let body = bytes::Bytes::from(serde_json::to_vec(&value).map_err(Error::internal)?);
                let kept = keep(&value);
                Ok((CachedBody { body, version }, kept))
            })
            .await?;
        let mut res = HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, JSON))
            .body(cached.body);
        if let Some(v) = cached.version {
            set_etag(&mut res, v);
        }
        Ok(res)
    }

    /// An answer from the user's remembered ones, or computed by `load`
    /// (which says whether to keep it) and remembered unless something of
    /// the user's changed meanwhile.
    pub async fn remembered<F>(
        &self,
        user_id: Uuid,
        key: String,
        load: F,
    ) -> Result<crate::actors::read_cache::CachedBody>
    where
        F: std::future::Future<Output = Result<(crate::actors::read_cache::CachedBody, bool)>>,
    {
        use crate::actors::user_state::{CachedRead, RememberRead};
        let ask = CachedRead { key: key.clone() };
        self.remembered_by_actor(user_id, ask, load, |change_seq, generation, value| {
            RememberRead {
                key,
                change_seq,
                generation,
                value,
            }
        })
        .await
    }

    /// The viewer of the user's pages: remembered by their actor until
    /// something of theirs changes, else read (one statement); with the
    /// remembered page under `page`, if the viewer was remembered and the
    /// page is.
    pub async fn viewer(
        &self,
        user_id: Uuid,
        page: Option<String>,
    ) -> Result<(
        Arc<crate::actors::user_state::Viewer>,
        Option<crate::actors::read_cache::CachedBody>,
    )> {
        use crate::actors::user_state::{GetViewer, RememberViewer, Viewer};
        if self.link.caches_trusted() {
            if let Some(found) = self.directory.viewer(user_id, page.as_deref()) {
                ::metrics::counter!("read_cache_lookups_total", "result" => "hit").increment(1);
                return Ok(found);
            }
        }
        let load = async {
            let client = self.pool.get().await?;
            let (user, pending) = crate::store::users::get_with_pending(&client, user_id)
                .await?
                .ok_or(Error::Unauthenticated)?;
            Ok(((Arc::new(Viewer { user, pending }), None), true))
        };
        self.remembered_by_actor(
            user_id,
            GetViewer { page },
            load,
            |change_seq, generation, (viewer, _)| RememberViewer {
                change_seq,
                generation,
                viewer,
            },
        )
        .await
    }

    /// What the user's actor remembers (`ask` answers it or says what to
    /// quote), else computed by `load` (which says whether to keep it) and
    /// offered back (`remember`): the actor keeps it only if nothing of the
    /// user's changed meanwhile. Without news of other replicas' writes,
    /// nothing remembered is trusted.
    async fn remembered_by_actor<T, A, R>(
        &self,
        user_id: Uuid,
        ask: A,
        load: impl std::future::Future<Output = Result<(T, bool)>>,
        remember: impl FnOnce(i64, u64, T) -> R,
    ) -> Result<T>
    where
        T: Clone + Send + 'static,
        A: actix::Message<Result = crate::actors::user_state::Lookup<T>> + Send + 'static,
        R: actix::Message<Result = ()> + Send + 'static,
        UserState: actix::Handler<A> + actix::Handler<R>,
    {
        use crate::actors::user_state::Lookup;
        let actor = self.user(user_id).await?;
        let lookup = if self.link.caches_trusted() {
            actor.send(ask).await?
        } else {
            Lookup::Miss {
                change_seq: None,
                generation: 0,
            }
        };
        match lookup {
            Lookup::Hit(hit) => {
                ::metrics::counter!("read_cache_lookups_total", "result" => "hit").increment(1);
                Ok(hit)
            }
            Lookup::Miss {
                change_seq,
                generation,
            } => {
                ::metrics::counter!("read_cache_lookups_total", "result" => "miss").increment(1);
                let (value, kept) = load.await?;
                if let (Some(change_seq), true) = (change_seq, kept) {
                    actor.do_send(remember(change_seq, generation, value.clone()));
                }
                Ok(value)
            }
        }
    }
}

pub const JSON: &str = "application/json; charset=utf-8";

/// A JSON answer.
pub fn json(status: StatusCode, body: &impl Serialize) -> HttpResponse {
    match serde_json::to_vec(body) {
        Ok(bytes) => HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, JSON))
            .body(bytes),
        Err(e) => actix_web::ResponseError::error_response(&Error::internal(e)),
    }
}

/// A JSON answer for a versioned resource, with its `ETag`.
pub fn versioned(status: StatusCode, body: &impl Serialize, version: i32) -> HttpResponse {
    let mut res = json(status, body);
    set_etag(&mut res, version);
    res
}

/// `ETag: "<version>"`.
fn set_etag(res: &mut HttpResponse, version: i32) {
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        res.headers_mut().insert(header::ETAG, v);
    }
}

/// 201 with `Location` and `ETag`.
pub fn created(location: String, body: &impl Serialize, version: Option<i32>) -> HttpResponse {
    let mut res = match version {
        Some(v) => versioned(StatusCode::CREATED, body, v),
        None => json(StatusCode::CREATED, body),
    };
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// An answer that carries a secret (a token, a feed URL, a page with the
/// session's CSRF token): never stored by a browser or a proxy.
pub fn no_store(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

/// A resource whose other methods answer 405 with `Allow`.
pub(crate) fn resource(path: &str, methods: &[Method]) -> Resource {
    let allow: Vec<String> = methods.iter().map(|m| m.to_string()).collect();
    web::resource(path).default_service(web::to(move || {
        let allow = allow.clone();
        async move { Err::<HttpResponse, Error>(Error::MethodNotAllowed { allow }) }
    }))
}

/// Every route of the API.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|_, _| Error::NotFound.into()))
        .app_data(
            web::FormConfig::default()
                .limit(extract::BODY_LIMIT)
                .error_handler(|e, _| Error::bad_request("body", e.to_string()).into()),
        )
        .app_data(
            web::QueryConfig::default()
                .error_handler(|e, _| Error::bad_request("query", e.to_string()).into()),
        )
        .configure(health::routes)
        // The API in one scope: a page's path is matched against its prefix
        // once, not against each API route's pattern (actix tries resources
        // in order, and a pattern with a `{segment}` costs a regex match).
        // The most requested come first within each.
        .service(
            web::scope("/api/v1")
                .configure(applications::routes)
                .configure(dashboard::routes)
                .configure(account::routes)
                .configure(events::routes)
                .configure(generations::routes)
                .configure(preferences::routes)
                .configure(analytics::routes)
                .configure(calendar::routes)
                .configure(notes::routes)
                .configure(interviews::routes)
                .configure(transfer::routes)
                .configure(capture::routes)
                .configure(inbox::routes)
                .configure(openapi::routes),
        )
        .configure(openapi::docs_routes)
        .configure(calendar::feed_routes)
        .configure(pages::routes);
}

/// Unknown routes.
pub async fn not_found() -> Result<HttpResponse> {
    Err(Error::NotFound)
}
