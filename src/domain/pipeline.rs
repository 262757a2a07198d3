//! The status pipeline of a job application: which changes are allowed, and
//! how a final status is undone.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = ApplicationStatus)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Wishlist,
    Applied,
    Screening,
    Interviewing,
    Offer,
    Accepted,
    Declined,
    Rejected,
    Withdrawn,
    Ghosted,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Wishlist,
        Status::Applied,
        Status::Screening,
        Status::Interviewing,
        Status::Offer,
        Status::Accepted,
        Status::Declined,
        Status::Rejected,
        Status::Withdrawn,
        Status::Ghosted,
    ];

    pub const CHOICES: [(&'static str, Status); 10] = [
        ("wishlist", Status::Wishlist),
        ("applied", Status::Applied),
        ("screening", Status::Screening),
        ("interviewing", Status::Interviewing),
        ("offer", Status::Offer),
        ("accepted", Status::Accepted),
        ("declined", Status::Declined),
        ("rejected", Status::Rejected),
        ("withdrawn", Status::Withdrawn),
        ("ghosted", Status::Ghosted),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Wishlist => "wishlist",
            Status::Applied => "applied",
            Status::Screening => "screening",
            Status::Interviewing => "interviewing",
            Status::Offer => "offer",
            Status::Accepted => "accepted",
            Status::Declined => "declined",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
            Status::Ghosted => "ghosted",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Self::CHOICES.iter().find(|(n, _)| *n == s).map(|(_, v)| *v)
    }

    /// A final status: left only by undoing the change that entered it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Accepted | Status::Declined | Status::Rejected | Status::Withdrawn
        )
    }

    /// Still in play (not final).
    pub fn is_active(self) -> bool {
        !self.is_final()
    }

    /// The statuses a forward change may go to.
    pub fn forward(self) -> &'static [Status] {
        use Status::*;
        match self {
            Wishlist => &[Applied, Withdrawn],
            Applied => &[Screening, Interviewing, Offer, Rejected, Withdrawn, Ghosted],
            Screening => &[Interviewing, Offer, Rejected, Withdrawn, Ghosted],
            Interviewing => &[Offer, Rejected, Withdrawn, Ghosted],
            Offer => &[Accepted, Declined, Rejected, Withdrawn],
            Ghosted => &[Screening, Interviewing, Offer, Rejected, Withdrawn],
            Accepted | Declined | Rejected | Withdrawn => &[],
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long a final status can be undone.
pub const UNDO_WINDOW: Duration = Duration::days(30);

/// The history entry that brought the application into its current status
/// (the newest entry that is not undone): what an undo would reverse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnteringChange {
    pub entry_id: Uuid,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub changed_at: OffsetDateTime,
}

/// What a requested status means for the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChange {
    /// The same status again: nothing to record.
    Unchanged,
    /// An allowed forward move.
    Move { from: Status, to: Status },
    /// Back to where the final status came from; `undoes` is the entry reversed.
    Undo {
        from: Status,
        to: Status,
        undoes: Uuid,
    },
}

/// A status change the pipeline forbids, with what would be allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot change status from {from} to {to}")]
pub struct InvalidTransition {
    pub from: Status,
    pub to: Status,
    pub allowed: Vec<Status>,
}

/// The undo target of a final status, if the window is still open.
fn undo_target(
    current: Status,
    entering: Option<&EnteringChange>,
    now: OffsetDateTime,
) -> Option<(Status, Uuid)> {
    if !current.is_final() {
        return None;
    }
    let entry = entering.filter(|e| e.to_status == current)?;
    let from = entry.from_status?;
    (now - entry.changed_at <= UNDO_WINDOW).then_some((from, entry.entry_id))
}

/// Every status the application may move to now.
pub fn allowed_next(
    current: Status,
    entering: Option<&EnteringChange>,
    now: OffsetDateTime,
) -> Vec<Status> {
    match undo_target(current, entering, now) {
        Some((target, _)) => vec![target],
        None => current.forward().to_vec(),
    }
}

/// Whether the only move left is undoing the change into a final status.
pub fn can_undo(current: Status, entering: Option<&EnteringChange>, now: OffsetDateTime) -> bool {
    current.is_final() && undo_target(current, entering, now).is_some()
}

