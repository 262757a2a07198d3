//! The domain: what Job Copilot knows about a job search, with no I/O.
//! Every rule has a name here; handlers, actors and the store call it.

pub mod account;
pub mod application;
pub mod calendar;
pub mod capture;
pub mod csv_import;
pub mod currency;
pub mod draft;
pub mod duplicates;
pub mod events;
pub mod fields;
pub mod fit;
pub mod generation;
pub mod history;
pub mod interview;
pub mod listing;
pub mod mail;
pub mod mailbox;
pub mod metrics;
pub mod net;
pub mod note;
pub mod pipeline;
pub mod posting;
pub mod preferences;
pub mod profile;
pub mod scoring;
pub mod search;
pub mod suggestion;
pub mod time;
pub mod transfer;
pub mod user_agent;

pub use account::{TokenInfo, User};
pub use application::{Application, ApplicationDetail, ApplicationFields, WorkMode};
pub use fields::{FieldError, Patch, ValidationError};
pub use history::StatusHistoryEntry;
pub use interview::{Interview, InterviewKind, Outcome};
pub use note::Note;
pub use pipeline::{InvalidTransition, Status};

/// Checks an `If-Match` version against the current one.
pub fn check_version(current: i32, expected: Option<i32>) -> Result<(), StaleVersion> {
    match expected {
        Some(e) if e != current => Err(StaleVersion {
            expected: e,
            current,
        }),
        _ => Ok(()),
    }
}

/// The resource changed since the client read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaleVersion {
    pub expected: i32,
    pub current: i32,
}
