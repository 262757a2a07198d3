//! Imports as one write of the user: an export file (read part by part as
//! it streams in) or a spreadsheet's rows, checked by the API's rules and
//! written in batches inside one transaction — all or nothing. What is
//! already there (matched on the exported ids, or a row's URL or company +
//! title + applied date) is skipped, so importing twice creates nothing twice.

use std::collections::HashSet;

use deadpool_postgres::{Pool, Transaction};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::commands::{write, Done, Effect};
use crate::domain::csv_import::{ImportRow, MatchKey};
use crate::domain::events::EventKind;
use crate::domain::preferences::Preferences;
use crate::domain::profile::Profile;
use crate::domain::scoring::prioritize;
use crate::domain::time::{local_date, local_midnight};
use crate::domain::transfer::{read_application, ImportCounts, ImportedApplication, Part};
use crate::error::{Error, Result};
use crate::store::{preferences, transfer, WriteStart};

/// Applications written per statement.
const BATCH: usize = 500;

/// What the streaming reader sends: a part, or why the file is unreadable.
pub type Incoming = std::result::Result<Part, Error>;

/// The settings of the file replace the account's only where it has none.
async fn import_settings(
    tx: &Transaction<'_>,
    user: Uuid,
    prefs: Option<Value>,
    profile: Option<Value>,
    now: OffsetDateTime,
) -> Result<Option<Preferences>> {
    let (has_prefs, has_profile) = preferences::has_own(tx, user).await?;
    let mut taken = None;
    if let (Some(Value::Object(m)), false) = (prefs, has_prefs) {
        let p = Preferences::parse(&m).map_err(|e| e.within("preferences"))?;
        preferences::put(tx, user, &p, now).await?;
        taken = Some(p);
    }
    if let (Some(Value::Object(m)), false) = (profile, has_profile) {
        let m: Map<String, Value> = m.into_iter().filter(|(k, _)| k != "updated_at").collect();
        let p = Profile::parse(&m).map_err(|e| e.within("profile"))?;
        preferences::put_profile(tx, user, &p, now).await?;
    }
    Ok(taken)
}

/// Writes a batch: what is already there is skipped; the rest is scored by
/// the account's preferences and inserted.
async fn flush(
    tx: &Transaction<'_>,
    user: Uuid,
    batch: &mut Vec<ImportedApplication>,
    prefs: &Preferences,
    start: &WriteStart,
    now: OffsetDateTime,
) -> Result<ImportCounts> {
    let ids: Vec<Uuid> = batch.iter().filter_map(|a| a.exported_id).collect();
    let there = transfer::already_there(tx, user, &ids).await?;
    let fresh: Vec<&ImportedApplication> = batch
        .iter()
        .filter(|a| a.exported_id.is_none_or(|id| !there.contains(&id)))
        .collect();
    let scored: Vec<transfer::Scored> = fresh
        .iter()
        .map(|a| {
            let p = prioritize(
                &a.application.fields,
                a.application.job_description.as_deref(),
                a.status_changed_at(),
                prefs,
                &start.timezone,
                now,
            );
            transfer::Scored {
                app: a,
                score: p.score,
                reasons: p.reasons,
            }
        })
        .collect();
    let mut counts = transfer::insert_imported(tx, user, &scored).await?;
    counts.skipped += batch.len() - fresh.len();
    batch.clear();
    Ok(counts)
}

/// The answer of a bulk write: committed, with one event telling clients
/// to fetch again. It runs outside the user's actor (a long import must not
/// hold up the user's reads); the caller has the actor reload afterwards.
fn imported<R>(value: R, counts: &ImportCounts, change_seq: i64) -> Done<R> {
    let mut done = Done::new(value, Effect::Nothing, change_seq);
    done.events.push((
        EventKind::ApplicationsImported,
        serde_json::json!({"count": counts.applications}),
    ));
    done
}

