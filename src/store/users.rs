//! Users.

use time::OffsetDateTime;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{GenericClient, StoreResult};
use crate::domain::account::User;

const COLUMNS: &str = "u.id, u.email, u.display_name, u.timezone, u.version, u.created_at, \
    (u.password_hash IS NOT NULL) AS has_password, (u.oidc_subject IS NOT NULL) AS has_oidc";

fn from_row(row: &Row) -> StoreResult<User> {
    let mut auth_methods = Vec::new();
    if row.try_get::<_, bool>("has_password")? {
        auth_methods.push("password".to_owned());
    }
    if row.try_get::<_, bool>("has_oidc")? {
        auth_methods.push("oidc".to_owned());
    }
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        timezone: row.try_get("timezone")?,
        auth_methods,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Inserts a local account; a taken email is `StoreError::Conflict("users_email_key")`.
pub async fn insert_local(
    db: &impl GenericClient,
    id: Uuid,
    email: &str,
    display_name: Option<&str>,
    password_hash: &str,
    now: OffsetDateTime,
) -> StoreResult<User> {
    let sql = format!(
        "INSERT INTO users AS u (id, email, display_name, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"
    );
    let stmt = db.prepare_cached(&sql).await?;
    from_row(
        &db.query_one(&stmt, &[&id, &email, &display_name, &password_hash, &now])
            .await?,
    )
}

pub async fn get(db: &impl GenericClient, id: Uuid) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users u WHERE u.id = $1");
    super::fetch_opt(db, &sql, &[&id], from_row).await
}

/// The user and how many inbox suggestions wait for them, in one statement
/// (what every page shows: the viewer and the navigation's count).
pub async fn get_with_pending(
    db: &impl GenericClient,
    id: Uuid,
) -> StoreResult<Option<(User, i64)>> {
    let sql = format!(
        "SELECT {COLUMNS}, (SELECT count(*) FROM mail_suggestions s \
         WHERE s.user_id = u.id AND s.state = 'pending') AS pending \
         FROM users u WHERE u.id = $1"
    );
    super::fetch_opt(db, &sql, &[&id], |r| {
        Ok((from_row(r)?, r.try_get("pending")?))
    })
    .await
}

pub async fn lock(db: &impl GenericClient, id: Uuid) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users u WHERE u.id = $1 FOR UPDATE");
    super::fetch_opt(db, &sql, &[&id], from_row).await
}

/// The id and password hash of the account with this email (any case); a
/// disabled account has no usable hash (it cannot sign in).
pub async fn password_by_email(
    db: &impl GenericClient,
    email: &str,
) -> StoreResult<Option<(Uuid, Option<String>)>> {
    let stmt = db
        .prepare_cached(
            "SELECT id, CASE WHEN disabled_at IS NULL THEN password_hash END \
                 FROM users WHERE lower(email) = lower($1)",
        )
        .await?;
    Ok(db
        .query_opt(&stmt, &[&email])
        .await?
        .map(|r| Ok::<_, tokio_postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?)
}

/// Replaces a password hash, unless it changed meanwhile (rehashing with
/// today's parameters must never undo a new password).
pub async fn replace_password_hash(
    db: &impl GenericClient,
    id: Uuid,
    old: &str,
    new: &str,
) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached("UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2")
        .await?;
    Ok(db.execute(&stmt, &[&id, &old, &new]).await? == 1)
}

/// The user's time zone (for "today"); UTC when unknown.
pub async fn timezone(db: &impl GenericClient, id: Uuid) -> StoreResult<String> {
    let stmt = db
        .prepare_cached("SELECT timezone FROM users WHERE id = $1")
        .await?;
    Ok(db
        .query_opt(&stmt, &[&id])
        .await?
        .map(|r| r.try_get(0))
        .transpose()?
        .unwrap_or_else(|| "UTC".to_owned()))
}

pub async fn update_profile(
    db: &impl GenericClient,
    id: Uuid,
    display_name: Option<&str>,
    timezone: &str,
    version: i32,
    now: OffsetDateTime,
) -> StoreResult<User> {
    let sql = format!(
        "UPDATE users AS u SET display_name = $2, timezone = $3, version = $4, updated_at = $5 \
         WHERE u.id = $1 RETURNING {COLUMNS}"
    );
    let stmt = db.prepare_cached(&sql).await?;
    from_row(
        &db.query_one(&stmt, &[&id, &display_name, &timezone, &version, &now])
            .await?,
    )
}

/// The user's change sequence and time zone, as a working set starts from.
/// The change sequence of each of these users (one query).
pub async fn change_seqs(
    db: &impl GenericClient,
    ids: &[Uuid],
) -> StoreResult<std::collections::HashMap<Uuid, i64>> {
    let stmt = db
        .prepare_cached("SELECT id, change_seq FROM users WHERE id = ANY($1)")
        .await?;
    db.query(&stmt, &[&ids])
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

pub async fn write_state(db: &impl GenericClient, id: Uuid) -> StoreResult<Option<(i64, String)>> {
    let stmt = db
        .prepare_cached("SELECT change_seq, timezone FROM users WHERE id = $1")
        .await?;
    Ok(db
        .query_opt(&stmt, &[&id])
        .await?
        .map(|r| Ok::<_, tokio_postgres::Error>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()?)
}

/// The user signed in with this OIDC identity.
pub async fn by_oidc(
    db: &impl GenericClient,
    issuer: &str,
    subject: &str,
) -> StoreResult<Option<User>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users u WHERE u.oidc_issuer = $1 AND u.oidc_subject = $2 FOR UPDATE"
    );
    super::fetch_opt(db, &sql, &[&issuer, &subject], from_row).await
}

