//! AI generations in PostgreSQL: the user's requests and the work queue the
//! AI pool's workers claim from. Every write a worker makes names its lease
//! token, so a worker that lost its lease (it stalled past the expiry and
//! another took the job) changes nothing.

use std::time::Duration;

use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

use super::page::{Keyset, ListError, Page, PageQuery};
use super::{GenericClient, StoreError, StoreResult};
use crate::domain::generation::{
    Generation, Kind, NewGeneration, Status, Tone, Usage, MAX_ATTEMPTS,
};

pub(super) const COLUMNS: &str = "g.id, g.user_id, g.application_id, g.interview_id, g.kind, g.tone, g.instructions, \
    g.status, g.provider, g.model, g.prompt, g.output, g.error, g.progress, g.attempts, g.prompt_tokens, \
    g.completion_tokens, g.timings, g.fit, g.created_at, g.started_at, g.finished_at";

fn bad(what: &str, v: &str) -> StoreError {
    StoreError::Internal(format!("unexpected {what} {v:?} in ai_generations"))
}

pub(super) fn from_row(row: &Row) -> StoreResult<Generation> {
    let kind: String = row.try_get("kind")?;
    let tone: String = row.try_get("tone")?;
    let status: String = row.try_get("status")?;
    Ok(Generation {
        id: row.try_get("id")?,
        application_id: row.try_get("application_id")?,
        interview_id: row.try_get("interview_id")?,
        kind: Kind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        tone: Tone::parse(&tone).ok_or_else(|| bad("tone", &tone))?,
        instructions: row.try_get("instructions")?,
        status: Status::parse(&status).ok_or_else(|| bad("status", &status))?,
        provider: row.try_get("provider")?,
        model: row.try_get("model")?,
        output: row.try_get("output")?,
        error: row.try_get("error")?,
        progress: row.try_get("progress")?,
        attempts: row.try_get("attempts")?,
        usage: Usage {
            prompt_tokens: row.try_get("prompt_tokens")?,
            completion_tokens: row.try_get("completion_tokens")?,
        },
        prompt: row.try_get("prompt")?,
        timings: row.try_get("timings")?,
        fit: row.try_get("fit")?,
        created_at: row.try_get("created_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
    })
}

/// Why a request for a draft was refused before it was queued.
#[derive(Debug)]
pub enum Refusal {
    /// The application (or the interview, for that application) is not the user's.
    NotFound,
    TooManyRunning {
        limit: u32,
    },
    DailyQuota {
        limit: u32,
        resets_at: OffsetDateTime,
    },
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(e: StoreError) -> Self {
        Refusal::Store(e)
    }
}

impl From<tokio_postgres::Error> for Refusal {
    fn from(e: tokio_postgres::Error) -> Self {
        Refusal::Store(e.into())
    }
}

/// Queues a generation, within the user's limits (checked under the user's
/// row lock, so concurrent requests cannot slip past them together).
pub async fn insert(
    client: &mut deadpool_postgres::Client,
    user_id: Uuid,
    application_id: Uuid,
    new: &NewGeneration,
    limits: (u32, u32),
    now: OffsetDateTime,
) -> Result<Generation, Refusal> {
    let tx = client.transaction().await?;
    let stmt = tx
        .prepare_cached("SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE")
        .await?;
    tx.query_opt(&stmt, &[&user_id])
        .await?
        .ok_or(Refusal::NotFound)?;
    let stmt = tx
        .prepare_cached("SELECT 1 FROM job_applications WHERE id = $1 AND user_id = $2")
        .await?;
    if tx
        .query_opt(&stmt, &[&application_id, &user_id])
        .await?
        .is_none()
    {
        return Err(Refusal::NotFound);
    }
    if let Some(interview) = new.interview_id {
        let stmt = tx
            .prepare_cached(
                "SELECT 1 FROM interviews WHERE id = $1 AND user_id = $2 AND application_id = $3",
            )
            .await?;
        if tx
            .query_opt(&stmt, &[&interview, &user_id, &application_id])
            .await?
            .is_none()
        {
            return Err(Refusal::NotFound);
        }
    }
    let day_start = now.replace_time(time::Time::MIDNIGHT);
    let stmt = tx
        .prepare_cached(
            "SELECT count(*) FROM ai_generations WHERE user_id = $1 AND status IN ('queued', 'running')",
        )
        .await?;
    let running: i64 = tx.query_one(&stmt, &[&user_id]).await?.try_get(0)?;
    let (concurrency, quota) = limits;
    if running >= i64::from(concurrency) {
        return Err(Refusal::TooManyRunning { limit: concurrency });
    }
    // Drafts *started* today, deleted ones included: a counter, not a count
    // of rows that still exist.
    let stmt = tx
        .prepare_cached(
            "INSERT INTO ai_usage AS u (user_id, day, started) VALUES ($1, $2, 1) \
             ON CONFLICT (user_id, day) DO UPDATE SET started = u.started + 1 RETURNING started",
        )
        .await?;
    let started: i32 = tx
        .query_one(&stmt, &[&user_id, &day_start.date()])
        .await?
        .try_get(0)?;
    if i64::from(started) > i64::from(quota) {
        return Err(Refusal::DailyQuota {
            limit: quota,
            resets_at: day_start + time::Duration::days(1),
        });
    }
    let sql = format!(
        "INSERT INTO ai_generations AS g (id, user_id, application_id, interview_id, kind, tone, instructions, \
         created_at, not_before) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING {COLUMNS}"
    );
    let stmt = tx.prepare_cached(&sql).await?;
    let row = tx
        .query_one(
            &stmt,
            &[
                &Uuid::now_v7(),
                &user_id,
                &application_id,
                &new.interview_id,
                &new.kind.as_str(),
                &new.tone.as_str(),
                &new.instructions,
                &now,
            ],
        )
        .await?;
    let generation = from_row(&row)?;
    tx.commit().await?;
    Ok(generation)
}

pub async fn get(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
) -> StoreResult<Option<Generation>> {
    let sql = format!("SELECT {COLUMNS} FROM ai_generations g WHERE g.id = $1 AND g.user_id = $2");
    super::fetch_opt(db, &sql, &[&id, &user_id], from_row).await
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub application_id: Option<Uuid>,
    pub interview_id: Option<Uuid>,
    pub kind: Option<Kind>,
    pub status: Option<Status>,
    pub limit: usize,
    pub cursor: Option<String>,
}

/// The user's generations, newest first.
pub async fn list(
    db: &impl GenericClient,
    user_id: Uuid,
    q: &ListQuery,
) -> Result<Page<Generation>, ListError> {
    let keyset = Keyset {
        expr: "g.created_at",
        sql_type: "timestamptz",
        id: "g.id",
        nullable: false,
        descending: true,
    };
    let key = |v: Option<String>| v.unwrap_or_default();
    let (app, iv, kind, status) = (
        key(q.application_id.map(|i| i.to_string())),
        key(q.interview_id.map(|i| i.to_string())),
        key(q.kind.map(|k| k.as_str().to_owned())),
        key(q.status.map(|s| s.as_str().to_owned())),
    );
    let mut page = PageQuery::new(
        COLUMNS,
        "ai_generations g",
        keyset,
        &["generations", &app, &iv, &kind, &status],
    );
    let user = page.param(user_id);
    page.condition(format!("g.user_id = {user}"));
    if let Some(a) = q.application_id {
        let p = page.param(a);
        page.condition(format!("g.application_id = {p}"));
    }
    if let Some(i) = q.interview_id {
        let p = page.param(i);
        page.condition(format!("g.interview_id = {p}"));
    }
    if let Some(k) = q.kind {
        let p = page.param(k.as_str().to_owned());
        page.condition(format!("g.kind = {p}"));
    }
    if let Some(s) = q.status {
        let p = page.param(s.as_str().to_owned());
        page.condition(format!("g.status = {p}"));
    }
    page.fetch(db, q.cursor.as_deref(), q.limit, from_row).await
}

/// What a cancel request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancel {
    /// It was queued: cancelled now.
    Cancelled,
    /// It is running: its worker stops at its next lease renewal.
    Requested,
    /// It had already finished (nothing changed).
    Finished,
    Missing,
}

