//! Notes on applications.

use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

use super::applications::ListError;
use super::page::{decode_cursor, fingerprint, finish_page, Keyset, Page, Params};
use super::{GenericClient, StoreError, StoreResult};
use crate::domain::note::Note;

const COLUMNS: &str = "n.id, n.application_id, n.body, n.created_at, n.updated_at, n.version";

fn from_row(row: &Row) -> StoreResult<Note> {
    Ok(Note {
        id: row.try_get("id")?,
        application_id: row.try_get("application_id")?,
        body: row.try_get("body")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
    })
}

pub async fn insert(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
    application_id: Uuid,
    body: &str,
    now: OffsetDateTime,
) -> StoreResult<Note> {
    let sql = format!(
        "INSERT INTO notes AS n (id, user_id, application_id, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"
    );
    let stmt = db.prepare_cached(&sql).await?;
    from_row(
        &db.query_one(&stmt, &[&id, &user_id, &application_id, &body, &now])
            .await?,
    )
}

pub async fn get(db: &impl GenericClient, user_id: Uuid, id: Uuid) -> StoreResult<Option<Note>> {
    let sql = format!("SELECT {COLUMNS} FROM notes n WHERE n.id = $1 AND n.user_id = $2");
    let stmt = db.prepare_cached(&sql).await?;
    db.query_opt(&stmt, &[&id, &user_id])
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn lock(db: &impl GenericClient, user_id: Uuid, id: Uuid) -> StoreResult<Option<Note>> {
    let sql =
        format!("SELECT {COLUMNS} FROM notes n WHERE n.id = $1 AND n.user_id = $2 FOR UPDATE");
    let stmt = db.prepare_cached(&sql).await?;
    db.query_opt(&stmt, &[&id, &user_id])
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

pub async fn update(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
    body: &str,
    version: i32,
    now: OffsetDateTime,
) -> StoreResult<Note> {
    let sql = format!(
        "UPDATE notes AS n SET body = $3, version = $4, updated_at = $5 WHERE n.id = $1 AND n.user_id = $2 RETURNING {COLUMNS}"
    );
    let stmt = db.prepare_cached(&sql).await?;
    from_row(
        &db.query_one(&stmt, &[&id, &user_id, &body, &version, &now])
            .await?,
    )
}

pub async fn delete(db: &impl GenericClient, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached("DELETE FROM notes WHERE id = $1 AND user_id = $2")
        .await?;
    Ok(db.execute(&stmt, &[&id, &user_id]).await? == 1)
}

/// A page of an application's notes, oldest first.
pub async fn list(
    db: &impl GenericClient,
    user_id: Uuid,
    application_id: Uuid,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Page<Note>, ListError> {
    let fp = fingerprint(&["notes", &application_id.to_string()]);
    let keyset = Keyset {
        expr: "n.created_at",
        sql_type: "timestamptz",
        id: "n.id",
        nullable: false,
        descending: false,
    };
    let mut params = Params::default();
    let mut conds = vec![
        format!("n.application_id = {}", params.push(application_id)),
        format!("n.user_id = {}", params.push(user_id)),
    ];
    if let Some(c) = cursor {
        conds.push(keyset.after(&decode_cursor(c, &fp)?, &mut params));
    }
    let limit_p = params.push((limit + 1) as i64);
    let sql = format!(
        "SELECT {COLUMNS}, {cur} FROM notes n WHERE {conds} ORDER BY {order} LIMIT {limit_p}",
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

/// When each of the user's applications last had a note written.
pub async fn last_note_times(
    db: &impl GenericClient,
    user_id: Uuid,
) -> StoreResult<Vec<(Uuid, OffsetDateTime)>> {
    let stmt = db
        .prepare_cached("SELECT application_id, max(updated_at) FROM notes WHERE user_id = $1 GROUP BY application_id")
        .await?;
    db.query(&stmt, &[&user_id])
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}
