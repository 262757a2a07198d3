//! Job applications in PostgreSQL.

use time::OffsetDateTime;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use uuid::Uuid;

use super::page::{Keyset, ListError, Page, PageQuery};
use super::{GenericClient, StoreError, StoreResult};
use crate::domain::application::{Application, ApplicationDetail, ApplicationFields, WorkMode};
use crate::domain::duplicates;
use crate::domain::pipeline::Status;

/// Applications with their scores (every query reads them through this join).
/// (The score's own user id in the join lets PostgreSQL read only the
/// user's scores when it sorts by them.)
pub(super) const FROM: &str = "job_applications a LEFT JOIN application_scores s \
    ON s.application_id = a.id AND s.user_id = a.user_id";

pub(super) const COLUMNS: &str = "a.id, a.company, a.title, a.url, a.location, a.work_mode, a.salary_min, \
    a.salary_max, a.salary_currency, a.status, a.source, a.applied_on, a.deadline, a.tags, \
    a.contact_name, a.contact_email, a.next_action, a.next_action_at, \
    coalesce(s.score, 0::smallint) AS priority_score, coalesce(s.reasons, '{}'::text[]) AS priority_reasons, \
    a.possible_duplicate_of, a.version, a.created_at, a.updated_at, \
    a.status_changed_at";

fn bad_value(what: &str, value: &str) -> StoreError {
    StoreError::Internal(format!("unexpected {what} {value:?} in job_applications"))
}

pub(super) fn from_row(row: &Row) -> StoreResult<Application> {
    let status: String = row.try_get("status").map_err(StoreError::from)?;
    let work_mode: Option<String> = row.try_get("work_mode").map_err(StoreError::from)?;
    Ok(Application {
        id: row.try_get("id")?,
        fields: ApplicationFields {
            company: row.try_get("company")?,
            title: row.try_get("title")?,
            url: row.try_get("url")?,
            location: row.try_get("location")?,
            work_mode: match work_mode {
                Some(m) => Some(WorkMode::parse(&m).ok_or_else(|| bad_value("work_mode", &m))?),
                None => None,
            },
            salary_min: row.try_get("salary_min")?,
            salary_max: row.try_get("salary_max")?,
            salary_currency: row.try_get("salary_currency")?,
            status: Status::parse(&status).ok_or_else(|| bad_value("status", &status))?,
            source: row.try_get("source")?,
            applied_on: row.try_get("applied_on")?,
            deadline: row.try_get("deadline")?,
            tags: row.try_get("tags")?,
            contact_name: row.try_get("contact_name")?,
            contact_email: row.try_get("contact_email")?,
            next_action: row.try_get("next_action")?,
            next_action_at: row.try_get("next_action_at")?,
        },
        priority_score: row.try_get("priority_score")?,
        priority_reasons: row.try_get("priority_reasons")?,
        possible_duplicate_of: row.try_get("possible_duplicate_of")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        status_changed_at: row.try_get("status_changed_at")?,
    })
}

pub(super) fn detail_from_row(row: &Row) -> StoreResult<ApplicationDetail> {
    Ok(ApplicationDetail {
        application: from_row(row)?,
        job_description: row.try_get("job_description")?,
    })
}

/// One application of the user, with its job description.
pub async fn get(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
) -> StoreResult<Option<ApplicationDetail>> {
    let sql = format!(
        "SELECT {COLUMNS}, a.job_description FROM {FROM} WHERE a.id = $1 AND a.user_id = $2"
    );
    super::fetch_opt(db, &sql, &[&id, &user_id], detail_from_row).await
}

/// An application's version and job description (the rest of it is in the
/// user's working set).
pub async fn description(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
) -> StoreResult<Option<(i32, Option<String>)>> {
    super::fetch_opt(
        db,
        "SELECT version, job_description FROM job_applications WHERE id = $1 AND user_id = $2",
        &[&id, &user_id],
        |r| Ok((r.try_get(0)?, r.try_get(1)?)),
    )
    .await
}

