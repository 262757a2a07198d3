//! Shapes that exist only to document the API (request bodies and pages).
//!
//! Bodies are read field by field by the domain (`domain::fields`), never
//! deserialized into these types, so each request body's schema is written
//! here by hand from the same rules and limits the readers use: an unknown
//! field answers 422, hence `additionalProperties: false` on every body; a
//! field that may be `null` is nullable; text is trimmed before its length is
//! counted, and text holds no control characters (multi-line fields allow tab
//! and line breaks).

#![allow(dead_code)]

use serde::Serialize;
use serde_json::{json, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

use crate::domain::account::{SessionInfo, TokenInfo};
use crate::domain::account::{DISPLAY_NAME_MAX, PASSWORD_MAX, PASSWORD_MIN, TOKEN_NAME_MAX};
use crate::domain::application::{
    Application, DESCRIPTION_MAX, NAME_MAX, NEXT_ACTION_MAX, NOTE_MAX, SALARY_MAX, TAGS_MAX,
    TAG_MAX, URL_MAX,
};
use crate::domain::generation::{Generation, INSTRUCTIONS_MAX};
use crate::domain::history::StatusHistoryEntry;
use crate::domain::interview::{Interview, INTERVIEWERS_MAX};
use crate::domain::note::Note;
use crate::domain::preferences::LIST_MAX;

/// Text on one line: no C0 control character but tab (no line breaks).
pub const SINGLE_LINE: &str = r"^[^\x00-\x08\x0A-\x1F]*$";
/// Text over several lines: tab, line feed and carriage return allowed.
pub const MULTI_LINE: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F]*$";
/// Required one-line text: something other than white space.
pub const SINGLE_LINE_NOT_BLANK: &str =
    r"^[^\x00-\x08\x0A-\x1F]*[^\s\x00-\x1F][^\x00-\x08\x0A-\x1F]*$";
/// An http or https URL with a host name (what `validate_web_url` accepts,
/// narrowed to host names that are not IP numbers).
pub const WEB_URL: &str = r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z][A-Za-z0-9-]*)*(:[0-9]{1,4})?([/?#][^\s\x00-\x1F]*)?\s*$";
/// An optional URL: white space only clears it.
pub const WEB_URL_OR_BLANK: &str = r"^\s*$|^\s*[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z][A-Za-z0-9-]*(\.[A-Za-z][A-Za-z0-9-]*)*(:[0-9]{1,4})?([/?#][^\s\x00-\x1F]*)?\s*$";
/// An email address as `domain::fields::validate_email` accepts it: up to 64
/// characters, `@`, a domain with an inner dot; no white space or control
/// characters.
pub const EMAIL: &str = r"^\s*[^\s\x00-\x1F\x7F-\x9F]{1,64}@[^\s\x00-\x1F\x7F-\x9F@.][^\s\x00-\x1F\x7F-\x9F@]*\.[^\s\x00-\x1F\x7F-\x9F@]*[^\s\x00-\x1F\x7F-\x9F@.]\s*$";

/// Turns a JSON Schema written as JSON into utoipa's model.
pub fn from_json(value: Value) -> RefOr<Schema> {
    match serde_json::from_value(value) {
        Ok(schema) => RefOr::T(schema),
        // Only a mistake in this file gets here; the unit tests catch it.
        Err(_) => RefOr::T(Schema::default()),
    }
}

/// `schema` or `null`.
fn nullable(mut schema: Value) -> Value {
    if let Some(t) = schema
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_owned)
    {
        schema["type"] = json!([t, "null"]);
    } else if let Some(values) = schema.get_mut("enum").and_then(Value::as_array_mut) {
        values.push(Value::Null);
    }
    schema
}

/// Optional one-line text of at most `max` characters (empty clears it).
fn text(max: usize) -> Value {
    json!({"type": "string", "maxLength": max, "pattern": SINGLE_LINE})
}

/// Required one-line text of 1 to `max` characters (after trimming).
fn required_text(max: usize) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": SINGLE_LINE_NOT_BLANK})
}

