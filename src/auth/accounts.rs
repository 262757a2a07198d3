//! Local accounts: registration and password sign-in for an API token.

use deadpool_postgres::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::revocation::Revocation;
use super::{
    hash_password, hashing, needs_rehash, new_token, throttle, verify_or_decoy, verify_password,
};
use crate::domain::account::{
    AccountDeletion, Credentials, PasswordChange, Registration, TokenInfo, User,
};
use crate::domain::ValidationError;
use crate::error::{Error, Result};
use crate::store::{sessions, tokens, users, StoreError};

/// The name of the token a registration hands out.
pub const REGISTRATION_TOKEN_NAME: &str = "Created at registration";

/// Hashes a new password in the bounded hashing pool.
async fn hash_new(password: &str) -> Result<String> {
    let password = password.to_owned();
    hashing::pool()
        .run(move || hash_password(&password))
        .await?
        .map_err(Error::internal)
}

/// Creates a local account and its first API token, in one transaction.
pub async fn register(pool: &Pool, reg: Registration) -> Result<(User, String, TokenInfo)> {
    let hash = hash_new(&reg.password).await?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let made = insert_account(
        &tx,
        &reg.email,
        reg.display_name.as_deref(),
        &hash,
        OffsetDateTime::now_utc(),
    )
    .await?;
    tx.commit().await?;
    Ok(made)
}

/// Many accounts with one password (a load benchmark's simulated users):
/// the password is hashed once. Answers each user with their API token.
pub async fn register_many(
    pool: &Pool,
    password: &str,
    emails: &[String],
) -> Result<Vec<(User, String)>> {
    let hash = hash_new(password).await?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let now = OffsetDateTime::now_utc();
    let mut made = Vec::with_capacity(emails.len());
    for email in emails {
        let (user, secret, _) = insert_account(&tx, email, None, &hash, now).await?;
        made.push((user, secret));
    }
    tx.commit().await?;
    Ok(made)
}

/// A local account with a hashed password, and its first API token.
async fn insert_account(
    tx: &deadpool_postgres::Transaction<'_>,
    email: &str,
    display_name: Option<&str>,
    hash: &str,
    now: OffsetDateTime,
) -> Result<(User, String, TokenInfo)> {
    // A taken email is a 409 (store::Constraint::EmailTaken).
    let user = users::insert_local(tx, Uuid::now_v7(), email, display_name, hash, now).await?;
    let (secret, token_hash) = new_token();
    let info = tokens::insert(
        tx,
        user.id,
        Uuid::now_v7(),
        REGISTRATION_TOKEN_NAME,
        &token_hash,
        None,
        now,
    )
    .await?;
    Ok((user, secret, info))
}

/// Checks an email and password, throttled per (account, address), per
/// address and per account; the attempt is counted before the hash runs.
/// Returns the user's id; a wrong email and a wrong password look the same.
/// A password hashed with older parameters is hashed again on success.
pub async fn verify_credentials(pool: &Pool, creds: &Credentials, address: &str) -> Result<Uuid> {
    let account = creds.email.to_lowercase();
    let attempt = throttle::begin_sign_in(pool, &account, address).await?;
    let found = users::password_by_email(&pool.get().await?, &creds.email).await?;
    let (user_id, stored) = match found {
        Some((id, hash)) => (Some(id), hash),
        None => (None, None),
    };
    let (password, hash) = (creds.password.clone(), stored.clone());
    let (ok, rehashed) = hashing::pool()
        .run(move || {
            let ok = verify_or_decoy(&password, hash.as_deref());
            let rehashed = (ok && hash.as_deref().is_some_and(needs_rehash))
                .then(|| hash_password(&password).ok())
                .flatten();
            (ok, rehashed)
        })
        .await?;
    match (ok, user_id, stored) {
        (true, Some(id), Some(old)) => {
            attempt.succeeded(pool).await?;
            if let Some(new) = rehashed {
                users::replace_password_hash(&pool.get().await?, id, &old, &new).await?;
            }
            Ok(id)
        }
        _ => Err(Error::BadCredentials),
    }
}