/// The user with this email (any case), locked.
pub async fn by_email(db: &impl GenericClient, email: &str) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users u WHERE lower(u.email) = lower($1) FOR UPDATE");
    super::fetch_opt(db, &sql, &[&email], from_row).await
}

/// Creates a user from an OIDC identity.
pub async fn insert_oidc(
    db: &impl GenericClient,
    id: Uuid,
    email: &str,
    display_name: Option<&str>,
    issuer: &str,
    subject: &str,
    now: OffsetDateTime,
) -> StoreResult<User> {
    let sql = format!(
        "INSERT INTO users AS u (id, email, display_name, oidc_issuer, oidc_subject, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {COLUMNS}"
    );
    let stmt = db.prepare_cached(&sql).await?;
    from_row(
        &db.query_one(
            &stmt,
            &[&id, &email, &display_name, &issuer, &subject, &now],
        )
        .await?,
    )
}

/// Links an account to an OIDC identity and removes its password: whoever
/// registered the address earlier keeps nothing.
pub async fn link_oidc(
    db: &impl GenericClient,
    id: Uuid,
    issuer: &str,
    subject: &str,
    now: OffsetDateTime,
) -> StoreResult<User> {
    let sql = format!(
        "UPDATE users AS u SET oidc_issuer = $2, oidc_subject = $3, password_hash = NULL, updated_at = $4 \
         WHERE u.id = $1 RETURNING {COLUMNS}"
    );
    let stmt = db.prepare_cached(&sql).await?;
    from_row(&db.query_one(&stmt, &[&id, &issuer, &subject, &now]).await?)
}

/// Keeps the email of an OIDC account in step with its provider.
pub async fn refresh_oidc_email(db: &impl GenericClient, id: Uuid, email: &str) -> StoreResult<()> {
    let stmt = db
        .prepare_cached("UPDATE users SET email = $2 WHERE id = $1 AND email <> $2")
        .await?;
    db.execute(&stmt, &[&id, &email]).await?;
    Ok(())
}

/// The email and password hash of a user (None: no such user).
pub async fn credentials(
    db: &impl GenericClient,
    id: Uuid,
) -> StoreResult<Option<(String, Option<String>)>> {
    let sql = "SELECT email, password_hash FROM users WHERE id = $1";
    super::fetch_opt(db, sql, &[&id], |r| Ok((r.try_get(0)?, r.try_get(1)?))).await
}

/// Sets a new password hash if the stored one is still `expected` (None:
/// the account had none); false when it changed meanwhile.
pub async fn set_password_hash(
    db: &impl GenericClient,
    id: Uuid,
    expected: Option<&str>,
    new: &str,
) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached(
            "UPDATE users SET password_hash = $3, updated_at = now() \
             WHERE id = $1 AND password_hash IS NOT DISTINCT FROM $2",
        )
        .await?;
    Ok(db.execute(&stmt, &[&id, &expected, &new]).await? == 1)
}

/// Deletes a user; every row it owns goes with it (foreign keys cascade),
/// and so do the sign-in attempts naming its email.
pub async fn delete(db: &impl GenericClient, id: Uuid) -> StoreResult<bool> {
    let stmt = db
        .prepare_cached(
            "WITH gone AS (DELETE FROM users WHERE id = $1 RETURNING lower(email) AS account), \
                  attempts AS (DELETE FROM auth_attempts a USING gone WHERE a.account = gone.account) \
             SELECT count(*) FROM gone",
        )
        .await?;
    let gone: i64 = db.query_one(&stmt, &[&id]).await?.try_get(0)?;
    Ok(gone == 1)
}

/// Every user with whether it is disabled and how many applications it
/// has, oldest first (for the operator's list).
pub async fn overview(db: &impl GenericClient) -> StoreResult<Vec<(User, bool, i64)>> {
    let sql = format!(
        "SELECT {COLUMNS}, u.disabled_at IS NOT NULL AS disabled, \
           (SELECT count(*) FROM job_applications a WHERE a.user_id = u.id) AS applications \
         FROM users u ORDER BY u.created_at, u.id"
    );
    let stmt = db.prepare_cached(&sql).await?;
    db.query(&stmt, &[])
        .await?
        .iter()
        .map(|r| {
            Ok((
                from_row(r)?,
                r.try_get("disabled")?,
                r.try_get("applications")?,
            ))
        })
        .collect()
}

/// Sets a password hash whatever the old one was (an operator's reset).
pub async fn force_password_hash(db: &impl GenericClient, id: Uuid, new: &str) -> StoreResult<()> {
    let stmt = db
        .prepare_cached("UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1")
        .await?;
    db.execute(&stmt, &[&id, &new]).await?;
    Ok(())
}

/// Disables (or enables) an account.
pub async fn set_disabled(db: &impl GenericClient, id: Uuid, disabled: bool) -> StoreResult<()> {
    let stmt = db
        .prepare_cached(
            "UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END \
             WHERE id = $1",
        )
        .await?;
    db.execute(&stmt, &[&id, &disabled]).await?;
    Ok(())
}

/// Whether an operator disabled the account.
pub async fn is_disabled(db: &impl GenericClient, id: Uuid) -> StoreResult<bool> {
    let sql = "SELECT disabled_at IS NOT NULL FROM users WHERE id = $1";
    Ok(super::fetch_opt(db, sql, &[&id], |r| Ok(r.try_get(0)?))
        .await?
        .unwrap_or(false))
}
