//! Applications in the browser: the table (sort, filter, search), the board
//! (a column per status), the new-application form and the detail page
//! (edit, status change, interviews, history; notes and drafts have their
//! own modules). Every change is a plain form post that redirects; a refused
//! one re-renders the page with the messages beside the fields and the input
//! kept.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use super::forms::{errors_by_field, field_label, to_json, Empty, Kind};
use super::{done, remembered_page, render_page, FormData, Poster, Viewer};
use crate::actors::user_state::{
    CreateApplication, CreateInterview, DeleteApplication, UpdateApplication,
};
use crate::domain::application::{ApplicationDetail, ApplicationPatch, WorkMode};
use crate::domain::interview::{InterviewKind, NewInterview};
use crate::domain::pipeline::{allowed_next, can_undo, Status};
use crate::domain::search::search_text;
use crate::domain::time::format_timestamp;
use crate::error::{Error, Result};
use crate::http::applications::page as list_page;
use crate::http::AppState;
use crate::store::applications::{self as store, ListQuery, Sort};
use crate::store::{history, interviews, notes};

/// The fields of the application form, as the domain reads them.
pub const FIELDS: [(&str, Kind); 18] = [
    ("company", Kind::Text),
    ("title", Kind::Text),
    ("status", Kind::Text),
    ("url", Kind::Text),
    ("location", Kind::Text),
    ("work_mode", Kind::Text),
    ("salary_min", Kind::Integer),
    ("salary_max", Kind::Integer),
    ("salary_currency", Kind::Text),
    ("source", Kind::Text),
    ("applied_on", Kind::Text),
    ("deadline", Kind::Text),
    ("job_description", Kind::Text),
    ("tags", Kind::List),
    ("contact_name", Kind::Text),
    ("contact_email", Kind::Text),
    ("next_action", Kind::Text),
    ("next_action_at", Kind::LocalDateTime),
];

const INTERVIEW_FIELDS: [(&str, Kind); 8] = [
    ("application_id", Kind::Text),
    ("kind", Kind::Text),
    ("scheduled_at", Kind::LocalDateTime),
    ("duration_minutes", Kind::Integer),
    ("location", Kind::Text),
    ("meeting_url", Kind::Text),
    ("interviewers", Kind::List),
    ("notes", Kind::Text),
];

/// The most applications the board shows (the most recently updated).
const BOARD_LIMIT: usize = 500;

fn statuses() -> Vec<&'static str> {
    Status::ALL.iter().map(|s| s.as_str()).collect()
}

fn choices() -> minijinja::Value {
    context! {
        statuses => statuses(),
        work_modes => ["onsite", "hybrid", "remote"],
        kinds => InterviewKind::CHOICES.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
    }
}

