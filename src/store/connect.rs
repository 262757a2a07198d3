//! Connections to an external PostgreSQL (`DATABASE_URL`): TLS as its
//! `sslmode` says (never a silent fall-back to plaintext when `require` or
//! `verify-*` was asked), and what a failed first connection means — worth
//! waiting for (the server is not up yet) or a setting that cannot work
//! (a certificate that does not verify, a refused login).

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{
    Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime,
};
use tokio_postgres::config::SslMode as PgSslMode;
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{StoreError, StoreResult};
use crate::config::{DatabaseSettings, SslMode};
use crate::tls::{self, Verify};

/// How connections are encrypted: never (the embedded cluster's Unix
/// socket, `sslmode=disable`), or with rustls.
#[derive(Clone, Default)]
pub enum PgTls {
    #[default]
    Off,
    Rustls(MakeRustlsConnect),
}

/// The connection settings and the TLS connector for `DATABASE_URL`.
pub fn configure(db: &DatabaseSettings) -> Result<(tokio_postgres::Config, PgTls), String> {
    let mut config = db.config.clone();
    let has_ca = db.ca.is_some();
    let (mode, verify) = match db.ssl_mode {
        SslMode::Disable => {
            config.ssl_mode(PgSslMode::Disable);
            return Ok((config, PgTls::Off));
        }
        SslMode::Prefer => (PgSslMode::Prefer, Verify::Nothing),
        // As libpq: with a CA file, `require` checks the chain too.
        SslMode::Require if has_ca => (PgSslMode::Require, Verify::Chain),
        SslMode::Require => (PgSslMode::Require, Verify::Nothing),
        SslMode::VerifyCa => (PgSslMode::Require, Verify::Chain),
        SslMode::VerifyFull => (PgSslMode::Require, Verify::Full),
    };
    let roots = match &db.ca {
        Some((_, certs)) => tls::roots_of(certs),
        None => tls::system_roots().clone(),
    };
    let client = tls::client_config(roots, verify)?;
    config.ssl_mode(mode);
    Ok((config, PgTls::Rustls(MakeRustlsConnect::new(client))))
}

/// A pool over `config`, encrypted as `tls` says, with timeouts so a dead
/// database answers quickly instead of hanging requests.
pub fn pool_with(
    mut config: tokio_postgres::Config,
    max_size: usize,
    tls: &PgTls,
) -> StoreResult<Pool> {
    config
        .application_name("jobcopilot")
        .connect_timeout(Duration::from_secs(5))
        .options("-c statement_timeout=30000 -c idle_in_transaction_session_timeout=60000");
    let manager_config = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = match tls {
        PgTls::Off => Manager::from_config(config, NoTls, manager_config),
        PgTls::Rustls(connector) => Manager::from_config(config, connector.clone(), manager_config),
    };
    Pool::builder(manager)
        .max_size(max_size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(Duration::from_secs(5)))
        .create_timeout(Some(Duration::from_secs(5)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .build()
        .map_err(|e| StoreError::Internal(e.to_string()))
}

/// One connection of a pool, held and shared by every request that asks
/// for it, for single statements outside any transaction (reading one
/// application's description). tokio-postgres sends the statements of
/// concurrent requests one after another on it (pipelining), and
/// PostgreSQL's backend answers them without sleeping in between: with a
/// connection of its own per request, each statement woke a backend that had
/// waited for it, and the one-application read cost PostgreSQL 38 µs of CPU
/// instead of 15 (bench/cold). Taken from the pool when first asked for, and
/// again when PostgreSQL has closed it; never for a transaction, which
/// would hold the others' statements.
#[derive(Clone)]
pub struct Pipelined {
    pool: Pool,
    held: Arc<parking_lot::Mutex<Option<Arc<Object>>>>,
}

impl Pipelined {
    pub fn new(pool: Pool) -> Pipelined {
        Pipelined {
            pool,
            held: Arc::default(),
        }
    }

    /// The shared connection (a fresh one from the pool if it was closed).
    pub async fn get(&self) -> Result<Arc<Object>, PoolError> {
        if let Some(held) = self.held.lock().as_ref().filter(|c| !c.is_closed()) {
            return Ok(held.clone());
        }
        let fresh = Arc::new(self.pool.get().await?);
        *self.held.lock() = Some(fresh.clone());
        Ok(fresh)
    }
}

/// Connects once and asks a trivial question.
pub async fn probe(
    config: &tokio_postgres::Config,
    tls: &PgTls,
) -> Result<(), tokio_postgres::Error> {
    let mut config = config.clone();
    config.connect_timeout(Duration::from_secs(5));
    let client = match tls {
        PgTls::Off => {
            let (client, connection) = config.connect(NoTls).await?;
            tokio::spawn(connection);
            client
        }
        PgTls::Rustls(connector) => {
            let (client, connection) = config.connect(connector.clone()).await?;
            tokio::spawn(connection);
            client
        }
    };
    client.simple_query("SELECT 1").await.map(|_| ())
}

/// Why a first connection failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing answered, or the server is starting: worth waiting for.
    Unreachable(String),
    /// The server answered and refused (the certificate, TLS, the login,
    /// the database): waiting will not help.
    Setting(String),
}

/// What a connection error means at start-up; `host` names the server.
pub fn judge(e: &tokio_postgres::Error, host: &str, ssl_mode: SslMode) -> Refusal {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if [
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
        ]
        .contains(code)
        {
            return Refusal::Unreachable(db.message().to_owned());
        }
        return Refusal::Setting(format!("the server refused: {}", db.message()));
    }
    if let Some(problem) = tls::rustls_error(e) {
        let why = match problem {
            rustls::Error::InvalidCertificate(why) => format!(
                "the server's certificate is refused (sslmode={}): {}",
                ssl_mode.as_str(),
                tls::certificate_problem(why, host, "JOBCOPILOT_DATABASE_CA_FILE")
            ),
            other => format!("the TLS handshake failed: {other}"),
        };
        return Refusal::Setting(why);
    }
    let text = chain(e);
    if text.contains("TLS") {
        return Refusal::Setting(format!(
            "TLS failed (sslmode={}): {text}",
            ssl_mode.as_str()
        ));
    }
    Refusal::Unreachable(text)
}

/// An error and its causes in one line.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// The first host of `config`, as a person would write it.
pub fn host_of(config: &tokio_postgres::Config) -> String {
    match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        Some(tokio_postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    }
}
