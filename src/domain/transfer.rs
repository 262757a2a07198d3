//! The export document — format `jobcopilot-export`, version 1 — and how an
//! export file is read back. Reading goes through the same rules as the API
//! (a file cannot smuggle in what a request could not), one application at
//! a time, so a file of any size is read in constant memory.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::{Map, Value};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::account::{TokenInfo, User};
use super::application::{ApplicationDetail, NewApplication, NOTE_MAX};
use super::fields::{Fields, Presence, ValidationError};
use super::generation::{self, Generation};
use super::history::StatusHistoryEntry;
use super::interview::{Interview, InterviewFields, NewInterview};
use super::note::{parse_note_body, Note};
use super::pipeline::Status;
use super::preferences::Preferences;
use super::profile::Profile;
use super::time::serde_ts;

pub const FORMAT: &str = "jobcopilot-export";
pub const VERSION: u64 = 1;

/// Everything of the export but its applications, which follow it.
#[derive(Serialize)]
pub struct Head<'a> {
    pub format: &'static str,
    pub version: u64,
    #[serde(serialize_with = "serde_ts::timestamp")]
    pub exported_at: OffsetDateTime,
    pub user: &'a User,
    pub preferences: &'a Preferences,
    pub profile: &'a Profile,
    /// Token metadata only: never a secret.
    pub tokens: &'a [TokenInfo],
}

impl Head<'_> {
    /// The document up to its first application: `{…,"applications":[`.
    pub fn opening(&self) -> serde_json::Result<String> {
        let mut text = serde_json::to_string(self)?;
        text.pop(); // the closing brace
        text.push_str(",\"applications\":[");
        Ok(text)
    }
}

/// What closes the document after the last application.
pub const CLOSING: &str = "]}\n";

/// One application as exported, with everything that hangs on it.
#[derive(Serialize)]
pub struct ExportedApplication {
    #[serde(flatten)]
    pub detail: ApplicationDetail,
    pub notes: Vec<Note>,
    pub interviews: Vec<Interview>,
    pub history: Vec<StatusHistoryEntry>,
    pub generations: Vec<Generation>,
}

/// A note read from an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedNote {
    pub exported_id: Uuid,
    pub body: String,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An interview read from an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedInterview {
    pub exported_id: Uuid,
    pub fields: InterviewFields,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A status history entry read from an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedHistory {
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub changed_at: OffsetDateTime,
    pub note: Option<String>,
    pub undone: bool,
    pub is_undo: bool,
}

/// A finished draft read from an export (one still queued or running when
/// exported comes back cancelled: nothing runs it again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedGeneration {
    pub exported_id: Uuid,
    /// The exported id of the interview it was for.
    pub interview_id: Option<Uuid>,
    pub kind: generation::Kind,
    pub tone: generation::Tone,
    pub instructions: Option<String>,
    pub status: generation::Status,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub output: String,
    pub error: Option<String>,
    /// What was sent to the model (the audit view's).
    pub prompt: Option<String>,
    pub progress: i32,
    pub attempts: i32,
    pub usage: generation::Usage,
    /// Each attempt's timing, as recorded.
    pub timings: Value,
    /// The fit the draft was written from, as recorded.
    pub fit: Option<Value>,
    pub created_at: OffsetDateTime,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
}

/// An application read from an export, checked by the API's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedApplication {
    /// The id it had in the export (None: from a CSV file).
    pub exported_id: Option<Uuid>,
    pub application: NewApplication,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub notes: Vec<ImportedNote>,
    pub interviews: Vec<ImportedInterview>,
    pub history: Vec<ImportedHistory>,
    pub generations: Vec<ImportedGeneration>,
}

