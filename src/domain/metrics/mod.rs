//! The dashboard's figures, as the contract defines them, kept incrementally:
//! each application and interview contributes to the aggregates, and a write
//! swaps the old contribution for the new one. Reading the dashboard touches
//! only the aggregates and a few ordered indexes, never every application.
//!
//! History entries that are undone, and undo entries themselves, are ignored
//! everywhere (callers pass only the effective entries).
//!
//! - `stages`: the funnel's stages and what a status implies
//! - `aggregates`: the incrementally maintained figures of one user
//! - `dashboard`: the dashboard as the API answers it
//! - `snapshot`: the figures as they stood at an instant (history replayed)

mod aggregates;
mod dashboard;
mod snapshot;
mod stages;

pub use aggregates::*;
pub use dashboard::*;
pub use snapshot::*;
pub use stages::*;
