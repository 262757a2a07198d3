//! Reading a JSON object field by field, collecting every problem with the
//! name of the field it concerns. Create bodies and merge patches both go
//! through here, so "wrong type", "null for a required field", "read-only"
//! and "unknown field" are decided in one place.

use serde::Serialize;
use serde_json::{Map, Value};
use time::{Date, OffsetDateTime};

/// One problem with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Every field problem of one request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(.errors))]
pub struct ValidationError {
    pub errors: Vec<FieldError>,
}

fn describe(errors: &[FieldError]) -> String {
    match errors.len() {
        1 => format!("{} {}", errors[0].field, errors[0].message),
        n => format!("{n} fields are invalid"),
    }
}

impl ValidationError {
    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            errors: vec![FieldError::new(field, message)],
        }
    }

    /// The same errors of a nested object, named by their path from the
    /// outside (`preferences.weights`, `applications[2].notes[0].body`).
    pub fn within(self, prefix: &str) -> Self {
        Self {
            errors: self
                .errors
                .into_iter()
                .map(|fe| FieldError::new(format!("{prefix}.{}", fe.field), fe.message))
                .collect(),
        }
    }
}

/// A field of a merge patch: absent (unchanged), `null` (cleared) or a value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Set(T),
}

impl<T> Patch<T> {
    /// The value a create uses: absent and null both mean "not given".
    pub fn into_option(self) -> Option<T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }

    /// Applies this patch to an optional value.
    pub fn apply_to<U: From<T>>(self, target: &mut Option<U>) {
        match self {
            Patch::Absent => {}
            Patch::Null => *target = None,
            Patch::Set(v) => *target = Some(v.into()),
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }
}

/// Whether a text may hold line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Text never holds NUL or other C0 control characters; a tab is allowed
/// everywhere, line breaks (LF, CR) only in multi-line text.
pub fn check_characters(s: &str, lines: Lines) -> Result<(), String> {
    let bad = s.chars().find(|c| {
        c.is_ascii_control()
            && *c != '\t'
            && *c != '\u{7f}'
            && !(lines == Lines::Many && (*c == '\n' || *c == '\r'))
    });
    match bad {
        None => Ok(()),
        Some('\n' | '\r') => Err("must be a single line (no line breaks)".into()),
        Some(c) => Err(format!(
            "must not contain control characters (found U+{:04X})",
            c as u32
        )),
    }
}

/// Whether `null` (and, for text, an empty string) is acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
}

