//! Analytics snapshots, the scheduler's claims, reminders and housekeeping.

use serde_json::Value;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::applications;
use super::page::{Keyset, ListError, Page, PageQuery};
use super::{GenericClient, StoreError, StoreResult};
use crate::domain::metrics::RecordedChange;
use crate::domain::pipeline::Status;
use crate::domain::Application;

/// Every application of the user with its whole recorded history.
pub async fn full_history(
    db: &impl GenericClient,
    user_id: Uuid,
) -> StoreResult<Vec<(Application, Vec<RecordedChange>)>> {
    let apps = applications::all(db, user_id).await?;
    let stmt = db
        .prepare_cached(
            "SELECT application_id, to_status, changed_at, undone, is_undo FROM status_history \
             WHERE user_id = $1 ORDER BY application_id, changed_at, id",
        )
        .await?;
    let mut by_app: std::collections::HashMap<Uuid, Vec<RecordedChange>> =
        std::collections::HashMap::new();
    for r in db.query(&stmt, &[&user_id]).await? {
        let status: String = r.try_get(1)?;
        by_app
            .entry(r.try_get(0)?)
            .or_default()
            .push(RecordedChange {
                to_status: Status::parse(&status)
                    .ok_or_else(|| StoreError::Internal(format!("unexpected status {status:?}")))?,
                changed_at: r.try_get(2)?,
                undone: r.try_get(3)?,
                is_undo: r.try_get(4)?,
            });
    }
    Ok(apps
        .into_iter()
        .map(|a| {
            let h = by_app.remove(&a.id).unwrap_or_default();
            (a, h)
        })
        .collect())
}

/// Writes a snapshot (idempotent by user, period and start).
pub async fn upsert_snapshot(
    db: &impl GenericClient,
    user_id: Uuid,
    period: &str,
    start: Date,
    metrics: &Value,
) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "INSERT INTO analytics_snapshots (user_id, period, period_start, metrics, computed_at) \
             VALUES ($1, $2, $3, $4, now()) ON CONFLICT (user_id, period, period_start) \
             DO UPDATE SET metrics = EXCLUDED.metrics, computed_at = EXCLUDED.computed_at",
        )
        .await?;
    db.execute(&stmt, &[&user_id, &period, &start, metrics])
        .await?;
    Ok(())
}

/// A stored snapshot.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Snapshot {
    pub period: String,
    #[serde(serialize_with = "crate::domain::time::serde_ts::option_date")]
    #[schema(value_type = String, format = Date)]
    pub period_start: Option<Date>,
    #[schema(value_type = Object)]
    pub metrics: Value,
}

