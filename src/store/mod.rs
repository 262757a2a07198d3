//! The store: PostgreSQL, the system of record. One file per aggregate; every
//! query that touches user data takes the user id and filters by it.

pub mod analytics;
pub mod applications;
pub mod calendar;
pub mod connect;
pub mod embedded;
pub mod generations;
pub mod history;
pub mod interviews;
pub mod mail;
pub mod notes;
pub mod page;
pub mod preferences;
pub mod revocations;
pub mod seed;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod transfer;
pub mod users;

use deadpool_postgres::Pool;
use tokio_postgres::error::SqlState;

pub use deadpool_postgres::{GenericClient, Object as Client, Transaction};

mod migrations {
    refinery::embed_migrations!("migrations");
}

/// What can go wrong in the store, in terms the rest of the program acts on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// PostgreSQL cannot be reached (or is shutting down): answer 503.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A unique constraint refused the write.
    #[error("unique constraint violated: {0:?}")]
    Conflict(Constraint),
    /// A foreign key refused the write: what it points to is gone.
    #[error("referenced row is missing")]
    Missing,
    /// Anything else: a bug or a broken database.
    #[error("database error: {0}")]
    Internal(String),
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        match e.as_db_error() {
            None if is_connection_error(&e) => StoreError::Unavailable(e.to_string()),
            None => StoreError::Internal(e.to_string()),
            Some(db) => {
                let code = db.code();
                if code == &SqlState::FOREIGN_KEY_VIOLATION {
                    StoreError::Missing
                } else if code == &SqlState::UNIQUE_VIOLATION {
                    StoreError::Conflict(on_constraint(db.constraint().unwrap_or_default()))
                } else if code.code().starts_with("08")
                    || code.code().starts_with("57")
                    || code == &SqlState::TOO_MANY_CONNECTIONS
                    || code == &SqlState::CANNOT_CONNECT_NOW
                {
                    StoreError::Unavailable(db.to_string())
                } else {
                    StoreError::Internal(format!("{}: {}", code.code(), db.message()))
                }
            }
        }
    }
}

/// Whether a non-database error means the connection is gone (or never came).
fn is_connection_error(e: &tokio_postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    let text = e.to_string();
    text.starts_with("error connecting")
        || text.starts_with("timeout")
        || text.contains("connection closed")
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            other => StoreError::Unavailable(other.to_string()),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The unique constraints a caller may meet, by meaning (their SQL names
/// stay here, never in an answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// Another account has this email (any case).
    EmailTaken,
    /// Another account signs in with this OpenID identity.
    IdentityTaken,
    /// Any other unique constraint: a race the caller did not foresee.
    Other(String),
}

/// Maps a constraint's SQL name to what it means.
pub fn on_constraint(name: &str) -> Constraint {
    match name {
        "users_email_key" => Constraint::EmailTaken,
        "users_oidc_identity" => Constraint::IdentityTaken,
        other => Constraint::Other(other.to_owned()),
    }
}

/// A pool over `config` without TLS (the embedded cluster's Unix socket,
/// the tests'), with timeouts so a dead database answers quickly instead of
/// hanging requests.
pub fn pool(config: tokio_postgres::Config, max_size: usize) -> StoreResult<Pool> {
    connect::pool_with(config, max_size, &connect::PgTls::Off)
}

/// Whether this process has applied (or found) every migration: until then
/// nothing but the liveness check may touch the database.
#[derive(Debug, Default)]
pub struct Migrations(std::sync::atomic::AtomicBool);

impl Migrations {
    pub fn done(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Acquire)
    }

    pub fn mark_done(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Release);
    }
}

/// An arbitrary but fixed key: replicas starting together take turns.
const MIGRATION_LOCK: i64 = 0x6a6f_6263_6f70;

/// Applies the embedded migrations under a PostgreSQL advisory lock.
pub async fn migrate(pool: &Pool) -> StoreResult<usize> {
    let mut client = pool.get().await?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let result = migrations::migrations::runner()
        .run_async(&mut **client)
        .await;
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await;
    let report = result.map_err(|e| StoreError::Internal(format!("migration failed: {e}")))?;
    Ok(report.applied_migrations().len())
}

/// Checks that PostgreSQL answers.
pub async fn ping(pool: &Pool) -> StoreResult<()> {
    let client = pool.get().await?;
    client.simple_query("SELECT 1").await?;
    Ok(())
}

/// Creates database `name` if it does not exist (used for the embedded cluster).
pub async fn ensure_database(admin: &tokio_postgres::Client, name: &str) -> StoreResult<()> {
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await?
        .is_some();
    if !exists {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        admin
            .batch_execute(&format!("CREATE DATABASE {quoted}"))
            .await?;
    }
    Ok(())
}

/// What every write of a user starts with.
#[derive(Debug, Clone)]
pub struct WriteStart {
    pub change_seq: i64,
    pub timezone: String,
}

/// The ids a statement answers (its first column): what a bulk delete
/// removed, or which rows a user has.
pub async fn fetch_ids(
    db: &impl GenericClient,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) -> StoreResult<Vec<uuid::Uuid>> {
    let stmt = db.prepare_cached(sql).await?;
    db.query(&stmt, params)
        .await?
        .iter()
        .map(|r| Ok(r.try_get(0)?))
        .collect()
}

/// At most one row of a query, mapped: the shape of every "fetch by id".
pub async fn fetch_opt<T>(
    db: &impl GenericClient,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    map: impl FnOnce(&tokio_postgres::Row) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    let stmt = db.prepare_cached(sql).await?;
    db.query_opt(&stmt, params)
        .await?
        .as_ref()
        .map(map)
        .transpose()
}

/// Bumps the user's change sequence inside a write's transaction. It also
/// takes the user's row lock, so one user's writes are serialized across
/// every replica. A user that no longer exists is `StoreError::Missing`.
pub async fn begin_user_write(
    tx: &impl GenericClient,
    user_id: uuid::Uuid,
) -> StoreResult<WriteStart> {
    let stmt = tx
        .prepare_cached("UPDATE users SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq, timezone")
        .await?;
    let row = tx
        .query_opt(&stmt, &[&user_id])
        .await?
        .ok_or(StoreError::Missing)?;
    Ok(WriteStart {
        change_seq: row.try_get(0)?,
        timezone: row.try_get(1)?,
    })
}

/// `begin_user_write` for several users in one statement (a batch of
/// creates). Rows are locked in id order, so two batches never deadlock.
/// Users that no longer exist are missing from the answer.
pub async fn begin_user_writes(
    tx: &impl GenericClient,
    user_ids: &[uuid::Uuid],
) -> StoreResult<std::collections::HashMap<uuid::Uuid, WriteStart>> {
    let stmt = tx
        .prepare_cached(
            "UPDATE users u SET change_seq = u.change_seq + 1 \
             FROM (SELECT id FROM users WHERE id = ANY($1) ORDER BY id FOR UPDATE) l \
             WHERE u.id = l.id RETURNING u.id, u.change_seq, u.timezone",
        )
        .await?;
    let rows = tx.query(&stmt, &[&user_ids]).await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get(0)?,
                WriteStart {
                    change_seq: row.try_get(1)?,
                    timezone: row.try_get(2)?,
                },
            ))
        })
        .collect()
}
