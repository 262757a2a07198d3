//! Export and import in bulk: an account's applications read a batch at a
//! time with everything hanging on them (a few queries per batch, never one
//! per application), and imported applications written a batch at a time,
//! each table in one statement whose rows travel as one JSON document.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{applications, generations, history, interviews, notes, GenericClient, StoreResult};
use crate::domain::application::{ApplicationDetail, WorkMode};
use crate::domain::duplicates;
use crate::domain::history::StatusHistoryEntry;
use crate::domain::transfer::{ExportedApplication, ImportCounts, ImportedApplication};

/// Where the next batch of an export starts: after this (created_at, id).
pub type After = Option<(OffsetDateTime, Uuid)>;

/// The next `limit` applications of the user (oldest first), with their
/// notes, interviews, history and drafts: five queries per batch.
pub async fn export_batch(
    db: &impl GenericClient,
    user_id: Uuid,
    after: After,
    limit: i64,
) -> StoreResult<Vec<ExportedApplication>> {
    let sql = format!(
        "SELECT {columns}, a.job_description FROM {from} WHERE a.user_id = $1 \
         AND ($2::timestamptz IS NULL OR (a.created_at, a.id) > ($2, $3)) \
         ORDER BY a.created_at, a.id LIMIT $4",
        columns = applications::COLUMNS,
        from = applications::FROM,
    );
    let stmt = db.prepare_cached(&sql).await?;
    let (after_at, after_id) = (after.map(|a| a.0), after.map(|a| a.1));
    let details = db
        .query(&stmt, &[&user_id, &after_at, &after_id, &limit])
        .await?
        .iter()
        .map(applications::detail_from_row)
        .collect::<StoreResult<Vec<ApplicationDetail>>>()?;
    let ids: Vec<Uuid> = details.iter().map(|d| d.application.id).collect();
    let mut notes = children(
        db,
        user_id,
        &ids,
        notes::COLUMNS,
        "notes n",
        "n",
        notes::from_row,
    )
    .await?;
    let mut interviews = children(
        db,
        user_id,
        &ids,
        interviews::COLUMNS,
        "interviews i",
        "i",
        interviews::from_row,
    )
    .await?;
    let mut history = history_of(db, user_id, &ids).await?;
    let mut drafts = children(
        db,
        user_id,
        &ids,
        generations::COLUMNS,
        "ai_generations g",
        "g",
        generations::from_row,
    )
    .await?;
    Ok(details
        .into_iter()
        .map(|detail| {
            let id = detail.application.id;
            ExportedApplication {
                detail,
                notes: notes.remove(&id).unwrap_or_default(),
                interviews: interviews.remove(&id).unwrap_or_default(),
                history: history.remove(&id).unwrap_or_default(),
                generations: drafts.remove(&id).unwrap_or_default(),
            }
        })
        .collect())
}

/// Rows of a child table for these applications, by application, oldest first.
async fn children<T>(
    db: &impl GenericClient,
    user_id: Uuid,
    ids: &[Uuid],
    columns: &str,
    table: &str,
    alias: &str,
    from_row: fn(&tokio_postgres::Row) -> StoreResult<T>,
) -> StoreResult<HashMap<Uuid, Vec<T>>> {
    let sql = format!(
        "SELECT {columns}, {alias}.application_id AS parent FROM {table} \
         WHERE {alias}.user_id = $1 AND {alias}.application_id = ANY($2) \
         ORDER BY {alias}.created_at, {alias}.id"
    );
    let stmt = db.prepare_cached(&sql).await?;
    let mut out: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in db.query(&stmt, &[&user_id, &ids]).await? {
        out.entry(row.try_get("parent")?)
            .or_default()
            .push(from_row(&row)?);
    }
    Ok(out)
}

