//! Failed sign-ins, counted in PostgreSQL so every replica sees them.

use time::OffsetDateTime;

use super::{GenericClient, StoreResult};

/// How many failures `key` had since `since`, and when the oldest of them was.
pub async fn failures_since(
    db: &impl GenericClient,
    scope: &str,
    key: &str,
    since: OffsetDateTime,
) -> StoreResult<(i64, Option<OffsetDateTime>)> {
    let stmt = db
        .prepare_cached(
            "SELECT count(*), min(failed_at) FROM auth_failures WHERE scope = $1 AND key = $2 AND failed_at > $3",
        )
        .await?;
    let row = db.query_one(&stmt, &[&scope, &key, &since]).await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

pub async fn record_failure(
    db: &impl GenericClient,
    scope: &str,
    key: &str,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let stmt = db
        .prepare_cached("INSERT INTO auth_failures (scope, key, failed_at) VALUES ($1, $2, $3)")
        .await?;
    db.execute(&stmt, &[&scope, &key, &now]).await?;
    Ok(())
}

/// Forgets an account's failures after a successful sign-in.
pub async fn clear(db: &impl GenericClient, scope: &str, key: &str) -> StoreResult<()> {
    let stmt = db
        .prepare_cached("DELETE FROM auth_failures WHERE scope = $1 AND key = $2")
        .await?;
    db.execute(&stmt, &[&scope, &key]).await?;
    Ok(())
}

/// Drops failures older than `before` (housekeeping).
pub async fn prune(db: &impl GenericClient, before: OffsetDateTime) -> StoreResult<u64> {
    let stmt = db
        .prepare_cached("DELETE FROM auth_failures WHERE failed_at < $1")
        .await?;
    Ok(db.execute(&stmt, &[&before]).await?)
}