/// The same, locking the row until the transaction ends.
pub async fn lock(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
) -> StoreResult<Option<ApplicationDetail>> {
    let sql = format!(
        "SELECT {COLUMNS}, a.job_description FROM {FROM} WHERE a.id = $1 AND a.user_id = $2 FOR UPDATE OF a"
    );
    super::fetch_opt(db, &sql, &[&id, &user_id], detail_from_row).await
}

/// The company and title of some of the user's applications.
pub async fn names(
    db: &impl GenericClient,
    user_id: Uuid,
    ids: &[Uuid],
) -> StoreResult<std::collections::HashMap<Uuid, (String, String)>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let stmt = db
        .prepare_cached(
            "SELECT id, company, title FROM job_applications WHERE user_id = $1 AND id = ANY($2)",
        )
        .await?;
    db.query(&stmt, &[&user_id, &ids])
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?))))
        .collect()
}

/// The company, title and status of some of the user's applications (what
/// the inbox shows beside a matched mail).
pub async fn briefs(
    db: &impl GenericClient,
    user_id: Uuid,
    ids: &[Uuid],
) -> StoreResult<std::collections::HashMap<Uuid, (String, String, Status)>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let stmt = db
        .prepare_cached(
            "SELECT id, company, title, status FROM job_applications WHERE user_id = $1 AND id = ANY($2)",
        )
        .await?;
    db.query(&stmt, &[&user_id, &ids])
        .await?
        .iter()
        .map(|r| {
            let status: String = r.try_get(3)?;
            let status = Status::parse(&status).ok_or_else(|| bad_value("status", &status))?;
            Ok((r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?, status)))
        })
        .collect()
}

/// Whether the user has this application.
pub async fn exists(db: &impl GenericClient, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached("SELECT 1 FROM job_applications WHERE id = $1 AND user_id = $2")
        .await?;
    Ok(db.query_opt(&stmt, &[&id, &user_id]).await?.is_some())
}

/// For each new application, the newest of its user's applications that it
/// probably repeats: the same normalized URL, or else the same company and
/// title created in the duplicate window. One query for a whole batch.
pub async fn find_duplicates(
    db: &impl GenericClient,
    probes: &[(Uuid, &ApplicationFields)],
    now: OffsetDateTime,
) -> StoreResult<Vec<Option<Uuid>>> {
    let mut users = Vec::with_capacity(probes.len());
    let mut url_keys = Vec::with_capacity(probes.len());
    let mut companies = Vec::with_capacity(probes.len());
    let mut titles = Vec::with_capacity(probes.len());
    for (user, fields) in probes {
        let (company, title) = duplicates::name_key(&fields.company, &fields.title);
        users.push(*user);
        url_keys.push(fields.url.as_deref().and_then(duplicates::url_key));
        companies.push(company);
        titles.push(title);
    }
    let since = now - duplicates::SAME_NAME_WINDOW;
    let stmt = db
        .prepare_cached(
            "SELECT coalesce(\
               (SELECT a.id FROM job_applications a WHERE a.user_id = i.user_id AND a.url_key = i.url_key \
                ORDER BY a.created_at DESC, a.id DESC LIMIT 1), \
               (SELECT a.id FROM job_applications a WHERE a.user_id = i.user_id AND lower(a.company) = i.company \
                AND lower(a.title) = i.title AND a.created_at >= $5 ORDER BY a.created_at DESC, a.id DESC LIMIT 1)) \
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS i(user_id, url_key, company, title, n) \
             ORDER BY i.n",
        )
        .await?;
    let rows = db
        .query(&stmt, &[&users, &url_keys, &companies, &titles, &since])
        .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// What an insert or update writes.
pub struct Write<'a> {
    pub fields: &'a ApplicationFields,
    pub job_description: Option<&'a str>,
    pub priority_score: i16,
    pub priority_reasons: &'a [String],
}

/// The user-written columns, `$3` to `$21` in both insert and update.
struct FieldParams<'a> {
    url_key: Option<String>,
    work_mode: Option<&'static str>,
    status: &'static str,
    w: &'a Write<'a>,
}

