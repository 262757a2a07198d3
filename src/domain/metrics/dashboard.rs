//! The dashboard, as the API answers it.

use std::collections::BTreeMap;

use serde::Serialize;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::domain::interview::InterviewKind;
use crate::domain::time::serde_ts;

use super::*;

/// The dashboard, as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    #[schema(value_type = Object)]
    pub totals: Totals,
    #[schema(value_type = Vec<Object>)]
    pub funnel: Vec<FunnelStage>,
    #[schema(value_type = Object)]
    pub rates: Rates,
    pub median_days_to_response: Option<f64>,
    #[schema(value_type = Object)]
    pub days_in_stage: BTreeMap<String, Option<f64>>,
    #[schema(value_type = Vec<Object>)]
    pub by_source: Vec<SourceRate>,
    #[schema(value_type = Vec<Object>)]
    pub weekly: Vec<Week>,
    #[schema(value_type = Object)]
    pub upcoming: Upcoming,
    #[schema(value_type = Vec<Object>)]
    pub recommendations: Vec<Recommendation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub all: i64,
    pub active: i64,
    pub by_status: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelStage {
    pub stage: Stage,
    pub count: i64,
    pub rate_from_previous: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rates {
    pub response_rate: f64,
    pub interview_rate: f64,
    pub offer_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRate {
    pub source: String,
    pub applied: i64,
    pub responded: i64,
    pub response_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    #[serde(serialize_with = "serialize_date")]
    pub week_start: Date,
    pub applied: i64,
    pub interviews: i64,
    pub offers: i64,
}

fn serialize_date<S: serde::Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
    serde_ts::option_date(&Some(*d), s)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Upcoming {
    pub interviews: Vec<UpcomingInterview>,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpcomingInterview {
    pub id: Uuid,
    pub application_id: Uuid,
    pub company: String,
    pub title: String,
    pub kind: InterviewKind,
    #[serde(serialize_with = "serde_ts::timestamp")]
    pub scheduled_at: OffsetDateTime,
    pub duration_minutes: i32,
    pub location: Option<String>,
    pub meeting_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    FollowUp,
    Deadline,
    NextAction,
    SuggestGhosted,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    pub kind: ActionKind,
    pub application_id: Uuid,
    #[serde(serialize_with = "serde_ts::timestamp")]
    pub due_at: OffsetDateTime,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub application_id: Uuid,
    /// The application's company and title, so a page needs nothing more.
    pub company: String,
    pub title: String,
    pub priority_score: i16,
    pub reasons: Vec<String>,
}

/// At most this many actions are listed.
pub const ACTIONS_MAX: usize = 20;
/// Upcoming interviews: the next two weeks.
pub const UPCOMING_WINDOW: Duration = Duration::days(14);
/// Sources with fewer ever-applied applications are hidden.
pub const SOURCE_MIN: i64 = 5;
