//! Browser sessions and OIDC sign-ins in flight.

use time::OffsetDateTime;
use uuid::Uuid;

use super::page::{Keyset, ListError, Page, PageQuery};
use super::{GenericClient, StoreResult};
use crate::domain::account::SessionInfo;

/// A live session, as a request sees it.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub csrf_token: String,
    pub last_seen_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A new session's row.
pub struct NewSession<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub token_hash: &'a [u8],
    pub csrf_token: &'a str,
    pub user_agent: Option<&'a str>,
    pub address: &'a str,
    pub now: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

pub async fn insert(db: &impl GenericClient, s: NewSession<'_>) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "INSERT INTO sessions (id, user_id, token_hash, csrf_token, user_agent, address, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
        )
        .await?;
    db.execute(
        &stmt,
        &[
            &s.id,
            &s.user_id,
            &s.token_hash,
            &s.csrf_token,
            &s.user_agent,
            &s.address,
            &s.now,
            &s.expires_at,
        ],
    )
    .await?;
    Ok(())
}

/// The user's live sessions, newest first, a page at a time (`current`
/// marks the caller's own).
pub async fn list(
    db: &impl GenericClient,
    user_id: Uuid,
    current: Option<Uuid>,
    limit: usize,
    cursor: Option<&str>,
    idle_since: OffsetDateTime,
) -> Result<Page<SessionInfo>, ListError> {
    let mut keyset = Keyset::ascending("s.created_at", "timestamptz", "s.id");
    keyset.descending = true;
    let mut page = PageQuery::new(
        "s.id, s.created_at, s.last_seen_at, s.user_agent, s.address",
        "sessions s",
        keyset,
        &["sessions"],
    );
    let user = page.param(user_id);
    let idle = page.param(idle_since);
    page.condition(format!(
        "s.user_id = {user} AND s.expires_at > now() AND s.last_seen_at > {idle}"
    ));
    page.fetch(db, cursor, limit, |r| {
        let id: Uuid = r.try_get("id")?;
        Ok(SessionInfo {
            id,
            created_at: r.try_get("created_at")?,
            last_seen_at: r.try_get("last_seen_at")?,
            user_agent: r.try_get("user_agent")?,
            address: r.try_get("address")?,
            current: Some(id) == current,
        })
    })
    .await
}

/// Ends one of the user's sessions; false when the user has no such session.
pub async fn delete_one(db: &impl GenericClient, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached("DELETE FROM sessions WHERE user_id = $1 AND id = $2")
        .await?;
    Ok(db.execute(&stmt, &[&user_id, &id]).await? == 1)
}

/// Ends every session of the user but `keep` (their ids, for their streams).
pub async fn delete_others(
    db: &impl GenericClient,
    user_id: Uuid,
    keep: Option<Uuid>,
) -> StoreResult<Vec<Uuid>> {
    super::fetch_ids(
        db,
        "DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2 RETURNING id",
        &[&user_id, &keep],
    )
    .await
}

/// The session with this cookie hash, unless it expired (absolutely, or by
/// being idle since `idle_since`).
pub async fn find(
    db: &impl GenericClient,
    token_hash: &[u8],
    now: OffsetDateTime,
    idle_since: OffsetDateTime,
) -> StoreResult<Option<SessionRow>> {
    let stmt = db
        .prepare_cached(
            "SELECT s.id, s.user_id, s.csrf_token, s.last_seen_at, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 \
               AND u.disabled_at IS NULL",
        )
        .await?;
    Ok(db
        .query_opt(&stmt, &[&token_hash, &now, &idle_since])
        .await?
        .map(|r| {
            Ok::<_, tokio_postgres::Error>(SessionRow {
                id: r.try_get(0)?,
                user_id: r.try_get(1)?,
                csrf_token: r.try_get(2)?,
                last_seen_at: r.try_get(3)?,
                expires_at: r.try_get(4)?,
            })
        })
        .transpose()?)
}

/// Records activity, at most once a minute.
pub async fn touch(db: &impl GenericClient, id: Uuid, now: OffsetDateTime) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2::timestamptz - interval '1 minute'",
        )
        .await?;
    db.execute(&stmt, &[&id, &now]).await?;
    Ok(())
}

/// Ends a session (sign-out): its cookie stops working at once.
pub async fn delete_by_hash(
    db: &impl GenericClient,
    token_hash: &[u8],
) -> StoreResult<Option<Uuid>> {
    let stmt = db
        .prepare_cached("DELETE FROM sessions WHERE token_hash = $1 RETURNING user_id")
        .await?;
    Ok(db
        .query_opt(&stmt, &[&token_hash])
        .await?
        .map(|r| r.try_get(0))
        .transpose()?)
}

/// Ends every session of the user; answers their ids (their streams close).
pub async fn delete_for_user(db: &impl GenericClient, user_id: Uuid) -> StoreResult<Vec<Uuid>> {
    super::fetch_ids(
        db,
        "DELETE FROM sessions WHERE user_id = $1 RETURNING id",
        &[&user_id],
    )
    .await
}

/// The ids of every session of the user.
pub async fn ids_for_user(db: &impl GenericClient, user_id: Uuid) -> StoreResult<Vec<Uuid>> {
    super::fetch_ids(
        db,
        "SELECT id FROM sessions WHERE user_id = $1",
        &[&user_id],
    )
    .await
}

/// Whether a session still works (exists and has not expired).
pub async fn is_live(
    db: &impl GenericClient,
    id: Uuid,
    now: OffsetDateTime,
    idle_since: OffsetDateTime,
) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached(
            "SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND u.disabled_at IS NULL",
        )
        .await?;
    Ok(db
        .query_opt(&stmt, &[&id, &now, &idle_since])
        .await?
        .is_some())
}

/// An OIDC sign-in in flight.
#[derive(Debug, Clone)]
pub struct PendingLogin {
    pub browser_hash: Vec<u8>,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: String,
    pub expires_at: OffsetDateTime,
}

pub async fn insert_login(
    db: &impl GenericClient,
    state_hash: &[u8],
    login: &PendingLogin,
) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "INSERT INTO oidc_logins (state_hash, browser_hash, nonce, pkce_verifier, next_path, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .await?;
    db.execute(
        &stmt,
        &[
            &state_hash,
            &login.browser_hash,
            &login.nonce,
            &login.pkce_verifier,
            &login.next_path,
            &login.expires_at,
        ],
    )
    .await?;
    Ok(())
}

/// Takes (deletes and returns) the sign-in with this state: a second
/// callback with the same state finds nothing.
pub async fn take_login(
    db: &impl GenericClient,
    state_hash: &[u8],
) -> StoreResult<Option<PendingLogin>> {
    let stmt = db
        .prepare_cached(
            "DELETE FROM oidc_logins WHERE state_hash = $1 \
             RETURNING browser_hash, nonce, pkce_verifier, next_path, expires_at",
        )
        .await?;
    Ok(db
        .query_opt(&stmt, &[&state_hash])
        .await?
        .map(|r| {
            Ok::<_, tokio_postgres::Error>(PendingLogin {
                browser_hash: r.try_get(0)?,
                nonce: r.try_get(1)?,
                pkce_verifier: r.try_get(2)?,
                next_path: r.try_get(3)?,
                expires_at: r.try_get(4)?,
            })
        })
        .transpose()?)
}
