//! The kinds of live events, and what each one tells other replicas' caches.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "application.created")]
    ApplicationCreated,
    #[serde(rename = "application.updated")]
    ApplicationUpdated,
    #[serde(rename = "application.deleted")]
    ApplicationDeleted,
    #[serde(rename = "interview.created")]
    InterviewCreated,
    #[serde(rename = "interview.updated")]
    InterviewUpdated,
    #[serde(rename = "interview.deleted")]
    InterviewDeleted,
    #[serde(rename = "applications.rescored")]
    ApplicationsRescored,
    /// Many applications arrived at once (an import): fetch the list again.
    #[serde(rename = "applications.imported")]
    ApplicationsImported,
    #[serde(rename = "dashboard.updated")]
    DashboardUpdated,
    /// The inbox's suggestions changed (`{pending}`).
    #[serde(rename = "inbox.updated")]
    InboxUpdated,
    #[serde(rename = "generation.progress")]
    GenerationProgress,
    #[serde(rename = "generation.finished")]
    GenerationFinished,
    #[serde(rename = "reminder.due")]
    ReminderDue,
    /// Internal: sessions or tokens were revoked (their streams close).
    #[serde(rename = "credential.revoked")]
    CredentialRevoked,
}

/// What an event raised elsewhere means for this replica's caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalidates {
    /// Nothing cached changes (a generation's progress, a reminder).
    Nothing,
    /// The user's working set and cached reads are stale.
    UserData,
    /// Cached credential lookups (and the streams they opened) must go.
    Credentials,
}

impl EventKind {
    pub const ALL: [EventKind; 14] = [
        EventKind::ApplicationCreated,
        EventKind::ApplicationUpdated,
        EventKind::ApplicationDeleted,
        EventKind::InterviewCreated,
        EventKind::InterviewUpdated,
        EventKind::InterviewDeleted,
        EventKind::ApplicationsRescored,
        EventKind::ApplicationsImported,
        EventKind::DashboardUpdated,
        EventKind::InboxUpdated,
        EventKind::GenerationProgress,
        EventKind::GenerationFinished,
        EventKind::ReminderDue,
        EventKind::CredentialRevoked,
    ];

    /// The name clients see (`event:` in the stream).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ApplicationCreated => "application.created",
            EventKind::ApplicationUpdated => "application.updated",
            EventKind::ApplicationDeleted => "application.deleted",
            EventKind::InterviewCreated => "interview.created",
            EventKind::InterviewUpdated => "interview.updated",
            EventKind::InterviewDeleted => "interview.deleted",
            EventKind::ApplicationsRescored => "applications.rescored",
            EventKind::ApplicationsImported => "applications.imported",
            EventKind::DashboardUpdated => "dashboard.updated",
            EventKind::InboxUpdated => "inbox.updated",
            EventKind::GenerationProgress => "generation.progress",
            EventKind::GenerationFinished => "generation.finished",
            EventKind::ReminderDue => "reminder.due",
            EventKind::CredentialRevoked => "credential.revoked",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A user's every write raises `dashboard.updated` (with its change
    /// sequence), and a re-score changes every score: those invalidate.
    pub fn invalidates(self) -> Invalidates {
        match self {
            EventKind::DashboardUpdated
            | EventKind::ApplicationsRescored
            | EventKind::ApplicationsImported => Invalidates::UserData,
            EventKind::CredentialRevoked => Invalidates::Credentials,
            _ => Invalidates::Nothing,
        }
    }

    /// Whether clients see it (revocations are for the streams themselves).
    pub fn is_internal(self) -> bool {
        self == EventKind::CredentialRevoked
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert_eq!(EventKind::parse("nope"), None);
    }
}