/// A reader over one JSON object. Every accessor registers its field as known;
/// `finish` reports the fields nobody asked for.
pub struct Fields<'a> {
    object: &'a Map<String, Value>,
    known: Vec<&'static str>,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    pub fn new(object: &'a Map<String, Value>) -> Self {
        Self {
            object,
            known: Vec::new(),
            errors: Vec::new(),
        }
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    fn raw(&mut self, name: &'static str) -> Option<&'a Value> {
        self.known.push(name);
        self.object.get(name)
    }

    /// Fields that may be read but never written.
    pub fn read_only(&mut self, names: &[&'static str]) {
        for name in names {
            if self.raw(name).is_some() {
                self.error(name, "is read-only");
            }
        }
    }

    /// Reads a field and handles absence, null and presence rules; `convert`
    /// turns a non-null value into `T` or an error message.
    fn read<T>(
        &mut self,
        name: &'static str,
        presence: Presence,
        convert: impl FnOnce(&'a Value) -> Result<T, String>,
    ) -> Patch<T> {
        match self.raw(name) {
            None => Patch::Absent,
            Some(Value::Null) => {
                if presence == Presence::Required {
                    self.error(name, "must not be null");
                    Patch::Absent
                } else {
                    Patch::Null
                }
            }
            Some(value) => match convert(value) {
                Ok(v) => Patch::Set(v),
                Err(message) => {
                    self.error(name, message);
                    Patch::Absent
                }
            },
        }
    }

    /// A single-line string, trimmed, at most `max_chars` Unicode
    /// characters, without control characters (a tab is allowed). An empty
    /// optional string clears the field; an empty required one is an error.
    pub fn text(
        &mut self,
        name: &'static str,
        max_chars: usize,
        presence: Presence,
    ) -> Patch<String> {
        self.string(name, max_chars, presence, Lines::One)
    }

    /// Like [`Fields::text`], but line breaks are allowed (notes, descriptions).
    pub fn multiline(
        &mut self,
        name: &'static str,
        max_chars: usize,
        presence: Presence,
    ) -> Patch<String> {
        self.string(name, max_chars, presence, Lines::Many)
    }

    fn string(
        &mut self,
        name: &'static str,
        max_chars: usize,
        presence: Presence,
        lines: Lines,
    ) -> Patch<String> {
        let patch = self.read(name, presence, |v| {
            let raw = v.as_str().ok_or("must be a string")?;
            // Checked before trimming: "Acme\n" was sent with a line break.
            check_characters(raw, lines)?;
            let s = raw.trim();
            if s.chars().count() > max_chars {
                return Err(format!("must be at most {max_chars} characters"));
            }
            Ok(s.to_owned())
        });
        match patch {
            Patch::Set(s) if s.is_empty() => match presence {
                Presence::Required => {
                    self.error(name, "must not be empty");
                    Patch::Absent
                }
                Presence::Optional => Patch::Null,
            },
            other => other,
        }
    }

    /// An absolute http or https URL.
    pub fn url(&mut self, name: &'static str, max_chars: usize) -> Patch<String> {
        match self.text(name, max_chars, Presence::Optional) {
            Patch::Set(s) => match validate_web_url(&s) {
                Ok(()) => Patch::Set(s),
                Err(message) => {
                    self.error(name, message);
                    Patch::Absent
                }
            },
            other => other,
        }
    }

    /// An email address (a plausible shape; deliverability is not checked).
    pub fn email(&mut self, name: &'static str, presence: Presence) -> Patch<String> {
        match self.text(name, 254, presence) {
            Patch::Set(s) => match validate_email(&s) {
                Ok(()) => Patch::Set(s),
                Err(message) => {
                    self.error(name, message);
                    Patch::Absent
                }
            },
            other => other,
        }
    }

    /// A whole number within `min..=max`.
    pub fn integer(
        &mut self,
        name: &'static str,
        min: i64,
        max: i64,
        presence: Presence,
    ) -> Patch<i64> {
        self.read(name, presence, |v| {
            let n = match v {
                Value::Number(n) => n.as_i64().ok_or("must be a whole number")?,
                _ => return Err("must be a whole number".into()),
            };
            if n < min || n > max {
                return Err(format!("must be between {min} and {max}"));
            }
            Ok(n)
        })
    }

    pub fn boolean(&mut self, name: &'static str, presence: Presence) -> Patch<bool> {
        self.read(name, presence, |v| {
            v.as_bool().ok_or_else(|| "must be true or false".into())
        })
    }

    /// A calendar date, `YYYY-MM-DD`.
    pub fn date(&mut self, name: &'static str, presence: Presence) -> Patch<Date> {
        self.read(name, presence, |v| {
            let s = v.as_str().ok_or("must be a date (YYYY-MM-DD)")?;
            super::time::parse_date(s.trim()).ok_or_else(|| "must be a date (YYYY-MM-DD)".into())
        })
    }

    /// A point in time, RFC 3339 with an offset.
    pub fn timestamp(&mut self, name: &'static str, presence: Presence) -> Patch<OffsetDateTime> {
        self.read(name, presence, |v| {
            let s = v.as_str().ok_or("must be an RFC 3339 timestamp")?;
            super::time::parse_timestamp(s.trim())
                .ok_or_else(|| "must be an RFC 3339 timestamp (e.g. 2026-11-25T19:08:39Z)".into())
        })
    }

    /// One of a fixed set of names.
    pub fn choice<T: Copy>(
        &mut self,
        name: &'static str,
        options: &[(&'static str, T)],
        presence: Presence,
    ) -> Patch<T> {
        self.read(name, presence, |v| {
            let s = v.as_str().map(str::trim);
            options
                .iter()
                .find(|(label, _)| Some(*label) == s)
                .map(|(_, value)| *value)
                .ok_or_else(|| {
                    let names: Vec<&str> = options.iter().map(|(label, _)| *label).collect();
                    format!("must be one of: {}", names.join(", "))
                })
        })
    }

    /// An array of non-empty strings, trimmed, without repeats.
    pub fn string_list(
        &mut self,
        name: &'static str,
        max_items: usize,
        max_chars: usize,
        presence: Presence,
    ) -> Patch<Vec<String>> {
        self.read(name, presence, |v| {
            let items = v.as_array().ok_or("must be an array of strings")?;
            if items.len() > max_items {
                return Err(format!("must have at most {max_items} items"));
            }
            let mut out: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                let raw = item.as_str().ok_or("must be an array of strings")?;
                check_characters(raw, Lines::One).map_err(|e| format!("items {e}"))?;
                let s = raw.trim();
                if s.is_empty() {
                    return Err("must not contain empty strings".into());
                }
                if s.chars().count() > max_chars {
                    return Err(format!("items must be at most {max_chars} characters"));
                }
                if !out.iter().any(|o| o == s) {
                    out.push(s.to_owned());
                }
            }
            Ok(out)
        })
    }

    /// A UUID given as a string.
    pub fn uuid(&mut self, name: &'static str, presence: Presence) -> Patch<uuid::Uuid> {
        self.read(name, presence, |v| {
            v.as_str()
                .and_then(|s| uuid::Uuid::parse_str(s.trim()).ok())
                .ok_or_else(|| "must be an id (UUID)".into())
        })
    }

    /// Records "is required" for a field that was not given (and has no other error).
    pub fn require<T>(&mut self, name: &'static str, value: &Patch<T>) {
        if value.is_absent() && !self.errors.iter().any(|e| e.field == name) {
            self.error(name, "is required");
        }
    }

    /// Sets the one error of a field, replacing any it had.
    pub fn replace_error(&mut self, name: &'static str, message: &str) {
        self.errors.retain(|e| e.field != name);
        self.error(name, message);
    }

    /// Marks a field as known without reading it (the caller reads it itself).
    pub fn mark_known(&mut self, name: &'static str) {
        self.known.push(name);
    }

    /// Ends reading a nested object whose keys the caller checked itself.
    pub fn finish_known(mut self, names: &[&'static str]) -> Result<(), ValidationError> {
        self.known.extend_from_slice(names);
        self.finish()
    }

    /// Ends reading: unknown fields become errors, and all errors are returned.
    pub fn finish(mut self) -> Result<(), ValidationError> {
        let mut unknown: Vec<&String> = self
            .object
            .keys()
            .filter(|k| !self.known.contains(&k.as_str()))
            .collect();
        unknown.sort();
        for key in unknown {
            self.errors
                .push(FieldError::new(key.clone(), "is not a known field"));
        }
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                errors: self.errors,
            })
        }
    }
}

/// Requires a JSON object at the top level of a body.
pub fn as_object(value: &Value) -> Result<&Map<String, Value>, ValidationError> {
    value
        .as_object()
        .ok_or_else(|| ValidationError::single("body", "must be a JSON object"))
}

pub fn validate_web_url(s: &str) -> Result<(), String> {
    match url::Url::parse(s) {
        Ok(u)
            if (u.scheme() == "http" || u.scheme() == "https")
                && u.host_str().is_some_and(|h| !h.is_empty()) =>
        {
            Ok(())
        }
        Ok(_) => Err("must be an http or https URL".into()),
        Err(_) => Err("must be an absolute http or https URL".into()),
    }
}

pub fn validate_email(s: &str) -> Result<(), String> {
    let bad = || Err("must be an email address".to_string());
    let Some((local, domain)) = s.rsplit_once('@') else {
        return bad();
    };
    if local.is_empty()
        || local.chars().count() > 64
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || s.chars().any(|c| c.is_whitespace() || c.is_control())
        || domain.contains('@')
    {
        return bad();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn text_is_trimmed_and_limited_in_characters_not_bytes() {
        let o = object(json!({"a": "  héllo  ", "b": "ééé"}));
        let mut f = Fields::new(&o);
        assert_eq!(
            f.text("a", 5, Presence::Required),
            Patch::Set("héllo".into())
        );
        assert_eq!(f.text("b", 3, Presence::Required), Patch::Set("ééé".into()));
        assert!(f.finish().is_ok());
    }

    #[test]
    fn null_for_a_required_field_and_wrong_types_name_the_field() {
        let o = object(json!({"company": null, "salary_min": "10", "tags": [1]}));
        let mut f = Fields::new(&o);
        f.text("company", 200, Presence::Required);
        f.integer("salary_min", 0, i64::MAX, Presence::Optional);
        f.string_list("tags", 20, 40, Presence::Optional);
        let err = f.finish().unwrap_err();
        let fields: Vec<&str> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["company", "salary_min", "tags"]);
    }

    #[test]
    fn unknown_and_read_only_fields_are_errors() {
        let o = object(json!({"id": "x", "colour": "red"}));
        let mut f = Fields::new(&o);
        f.read_only(&["id"]);
        let err = f.finish().unwrap_err();
        assert_eq!(err.errors[0], FieldError::new("id", "is read-only"));
        assert_eq!(
            err.errors[1],
            FieldError::new("colour", "is not a known field")
        );
    }

    #[test]
    fn empty_optional_text_clears_and_empty_required_text_is_an_error() {
        let o = object(json!({"location": "  ", "company": ""}));
        let mut f = Fields::new(&o);
        assert_eq!(f.text("location", 200, Presence::Optional), Patch::Null);
        assert_eq!(f.text("company", 200, Presence::Required), Patch::Absent);
        assert_eq!(f.finish().unwrap_err().errors[0].field, "company");
    }

    #[test]
    fn urls_must_be_http_or_https() {
        for (url, ok) in [
            ("https://example.com/jobs/1", true),
            ("http://example.com", true),
            ("ftp://example.com", false),
            ("javascript:alert(1)", false),
            ("example.com/jobs", false),
        ] {
            assert_eq!(validate_web_url(url).is_ok(), ok, "{url}");
        }
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        for (email, ok) in [
            ("ada@example.com", true),
            ("a.b+c@sub.example.org", true),
            ("ada@localhost", false),
            ("@example.com", false),
            ("ada example@example.com", false),
            ("ada", false),
        ] {
            assert_eq!(validate_email(email).is_ok(), ok, "{email}");
        }
    }

    #[test]
    fn string_lists_drop_repeats_and_refuse_empty_items() {
        let o = object(json!({"tags": ["rust", " rust ", "go"], "bad": ["", "x"]}));
        let mut f = Fields::new(&o);
        assert_eq!(
            f.string_list("tags", 20, 40, Presence::Optional),
            Patch::Set(vec!["rust".into(), "go".into()])
        );
        f.string_list("bad", 20, 40, Presence::Optional);
        assert_eq!(f.finish().unwrap_err().errors[0].field, "bad");
    }

    #[test]
    fn integers_refuse_fractions_and_out_of_range_values() {
        let o = object(json!({"a": 1.5, "b": -1, "c": 7}));
        let mut f = Fields::new(&o);
        assert_eq!(f.integer("a", 0, 10, Presence::Optional), Patch::Absent);
        assert_eq!(f.integer("b", 0, 10, Presence::Optional), Patch::Absent);
        assert_eq!(f.integer("c", 0, 10, Presence::Optional), Patch::Set(7));
        assert_eq!(f.finish().unwrap_err().errors.len(), 2);
    }
}
