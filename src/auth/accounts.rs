//! Local accounts: registration and password sign-in for an API token.

use deadpool_postgres::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{hash_password, new_token, throttle, verify_or_decoy};
use crate::domain::account::{Credentials, Registration, TokenInfo, User};
use crate::error::{Error, Result};
use crate::store::{tokens, users, StoreError};

/// The name of the token a registration hands out.
pub const REGISTRATION_TOKEN_NAME: &str = "Created at registration";

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(Error::internal)
}

/// Creates a local account and its first API token, in one transaction.
pub async fn register(pool: &Pool, reg: Registration) -> Result<(User, String, TokenInfo)> {
    let password = reg.password.clone();
    let hash = blocking(move || hash_password(&password))
        .await?
        .map_err(Error::internal)?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let now = OffsetDateTime::now_utc();
    let user = match users::insert_local(
        &tx,
        Uuid::now_v7(),
        &reg.email,
        reg.display_name.as_deref(),
        &hash,
        now,
    )
    .await
    {
        Ok(u) => u,
        Err(StoreError::Conflict(c)) if c == "users_email_key" => {
            return Err(Error::Conflict(
                "an account with this email already exists".into(),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let (secret, token_hash) = new_token();
    let info = tokens::insert(
        &tx,
        user.id,
        Uuid::now_v7(),
        REGISTRATION_TOKEN_NAME,
        &token_hash,
        None,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((user, secret, info))
}

/// Checks an email and password, throttled per account and per address.
/// Returns the user's id; a wrong email and a wrong password look the same.
pub async fn verify_credentials(pool: &Pool, creds: &Credentials, address: &str) -> Result<Uuid> {
    let account = creds.email.to_lowercase();
    let now = OffsetDateTime::now_utc();
    let client = pool.get().await?;
    if let Some(retry_after) = throttle::check(&client, &account, address, now).await? {
        return Err(Error::RateLimited { retry_after });
    }
    let found = users::password_by_email(&client, &creds.email).await?;
    let (user_id, hash) = match found {
        Some((id, hash)) => (Some(id), hash),
        None => (None, None),
    };
    let password = creds.password.clone();
    let ok = blocking(move || verify_or_decoy(&password, hash.as_deref())).await?;
    match (ok, user_id) {
        (true, Some(id)) => {
            throttle::record_success(&client, &account).await?;
            Ok(id)
        }
        _ => {
            throttle::record_failure(&client, &account, address, now).await?;
            Err(Error::BadCredentials)
        }
    }
}