/// Multi-line text of at most `max` characters.
fn long_text(max: usize) -> Value {
    json!({"type": "string", "maxLength": max, "pattern": MULTI_LINE})
}

/// An optional URL field.
fn web_url() -> Value {
    json!({"type": "string", "maxLength": URL_MAX, "pattern": WEB_URL_OR_BLANK})
}

fn string_list(max_items: usize, max_chars: usize) -> Value {
    json!({"type": "array", "maxItems": max_items, "items": required_text(max_chars)})
}

fn choice(values: &[&str]) -> Value {
    json!({"type": "string", "enum": values})
}

/// `schema` with the value the code uses when the field is absent.
fn with_default(mut schema: Value, default: Value) -> Value {
    schema["default"] = default;
    schema
}

fn integer(min: i64, max: i64) -> Value {
    json!({"type": "integer", "minimum": min, "maximum": max})
}

fn date() -> Value {
    json!({"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})
}

fn timestamp() -> Value {
    json!({"type": "string", "format": "date-time"})
}

fn uuid() -> Value {
    json!({"type": "string", "format": "uuid"})
}

/// An ISO 4217 code, any letter case (it is stored upper case).
fn currency() -> Value {
    let codes: Vec<String> = crate::domain::currency::codes()
        .map(|c| {
            c.chars()
                .map(|ch| format!("[{}{}]", ch, ch.to_ascii_lowercase()))
                .collect()
        })
        .collect();
    json!({
        "type": "string",
        "description": "an ISO 4217 currency code such as USD or EUR (stored in upper case)",
        "pattern": format!("^\\s*({})\\s*$", codes.join("|")),
    })
}

fn object(description: &str, required: &[&str], properties: Value) -> RefOr<Schema> {
    let mut schema = json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "additionalProperties": false,
    });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    from_json(schema)
}

/// A schema written by hand: `$name` documents `$schema` under its own name.
macro_rules! documented {
    ($(#[$doc:meta])* $name:ident => $schema:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema
            }
        }

        impl ToSchema for $name {}
    };
}

pub(crate) const STATUSES: [&str; 10] = [
    "wishlist",
    "applied",
    "screening",
    "interviewing",
    "offer",
    "accepted",
    "declined",
    "rejected",
    "withdrawn",
    "ghosted",
];
pub(crate) const WORK_MODES: [&str; 3] = ["onsite", "hybrid", "remote"];
const INTERVIEW_KINDS: [&str; 7] = [
    "phone_screen",
    "technical",
    "behavioral",
    "take_home",
    "onsite",
    "final",
    "other",
];
pub(crate) const OUTCOMES: [&str; 6] = [
    "scheduled",
    "completed",
    "passed",
    "failed",
    "cancelled",
    "no_show",
];

/// The writable fields of an application (`ApplicationPatch::parse`; a
/// create also requires company and title).
fn application_fields() -> Value {
    json!({
        "company": required_text(NAME_MAX),
        "title": required_text(NAME_MAX),
        "url": nullable(web_url()),
        "location": nullable(text(NAME_MAX)),
        "work_mode": nullable(choice(&WORK_MODES)),
        "salary_min": nullable(integer(0, SALARY_MAX)),
        "salary_max": nullable(integer(0, SALARY_MAX)),
        "salary_currency": with_default(currency(), json!("USD")),
        "status": with_default(choice(&STATUSES), json!("wishlist")),
        "status_note": nullable(long_text(NOTE_MAX)),
        "source": nullable(text(NAME_MAX)),
        "applied_on": nullable(date()),
        "deadline": nullable(date()),
        "job_description": nullable(long_text(DESCRIPTION_MAX)),
        "tags": nullable(string_list(TAGS_MAX, TAG_MAX)),
        "contact_name": nullable(text(NAME_MAX)),
        "contact_email": nullable(json!({"type": "string", "maxLength": 254, "pattern": format!(r"^\s*$|{EMAIL}")})),
        "next_action": nullable(text(NEXT_ACTION_MAX)),
        "next_action_at": nullable(timestamp()),
    })
}

