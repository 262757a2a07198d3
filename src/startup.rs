//! Building and running the application: the database (external or
//! embedded), migrations, the actors, and the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix::{Addr, Supervisor};
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use deadpool_postgres::Pool;

use crate::actors::ai_pool::AiPool;
use crate::actors::analytics::AnalyticsAggregator;
use crate::actors::creates::CreateBatcher;
use crate::actors::event_bus::{EventBus, EventIds, RedisLink, UserCaches};
use crate::actors::registry::Directory;
use crate::actors::scheduler::Scheduler;
use crate::actors::{ActorStats, Registry};
use crate::auth::cache::CredentialCache;
use crate::auth::oidc::OidcClient;
use crate::config::Settings;
use crate::http::pages::Templates;
use crate::http::{self, AppState};
use crate::store::connect::{self, PgTls};
use crate::store::embedded::{EmbeddedOptions, EmbeddedPostgres};
use crate::store::{self, StoreError};

/// The name of the database inside the embedded cluster.
pub const EMBEDDED_DATABASE: &str = "jobcopilot";

/// Where the embedded cluster lives under the data directory.
pub fn embedded_cluster_dir(settings: &Settings) -> std::path::PathBuf {
    settings.data_dir.join("postgres")
}

/// Why the program could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Embedded(#[from] crate::store::embedded::EmbeddedError),
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// The setting, the address, why.
    #[error("{0}: cannot listen on {1}: {2}")]
    Listen(&'static str, String, std::io::Error),
    /// A dependency that did not answer in time (PostgreSQL at start).
    #[error("{0}")]
    Unreachable(String),
    /// A setting that cannot work (a certificate that does not verify, a
    /// refused login).
    #[error("{0}")]
    Setting(String),
    #[error("{0}")]
    Other(String),
}

impl StartError {
    /// The exit code it calls for (sysexits: 69 unavailable, 78 config).
    pub fn exit_code(&self) -> u8 {
        match self {
            StartError::Unreachable(_) => 69,
            StartError::Setting(_) => 78,
            _ => 1,
        }
    }
}

/// Connections in the actors' pool, and in the HTTP workers' pools together.
const DB_POOL_SIZE: usize = 32;

/// The system of record: a pool, and the embedded cluster when we run one.
pub struct Database {
    pub pool: Pool,
    /// How to open a connection of its own (the revocation listener).
    pub config: tokio_postgres::Config,
    pub tls: PgTls,
    /// Whether each HTTP worker opens a pool of its own from `config`
    /// (`WorkerPool`); when false, the workers share `pool`.
    pub worker_pools: bool,
    pub embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// `DATABASE_URL` when set, else the embedded cluster under the data directory.
    pub async fn connect(settings: &Settings) -> Result<Database, StartError> {
        match &settings.database {
            Some(db) => {
                let (config, tls) = connect::configure(db)
                    .map_err(|e| StartError::Setting(format!("DATABASE_URL: {e}")))?;
                wait_for_database(&config, &tls, db).await?;
                Ok(Database {
                    pool: connect::pool_with(config.clone(), DB_POOL_SIZE, &tls)?,
                    config,
                    tls,
                    worker_pools: true,
                    embedded: None,
                })
            }
            None => {
                let pg = EmbeddedPostgres::start(EmbeddedOptions {
                    cluster_dir: embedded_cluster_dir(settings),
                    durable: true,
                    server_settings: Vec::new(),
                })
                .await?;
                let (admin, conn) = pg
                    .config("postgres")
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map_err(StoreError::from)?;
                let conn = tokio::spawn(conn);
                store::ensure_database(&admin, EMBEDDED_DATABASE).await?;
                drop(admin);
                let _ = conn.await;
                tracing::info!(
                    data_dir = %settings.data_dir.display(),
                    "using the embedded PostgreSQL (set DATABASE_URL to use your own)"
                );
                Ok(Database {
                    pool: store::pool(pg.config(EMBEDDED_DATABASE), DB_POOL_SIZE)?,
                    config: pg.config(EMBEDDED_DATABASE),
                    tls: PgTls::Off,
                    worker_pools: true,
                    embedded: Some(pg),
                })
            }
        }
    }
}

