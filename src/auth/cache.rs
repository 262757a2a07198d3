//! A short-lived in-memory cache of API token lookups (token hash → owner), so a request does not always ask PostgreSQL who it is.
//! Revocation on this replica removes the entry at once; entries also expire
//! after `TTL`, which bounds staleness for writes made elsewhere (the
//! scale-out work adds cross-replica revocation events).

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use uuid::Uuid;

/// How long a lookup is trusted.
pub const TTL: Duration = Duration::from_secs(30);
/// A cached session is looked up again once its last sight in PostgreSQL
/// is this old (the lookup records the sight).
pub const SESSION_SEEN: time::Duration = time::Duration::minutes(1);
/// Beyond this many entries the cache is cleared (a crude but safe bound).
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone)]
pub struct Cached {
    pub user_id: Uuid,
    /// The token's or session's id.
    pub id: Uuid,
    /// The credential's own expiry, checked on every hit.
    pub expires_at: Option<OffsetDateTime>,
    /// A browser session's CSRF secret and when it was last seen in
    /// PostgreSQL (None: an API token).
    pub session: Option<(String, OffsetDateTime)>,
    cached_at: Instant,
}

#[derive(Debug, Default)]
pub struct CredentialCache {
    entries: RwLock<HashMap<Vec<u8>, Cached>>,
}

impl CredentialCache {
    pub fn get(&self, hash: &[u8], now: OffsetDateTime) -> Option<Cached> {
        let entries = self.entries.read().ok()?;
        let c = entries.get(hash)?;
        let fresh = c.cached_at.elapsed() < TTL && c.expires_at.is_none_or(|e| e > now);
        fresh.then(|| c.clone())
    }

    pub fn put(&self, hash: Vec<u8>, user_id: Uuid, id: Uuid, expires_at: Option<OffsetDateTime>) {
        self.insert(hash, user_id, id, expires_at, None);
    }

    /// A browser session: trusted for `TTL`, and only while its last sight
    /// recorded in PostgreSQL is under `SESSION_SEEN` old (a lookup then
    /// records it again, so idle expiry holds).
    pub fn get_session(&self, hash: &[u8], now: OffsetDateTime) -> Option<(Cached, String)> {
        let c = self.get(hash, now)?;
        let (csrf, seen) = c.session.clone()?;
        (now - seen < SESSION_SEEN).then_some((c, csrf))
    }

    pub fn put_session(
        &self,
        hash: Vec<u8>,
        user_id: Uuid,
        id: Uuid,
        expires_at: OffsetDateTime,
        csrf: String,
        seen: OffsetDateTime,
    ) {
        self.insert(hash, user_id, id, Some(expires_at), Some((csrf, seen)));
    }

    fn insert(
        &self,
        hash: Vec<u8>,
        user_id: Uuid,
        id: Uuid,
        expires_at: Option<OffsetDateTime>,
        session: Option<(String, OffsetDateTime)>,
    ) {
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                hash,
                Cached {
                    user_id,
                    id,
                    expires_at,
                    session,
                    cached_at: Instant::now(),
                },
            );
        }
    }

    /// Forgets every lookup (the replica may have missed revocations).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }

    /// Forgets what a revocation names: the user's every lookup, or the
    /// tokens and sessions it lists.
    pub fn apply(&self, user_id: Uuid, revoked: &crate::auth::revocation::Revocation) {
        if revoked.cached_lookups {
            self.forget_user(user_id);
        }
        for id in revoked.token_ids.iter().chain(&revoked.session_ids) {
            self.forget(*id);
        }
    }

    /// Forgets a revoked token or session (by its id).
    pub fn forget(&self, id: Uuid) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, c| c.id != id);
        }
    }

    /// Forgets everything of a user (account linking revokes it all).
    pub fn forget_user(&self, user_id: Uuid) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, c| c.user_id != user_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_credential_is_served_until_forgotten_or_expired() {
        let cache = CredentialCache::default();
        let now = OffsetDateTime::now_utc();
        let (user, id) = (Uuid::now_v7(), Uuid::now_v7());
        cache.put(b"h".to_vec(), user, id, None);
        assert_eq!(cache.get(b"h", now).map(|c| c.user_id), Some(user));
        cache.forget(id);
        assert!(cache.get(b"h", now).is_none());
        cache.put(
            b"e".to_vec(),
            user,
            id,
            Some(now - time::Duration::seconds(1)),
        );
        assert!(cache.get(b"e", now).is_none(), "its own expiry wins");
    }
}
