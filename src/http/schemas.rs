//! Shapes that exist only to document the API (request bodies and pages).
//! Bodies are read field by field by the domain (`domain::fields`), so these
//! types are never deserialized; they tell clients what to send.

#![allow(dead_code)]

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::account::TokenInfo;
use crate::domain::application::Application;
use crate::domain::history::StatusHistoryEntry;
use crate::domain::interview::Interview;
use crate::domain::note::Note;

/// Writable fields of an application. On create, `company` and `title` are
/// required; in a merge patch every field is optional and `null` clears it.
#[derive(ToSchema, Serialize)]
pub struct ApplicationInput {
    /// ≤ 200 characters; required on create.
    company: Option<String>,
    /// ≤ 200 characters; required on create.
    title: Option<String>,
    /// http or https, ≤ 2,000 characters.
    url: Option<String>,
    location: Option<String>,
    /// `onsite`, `hybrid` or `remote`.
    work_mode: Option<String>,
    /// Yearly, non-negative, ≤ salary_max.
    salary_min: Option<i64>,
    salary_max: Option<i64>,
    /// ISO 4217, default USD.
    salary_currency: Option<String>,
    /// Default `wishlist`; changes follow the pipeline.
    status: Option<String>,
    /// Write-only: the note of the history entry this patch's status change writes.
    status_note: Option<String>,
    source: Option<String>,
    #[schema(format = Date)]
    applied_on: Option<String>,
    #[schema(format = Date)]
    deadline: Option<String>,
    /// ≤ 100,000 characters.
    job_description: Option<String>,
    /// ≤ 20 tags of ≤ 40 characters.
    tags: Option<Vec<String>>,
    contact_name: Option<String>,
    contact_email: Option<String>,
    next_action: Option<String>,
    #[schema(format = DateTime)]
    next_action_at: Option<String>,
}

/// An interview. On create, `application_id` and `scheduled_at` are required;
/// `application_id` cannot be patched.
#[derive(ToSchema, Serialize)]
pub struct InterviewInput {
    application_id: Option<uuid::Uuid>,
    /// phone_screen, technical, behavioral, take_home, onsite, final, other (default).
    kind: Option<String>,
    #[schema(format = DateTime)]
    scheduled_at: Option<String>,
    /// 1–1,440, default 60.
    duration_minutes: Option<i32>,
    location: Option<String>,
    meeting_url: Option<String>,
    /// ≤ 20 names of ≤ 200 characters.
    interviewers: Option<Vec<String>>,
    notes: Option<String>,
    /// scheduled (default), completed, passed, failed, cancelled, no_show.
    outcome: Option<String>,
}

#[derive(ToSchema, Serialize)]
pub struct NoteInput {
    /// 1–20,000 characters.
    body: String,
}

#[derive(ToSchema, Serialize)]
pub struct RegisterInput {
    email: String,
    /// At least 10 characters.
    password: String,
    display_name: Option<String>,
}

#[derive(ToSchema, Serialize)]
pub struct TokenRequest {
    email: String,
    password: String,
    token_name: Option<String>,
}

#[derive(ToSchema, Serialize)]
pub struct MeInput {
    display_name: Option<String>,
    /// IANA time zone name, e.g. Europe/Berlin.
    timezone: Option<String>,
}

#[derive(ToSchema, Serialize)]
pub struct NewTokenInput {
    /// 1–200 characters.
    name: String,
    #[schema(format = DateTime)]
    expires_at: Option<String>,
}

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
