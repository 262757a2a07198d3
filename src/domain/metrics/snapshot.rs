//! The figures as they stood at an instant, replayed from history.

use serde::Serialize;
use time::OffsetDateTime;

use crate::domain::application::Application;
use crate::domain::pipeline::Status;
use crate::domain::time::local_date;

use super::*;

/// A history entry with its undo marks (snapshots replay history as it was).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedChange {
    pub to_status: Status,
    pub changed_at: OffsetDateTime,
    pub undone: bool,
    pub is_undo: bool,
}

/// What a snapshot keeps: the dashboard's totals, funnel, rates and median.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnapshotMetrics {
    pub totals: Totals,
    pub funnel: Vec<FunnelStage>,
    pub rates: Rates,
    pub median_days_to_response: Option<f64>,
}

/// The figures as they stood at instant `at`: applications created by then,
/// in the status they had then, with the history written by then.
pub fn snapshot_at(
    apps: &[(Application, Vec<RecordedChange>)],
    at: OffsetDateTime,
    settings: &ActionSettings,
) -> SnapshotMetrics {
    let today = local_date(at, &settings.timezone);
    let facts = apps
        .iter()
        .filter(|(a, _)| a.created_at <= at)
        .filter_map(|(a, history)| {
            let status = history.iter().rev().find(|c| c.changed_at <= at)?.to_status;
            let mut application = a.clone();
            application.fields.status = status;
            application.fields.applied_on = a.fields.applied_on.filter(|d| *d <= today);
            Some(ApplicationFacts {
                application,
                history: history
                    .iter()
                    .filter(|c| c.changed_at <= at && !c.undone && !c.is_undo)
                    .map(|c| Change {
                        to_status: c.to_status,
                        changed_at: c.changed_at,
                    })
                    .collect(),
                last_note_at: None,
            })
        })
        .collect();
    let d = Aggregates::build(settings.clone(), facts, vec![]).dashboard(at);
    SnapshotMetrics {
        totals: d.totals,
        funnel: d.funnel,
        rates: d.rates,
        median_days_to_response: d.median_days_to_response,
    }
}