pub async fn cancel(db: &impl GenericClient, user_id: Uuid, id: Uuid) -> StoreResult<Cancel> {
    let stmt = db
        .prepare_cached(
            "WITH g AS (SELECT status FROM ai_generations WHERE id = $1 AND user_id = $2 FOR UPDATE), \
             c AS (UPDATE ai_generations a SET \
               status = CASE WHEN g.status = 'queued' THEN 'cancelled' ELSE a.status END, \
               finished_at = CASE WHEN g.status = 'queued' THEN now() ELSE a.finished_at END, \
               cancel_requested = (g.status = 'running') \
             FROM g WHERE a.id = $1 AND g.status IN ('queued', 'running') RETURNING a.id) \
             SELECT g.status FROM g",
        )
        .await?;
    Ok(match db.query_opt(&stmt, &[&id, &user_id]).await? {
        None => Cancel::Missing,
        Some(row) => match row.try_get::<_, String>(0)?.as_str() {
            "queued" => Cancel::Cancelled,
            "running" => Cancel::Requested,
            _ => Cancel::Finished,
        },
    })
}

/// Deletes a generation (a running one's worker finds its lease gone and stops).
pub async fn delete(db: &impl GenericClient, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached("DELETE FROM ai_generations WHERE id = $1 AND user_id = $2")
        .await?;
    Ok(db.execute(&stmt, &[&id, &user_id]).await? == 1)
}

