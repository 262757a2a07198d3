//! Notes on applications.

use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

use super::page::{Keyset, ListError, Page, PageQuery};
use super::{GenericClient, StoreResult};
use crate::domain::note::Note;

pub(super) const COLUMNS: &str =
    "n.id, n.application_id, n.body, n.created_at, n.updated_at, n.version";

pub(super) fn from_row(row: &Row) -> StoreResult<Note> {
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
    super::fetch_opt(db, &sql, &[&id, &user_id], from_row).await
}

pub async fn lock(db: &impl GenericClient, user_id: Uuid, id: Uuid) -> StoreResult<Option<Note>> {
    let sql =
        format!("SELECT {COLUMNS} FROM notes n WHERE n.id = $1 AND n.user_id = $2 FOR UPDATE");
    super::fetch_opt(db, &sql, &[&id, &user_id], from_row).await
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
    let keyset = Keyset::ascending("n.created_at", "timestamptz", "n.id");
    let key = application_id.to_string();
    let mut page = PageQuery::new(COLUMNS, "notes n", keyset, &["notes", &key]);
    let (app, user) = (page.param(application_id), page.param(user_id));
    page.condition(format!("n.application_id = {app} AND n.user_id = {user}"));
    page.fetch(db, cursor, limit, from_row).await
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

/// When a note of this application was last written, if it has any.
pub async fn last_note_time(
    db: &impl GenericClient,
    user_id: Uuid,
    application_id: Uuid,
) -> StoreResult<Option<OffsetDateTime>> {
    let stmt = db
        .prepare_cached(
            "SELECT max(updated_at) FROM notes WHERE user_id = $1 AND application_id = $2",
        )
        .await?;
    Ok(db
        .query_one(&stmt, &[&user_id, &application_id])
        .await?
        .try_get(0)?)
}