/// `GET /applications`: the table.
pub async fn list(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let build = async {
        let params = FormData::parse(req.query_string().as_bytes());
        let selected: Vec<Status> = params
            .all("status")
            .iter()
            .flat_map(|s| s.split(','))
            .filter_map(|s| Status::parse(s.trim()))
            .collect();
        let work_modes: Vec<WorkMode> = params
            .all("work_mode")
            .iter()
            .filter_map(|s| WorkMode::parse(s.trim()))
            .collect();
        let tag: String = params
            .get("tag")
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let q_raw = params.get("q").trim().to_owned();
        let (q, search_error) = match search_text(&q_raw) {
            Ok(q) => (q.unwrap_or_default(), None),
            Err(m) => (
                String::new(),
                Some(format!("The search {m}; it was left out.")),
            ),
        };
        let sort_text = match params.get("sort").trim() {
            "" => "-updated_at",
            s => s,
        };
        let sort = Sort::parse(sort_text).unwrap_or_default();
        let query = ListQuery {
            statuses: selected.clone(),
            work_modes: work_modes.clone(),
            tags: if tag.is_empty() {
                vec![]
            } else {
                vec![tag.clone()]
            },
            q: (!q.is_empty()).then(|| q.clone()),
            sort,
            limit: 50,
            cursor: Some(params.get("cursor").to_owned()).filter(|c| !c.is_empty()),
        };
        let user = viewer.auth.user_id;
        let (page, problem) = match list_page(&state, user, query.clone()).await? {
            Ok(page) => (page, search_error),
            // A cursor from another sort or filter (an edited URL): start over.
            Err(_) => {
                let first = ListQuery {
                    cursor: None,
                    ..query.clone()
                };
                let page = list_page(&state, user, first).await??;
                let message = "That page link was for another sort or filter, so the list starts again from the top.".to_owned();
                (page, Some(message))
            }
        };
        let filters = |extra: &[(&str, &str)]| -> String {
            let mut s = url::form_urlencoded::Serializer::new(String::new());
            for st in &selected {
                s.append_pair("status", st.as_str());
            }
            for m in &work_modes {
                s.append_pair("work_mode", m.as_str());
            }
            if !tag.is_empty() {
                s.append_pair("tag", &tag);
            }
            if !q.is_empty() {
                s.append_pair("q", &q);
            }
            for (k, v) in extra {
                s.append_pair(k, v);
            }
            s.finish()
        };
        let columns: Vec<_> = [
        ("company", "Company"),
        ("priority_score", "Priority"),
        ("applied_on", "Applied"),
        ("deadline", "Deadline"),
        ("updated_at", "Updated"),
    ]
    .iter()
    .map(|(key, name)| {
        let current = sort_text.trim_start_matches('-') == *key;
        let descending = sort_text.starts_with('-');
        // A click sorts by the column; a second click flips the direction.
        let next = match (current, descending) {
            (true, false) => format!("-{key}"),
            (true, true) => key.to_string(),
            (false, _) if matches!(*key, "company" | "deadline") => key.to_string(),
            _ => format!("-{key}"),
        };
        context! {
            key => key, name => name, href => format!("/applications?{}", filters(&[("sort", &next)])),
            sorted => current.then_some(if descending { "descending" } else { "ascending" }),
        }
    })
    .collect();
        let next_href = page.next_cursor.as_ref().map(|c| {
            format!(
                "/applications?{}",
                filters(&[("sort", sort_text), ("cursor", c)])
            )
        });
        // The CSV holds every application the list shows, in its order (the
        // export takes no page: no cursor).
        let export_href = format!(
            "/api/v1/export/applications.csv?{}",
            filters(&[("sort", sort_text)])
        );
        let filtered =
            !selected.is_empty() || !work_modes.is_empty() || !tag.is_empty() || !q.is_empty();
        let ctx = context! {
            items => minijinja::Value::from_serialize(&page.items),
            columns => columns, next_href => next_href, problem => problem, export_href => export_href,
            first_href => query.cursor.as_ref().map(|_| format!("/applications?{}", filters(&[("sort", sort_text)]))),
            q => q_raw.chars().filter(|c| !c.is_control()).collect::<String>(), tag => tag, sort => sort_text, filtered => filtered,
            selected => selected.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            selected_modes => work_modes.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            choices => choices(),
        };
        Ok(ctx)
    };
    remembered_page(
        &state,
        &req,
        &viewer,
        "pages/applications.html",
        "applications",
        build,
    )
    .await
}

/// `GET /applications/board`: a column per status; a card moves to an
/// allowed next status (a form without JavaScript, a drag with it).
pub async fn board(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<HttpResponse> {
    // From the user's working set in memory (every application without its
    // description), in the list's default order; from PostgreSQL while it
    // is still loading.
    let build = async {
        let query = ListQuery {
            limit: BOARD_LIMIT,
            ..Default::default()
        };
        let page = list_page(&state, viewer.auth.user_id, query).await??;
        let (items, truncated) = (page.items, page.next_cursor.is_some());
        let columns: Vec<_> = Status::ALL
        .iter()
        .map(|status| {
            let cards: Vec<_> = items
                .iter()
                .filter(|a| a.fields.status == *status)
                .map(|a| {
                    context! {
                        id => a.id, company => a.fields.company, title => a.fields.title,
                        version => a.version, score => a.priority_score, location => a.fields.location,
                        allowed => status.forward().iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                    }
                })
                .collect();
            context! { status => status.as_str(), cards => cards }
        })
        .collect();
        let ctx = context! {
            columns => columns,
            truncated => truncated,
            limit => BOARD_LIMIT,
            empty => items.is_empty(),
        };
        Ok(ctx)
    };
    remembered_page(&state, &req, &viewer, "pages/board.html", "board", build).await
}

/// How a posting can fill the new-application form: pasted into the
/// section above it, or sent by the bookmarklet to `/capture`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureFrom {
    Paste,
    Bookmarklet,
}

