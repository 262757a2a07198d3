//! Answers to repeated reads (a page of applications, one application), kept
//! by the user's actor and valid until that user's next write. Every write
//! of a user passes through their actor, so the actor knows exactly when an
//! answer goes stale: it forgets them all on each write, on a reload and on
//! a restart. An answer computed from PostgreSQL is remembered only if no
//! write happened while it was being computed (the change sequence it was
//! asked at is still the current one).

use std::collections::HashMap;

use bytes::Bytes;

/// The most answers one user's cache holds, and their total size.
const MAX_ENTRIES: usize = 256;
const MAX_BYTES: usize = 4 << 20;

/// A JSON body and the version its `ETag` names, if any.
#[derive(Debug, Clone)]
pub struct CachedBody {
    pub body: Bytes,
    pub version: Option<i32>,
}

#[derive(Debug, Default)]
pub struct ReadCache {
    entries: HashMap<String, CachedBody>,
    bytes: usize,
}

impl ReadCache {
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
            self.bytes -= key.len() + old.body.len();
        }
        if self.entries.len() >= MAX_ENTRIES || self.bytes + size > MAX_BYTES {
            self.clear();
        }
        self.bytes += size;
        self.entries.insert(key, value);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
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
    fn replacing_an_entry_keeps_the_size_right() {
        let mut c = ReadCache::default();
        c.put("a".into(), body(10));
        c.put("a".into(), body(30));
        assert_eq!(c.len(), 1);
        assert_eq!(c.bytes, 1 + 30);
    }
}
