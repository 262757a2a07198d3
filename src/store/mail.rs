//! The inbox in PostgreSQL: a user's mailbox (password sealed), the messages
//! read from it (each once per user), their suggestions, and the per-user
//! auto-apply setting.

use serde_json::Value;
use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

use super::page::{Keyset, ListError, Page, PageQuery};
use super::{GenericClient, StoreError, StoreResult};
use crate::domain::suggestion::{MailSummary, Proposed, State, Suggestion};

/// A connected mailbox as stored.
#[derive(Debug, Clone)]
pub struct MailboxRow {
    pub host: String,
    pub port: i32,
    pub security: String,
    pub username: String,
    pub password_sealed: Vec<u8>,
    pub folder: String,
    pub since: OffsetDateTime,
    pub uid_validity: Option<i64>,
    pub last_uid: Option<i64>,
    pub last_sync_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub messages_seen: i32,
}

const MAILBOX_COLUMNS: &str = "host, port, security, username, password_sealed, folder, since, \
    uid_validity, last_uid, last_sync_at, last_error, messages_seen";

fn mailbox_from_row(r: &Row) -> StoreResult<MailboxRow> {
    Ok(MailboxRow {
        host: r.try_get("host")?,
        port: r.try_get("port")?,
        security: r.try_get("security")?,
        username: r.try_get("username")?,
        password_sealed: r.try_get("password_sealed")?,
        folder: r.try_get("folder")?,
        since: r.try_get("since")?,
        uid_validity: r.try_get("uid_validity")?,
        last_uid: r.try_get("last_uid")?,
        last_sync_at: r.try_get("last_sync_at")?,
        last_error: r.try_get("last_error")?,
        messages_seen: r.try_get("messages_seen")?,
    })
}

/// A mailbox to connect (its login and folder already checked).
pub struct NewMailbox<'a> {
    pub host: &'a str,
    pub port: i32,
    pub security: &'a str,
    pub username: &'a str,
    pub password_sealed: &'a [u8],
    pub folder: &'a str,
    pub since: OffsetDateTime,
}

/// Connects (or reconnects) the user's mailbox; reading starts over from `since`.
pub async fn put_mailbox(
    db: &impl GenericClient,
    user: Uuid,
    m: &NewMailbox<'_>,
) -> StoreResult<MailboxRow> {
    let sql = format!(
        "INSERT INTO mailboxes (user_id, host, port, security, username, password_sealed, folder, since) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (user_id) DO UPDATE SET host = $2, port = $3, security = $4, username = $5, \
           password_sealed = $6, folder = $7, since = $8, uid_validity = NULL, last_uid = NULL, \
           last_error = NULL \
         RETURNING {MAILBOX_COLUMNS}"
    );
    let stmt = db.prepare_cached(&sql).await?;
    let row = db
        .query_one(
            &stmt,
            &[
                &user,
                &m.host,
                &m.port,
                &m.security,
                &m.username,
                &m.password_sealed,
                &m.folder,
                &m.since,
            ],
        )
        .await?;
    mailbox_from_row(&row)
}

pub async fn get_mailbox(db: &impl GenericClient, user: Uuid) -> StoreResult<Option<MailboxRow>> {
    let sql = format!("SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE user_id = $1");
    super::fetch_opt(db, &sql, &[&user], mailbox_from_row).await
}

/// Disconnects the mailbox: the sealed password is gone with the row.
pub async fn delete_mailbox(db: &impl GenericClient, user: Uuid) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached("DELETE FROM mailboxes WHERE user_id = $1")
        .await?;
    Ok(db.execute(&stmt, &[&user]).await? == 1)
}

/// Where a sync got to: the folder's UIDVALIDITY, the last UID read, how
/// many new messages it read, and its error (None: it went well).
pub async fn record_sync(
    db: &impl GenericClient,
    user: Uuid,
    uid_validity: Option<i64>,
    last_uid: Option<i64>,
    read: i32,
    error: Option<&str>,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "UPDATE mailboxes SET uid_validity = coalesce($2, uid_validity), \
               last_uid = coalesce($3, last_uid), messages_seen = messages_seen + $4, \
               last_error = $5, last_sync_at = $6 \
             WHERE user_id = $1",
        )
        .await?;
    let error: Option<String> = error.map(|e| e.chars().take(500).collect());
    db.execute(
        &stmt,
        &[&user, &uid_validity, &last_uid, &read, &error, &now],
    )
    .await?;
    Ok(())
}

