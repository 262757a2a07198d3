//! Calendar feeds.

use time::OffsetDateTime;
use uuid::Uuid;

use super::{GenericClient, StoreResult};

/// The user's feed: its token and when it was made.
pub async fn get(
    db: &impl GenericClient,
    user_id: Uuid,
) -> StoreResult<Option<(String, OffsetDateTime)>> {
    let stmt = db
        .prepare_cached("SELECT token, created_at FROM calendar_feeds WHERE user_id = $1")
        .await?;
    Ok(db
        .query_opt(&stmt, &[&user_id])
        .await?
        .map(|r| Ok::<_, tokio_postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?)
}

/// Replaces the user's feed token (any earlier one stops working).
pub async fn replace(
    db: &impl GenericClient,
    user_id: Uuid,
    token: &str,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "INSERT INTO calendar_feeds (user_id, token, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET token = EXCLUDED.token, created_at = EXCLUDED.created_at",
        )
        .await?;
    db.execute(&stmt, &[&user_id, &token, &now]).await?;
    Ok(())
}

pub async fn delete(db: &impl GenericClient, user_id: Uuid) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached("DELETE FROM calendar_feeds WHERE user_id = $1")
        .await?;
    Ok(db.execute(&stmt, &[&user_id]).await? == 1)
}

/// The owner of a feed token.
pub async fn owner(db: &impl GenericClient, token: &str) -> StoreResult<Option<Uuid>> {
    let stmt = db
        .prepare_cached("SELECT user_id FROM calendar_feeds WHERE token = $1")
        .await?;
    Ok(db
        .query_opt(&stmt, &[&token])
        .await?
        .map(|r| r.try_get(0))
        .transpose()?)
}
