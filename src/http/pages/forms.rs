//! HTML forms as the JSON objects the domain reads, so a form and the API
//! share one set of rules (and one set of messages). Text stays text; a
//! number that does not parse is passed on as text for the domain to refuse
//! with its usual message naming the field.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};

use super::filters::local_input_to_utc;
use super::FormData;
use crate::domain::{FieldError, ValidationError};

/// How a form field maps to JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Decimal,
    /// Comma- or line-separated values, as an array of strings.
    List,
    /// A `datetime-local` value in the user's zone, sent as UTC.
    LocalDateTime,
}

/// What an empty field means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    /// Leave it out (a create: defaults apply).
    Omit,
    /// `null` (a merge patch: clear it).
    Clear,
}

pub fn split_list(text: &str) -> Vec<Value> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Value::String(s.to_owned()))
        .collect()
}

/// The named fields of `form` as a JSON object. Fields absent from the form
/// are left out whatever `empty` says (a form that does not show a field
/// does not change it).
pub fn to_json(
    form: &FormData,
    fields: &[(&str, Kind)],
    empty: Empty,
    zone: &str,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, kind) in fields {
        if !form.has(name) {
            continue;
        }
        let raw = form.get(name);
        let text = raw.trim();
        if text.is_empty() && *kind != Kind::List {
            if empty == Empty::Clear {
                out.insert((*name).to_owned(), Value::Null);
            }
            continue;
        }
        let value = match kind {
            Kind::Text => Value::String(raw.to_owned()),
            Kind::Integer => text
                .replace([',', '_', ' '], "")
                .parse::<i64>()
                .map(|n| Value::Number(n.into()))
                .unwrap_or_else(|_| Value::String(text.to_owned())),
            Kind::Decimal => text
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(text.to_owned())),
            Kind::List => {
                let items = split_list(raw);
                if items.is_empty() && empty == Empty::Omit {
                    continue;
                }
                Value::Array(items)
            }
            Kind::LocalDateTime => {
                Value::String(local_input_to_utc(text, zone).unwrap_or_else(|| text.to_owned()))
            }
        };
        out.insert((*name).to_owned(), value);
    }
    out
}

/// Where a form posted from an application's page returns: that section of
/// the page named by the form's `application_id`, else `fallback`.
pub fn back_to_application(form: &FormData, section: &str, fallback: &str) -> String {
    match uuid::Uuid::parse_str(form.get("application_id")) {
        Ok(app) => format!("/applications/{app}#{section}"),
        Err(_) => fallback.to_owned(),
    }
}

/// Each field's first message, worded for a person ("Company must not be empty").
pub fn errors_by_field(e: &ValidationError) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for FieldError { field, message } in &e.errors {
        map.entry(field.clone())
            .or_insert_with(|| format!("{} {message}", field_label(field)));
    }
    map
}

pub fn field_label(field: &str) -> String {
    match field {
        "url" => "URL".into(),
        "meeting_url" => "Meeting URL".into(),
        "salary_min" => "Minimum salary".into(),
        "salary_max" => "Maximum salary".into(),
        "applied_on" => "Applied on".into(),
        "next_action_at" => "Next action date".into(),
        "scheduled_at" => "Date and time".into(),
        "duration_minutes" => "Duration".into(),
        "body" => "Note".into(),
        "resume_text" => "Résumé".into(),
        "display_name" | "name" => "Name".into(),
        "expires_at" => "Expiry".into(),
        other => {
            let name = other.rsplit('.').next().unwrap_or(other);
            super::filters::label(name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_leaves_out_empty_fields_and_a_patch_clears_them() {
        let f = FormData::of(&[("company", "Acme"), ("location", "  "), ("tags", "")]);
        let spec = [
            ("company", Kind::Text),
            ("location", Kind::Text),
            ("tags", Kind::List),
            ("source", Kind::Text),
        ];
        let create = to_json(&f, &spec, Empty::Omit, "UTC");
        assert_eq!(
            Value::Object(create),
            serde_json::json!({"company": "Acme"})
        );
        let patch = to_json(&f, &spec, Empty::Clear, "UTC");
        assert_eq!(
            Value::Object(patch),
            serde_json::json!({"company": "Acme", "location": null, "tags": []})
        );
    }

    #[test]
    fn numbers_lists_and_local_times_are_converted() {
        let f = FormData::of(&[
            ("salary_min", "120,000"),
            ("salary_max", "lots"),
            ("tags", "rust, remote\nberlin,"),
            ("next_action_at", "2026-07-01T14:00"),
            ("weight", "1.5"),
        ]);
        let spec = [
            ("salary_min", Kind::Integer),
            ("salary_max", Kind::Integer),
            ("tags", Kind::List),
            ("next_action_at", Kind::LocalDateTime),
            ("weight", Kind::Decimal),
        ];
        let json = to_json(&f, &spec, Empty::Omit, "Europe/Berlin");
        assert_eq!(
            Value::Object(json),
            serde_json::json!({
                "salary_min": 120000, "salary_max": "lots", "tags": ["rust", "remote", "berlin"],
                "next_action_at": "2026-07-01T12:00:00Z", "weight": 1.5
            })
        );
    }

    #[test]
    fn messages_name_the_field_in_words() {
        let e = ValidationError {
            errors: vec![
                FieldError {
                    field: "company".into(),
                    message: "must not be empty".into(),
                },
                FieldError {
                    field: "weights.salary".into(),
                    message: "must be at least 0".into(),
                },
            ],
        };
        let m = errors_by_field(&e);
        assert_eq!(m["company"], "Company must not be empty");
        assert_eq!(m["weights.salary"], "Salary must be at least 0");
    }
}