documented!(
    /// A new application: `company` and `title` are required. `salary_min`
    /// must not be above `salary_max`; `status_note` becomes the first
    /// history entry's note.
    NewApplicationInput => object(
        "A new application. salary_min must not be above salary_max.",
        &["company", "title"],
        application_fields(),
    )
);

documented!(
    /// A JSON merge patch of an application: absent fields are unchanged,
    /// `null` clears an optional field; a status change follows the pipeline.
    ApplicationInput => object(
        "A JSON merge patch of an application: an absent field is unchanged, null clears an \
         optional one (company, title, status and salary_currency cannot be cleared). A status \
         change follows the pipeline (422 invalid_transition lists what is allowed); status_note \
         becomes the note of the history entry it writes.",
        &[],
        application_fields(),
    )
);

fn interview_fields() -> Value {
    json!({
        "kind": with_default(choice(&INTERVIEW_KINDS), json!("other")),
        "scheduled_at": timestamp(),
        "duration_minutes": with_default(integer(1, 1440), json!(60)),
        "location": nullable(text(NAME_MAX)),
        "meeting_url": nullable(web_url()),
        "interviewers": nullable(string_list(INTERVIEWERS_MAX, NAME_MAX)),
        "notes": nullable(long_text(NOTE_MAX)),
        "outcome": with_default(choice(&OUTCOMES), json!("scheduled")),
    })
}

documented!(
    /// A new interview of one of the user's applications.
    NewInterviewInput => {
        let mut fields = interview_fields();
        fields["application_id"] = uuid();
        object(
            "A new interview of one of the user's applications (another's answers 404).",
            &["application_id", "scheduled_at"],
            fields,
        )
    }
);

documented!(
    /// A JSON merge patch of an interview (`application_id` cannot change).
    InterviewInput => object(
        "A JSON merge patch of an interview: an absent field is unchanged, null clears an \
         optional one. application_id cannot change.",
        &[],
        interview_fields(),
    )
);

documented!(
    /// A note's text.
    NoteInput => object(
        "A note's text (1 to 20,000 characters).",
        &["body"],
        json!({"body": {
            "type": "string", "minLength": 1, "maxLength": NOTE_MAX,
            "pattern": r"^[^\x00-\x08\x0B\x0C\x0E-\x1F]*[^\s\x00-\x1F][^\x00-\x08\x0B\x0C\x0E-\x1F]*$",
        }}),
    )
);

/// A password: kept exactly as sent (not trimmed), counted in characters.
fn password(min: usize) -> Value {
    json!({"type": "string", "minLength": min, "maxLength": PASSWORD_MAX, "pattern": SINGLE_LINE_NOT_BLANK})
}

fn email() -> Value {
    json!({"type": "string", "maxLength": 254, "pattern": EMAIL})
}

documented!(
    /// A new local account.
    RegisterInput => object(
        "A new local account; the email must not be registered yet (409).",
        &["email", "password"],
        json!({
            "email": email(),
            "password": password(PASSWORD_MIN),
            "display_name": nullable(text(DISPLAY_NAME_MAX)),
        }),
    )
);

documented!(
    /// Email and password for a new API token.
    TokenRequest => object(
        "An email and password, exchanged for a new API token.",
        &["email", "password"],
        json!({
            "email": email(),
            "password": password(1),
            "token_name": nullable(text(TOKEN_NAME_MAX)),
        }),
    )
);

documented!(
    /// Changes to the signed-in user.
    MeInput => object(
        "A JSON merge patch of the signed-in user.",
        &[],
        json!({
            "display_name": nullable(text(DISPLAY_NAME_MAX)),
            "timezone": {
                "type": "string",
                "enum": crate::domain::time::time_zone_names(),
                "description": "an IANA time zone name such as Europe/Berlin",
            },
        }),
    )
);

documented!(
    /// A new API token.
    NewTokenInput => object(
        "A new API token; expires_at must be in the future.",
        &["name"],
        json!({
            "name": required_text(TOKEN_NAME_MAX),
            "expires_at": nullable(timestamp()),
        }),
    )
);

