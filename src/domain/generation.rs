//! AI drafts: what can be asked for, the life of a generation, and the
//! rules of retrying. No I/O: the pool, the providers and the store follow
//! these.

use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::fields::{Fields, Presence, ValidationError};
use crate::domain::time::serde_ts;

/// A kind of draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[schema(as = GenerationKind)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    CoverLetter,
    InterviewQuestions,
    FollowUpEmail,
    ThankYouNote,
    ResumeTailoring,
}

impl Kind {
    pub const CHOICES: [(&'static str, Kind); 5] = [
        ("cover_letter", Kind::CoverLetter),
        ("interview_questions", Kind::InterviewQuestions),
        ("follow_up_email", Kind::FollowUpEmail),
        ("thank_you_note", Kind::ThankYouNote),
        ("resume_tailoring", Kind::ResumeTailoring),
    ];

    pub fn as_str(self) -> &'static str {
        choice_name(&Self::CHOICES, self)
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Self::CHOICES.iter().find(|(n, _)| *n == s).map(|(_, k)| *k)
    }

    /// In plain words, for pages and prompts.
    pub fn title(self) -> &'static str {
        match self {
            Kind::CoverLetter => "Cover letter",
            Kind::InterviewQuestions => "Interview questions",
            Kind::FollowUpEmail => "Follow-up email",
            Kind::ThankYouNote => "Thank-you note",
            Kind::ResumeTailoring => "Tailored résumé bullets",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Professional,
    Warm,
    Enthusiastic,
    Concise,
}

impl Tone {
    pub const CHOICES: [(&'static str, Tone); 4] = [
        ("professional", Tone::Professional),
        ("warm", Tone::Warm),
        ("enthusiastic", Tone::Enthusiastic),
        ("concise", Tone::Concise),
    ];

    pub fn as_str(self) -> &'static str {
        choice_name(&Self::CHOICES, self)
    }

    pub fn parse(s: &str) -> Option<Tone> {
        Self::CHOICES.iter().find(|(n, _)| *n == s).map(|(_, t)| *t)
    }
}

/// queued → running → succeeded | failed | cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = GenerationStatus)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl Status {
    pub const CHOICES: [(&'static str, Status); 5] = [
        ("queued", Status::Queued),
        ("running", Status::Running),
        ("succeeded", Status::Succeeded),
        ("failed", Status::Failed),
        ("cancelled", Status::Cancelled),
    ];

    pub fn as_str(self) -> &'static str {
        choice_name(&Self::CHOICES, self)
    }

    pub fn parse(s: &str) -> Option<Status> {
        Self::CHOICES.iter().find(|(n, _)| *n == s).map(|(_, t)| *t)
    }

    pub fn is_finished(self) -> bool {
        matches!(self, Status::Succeeded | Status::Failed | Status::Cancelled)
    }
}