/// A job a worker holds.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub user_id: Uuid,
    pub generation: Generation,
    pub lease: Uuid,
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Ends jobs whose lease expired for good: cancelled when a cancel was
/// asked, failed when they used their attempts. Answers (user, id, status).
pub async fn sweep(db: &impl GenericClient) -> StoreResult<Vec<(Uuid, Uuid, String)>> {
    let stmt = db
        .prepare_cached(
            "UPDATE ai_generations SET \
               status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'failed' END, \
               error = CASE WHEN cancel_requested THEN error \
                       ELSE 'the generation stopped responding and used its ' || attempts || ' attempts' END, \
               finished_at = now(), lease_token = NULL, lease_expires_at = NULL \
             WHERE status = 'running' AND lease_expires_at < now() AND (cancel_requested OR attempts >= $1) \
             RETURNING user_id, id, status",
        )
        .await?;
    db.query(&stmt, &[&MAX_ATTEMPTS])
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Claims the next job: a queued one whose time has come, or a running one
/// whose lease expired (its worker died); each claim is an attempt.
pub async fn claim(db: &impl GenericClient, lease: Duration) -> StoreResult<Option<Claimed>> {
    let sql = format!(
        "WITH next AS (SELECT id FROM ai_generations \
           WHERE status IN ('queued', 'running') AND not_before <= now() \
             AND (status = 'queued' OR (lease_expires_at < now() AND attempts < $2 AND NOT cancel_requested)) \
           ORDER BY not_before, created_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
         UPDATE ai_generations g SET status = 'running', lease_token = $1, \
           lease_expires_at = now() + make_interval(secs => $3), attempts = g.attempts + 1, \
           started_at = coalesce(g.started_at, now()), output = '', progress = 0 \
         FROM next WHERE g.id = next.id RETURNING {COLUMNS}"
    );
    let stmt = db.prepare_cached(&sql).await?;
    let token = Uuid::new_v4();
    match db
        .query_opt(&stmt, &[&token, &MAX_ATTEMPTS, &secs(lease)])
        .await?
    {
        None => Ok(None),
        Some(row) => Ok(Some(Claimed {
            user_id: row.try_get("user_id")?,
            generation: from_row(&row)?,
            lease: token,
        })),
    }
}

/// Records what an attempt sends (provider, model, prompt, and the fit the
/// draft is written from).
pub async fn begin(
    db: &impl GenericClient,
    job: &Claimed,
    provider: &str,
    model: &str,
    prompt: &str,
    fit: &serde_json::Value,
) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached(
            "UPDATE ai_generations SET provider = $3, model = $4, prompt = $5, fit = $6 \
             WHERE id = $1 AND lease_token = $2",
        )
        .await?;
    Ok(db
        .execute(
            &stmt,
            &[
                &job.generation.id,
                &job.lease,
                &provider,
                &model,
                &prompt,
                fit,
            ],
        )
        .await?
        == 1)
}

