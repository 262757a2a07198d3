//! Sign-in and registration attempts, counted in PostgreSQL so every replica
//! sees them. Check-then-record is atomic: the caller holds advisory locks on
//! the account and the address (always in that order) for its transaction.

use time::OffsetDateTime;

use super::{GenericClient, StoreResult};

/// Advisory-lock namespaces (the first key of `pg_advisory_xact_lock(int, int)`).
const LOCK_ACCOUNT: i32 = 0x4a43_0001;
const LOCK_ADDRESS: i32 = 0x4a43_0002;
const LOCK_REGISTER: i32 = 0x4a43_0003;
const LOCK_USER_ACTION: i32 = 0x4a43_0004;

/// Serialises sign-in attempts for this account, then this address, until
/// the transaction ends.
pub async fn lock_sign_in(
    db: &impl GenericClient,
    account: &str,
    address: &str,
) -> StoreResult<()> {
    lock(db, LOCK_ACCOUNT, account).await?;
    lock(db, LOCK_ADDRESS, address).await
}

/// Serialises registrations from this address until the transaction ends.
pub async fn lock_register(db: &impl GenericClient, address: &str) -> StoreResult<()> {
    lock(db, LOCK_REGISTER, address).await
}

async fn lock(db: &impl GenericClient, space: i32, key: &str) -> StoreResult<()> {
    let stmt = db
        .prepare_cached("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .await?;
    db.execute(&stmt, &[&space, &key]).await?;
    Ok(())
}

/// How many attempts count against a limit, and when the oldest of them was.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub count: i64,
    pub oldest: Option<OffsetDateTime>,
}

/// The three sign-in windows: failures of this (account, address), attempts
/// from this address, failures of this account from anywhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct SignInCounts {
    pub pair_failures: Window,
    pub address_attempts: Window,
    pub account_failures: Window,
}

/// Counts since each window's start (`pair`, `address`, `account`).
pub async fn sign_in_counts(
    db: &impl GenericClient,
    account: &str,
    address: &str,
    since: [OffsetDateTime; 3],
) -> StoreResult<SignInCounts> {
    let oldest = since
        .iter()
        .min()
        .copied()
        .unwrap_or_else(OffsetDateTime::now_utc);
    let stmt = db
        .prepare_cached(
            "SELECT \
               count(*) FILTER (WHERE account = $1 AND address = $2 AND failed AND attempted_at > $3), \
               min(attempted_at) FILTER (WHERE account = $1 AND address = $2 AND failed AND attempted_at > $3), \
               count(*) FILTER (WHERE address = $2 AND attempted_at > $4), \
               min(attempted_at) FILTER (WHERE address = $2 AND attempted_at > $4), \
               count(*) FILTER (WHERE account = $1 AND failed AND attempted_at > $5), \
               min(attempted_at) FILTER (WHERE account = $1 AND failed AND attempted_at > $5) \
             FROM auth_attempts \
             WHERE kind = 'sign_in' AND (account = $1 OR address = $2) AND attempted_at > $6",
        )
        .await?;
    let row = db
        .query_one(
            &stmt,
            &[&account, &address, &since[0], &since[1], &since[2], &oldest],
        )
        .await?;
    let window = |i: usize| -> StoreResult<Window> {
        Ok(Window {
            count: row.try_get(i)?,
            oldest: row.try_get(i + 1)?,
        })
    };
    Ok(SignInCounts {
        pair_failures: window(0)?,
        address_attempts: window(2)?,
        account_failures: window(4)?,
    })
}

/// Registrations from `address` since `since`.
pub async fn register_count(
    db: &impl GenericClient,
    address: &str,
    since: OffsetDateTime,
) -> StoreResult<Window> {
    let stmt = db
        .prepare_cached(
            "SELECT count(*), min(attempted_at) FROM auth_attempts \
             WHERE kind = 'register' AND address = $1 AND attempted_at > $2",
        )
        .await?;
    let row = db.query_one(&stmt, &[&address, &since]).await?;
    Ok(Window {
        count: row.try_get(0)?,
        oldest: row.try_get(1)?,
    })
}

/// Records an attempt; a sign-in is recorded as failed until it succeeds.
pub async fn record(
    db: &impl GenericClient,
    kind: &str,
    account: &str,
    address: &str,
    failed: bool,
    now: OffsetDateTime,
) -> StoreResult<i64> {
    let stmt = db
        .prepare_cached(
            "INSERT INTO auth_attempts (kind, account, address, failed, attempted_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .await?;
    Ok(db
        .query_one(&stmt, &[&kind, &account, &address, &failed, &now])
        .await?
        .try_get(0)?)
}

/// Forgets an attempt (a registration that created no account).
pub async fn forget(db: &impl GenericClient, attempt: i64) -> StoreResult<()> {
    let stmt = db
        .prepare_cached("DELETE FROM auth_attempts WHERE id = $1")
        .await?;
    db.execute(&stmt, &[&attempt]).await?;
    Ok(())
}

/// A sign-in that proved right: it and this pair's earlier failures no longer count.
pub async fn succeeded(
    db: &impl GenericClient,
    attempt: i64,
    account: &str,
    address: &str,
) -> StoreResult<()> {
    let stmt = db
        .prepare_cached("UPDATE auth_attempts SET failed = false WHERE id = $1")
        .await?;
    db.execute(&stmt, &[&attempt]).await?;
    let stmt = db
        .prepare_cached(
            "DELETE FROM auth_attempts WHERE kind = 'sign_in' AND account = $1 AND address = $2 AND failed",
        )
        .await?;
    db.execute(&stmt, &[&account, &address]).await?;
    Ok(())
}

/// The user's `kind` actions since `since` (taking the lock that serialises
/// them until the transaction ends).
pub async fn user_actions(
    db: &impl GenericClient,
    user: uuid::Uuid,
    kind: &str,
    since: OffsetDateTime,
) -> StoreResult<Window> {
    lock(db, LOCK_USER_ACTION, &format!("{user}/{kind}")).await?;
    let stmt = db
        .prepare_cached(
            "SELECT count(*), min(at) FROM user_actions WHERE user_id = $1 AND kind = $2 AND at > $3",
        )
        .await?;
    let row = db.query_one(&stmt, &[&user, &kind, &since]).await?;
    Ok(Window {
        count: row.try_get(0)?,
        oldest: row.try_get(1)?,
    })
}

pub async fn record_user_action(
    db: &impl GenericClient,
    user: uuid::Uuid,
    kind: &str,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let stmt = db
        .prepare_cached("INSERT INTO user_actions (user_id, kind, at) VALUES ($1, $2, $3)")
        .await?;
    db.execute(&stmt, &[&user, &kind, &now]).await?;
    Ok(())
}
