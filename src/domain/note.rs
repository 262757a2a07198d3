//! Notes on an application.

use serde::Serialize;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::application::NOTE_MAX;
use super::fields::{Fields, Presence, ValidationError};
use super::time::serde_ts;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Note {
    pub id: Uuid,
    pub application_id: Uuid,
    pub body: String,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(serialize_with = "serde_ts::timestamp")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: i32,
}

/// The text of a note, from a create or patch body `{body}`.
pub fn parse_note_body(body: &Map<String, Value>) -> Result<String, ValidationError> {
    let mut f = Fields::new(body);
    f.read_only(&[
        "id",
        "application_id",
        "version",
        "created_at",
        "updated_at",
    ]);
    let text = f.multiline("body", NOTE_MAX, Presence::Required);
    f.require("body", &text);
    f.finish()?;
    Ok(text.into_option().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_note_needs_non_empty_text_of_at_most_20000_characters() {
        let ok = json!({"body": "  Called the recruiter  "});
        assert_eq!(
            parse_note_body(ok.as_object().unwrap()).unwrap(),
            "Called the recruiter"
        );
        for bad in [
            json!({}),
            json!({"body": " "}),
            json!({"body": "x".repeat(20_001)}),
            json!({"body": 3}),
        ] {
            let err = parse_note_body(bad.as_object().unwrap()).unwrap_err();
            assert_eq!(err.errors[0].field, "body");
        }
    }
}