impl CaptureFrom {
    fn as_str(self) -> &'static str {
        match self {
            CaptureFrom::Paste => "paste",
            CaptureFrom::Bookmarklet => "bookmarklet",
        }
    }
}

fn render_form(
    state: &AppState,
    req: &HttpRequest,
    viewer: &Viewer,
    status: StatusCode,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    capture: CaptureFrom,
) -> Result<HttpResponse> {
    let ctx = context! {
        values => values, errors => errors, choices => choices(), capture => capture.as_str(),
    };
    render_page(
        state,
        req,
        viewer,
        status,
        "pages/application_form.html",
        "new",
        ctx,
    )
}

/// The empty new-application form (a wishlist item in US dollars until
/// changed).
pub(super) fn render_new_form(
    state: &AppState,
    req: &HttpRequest,
    viewer: &Viewer,
    capture: CaptureFrom,
) -> Result<HttpResponse> {
    let values = HashMap::from([
        ("status".to_owned(), "wishlist".to_owned()),
        ("salary_currency".to_owned(), "USD".to_owned()),
    ]);
    render_form(
        state,
        req,
        viewer,
        StatusCode::OK,
        values,
        HashMap::new(),
        capture,
    )
}

/// `GET /applications/new`.
pub async fn new_form(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<HttpResponse> {
    render_new_form(&state, &req, &viewer, CaptureFrom::Paste)
}

/// `POST /applications/new`.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let mut body = to_json(&form, &FIELDS, Empty::Omit, viewer.timezone());
    // Required fields left empty are reported with all the others at once.
    for required in ["company", "title"] {
        body.entry(required)
            .or_insert_with(|| Value::String(String::new()));
    }
    let refused = |errors| {
        render_form(
            &state,
            &req,
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            form.values(),
            errors,
            CaptureFrom::Paste,
        )
    };
    let patch = match ApplicationPatch::parse(&body) {
        Ok(p) => p,
        Err(e) => return refused(errors_by_field(&e)),
    };
    let created = state
        .user(viewer.auth.user_id)
        .await?
        .send(CreateApplication { patch })
        .await?;
    match created {
        Ok(app) => {
            let a = &app.application;
            let message = match a.possible_duplicate_of {
                Some(_) => format!(
                    "Added {} — it looks like one you added before (see the notice below).",
                    a.fields.company
                ),
                None => format!("Added {} — {}.", a.fields.company, a.fields.title),
            };
            Ok(done(&state, &format!("/applications/{}", a.id), &message))
        }
        Err(Error::Validation(e)) => refused(errors_by_field(&e)),
        Err(e) => Err(e),
    }
}

/// What a re-rendered detail page keeps of a refused form.
#[derive(Default)]
pub(super) struct Refused {
    pub(super) edit: Option<HashMap<String, String>>,
    pub(super) edit_errors: HashMap<String, String>,
    pub(super) stale: Vec<minijinja::Value>,
    pub(super) status_error: Option<String>,
    pub(super) status_note: String,
    pub(super) note_body: String,
    pub(super) note_error: Option<String>,
    pub(super) interview: Option<HashMap<String, String>>,
    pub(super) interview_errors: HashMap<String, String>,
    pub(super) draft: Option<HashMap<String, String>>,
    pub(super) draft_errors: HashMap<String, String>,
}

/// The edit form's values for a stored application.
pub(super) fn form_values(app: &ApplicationDetail, zone: &str) -> HashMap<String, String> {
    let json = serde_json::to_value(app).unwrap_or(Value::Null);
    let mut values = HashMap::new();
    for (name, kind) in FIELDS {
        let text = match (&json[name], kind) {
            (Value::Null, _) => String::new(),
            (Value::Array(items), _) => items
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            (Value::String(s), Kind::LocalDateTime) => {
                super::filters::in_zone(s, zone, "%Y-%m-%dT%H:%M")
            }
            (Value::String(s), _) => s.clone(),
            (other, _) => other.to_string(),
        };
        values.insert(name.to_owned(), text);
    }
    values
}