/// Waits until PostgreSQL answers, up to `JOBCOPILOT_DATABASE_WAIT_SECONDS`
/// (exit 69 after that); a refusal that waiting cannot mend (a certificate,
/// TLS, the login) stops at once (exit 78).
async fn wait_for_database(
    config: &tokio_postgres::Config,
    tls: &PgTls,
    db: &crate::config::DatabaseSettings,
) -> Result<(), StartError> {
    let host = connect::host_of(config);
    let deadline = tokio::time::Instant::now() + db.wait;
    let mut delay = Duration::from_millis(200);
    loop {
        let why = match tokio::time::timeout(Duration::from_secs(10), connect::probe(config, tls))
            .await
        {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) => match connect::judge(&e, &host, db.ssl_mode) {
                connect::Refusal::Setting(why) => {
                    return Err(StartError::Setting(format!("DATABASE_URL: {why}")))
                }
                connect::Refusal::Unreachable(why) => why,
            },
            Err(_) => "no answer within 10 s".to_owned(),
        };
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Err(StartError::Unreachable(format!(
                "DATABASE_URL: PostgreSQL at {host} did not answer within {} s (JOBCOPILOT_DATABASE_WAIT_SECONDS): {why}",
                db.wait.as_secs()
            )));
        }
        if delay == Duration::from_millis(200) {
            tracing::info!(%host, error = %why, wait_seconds = db.wait.as_secs(), "PostgreSQL does not answer yet; waiting for it");
        } else {
            tracing::debug!(%host, error = %why, "PostgreSQL still does not answer");
        }
        tokio::time::sleep(delay.min(deadline - now)).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// A built application, listening, not yet running.
pub struct Application {
    port: u16,
    pool: Pool,
    server: Server,
    registry: Addr<Registry>,
    event_bus: Addr<EventBus>,
    scheduler: Addr<Scheduler>,
    stats: Arc<ActorStats>,
    embedded: Option<EmbeddedPostgres>,
    /// The internal `/metrics` server and its port, when it has its own address.
    metrics: Option<(Server, Option<u16>)>,
}

/// Options that differ between the binary and in-process tests.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Stop on SIGTERM/SIGINT (the binary); tests stop the server themselves.
    pub handle_signals: bool,
    /// How long an idle user actor lives.
    pub actor_idle: Duration,
    pub workers: Option<usize>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            handle_signals: true,
            actor_idle: Duration::from_secs(15 * 60),
            workers: None,
        }
    }
}