impl<'a> FieldParams<'a> {
    fn new(w: &'a Write<'a>) -> Self {
        FieldParams {
            url_key: w.fields.url.as_deref().and_then(duplicates::url_key),
            work_mode: w.fields.work_mode.map(WorkMode::as_str),
            status: w.fields.status.as_str(),
            w,
        }
    }

    /// `$1` id, `$2` user, then the fields, then `extra` from `$22` on.
    fn with<'b>(
        &'b self,
        id: &'b Uuid,
        user: &'b Uuid,
        extra: &[&'b (dyn ToSql + Sync)],
    ) -> Vec<&'b (dyn ToSql + Sync)> {
        let f = self.w.fields;
        let mut params: Vec<&(dyn ToSql + Sync)> = vec![
            id,
            user,
            &f.company,
            &f.title,
            &f.url,
            &self.url_key,
            &f.location,
            &self.work_mode,
            &f.salary_min,
            &f.salary_max,
            &f.salary_currency,
            &self.status,
            &f.source,
            &f.applied_on,
            &f.deadline,
            &self.w.job_description,
            &f.tags,
            &f.contact_name,
            &f.contact_email,
            &f.next_action,
            &f.next_action_at,
        ];
        params.extend_from_slice(extra);
        params
    }
}

/// Inserts a new application.
pub async fn insert(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
    w: Write<'_>,
    duplicate_of: Option<Uuid>,
    now: OffsetDateTime,
) -> StoreResult<ApplicationDetail> {
    let sql = format!(
        "WITH a AS (INSERT INTO job_applications (id, user_id, company, title, url, url_key, location, work_mode, \
         salary_min, salary_max, salary_currency, status, source, applied_on, deadline, job_description, \
         tags, contact_name, contact_email, next_action, next_action_at, possible_duplicate_of, \
         status_changed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
         $20, $21, $22, $23, $23, $23) RETURNING *), \
         s AS (INSERT INTO application_scores (application_id, user_id, score, reasons) VALUES ($1, $2, $24::smallint, $25::text[]) \
         RETURNING *) \
         SELECT {COLUMNS}, a.job_description FROM a LEFT JOIN s ON s.application_id = a.id"
    );
    let stmt = db.prepare_cached(&sql).await?;
    let fields = FieldParams::new(&w);
    let row = db
        .query_one(
            &stmt,
            &fields.with(
                &id,
                &user_id,
                &[&duplicate_of, &now, &w.priority_score, &w.priority_reasons],
            ),
        )
        .await?;
    detail_from_row(&row)
}

/// One application of a batch insert, with its first history entry.
pub struct NewRow<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub write: Write<'a>,
    pub duplicate_of: Option<Uuid>,
    pub history_id: Uuid,
    pub status_note: Option<&'a str>,
}

