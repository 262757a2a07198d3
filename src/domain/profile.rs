//! The user's profile: the material AI drafts draw on.

use serde::Serialize;
use serde_json::{Map, Value};

use super::fields::{Fields, Presence, ValidationError};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Profile {
    pub headline: Option<String>,
    pub summary: Option<String>,
    pub resume_text: Option<String>,
    pub skills: Vec<String>,
    pub links: Vec<String>,
}

impl Profile {
    /// Reads a whole profile (PUT): absent fields are empty.
    pub fn parse(body: &Map<String, Value>) -> Result<Profile, ValidationError> {
        let mut f = Fields::new(body);
        let headline = f.text("headline", 200, Presence::Optional).into_option();
        let summary = f
            .multiline("summary", 5_000, Presence::Optional)
            .into_option();
        let resume_text = f
            .multiline("resume_text", 50_000, Presence::Optional)
            .into_option();
        let skills = f
            .string_list("skills", 100, 100, Presence::Optional)
            .into_option()
            .unwrap_or_default();
        let links = f
            .string_list("links", 20, 2_000, Presence::Optional)
            .into_option()
            .unwrap_or_default();
        for link in &links {
            if let Err(message) = super::fields::validate_web_url(link) {
                f.error("links", format!("items {message}"));
                break;
            }
        }
        f.finish()?;
        Ok(Profile {
            headline,
            summary,
            resume_text,
            skills,
            links,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_profile_is_validated_field_by_field() {
        let ok = Profile::parse(
            json!({"headline": "Rust engineer", "skills": ["Rust"], "links": ["https://ada.dev"]})
                .as_object()
                .unwrap(),
        );
        assert!(ok.is_ok());
        for (body, field) in [
            (json!({"resume_text": "x".repeat(50_001)}), "resume_text"),
            (json!({"links": ["ftp://x"]}), "links"),
            (json!({"skills": "rust"}), "skills"),
            (json!({"photo": "x"}), "photo"),
        ] {
            let err = Profile::parse(body.as_object().unwrap()).unwrap_err();
            assert_eq!(err.errors[0].field, field);
        }
    }
}
