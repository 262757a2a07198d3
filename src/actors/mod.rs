//! Supervised actors. `UserState` (one per active user, through which every
//! write of that user passes) is created on demand by the `Registry`.

pub mod ai_pool;
pub mod analytics;
pub mod commands;
pub mod creates;
pub mod event_bus;
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