/// The application page a form was posted from.
pub(super) struct Detail<'a> {
    state: &'a AppState,
    req: &'a HttpRequest,
    viewer: &'a Viewer,
    id: Uuid,
}

pub(super) fn page_of<'a>(
    state: &'a AppState,
    req: &'a HttpRequest,
    viewer: &'a Viewer,
    id: Uuid,
) -> Detail<'a> {
    Detail {
        state,
        req,
        viewer,
        id,
    }
}

impl Detail<'_> {
    /// The page again, with what was refused beside its form (input kept).
    pub(super) async fn show(&self, status: StatusCode, refused: Refused) -> Result<HttpResponse> {
        render_detail(self.state, self.req, self.viewer, self.id, status, refused).await
    }
}

async fn render_detail(
    state: &AppState,
    req: &HttpRequest,
    viewer: &Viewer,
    id: Uuid,
    status: StatusCode,
    refused: Refused,
) -> Result<HttpResponse> {
    let ctx = detail_context(state, viewer, id, refused).await?;
    render_page(
        state,
        req,
        viewer,
        status,
        "pages/application.html",
        "applications",
        ctx,
    )
}

/// What the application page shows (and, after a refused form, what was
/// refused beside its form).
async fn detail_context(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    refused: Refused,
) -> Result<minijinja::Value> {
    let user_id = viewer.auth.user_id;
    let app = crate::http::applications::detail(state, user_id, id).await?;
    let client = state.pool.get().await?;
    let interview_query = interviews::ListQuery {
        application_id: Some(id),
        limit: 200,
        ..Default::default()
    };
    let draft_query = crate::store::generations::ListQuery {
        application_id: Some(id),
        limit: 20,
        ..Default::default()
    };
    let (note_page, interview_page, history_page, entering, drafts) = futures_util::try_join!(
        async { Ok::<_, Error>(notes::list(&client, user_id, id, 200, None).await?) },
        async { Ok::<_, Error>(interviews::list(&client, user_id, &interview_query).await?) },
        async { Ok::<_, Error>(history::list(&client, user_id, id, 200, None).await?) },
        async { Ok::<_, Error>(history::entering(&client, user_id, id).await?) },
        async {
            Ok::<_, Error>(crate::store::generations::list(&client, user_id, &draft_query).await?)
        },
    )?;
    let profile = crate::store::preferences::profile(&client, user_id).await?;
    let fit = crate::domain::fit::assess(
        app.job_description.as_deref().unwrap_or(""),
        &profile,
        &app.application.fields.company,
    );
    let now = OffsetDateTime::now_utc();
    let current = app.application.fields.status;
    let entering = entering.map(|e| e.as_entering());
    let allowed: Vec<&str> = allowed_next(current, entering.as_ref(), now)
        .iter()
        .map(|s| s.as_str())
        .collect();
    let undo = can_undo(current, entering.as_ref(), now);
    let duplicate = match app.application.possible_duplicate_of {
        Some(d) => store::names(&client, user_id, &[d])
            .await?
            .remove(&d)
            .map(|(company, title)| context! { id => d, company => company, title => title }),
        None => None,
    };
    let values = refused
        .edit
        .unwrap_or_else(|| form_values(&app, viewer.timezone()));
    let interview_values = refused.interview.unwrap_or_else(|| {
        HashMap::from([
            ("kind".to_owned(), "phone_screen".to_owned()),
            ("duration_minutes".to_owned(), "60".to_owned()),
        ])
    });
    let ctx = context! {
        app => minijinja::Value::from_serialize(&app),
        values => values, errors => refused.edit_errors, stale => refused.stale,
        allowed => allowed, undo => undo, status_error => refused.status_error,
        status_note => refused.status_note,
        notes => minijinja::Value::from_serialize(&note_page.items),
        note_body => refused.note_body, note_error => refused.note_error,
        interviews => minijinja::Value::from_serialize(&interview_page.items),
        interview => interview_values, interview_errors => refused.interview_errors,
        history => minijinja::Value::from_serialize(&history_page.items),
        duplicate => duplicate, choices => choices(),
        drafts => minijinja::Value::from_serialize(&drafts.items),
        fit => minijinja::Value::from_serialize(&fit),
        draft => refused.draft.unwrap_or_else(|| HashMap::from([("kind".to_owned(), "cover_letter".to_owned()), ("tone".to_owned(), "professional".to_owned())])),
        draft_errors => refused.draft_errors,
        draft_kinds => crate::domain::generation::Kind::CHOICES.iter().map(|(n, k)| context! { value => n, title => k.title() }).collect::<Vec<_>>(),
        tones => crate::domain::generation::Tone::CHOICES.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        ai_provider => state.settings.ai.base_url.as_ref().map_or("builtin", |_| "openai-compatible"),
        created_at => format_timestamp(app.application.created_at),
    };
    Ok(ctx)
}

