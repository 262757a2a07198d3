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
use crate::store::embedded::{EmbeddedOptions, EmbeddedPostgres};
use crate::store::{self, StoreError};

/// The name of the database inside the embedded cluster.
pub const EMBEDDED_DATABASE: &str = "jobcopilot";

/// Why the program could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Embedded(#[from] crate::store::embedded::EmbeddedError),
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("JOBCOPILOT_LISTEN: cannot listen on {0}: {1}")]
    Listen(String, std::io::Error),
    #[error("{0}")]
    Other(String),
}

/// The system of record: a pool, and the embedded cluster when we run one.
pub struct Database {
    pub pool: Pool,
    pub embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// `DATABASE_URL` when set, else the embedded cluster under the data directory.
    pub async fn connect(settings: &Settings) -> Result<Database, StartError> {
        match &settings.database_url {
            Some(url) => {
                let config: tokio_postgres::Config = url.parse().map_err(|_| {
                    StartError::Other("DATABASE_URL is not a PostgreSQL URL".into())
                })?;
                Ok(Database {
                    pool: store::pool(config, 32)?,
                    embedded: None,
                })
            }
            None => {
                let cluster_dir = settings.data_dir.join("postgres");
                let pg = EmbeddedPostgres::start(EmbeddedOptions {
                    cluster_dir,
                    durable: true,
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
                    pool: store::pool(pg.config(EMBEDDED_DATABASE), 32)?,
                    embedded: Some(pg),
                })
            }
        }
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
    pub async fn build(
        settings: Settings,
        db: Database,
        options: RunOptions,
    ) -> Result<Application, StartError> {
        let listener = TcpListener::bind(settings.listen)
            .map_err(|e| StartError::Listen(settings.listen.to_string(), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| StartError::Listen(settings.listen.to_string(), e))?
            .port();
        let settings = Arc::new(settings);
        let migrations = Arc::new(crate::store::Migrations::default());
        let stats = Arc::new(ActorStats::default());

        // Singletons start once, here, never inside the per-worker closure.
        http::metrics::handle();
        let credentials = Arc::new(CredentialCache::default());
        let link = RedisLink::new(settings.redis_url.is_some());
        let (redis_url, bus_link, bus_credentials) = (
            settings.redis_url.clone(),
            link.clone(),
            credentials.clone(),
        );
        let event_bus = Supervisor::start(move |_| {
            EventBus::with_redis(
                Arc::new(EventIds::default()),
                redis_url.clone(),
                bus_link.clone(),
                bus_credentials.clone(),
            )
        });
        let directory = Arc::new(Directory::default());
        let (pool, idle, st, bus, dir) = (
            db.pool.clone(),
            options.actor_idle,
            stats.clone(),
            event_bus.clone(),
            directory.clone(),
        );
        let writers =
            std::thread::available_parallelism().map_or(4, |n| (n.get() * 2).clamp(4, 16));
        let creates = CreateBatcher::start(db.pool.clone(), writers);
        let registry =
            Supervisor::start(move |_| Registry::new(pool, bus, dir, idle, st, creates.clone()));
        event_bus.do_send(UserCaches {
            reload_user: registry.clone().recipient(),
            reload_all: registry.clone().recipient(),
        });
        let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
        let pool = db.pool.clone();
        let analytics = Supervisor::start(move |_| AnalyticsAggregator::new(pool));
        let (pool, agg, bus, tick, reg) = (
            db.pool.clone(),
            analytics.clone(),
            event_bus.clone(),
            settings.scheduler_tick,
            registry.clone(),
        );
        let redis_url = settings.redis_url.clone();
        let scheduler = Supervisor::start(move |_| {
            Scheduler::new(pool, reg, agg, bus, tick).with_redis(redis_url.as_deref())
        });
        let (pool, ai_settings, bus, migrated) = (
            db.pool.clone(),
            settings.ai.clone(),
            event_bus.clone(),
            migrations.clone(),
        );
        let ai = Supervisor::start(move |_| AiPool::new(pool, ai_settings.clone(), bus, migrated));

        let oidc = match &settings.oidc {
            Some(o) => Some(Arc::new(
                OidcClient::new(o.clone(), &settings.public_url)
                    .map_err(|e| StartError::Other(format!("OIDC_ISSUER_URL: {e}")))?,
            )),
            None => None,
        };
        let state = web::Data::new(AppState {
            pool: db.pool.clone(),
            registry: registry.clone(),
            directory,
            settings: settings.clone(),
            migrations: migrations.clone(),
            stats: stats.clone(),
            templates: Arc::new(Templates::new()),
            oidc,
            event_bus: event_bus.clone(),
            analytics,
            ai,
            credentials,
            link,
            shutdown: shutdown_rx,
            streams: Arc::new(http::events::StreamCounts::default()),
        });
        // `/metrics` is internal: on its own address when one is set.
        let metrics_listener =
            match settings.metrics_listen {
                Some(addr) => Some(TcpListener::bind(addr).map_err(|e| {
                    StartError::Listen(format!("JOBCOPILOT_METRICS_LISTEN {addr}"), e)
                })?),
                None => None,
            };
        let inline_metrics = metrics_listener.is_none();
        let metrics_server = match metrics_listener {
            Some(listener) => {
                let metrics_port = listener.local_addr().map(|a| a.port()).ok();
                let state = state.clone();
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(state.clone())
                        .configure(http::metrics::routes)
                        .default_service(web::to(http::not_found))
                })
                .listen(listener)
                .map_err(|e| StartError::Listen("JOBCOPILOT_METRICS_LISTEN".into(), e))?
                .workers(1)
                .disable_signals()
                .run();
                tracing::info!(port = metrics_port, "/metrics is served on its own address");
                Some((server, metrics_port))
            }
            None => None,
        };
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
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
        .map_err(|e| StartError::Listen(settings.listen.to_string(), e))?
        .shutdown_timeout(30)
        // Signals are ours: live streams must close before the graceful stop.
        .disable_signals();
        if let Some(w) = options.workers {
            server = server.workers(w);
        }
        let server = server.run();
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

        if settings.migrate_on_start {
            actix_web::rt::spawn(run_migrations(db.pool.clone(), migrations, server.handle()));
        } else {
            migrations.mark_done();
        }
        tracing::info!(address = %settings.listen, port, public_url = %settings.public_url, "Job Copilot is listening");
        if options.handle_signals && settings.env == crate::config::RunEnv::Development {
            let mut url = settings.public_url.clone();
            if settings.listen.port() == 0 {
                let _ = url.set_port(Some(port));
            }
            eprintln!(
                "\n  Job Copilot is running: open {url} in your browser (Ctrl-C stops it).\n"
            );
        }
        Ok(Application {
            port,
            pool: db.pool.clone(),
            server,
            registry,
            event_bus,
            scheduler,
            stats,
            embedded: db.embedded,
            metrics: metrics_server,
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
    server.stop(true).await;
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