/// Inserts new applications (several users' at once), their scores and
/// their first history entries, in one statement: the rows travel as one
/// JSON document. Answers them in the order given.
pub async fn insert_many(
    db: &impl GenericClient,
    rows: &[NewRow<'_>],
    now: OffsetDateTime,
) -> StoreResult<Vec<ApplicationDetail>> {
    use time::format_description::well_known::Rfc3339;
    let stamp = |t: OffsetDateTime| t.format(&Rfc3339).ok();
    let docs: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let f = r.write.fields;
            serde_json::json!({
                "id": r.id,
                "user_id": r.user_id,
                "company": f.company,
                "title": f.title,
                "url": f.url,
                "url_key": f.url.as_deref().and_then(duplicates::url_key),
                "location": f.location,
                "work_mode": f.work_mode.map(WorkMode::as_str),
                "salary_min": f.salary_min,
                "salary_max": f.salary_max,
                "salary_currency": f.salary_currency,
                "status": f.status.as_str(),
                "source": f.source,
                "applied_on": f.applied_on.map(|d| d.to_string()),
                "deadline": f.deadline.map(|d| d.to_string()),
                "job_description": r.write.job_description,
                "tags": f.tags,
                "contact_name": f.contact_name,
                "contact_email": f.contact_email,
                "next_action": f.next_action,
                "next_action_at": f.next_action_at.and_then(stamp),
                "possible_duplicate_of": r.duplicate_of,
                "score": r.write.priority_score,
                "reasons": r.write.priority_reasons,
                "history_id": r.history_id,
                "status_note": r.status_note,
            })
        })
        .collect();
    let sql = format!(
        "WITH r AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, user_id uuid, company text, \
         title text, url text, url_key text, location text, work_mode text, salary_min bigint, salary_max bigint, \
         salary_currency text, status text, source text, applied_on date, deadline date, job_description text, \
         tags text[], contact_name text, contact_email text, next_action text, next_action_at timestamptz, \
         possible_duplicate_of uuid, score smallint, reasons text[], history_id uuid, status_note text)), \
         a AS (INSERT INTO job_applications (id, user_id, company, title, url, url_key, location, work_mode, \
         salary_min, salary_max, salary_currency, status, source, applied_on, deadline, job_description, \
         tags, contact_name, contact_email, next_action, next_action_at, possible_duplicate_of, \
         status_changed_at, created_at, updated_at) \
         SELECT id, user_id, company, title, url, url_key, location, work_mode, salary_min, salary_max, \
         salary_currency, status, source, applied_on, deadline, job_description, tags, contact_name, \
         contact_email, next_action, next_action_at, possible_duplicate_of, $2, $2, $2 FROM r RETURNING *), \
         s AS (INSERT INTO application_scores (application_id, user_id, score, reasons) \
         SELECT id, user_id, score, reasons FROM r RETURNING *), \
         h AS (INSERT INTO status_history (id, user_id, application_id, from_status, to_status, changed_at, note, is_undo) \
         SELECT history_id, user_id, id, NULL, status, $2, status_note, false FROM r) \
         SELECT {COLUMNS}, a.job_description FROM a LEFT JOIN s ON s.application_id = a.id"
    );
    let stmt = db.prepare_cached(&sql).await?;
    let doc = serde_json::Value::Array(docs);
    let mut by_id = std::collections::HashMap::new();
    for row in db.query(&stmt, &[&doc, &now]).await? {
        let detail = detail_from_row(&row)?;
        by_id.insert(detail.application.id, detail);
    }
    rows.iter()
        .map(|r| {
            by_id
                .remove(&r.id)
                .ok_or_else(|| StoreError::Internal("an inserted application is missing".into()))
        })
        .collect()
}

/// Bookkeeping of an update, decided by the caller.
pub struct Stamp {
    pub version: i32,
    pub updated_at: OffsetDateTime,
    pub status_changed_at: OffsetDateTime,
}

/// Writes new field values of a locked application.
pub async fn update(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
    w: Write<'_>,
    stamp: Stamp,
) -> StoreResult<ApplicationDetail> {
    let sql = format!(
        "WITH a AS (UPDATE job_applications SET company = $3, title = $4, url = $5, url_key = $6, location = $7, \
         work_mode = $8, salary_min = $9, salary_max = $10, salary_currency = $11, status = $12, \
         source = $13, applied_on = $14, deadline = $15, job_description = $16, tags = $17, \
         contact_name = $18, contact_email = $19, next_action = $20, next_action_at = $21, \
         version = $22, updated_at = $23, status_changed_at = $24 \
         WHERE id = $1 AND user_id = $2 RETURNING *), \
         s AS (INSERT INTO application_scores (application_id, user_id, score, reasons) \
         SELECT id, user_id, $25::smallint, $26::text[] FROM a \
         ON CONFLICT (application_id) DO UPDATE SET score = EXCLUDED.score, reasons = EXCLUDED.reasons RETURNING *) \
         SELECT {COLUMNS}, a.job_description FROM a LEFT JOIN s ON s.application_id = a.id"
    );
    let stmt = db.prepare_cached(&sql).await?;
    let fields = FieldParams::new(&w);
    let extra: [&(dyn ToSql + Sync); 5] = [
        &stamp.version,
        &stamp.updated_at,
        &stamp.status_changed_at,
        &w.priority_score,
        &w.priority_reasons,
    ];
    let row = db
        .query_one(&stmt, &fields.with(&id, &user_id, &extra))
        .await?;
    detail_from_row(&row)
}