impl ImportedApplication {
    /// A new application from a row of a spreadsheet: created now, with one
    /// history entry reaching its status at `reached_at`, and its note.
    pub fn from_row(
        application: NewApplication,
        note: Option<String>,
        reached_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> ImportedApplication {
        let status = application.fields.status;
        let status_note = application.status_note.clone();
        ImportedApplication {
            exported_id: None,
            application,
            version: 1,
            created_at: now,
            updated_at: now,
            notes: note
                .map(|body| ImportedNote {
                    exported_id: Uuid::now_v7(),
                    body,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                })
                .into_iter()
                .collect(),
            interviews: Vec::new(),
            history: vec![ImportedHistory {
                from_status: None,
                to_status: status,
                changed_at: reached_at,
                note: status_note,
                undone: false,
                is_undo: false,
            }],
            generations: Vec::new(),
        }
    }

    /// When the status last changed: the newest history entry, else creation.
    pub fn status_changed_at(&self) -> OffsetDateTime {
        self.history
            .iter()
            .map(|h| h.changed_at)
            .max()
            .unwrap_or(self.created_at)
    }

    pub fn counts(&self) -> ImportCounts {
        ImportCounts {
            applications: 1,
            notes: self.notes.len(),
            interviews: self.interviews.len(),
            history: self.history.len(),
            generations: self.generations.len(),
            skipped: 0,
        }
    }
}

/// What an import created (an application already there is `skipped`, with
/// everything on it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportCounts {
    pub applications: usize,
    pub notes: usize,
    pub interviews: usize,
    pub history: usize,
    pub generations: usize,
    /// Applications of the file that were already imported (or are the
    /// account's own), left as they are.
    pub skipped: usize,
}

impl std::ops::AddAssign for ImportCounts {
    fn add_assign(&mut self, o: ImportCounts) {
        self.applications += o.applications;
        self.notes += o.notes;
        self.interviews += o.interviews;
        self.history += o.history;
        self.generations += o.generations;
        self.skipped += o.skipped;
    }
}

fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ValidationError> {
    value
        .as_object()
        .ok_or_else(|| ValidationError::single(path, "must be an object"))
}

/// The members of `list` (absent: none), each an object.
fn members<'a>(
    app: &'a Map<String, Value>,
    list: &str,
    prefix: &str,
) -> Result<Vec<&'a Map<String, Value>>, ValidationError> {
    match app.get(list) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| object(v, &format!("{prefix}.{list}[{i}]")))
            .collect(),
        Some(_) => Err(ValidationError::single(
            format!("{prefix}.{list}"),
            "must be an array",
        )),
    }
}