/// Imports an export file whose parts arrive on `parts`, in one transaction.
pub async fn import_export(
    pool: &Pool,
    user: Uuid,
    mut parts: mpsc::Receiver<Incoming>,
) -> Result<Done<ImportCounts>> {
    write(pool, user, async |tx, start| {
        let now = OffsetDateTime::now_utc();
        let today = local_date(now, &start.timezone);
        let mut prefs = preferences::get(tx, user).await?;
        let (mut counts, mut batch, mut seen) =
            (ImportCounts::default(), Vec::new(), HashSet::new());
        let mut index = 0;
        while let Some(part) = parts.recv().await {
            match part? {
                Part::Settings {
                    preferences: p,
                    profile,
                } => {
                    if let Some(taken) = import_settings(tx, user, p, profile, now).await? {
                        prefs = taken;
                    }
                }
                Part::Application(value) => {
                    let app = read_application(&value, index, today, now)?;
                    index += 1;
                    // The same application twice in one file counts once.
                    if app.exported_id.is_some_and(|id| !seen.insert(id)) {
                        counts.skipped += 1;
                        continue;
                    }
                    batch.push(app);
                    if batch.len() >= BATCH {
                        counts += flush(tx, user, &mut batch, &prefs, start, now).await?;
                    }
                }
            }
        }
        counts += flush(tx, user, &mut batch, &prefs, start, now).await?;
        Ok(imported(counts, &counts, start.change_seq))
    })
    .await
}

/// A spreadsheet row, checked and ready to create.
pub struct SheetRow {
    pub row: ImportRow,
    pub key: MatchKey,
}

/// Whether each row is new: not matching an application the user has (same
/// URL; or, for a row without one, same company, title and applied date),
/// nor an earlier row of the same file. In the rows' order.
pub async fn novelty(
    db: &impl crate::store::GenericClient,
    user: Uuid,
    rows: &[SheetRow],
) -> Result<Vec<bool>> {
    let mut urls = Vec::new();
    let mut companies = Vec::new();
    for r in rows {
        match &r.key {
            MatchKey::Url(u) => urls.push(u.clone()),
            MatchKey::Name { company_lower, .. } => companies.push(company_lower.clone()),
        }
    }
    let (have_urls, have_names) = transfer::existing_keys(db, user, &urls, &companies).await?;
    let mut seen = HashSet::new();
    Ok(rows
        .iter()
        .map(|r| {
            let there = match &r.key {
                MatchKey::Url(u) => have_urls.contains(u),
                MatchKey::Name {
                    company_lower,
                    title_lower,
                    applied_on,
                } => {
                    have_names.contains(&(company_lower.clone(), title_lower.clone(), *applied_on))
                }
            };
            !there && seen.insert(r.key.clone())
        })
        .collect())
}

/// Imports a spreadsheet's checked rows in one transaction: new ones are
/// created (each with one history entry reaching its status, dated
/// `applied_on` when given, and its note); the others are skipped.
pub async fn import_rows(
    pool: &Pool,
    user: Uuid,
    rows: Vec<SheetRow>,
) -> Result<Done<ImportCounts>> {
    write(pool, user, async |tx, start| {
        let now = OffsetDateTime::now_utc();
        let prefs = preferences::get(tx, user).await?;
        let fresh = novelty(tx, user, &rows).await?;
        let mut counts = ImportCounts {
            skipped: fresh.iter().filter(|f| !**f).count(),
            ..ImportCounts::default()
        };
        let mut batch = Vec::new();
        for (r, _) in rows.into_iter().zip(fresh).filter(|(_, f)| *f) {
            let reached_at = r
                .row
                .application
                .fields
                .applied_on
                .map_or(now, |d| local_midnight(d, &start.timezone));
            batch.push(ImportedApplication::from_row(
                r.row.application,
                r.row.note,
                reached_at,
                now,
            ));
            if batch.len() >= BATCH {
                counts += flush(tx, user, &mut batch, &prefs, start, now).await?;
            }
        }
        counts += flush(tx, user, &mut batch, &prefs, start, now).await?;
        Ok(imported(counts, &counts, start.change_seq))
    })
    .await
}