impl Application {
    /// Binds the address, starts the actors, wires the HTTP server and (unless
    /// told not to) the migrations; serving starts with `run_until_stopped`.
    pub async fn build(
        settings: Settings,
        db: Database,
        options: RunOptions,
    ) -> Result<Application, StartError> {
        let listener = bind(settings.listen, "JOBCOPILOT_LISTEN")?;
        let port = local_port(&listener, "JOBCOPILOT_LISTEN")?;
        let settings = Arc::new(settings);
        let migrations = Arc::new(crate::store::Migrations::default());
        let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
        let actors = Actors::start(&settings, &db.pool, &options, &migrations);
        let state = web::Data::new(app_state(
            &settings,
            &db.pool,
            &actors,
            &migrations,
            shutdown_rx,
        )?);
        crate::actors::mail_pool::MailPool {
            pool: db.pool.clone(),
            events: actors.event_bus.clone(),
            connect: state.mail.clone(),
            settings: settings.clone(),
            sync_every: std::time::Duration::from_secs(u64::from(settings.mail_sync_minutes) * 60),
            poll: std::time::Duration::from_secs(2),
        }
        .start();
        let metrics = match settings.metrics_listen {
            Some(addr) => Some(metrics_server(addr, state.clone())?),
            None => None,
        };
        let worker_pool = db.worker_pools.then(|| WorkerPool {
            config: db.config.clone(),
            tls: db.tls.clone(),
        });
        let server = http_server(listener, state, worker_pool, metrics.is_none(), &options)?;
        if options.handle_signals {
            actix_web::rt::spawn(stop_on_signal(server.handle(), shutdown_tx));
        } else {
            // Tests stop the server themselves; keep the sender alive with it.
            let handle = server.handle();
            actix_web::rt::spawn(async move {
                let _keep = shutdown_tx;
                std::future::pending::<()>().await;
                drop(handle);
            });
        }
        actix_web::rt::spawn(crate::actors::event_bus::listen_for_revocations(
            db.config.clone(),
            db.tls.clone(),
            actors.event_bus.clone(),
        ));
        if settings.migrate_on_start {
            actix_web::rt::spawn(run_migrations(db.pool.clone(), migrations, server.handle()));
        } else {
            migrations.mark_done();
        }
        announce(&settings, port, options.handle_signals);
        Ok(Application {
            port,
            pool: db.pool.clone(),
            server,
            registry: actors.registry,
            event_bus: actors.event_bus,
            scheduler: actors.scheduler,
            stats: actors.stats,
            embedded: db.embedded,
            metrics,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the separate `/metrics` address, when there is one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().and_then(|(_, p)| *p)
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    pub fn registry(&self) -> Addr<Registry> {
        self.registry.clone()
    }

    pub fn scheduler(&self) -> Addr<Scheduler> {
        self.scheduler.clone()
    }

    pub fn event_bus(&self) -> Addr<EventBus> {
        self.event_bus.clone()
    }

    pub fn stats(&self) -> Arc<ActorStats> {
        self.stats.clone()
    }

    /// Serves until stopped (SIGTERM/SIGINT let in-flight requests finish),
    /// then stops the embedded database cleanly.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Application {
            server,
            embedded,
            pool,
            metrics,
            ..
        } = self;
        let metrics = metrics.map(|(m, _)| {
            let handle = m.handle();
            actix_web::rt::spawn(m);
            handle
        });
        let result = server.await;
        if let Some(m) = metrics {
            m.stop(true).await;
        }
        // Close our connections before the server goes, so none dies noisily.
        pool.close();
        if let Some(mut pg) = embedded {
            tokio::task::spawn_blocking(move || pg.stop()).await.ok();
        }
        tracing::info!("Job Copilot stopped");
        result
    }
}

/// Create transactions in flight at once: one per core. Fewer writers make
/// larger batches, so each create carries less of a commit (bench/cold, 32
/// users on 2 cores: 4 writers wrote 5.6 creates per commit at 321 µs of CPU
/// each; 2 wrote 9.4 at 199 µs, and more creates a second). A lone create
/// still waits for nobody.
fn create_writers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// The singleton actors, started once (never inside the per-worker closure).
struct Actors {
    stats: Arc<ActorStats>,
    credentials: Arc<CredentialCache>,
    link: Arc<RedisLink>,
    event_bus: Addr<EventBus>,
    directory: Arc<Directory>,
    registry: Addr<Registry>,
    analytics: Addr<AnalyticsAggregator>,
    scheduler: Addr<Scheduler>,
    ai: Addr<AiPool>,
}

impl Actors {
    fn start(
        settings: &Arc<Settings>,
        pool: &Pool,
        options: &RunOptions,
        migrations: &Arc<crate::store::Migrations>,
    ) -> Actors {
        http::metrics::handle();
        let stats = Arc::new(ActorStats::default());
        let credentials = Arc::new(CredentialCache::default());
        let link = RedisLink::new(settings.redis.is_some());
        let event_bus = {
            let (url, link, credentials) =
                (settings.redis.clone(), link.clone(), credentials.clone());
            Supervisor::start(move |_| {
                EventBus::with_redis(
                    Arc::new(EventIds::default()),
                    url.clone(),
                    link.clone(),
                    credentials.clone(),
                )
            })
        };
        let directory = Arc::new(Directory::default());
        let registry = {
            let (pool, bus, dir, idle, st) = (
                pool.clone(),
                event_bus.clone(),
                directory.clone(),
                options.actor_idle,
                stats.clone(),
            );
            let creates = CreateBatcher::start(pool.clone(), create_writers());
            Supervisor::start(move |_| Registry::new(pool, bus, dir, idle, st, creates.clone()))
        };
        event_bus.do_send(UserCaches {
            reload_user: registry.clone().recipient(),
            reload_all: registry.clone().recipient(),
            forget_reads: registry.clone().recipient(),
        });
        let analytics = {
            let pool = pool.clone();
            Supervisor::start(move |_| AnalyticsAggregator::new(pool))
        };
        let scheduler = {
            let (pool, reg, agg, bus) = (
                pool.clone(),
                registry.clone(),
                analytics.clone(),
                event_bus.clone(),
            );
            let (tick, redis) = (settings.scheduler_tick, settings.redis.clone());
            Supervisor::start(move |_| {
                Scheduler::new(pool, reg, agg, bus, tick).with_redis(redis.as_ref())
            })
        };
        let ai = {
            let (pool, ai, bus, migrated) = (
                pool.clone(),
                settings.ai.clone(),
                event_bus.clone(),
                migrations.clone(),
            );
            Supervisor::start(move |_| AiPool::new(pool, ai.clone(), bus, migrated))
        };
        Actors {
            stats,
            credentials,
            link,
            event_bus,
            directory,
            registry,
            analytics,
            scheduler,
            ai,
        }
    }
}

/// What every request handler shares.
fn app_state(
    settings: &Arc<Settings>,
    pool: &Pool,
    actors: &Actors,
    migrations: &Arc<crate::store::Migrations>,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<AppState, StartError> {
    let oidc = match &settings.oidc {
        Some(o) => Some(Arc::new(
            OidcClient::new(o.clone(), &settings.public_url)
                .map_err(|e| StartError::Other(format!("OIDC_ISSUER_URL: {e}")))?,
        )),
        None => None,
    };
    let mail = crate::mail::imap::ConnectSettings {
        allow_private: settings.mail_allow_private,
        extra_ca: settings.mail_ca.clone(),
        ..Default::default()
    };
    let pools = Arc::new(http::Pools::default());
    pools.add(pool);
    Ok(AppState {
        pool: pool.clone(),
        pipelined: connect::Pipelined::new(pool.clone()),
        pools,
        registry: actors.registry.clone(),
        directory: actors.directory.clone(),
        settings: settings.clone(),
        migrations: migrations.clone(),
        stats: actors.stats.clone(),
        templates: Arc::new(Templates::new()),
        oidc,
        event_bus: actors.event_bus.clone(),
        analytics: actors.analytics.clone(),
        ai: actors.ai.clone(),
        credentials: actors.credentials.clone(),
        link: actors.link.clone(),
        shutdown,
        streams: Arc::new(http::events::StreamCounts::default()),
        mail: Arc::new(mail),
    })
}

fn bind(addr: std::net::SocketAddr, setting: &'static str) -> Result<TcpListener, StartError> {
    TcpListener::bind(addr).map_err(|e| StartError::Listen(setting, addr.to_string(), e))
}

fn local_port(listener: &TcpListener, setting: &'static str) -> Result<u16, StartError> {
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| StartError::Listen(setting, "its address".into(), e))
}

/// How each HTTP worker opens its own connections to PostgreSQL.
///
/// A worker's requests use a pool of its own: tokio-postgres drives each
/// connection from the thread that opened it, so a query on a connection
/// another worker opened costs two wake-ups across threads (the request
/// and the answer). The actors keep the shared pool.
#[derive(Clone)]
struct WorkerPool {
    config: tokio_postgres::Config,
    tls: PgTls,
}

impl WorkerPool {
    /// The state a worker serves with: the shared one, with a pool of the
    /// worker's own (or the shared pool, if one cannot be made).
    fn state_for_worker(
        &self,
        shared: &web::Data<AppState>,
        workers: usize,
    ) -> web::Data<AppState> {
        let size = (DB_POOL_SIZE / workers.max(1)).max(4);
        match connect::pool_with(self.config.clone(), size, &self.tls) {
            Ok(pool) => {
                shared.pools.add(&pool);
                web::Data::new(AppState {
                    pipelined: connect::Pipelined::new(pool.clone()),
                    pool,
                    ..AppState::clone(shared)
                })
            }
            Err(e) => {
                tracing::warn!(error = %e, "a worker could not make its own pool; sharing the actors' pool");
                shared.clone()
            }
        }
    }
}

/// The application's HTTP server (with `/metrics` unless it has its own address).
fn http_server(
    listener: TcpListener,
    state: web::Data<AppState>,
    worker_pool: Option<WorkerPool>,
    inline_metrics: bool,
    options: &RunOptions,
) -> Result<Server, StartError> {
    let workers = options
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(match &worker_pool {
                Some(pools) => pools.state_for_worker(&state, workers),
                None => state.clone(),
            })
            // Outermost: compression sees the final body, error pages included.
            .wrap(from_fn(http::middleware::request_context))
            .wrap(Compress::default())
            .configure(http::routes)
            .configure(|cfg| {
                if inline_metrics {
                    http::metrics::routes(cfg)
                }
            })
            .default_service(web::to(http::not_found))
    })
    .listen(listener)
    .map_err(|e| StartError::Listen("JOBCOPILOT_LISTEN", "its address".into(), e))?
    .shutdown_timeout(30)
    // Signals are ours: live streams must close before the graceful stop.
    .disable_signals();
    if let Some(w) = options.workers {
        server = server.workers(w);
    }
    Ok(server.run())
}

