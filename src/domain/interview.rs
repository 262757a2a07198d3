//! Interviews of an application.

use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::application::{NAME_MAX, NOTE_MAX, URL_MAX};
use super::fields::{Fields, Patch, Presence, ValidationError};
use super::time::serde_ts;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InterviewKind {
    PhoneScreen,
    Technical,
    Behavioral,
    TakeHome,
    Onsite,
    Final,
    Other,
}

impl InterviewKind {
    pub const CHOICES: [(&'static str, InterviewKind); 7] = [
        ("phone_screen", InterviewKind::PhoneScreen),
        ("technical", InterviewKind::Technical),
        ("behavioral", InterviewKind::Behavioral),
        ("take_home", InterviewKind::TakeHome),
        ("onsite", InterviewKind::Onsite),
        ("final", InterviewKind::Final),
        ("other", InterviewKind::Other),
    ];

    pub fn as_str(self) -> &'static str {
        label(&Self::CHOICES, self)
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::CHOICES.iter().find(|(n, _)| *n == s).map(|(_, v)| *v)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Scheduled,
    Completed,
    Passed,
    Failed,
    Cancelled,
    NoShow,
}

impl Outcome {
    pub const CHOICES: [(&'static str, Outcome); 6] = [
        ("scheduled", Outcome::Scheduled),
        ("completed", Outcome::Completed),
        ("passed", Outcome::Passed),
        ("failed", Outcome::Failed),
        ("cancelled", Outcome::Cancelled),
        ("no_show", Outcome::NoShow),
    ];

    pub fn as_str(self) -> &'static str {
        label(&Self::CHOICES, self)
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::CHOICES.iter().find(|(n, _)| *n == s).map(|(_, v)| *v)
    }
}

fn label<T: PartialEq + Copy>(choices: &[(&'static str, T)], value: T) -> &'static str {
    choices
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(n, _)| *n)
        .unwrap_or("other")
}

pub const INTERVIEWERS_MAX: usize = 20;

/// What a user writes about an interview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct InterviewFields {
    pub kind: InterviewKind,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub scheduled_at: OffsetDateTime,
    pub duration_minutes: i32,
    pub location: Option<String>,
    pub meeting_url: Option<String>,
    pub interviewers: Vec<String>,
    pub notes: Option<String>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Interview {
    pub id: Uuid,
    pub application_id: Uuid,
    #[serde(flatten)]
    pub fields: InterviewFields,
    pub version: i32,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterviewPatch {
    pub kind: Patch<InterviewKind>,
    pub scheduled_at: Patch<OffsetDateTime>,
    pub duration_minutes: Patch<i64>,
    pub location: Patch<String>,
    pub meeting_url: Patch<String>,
    pub interviewers: Patch<Vec<String>>,
    pub notes: Patch<String>,
    pub outcome: Patch<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInterview {
    pub application_id: Uuid,
    pub fields: InterviewFields,
}

const READ_ONLY: [&str; 4] = ["id", "version", "created_at", "updated_at"];

fn parse_fields(f: &mut Fields<'_>) -> InterviewPatch {
    InterviewPatch {
        kind: f.choice("kind", &InterviewKind::CHOICES, Presence::Required),
        scheduled_at: f.timestamp("scheduled_at", Presence::Required),
        duration_minutes: f.integer("duration_minutes", 1, 1440, Presence::Required),
        location: f.text("location", NAME_MAX, Presence::Optional),
        meeting_url: f.url("meeting_url", URL_MAX),
        interviewers: f.string_list(
            "interviewers",
            INTERVIEWERS_MAX,
            NAME_MAX,
            Presence::Optional,
        ),
        notes: f.multiline("notes", NOTE_MAX, Presence::Optional),
        outcome: f.choice("outcome", &Outcome::CHOICES, Presence::Required),
    }
}

impl NewInterview {
    pub fn parse(body: &Map<String, Value>) -> Result<NewInterview, ValidationError> {
        let mut f = Fields::new(body);
        f.read_only(&READ_ONLY);
        let application_id = f.uuid("application_id", Presence::Required);
        let patch = parse_fields(&mut f);
        f.require("application_id", &application_id);
        f.require("scheduled_at", &patch.scheduled_at);
        f.finish()?;
        Ok(NewInterview {
            application_id: application_id.into_option().unwrap_or_default(),
            fields: InterviewFields {
                kind: patch.kind.into_option().unwrap_or(InterviewKind::Other),
                scheduled_at: patch
                    .scheduled_at
                    .into_option()
                    .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                duration_minutes: patch.duration_minutes.into_option().unwrap_or(60) as i32,
                location: patch.location.into_option(),
                meeting_url: patch.meeting_url.into_option(),
                interviewers: patch.interviewers.into_option().unwrap_or_default(),
                notes: patch.notes.into_option(),
                outcome: patch.outcome.into_option().unwrap_or(Outcome::Scheduled),
            },
        })
    }
}

impl InterviewPatch {
    pub fn parse(body: &Map<String, Value>) -> Result<InterviewPatch, ValidationError> {
        let mut f = Fields::new(body);
        f.read_only(&READ_ONLY);
        if f.uuid("application_id", Presence::Optional) != Patch::Absent
            || body.contains_key("application_id")
        {
            f.replace_error(
                "application_id",
                "cannot be changed; create the interview on the other application",
            );
        }
        let patch = parse_fields(&mut f);
        f.finish()?;
        Ok(patch)
    }

    /// The fields after this patch; `changed` tells whether anything moved.
    pub fn apply(self, current: &InterviewFields) -> (InterviewFields, bool) {
        let mut next = current.clone();
        if let Patch::Set(v) = self.kind {
            next.kind = v;
        }
        if let Patch::Set(v) = self.scheduled_at {
            next.scheduled_at = v;
        }
        if let Patch::Set(v) = self.duration_minutes {
            next.duration_minutes = v as i32;
        }
        self.location.apply_to(&mut next.location);
        self.meeting_url.apply_to(&mut next.meeting_url);
        match self.interviewers {
            Patch::Set(v) => next.interviewers = v,
            Patch::Null => next.interviewers.clear(),
            Patch::Absent => {}
        }
        self.notes.apply_to(&mut next.notes);
        if let Patch::Set(v) = self.outcome {
            next.outcome = v;
        }
        let changed = next != *current;
        (next, changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_new_interview_needs_an_application_and_a_time() {
        let err = NewInterview::parse(&body(json!({}))).unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["application_id", "scheduled_at"]);
    }

    #[test]
    fn defaults_are_other_sixty_minutes_and_scheduled() {
        let id = Uuid::now_v7();
        let new = NewInterview::parse(&body(json!({
            "application_id": id.to_string(), "scheduled_at": "2026-12-01T10:00:00Z"
        })))
        .unwrap();
        assert_eq!(new.application_id, id);
        assert_eq!(new.fields.kind, InterviewKind::Other);
        assert_eq!(new.fields.duration_minutes, 60);
        assert_eq!(new.fields.outcome, Outcome::Scheduled);
    }

    #[test]
    fn every_interview_rule_names_its_field() {
        let cases = [
            (json!({"kind": "chat"}), "kind"),
            (json!({"scheduled_at": "tomorrow"}), "scheduled_at"),
            (json!({"scheduled_at": null}), "scheduled_at"),
            (json!({"duration_minutes": 0}), "duration_minutes"),
            (json!({"duration_minutes": 1441}), "duration_minutes"),
            (json!({"meeting_url": "zoom"}), "meeting_url"),
            (json!({"interviewers": vec!["a"; 21]}), "interviewers"),
            (json!({"interviewers": ["x".repeat(201)]}), "interviewers"),
            (json!({"outcome": "won"}), "outcome"),
            (json!({"notes": "x".repeat(20_001)}), "notes"),
            (
                json!({"application_id": Uuid::nil().to_string()}),
                "application_id",
            ),
            (json!({"mood": "good"}), "mood"),
        ];
        for (patch, field) in cases {
            let err = InterviewPatch::parse(&body(patch.clone())).expect_err(&patch.to_string());
            assert_eq!(err.errors[0].field, field, "{patch}");
        }
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let new = NewInterview::parse(&body(json!({
            "application_id": Uuid::nil().to_string(), "scheduled_at": "2026-12-01T10:00:00Z",
            "location": "Office"
        })))
        .unwrap();
        let patch =
            InterviewPatch::parse(&body(json!({"outcome": "passed", "location": null}))).unwrap();
        let (next, changed) = patch.apply(&new.fields);
        assert!(changed);
        assert_eq!(next.outcome, Outcome::Passed);
        assert_eq!(next.location, None);
        assert_eq!(next.scheduled_at, new.fields.scheduled_at);
    }
}
