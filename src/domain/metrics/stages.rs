//! The funnel's stages, and what a status and a history entry mean for it.

use serde::Serialize;
use time::OffsetDateTime;

use crate::domain::pipeline::Status;

/// A stage of the funnel, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Applied,
    Screening,
    Interviewing,
    Offer,
    Accepted,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Applied,
        Stage::Screening,
        Stage::Interviewing,
        Stage::Offer,
        Stage::Accepted,
    ];

    pub(super) fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Applied => "applied",
            Stage::Screening => "screening",
            Stage::Interviewing => "interviewing",
            Stage::Offer => "offer",
            Stage::Accepted => "accepted",
        }
    }
}

/// The funnel stage a status implies (`wishlist` and `withdrawn` imply none).
pub fn stage_of(status: Status) -> Option<Stage> {
    use Status::*;
    match status {
        Applied | Rejected | Ghosted => Some(Stage::Applied),
        Screening => Some(Stage::Screening),
        Interviewing => Some(Stage::Interviewing),
        Offer | Declined => Some(Stage::Offer),
        Accepted => Some(Stage::Accepted),
        Wishlist | Withdrawn => None,
    }
}

/// Whether an entry with this status is an answer from the employer.
pub fn is_response(status: Status) -> bool {
    !matches!(
        status,
        Status::Wishlist | Status::Applied | Status::Ghosted | Status::Withdrawn
    )
}

/// One effective status history entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub to_status: Status,
    pub changed_at: OffsetDateTime,
}