/// `/metrics` alone on its internal address (`JOBCOPILOT_METRICS_LISTEN`).
fn metrics_server(
    addr: std::net::SocketAddr,
    state: web::Data<AppState>,
) -> Result<(Server, Option<u16>), StartError> {
    let listener = bind(addr, "JOBCOPILOT_METRICS_LISTEN")?;
    let port = local_port(&listener, "JOBCOPILOT_METRICS_LISTEN").ok();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(http::metrics::routes)
            .default_service(web::to(http::not_found))
    })
    .listen(listener)
    .map_err(|e| StartError::Listen("JOBCOPILOT_METRICS_LISTEN", "its address".into(), e))?
    .workers(1)
    .disable_signals()
    .run();
    tracing::info!(port, "/metrics is served on its own address");
    Ok((server, port))
}

/// The log line, and for a person at a terminal where to open the app.
fn announce(settings: &Settings, port: u16, interactive: bool) {
    tracing::info!(address = %settings.listen, port, public_url = %settings.public_url, "Job Copilot is listening");
    if interactive && settings.env == crate::config::RunEnv::Development {
        let mut url = settings.public_url.clone();
        if settings.listen.port() == 0 {
            let _ = url.set_port(Some(port));
        }
        eprintln!("\n  Job Copilot is running: open {url} in your browser (Ctrl-C stops it).\n");
    }
}