/// Deletes an application (its notes, interviews and history go with it).
pub async fn delete(db: &impl GenericClient, user_id: Uuid, id: Uuid) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached("DELETE FROM job_applications WHERE id = $1 AND user_id = $2")
        .await?;
    Ok(db.execute(&stmt, &[&id, &user_id]).await? == 1)
}

pub use crate::domain::listing::{ListQuery, Sort, SortKey};

/// The SQL order of a sort.
fn keyset(sort: Sort) -> Keyset {
    let (expr, sql_type, id, nullable) = match sort.key {
        SortKey::UpdatedAt => ("a.updated_at", "timestamptz", "a.id", false),
        SortKey::CreatedAt => ("a.created_at", "timestamptz", "a.id", false),
        SortKey::AppliedOn => ("a.applied_on", "date", "a.id", true),
        SortKey::Company => ("lower(a.company)", "text", "a.id", false),
        // Every application has its score row (written with it).
        SortKey::PriorityScore => ("s.score", "smallint", "a.id", false),
        SortKey::Deadline => ("a.deadline", "date", "a.id", true),
    };
    Keyset {
        expr,
        sql_type,
        id,
        nullable,
        descending: sort.descending,
    }
}

/// The fingerprint of a list's sort and filters (what its cursors are bound
/// to), whether the page is read here or from a working set in memory.
pub fn list_fingerprint(query: &ListQuery) -> String {
    let (statuses, modes, tags) = normalized_filters(query);
    let q = query.q.clone().unwrap_or_default();
    super::page::fingerprint(&[
        "applications",
        &query.sort.as_string(),
        &statuses.join(","),
        &modes.join(","),
        &tags.join("\u{1f}"),
        &q,
    ])
}

/// The filters sorted and without repeats.
fn normalized_filters(query: &ListQuery) -> (Vec<&'static str>, Vec<&'static str>, Vec<String>) {
    let mut statuses: Vec<&str> = query.statuses.iter().map(|s| s.as_str()).collect();
    statuses.sort_unstable();
    statuses.dedup();
    let mut modes: Vec<&str> = query.work_modes.iter().map(|m| m.as_str()).collect();
    modes.sort_unstable();
    modes.dedup();
    let mut tags = query.tags.clone();
    tags.sort();
    tags.dedup();
    (statuses, modes, tags)
}

/// `%text%` for LIKE, with the pattern characters escaped.
pub fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// A page of the user's applications (without job descriptions), read from
/// PostgreSQL (the list's own path is the working set in memory).
pub async fn list(
    db: &impl GenericClient,
    user_id: Uuid,
    query: &ListQuery,
) -> Result<Page<Application>, ListError> {
    let (statuses, modes, tags) = normalized_filters(query);
    let q = query.q.clone().unwrap_or_default();
    let keyset = keyset(query.sort);
    let mut page = PageQuery::bound_to(COLUMNS, FROM, keyset, list_fingerprint(query));
    let user = page.param(user_id);
    page.condition(format!("a.user_id = {user}"));
    if !statuses.is_empty() {
        let list: Vec<String> = statuses.iter().map(|s| s.to_string()).collect();
        let p = page.param(list);
        page.condition(format!("a.status = ANY({p}::text[])"));
    }
    if !modes.is_empty() {
        let list: Vec<String> = modes.iter().map(|s| s.to_string()).collect();
        let p = page.param(list);
        page.condition(format!("a.work_mode = ANY({p}::text[])"));
    }
    if !tags.is_empty() {
        let p = page.param(tags.clone());
        page.condition(format!("a.tags @> {p}::text[]"));
    }
    if !q.is_empty() {
        // The search document is lower-cased when the row is written
        // (migration V11); the index holds only the user's entries.
        let p = page.param(like_pattern(&q));
        page.condition(format!("a.id = ANY(ARRAY({}))", search_sql(&user, &p)));
    }
    page.fetch(db, query.cursor.as_deref(), query.limit, from_row)
        .await
}

