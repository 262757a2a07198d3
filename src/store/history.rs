//! Status history entries.

use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

use super::page::{Keyset, ListError, Page, PageQuery};
use super::{GenericClient, StoreError, StoreResult};
use std::collections::HashMap;

use crate::domain::history::StatusHistoryEntry;
use crate::domain::metrics::Change;
use crate::domain::pipeline::Status;

pub(super) const COLUMNS: &str =
    "h.id, h.from_status, h.to_status, h.changed_at, h.note, h.undone, h.is_undo";

fn status(s: Option<String>) -> StoreResult<Option<Status>> {
    s.map(|s| {
        Status::parse(&s).ok_or_else(|| StoreError::Internal(format!("unexpected status {s:?}")))
    })
    .transpose()
}

pub(super) fn from_row(row: &Row) -> StoreResult<StatusHistoryEntry> {
    Ok(StatusHistoryEntry {
        id: row.try_get("id")?,
        from_status: status(row.try_get("from_status")?)?,
        to_status: status(Some(row.try_get("to_status")?))?.unwrap_or(Status::Wishlist),
        changed_at: row.try_get("changed_at")?,
        note: row.try_get("note")?,
        undone: row.try_get("undone")?,
        is_undo: row.try_get("is_undo")?,
    })
}

/// A new entry.
pub struct NewEntry<'a> {
    pub id: Uuid,
    pub application_id: Uuid,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub changed_at: OffsetDateTime,
    pub note: Option<&'a str>,
    pub is_undo: bool,
}

pub async fn insert(db: &impl GenericClient, user_id: Uuid, e: NewEntry<'_>) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "INSERT INTO status_history (id, user_id, application_id, from_status, to_status, changed_at, note, is_undo) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .await?;
    db.execute(
        &stmt,
        &[
            &e.id,
            &user_id,
            &e.application_id,
            &e.from_status.map(Status::as_str),
            &e.to_status.as_str(),
            &e.changed_at,
            &e.note,
            &e.is_undo,
        ],
    )
    .await?;
    Ok(())
}

/// Marks an entry as undone.
pub async fn mark_undone(
    db: &impl GenericClient,
    user_id: Uuid,
    entry_id: Uuid,
) -> StoreResult<()> {
    let stmt = db
        .prepare_cached("UPDATE status_history SET undone = true WHERE id = $1 AND user_id = $2")
        .await?;
    db.execute(&stmt, &[&entry_id, &user_id]).await?;
    Ok(())
}

/// The newest entry that is not undone: the change that entered the current status.
pub async fn entering(
    db: &impl GenericClient,
    user_id: Uuid,
    application_id: Uuid,
) -> StoreResult<Option<StatusHistoryEntry>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM status_history h WHERE h.application_id = $1 AND h.user_id = $2 \
         AND NOT h.undone ORDER BY h.changed_at DESC, h.id DESC LIMIT 1"
    );
    super::fetch_opt(db, &sql, &[&application_id, &user_id], from_row).await
}

/// A page of an application's history, oldest first.
pub async fn list(
    db: &impl GenericClient,
    user_id: Uuid,
    application_id: Uuid,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Page<StatusHistoryEntry>, ListError> {
    let keyset = Keyset::ascending("h.changed_at", "timestamptz", "h.id");
    let key = application_id.to_string();
    let mut page = PageQuery::new(COLUMNS, "status_history h", keyset, &["history", &key]);
    let (app, user) = (page.param(application_id), page.param(user_id));
    page.condition(format!("h.application_id = {app} AND h.user_id = {user}"));
    page.fetch(db, cursor, limit, from_row).await
}

/// The effective entries (not undone, not undos) of one application, oldest first.
pub async fn effective(
    db: &impl GenericClient,
    user_id: Uuid,
    application_id: Uuid,
) -> StoreResult<Vec<Change>> {
    let stmt = db
        .prepare_cached(
            "SELECT to_status, changed_at FROM status_history \
             WHERE application_id = $1 AND user_id = $2 AND NOT undone AND NOT is_undo ORDER BY changed_at, id",
        )
        .await?;
    db.query(&stmt, &[&application_id, &user_id])
        .await?
        .iter()
        .map(change_from_row)
        .collect()
}

/// The effective entries of all the user's applications, oldest first.
pub async fn effective_all(
    db: &impl GenericClient,
    user_id: Uuid,
) -> StoreResult<HashMap<Uuid, Vec<Change>>> {
    let stmt = db
        .prepare_cached(
            "SELECT application_id, to_status, changed_at FROM status_history \
             WHERE user_id = $1 AND NOT undone AND NOT is_undo ORDER BY application_id, changed_at, id",
        )
        .await?;
    let mut out: HashMap<Uuid, Vec<Change>> = HashMap::new();
    for row in db.query(&stmt, &[&user_id]).await? {
        let app: Uuid = row.try_get(0)?;
        let status: String = row.try_get(1)?;
        let change = Change {
            to_status: Status::parse(&status)
                .ok_or_else(|| StoreError::Internal(format!("unexpected status {status:?}")))?,
            changed_at: row.try_get(2)?,
        };
        out.entry(app).or_default().push(change);
    }
    Ok(out)
}

fn change_from_row(row: &Row) -> StoreResult<Change> {
    let status: String = row.try_get(0)?;
    Ok(Change {
        to_status: Status::parse(&status)
            .ok_or_else(|| StoreError::Internal(format!("unexpected status {status:?}")))?,
        changed_at: row.try_get(1)?,
    })
}
