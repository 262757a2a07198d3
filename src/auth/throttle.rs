//! Sign-in and registration throttling, counted in PostgreSQL so it holds
//! across replicas. An attempt is counted *before* its password is hashed
//! (check and record under advisory locks, in one transaction), so parallel
//! guesses cannot slip past a limit.
//!
//! Sign-in: 5 failures per (account, client address) per 15 minutes; 20
//! attempts per client address per minute; 100 failures per account per hour
//! from all addresses — so a stranger's failures from another address never
//! lock the owner out below that last limit. Registration: a configurable
//! number of accounts per client address per hour.

use deadpool_postgres::Pool;
use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};
use crate::store::throttle::{self as store, Window};

pub struct Limit {
    pub max: i64,
    pub window: Duration,
}

pub const PER_PAIR: Limit = Limit {
    max: 5,
    window: Duration::minutes(15),
};

pub const PER_ADDRESS: Limit = Limit {
    max: 20,
    window: Duration::minutes(1),
};

pub const PER_ACCOUNT: Limit = Limit {
    max: 100,
    window: Duration::hours(1),
};

pub const REGISTRATION_WINDOW: Duration = Duration::hours(1);

impl Limit {
    /// Seconds until the window has room again, if it is full now.
    pub fn retry_after(&self, w: Window, now: OffsetDateTime) -> Option<u64> {
        if w.count < self.max {
            return None;
        }
        let free_at = w.oldest.unwrap_or(now) + self.window;
        Some((free_at - now).whole_seconds().max(1) as u64)
    }
}

/// A sign-in attempt that was let through and counted as a failure until
/// [`Attempt::succeeded`] says otherwise.
pub struct Attempt {
    id: i64,
    account: String,
    address: String,
}

/// Counts a sign-in attempt, or refuses it (429) when a limit is reached.
pub async fn begin_sign_in(pool: &Pool, account: &str, address: &str) -> Result<Attempt> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    store::lock_sign_in(&tx, account, address).await?;
    let now = OffsetDateTime::now_utc();
    let counts = store::sign_in_counts(
        &tx,
        account,
        address,
        [
            now - PER_PAIR.window,
            now - PER_ADDRESS.window,
            now - PER_ACCOUNT.window,
        ],
    )
    .await?;
    let wait = [
        PER_PAIR.retry_after(counts.pair_failures, now),
        PER_ADDRESS.retry_after(counts.address_attempts, now),
        PER_ACCOUNT.retry_after(counts.account_failures, now),
    ]
    .into_iter()
    .flatten()
    .max();
    if let Some(retry_after) = wait {
        return Err(Error::RateLimited { retry_after });
    }
    let id = store::record(&tx, "sign_in", account, address, true, now).await?;
    tx.commit().await?;
    Ok(Attempt {
        id,
        account: account.to_owned(),
        address: address.to_owned(),
    })
}

impl Attempt {
    /// The password was right: this attempt and the pair's failures stop counting.
    pub async fn succeeded(self, pool: &Pool) -> Result<()> {
        let client = pool.get().await?;
        store::succeeded(&client, self.id, &self.account, &self.address).await?;
        Ok(())
    }
}

/// Runs a registration from `address` within `limit` accounts per hour (0:
/// unlimited; beyond it 429). It is counted before the password is hashed,
/// so parallel sign-ups cannot slip past the limit, and forgotten again when
/// no account came of it (a taken email).
pub async fn within_registration_limit<T>(
    pool: &Pool,
    address: &str,
    limit: u32,
    register: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    let counted = begin_registration(pool, address, limit).await?;
    let result = register.await;
    if let (Err(_), Some(id)) = (&result, counted) {
        match pool.get().await {
            Ok(client) => {
                if let Err(e) = store::forget(&client, id).await {
                    tracing::warn!(error = %e, "a failed registration stays counted");
                }
            }
            Err(e) => tracing::warn!(error = %e, "a failed registration stays counted"),
        }
    }
    result
}

/// Counts a registration from `address`, or refuses it beyond `limit`;
/// answers the attempt's id (None when unlimited).
async fn begin_registration(pool: &Pool, address: &str, limit: u32) -> Result<Option<i64>> {
    if limit == 0 {
        return Ok(None);
    }
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    store::lock_register(&tx, address).await?;
    let now = OffsetDateTime::now_utc();
    let w = store::register_count(&tx, address, now - REGISTRATION_WINDOW).await?;
    let per_address = Limit {
        max: i64::from(limit),
        window: REGISTRATION_WINDOW,
    };
    if let Some(retry_after) = per_address.retry_after(w, now) {
        return Err(Error::RateLimited { retry_after });
    }
    let id = store::record(&tx, "register", "", address, false, now).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Something a user may do only so often per hour (imports; later captures
/// and mailbox syncs), counted in PostgreSQL across replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAction {
    Import,
    Capture,
}

impl UserAction {
    fn as_str(self) -> &'static str {
        match self {
            UserAction::Import => "import",
            UserAction::Capture => "capture",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            UserAction::Import => "imports",
            UserAction::Capture => "captures",
        }
    }
}

pub const USER_ACTION_WINDOW: Duration = Duration::hours(1);

/// Counts one `action` of the user, or refuses it (429 with the wait) when
/// `per_hour` were made in the last hour; checked and counted under a lock,
/// so parallel requests cannot slip past the limit.
pub async fn user_action(
    pool: &Pool,
    user: uuid::Uuid,
    action: UserAction,
    per_hour: u32,
) -> Result<()> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let now = OffsetDateTime::now_utc();
    let kind = action.as_str();
    let w = store::user_actions(&tx, user, kind, now - USER_ACTION_WINDOW).await?;
    let limit = Limit {
        max: i64::from(per_hour),
        window: USER_ACTION_WINDOW,
    };
    if let Some(retry_after) = limit.retry_after(w, now) {
        return Err(Error::LimitReached {
            retry_after,
            detail: format!(
                "you may run {per_hour} {} an hour; try again in {retry_after} seconds",
                action.plural()
            ),
        });
    }
    store::record_user_action(&tx, user, kind, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_window_waits_until_its_oldest_attempt_leaves() {
        let now = OffsetDateTime::now_utc();
        let w = |count, ago: i64| Window {
            count,
            oldest: Some(now - Duration::seconds(ago)),
        };
        assert_eq!(PER_PAIR.retry_after(w(4, 60), now), None);
        assert_eq!(PER_PAIR.retry_after(w(5, 60), now), Some(14 * 60));
        assert_eq!(PER_ADDRESS.retry_after(w(20, 59), now), Some(1));
        assert_eq!(PER_ACCOUNT.retry_after(w(99, 10), now), None);
        assert_eq!(PER_ACCOUNT.retry_after(w(100, 0), now), Some(3600));
    }
}