/// A message read, as kept: headers, a snippet and what it was found to be
/// (never its raw bytes).
pub struct MessageRow<'a> {
    pub key: &'a str,
    pub source: &'a str,
    pub from_address: Option<&'a str>,
    pub from_name: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub sent_at: Option<OffsetDateTime>,
    pub snippet: Option<&'a str>,
    pub kind: &'a str,
    pub note: Option<&'a str>,
}

/// Records a message unless the user's mailbox gave it before: its id, or
/// None when it was already read (by this or any replica).
pub async fn record_message(
    db: &impl GenericClient,
    user: Uuid,
    m: &MessageRow<'_>,
) -> StoreResult<Option<Uuid>> {
    let stmt = db
        .prepare_cached(
            "INSERT INTO mail_messages (id, user_id, message_key, source, from_address, from_name, subject, \
               sent_at, snippet, kind, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (user_id, message_key) DO NOTHING RETURNING id",
        )
        .await?;
    let row = db
        .query_opt(
            &stmt,
            &[
                &Uuid::now_v7(),
                &user,
                &m.key,
                &m.source,
                &m.from_address,
                &m.from_name,
                &m.subject,
                &m.sent_at,
                &m.snippet,
                &m.kind,
                &m.note,
            ],
        )
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// A suggestion to keep for a message.
pub struct NewSuggestion<'a> {
    pub message_id: Uuid,
    pub kind: &'a str,
    pub confidence: f32,
    pub application_id: Option<Uuid>,
    pub proposed: &'a Value,
}

pub async fn insert_suggestion(
    db: &impl GenericClient,
    user: Uuid,
    s: &NewSuggestion<'_>,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    let stmt = db
        .prepare_cached(
            "INSERT INTO mail_suggestions (id, user_id, message_id, kind, confidence, application_id, proposed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    db.execute(
        &stmt,
        &[
            &id,
            &user,
            &s.message_id,
            &s.kind,
            &s.confidence,
            &s.application_id,
            &s.proposed,
        ],
    )
    .await?;
    Ok(id)
}

/// How many suggestions wait, and when they were counted (microseconds
/// since the epoch on the database's clock, the same for every replica), so
/// that counts announced out of order can be told apart.
pub async fn pending_count_at(db: &impl GenericClient, user: Uuid) -> StoreResult<(i64, i64)> {
    let stmt = db
        .prepare_cached(
            "SELECT count(*), (extract(epoch FROM clock_timestamp()) * 1000000)::bigint \
             FROM mail_suggestions WHERE user_id = $1 AND state = 'pending'",
        )
        .await?;
    let row = db.query_one(&stmt, &[&user]).await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// Whether sure suggestions apply themselves for this user (off unless set).
pub async fn auto_apply(db: &impl GenericClient, user: Uuid) -> StoreResult<bool> {
    let sql = "SELECT auto_apply FROM inbox_settings WHERE user_id = $1";
    Ok(super::fetch_opt(db, sql, &[&user], |r| Ok(r.try_get(0)?))
        .await?
        .unwrap_or(false))
}

pub async fn set_auto_apply(db: &impl GenericClient, user: Uuid, on: bool) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "INSERT INTO inbox_settings (user_id, auto_apply) VALUES ($1, $2) \
             ON CONFLICT (user_id) DO UPDATE SET auto_apply = $2, updated_at = now()",
        )
        .await?;
    db.execute(&stmt, &[&user, &on]).await?;
    Ok(())
}

/// The most attempts a mail job gets before it is left failed.
pub const MAX_JOB_ATTEMPTS: i32 = 5;

/// A mail job a worker holds: a mailbox sync, or one uploaded message.
#[derive(Debug, Clone)]
pub struct MailJob {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub raw: Option<Vec<u8>>,
    pub lease: Uuid,
    pub attempts: i32,
}

