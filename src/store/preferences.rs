//! Preferences and scores.

use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{GenericClient, StoreError, StoreResult};
use crate::domain::preferences::Preferences;

/// The user's preferences (defaults when never saved).
pub async fn get(db: &impl GenericClient, user_id: Uuid) -> StoreResult<Preferences> {
    let stmt = db
        .prepare_cached("SELECT doc FROM user_preferences WHERE user_id = $1")
        .await?;
    match db.query_opt(&stmt, &[&user_id]).await? {
        Some(row) => {
            let doc: Value = row.try_get(0)?;
            serde_json::from_value(doc)
                .map_err(|e| StoreError::Internal(format!("stored preferences: {e}")))
        }
        None => Ok(Preferences::default()),
    }
}

/// The preferences of several users (defaults for those who saved none).
pub async fn get_many(
    db: &impl GenericClient,
    user_ids: &[Uuid],
) -> StoreResult<std::collections::HashMap<Uuid, Preferences>> {
    let stmt = db
        .prepare_cached("SELECT user_id, doc FROM user_preferences WHERE user_id = ANY($1)")
        .await?;
    let mut found: std::collections::HashMap<Uuid, Preferences> = std::collections::HashMap::new();
    for row in db.query(&stmt, &[&user_ids]).await? {
        let doc: Value = row.try_get(1)?;
        let prefs = serde_json::from_value(doc)
            .map_err(|e| StoreError::Internal(format!("stored preferences: {e}")))?;
        found.insert(row.try_get(0)?, prefs);
    }
    Ok(user_ids
        .iter()
        .map(|id| (*id, found.remove(id).unwrap_or_default()))
        .collect())
}

pub async fn put(
    db: &impl GenericClient,
    user_id: Uuid,
    prefs: &Preferences,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let doc = serde_json::to_value(prefs).map_err(|e| StoreError::Internal(e.to_string()))?;
    let stmt = db
        .prepare_cached(
            "INSERT INTO user_preferences (user_id, doc, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET doc = EXCLUDED.doc, updated_at = EXCLUDED.updated_at",
        )
        .await?;
    db.execute(&stmt, &[&user_id, &doc, &now]).await?;
    Ok(())
}

/// Writes the scores of (user, application) pairs in one statement (a
/// re-score does not bump versions).
pub async fn write_scores(
    db: &impl GenericClient,
    scores: &[(Uuid, Uuid, i16, Vec<String>)],
) -> StoreResult<()> {
    let users: Vec<Uuid> = scores.iter().map(|s| s.0).collect();
    let ids: Vec<Uuid> = scores.iter().map(|s| s.1).collect();
    let values: Vec<i16> = scores.iter().map(|s| s.2).collect();
    let reasons: Vec<Value> = scores.iter().map(|s| Value::from(s.3.clone())).collect();
    let stmt = db
        .prepare_cached(
            "INSERT INTO application_scores (application_id, user_id, score, reasons) \
             SELECT u.id, u.user_id, u.score, ARRAY(SELECT jsonb_array_elements_text(u.reasons)) \
             FROM UNNEST($1::uuid[], $2::uuid[], $3::smallint[], $4::jsonb[]) AS u(user_id, id, score, reasons) \
             ON CONFLICT (application_id) DO UPDATE SET score = EXCLUDED.score, reasons = EXCLUDED.reasons \
             WHERE application_scores.user_id = EXCLUDED.user_id",
        )
        .await?;
    db.execute(&stmt, &[&users, &ids, &values, &reasons])
        .await?;
    Ok(())
}

/// What scoring needs of each application of the user (with descriptions).
pub async fn scorable(
    db: &impl GenericClient,
    user_id: Uuid,
) -> StoreResult<Vec<(crate::domain::Application, Option<String>)>> {
    let apps = super::applications::all(db, user_id).await?;
    let stmt = db
        .prepare_cached("SELECT id, job_description FROM job_applications WHERE user_id = $1 AND job_description IS NOT NULL")
        .await?;
    let mut descriptions: std::collections::HashMap<Uuid, String> = db
        .query(&stmt, &[&user_id])
        .await?
        .iter()
        .map(|r| Ok::<_, tokio_postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, _>>()?;
    Ok(apps
        .into_iter()
        .map(|a| {
            let jd = descriptions.remove(&a.id);
            (a, jd)
        })
        .collect())
}

/// The user's profile (empty when never saved).
pub async fn profile(
    db: &impl GenericClient,
    user_id: Uuid,
) -> StoreResult<crate::domain::profile::Profile> {
    let stmt = db
        .prepare_cached("SELECT headline, summary, resume_text, skills, links FROM user_profiles WHERE user_id = $1")
        .await?;
    Ok(match db.query_opt(&stmt, &[&user_id]).await? {
        Some(r) => crate::domain::profile::Profile {
            headline: r.try_get(0)?,
            summary: r.try_get(1)?,
            resume_text: r.try_get(2)?,
            skills: r.try_get(3)?,
            links: r.try_get(4)?,
        },
        None => Default::default(),
    })
}

pub async fn put_profile(
    db: &impl GenericClient,
    user_id: Uuid,
    p: &crate::domain::profile::Profile,
    now: OffsetDateTime,
) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "INSERT INTO user_profiles (user_id, headline, summary, resume_text, skills, links, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id) DO UPDATE SET headline = EXCLUDED.headline, \
             summary = EXCLUDED.summary, resume_text = EXCLUDED.resume_text, skills = EXCLUDED.skills, \
             links = EXCLUDED.links, updated_at = EXCLUDED.updated_at",
        )
        .await?;
    db.execute(
        &stmt,
        &[
            &user_id,
            &p.headline,
            &p.summary,
            &p.resume_text,
            &p.skills,
            &p.links,
            &now,
        ],
    )
    .await?;
    Ok(())
}

/// Whether the user saved preferences, and a profile, of their own.
pub async fn has_own(db: &impl GenericClient, user_id: Uuid) -> StoreResult<(bool, bool)> {
    let stmt = db
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM user_preferences WHERE user_id = $1), \
                    EXISTS (SELECT 1 FROM user_profiles WHERE user_id = $1)",
        )
        .await?;
    let row = db.query_one(&stmt, &[&user_id]).await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}
