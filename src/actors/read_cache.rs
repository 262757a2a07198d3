//! Answers to repeated reads (a page of applications, one application),
//! valid until the user's next write. Every write of a user passes through
//! their actor, so the actor knows exactly when an answer goes stale: it
//! starts a new generation of answers on each write, on a reload and on a
//! restart. An answer computed from PostgreSQL is remembered only if no
//! write happened while it was being computed (the change sequence it was
//! asked at is still the current one).
//!
//! The answers of every user live in one cache of the process, bounded in
//! bytes for all of them together and evicting what is least worth keeping
//! (quick_cache's S3-FIFO): a burst of one-off reads by many people costs
//! the bound, never more, and pushes out only answers nobody asks again. An
//! answer is keyed by its user, their generation and what was asked, so a
//! new generation simply never finds the old answers, which age out.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

use bytes::Bytes;
use quick_cache::sync::Cache;
use quick_cache::Weighter;
use uuid::Uuid;

/// All users' answers together, in bytes.
const ALL_BYTES: u64 = 48 << 20;
/// One answer larger than this is not kept.
const ONE_MAX: usize = 1 << 20;

/// A JSON body and the version its `ETag` names, if any.
#[derive(Debug, Clone)]
pub struct CachedBody {
    pub body: Bytes,
    pub version: Option<i32>,
}

type Key = (Uuid, u64, String);

#[derive(Clone)]
struct BySize;

impl Weighter<Key, CachedBody> for BySize {
    fn weight(&self, key: &Key, value: &CachedBody) -> u64 {
        // The key's text, the body, and the entry's own bookkeeping.
        (key.2.len() + value.body.len() + 64) as u64
    }
}

type Answers = Cache<Key, CachedBody, BySize>;

static ANSWERS: LazyLock<Answers> =
    LazyLock::new(|| Cache::with_weighter(16_384, ALL_BYTES, BySize));

/// Generations are never reused, not even by an actor started again, so an
/// answer of an earlier generation is never found.
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    NEXT_GENERATION.fetch_add(1, Ordering::Relaxed)
}

/// One user's answer under `key` in `generation` (for a reader that knows
/// the generation without asking the actor).
pub fn answer(user: Uuid, generation: u64, key: &str) -> Option<CachedBody> {
    ANSWERS.get(&(user, generation, key.to_owned()))
}

/// Bytes the answers of every user hold now.
pub fn bytes_held() -> u64 {
    ANSWERS.weight()
}

/// One user's view of the answers.
pub struct ReadCache {
    answers: &'static Answers,
    user: Uuid,
    generation: u64,
}

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache")
            .field("user", &self.user)
            .field("generation", &self.generation)
            .finish()
    }
}

impl ReadCache {
    pub fn new(user: Uuid) -> ReadCache {
        ReadCache::in_cache(&ANSWERS, user)
    }

    fn in_cache(answers: &'static Answers, user: Uuid) -> ReadCache {
        ReadCache {
            answers,
            user,
            generation: next_generation(),
        }
    }

    pub fn get(&self, key: &str) -> Option<CachedBody> {
        self.answers
            .get(&(self.user, self.generation, key.to_owned()))
    }

    /// Remembers an answer of the current generation.
    pub fn put(&mut self, key: String, value: CachedBody) {
        if value.body.len() > ONE_MAX {
            return;
        }
        self.answers
            .insert((self.user, self.generation, key), value);
    }

    /// The generation answers are kept under now.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Forgets every answer (a write came): they are never found again.
    pub fn clear(&mut self) {
        self.generation = next_generation();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(n: usize) -> CachedBody {
        CachedBody {
            body: Bytes::from(vec![b'x'; n]),
            version: None,
        }
    }

    #[test]
    fn keeps_and_forgets() {
        let mut c = ReadCache::new(Uuid::now_v7());
        c.put("a".into(), body(10));
        assert_eq!(c.get("a").unwrap().body.len(), 10);
        assert!(c.get("b").is_none());
        c.clear();
        assert!(c.get("a").is_none());
    }

    #[test]
    fn users_never_see_each_others_answers_and_a_new_cache_starts_empty() {
        let user = Uuid::now_v7();
        let mut a = ReadCache::new(user);
        let b = ReadCache::new(Uuid::now_v7());
        a.put("page".into(), body(10));
        assert!(b.get("page").is_none());
        // The same user's actor started again: a new generation.
        assert!(ReadCache::new(user).get("page").is_none());
    }

    #[test]
    fn all_answers_together_stay_within_the_bound() {
        // A cache of its own (the process's is shared by the other tests).
        let bound = 256 << 10;
        let answers: &'static Answers =
            Box::leak(Box::new(Cache::with_weighter(64, bound, BySize)));
        let mut c = ReadCache::in_cache(answers, Uuid::now_v7());
        c.put("huge".into(), body(ONE_MAX + 1));
        assert!(c.get("huge").is_none());
        for i in 0..2000 {
            c.put(format!("k{i}"), body(1 << 10));
            assert!(answers.weight() <= bound, "{}", answers.weight());
        }
        // The newest answer is found; the bound pushed most of the others out.
        assert!(c.get("k1999").is_some());
        let kept = (0..2000)
            .filter(|i| c.get(&format!("k{i}")).is_some())
            .count();
        assert!(kept <= 256, "{kept}");
    }
}
