//! Browser sessions: the cookie holds only a random secret (its SHA-256 is
//! stored), every sign-in gets a new one, and sessions expire when idle and
//! absolutely.

use deadpool_postgres::Pool;
use rand::RngCore;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::hash_token;
use crate::error::Result;
use crate::store::sessions::{self, SessionRow};

pub const SESSION_COOKIE: &str = "jc_session";
/// Pre-session CSRF cookie for the sign-in and register forms.
pub const FORM_CSRF_COOKIE: &str = "jc_csrf";
/// Binds an OIDC sign-in in flight to the browser that started it.
pub const OIDC_COOKIE: &str = "jc_oidc";

/// A session ends after this long without use...
pub const IDLE_LIMIT: Duration = Duration::days(7);
/// ...and this long after sign-in in any case.
pub const ABSOLUTE_LIMIT: Duration = Duration::days(30);

/// A random secret for cookies and CSRF tokens (256 bits, hex).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A new session: the cookie value to send, once.
pub struct NewSession {
    pub cookie_value: String,
    pub csrf_token: String,
}

/// The longest user agent kept for the session list.
const USER_AGENT_MAX: usize = 500;

/// Starts a session for a user (always a new id: no fixation), noting the
/// browser and address it signed in from.
pub async fn start(
    pool: &Pool,
    user_id: Uuid,
    user_agent: Option<&str>,
    address: &str,
) -> Result<NewSession> {
    let cookie_value = random_secret();
    let csrf_token = random_secret();
    let now = OffsetDateTime::now_utc();
    let user_agent: Option<String> = user_agent
        .map(|ua| {
            ua.chars()
                .filter(|c| !c.is_control())
                .take(USER_AGENT_MAX)
                .collect()
        })
        .filter(|ua: &String| !ua.is_empty());
    let client = pool.get().await?;
    sessions::insert(
        &client,
        sessions::NewSession {
            id: Uuid::now_v7(),
            user_id,
            token_hash: &hash_token(&cookie_value),
            csrf_token: &csrf_token,
            user_agent: user_agent.as_deref(),
            address: &address.chars().take(100).collect::<String>(),
            now,
            expires_at: now + ABSOLUTE_LIMIT,
        },
    )
    .await?;
    Ok(NewSession {
        cookie_value,
        csrf_token,
    })
}

/// The live session behind a cookie value, if any, with its activity
/// recorded when the last record is over a minute old (`last_seen_at` is
/// then now: what PostgreSQL holds).
pub async fn resolve(pool: &Pool, cookie_value: &str) -> Result<Option<SessionRow>> {
    let now = OffsetDateTime::now_utc();
    let client = pool.get().await?;
    let mut found =
        sessions::find(&client, &hash_token(cookie_value), now, now - IDLE_LIMIT).await?;
    if let Some(s) = &mut found {
        if now - s.last_seen_at > crate::auth::cache::SESSION_SEEN {
            match sessions::touch(&client, s.id, now).await {
                Ok(()) => s.last_seen_at = now,
                Err(e) => tracing::warn!(error = %e, "could not record a session's activity"),
            }
        }
    }
    Ok(found)
}

/// Ends the session behind a cookie value.
pub async fn end(pool: &Pool, cookie_value: &str) -> Result<()> {
    let client = pool.get().await?;
    sessions::delete_by_hash(&client, &hash_token(cookie_value)).await?;
    Ok(())
}

/// Compares secrets without leaking where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_256_bit_hex() {
        let (a, b) = (random_secret(), random_secret());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