/// What a lease renewal found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    Held,
    CancelRequested,
    /// Another worker has the job, or it was deleted: stop quietly.
    Lost,
}

/// Saves the text so far and renews the lease.
pub async fn progress(
    db: &impl GenericClient,
    job: &Claimed,
    output: &str,
    lease: Duration,
) -> StoreResult<Renewal> {
    let stmt = db
        .prepare_cached(
            "UPDATE ai_generations SET output = $3, progress = $4, \
             lease_expires_at = now() + make_interval(secs => $5) \
             WHERE id = $1 AND lease_token = $2 AND status = 'running' RETURNING cancel_requested",
        )
        .await?;
    let chars = output.chars().count() as i32;
    Ok(
        match db
            .query_opt(
                &stmt,
                &[
                    &job.generation.id,
                    &job.lease,
                    &output,
                    &chars,
                    &secs(lease),
                ],
            )
            .await?
        {
            None => Renewal::Lost,
            Some(row) if row.try_get::<_, bool>(0)? => Renewal::CancelRequested,
            Some(_) => Renewal::Held,
        },
    )
}

/// How an attempt ended, for the audit.
pub struct Ending<'a> {
    pub status: Status,
    pub output: &'a str,
    pub error: Option<&'a str>,
    pub usage: &'a Usage,
    /// When to try again (then the job goes back to the queue).
    pub retry_at: Option<OffsetDateTime>,
    pub timing: serde_json::Value,
}

/// Ends an attempt: the final state, or back to the queue for a retry.
/// False when the lease was lost (nothing written).
pub async fn finish(db: &impl GenericClient, job: &Claimed, end: Ending<'_>) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached(
            "UPDATE ai_generations SET status = $3, output = $4, progress = char_length($4), error = $5, \
             prompt_tokens = $6, completion_tokens = $7, \
             finished_at = CASE WHEN $3 = 'queued' THEN NULL ELSE now() END, \
             not_before = coalesce($8, not_before), lease_token = NULL, lease_expires_at = NULL, \
             timings = timings || jsonb_build_array($9::jsonb) \
             WHERE id = $1 AND lease_token = $2",
        )
        .await?;
    let status = if end.retry_at.is_some() {
        "queued"
    } else {
        end.status.as_str()
    };
    Ok(db
        .execute(
            &stmt,
            &[
                &job.generation.id,
                &job.lease,
                &status,
                &end.output,
                &end.error,
                &end.usage.prompt_tokens,
                &end.usage.completion_tokens,
                &end.retry_at,
                &end.timing,
            ],
        )
        .await?
        == 1)
}

/// Generations by status (for metrics).
pub async fn counts(db: &impl GenericClient) -> StoreResult<Vec<(String, i64)>> {
    let stmt = db
        .prepare_cached("SELECT status, count(*) FROM ai_generations GROUP BY status")
        .await?;
    db.query(&stmt, &[])
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}
