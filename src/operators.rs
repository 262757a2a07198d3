//! `jobcopilot users …`: the operator's account commands. They work on the
//! database directly (any replica's, or the embedded one), so they need no
//! running server and no account of their own; registration being closed
//! does not stop `create`. What they revoke is announced through PostgreSQL,
//! so running servers forget it at once.

use deadpool_postgres::Pool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::auth::revocation::Revocation;
use crate::auth::{accounts, hash_password, hashing};
use crate::domain::account::{Registration, PASSWORD_MAX, PASSWORD_MIN};
use crate::domain::ValidationError;
use crate::error::{Error, Result};
use crate::store::{revocations, sessions, tokens, users};

/// Why an operator's command did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    /// The email names no account (one line, exit non-zero).
    #[error("no account has the email {0}")]
    UnknownEmail(String),
    /// What was given is not acceptable (a short password, a malformed email).
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Failed(#[from] Error),
}

impl From<crate::store::StoreError> for OperatorError {
    fn from(e: crate::store::StoreError) -> Self {
        OperatorError::Failed(e.into())
    }
}

impl From<tokio_postgres::Error> for OperatorError {
    fn from(e: tokio_postgres::Error) -> Self {
        OperatorError::Failed(e.into())
    }
}

impl From<deadpool_postgres::PoolError> for OperatorError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        OperatorError::Failed(e.into())
    }
}

/// Where a new password comes from: made here (printed once) or given.
pub enum NewPassword {
    Generate,
    Given(String),
}

impl NewPassword {
    /// The password to set, and whether to print it (only one made here).
    fn resolve(self) -> std::result::Result<(String, bool), OperatorError> {
        match self {
            NewPassword::Generate => Ok((generate_password(), true)),
            NewPassword::Given(p) => {
                let n = p.chars().count();
                if n < PASSWORD_MIN {
                    return Err(OperatorError::Refused(format!(
                        "the password must be at least {PASSWORD_MIN} characters"
                    )));
                }
                if n > PASSWORD_MAX || p.chars().any(char::is_control) {
                    return Err(OperatorError::Refused(format!(
                        "the password must be one line of at most {PASSWORD_MAX} characters"
                    )));
                }
                Ok((p, false))
            }
        }
    }
}

/// Reads a password from standard input: one line, without its newline.
pub fn password_from(mut input: impl std::io::BufRead) -> std::io::Result<String> {
    let mut line = String::new();
    input.read_line(&mut line)?;
    let trimmed = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(&line);
    Ok(trimmed.to_owned())
}

/// A one-time password: 20 characters from an alphabet without look-alikes.
pub fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// One account as `users list` shows it.
pub struct AccountLine {
    pub email: String,
    pub display_name: Option<String>,
    pub auth_methods: Vec<String>,
    pub created_at: OffsetDateTime,
    pub disabled: bool,
    pub applications: i64,
}

/// Every account, oldest first.
pub async fn list(pool: &Pool) -> std::result::Result<Vec<AccountLine>, OperatorError> {
    let rows = users::overview(&pool.get().await?).await?;
    Ok(rows
        .into_iter()
        .map(|(user, disabled, applications)| AccountLine {
            email: user.email,
            display_name: user.display_name,
            auth_methods: user.auth_methods,
            created_at: user.created_at,
            disabled,
            applications,
        })
        .collect())
}

/// The accounts as a table for the terminal.
pub fn format_list(lines: &[AccountLine]) -> String {
    let mut out = format!(
        "{:<40} {:<16} {:<10} {:>12}  {}\n",
        "EMAIL", "SIGNS IN WITH", "STATUS", "APPLICATIONS", "CREATED"
    );
    for l in lines {
        out.push_str(&format!(
            "{:<40} {:<16} {:<10} {:>12}  {}\n",
            l.email,
            if l.auth_methods.is_empty() {
                "nothing yet".to_owned()
            } else {
                l.auth_methods.join("+")
            },
            if l.disabled { "disabled" } else { "active" },
            l.applications,
            crate::domain::time::format_timestamp(l.created_at),
        ));
    }
    out.push_str(&format!(
        "{} account{}\n",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" }
    ));
    out
}

/// What a command that set a password did: the password to print, if one
/// was made here.
pub struct PasswordSet {
    pub email: String,
    pub generated: Option<String>,
}

async fn hash(password: String) -> Result<String> {
    hashing::pool()
        .run(move || hash_password(&password))
        .await?
        .map_err(Error::internal)
}

async fn user_id(pool: &Pool, email: &str) -> std::result::Result<Uuid, OperatorError> {
    users::password_by_email(&pool.get().await?, email)
        .await?
        .map(|(id, _)| id)
        .ok_or_else(|| OperatorError::UnknownEmail(email.to_owned()))
}

/// Creates a local account (registration being closed does not matter).
pub async fn create(
    pool: &Pool,
    email: &str,
    display_name: Option<String>,
    password: NewPassword,
) -> std::result::Result<PasswordSet, OperatorError> {
    let (password, made) = password.resolve()?;
    let mut body = serde_json::Map::new();
    body.insert("email".into(), email.into());
    body.insert("password".into(), password.clone().into());
    if let Some(name) = display_name {
        body.insert("display_name".into(), name.into());
    }
    let reg = Registration::parse(&body)
        .map_err(|e: ValidationError| OperatorError::Refused(e.to_string()))?;
    let user = accounts::register_user(pool, reg).await?;
    Ok(PasswordSet {
        email: user.email,
        generated: made.then_some(password),
    })
}

/// Sets a new password (a forgotten one); every session of the account ends.
pub async fn reset_password(
    pool: &Pool,
    email: &str,
    password: NewPassword,
) -> std::result::Result<PasswordSet, OperatorError> {
    let id = user_id(pool, email).await?;
    let (password, made) = password.resolve()?;
    let new_hash = hash(password.clone()).await?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    users::force_password_hash(&tx, id, &new_hash).await?;
    let revoked = Revocation::sessions(sessions::delete_others(&tx, id, None).await?);
    revocations::announce(&tx, id, &revoked.to_value()).await?;
    tx.commit().await?;
    Ok(PasswordSet {
        email: email.to_owned(),
        generated: made.then_some(password),
    })
}

/// Disables an account: it cannot sign in, and its sessions and tokens stop
/// working (they are kept, and work again once it is enabled).
pub async fn disable(pool: &Pool, email: &str) -> std::result::Result<(), OperatorError> {
    let id = user_id(pool, email).await?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    users::set_disabled(&tx, id, true).await?;
    let revoked = Revocation {
        session_ids: sessions::ids_for_user(&tx, id).await?,
        token_ids: tokens::ids_for_user(&tx, id).await?,
        cached_lookups: true,
    };
    revocations::announce(&tx, id, &revoked.to_value()).await?;
    tx.commit().await?;
    Ok(())
}

/// Enables a disabled account again.
pub async fn enable(pool: &Pool, email: &str) -> std::result::Result<(), OperatorError> {
    let id = user_id(pool, email).await?;
    users::set_disabled(&pool.get().await?, id, false).await?;
    Ok(())
}

/// Deletes an account and everything it owns.
pub async fn delete(
    pool: &Pool,
    email: &str,
) -> std::result::Result<(Uuid, Revocation), OperatorError> {
    let id = user_id(pool, email).await?;
    Ok((id, accounts::erase(pool, id).await?))
}
