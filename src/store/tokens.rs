//! Personal access tokens, stored as hashes.

use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

use super::page::{Keyset, ListError, Page, PageQuery};
use super::{GenericClient, StoreResult};
use crate::domain::account::TokenInfo;

const COLUMNS: &str = "t.id, t.name, t.created_at, t.last_used_at, t.expires_at";

fn from_row(row: &Row) -> StoreResult<TokenInfo> {
    Ok(TokenInfo {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

pub async fn insert(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
    name: &str,
    hash: &[u8],
    expires_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> StoreResult<TokenInfo> {
    let sql = format!(
        "INSERT INTO api_tokens AS t (id, user_id, name, token_hash, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    );
    let stmt = db.prepare_cached(&sql).await?;
    from_row(
        &db.query_one(&stmt, &[&id, &user_id, &name, &hash, &expires_at, &now])
            .await?,
    )
}

/// Revokes a token; false when the user has no such token.
pub async fn delete(db: &impl GenericClient, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
        .await?;
    Ok(db.execute(&stmt, &[&id, &user_id]).await? == 1)
}

/// A live token: its owner, id and last use.
pub struct LiveToken {
    pub user_id: Uuid,
    pub id: Uuid,
    pub last_used_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
}

/// The live token with this hash.
pub async fn authenticate(
    db: &impl GenericClient,
    hash: &[u8],
    now: OffsetDateTime,
) -> StoreResult<Option<LiveToken>> {
    let stmt = db
        .prepare_cached(
            "SELECT t.user_id, t.id, t.last_used_at, t.expires_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.disabled_at IS NULL",
        )
        .await?;
    Ok(db
        .query_opt(&stmt, &[&hash, &now])
        .await?
        .map(|r| {
            Ok::<_, tokio_postgres::Error>(LiveToken {
                user_id: r.try_get(0)?,
                id: r.try_get(1)?,
                last_used_at: r.try_get(2)?,
                expires_at: r.try_get(3)?,
            })
        })
        .transpose()?)
}

/// Records a use, at most once a minute per token (keeps reads cheap).
pub async fn touch(db: &impl GenericClient, id: Uuid, now: OffsetDateTime) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 \
             AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')",
        )
        .await?;
    db.execute(&stmt, &[&id, &now]).await?;
    Ok(())
}

/// A page of the user's tokens, newest first.
pub async fn list(
    db: &impl GenericClient,
    user_id: Uuid,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Page<TokenInfo>, ListError> {
    let mut keyset = Keyset::ascending("t.created_at", "timestamptz", "t.id");
    keyset.descending = true;
    let mut page = PageQuery::new(COLUMNS, "api_tokens t", keyset, &["tokens"]);
    let user = page.param(user_id);
    page.condition(format!("t.user_id = {user}"));
    page.fetch(db, cursor, limit, from_row).await
}

/// Revokes every token of the user; answers their ids (their streams close).
pub async fn delete_for_user(db: &impl GenericClient, user_id: Uuid) -> StoreResult<Vec<Uuid>> {
    super::fetch_ids(
        db,
        "DELETE FROM api_tokens WHERE user_id = $1 RETURNING id",
        &[&user_id],
    )
    .await
}

/// Every token of the user (metadata), oldest first.
pub async fn all(db: &impl GenericClient, user_id: Uuid) -> StoreResult<Vec<TokenInfo>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.created_at, t.id"
    );
    let stmt = db.prepare_cached(&sql).await?;
    db.query(&stmt, &[&user_id])
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// The ids of every token of the user.
pub async fn ids_for_user(db: &impl GenericClient, user_id: Uuid) -> StoreResult<Vec<Uuid>> {
    super::fetch_ids(
        db,
        "SELECT id FROM api_tokens WHERE user_id = $1",
        &[&user_id],
    )
    .await
}

/// Whether a token still works (exists and has not expired).
pub async fn is_live(db: &impl GenericClient, id: Uuid, now: OffsetDateTime) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached(
            "SELECT 1 FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.id = $1 AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.disabled_at IS NULL",
        )
        .await?;
    Ok(db.query_opt(&stmt, &[&id, &now]).await?.is_some())
}
