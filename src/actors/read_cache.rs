//! Answers to repeated reads (a page of applications, one application), kept
//! by the user's actor and valid until that user's next write. Every write
//! of a user passes through their actor, so the actor knows exactly when an
//! answer goes stale: it forgets them all on each write, on a reload and on
//! a restart. An answer computed from PostgreSQL is remembered only if no
//! write happened while it was being computed (the change sequence it was
//! asked at is still the current one).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;

/// The most answers one user's cache holds, and their total size.
const MAX_ENTRIES: usize = 256;
const MAX_BYTES: usize = 4 << 20;

/// All users' caches together hold at most this much: a busy replica's
/// memory does not grow with the number of people reading at once.
const ALL_BYTES: usize = 48 << 20;

/// The bytes every user's cache holds, against one bound.
#[derive(Debug)]
pub struct ReadBudget {
    used: AtomicUsize,
    limit: usize,
}

impl ReadBudget {
    pub const fn new(limit: usize) -> ReadBudget {
        ReadBudget {
            used: AtomicUsize::new(0),
            limit,
        }
    }

    /// Takes `n` bytes if they fit.
    fn take(&self, n: usize) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                (used + n <= self.limit).then_some(used + n)
            })
            .is_ok()
    }

    fn give_back(&self, n: usize) {
        self.used.fetch_sub(n, Ordering::AcqRel);
    }

    /// Bytes held by all caches now.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Acquire)
    }
}

/// The process's one budget.
pub static READ_BUDGET: ReadBudget = ReadBudget::new(ALL_BYTES);

/// A JSON body and the version its `ETag` names, if any.
#[derive(Debug, Clone)]
pub struct CachedBody {
    pub body: Bytes,
    pub version: Option<i32>,
}

#[derive(Debug)]
pub struct ReadCache {
    entries: HashMap<String, CachedBody>,
    bytes: usize,
    budget: &'static ReadBudget,
}

impl Default for ReadCache {
    fn default() -> Self {
        ReadCache::with_budget(&READ_BUDGET)
    }
}

impl Drop for ReadCache {
    fn drop(&mut self) {
        self.clear();
    }
}

impl ReadCache {
    pub fn with_budget(budget: &'static ReadBudget) -> ReadCache {
        ReadCache {
            entries: HashMap::new(),
            bytes: 0,
            budget,
        }
    }

    pub fn get(&self, key: &str) -> Option<CachedBody> {
        self.entries.get(key).cloned()
    }

    /// Remembers an answer; when the cache is full it starts over rather
    /// than tracking recency (the next write empties it anyway).
    pub fn put(&mut self, key: String, value: CachedBody) {
        let size = key.len() + value.body.len();
        if size > MAX_BYTES / 4 {
            return;
        }
        if let Some(old) = self.entries.remove(&key) {
            let freed = key.len() + old.body.len();
            self.bytes -= freed;
            self.budget.give_back(freed);
        }
        if self.entries.len() >= MAX_ENTRIES || self.bytes + size > MAX_BYTES {
            self.clear();
        }
        // When every cache together is full, this answer is not kept (the
        // read is answered all the same; it costs a query next time).
        if !self.budget.take(size) {
            return;
        }
        self.bytes += size;
        self.entries.insert(key, value);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.budget.give_back(self.bytes);
        self.bytes = 0;
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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
        let mut c = ReadCache::default();
        c.put("a".into(), body(10));
        assert_eq!(c.get("a").unwrap().body.len(), 10);
        assert!(c.get("b").is_none());
        c.clear();
        assert!(c.is_empty());
    }

    #[test]
    fn stays_bounded() {
        let mut c = ReadCache::default();
        for i in 0..(MAX_ENTRIES * 3) {
            c.put(format!("k{i}"), body(100));
            assert!(c.len() <= MAX_ENTRIES);
        }
        for i in 0..100 {
            c.put(format!("big{i}"), body(MAX_BYTES / 5));
            assert!(c.bytes <= MAX_BYTES);
        }
        c.put("huge".into(), body(MAX_BYTES));
        assert!(c.get("huge").is_none());
    }

    #[test]
    fn all_caches_together_stay_within_their_budget() {
        let budget: &'static ReadBudget = Box::leak(Box::new(ReadBudget::new(1000)));
        let mut a = ReadCache::with_budget(budget);
        let mut b = ReadCache::with_budget(budget);
        a.put("a1".into(), body(400));
        b.put("b1".into(), body(400));
        assert_eq!(budget.used(), 804);
        // Full: not kept, yet nothing else is lost.
        b.put("b2".into(), body(400));
        assert!(b.get("b2").is_none() && b.get("b1").is_some());
        // A write empties a's cache and gives its bytes back.
        a.clear();
        assert_eq!(budget.used(), 402);
        b.put("b2".into(), body(400));
        assert!(b.get("b2").is_some());
        // A retired actor's cache gives back what it held.
        drop(b);
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn replacing_an_entry_keeps_the_size_right() {
        let mut c = ReadCache::default();
        c.put("a".into(), body(10));
        c.put("a".into(), body(30));
        assert_eq!(c.len(), 1);
        assert_eq!(c.bytes, 1 + 30);
    }
}
