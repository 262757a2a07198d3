//! Sign-in throttling: 5 failures per account per 15 minutes, 20 per client
//! address per minute. Counted in PostgreSQL, so it holds across replicas.

use time::{Duration, OffsetDateTime};

use crate::store::{throttle as store, GenericClient, StoreResult};

pub struct Limit {
    pub scope: &'static str,
    pub max_failures: i64,
    pub window: Duration,
}

pub const PER_ACCOUNT: Limit = Limit {
    scope: "account",
    max_failures: 5,
    window: Duration::minutes(15),
};

pub const PER_ADDRESS: Limit = Limit {
    scope: "address",
    max_failures: 20,
    window: Duration::minutes(1),
};

/// Seconds until `key` may try again, if it is over the limit now.
pub async fn retry_after(
    db: &impl GenericClient,
    limit: &Limit,
    key: &str,
    now: OffsetDateTime,
) -> StoreResult<Option<u64>> {
    let (count, oldest) = store::failures_since(db, limit.scope, key, now - limit.window).await?;
    if count < limit.max_failures {
        return Ok(None);
    }
    let free_at = oldest.unwrap_or(now) + limit.window;
    Ok(Some((free_at - now).whole_seconds().max(1) as u64))
}

/// The longest wait among the account's and the address's limits.
pub async fn check(
    db: &impl GenericClient,
    account: &str,
    address: &str,
    now: OffsetDateTime,
) -> StoreResult<Option<u64>> {
    let a = retry_after(db, &PER_ACCOUNT, account, now).await?;
    let b = retry_after(db, &PER_ADDRESS, address, now).await?;
    Ok(a.max(b))
}

pub async fn record_failure(
    db: &impl GenericClient,
    account: &str,
    address: &str,
    now: OffsetDateTime,
) -> StoreResult<()> {
    store::record_failure(db, PER_ACCOUNT.scope, account, now).await?;
    store::record_failure(db, PER_ADDRESS.scope, address, now).await
}

pub async fn record_success(db: &impl GenericClient, account: &str) -> StoreResult<()> {
    store::clear(db, PER_ACCOUNT.scope, account).await
}