/// Queues a sync of the user's mailbox unless one is waiting already
/// (answers whether one was queued now).
pub async fn queue_sync(db: &impl GenericClient, user: Uuid) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached(
            "INSERT INTO mail_jobs (id, user_id, kind) \
             SELECT $1, $2, 'sync' WHERE EXISTS (SELECT 1 FROM mailboxes WHERE user_id = $2) \
             ON CONFLICT DO NOTHING",
        )
        .await?;
    Ok(db.execute(&stmt, &[&Uuid::now_v7(), &user]).await? == 1)
}

/// Queues one uploaded message (its bytes are dropped when it is done).
pub async fn queue_message(db: &impl GenericClient, user: Uuid, raw: &[u8]) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    let stmt = db
        .prepare_cached(
            "INSERT INTO mail_jobs (id, user_id, kind, raw) VALUES ($1, $2, 'message', $3)",
        )
        .await?;
    db.execute(&stmt, &[&id, &user, &raw]).await?;
    Ok(id)
}

/// Claims the next due job (or one whose holder's lease ran out), exactly
/// one worker on any replica at a time (`FOR UPDATE SKIP LOCKED`).
pub async fn claim_job(
    db: &impl GenericClient,
    lease: std::time::Duration,
) -> StoreResult<Option<MailJob>> {
    let stmt = db
        .prepare_cached(
            "WITH next AS (SELECT id FROM mail_jobs \
               WHERE status IN ('queued', 'running') AND not_before <= now() \
                 AND (status = 'queued' OR (lease_expires_at < now() AND attempts < $2)) \
               ORDER BY not_before, created_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
             UPDATE mail_jobs j SET status = 'running', lease_token = $1, \
               lease_expires_at = now() + make_interval(secs => $3), attempts = j.attempts + 1 \
             FROM next WHERE j.id = next.id \
             RETURNING j.id, j.user_id, j.kind, j.raw, j.attempts",
        )
        .await?;
    let token = Uuid::new_v4();
    let row = db
        .query_opt(&stmt, &[&token, &MAX_JOB_ATTEMPTS, &lease.as_secs_f64()])
        .await?;
    row.map(|r| {
        Ok(MailJob {
            id: r.try_get(0)?,
            user_id: r.try_get(1)?,
            kind: r.try_get(2)?,
            raw: r.try_get(3)?,
            lease: token,
            attempts: r.try_get(4)?,
        })
    })
    .transpose()
}

/// Ends a job its holder still leases: done (its bytes dropped) or failed
/// with the reason; false when the lease was lost (another took it over).
pub async fn finish_job(
    db: &impl GenericClient,
    job: &MailJob,
    error: Option<&str>,
) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached(
            "UPDATE mail_jobs SET status = CASE WHEN $3::text IS NULL THEN 'done' ELSE 'failed' END, \
               error = $3, raw = NULL, finished_at = now(), lease_token = NULL \
             WHERE id = $1 AND lease_token = $2",
        )
        .await?;
    let error: Option<String> = error.map(|e| e.chars().take(500).collect());
    Ok(db.execute(&stmt, &[&job.id, &job.lease, &error]).await? == 1)
}

/// Queues a sync for every connected mailbox not read within `every`
/// (the scheduler's periodic sync, set-based); answers how many.
pub async fn queue_due_syncs(
    db: &impl GenericClient,
    every: std::time::Duration,
) -> StoreResult<u64> {
    let stmt = db
        .prepare_cached(
            "INSERT INTO mail_jobs (id, user_id, kind) \
             SELECT gen_random_uuid(), m.user_id, 'sync' FROM mailboxes m \
             WHERE m.last_sync_at IS NULL OR m.last_sync_at < now() - make_interval(secs => $1) \
             ON CONFLICT DO NOTHING",
        )
        .await?;
    Ok(db.execute(&stmt, &[&every.as_secs_f64()]).await?)
}

const SUGGESTION_COLUMNS: &str =
    "s.id, s.kind, s.confidence, s.application_id, s.proposed, s.state, \
    s.created_at, m.from_address, m.from_name, m.subject, m.sent_at, m.snippet";