async fn history_of(
    db: &impl GenericClient,
    user_id: Uuid,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, Vec<StatusHistoryEntry>>> {
    let sql = format!(
        "SELECT {columns}, h.application_id AS parent FROM status_history h \
         WHERE h.user_id = $1 AND h.application_id = ANY($2) ORDER BY h.changed_at, h.id",
        columns = history::COLUMNS,
    );
    let stmt = db.prepare_cached(&sql).await?;
    let mut out: HashMap<Uuid, Vec<StatusHistoryEntry>> = HashMap::new();
    for row in db.query(&stmt, &[&user_id, &ids]).await? {
        out.entry(row.try_get("parent")?)
            .or_default()
            .push(history::from_row(&row)?);
    }
    Ok(out)
}

/// Which of these exported ids the user already has: as an application
/// imported from them, or as the application itself (an export imported
/// into the account it came from).
pub async fn already_there(
    db: &impl GenericClient,
    user_id: Uuid,
    exported: &[Uuid],
) -> StoreResult<HashSet<Uuid>> {
    let stmt = db
        .prepare_cached(
            "SELECT imported_from FROM job_applications WHERE user_id = $1 AND imported_from = ANY($2) \
             UNION SELECT id FROM job_applications WHERE user_id = $1 AND id = ANY($2)",
        )
        .await?;
    let mut found = HashSet::new();
    for row in db.query(&stmt, &[&user_id, &exported]).await? {
        found.insert(row.try_get::<_, Uuid>(0)?);
    }
    Ok(found)
}

/// What the user already has that a spreadsheet's rows could repeat: the
/// URL keys among `url_keys`, and the (company, title, applied_on) of the
/// applications at these companies (all lower case).
pub async fn existing_keys(
    db: &impl GenericClient,
    user_id: Uuid,
    url_keys: &[String],
    companies: &[String],
) -> StoreResult<(
    HashSet<String>,
    HashSet<(String, String, Option<time::Date>)>,
)> {
    let stmt = db
        .prepare_cached(
            "SELECT url_key FROM job_applications WHERE user_id = $1 AND url_key = ANY($2)",
        )
        .await?;
    let urls = db
        .query(&stmt, &[&user_id, &url_keys])
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
    let stmt = db
        .prepare_cached(
            "SELECT lower(company), lower(title), applied_on FROM job_applications \
             WHERE user_id = $1 AND lower(company) = ANY($2)",
        )
        .await?;
    let names = db
        .query(&stmt, &[&user_id, &companies])
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<StoreResult<_>>()?;
    Ok((urls, names))
}

/// An imported application with its score (the account's preferences).
pub struct Scored<'a> {
    pub app: &'a ImportedApplication,
    pub score: i16,
    pub reasons: Vec<String>,
}

fn stamp(t: OffsetDateTime) -> Option<String> {
    t.format(&Rfc3339).ok()
}