/// The bookkeeping every exported record has: its id, version and times.
struct Stamps {
    id: Uuid,
    version: i32,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

fn stamps(f: &mut Fields<'_>, now: OffsetDateTime) -> Stamps {
    let id = f.uuid("id", Presence::Required);
    f.require("id", &id);
    let created_at = f
        .timestamp("created_at", Presence::Optional)
        .into_option()
        .unwrap_or(now);
    Stamps {
        id: id.into_option().unwrap_or_default(),
        version: f
            .integer("version", 1, i32::MAX as i64, Presence::Optional)
            .into_option()
            .unwrap_or(1) as i32,
        created_at,
        updated_at: f
            .timestamp("updated_at", Presence::Optional)
            .into_option()
            .unwrap_or(created_at),
    }
}

/// Keeps only the named keys of an object (the others are read elsewhere or
/// are bookkeeping the import makes anew).
fn only(object: &Map<String, Value>, keep: &[&str]) -> Map<String, Value> {
    object
        .iter()
        .filter(|(k, _)| keep.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

const APPLICATION_FIELDS: [&str; 19] = [
    "company",
    "title",
    "url",
    "location",
    "work_mode",
    "salary_min",
    "salary_max",
    "salary_currency",
    "status",
    "source",
    "applied_on",
    "deadline",
    "job_description",
    "tags",
    "contact_name",
    "contact_email",
    "next_action",
    "next_action_at",
    "status_note",
];

const INTERVIEW_FIELDS: [&str; 8] = [
    "kind",
    "scheduled_at",
    "duration_minutes",
    "location",
    "meeting_url",
    "interviewers",
    "notes",
    "outcome",
];

/// Reads the `index`th application of an export file.
pub fn read_application(
    value: &Value,
    index: usize,
    today: Date,
    now: OffsetDateTime,
) -> Result<ImportedApplication, ValidationError> {
    let prefix = format!("applications[{index}]");
    let app = object(value, &prefix)?;
    let s = bookkeeping(app, &prefix, now)?;
    let application = NewApplication::parse(&only(app, &APPLICATION_FIELDS), today)
        .map_err(|e| e.within(&prefix))?;
    let notes = members(app, "notes", &prefix)?
        .into_iter()
        .enumerate()
        .map(|(i, n)| read_note(n, &format!("{prefix}.notes[{i}]"), now))
        .collect::<Result<_, _>>()?;
    let interviews = members(app, "interviews", &prefix)?
        .into_iter()
        .enumerate()
        .map(|(i, n)| read_interview(n, &format!("{prefix}.interviews[{i}]"), s.id, now))
        .collect::<Result<_, _>>()?;
    let history = members(app, "history", &prefix)?
        .into_iter()
        .enumerate()
        .map(|(i, n)| read_history(n, &format!("{prefix}.history[{i}]")))
        .collect::<Result<_, _>>()?;
    let generations = members(app, "generations", &prefix)?
        .into_iter()
        .enumerate()
        .map(|(i, n)| read_generation(n, &format!("{prefix}.generations[{i}]"), now))
        .collect::<Result<_, _>>()?;
    Ok(ImportedApplication {
        exported_id: Some(s.id),
        application,
        version: s.version,
        created_at: s.created_at,
        updated_at: s.updated_at,
        notes,
        interviews,
        history,
        generations,
    })
}

/// Checks bookkeeping fields only (the record's own fields are read by the
/// API's parser, which refuses unknown names itself).
fn bookkeeping(
    o: &Map<String, Value>,
    path: &str,
    now: OffsetDateTime,
) -> Result<Stamps, ValidationError> {
    let keep = only(o, &["id", "version", "created_at", "updated_at"]);
    let mut f = Fields::new(&keep);
    let s = stamps(&mut f, now);
    f.finish().map_err(|e| e.within(path))?;
    Ok(s)
}

fn read_note(
    o: &Map<String, Value>,
    path: &str,
    now: OffsetDateTime,
) -> Result<ImportedNote, ValidationError> {
    let s = bookkeeping(o, path, now)?;
    let body = parse_note_body(&only(o, &["body"])).map_err(|e| e.within(path))?;
    Ok(ImportedNote {
        exported_id: s.id,
        body,
        version: s.version,
        created_at: s.created_at,
        updated_at: s.updated_at,
    })
}

fn read_interview(
    o: &Map<String, Value>,
    path: &str,
    application: Uuid,
    now: OffsetDateTime,
) -> Result<ImportedInterview, ValidationError> {
    let s = bookkeeping(o, path, now)?;
    let mut body = only(o, &INTERVIEW_FIELDS);
    body.insert(
        "application_id".into(),
        Value::String(application.to_string()),
    );
    let parsed = NewInterview::parse(&body).map_err(|e| e.within(path))?;
    Ok(ImportedInterview {
        exported_id: s.id,
        fields: parsed.fields,
        version: s.version,
        created_at: s.created_at,
        updated_at: s.updated_at,
    })
}

fn read_history(o: &Map<String, Value>, path: &str) -> Result<ImportedHistory, ValidationError> {
    let body = only(
        o,
        &[
            "from_status",
            "to_status",
            "changed_at",
            "note",
            "undone",
            "is_undo",
        ],
    );
    let mut f = Fields::new(&body);
    let from_status = f.choice("from_status", &Status::CHOICES, Presence::Optional);
    let to_status = f.choice("to_status", &Status::CHOICES, Presence::Required);
    f.require("to_status", &to_status);
    let changed_at = f.timestamp("changed_at", Presence::Required);
    f.require("changed_at", &changed_at);
    let note = f.multiline("note", NOTE_MAX, Presence::Optional);
    let undone = f.boolean("undone", Presence::Optional);
    let is_undo = f.boolean("is_undo", Presence::Optional);
    f.finish().map_err(|e| e.within(path))?;
    Ok(ImportedHistory {
        from_status: from_status.into_option(),
        to_status: to_status.into_option().unwrap_or(Status::Wishlist),
        changed_at: changed_at
            .into_option()
            .unwrap_or(OffsetDateTime::UNIX_EPOCH),
        note: note.into_option(),
        undone: undone.into_option().unwrap_or(false),
        is_undo: is_undo.into_option().unwrap_or(false),
    })
}

/// Drafts are long: the model's answer is kept up to this many characters.
pub const OUTPUT_MAX: usize = 200_000;

fn read_generation(
    o: &Map<String, Value>,
    path: &str,
    now: OffsetDateTime,
) -> Result<ImportedGeneration, ValidationError> {
    let body = only(
        o,
        &[
            "id",
            "interview_id",
            "kind",
            "tone",
            "instructions",
            "status",
            "provider",
            "model",
            "output",
            "error",
            "prompt",
            "progress",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ],
    );
    let mut f = Fields::new(&body);
    let id = f.uuid("id", Presence::Required);
    f.require("id", &id);
    let interview_id = f.uuid("interview_id", Presence::Optional);
    let kind = f.choice("kind", &generation::Kind::CHOICES, Presence::Required);
    f.require("kind", &kind);
    let tone = f.choice("tone", &generation::Tone::CHOICES, Presence::Required);
    f.require("tone", &tone);
    let instructions = f.multiline(
        "instructions",
        generation::INSTRUCTIONS_MAX,
        Presence::Optional,
    );
    let status = f.choice("status", &generation::Status::CHOICES, Presence::Required);
    f.require("status", &status);
    let provider = f.text("provider", 200, Presence::Optional);
    let model = f.text("model", 200, Presence::Optional);
    let output = f.multiline("output", OUTPUT_MAX, Presence::Optional);
    let error = f.multiline("error", 2_000, Presence::Optional);
    let prompt = f.multiline("prompt", OUTPUT_MAX, Presence::Optional);
    let progress = f.integer("progress", 0, i32::MAX as i64, Presence::Optional);
    let attempts = f.integer("attempts", 0, 100, Presence::Optional);
    let created_at = f.timestamp("created_at", Presence::Optional);
    let started_at = f.timestamp("started_at", Presence::Optional);
    let finished_at = f.timestamp("finished_at", Presence::Optional);
    f.finish().map_err(|e| e.within(path))?;
    let usage = read_usage(o.get("usage"))
        .map_err(|m| ValidationError::single(format!("{path}.usage"), m))?;
    let timings = match o.get("timings") {
        None | Some(Value::Null) => Value::Array(Vec::new()),
        Some(Value::Array(t)) if t.len() <= 50 && t.iter().all(Value::is_object) => {
            Value::Array(t.clone())
        }
        Some(_) => {
            return Err(ValidationError::single(
                format!("{path}.timings"),
                "must be a list of at most 50 objects",
            ))
        }
    };
    let fit = match o.get("fit") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) if v.to_string().len() <= OUTPUT_MAX => Some(v.clone()),
        Some(_) => {
            return Err(ValidationError::single(
                format!("{path}.fit"),
                "must be an object (the fit the draft was written from)",
            ))
        }
    };
    let status = status
        .into_option()
        .unwrap_or(generation::Status::Cancelled);
    let status = if status.is_finished() {
        status
    } else {
        generation::Status::Cancelled
    };
    let created_at = created_at.into_option().unwrap_or(now);
    Ok(ImportedGeneration {
        exported_id: id.into_option().unwrap_or_default(),
        interview_id: interview_id.into_option(),
        kind: kind.into_option().unwrap_or(generation::Kind::CoverLetter),
        tone: tone.into_option().unwrap_or(generation::Tone::Professional),
        instructions: instructions.into_option(),
        status,
        provider: provider.into_option(),
        model: model.into_option(),
        output: output.into_option().unwrap_or_default(),
        error: error.into_option(),
        prompt: prompt.into_option(),
        progress: progress.into_option().unwrap_or(0) as i32,
        attempts: attempts.into_option().unwrap_or(0) as i32,
        usage,
        timings,
        fit,
        created_at,
        started_at: started_at.into_option(),
        finished_at: Some(finished_at.into_option().unwrap_or(created_at)),
    })
}

/// A draft's token counts (`{prompt_tokens, completion_tokens}`, each a
/// count or null).
fn read_usage(v: Option<&Value>) -> Result<generation::Usage, &'static str> {
    let count = |o: &Map<String, Value>, k: &str| match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(n) => n
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or("token counts must be whole numbers"),
    };
    match v {
        None | Some(Value::Null) => Ok(generation::Usage {
            prompt_tokens: None,
            completion_tokens: None,
        }),
        Some(Value::Object(o)) => Ok(generation::Usage {
            prompt_tokens: count(o, "prompt_tokens")?,
            completion_tokens: count(o, "completion_tokens")?,
        }),
        Some(_) => Err("must be an object"),
    }
}