const SUGGESTION_FROM: &str = "mail_suggestions s JOIN mail_messages m ON m.id = s.message_id";

fn suggestion_from_row(r: &Row) -> StoreResult<Suggestion> {
    let state: String = r.try_get("state")?;
    let proposed: Value = r.try_get("proposed")?;
    let from_address: Option<String> = r.try_get("from_address")?;
    let from_name: Option<String> = r.try_get("from_name")?;
    let from = match (from_name, from_address) {
        (Some(n), Some(a)) => Some(format!("{n} <{a}>")),
        (None, a) => a,
        (n, None) => n,
    };
    Ok(Suggestion {
        id: r.try_get("id")?,
        message: MailSummary {
            from,
            subject: r.try_get("subject")?,
            date: r.try_get("sent_at")?,
            snippet: r.try_get("snippet")?,
        },
        kind: r.try_get("kind")?,
        confidence: r.try_get("confidence")?,
        application_id: r.try_get("application_id")?,
        proposed: proposed
            .as_object()
            .and_then(|o| Proposed::parse(o).ok())
            .unwrap_or_default(),
        state: State::parse(&state)
            .ok_or_else(|| StoreError::Internal(format!("unexpected state {state:?}")))?,
        created_at: r.try_get("created_at")?,
    })
}

/// The inbox's filters.
#[derive(Debug, Clone, Default)]
pub struct SuggestionFilter {
    pub state: Option<State>,
    /// Only the decided ones (applied or dismissed), when `state` is None.
    pub decided: bool,
    pub kind: Option<String>,
    pub application_id: Option<Uuid>,
}

/// A page of the user's suggestions, newest first.
pub async fn list_suggestions(
    db: &impl GenericClient,
    user: Uuid,
    filter: &SuggestionFilter,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Page<Suggestion>, ListError> {
    let mut keyset = Keyset::ascending("s.created_at", "timestamptz", "s.id");
    keyset.descending = true;
    let state = filter.state.map(State::as_str).unwrap_or("");
    let kind = filter.kind.clone().unwrap_or_default();
    let app = filter
        .application_id
        .map(|a| a.to_string())
        .unwrap_or_default();
    let mut page = PageQuery::new(
        SUGGESTION_COLUMNS,
        SUGGESTION_FROM,
        keyset,
        &[
            "inbox",
            state,
            &kind,
            &app,
            if filter.decided { "decided" } else { "" },
        ],
    );
    let u = page.param(user);
    page.condition(format!("s.user_id = {u}"));
    if let Some(s) = filter.state {
        let p = page.param(s.as_str().to_owned());
        page.condition(format!("s.state = {p}"));
    }
    if filter.decided && filter.state.is_none() {
        page.condition("s.state <> 'pending'".to_owned());
    }
    if let Some(k) = &filter.kind {
        let p = page.param(k.clone());
        page.condition(format!("s.kind = {p}"));
    }
    if let Some(a) = filter.application_id {
        let p = page.param(a);
        page.condition(format!("s.application_id = {p}"));
    }
    page.fetch(db, cursor, limit, suggestion_from_row).await
}

/// One of the user's suggestions, locked for a decision.
pub async fn lock_suggestion(
    db: &impl GenericClient,
    user: Uuid,
    id: Uuid,
) -> StoreResult<Option<Suggestion>> {
    let sql = format!(
        "SELECT {SUGGESTION_COLUMNS} FROM {SUGGESTION_FROM} WHERE s.id = $1 AND s.user_id = $2 FOR UPDATE OF s"
    );
    super::fetch_opt(db, &sql, &[&id, &user], suggestion_from_row).await
}

/// Records the decision on a suggestion (and what was applied, if edited).
pub async fn decide(
    db: &impl GenericClient,
    user: Uuid,
    id: Uuid,
    state: State,
    proposed: &Value,
) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "UPDATE mail_suggestions SET state = $3, proposed = $4, decided_at = now() \
             WHERE id = $1 AND user_id = $2",
        )
        .await?;
    db.execute(&stmt, &[&id, &user, &state.as_str(), proposed])
        .await?;
    Ok(())
}
