//! What a mail suggestion proposes, as the API shows and takes it (the
//! person may edit it before applying): a status, an interview, or a new
//! application.

use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::application::{NAME_MAX, URL_MAX};
use super::fields::{Fields, Patch, Presence, ValidationError};
use super::interview::InterviewKind;
use super::pipeline::Status;
use super::time::serde_ts;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProposedInterview {
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serde_ts::option_timestamp"
    )]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub scheduled_at: Option<OffsetDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<InterviewKind>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ProposedApplication {
    pub company: String,
    pub title: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Proposed {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interview: Option<ProposedInterview>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_application: Option<ProposedApplication>,
}

fn object<'a>(
    f: &mut Fields<'_>,
    body: &'a Map<String, Value>,
    name: &'static str,
) -> Option<&'a Map<String, Value>> {
    match body.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => Some(o),
        Some(_) => {
            f.error(name, "must be an object");
            None
        }
    }
}

fn nested(prefix: &str, e: ValidationError) -> ValidationError {
    ValidationError {
        errors: e
            .errors
            .into_iter()
            .map(|fe| super::fields::FieldError::new(format!("{prefix}.{}", fe.field), fe.message))
            .collect(),
    }
}

impl Proposed {
    /// Reads a proposal (an edited one sent with apply, or one stored).
    pub fn parse(body: &Map<String, Value>) -> Result<Proposed, ValidationError> {
        let mut f = Fields::new(body);
        let status = f.choice("status", &Status::CHOICES, Presence::Optional);
        let interview = object(&mut f, body, "interview");
        let new_application = object(&mut f, body, "new_application");
        f.finish_known(&["interview", "new_application"])?;
        let interview = interview
            .map(|o| {
                let mut g = Fields::new(o);
                let scheduled_at = g.timestamp("scheduled_at", Presence::Optional);
                let meeting_url = g.url("meeting_url", URL_MAX);
                let kind = g.choice("kind", &InterviewKind::CHOICES, Presence::Optional);
                g.finish().map_err(|e| nested("interview", e))?;
                Ok(ProposedInterview {
                    scheduled_at: scheduled_at.into_option(),
                    meeting_url: meeting_url.into_option(),
                    kind: kind.into_option(),
                })
            })
            .transpose()?;
        let new_application = new_application
            .map(|o| {
                let mut g = Fields::new(o);
                let company = g.text("company", NAME_MAX, Presence::Required);
                g.require("company", &company);
                let title = g.text("title", NAME_MAX, Presence::Required);
                g.require("title", &title);
                g.finish().map_err(|e| nested("new_application", e))?;
                Ok::<_, ValidationError>(ProposedApplication {
                    company: company.into_option().unwrap_or_default(),
                    title: title.into_option().unwrap_or_default(),
                })
            })
            .transpose()?;
        Ok(Proposed {
            status: match status {
                Patch::Set(s) => Some(s),
                _ => None,
            },
            interview,
            new_application,
        })
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_proposal_reads_back_and_bad_members_are_named() {
        let p = Proposed::parse(
            json!({"status": "interviewing", "interview": {"scheduled_at": "2026-03-10T22:00:00Z",
                   "meeting_url": "https://zoom.us/j/1", "kind": "technical"}})
            .as_object()
            .unwrap(),
        )
        .unwrap();
        assert_eq!(p.status, Some(Status::Interviewing));
        assert_eq!(
            Proposed::parse(p.to_value().as_object().unwrap()).unwrap(),
            p
        );
        for (body, field) in [
            (json!({"status": "hired"}), "status"),
            (
                json!({"interview": {"meeting_url": "ftp://x"}}),
                "interview.meeting_url",
            ),
            (
                json!({"new_application": {"company": "Acme"}}),
                "new_application.title",
            ),
            (json!({"interview": 3}), "interview"),
        ] {
            let e = Proposed::parse(body.as_object().unwrap()).expect_err(&body.to_string());
            assert_eq!(e.errors[0].field, field, "{body}");
        }
    }
}

/// The mail a suggestion comes from, as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MailSummary {
    pub from: Option<String>,
    pub subject: Option<String>,
    #[serde(serialize_with = "serde_ts::option_timestamp")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub date: Option<OffsetDateTime>,
    pub snippet: Option<String>,
}

/// A suggestion's state: waiting for the person, or decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Pending,
    Applied,
    Dismissed,
}

impl State {
    pub const CHOICES: [(&'static str, State); 3] = [
        ("pending", State::Pending),
        ("applied", State::Applied),
        ("dismissed", State::Dismissed),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Applied => "applied",
            State::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        Self::CHOICES.iter().find(|(n, _)| *n == s).map(|(_, v)| *v)
    }
}

/// A suggestion from a message about an application.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub id: uuid::Uuid,
    pub message: MailSummary,
    /// applied, rejection, interview_invitation, offer or recruiter_outreach.
    pub kind: String,
    pub confidence: f32,
    pub application_id: Option<uuid::Uuid>,
    pub proposed: Proposed,
    pub state: State,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}