/// What the streaming reader meets in an export file, in order: the
/// account's settings once (when the applications begin), then each
/// application as raw JSON.
#[derive(Debug)]
pub enum Part {
    Settings {
        preferences: Option<Value>,
        profile: Option<Value>,
    },
    Application(Value),
}

/// Reads an export document, handing each part to `sink` as it is read (so
/// the file is never whole in memory). `sink` answers false to stop.
/// Errors name what makes the file not an export.
pub fn read_document<'de, D: Deserializer<'de>>(
    deserializer: D,
    sink: &mut dyn FnMut(Part) -> bool,
) -> Result<(), D::Error> {
    deserializer.deserialize_map(DocumentVisitor { sink })
}

struct DocumentVisitor<'s> {
    sink: &'s mut dyn FnMut(Part) -> bool,
}

impl<'de> Visitor<'de> for DocumentVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "a Job Copilot export (a JSON object with format \"{FORMAT}\")"
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::Error;
        let (mut format, mut version) = (None::<Value>, None::<Value>);
        let (mut preferences, mut profile) = (None, None);
        let mut applications = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => format = Some(map.next_value()?),
                "version" => version = Some(map.next_value()?),
                "preferences" => preferences = Some(map.next_value()?),
                "profile" => profile = Some(map.next_value()?),
                "applications" => {
                    check_format(format.as_ref(), version.as_ref()).map_err(A::Error::custom)?;
                    if !(self.sink)(Part::Settings {
                        preferences: preferences.take(),
                        profile: profile.take(),
                    }) {
                        return Ok(());
                    }
                    map.next_value_seed(Applications {
                        sink: &mut *self.sink,
                    })?;
                    applications = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        check_format(format.as_ref(), version.as_ref()).map_err(A::Error::custom)?;
        if !applications {
            return Err(A::Error::custom("the export has no \"applications\" list"));
        }
        Ok(())
    }
}

