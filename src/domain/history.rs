//! The status history of an application.

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::pipeline::{EnteringChange, Status};
use super::time::serde_ts;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StatusHistoryEntry {
    pub id: Uuid,
    pub from_status: Option<Status>,
    pub to_status: Status,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub changed_at: OffsetDateTime,
    pub note: Option<String>,
    pub undone: bool,
    pub is_undo: bool,
}

impl StatusHistoryEntry {
    pub fn as_entering(&self) -> EnteringChange {
        EnteringChange {
            entry_id: self.id,
            from_status: self.from_status,
            to_status: self.to_status,
            changed_at: self.changed_at,
        }
    }
}
