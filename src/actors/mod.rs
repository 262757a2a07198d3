//! Supervised actors: the state of the running program. They call the
//! domain for every rule and the store for every row; nothing here imports
//! `http`, and the event bus knows the registry only as recipients.
//!
//! - `user_state` — one `UserState` per active user: every write of that user
//!   passes through it (one at a time), it keeps the user's working set and
//!   answers the dashboard and repeated short reads from memory
//! - `registry` — creates user actors on demand, retires idle ones, and keeps
//!   the directory handlers read without asking it
//! - `commands` — the writes themselves, each one PostgreSQL transaction
//!   under the user's lock (`write`), plus the daily batched re-score
//! - `creates` — group commit: concurrent creates of many users share one
//!   transaction
//! - `read_cache` — the bounded cache of short answers a user actor keeps
//! - `event_bus` — live events to clients on every replica, and cache
//!   invalidation between replicas, over Redis pub/sub
//! - `scheduler` — periodic work (snapshots, reminders, housekeeping, the
//!   daily re-score), fenced in PostgreSQL, led through a Redis lock
//! - `analytics` — daily and weekly snapshots, replayed from history
//! - `ai_pool` — queues drafts within the user's limits and runs them with
//!   bounded workers and leases

pub mod ai_pool;
pub mod analytics;
pub mod commands;
pub mod creates;
pub mod event_bus;
pub mod imports;
pub mod inbox;
pub mod mail_pool;
pub mod read_cache;
pub mod registry;
pub mod scheduler;
pub mod user_state;

use std::sync::atomic::AtomicU64;

pub use registry::{Registry, UserActor};
pub use user_state::UserState;

/// Counters the actors keep (for metrics and tests).
#[derive(Debug, Default)]
pub struct ActorStats {
    /// User actors restarted after a panic.
    pub user_restarts: AtomicU64,
    /// User actors started (first start or after idling).
    pub user_starts: AtomicU64,
    /// Messages sent to user actors that are waiting or being handled.
    pub user_mailbox: std::sync::atomic::AtomicI64,
}