/// Whether the document says it is an export this version reads.
pub fn check_format(format: Option<&Value>, version: Option<&Value>) -> Result<(), String> {
    match format.and_then(Value::as_str) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(format!(
                "this is not a Job Copilot export: its format is {other:?}, not \"{FORMAT}\""
            ))
        }
        None => {
            return Err(format!(
                "this is not a Job Copilot export: \"format\": \"{FORMAT}\" must come first"
            ))
        }
    }
    match version.and_then(Value::as_u64) {
        Some(VERSION) => Ok(()),
        Some(v) => Err(format!(
            "this export is version {v}; this Job Copilot reads version {VERSION}"
        )),
        None => Err("the export has no version number".into()),
    }
}

struct Applications<'s> {
    sink: &'s mut dyn FnMut(Part) -> bool,
}

impl<'de> DeserializeSeed<'de> for Applications<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Applications<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of applications")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(app) = seq.next_element::<Value>()? {
            if !(self.sink)(Part::Application(app)) {
                // Stopped: the rest is skipped unread.
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return Ok(());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::{date, datetime};

    const TODAY: Date = date!(2026 - 11 - 30);
    const NOW: OffsetDateTime = datetime!(2026-11-30 12:00 UTC);

    fn parts(text: &str) -> Result<Vec<Part>, String> {
        let mut out = Vec::new();
        let mut de = serde_json::Deserializer::from_str(text);
        read_document(&mut de, &mut |p| {
            out.push(p);
            true
        })
        .map_err(|e| e.to_string())?;
        de.end().map_err(|e| e.to_string())?;
        Ok(out)
    }

    fn application() -> Value {
        json!({
            "id": "01936f0e-0000-7000-8000-000000000001",
            "company": "Acme", "title": "Engineer", "status": "interviewing",
            "applied_on": "2026-03-05", "tags": ["rust"], "priority_score": 40,
            "priority_reasons": [], "possible_duplicate_of": null, "version": 3,
            "created_at": "2026-03-01T10:00:00Z", "updated_at": "2026-03-09T10:00:00Z",
            "job_description": "Build things",
            "notes": [{"id": "01936f0e-0000-7000-8000-000000000002",
                       "application_id": "01936f0e-0000-7000-8000-000000000001",
                       "body": "Called them", "version": 1,
                       "created_at": "2026-03-02T10:00:00Z", "updated_at": "2026-03-02T10:00:00Z"}],
            "interviews": [{"id": "01936f0e-0000-7000-8000-000000000003",
                            "application_id": "01936f0e-0000-7000-8000-000000000001",
                            "kind": "technical", "scheduled_at": "2026-03-10T09:00:00Z",
                            "duration_minutes": 60, "location": null, "meeting_url": null,
                            "interviewers": [], "notes": null, "outcome": "scheduled", "version": 1,
                            "created_at": "2026-03-03T10:00:00Z", "updated_at": "2026-03-03T10:00:00Z"}],
            "history": [
                {"id": "01936f0e-0000-7000-8000-000000000004", "from_status": null, "to_status": "applied",
                 "changed_at": "2026-03-01T10:00:00Z", "note": null, "undone": false, "is_undo": false},
                {"id": "01936f0e-0000-7000-8000-000000000005", "from_status": "applied", "to_status": "interviewing",
                 "changed_at": "2026-03-09T10:00:00Z", "note": "yay", "undone": false, "is_undo": false}],
            "generations": [{"id": "01936f0e-0000-7000-8000-000000000006", "application_id": "01936f0e-0000-7000-8000-000000000001",
                             "interview_id": "01936f0e-0000-7000-8000-000000000003", "kind": "thank_you_note", "tone": "warm",
                             "instructions": null, "status": "running", "provider": "builtin", "model": null,
                             "output": "Thank you", "error": null, "progress": 9, "attempts": 1,
                             "usage": {"prompt_tokens": null, "completion_tokens": null}, "timings": [],
                             "created_at": "2026-03-10T12:00:00Z", "started_at": null, "finished_at": null}]
        })
    }

    #[test]
    fn an_exported_application_reads_back_with_its_dates_and_children() {
        let a = read_application(&application(), 0, TODAY, NOW).unwrap();
        assert_eq!(a.application.fields.company, "Acme");
        assert_eq!(a.application.fields.status, Status::Interviewing);
        assert_eq!(
            a.application.job_description.as_deref(),
            Some("Build things")
        );
        assert_eq!(a.version, 3);
        assert_eq!(a.created_at, datetime!(2026-03-01 10:00 UTC));
        assert_eq!(a.status_changed_at(), datetime!(2026-03-09 10:00 UTC));
        assert_eq!(a.notes[0].body, "Called them");
        assert_eq!(
            a.interviews[0].fields.scheduled_at,
            datetime!(2026-03-10 09:00 UTC)
        );
        assert_eq!(a.history.len(), 2);
        assert_eq!(a.history[1].note.as_deref(), Some("yay"));
        let g = &a.generations[0];
        assert_eq!(
            g.status,
            generation::Status::Cancelled,
            "a running draft comes back cancelled"
        );
        assert_eq!(g.interview_id, Some(a.interviews[0].exported_id));
        assert_eq!(
            a.exported_id,
            Some(uuid::uuid!("01936f0e-0000-7000-8000-000000000001"))
        );
    }

    #[test]
    fn a_bad_field_is_named_by_its_path_in_the_file() {
        let mut v = application();
        v["notes"][0]["body"] = json!("");
        let e = read_application(&v, 7, TODAY, NOW).unwrap_err();
        assert_eq!(e.errors[0].field, "applications[7].notes[0].body");
        let mut v = application();
        v["company"] = json!("Acme\u{0000}");
        let e = read_application(&v, 0, TODAY, NOW).unwrap_err();
        assert_eq!(e.errors[0].field, "applications[0].company");
        let mut v = application();
        v["id"] = json!("not-a-uuid");
        let e = read_application(&v, 0, TODAY, NOW).unwrap_err();
        assert_eq!(e.errors[0].field, "applications[0].id");
        let e = read_application(&json!([1]), 2, TODAY, NOW).unwrap_err();
        assert_eq!(e.errors[0].field, "applications[2]");
        let mut v = application();
        v["history"] = json!({});
        let e = read_application(&v, 0, TODAY, NOW).unwrap_err();
        assert_eq!(e.errors[0].field, "applications[0].history");
    }

    #[test]
    fn the_document_is_read_part_by_part() {
        let doc = json!({"format": FORMAT, "version": 1, "user": {}, "preferences": {"a": 1},
                         "tokens": [], "applications": [application(), application()]});
        let got = parts(&doc.to_string()).unwrap();
        assert_eq!(got.len(), 3);
        assert!(matches!(
            &got[0],
            Part::Settings {
                preferences: Some(_),
                profile: None
            }
        ));
        assert!(matches!(got[2], Part::Application(_)));
    }

    #[test]
    fn what_is_not_an_export_is_refused_with_the_reason() {
        for (doc, says) in [
            (json!({"applications": []}), "must come first"),
            (
                json!({"format": "huntr", "version": 1, "applications": []}),
                "\"huntr\"",
            ),
            (
                json!({"format": FORMAT, "version": 2, "applications": []}),
                "version 2",
            ),
            (
                json!({"format": FORMAT, "version": 1}),
                "no \"applications\"",
            ),
            (
                json!({"format": FORMAT, "version": 1, "applications": {}}),
                "list of applications",
            ),
            (json!([1, 2]), "Job Copilot export"),
        ] {
            let err = parts(&doc.to_string()).unwrap_err();
            assert!(err.contains(says), "{doc}: {err}");
        }
        assert!(parts("{\"format\": \"jobcopilot-export\", ").is_err());
    }

    #[test]
    fn the_opening_and_closing_make_one_json_document() {
        let user = User {
            id: Uuid::nil(),
            email: "a@b.co".into(),
            display_name: None,
            timezone: "UTC".into(),
            auth_methods: vec![],
            version: 1,
            created_at: NOW,
        };
        let head = Head {
            format: FORMAT,
            version: VERSION,
            exported_at: NOW,
            user: &user,
            preferences: &Preferences::default(),
            profile: &Profile::default(),
            tokens: &[],
        };
        let text = format!("{}{}{}", head.opening().unwrap(), application(), CLOSING);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["format"], FORMAT);
        assert_eq!(v["applications"][0]["company"], "Acme");
        assert_eq!(parts(&text).unwrap().len(), 2);
    }
}