/// Signs in (or up) a person the OIDC provider vouched for. Accounts are keyed
/// by (issuer, subject); a first sign-in whose *verified* email matches a
/// local account links to it, revoking that account's sessions and tokens and
/// removing its password. An unverified email that matches is refused.
/// Answers the user and what the sign-in revoked (linking ends every earlier
/// session and token, and their live streams).
/// With registration closed (`open_registration` false) an identity that
/// matches no account is refused; linking to an existing account still works.
pub async fn sign_in_oidc(
    pool: &Pool,
    id: &super::oidc::Identity,
    open_registration: bool,
) -> Result<(Uuid, Revocation)> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let now = OffsetDateTime::now_utc();
    if let Some(user) = users::by_oidc(&tx, &id.issuer, &id.subject).await? {
        if users::is_disabled(&tx, user.id).await? {
            return Err(Error::Conflict(
                "this account is disabled; ask the server's operator".into(),
            ));
        }
        if let (Some(email), true) = (&id.email, id.email_verified) {
            // Follow the provider's verified email unless another account has it.
            match users::refresh_oidc_email(&tx, user.id, email).await {
                Ok(()) | Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        tx.commit().await?;
        return Ok((user.id, Revocation::default()));
    }
    let email = id.email.clone().ok_or_else(|| {
        Error::Conflict("your identity provider did not share an email address".into())
    })?;
    let user_id = match users::by_email(&tx, &email).await? {
        Some(existing) if existing.auth_methods.iter().any(|m| m == "oidc") => {
            return Err(Error::Conflict(
                "this email address already belongs to an account that signs in with another identity".into(),
            ))
        }
        Some(_) if !id.email_verified => {
            return Err(Error::Conflict(
                "an account with this email address exists, and your identity provider has not verified the address"
                    .into(),
            ))
        }
        Some(existing) if users::is_disabled(&tx, existing.id).await? => {
            return Err(Error::Conflict(
                "this account is disabled; ask the server's operator".into(),
            ))
        }
        Some(existing) => {
            users::link_oidc(&tx, existing.id, &id.issuer, &id.subject, now).await?;
            let revoked = Revocation {
                session_ids: sessions::delete_for_user(&tx, existing.id).await?,
                token_ids: tokens::delete_for_user(&tx, existing.id).await?,
                cached_lookups: true,
            };
            (existing.id, revoked)
        }
        None if !open_registration => return Err(Error::RegistrationClosed),
        None => {
            let user = users::insert_oidc(&tx, Uuid::now_v7(), &email, id.name.as_deref(), &id.issuer, &id.subject, now)
                .await?;
            (user.id, Revocation::default())
        }
    };
    tx.commit().await?;
    Ok(user_id)
}

/// Creates a local account without an API token (the web form's register).
pub async fn register_user(pool: &Pool, reg: Registration) -> Result<User> {
    let hash = hash_new(&reg.password).await?;
    let client = pool.get().await?;
    let now = OffsetDateTime::now_utc();
    Ok(users::insert_local(
        &client,
        Uuid::now_v7(),
        &reg.email,
        reg.display_name.as_deref(),
        &hash,
        now,
    )
    .await?)
}

/// Checks the signed-in user's own password before a sensitive change,
/// throttled like a sign-in (a stolen session cannot guess it quickly). A
/// wrong one is a 422 naming `field`.
async fn confirm_password(
    pool: &Pool,
    email: &str,
    address: &str,
    hash: &str,
    given: Option<&str>,
    field: &'static str,
) -> Result<()> {
    let Some(given) = given else {
        return Err(Error::Validation(ValidationError::single(
            field,
            "is required: type your current password",
        )));
    };
    let attempt = throttle::begin_sign_in(pool, &email.to_lowercase(), address).await?;
    let (given, hash) = (given.to_owned(), hash.to_owned());
    if hashing::pool()
        .run(move || verify_password(&given, &hash))
        .await?
    {
        attempt.succeeded(pool).await?;
        Ok(())
    } else {
        Err(Error::Validation(ValidationError::single(
            field,
            "is not your current password",
        )))
    }
}

/// The user's email and password hash, after `check` (given the email)
/// passed and, when the account has a password, `given` proved to be it.
async fn confirm_own(
    pool: &Pool,
    user_id: Uuid,
    address: &str,
    check: impl FnOnce(&str) -> Result<()>,
    given: Option<&str>,
    field: &'static str,
) -> Result<(String, Option<String>)> {
    let (email, stored) = users::credentials(&pool.get().await?, user_id)
        .await?
        .ok_or(Error::Unauthenticated)?;
    check(&email)?;
    if let Some(hash) = &stored {
        confirm_password(pool, &email, address, hash, given, field).await?;
    }
    Ok((email, stored))
}

/// Changes (or first sets) the user's password. Every other session ends;
/// with `revoke_tokens` every API token too. Answers what was revoked.
pub async fn change_password(
    pool: &Pool,
    user_id: Uuid,
    change: PasswordChange,
    keep_session: Option<Uuid>,
    address: &str,
) -> Result<Revocation> {
    let (_, stored) = confirm_own(
        pool,
        user_id,
        address,
        |_| Ok(()),
        change.current_password.as_deref(),
        "current_password",
    )
    .await?;
    let new_hash = hash_new(&change.new_password).await?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    // The password checked must still be the one stored (no race with a
    // parallel change).
    if !users::set_password_hash(&tx, user_id, stored.as_deref(), &new_hash).await? {
        return Err(Error::Conflict(
            "the password changed meanwhile; sign in again and retry".into(),
        ));
    }
    let revoked = Revocation {
        session_ids: sessions::delete_others(&tx, user_id, keep_session).await?,
        token_ids: if change.revoke_tokens {
            tokens::delete_for_user(&tx, user_id).await?
        } else {
            Vec::new()
        },
        cached_lookups: change.revoke_tokens,
    };
    tx.commit().await?;
    Ok(revoked)
}

/// Deletes the account and everything it owns, in one transaction, after
/// the typed confirmation (the email) and the password when it has one.
/// Answers what was revoked (every session and token).
pub async fn delete_account(
    pool: &Pool,
    user_id: Uuid,
    request: AccountDeletion,
    address: &str,
) -> Result<Revocation> {
    let confirmed = |email: &str| {
        if request.confirms(email) {
            Ok(())
        } else {
            Err(Error::Validation(ValidationError::single(
                "confirm",
                "must be this account's email address, typed out",
            )))
        }
    };
    confirm_own(
        pool,
        user_id,
        address,
        confirmed,
        request.password.as_deref(),
        "password",
    )
    .await?;
    erase(pool, user_id).await
}

/// Removes a user and every row it owns (one transaction): tables that hold
/// user data reference the user or its applications with `ON DELETE
/// CASCADE`; the sign-in attempts naming its email go too.
pub async fn erase(pool: &Pool, user_id: Uuid) -> Result<Revocation> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let revoked = Revocation {
        session_ids: sessions::delete_others(&tx, user_id, None).await?,
        token_ids: tokens::delete_for_user(&tx, user_id).await?,
        cached_lookups: true,
    };
    if !users::delete(&tx, user_id).await? {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(revoked)
}