fn choice_name<T: PartialEq + Copy>(choices: &[(&'static str, T)], value: T) -> &'static str {
    choices
        .iter()
        .find(|(_, v)| *v == value)
        .map(|(n, _)| *n)
        .unwrap_or("")
}

pub const INSTRUCTIONS_MAX: usize = 2_000;
/// Attempts a generation gets (an expired lease counts as one).
pub const MAX_ATTEMPTS: i32 = 3;

/// A validated request for a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGeneration {
    pub kind: Kind,
    pub tone: Tone,
    pub instructions: Option<String>,
    pub interview_id: Option<Uuid>,
}

impl NewGeneration {
    pub fn parse(body: &Map<String, Value>) -> Result<NewGeneration, ValidationError> {
        let mut f = Fields::new(body);
        let kind = f.choice("kind", &Kind::CHOICES, Presence::Required);
        let tone = f.choice("tone", &Tone::CHOICES, Presence::Optional);
        let instructions = f.multiline("instructions", INSTRUCTIONS_MAX, Presence::Optional);
        let interview_id = f.uuid("interview_id", Presence::Optional);
        f.require("kind", &kind);
        f.finish()?;
        Ok(NewGeneration {
            kind: kind.into_option().unwrap_or(Kind::CoverLetter),
            tone: tone.into_option().unwrap_or(Tone::Professional),
            instructions: instructions.into_option(),
            interview_id: interview_id.into_option(),
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Usage {
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
}

/// A generation as the API shows it (the prompt is in the audit view only).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Generation {
    pub id: Uuid,
    pub application_id: Uuid,
    pub interview_id: Option<Uuid>,
    pub kind: Kind,
    pub tone: Tone,
    pub instructions: Option<String>,
    pub status: Status,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub output: String,
    pub error: Option<String>,
    pub progress: i32,
    pub attempts: i32,
    pub usage: Usage,
    /// What was sent to the model (for the user's audit).
    pub prompt: Option<String>,
    /// Each attempt: when it ended, how long it took, how it ended.
    #[schema(value_type = Vec<Object>)]
    pub timings: serde_json::Value,
    /// The fit the draft was written from (the posting's requirements beside
    /// the user's evidence, as `GET /api/v1/applications/{id}/fit` gives
    /// it), kept for the audit; null before an attempt began.
    #[schema(value_type = Option<crate::domain::fit::Fit>)]
    pub fit: Option<serde_json::Value>,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(serialize_with = "serde_ts::option_timestamp")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<OffsetDateTime>,
    #[serde(serialize_with = "serde_ts::option_timestamp")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<OffsetDateTime>,
}

/// Why an attempt ended without a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Worth another attempt (timeout, 429, 5xx, a broken stream), after
    /// at least the delay the server asked for, if it did.
    Transient {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Another attempt would fail the same way (401, 400, no such model).
    Permanent { message: String },
}

impl Failure {
    pub fn message(&self) -> &str {
        match self {
            Failure::Transient { message, .. } | Failure::Permanent { message } => message,
        }
    }
}

/// What happens after a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterFailure {
    RetryIn(Duration),
    GiveUp(String),
}

/// Exponential backoff with jitter: `base × 2^(attempt−1)` scaled by a
/// factor in [0.5, 1.5) from `jitter` (in [0, 1)), never shorter than
/// what the server asked for, capped at five minutes.
pub fn after_failure(
    failure: &Failure,
    attempts: i32,
    base: Duration,
    jitter: f64,
) -> AfterFailure {
    let message = one_line(failure.message());
    match failure {
        Failure::Permanent { .. } => AfterFailure::GiveUp(message),
        Failure::Transient { .. } if attempts >= MAX_ATTEMPTS => {
            AfterFailure::GiveUp(format!("{message} (gave up after {attempts} attempts)"))
        }
        Failure::Transient { retry_after, .. } => {
            let exp = base.saturating_mul(1 << (attempts.clamp(1, 16) - 1) as u32);
            let jittered = exp.mul_f64(0.5 + jitter.clamp(0.0, 0.999));
            let delay = jittered
                .max(retry_after.unwrap_or_default())
                .min(Duration::from_secs(300));
            AfterFailure::RetryIn(delay)
        }
    }
}

/// An error as one short line for a person.
pub fn one_line(message: &str) -> String {
    let line = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(299).collect::<String>())
    } else {
        line
    }
}

/// Text cut to at most `max` characters, on a word boundary when one is near.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => format!("{}…", &cut[..i]),
        _ => format!("{cut}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<NewGeneration, ValidationError> {
        NewGeneration::parse(v.as_object().unwrap())
    }

    #[test]
    fn a_request_needs_a_known_kind_and_takes_a_tone_and_instructions() {
        let g = parse(json!({"kind": "cover_letter"})).unwrap();
        assert_eq!(
            (g.kind, g.tone, g.instructions),
            (Kind::CoverLetter, Tone::Professional, None)
        );
        let g = parse(json!({"kind": "thank_you_note", "tone": "warm", "instructions": " short "}))
            .unwrap();
        assert_eq!(
            (g.tone, g.instructions.as_deref()),
            (Tone::Warm, Some("short"))
        );
        for (body, field) in [
            (json!({}), "kind"),
            (json!({"kind": "poem"}), "kind"),
            (json!({"kind": "cover_letter", "tone": "angry"}), "tone"),
            (
                json!({"kind": "cover_letter", "instructions": "x".repeat(2001)}),
                "instructions",
            ),
            (
                json!({"kind": "cover_letter", "interview_id": "nope"}),
                "interview_id",
            ),
            (json!({"kind": "cover_letter", "model": "gpt"}), "model"),
        ] {
            let e = parse(body).unwrap_err();
            assert_eq!(e.errors[0].field, field);
        }
    }

    #[test]
    fn transient_failures_back_off_exponentially_with_jitter_and_honour_retry_after() {
        let t = Failure::Transient {
            message: "HTTP 503".into(),
            retry_after: None,
        };
        let base = Duration::from_secs(2);
        assert_eq!(
            after_failure(&t, 1, base, 0.5),
            AfterFailure::RetryIn(Duration::from_secs(2))
        );
        assert_eq!(
            after_failure(&t, 2, base, 0.5),
            AfterFailure::RetryIn(Duration::from_secs(4))
        );
        assert_eq!(
            after_failure(&t, 1, base, 0.0),
            AfterFailure::RetryIn(Duration::from_secs(1))
        );
        let asked = Failure::Transient {
            message: "HTTP 429".into(),
            retry_after: Some(Duration::from_secs(30)),
        };
        assert_eq!(
            after_failure(&asked, 1, base, 0.5),
            AfterFailure::RetryIn(Duration::from_secs(30))
        );
        match after_failure(&t, MAX_ATTEMPTS, base, 0.5) {
            AfterFailure::GiveUp(m) => assert_eq!(m, "HTTP 503 (gave up after 3 attempts)"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn permanent_failures_are_not_retried_and_messages_are_one_line() {
        let p = Failure::Permanent {
            message: "HTTP 401:\n  invalid   key".into(),
        };
        assert_eq!(
            after_failure(&p, 1, Duration::from_secs(1), 0.5),
            AfterFailure::GiveUp("HTTP 401: invalid key".into())
        );
        assert_eq!(one_line(&"x ".repeat(400)).chars().count(), 300);
    }

    #[test]
    fn clipping_keeps_whole_words_when_it_can() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("one two three four", 12), "one two…");
        assert_eq!(clip("abcdefghij", 4), "abcd…");
    }
}