/// `GET /applications/{id}`.
pub async fn detail(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse> {
    let build = detail_context(&state, &viewer, *id, Refused::default());
    remembered_page(
        &state,
        &req,
        &viewer,
        "pages/application.html",
        "applications",
        build,
    )
    .await
}

pub(super) fn version_of(form: &FormData) -> Option<i32> {
    form.get("version").trim().parse().ok()
}

/// `POST /applications/{id}`: saves the edit form. A version that moved on
/// (someone else saved) shows what they changed instead of overwriting it.
pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let id = *id;
    let fields: Vec<(&str, Kind)> = FIELDS
        .iter()
        .filter(|(n, _)| *n != "status")
        .copied()
        .collect();
    let body = to_json(&form, &fields, Empty::Clear, viewer.timezone());
    let mut refused = Refused {
        edit: Some(form.values()),
        ..Default::default()
    };
    let patch = match ApplicationPatch::parse(&body) {
        Ok(p) => p,
        Err(e) => {
            refused.edit_errors = errors_by_field(&e);
            return page_of(&state, &req, &viewer, id)
                .show(StatusCode::UNPROCESSABLE_ENTITY, refused)
                .await;
        }
    };
    let msg = UpdateApplication {
        id,
        if_match: version_of(&form),
        patch,
    };
    match state.user(viewer.auth.user_id).await?.send(msg).await? {
        Ok(_) => Ok(done(&state, &format!("/applications/{id}"), "Saved.")),
        Err(Error::Validation(e)) => {
            refused.edit_errors = errors_by_field(&e);
            page_of(&state, &req, &viewer, id)
                .show(StatusCode::UNPROCESSABLE_ENTITY, refused)
                .await
        }
        Err(Error::StaleVersion { current, .. }) => {
            let client = state.pool.get().await?;
            let saved = store::get(&client, viewer.auth.user_id, id)
                .await?
                .ok_or(Error::NotFound)?;
            let saved_values = form_values(&saved, viewer.timezone());
            let mut mine = form.values();
            refused.stale = fields
                .iter()
                .filter(|(name, _)| form.has(name))
                .filter_map(|(name, _)| {
                    let theirs = saved_values.get(*name).cloned().unwrap_or_default();
                    let yours = mine.get(*name).cloned().unwrap_or_default();
                    (theirs.trim() != yours.trim()).then(|| {
                        context! { field => name, label => field_label(name), saved => theirs, yours => yours }
                    })
                })
                .collect();
            // Saving again now applies the user's values over the new version, knowingly.
            mine.insert("version".into(), current.to_string());
            refused.edit = Some(mine);
            page_of(&state, &req, &viewer, id)
                .show(StatusCode::CONFLICT, refused)
                .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /applications/{id}/status`.
pub async fn change_status(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let id = *id;
    let mut body = serde_json::Map::new();
    body.insert(
        "status".into(),
        Value::String(form.get("status").to_owned()),
    );
    if !form.get("status_note").trim().is_empty() {
        body.insert(
            "status_note".into(),
            Value::String(form.get("status_note").to_owned()),
        );
    }
    let back = match form.get("back") {
        "board" => "/applications/board".to_owned(),
        _ => format!("/applications/{id}"),
    };
    let refused = |message: String| Refused {
        status_error: Some(message),
        status_note: form.get("status_note").to_owned(),
        ..Default::default()
    };
    // The menus start on "Choose…" so that one careless click moves nothing.
    if form.get("status").is_empty() {
        return page_of(&state, &req, &viewer, id)
            .show(
                StatusCode::UNPROCESSABLE_ENTITY,
                refused("Choose the status to move to; nothing was changed.".to_owned()),
            )
            .await;
    }
    let patch = match ApplicationPatch::parse(&body) {
        Ok(p) => p,
        Err(e) => {
            let message = errors_by_field(&e).into_values().next().unwrap_or_default();
            return page_of(&state, &req, &viewer, id)
                .show(StatusCode::UNPROCESSABLE_ENTITY, refused(message))
                .await;
        }
    };
    let msg = UpdateApplication {
        id,
        if_match: version_of(&form),
        patch,
    };
    match state.user(viewer.auth.user_id).await?.send(msg).await? {
        Ok(app) => {
            let status = super::filters::label(app.application.fields.status.as_str());
            Ok(done(
                &state,
                &back,
                &format!("{} moved to {status}.", app.application.fields.company),
            ))
        }
        Err(Error::InvalidTransition(t)) => {
            let message = transition_message(&t);
            page_of(&state, &req, &viewer, id)
                .show(StatusCode::UNPROCESSABLE_ENTITY, refused(message))
                .await
        }
        Err(Error::StaleVersion { .. }) => {
            let message = "Someone changed this application meanwhile; here is how it stands now. Choose again.".to_owned();
            page_of(&state, &req, &viewer, id)
                .show(StatusCode::CONFLICT, refused(message))
                .await
        }
        Err(e) => Err(e),
    }
}

/// The pipeline's refusal in words: "Applied cannot move to Wishlist; it
/// can move to: Screening, …".
pub(super) fn transition_message(t: &crate::domain::InvalidTransition) -> String {
    let allowed: Vec<String> = t
        .allowed
        .iter()
        .map(|s| super::filters::label(s.as_str()))
        .collect();
    format!(
        "{} cannot move to {}; it can move to: {}.",
        super::filters::label(t.from.as_str()),
        super::filters::label(t.to.as_str()),
        if allowed.is_empty() {
            "nothing".to_owned()
        } else {
            allowed.join(", ")
        }
    )
}

/// `POST /applications/{id}/delete`.
pub async fn delete(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Poster { viewer, .. }: Poster,
) -> Result<HttpResponse> {
    let msg = DeleteApplication {
        id: *id,
        if_match: None,
    };
    state.user(viewer.auth.user_id).await?.send(msg).await??;
    Ok(done(
        &state,
        "/applications",
        "Application deleted, with its notes, interviews and history.",
    ))
}

/// `POST /applications/{id}/interviews`.
pub async fn add_interview(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let id = *id;
    let mut body = to_json(&form, &INTERVIEW_FIELDS, Empty::Omit, viewer.timezone());
    body.insert("application_id".into(), Value::String(id.to_string()));
    let refused = |e: &crate::domain::ValidationError| Refused {
        interview: Some(form.values()),
        interview_errors: errors_by_field(e),
        ..Default::default()
    };
    let new = match NewInterview::parse(&body) {
        Ok(n) => n,
        Err(e) => {
            return page_of(&state, &req, &viewer, id)
                .show(StatusCode::UNPROCESSABLE_ENTITY, refused(&e))
                .await
        }
    };
    match state
        .user(viewer.auth.user_id)
        .await?
        .send(CreateInterview { new })
        .await?
    {
        Ok(_) => Ok(done(
            &state,
            &format!("/applications/{id}#interviews"),
            "Interview added.",
        )),
        Err(Error::Validation(e)) => {
            page_of(&state, &req, &viewer, id)
                .show(StatusCode::UNPROCESSABLE_ENTITY, refused(&e))
                .await
        }
        Err(e) => Err(e),
    }
}
