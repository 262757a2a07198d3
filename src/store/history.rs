//! Status history entries.

use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

use super::applications::ListError;
use super::page::{decode_cursor, fingerprint, finish_page, Keyset, Page, Params};
use super::{GenericClient, StoreError, StoreResult};
use crate::domain::history::StatusHistoryEntry;
use crate::domain::pipeline::Status;

const COLUMNS: &str = "h.id, h.from_status, h.to_status, h.changed_at, h.note, h.undone, h.is_undo";

fn status(s: Option<String>) -> StoreResult<Option<Status>> {
    s.map(|s| {
        Status::parse(&s).ok_or_else(|| StoreError::Internal(format!("unexpected status {s:?}")))
    })
    .transpose()
}

fn from_row(row: &Row) -> StoreResult<StatusHistoryEntry> {
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
    let stmt = db.prepare_cached(&sql).await?;
    db.query_opt(&stmt, &[&application_id, &user_id])
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// A page of an application's history, oldest first.
pub async fn list(
    db: &impl GenericClient,
    user_id: Uuid,
    application_id: Uuid,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Page<StatusHistoryEntry>, ListError> {
    let fp = fingerprint(&["history", &application_id.to_string()]);
    let keyset = Keyset {
        expr: "h.changed_at",
        sql_type: "timestamptz",
        id: "h.id",
        nullable: false,
        descending: false,
    };
    let mut params = Params::default();
    let mut conds = vec![
        format!("h.application_id = {}", params.push(application_id)),
        format!("h.user_id = {}", params.push(user_id)),
    ];
    if let Some(c) = cursor {
        conds.push(keyset.after(&decode_cursor(c, &fp)?, &mut params));
    }
    let limit_p = params.push((limit + 1) as i64);
    let sql = format!(
        "SELECT {COLUMNS}, {cur} FROM status_history h WHERE {conds} ORDER BY {order} LIMIT {limit_p}",
        cur = keyset.cursor_column(),
        conds = conds.join(" AND "),
        order = keyset.order_by()
    );
    let stmt = db.prepare_cached(&sql).await.map_err(StoreError::from)?;
    let rows = db
        .query(&stmt, &params.as_refs())
        .await
        .map_err(StoreError::from)?;
    let items = rows
        .iter()
        .map(|r| Ok((from_row(r)?, r.try_get("cursor_value")?, r.try_get("id")?)))
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(finish_page(items, limit, &fp))
}