/// On SIGTERM or SIGINT: close live streams, then let in-flight requests
/// finish (the graceful stop).
async fn stop_on_signal(server: ServerHandle, shutdown: tokio::sync::watch::Sender<bool>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for signals");
        return;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: stopping gracefully"),
        _ = int.recv() => tracing::info!("SIGINT: stopping gracefully"),
    }
    let _ = shutdown.send(true);
    // Drained, the workers stop gracefully (their idle connections close);
    // after the 30 s, at once.
    let drained = drain(&server).await;
    server.stop(drained).await;
}

/// How long a stopping server waits for its requests in flight to finish
/// before its workers stop.
const DRAIN: Duration = Duration::from_secs(30);

/// Stops accepting connections and waits until no request is in flight
/// (answers close their connections meanwhile, so clients go to another
/// replica), so that no worker stops while another's requests are still
/// being answered. Whether none was left.
async fn drain(server: &ServerHandle) -> bool {
    server.pause().await;
    let started = std::time::Instant::now();
    while http::middleware::requests_in_flight() > 0 && started.elapsed() < DRAIN {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let left = http::middleware::requests_in_flight();
    if left > 0 {
        tracing::warn!(left, "stopping with requests still in flight after 30 s");
    }
    left == 0
}

/// Applies migrations, retrying while PostgreSQL is unreachable; a migration
/// that fails for any other reason stops the server (the log says why).
async fn run_migrations(
    pool: Pool,
    migrations: Arc<crate::store::Migrations>,
    server: ServerHandle,
) {
    let mut delay = Duration::from_millis(200);
    loop {
        match store::migrate(&pool).await {
            Ok(applied) => {
                if applied > 0 {
                    tracing::info!(applied, "migrations applied");
                }
                migrations.mark_done();
                return;
            }
            Err(StoreError::Unavailable(e)) => {
                tracing::warn!(error = %e, "PostgreSQL unreachable; retrying migrations");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
            Err(e) => {
                tracing::error!(error = %e, "migrations failed; stopping");
                server.stop(false).await;
                return;
            }
        }
    }
}
