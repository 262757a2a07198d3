//! Interviews in PostgreSQL.

use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

use super::page::{Keyset, ListError, Page, PageQuery};
use super::{GenericClient, StoreError, StoreResult};
use crate::domain::interview::{Interview, InterviewFields, InterviewKind, Outcome};

pub(super) const COLUMNS: &str =
    "i.id, i.application_id, i.kind, i.scheduled_at, i.duration_minutes, i.location, \
    i.meeting_url, i.interviewers, i.notes, i.outcome, i.version, i.created_at, i.updated_at";

pub(super) fn from_row(row: &Row) -> StoreResult<Interview> {
    let kind: String = row.try_get("kind")?;
    let outcome: String = row.try_get("outcome")?;
    Ok(Interview {
        id: row.try_get("id")?,
        application_id: row.try_get("application_id")?,
        fields: InterviewFields {
            kind: InterviewKind::parse(&kind)
                .ok_or_else(|| StoreError::Internal(format!("unexpected kind {kind:?}")))?,
            scheduled_at: row.try_get("scheduled_at")?,
            duration_minutes: row.try_get("duration_minutes")?,
            location: row.try_get("location")?,
            meeting_url: row.try_get("meeting_url")?,
            interviewers: row.try_get("interviewers")?,
            notes: row.try_get("notes")?,
            outcome: Outcome::parse(&outcome)
                .ok_or_else(|| StoreError::Internal(format!("unexpected outcome {outcome:?}")))?,
        },
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn insert(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
    application_id: Uuid,
    f: &InterviewFields,
    now: OffsetDateTime,
) -> StoreResult<Interview> {
    let sql = format!(
        "INSERT INTO interviews AS i (id, user_id, application_id, kind, scheduled_at, duration_minutes, location, \
         meeting_url, interviewers, notes, outcome, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING {COLUMNS}"
    );
    let stmt = db.prepare_cached(&sql).await?;
    let row = db
        .query_one(
            &stmt,
            &[
                &id,
                &user_id,
                &application_id,
                &f.kind.as_str(),
                &f.scheduled_at,
                &f.duration_minutes,
                &f.location,
                &f.meeting_url,
                &f.interviewers,
                &f.notes,
                &f.outcome.as_str(),
                &now,
            ],
        )
        .await?;
    from_row(&row)
}

pub async fn get(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
) -> StoreResult<Option<Interview>> {
    let sql = format!("SELECT {COLUMNS} FROM interviews i WHERE i.id = $1 AND i.user_id = $2");
    super::fetch_opt(db, &sql, &[&id, &user_id], from_row).await
}

pub async fn lock(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
) -> StoreResult<Option<Interview>> {
    let sql =
        format!("SELECT {COLUMNS} FROM interviews i WHERE i.id = $1 AND i.user_id = $2 FOR UPDATE");
    super::fetch_opt(db, &sql, &[&id, &user_id], from_row).await
}

pub async fn update(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
    f: &InterviewFields,
    version: i32,
    now: OffsetDateTime,
) -> StoreResult<Interview> {
    let sql = format!(
        "UPDATE interviews AS i SET kind = $3, scheduled_at = $4, duration_minutes = $5, location = $6, \
         meeting_url = $7, interviewers = $8, notes = $9, outcome = $10, version = $11, updated_at = $12 \
         WHERE i.id = $1 AND i.user_id = $2 RETURNING {COLUMNS}"
    );
    let stmt = db.prepare_cached(&sql).await?;
    let row = db
        .query_one(
            &stmt,
            &[
                &id,
                &user_id,
                &f.kind.as_str(),
                &f.scheduled_at,
                &f.duration_minutes,
                &f.location,
                &f.meeting_url,
                &f.interviewers,
                &f.notes,
                &f.outcome.as_str(),
                &version,
                &now,
            ],
        )
        .await?;
    from_row(&row)
}

pub async fn delete(db: &impl GenericClient, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached("DELETE FROM interviews WHERE id = $1 AND user_id = $2")
        .await?;
    Ok(db.execute(&stmt, &[&id, &user_id]).await? == 1)
}

/// An interview list request.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    pub application_id: Option<Uuid>,
    pub outcomes: Vec<Outcome>,
    pub limit: usize,
    pub cursor: Option<String>,
}

/// A page of the user's interviews by time.
pub async fn list(
    db: &impl GenericClient,
    user_id: Uuid,
    q: &ListQuery,
) -> Result<Page<Interview>, ListError> {
    let mut outcomes: Vec<&str> = q.outcomes.iter().map(|o| o.as_str()).collect();
    outcomes.sort_unstable();
    outcomes.dedup();
    let ts = |t: Option<OffsetDateTime>| {
        t.map(|t| t.unix_timestamp_nanos().to_string())
            .unwrap_or_default()
    };
    let keyset = Keyset::ascending("i.scheduled_at", "timestamptz", "i.id");
    let (from, to, app) = (
        ts(q.from),
        ts(q.to),
        q.application_id.map(|i| i.to_string()).unwrap_or_default(),
    );
    let outcome_key = outcomes.join(",");
    let mut page = PageQuery::new(
        COLUMNS,
        "interviews i",
        keyset,
        &["interviews", &from, &to, &app, &outcome_key],
    );
    let user = page.param(user_id);
    page.condition(format!("i.user_id = {user}"));
    if let Some(from) = q.from {
        let p = page.param(from);
        page.condition(format!("i.scheduled_at >= {p}"));
    }
    if let Some(to) = q.to {
        let p = page.param(to);
        page.condition(format!("i.scheduled_at < {p}"));
    }
    if let Some(app) = q.application_id {
        let p = page.param(app);
        page.condition(format!("i.application_id = {p}"));
    }
    if !outcomes.is_empty() {
        let list: Vec<String> = outcomes.iter().map(|s| s.to_string()).collect();
        let p = page.param(list);
        page.condition(format!("i.outcome = ANY({p}::text[])"));
    }
    page.fetch(db, q.cursor.as_deref(), q.limit, from_row).await
}

/// Scheduled interviews in `[from, to)` with their application's company (the agenda).
pub async fn agenda(
    db: &impl GenericClient,
    user_id: Uuid,
    from: OffsetDateTime,
    to: OffsetDateTime,
    limit: i64,
) -> StoreResult<Vec<(Interview, String)>> {
    let sql = format!(
        "SELECT {COLUMNS}, a.company FROM interviews i JOIN job_applications a ON a.id = i.application_id AND a.user_id = i.user_id \
         WHERE i.user_id = $1 AND i.scheduled_at >= $2 AND i.scheduled_at < $3 AND i.outcome = 'scheduled' \
         ORDER BY i.scheduled_at, i.id LIMIT $4"
    );
    let stmt = db.prepare_cached(&sql).await?;
    db.query(&stmt, &[&user_id, &from, &to, &limit])
        .await?
        .iter()
        .map(|r| Ok((from_row(r)?, r.try_get("company")?)))
        .collect()
}

/// All of the user's interviews (an actor's working set).
pub async fn all(db: &impl GenericClient, user_id: Uuid) -> StoreResult<Vec<Interview>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM interviews i WHERE i.user_id = $1 ORDER BY i.scheduled_at, i.id"
    );
    let stmt = db.prepare_cached(&sql).await?;
    db.query(&stmt, &[&user_id])
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// Every interview of the user with its application's company and title (the calendar feed).
pub async fn all_with_application(
    db: &impl GenericClient,
    user_id: Uuid,
) -> StoreResult<Vec<(Interview, String, String)>> {
    let sql = format!(
        "SELECT {COLUMNS}, a.company, a.title FROM interviews i \
         JOIN job_applications a ON a.id = i.application_id AND a.user_id = i.user_id \
         WHERE i.user_id = $1 ORDER BY i.scheduled_at, i.id"
    );
    let stmt = db.prepare_cached(&sql).await?;
    db.query(&stmt, &[&user_id])
        .await?
        .iter()
        .map(|r| Ok((from_row(r)?, r.try_get("company")?, r.try_get("title")?)))
        .collect()
}