/// The ids of the applications of `user` (a placeholder) that the LIKE
/// pattern `pattern` finds in their search document or in one of their notes.
fn search_sql(user: &str, pattern: &str) -> String {
    format!(
        "SELECT id FROM job_applications WHERE user_id = {user} AND search LIKE lower({pattern}) \
         UNION SELECT application_id FROM notes WHERE user_id = {user} AND lower(body) LIKE lower({pattern})"
    )
}

/// The ids of the user's applications that a search finds (in company,
/// title, location or job description, or in one of their notes), ascending.
/// The search document's index holds only the user's entries.
pub async fn search_ids(db: &impl GenericClient, user_id: Uuid, q: &str) -> StoreResult<Vec<Uuid>> {
    let stmt = db.prepare_cached(&search_sql("$1", "$2")).await?;
    let mut ids = db
        .query(&stmt, &[&user_id, &like_pattern(q)])
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<Vec<Uuid>, _>>()?;
    ids.sort_unstable();
    Ok(ids)
}

/// All of the user's applications without descriptions (an actor's working set).
pub async fn all(db: &impl GenericClient, user_id: Uuid) -> StoreResult<Vec<Application>> {
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE a.user_id = $1 ORDER BY a.id");
    let stmt = db.prepare_cached(&sql).await?;
    db.query(&stmt, &[&user_id])
        .await?
        .iter()
        .map(from_row)
        .collect()
}

/// Every application of several users, with its job description (the
/// daily re-score of a batch of users, in one query).
pub async fn all_with_descriptions(
    db: &impl GenericClient,
    user_ids: &[Uuid],
) -> StoreResult<Vec<(Uuid, Application, Option<String>)>> {
    let sql = format!(
        "SELECT {COLUMNS}, a.user_id, a.job_description FROM {FROM} WHERE a.user_id = ANY($1) ORDER BY a.user_id, a.id"
    );
    let stmt = db.prepare_cached(&sql).await?;
    db.query(&stmt, &[&user_ids])
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("user_id")?,
                from_row(r)?,
                r.try_get("job_description")?,
            ))
        })
        .collect()
}

/// Back-dates an application's bookkeeping (demo data and imports only).
pub async fn set_times(
    db: &impl GenericClient,
    user_id: Uuid,
    id: Uuid,
    updated_at: OffsetDateTime,
    status_changed_at: OffsetDateTime,
) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "UPDATE job_applications SET updated_at = $3, status_changed_at = $4 WHERE id = $1 AND user_id = $2",
        )
        .await?;
    db.execute(&stmt, &[&id, &user_id, &updated_at, &status_changed_at])
        .await?;
    Ok(())
}

/// How many of the user's applications are in each status.
pub async fn status_counts(
    db: &impl GenericClient,
    user_id: Uuid,
) -> StoreResult<Vec<(Status, i64)>> {
    let stmt = db
        .prepare_cached(
            "SELECT status, count(*) FROM job_applications WHERE user_id = $1 GROUP BY status",
        )
        .await?;
    db.query(&stmt, &[&user_id])
        .await?
        .iter()
        .map(|r| {
            let s: String = r.try_get(0)?;
            Ok((
                Status::parse(&s).ok_or_else(|| bad_value("status", &s))?,
                r.try_get(1)?,
            ))
        })
        .collect()
}

/// An application's deadline, for the calendar feed.
pub struct Deadline {
    pub id: Uuid,
    pub version: i32,
    pub company: String,
    pub title: String,
    pub deadline: time::Date,
    pub updated_at: OffsetDateTime,
}

/// The user's applications that have a deadline.
pub async fn deadlines(db: &impl GenericClient, user_id: Uuid) -> StoreResult<Vec<Deadline>> {
    let stmt = db
        .prepare_cached(
            "SELECT id, version, company, title, deadline, updated_at FROM job_applications \
             WHERE user_id = $1 AND deadline IS NOT NULL ORDER BY deadline, id",
        )
        .await?;
    db.query(&stmt, &[&user_id])
        .await?
        .iter()
        .map(|r| {
            Ok(Deadline {
                id: r.try_get(0)?,
                version: r.try_get(1)?,
                company: r.try_get(2)?,
                title: r.try_get(3)?,
                deadline: r.try_get(4)?,
                updated_at: r.try_get(5)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