/// Decides a requested status change.
pub fn decide(
    current: Status,
    requested: Status,
    entering: Option<&EnteringChange>,
    now: OffsetDateTime,
) -> Result<StatusChange, InvalidTransition> {
    if requested == current {
        return Ok(StatusChange::Unchanged);
    }
    if let Some((target, undoes)) = undo_target(current, entering, now) {
        if target == requested {
            return Ok(StatusChange::Undo {
                from: current,
                to: requested,
                undoes,
            });
        }
    } else if current.forward().contains(&requested) {
        return Ok(StatusChange::Move {
            from: current,
            to: requested,
        });
    }
    Err(InvalidTransition {
        from: current,
        to: requested,
        allowed: allowed_next(current, entering, now),
    })
}

#[cfg(test)]
mod tests {
    use super::Status::*;
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);

    fn entered(from: Option<Status>, to: Status, days_ago: i64) -> EnteringChange {
        EnteringChange {
            entry_id: Uuid::nil(),
            from_status: from,
            to_status: to,
            changed_at: NOW - Duration::days(days_ago),
        }
    }

    #[test]
    fn every_pair_of_statuses_follows_the_table() {
        let table: &[(Status, &[Status])] = &[
            (Wishlist, &[Applied, Withdrawn]),
            (
                Applied,
                &[Screening, Interviewing, Offer, Rejected, Withdrawn, Ghosted],
            ),
            (
                Screening,
                &[Interviewing, Offer, Rejected, Withdrawn, Ghosted],
            ),
            (Interviewing, &[Offer, Rejected, Withdrawn, Ghosted]),
            (Offer, &[Accepted, Declined, Rejected, Withdrawn]),
            (
                Ghosted,
                &[Screening, Interviewing, Offer, Rejected, Withdrawn],
            ),
            (Accepted, &[]),
            (Declined, &[]),
            (Rejected, &[]),
            (Withdrawn, &[]),
        ];
        for (from, allowed) in table {
            for to in Status::ALL {
                let result = decide(*from, to, None, NOW);
                if to == *from {
                    assert_eq!(result, Ok(StatusChange::Unchanged));
                } else if allowed.contains(&to) {
                    assert_eq!(
                        result,
                        Ok(StatusChange::Move { from: *from, to }),
                        "{from} → {to}"
                    );
                } else {
                    let err = result.expect_err("forbidden change must fail");
                    assert_eq!(err.allowed, allowed.to_vec(), "{from} → {to}");
                }
            }
        }
    }

    #[test]
    fn a_final_status_can_be_undone_to_where_it_came_from_within_30_days() {
        let entry = entered(Some(Interviewing), Rejected, 29);
        assert_eq!(
            decide(Rejected, Interviewing, Some(&entry), NOW),
            Ok(StatusChange::Undo {
                from: Rejected,
                to: Interviewing,
                undoes: Uuid::nil()
            })
        );
        assert_eq!(
            allowed_next(Rejected, Some(&entry), NOW),
            vec![Interviewing]
        );
    }

    #[test]
    fn an_undo_after_30_days_or_to_another_status_is_refused() {
        let old = entered(Some(Offer), Accepted, 31);
        let err = decide(Accepted, Offer, Some(&old), NOW).unwrap_err();
        assert!(err.allowed.is_empty());

        let recent = entered(Some(Offer), Declined, 1);
        let err = decide(Declined, Applied, Some(&recent), NOW).unwrap_err();
        assert_eq!(err.allowed, vec![Offer]);
    }

    #[test]
    fn a_status_that_was_created_final_has_nothing_to_undo() {
        let created = entered(None, Withdrawn, 0);
        let err = decide(Withdrawn, Wishlist, Some(&created), NOW).unwrap_err();
        assert!(err.allowed.is_empty());
    }

    #[test]
    fn the_undo_window_is_exactly_30_times_24_hours() {
        let edge = EnteringChange {
            changed_at: NOW - Duration::hours(720),
            ..entered(Some(Offer), Withdrawn, 0)
        };
        assert!(decide(Withdrawn, Offer, Some(&edge), NOW).is_ok());
        let past = EnteringChange {
            changed_at: NOW - Duration::hours(720) - Duration::seconds(1),
            ..edge
        };
        assert!(decide(Withdrawn, Offer, Some(&past), NOW).is_err());
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("hired"), None);
    }
}