/// Inserts imported applications and everything on them with new ids and
/// their original dates; each table is one statement.
pub async fn insert_imported(
    db: &impl GenericClient,
    user_id: Uuid,
    batch: &[Scored<'_>],
) -> StoreResult<ImportCounts> {
    let mut counts = ImportCounts::default();
    let (mut apps, mut notes, mut interviews, mut history, mut drafts) =
        (vec![], vec![], vec![], vec![], vec![]);
    for s in batch {
        let (a, id) = (s.app, Uuid::now_v7());
        let f = &a.application.fields;
        counts += a.counts();
        apps.push(json!({
            "id": id, "company": f.company, "title": f.title, "url": f.url,
            "url_key": f.url.as_deref().and_then(duplicates::url_key),
            "location": f.location, "work_mode": f.work_mode.map(WorkMode::as_str),
            "salary_min": f.salary_min, "salary_max": f.salary_max,
            "salary_currency": f.salary_currency, "status": f.status.as_str(),
            "source": f.source, "applied_on": f.applied_on.map(|d| d.to_string()),
            "deadline": f.deadline.map(|d| d.to_string()),
            "job_description": a.application.job_description, "tags": f.tags,
            "contact_name": f.contact_name, "contact_email": f.contact_email,
            "next_action": f.next_action, "next_action_at": f.next_action_at.and_then(stamp),
            "imported_from": a.exported_id, "version": a.version,
            "status_changed_at": stamp(a.status_changed_at()),
            "created_at": stamp(a.created_at), "updated_at": stamp(a.updated_at),
            "score": s.score, "reasons": s.reasons,
        }));
        for n in &a.notes {
            notes.push(json!({
                "id": Uuid::now_v7(), "application_id": id, "body": n.body, "version": n.version,
                "created_at": stamp(n.created_at), "updated_at": stamp(n.updated_at),
                "imported_from": a.exported_id.map(|_| n.exported_id),
            }));
        }
        let mut new_interviews = HashMap::new();
        for i in &a.interviews {
            let new_id = Uuid::now_v7();
            new_interviews.insert(i.exported_id, new_id);
            let f = &i.fields;
            interviews.push(json!({
                "id": new_id, "application_id": id, "kind": f.kind.as_str(),
                "scheduled_at": stamp(f.scheduled_at), "duration_minutes": f.duration_minutes,
                "location": f.location, "meeting_url": f.meeting_url,
                "interviewers": f.interviewers, "notes": f.notes, "outcome": f.outcome.as_str(),
                "version": i.version, "created_at": stamp(i.created_at),
                "updated_at": stamp(i.updated_at), "imported_from": i.exported_id,
            }));
        }
        for h in &a.history {
            history.push(json!({
                "id": Uuid::now_v7(), "application_id": id,
                "from_status": h.from_status.map(|s| s.as_str()), "to_status": h.to_status.as_str(),
                "changed_at": stamp(h.changed_at), "note": h.note,
                "undone": h.undone, "is_undo": h.is_undo,
            }));
        }
        for g in &a.generations {
            drafts.push(json!({
                "id": Uuid::now_v7(), "application_id": id,
                "interview_id": g.interview_id.and_then(|i| new_interviews.get(&i)),
                "kind": g.kind.as_str(), "tone": g.tone.as_str(), "instructions": g.instructions,
                "status": g.status.as_str(), "provider": g.provider, "model": g.model,
                "output": g.output, "error": g.error, "prompt": g.prompt, "progress": g.progress,
                "attempts": g.attempts, "prompt_tokens": g.usage.prompt_tokens,
                "completion_tokens": g.usage.completion_tokens, "timings": g.timings, "fit": g.fit,
                "created_at": stamp(g.created_at),
                "started_at": g.started_at.and_then(stamp),
                "finished_at": g.finished_at.and_then(stamp), "imported_from": g.exported_id,
            }));
        }
    }
    let statements = [
        (
            "WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, company text, title text, \
             url text, url_key text, location text, work_mode text, salary_min bigint, salary_max bigint, \
             salary_currency text, status text, source text, applied_on date, deadline date, \
             job_description text, tags text[], contact_name text, contact_email text, next_action text, \
             next_action_at timestamptz, imported_from uuid, version integer, status_changed_at timestamptz, \
             created_at timestamptz, updated_at timestamptz, score smallint, reasons text[])), \
             a AS (INSERT INTO job_applications (id, user_id, company, title, url, url_key, location, work_mode, \
             salary_min, salary_max, salary_currency, status, source, applied_on, deadline, job_description, \
             tags, contact_name, contact_email, next_action, next_action_at, imported_from, version, \
             status_changed_at, created_at, updated_at) \
             SELECT id, $2, company, title, url, url_key, location, work_mode, salary_min, salary_max, \
             salary_currency, status, source, applied_on, deadline, job_description, tags, contact_name, \
             contact_email, next_action, next_action_at, imported_from, version, status_changed_at, \
             created_at, updated_at FROM r) \
             INSERT INTO application_scores (application_id, user_id, score, reasons) \
             SELECT id, $2, score, reasons FROM r",
            apps,
        ),
        (
            "INSERT INTO notes (id, user_id, application_id, body, version, created_at, updated_at, imported_from) \
             SELECT id, $2, application_id, body, version, created_at, updated_at, imported_from \
             FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, application_id uuid, body text, version integer, \
             created_at timestamptz, updated_at timestamptz, imported_from uuid) \
             ON CONFLICT DO NOTHING",
            notes,
        ),
        (
            "INSERT INTO interviews (id, user_id, application_id, kind, scheduled_at, duration_minutes, location, \
             meeting_url, interviewers, notes, outcome, version, created_at, updated_at, imported_from) \
             SELECT id, $2, application_id, kind, scheduled_at, duration_minutes, location, meeting_url, \
             interviewers, notes, outcome, version, created_at, updated_at, imported_from \
             FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, application_id uuid, kind text, \
             scheduled_at timestamptz, duration_minutes integer, location text, meeting_url text, \
             interviewers text[], notes text, outcome text, version integer, created_at timestamptz, \
             updated_at timestamptz, imported_from uuid) \
             ON CONFLICT DO NOTHING",
            interviews,
        ),
        (
            "INSERT INTO status_history (id, user_id, application_id, from_status, to_status, changed_at, note, \
             undone, is_undo) \
             SELECT id, $2, application_id, from_status, to_status, changed_at, note, undone, is_undo \
             FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, application_id uuid, from_status text, \
             to_status text, changed_at timestamptz, note text, undone boolean, is_undo boolean)",
            history,
        ),
        (
            "INSERT INTO ai_generations (id, user_id, application_id, interview_id, kind, tone, instructions, \
             status, provider, model, output, error, prompt, progress, attempts, prompt_tokens, \
             completion_tokens, timings, fit, created_at, started_at, finished_at, not_before, imported_from) \
             SELECT id, $2, application_id, interview_id, kind, tone, instructions, status, provider, model, \
             output, error, prompt, progress, attempts, prompt_tokens, completion_tokens, \
             coalesce(timings, '[]'), fit, created_at, started_at, finished_at, created_at, imported_from \
             FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, application_id uuid, interview_id uuid, kind text, \
             tone text, instructions text, status text, provider text, model text, output text, error text, \
             prompt text, progress integer, attempts integer, prompt_tokens integer, completion_tokens integer, \
             timings jsonb, fit jsonb, created_at timestamptz, started_at timestamptz, finished_at timestamptz, \
             imported_from uuid) \
             ON CONFLICT DO NOTHING",
            drafts,
        ),
    ];
    for (sql, rows) in statements {
        if rows.is_empty() {
            continue;
        }
        let stmt = db.prepare_cached(sql).await?;
        db.execute(&stmt, &[&serde_json::Value::Array(rows), &user_id])
            .await?;
    }
    Ok(counts)
}