documented!(
    /// What to draft.
    NewGenerationInput => object(
        "What to draft for the application; interview_id names one of its interviews.",
        &["kind"],
        json!({
            "kind": choice(&["cover_letter", "interview_questions", "follow_up_email", "thank_you_note", "resume_tailoring"]),
            "tone": with_default(nullable(choice(&["professional", "warm", "enthusiastic", "concise"])), json!("professional")),
            "instructions": nullable(long_text(INSTRUCTIONS_MAX)),
            "interview_id": nullable(uuid()),
        }),
    )
);

documented!(
    /// A whole preferences document (PUT): an absent field takes its default.
    PreferencesInput => {
        let list = || nullable(string_list(LIST_MAX, NAME_MAX));
        let weight = || json!({"type": "number", "minimum": 0, "maximum": 1000});
        object(
            "A whole preferences document: an absent field takes its default. At least one \
             weight must be above 0.",
            &[],
            json!({
                "target_salary": nullable(integer(0, SALARY_MAX)),
                "salary_currency": with_default(currency(), json!("USD")),
                "preferred_locations": list(),
                "work_modes": nullable(json!({"type": "array", "maxItems": LIST_MAX, "items": choice(&WORK_MODES)})),
                "keywords_include": list(),
                "keywords_exclude": list(),
                "companies_favored": list(),
                "companies_avoided": list(),
                "follow_up_after_days": with_default(integer(1, 90), json!(7)),
                "ghosted_after_days": with_default(integer(7, 180), json!(30)),
                "weights": {
                    "type": ["object", "null"],
                    "additionalProperties": false,
                    "properties": {
                        "salary": weight(), "location": weight(), "work_mode": weight(),
                        "keywords": weight(), "company": weight(), "freshness": weight(),
                    },
                },
            }),
        )
    }
);

documented!(
    /// A whole profile (PUT): an absent field is empty.
    ProfileInput => object(
        "A whole profile: an absent field is empty.",
        &[],
        json!({
            "headline": nullable(text(200)),
            "summary": nullable(long_text(5_000)),
            "resume_text": nullable(long_text(50_000)),
            "skills": nullable(string_list(100, 100)),
            "links": nullable(json!({"type": "array", "maxItems": 20, "items": {
                "type": "string", "minLength": 1, "maxLength": URL_MAX, "pattern": WEB_URL,
            }})),
        }),
    )
);

documented!(
    /// A new password.
    PasswordInput => object(
        "A new password. current_password is required when the account has one; \
         an account that signs in with OIDC only may set a first password without it.",
        &["new_password"],
        json!({
            "current_password": password(1),
            "new_password": password(PASSWORD_MIN),
            "revoke_tokens": {"type": "boolean", "default": false,
                "description": "also revoke every API token, the calling one included"},
        }),
    )
);

documented!(
    /// What deleting the account needs.
    DeleteAccountInput => object(
        "The account's email typed as confirmation, and its password when it has one.",
        &["confirm"],
        json!({
            "confirm": required_text(254),
            "password": password(1),
        }),
    )
);

documented!(
    /// A job posting to capture.
    CaptureInput => object(
        "A job posting: its address, its page's source, the text pasted or selected (at least one; up to 5 MiB). \
         A url alone is fetched only when the server allows it (JOBCOPILOT_CAPTURE_FETCH).",
        &[],
        json!({
            "url": web_url(),
            "html": {"type": "string", "pattern": "^[^\\x00]*$", "description": "the page's HTML source"},
            "text": {"type": "string", "pattern": "^[^\\x00]*$", "description": "the posting's text"},
        }),
    )
);

documented!(
    /// A mailbox to connect.
    MailboxInput => object(
        "An IMAP mailbox: the login and folder are tried before anything is stored.",
        &["host", "port", "security", "username", "password"],
        json!({
            "host": {"type": "string", "minLength": 1, "maxLength": 253, "pattern": "^\\s*[A-Za-z0-9.:\\[\\]-]+\\s*$"},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "security": choice(&["tls", "starttls"]),
            "username": required_text(320),
            "password": password(1),
            "folder": nullable(text(200)),
            "since": nullable(timestamp()),
        }),
    )
);