/// The user's snapshots of one period kind, oldest first, within [from, to].
pub async fn list_snapshots(
    db: &impl GenericClient,
    user_id: Uuid,
    period: &str,
    from: Option<Date>,
    to: Option<Date>,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Page<Snapshot>, ListError> {
    let keyset = Keyset {
        expr: "s.period_start",
        sql_type: "date",
        id: "s.user_id",
        nullable: false,
        descending: false,
    };
    let (f, t) = (
        from.map(|d| d.to_string()).unwrap_or_default(),
        to.map(|d| d.to_string()).unwrap_or_default(),
    );
    let mut page = PageQuery::new(
        "s.user_id, s.period, s.period_start, s.metrics",
        "analytics_snapshots s",
        keyset,
        &["snapshots", period, &f, &t],
    );
    let (u, p) = (page.param(user_id), page.param(period.to_owned()));
    page.condition(format!("s.user_id = {u} AND s.period = {p}"));
    if let Some(from) = from {
        let p = page.param(from);
        page.condition(format!("s.period_start >= {p}"));
    }
    if let Some(to) = to {
        let p = page.param(to);
        page.condition(format!("s.period_start <= {p}"));
    }
    page.fetch(db, cursor, limit, |r| {
        Ok(Snapshot {
            period: r.try_get("period")?,
            period_start: Some(r.try_get("period_start")?),
            metrics: r.try_get("metrics")?,
        })
    })
    .await
}

/// Every user and their time zone (for the scheduler's daily work).
pub async fn users(db: &impl GenericClient) -> StoreResult<Vec<(Uuid, String)>> {
    let stmt = db
        .prepare_cached("SELECT id, timezone FROM users ORDER BY id")
        .await?;
    db.query(&stmt, &[])
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Claims a job's slot: true for exactly one caller, ever.
pub async fn claim(db: &impl GenericClient, job: &str, slot: &str, by: &str) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached("INSERT INTO scheduler_runs (job, slot, claimed_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .await?;
    Ok(db.execute(&stmt, &[&job, &slot, &by]).await? == 1)
}

pub async fn finish(
    db: &impl GenericClient,
    job: &str,
    slot: &str,
    outcome: &str,
) -> StoreResult<()> {
    let stmt = db
        .prepare_cached("UPDATE scheduler_runs SET finished_at = now(), outcome = $3 WHERE job = $1 AND slot = $2")
        .await?;
    db.execute(&stmt, &[&job, &slot, &outcome]).await?;
    Ok(())
}

/// Gives a failed slot back, so the next tick tries again.
pub async fn release(db: &impl GenericClient, job: &str, slot: &str) -> StoreResult<()> {
    let stmt = db
        .prepare_cached("DELETE FROM scheduler_runs WHERE job = $1 AND slot = $2")
        .await?;
    db.execute(&stmt, &[&job, &slot]).await?;
    Ok(())
}

/// A reminder raised now for the first time.
#[derive(Debug, Clone)]
pub struct RaisedReminder {
    pub user_id: Uuid,
    pub application_id: Uuid,
    pub kind: String,
    pub due_at: OffsetDateTime,
    pub title: String,
}

/// Raises the reminders that are due, set-based, each once: follow-ups
/// (status applied, the user's follow-up delay after applying or the last
/// note), deadlines in the next 7 days, next actions due, and applications
/// quiet for the user's ghosted delay.
pub async fn raise_due_reminders(
    db: &impl GenericClient,
    now: OffsetDateTime,
) -> StoreResult<Vec<RaisedReminder>> {
    let stmt = db
        .prepare_cached(
            "WITH due AS (
               SELECT a.user_id, a.id AS application_id, 'follow_up' AS kind,
                      (GREATEST(a.applied_on, (SELECT max(n.updated_at AT TIME ZONE u.timezone)::date FROM notes n
                        WHERE n.application_id = a.id AND n.user_id = a.user_id))
                        + coalesce((p.doc->>'follow_up_after_days')::int, 7))::timestamp AT TIME ZONE u.timezone AS due_at,
                      'Follow up with ' || a.company || ' (' || a.title || ')' AS title
                 FROM job_applications a JOIN users u ON u.id = a.user_id
                 LEFT JOIN user_preferences p ON p.user_id = a.user_id
                WHERE a.status = 'applied' AND a.applied_on IS NOT NULL
               UNION ALL
               SELECT a.user_id, a.id, 'deadline', a.deadline::timestamp AT TIME ZONE u.timezone,
                      'Deadline for ' || a.company || ' (' || a.title || ')'
                 FROM job_applications a JOIN users u ON u.id = a.user_id
                WHERE a.deadline IS NOT NULL AND a.status NOT IN ('accepted', 'declined', 'rejected', 'withdrawn')
                  AND a.deadline BETWEEN ($1 AT TIME ZONE u.timezone)::date AND ($1 AT TIME ZONE u.timezone)::date + 7
               UNION ALL
               SELECT a.user_id, a.id, 'next_action', a.next_action_at,
                      coalesce(a.next_action, 'Next step') || ' — ' || a.company
                 FROM job_applications a WHERE a.next_action_at IS NOT NULL AND a.next_action_at <= $1
               UNION ALL
               SELECT a.user_id, a.id, 'suggest_ghosted', a.status_changed_at + g.quiet,
                      'No news from ' || a.company || ' for ' || extract(day FROM g.quiet) || ' days — mark as ghosted?'
                 FROM job_applications a
                 LEFT JOIN user_preferences p ON p.user_id = a.user_id
                 CROSS JOIN LATERAL (SELECT make_interval(days => coalesce((p.doc->>'ghosted_after_days')::int, 30)) AS quiet) g
                WHERE a.status IN ('applied', 'screening') AND a.status_changed_at + g.quiet <= $1
                  AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.application_id = a.id AND n.user_id = a.user_id
                                   AND n.updated_at > $1 - g.quiet)
                  AND NOT EXISTS (SELECT 1 FROM interviews i WHERE i.application_id = a.id AND i.user_id = a.user_id
                                   AND greatest(i.created_at, i.scheduled_at) > $1 - g.quiet)
             )
             INSERT INTO reminders (user_id, application_id, kind, due_at)
             SELECT user_id, application_id, kind, due_at FROM due WHERE due_at <= $1 + interval '7 days' AND kind <> 'follow_up'
                OR (kind = 'follow_up' AND due_at <= $1)
             ON CONFLICT DO NOTHING
             RETURNING user_id, application_id, kind, due_at,
                       (SELECT title FROM due d WHERE d.application_id = reminders.application_id AND d.kind = reminders.kind LIMIT 1)",
        )
        .await?;
    db.query(&stmt, &[&now])
        .await?
        .iter()
        .map(|r| {
            Ok(RaisedReminder {
                user_id: r.try_get(0)?,
                application_id: r.try_get(1)?,
                kind: r.try_get(2)?,
                due_at: r.try_get(3)?,
                title: r.try_get::<_, Option<String>>(4)?.unwrap_or_default(),
            })
        })
        .collect()
}

/// Removes what has expired: sessions, tokens, sign-ins in flight, old
/// sign-in failures, and reminders of applications that are gone.
pub async fn housekeeping(
    db: &impl GenericClient,
    now: OffsetDateTime,
    idle_since: OffsetDateTime,
) -> StoreResult<u64> {
    let mut removed = 0;
    for (sql, with_idle) in [
        ("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2", true),
        ("DELETE FROM api_tokens WHERE expires_at IS NOT NULL AND expires_at <= $1", false),
        ("DELETE FROM oidc_logins WHERE expires_at <= $1", false),
        ("DELETE FROM auth_attempts WHERE attempted_at <= $1::timestamptz - interval '1 day'", false),
        ("DELETE FROM ai_usage WHERE day < ($1::timestamptz AT TIME ZONE 'UTC')::date - 2", false),
        (
            "DELETE FROM reminders r WHERE NOT EXISTS (SELECT 1 FROM job_applications a WHERE a.id = r.application_id) AND r.raised_at <= $1",
            false,
        ),
    ] {
        let stmt = db.prepare_cached(sql).await?;
        removed += if with_idle {
            db.execute(&stmt, &[&now, &idle_since]).await?
        } else {
            db.execute(&stmt, &[&now]).await?
        };
    }
    Ok(removed)
}