documented!(
    /// The inbox's settings.
    InboxSettingsInput => object(
        "Whether sure suggestions (confidence ≥ 0.9, a matched application) apply themselves.",
        &["auto_apply"],
        json!({"auto_apply": {"type": "boolean"}}),
    )
);

documented!(
    /// Applying a suggestion, optionally edited.
    ApplyInput => object(
        "The proposal as the person edited it; absent: as proposed.",
        &[],
        json!({
            "proposed": nullable(json!({
                "type": "object", "additionalProperties": false,
                "properties": {
                    "status": nullable(choice(&crate::domain::pipeline::Status::CHOICES.map(|(n, _)| n))),
                    "interview": nullable(json!({
                        "type": "object", "additionalProperties": false,
                        "properties": {
                            "scheduled_at": nullable(timestamp()),
                            "meeting_url": nullable(web_url()),
                            "kind": nullable(choice(&INTERVIEW_KINDS)),
                        }
                    })),
                    "new_application": nullable(json!({
                        "type": "object", "additionalProperties": false,
                        "required": ["company", "title"],
                        "properties": {"company": required_text(NAME_MAX), "title": required_text(NAME_MAX)}
                    })),
                }
            })),
        }),
    )
);

macro_rules! page {
    ($name:ident, $item:ty) => {
        /// A page of a collection; pass `next_cursor` as `cursor` for the next one.
        #[derive(ToSchema, Serialize)]
        pub struct $name {
            items: Vec<$item>,
            next_cursor: Option<String>,
        }
    };
}

page!(ApplicationList, Application);
page!(HistoryList, StatusHistoryEntry);
page!(NoteList, Note);
page!(InterviewList, Interview);
page!(TokenList, TokenInfo);
page!(SessionList, SessionInfo);
page!(SuggestionList, crate::domain::suggestion::Suggestion);
page!(GenerationList, Generation);

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    fn as_json<T: PartialSchema>() -> Value {
        serde_json::to_value(T::schema()).unwrap_or_default()
    }

    #[test]
    fn hand_written_schemas_survive_the_trip_through_utoipa() {
        let s = as_json::<NewApplicationInput>();
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(s["required"], json!(["company", "title"]));
        assert_eq!(s["properties"]["company"]["maxLength"], json!(NAME_MAX));
        assert_eq!(s["properties"]["url"]["type"], json!(["string", "null"]));
        assert_eq!(s["properties"]["work_mode"]["enum"][3], Value::Null);
        for schema in [
            as_json::<ApplicationInput>(),
            as_json::<NewInterviewInput>(),
            as_json::<InterviewInput>(),
            as_json::<NoteInput>(),
            as_json::<RegisterInput>(),
            as_json::<TokenRequest>(),
            as_json::<MeInput>(),
            as_json::<NewTokenInput>(),
            as_json::<PasswordInput>(),
            as_json::<DeleteAccountInput>(),
            as_json::<NewGenerationInput>(),
            as_json::<PreferencesInput>(),
            as_json::<ProfileInput>(),
        ] {
            assert_eq!(schema["type"], json!("object"), "{schema}");
            assert_eq!(schema["additionalProperties"], json!(false), "{schema}");
            assert!(schema["properties"].is_object(), "{schema}");
        }
    }

    #[test]
    fn an_optional_url_is_a_url_or_blank() {
        assert_eq!(WEB_URL_OR_BLANK, format!(r"^\s*$|{WEB_URL}"));
    }

    #[test]
    fn the_currency_pattern_names_every_code_in_any_case() {
        let s = as_json::<PreferencesInput>();
        let pattern = s["properties"]["salary_currency"]["pattern"]
            .as_str()
            .unwrap_or_default();
        assert!(pattern.contains("[Uu][Ss][Dd]"), "{pattern}");
        assert!(pattern.contains("[Ee][Uu][Rr]"), "{pattern}");
    }
}
