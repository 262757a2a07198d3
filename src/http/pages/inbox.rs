//! The Inbox page: what mail about applications proposes, pending first,
//! each with Apply, Edit (then apply) and Dismiss as plain forms; a refused
//! decision comes back beside its suggestion. `.eml` files are uploaded by
//! a multipart form (a drop zone with JavaScript) and read in the
//! background.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde_json::Value;
use uuid::Uuid;

use super::applications::transition_message;
use super::filters::{in_zone, label};
use super::forms::{errors_by_field, to_json, Empty, Kind};
use super::{done, render_page, safe_next, FormData, Poster, Viewer};
use crate::domain::pipeline::Status;
use crate::domain::suggestion::{Proposed, State, Suggestion};
use crate::domain::time::format_timestamp;
use crate::domain::{FieldError, ValidationError};
use crate::error::{Error, Result};
use crate::http::inbox::{apply_suggestion, dismiss_suggestion, queue_messages, uploaded};
use crate::http::AppState;
use crate::store::applications;
use crate::store::mail::{self as store, SuggestionFilter};
use crate::store::page::{ListError, Page};

/// Suggestions listed at once: waiting ones on the full view, and any
/// filtered list per page.
const PAGE_SIZE: usize = 100;
/// The latest decisions under the waiting ones on the full view.
const DECIDED_SHOWN: usize = 30;

/// The kinds of mail in the words the page uses.
pub fn kind_words(kind: &str) -> &'static str {
    match kind {
        "applied" => "Application received",
        "rejection" => "Rejection",
        "interview_invitation" => "Interview invitation",
        "offer" => "Offer",
        "recruiter_outreach" => "Recruiter",
        _ => "Other mail",
    }
}

/// Which suggestions the page lists: all (waiting first), or one state,
/// a page at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct View {
    state: Option<State>,
    cursor: Option<String>,
}

impl View {
    fn parse(query: &str) -> View {
        let q = FormData::parse(query.as_bytes());
        View {
            state: State::parse(q.get("state").trim()),
            cursor: Some(q.get("cursor").trim().to_owned()).filter(|c| !c.is_empty()),
        }
    }

    /// The page's own address (where decisions return).
    fn href(&self) -> String {
        match self.state {
            Some(s) => format!("/inbox?state={}", s.as_str()),
            None => "/inbox".to_owned(),
        }
    }
}

/// A decision the server refused, shown beside its suggestion.
#[derive(Debug, Default)]
struct Refused {
    id: Uuid,
    message: Option<String>,
    /// Errors beside the edit form's fields.
    errors: HashMap<String, String>,
    /// What the edit form held (kept as typed).
    values: Option<HashMap<String, String>>,
}

#[derive(Debug, Default)]
struct Overlay {
    refused: Option<Refused>,
    upload_error: Option<String>,
}

/// `GET /inbox`.
pub async fn page(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let view = View::parse(req.query_string());
    render(
        &state,
        &req,
        &viewer,
        StatusCode::OK,
        &view,
        Overlay::default(),
    )
    .await
}

/// A page of suggestions; a cursor from another list (an edited address)
/// starts over from the top.
async fn list(
    client: &deadpool_postgres::Client,
    user: Uuid,
    filter: &SuggestionFilter,
    limit: usize,
    cursor: Option<&str>,
) -> Result<Page<Suggestion>> {
    match store::list_suggestions(client, user, filter, limit, cursor).await {
        Err(ListError::Cursor(_)) => {
            Ok(store::list_suggestions(client, user, filter, limit, None).await?)
        }
        other => Ok(other?),
    }
}

async fn render(
    state: &AppState,
    req: &HttpRequest,
    viewer: &Viewer,
    status: StatusCode,
    view: &View,
    overlay: Overlay,
) -> Result<HttpResponse> {
    let user = viewer.auth.user_id;
    let client = state.pool.get().await?;
    let (mailbox, auto_apply, (pending, _)) = futures_util::try_join!(
        store::get_mailbox(&client, user),
        store::auto_apply(&client, user),
        store::pending_count_at(&client, user),
    )?;
    // The badge counts what this page lists, read with it (other pages show
    // the count their user's actor remembers, forgotten on `inbox.updated`).
    let viewer = &Viewer {
        auth: viewer.auth.clone(),
        user: viewer.user.clone(),
        pending,
    };
    let (listed, decided, more) = match view.state {
        None => {
            let waiting = SuggestionFilter {
                state: Some(State::Pending),
                ..Default::default()
            };
            let decided = SuggestionFilter {
                decided: true,
                ..Default::default()
            };
            let (waiting, decided) = futures_util::try_join!(
                list(&client, user, &waiting, PAGE_SIZE, None),
                list(&client, user, &decided, DECIDED_SHOWN, None),
            )?;
            let more = waiting
                .next_cursor
                .map(|c| format!("/inbox?state=pending&cursor={c}"));
            (waiting.items, Some(decided.items), more)
        }
        Some(s) => {
            let filter = SuggestionFilter {
                state: Some(s),
                ..Default::default()
            };
            let page = list(&client, user, &filter, PAGE_SIZE, view.cursor.as_deref()).await?;
            let more = page
                .next_cursor
                .map(|c| format!("/inbox?state={}&cursor={c}", s.as_str()));
            (page.items, None, more)
        }
    };
    let mut ids: Vec<Uuid> = listed
        .iter()
        .chain(decided.iter().flatten())
        .filter_map(|s| s.application_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let apps = applications::briefs(&client, user, &ids).await?;
    let zone = viewer.timezone();
    let refused = overlay.refused.as_ref();
    let shown = |s: &Suggestion| item(s, &apps, zone, refused.filter(|r| r.id == s.id));
    // A refusal about a suggestion not on this page is said at the top.
    let elsewhere = refused
        .filter(|r| {
            !listed
                .iter()
                .chain(decided.iter().flatten())
                .any(|s| s.id == r.id)
        })
        .and_then(|r| r.message.clone());
    let empty = listed.is_empty() && decided.as_ref().is_none_or(Vec::is_empty);
    let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
    let ctx = context! {
        items => listed.iter().map(shown).collect::<Vec<_>>(),
        decided => decided.as_ref().map(|d| d.iter().map(shown).collect::<Vec<_>>()),
        filter => view.state.map(State::as_str).unwrap_or(""),
        here => view.href(), more => more, empty => empty, alert => elsewhere,
        upload_error => overlay.upload_error, statuses => statuses,
        mailbox => mailbox.map(|m| context! {
            host => m.host, username => m.username,
            last_sync_at => m.last_sync_at.map(format_timestamp), last_error => m.last_error,
        }),
        can_seal => state.can_seal_secrets(), auto_apply => auto_apply,
    };
    render_page(state, req, viewer, status, "pages/inbox.html", "inbox", ctx)
}

/// One suggestion as the page shows it: the mail, what it proposes in
/// words, and the edit form's values (the proposal, or what was typed).
fn item(
    s: &Suggestion,
    apps: &HashMap<Uuid, (String, String, Status)>,
    zone: &str,
    refused: Option<&Refused>,
) -> minijinja::Value {
    let app = s
        .application_id
        .and_then(|id| apps.get(&id).map(|a| (id, a)));
    let current = app.map(|(_, (_, _, status))| *status);
    let p = &s.proposed;
    let scheduled_at = p
        .interview
        .as_ref()
        .and_then(|i| i.scheduled_at)
        .map(format_timestamp);
    let values = refused.and_then(|r| r.values.clone()).unwrap_or_else(|| {
        HashMap::from([
            (
                "status".to_owned(),
                p.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            ),
            (
                "scheduled_at".to_owned(),
                scheduled_at
                    .as_deref()
                    .map(|t| in_zone(t, zone, "%Y-%m-%dT%H:%M"))
                    .unwrap_or_default(),
            ),
            (
                "meeting_url".to_owned(),
                p.interview
                    .as_ref()
                    .and_then(|i| i.meeting_url.clone())
                    .unwrap_or_default(),
            ),
            (
                "interview_kind".to_owned(),
                p.interview
                    .as_ref()
                    .and_then(|i| i.kind)
                    .map(|k| k.as_str().to_owned())
                    .unwrap_or_default(),
            ),
            (
                "company".to_owned(),
                p.new_application
                    .as_ref()
                    .map(|n| n.company.clone())
                    .unwrap_or_default(),
            ),
            (
                "title".to_owned(),
                p.new_application
                    .as_ref()
                    .map(|n| n.title.clone())
                    .unwrap_or_default(),
            ),
        ])
    });
    let errors = refused.map(|r| r.errors.clone()).unwrap_or_default();
    context! {
        id => s.id, state => s.state.as_str(), kind => s.kind, kind_words => kind_words(&s.kind),
        confidence => (s.confidence * 100.0).round() as i64,
        from => s.message.from, subject => s.message.subject, snippet => s.message.snippet,
        date => s.message.date.map(format_timestamp),
        application => app.map(|(id, (company, title, status))| context! {
            id => id, company => company, title => title, status => status.as_str(),
        }),
        proposed => context! {
            status => p.status.map(Status::as_str),
            from_status => current.filter(|c| Some(*c) != p.status).map(Status::as_str),
            unchanged => current.is_some() && current == p.status,
            interview => p.interview.as_ref().map(|i| context! {
                scheduled_at => i.scheduled_at.map(format_timestamp),
                meeting_url => i.meeting_url, kind => i.kind.map(|k| label(k.as_str())),
            }),
            new_application => p.new_application.as_ref().map(|n| context! { company => n.company, title => n.title }),
        },
        // What the edit form offers: the interview when the mail is about
        // one, a new application when none of yours matched.
        edit_interview => s.kind == "interview_invitation" || p.interview.is_some(),
        edit_new => p.new_application.is_some() || s.application_id.is_none(),
        edit => values, errors => errors,
        error => refused.and_then(|r| r.message.clone()),
        open => refused.is_some_and(|r| r.values.is_some()),
    }
}

/// Where a decision returns: the list it was made from.
fn back_to(form: &FormData) -> String {
    let back = safe_next(Some(form.get("back")));
    if back == "/inbox" || back.starts_with("/inbox?") {
        back
    } else {
        "/inbox".to_owned()
    }
}

/// The edit form as a proposal; its errors keyed by the form's fields.
fn edited(form: &FormData, zone: &str) -> std::result::Result<Proposed, ValidationError> {
    let mut body = to_json(form, &[("status", Kind::Text)], Empty::Omit, zone);
    let mut interview = to_json(
        form,
        &[
            ("scheduled_at", Kind::LocalDateTime),
            ("meeting_url", Kind::Text),
        ],
        Empty::Omit,
        zone,
    );
    if !interview.is_empty() {
        if let Some(kind) = Some(form.get("interview_kind").trim()).filter(|k| !k.is_empty()) {
            interview.insert("kind".into(), Value::String(kind.to_owned()));
        }
        body.insert("interview".into(), Value::Object(interview));
    }
    let new = to_json(
        form,
        &[("company", Kind::Text), ("title", Kind::Text)],
        Empty::Omit,
        zone,
    );
    if !new.is_empty() {
        body.insert("new_application".into(), Value::Object(new));
    }
    Proposed::parse(&body).map_err(|e| ValidationError {
        errors: e
            .errors
            .into_iter()
            .map(|fe| {
                let field = fe.field.rsplit('.').next().unwrap_or(&fe.field).to_owned();
                FieldError::new(field, fe.message)
            })
            .collect(),
    })
}

/// The page again with a refused decision beside its suggestion; any
/// error that is not a refusal goes on as it is (404 for another's).
async fn refused_page(
    state: &AppState,
    req: &HttpRequest,
    viewer: &Viewer,
    form: &FormData,
    id: Uuid,
    error: Error,
) -> Result<HttpResponse> {
    let kept = form.has("edit").then(|| form.values());
    let (status, refused) = match error {
        Error::InvalidTransition(t) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Refused {
                id,
                message: Some(format!("Nothing changed: {}", transition_message(&t))),
                values: kept,
                ..Default::default()
            },
        ),
        Error::Conflict(reason) => (
            StatusCode::CONFLICT,
            Refused {
                id,
                message: Some(format!("Nothing changed: {reason}.")),
                ..Default::default()
            },
        ),
        Error::Validation(e) if e.errors.iter().any(|f| f.field == "proposed") => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Refused {
                id,
                message: Some(
                    "This mail matched none of your applications: under “Edit, then apply” give the company and title of a new application, or dismiss it."
                        .to_owned(),
                ),
                values: Some(kept.unwrap_or_default()),
                ..Default::default()
            },
        ),
        Error::Validation(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Refused {
                id,
                message: Some("Nothing changed: please correct the marked fields.".to_owned()),
                errors: errors_by_field(&e),
                values: Some(kept.unwrap_or_default()),
            },
        ),
        other => return Err(other),
    };
    let view = View::parse(back_to(form).split_once('?').map_or("", |(_, q)| q));
    let overlay = Overlay {
        refused: Some(refused),
        ..Default::default()
    };
    render(state, req, viewer, status, &view, overlay).await
}

/// What an applied suggestion changed, in a sentence.
async fn applied_words(state: &AppState, user: Uuid, s: &Suggestion, zone: &str) -> Result<String> {
    let ids: Vec<Uuid> = s.application_id.into_iter().collect();
    let client = state.pool.get().await?;
    let names = applications::names(&client, user, &ids).await?;
    let company = ids
        .first()
        .and_then(|id| names.get(id))
        .map(|(company, _)| company.clone())
        .unwrap_or_else(|| "The application".to_owned());
    let mut parts = Vec::new();
    match (&s.proposed.new_application, s.proposed.status) {
        (Some(n), _) => parts.push(format!(
            "{} — {} added to your applications",
            n.company, n.title
        )),
        (None, Some(status)) => {
            parts.push(format!("{company} moved to {}", label(status.as_str())))
        }
        (None, None) => {}
    }
    if let Some(at) = s.proposed.interview.as_ref().and_then(|i| i.scheduled_at) {
        let when = in_zone(&format_timestamp(at), zone, "%a %-d %b %Y, %H:%M");
        parts.push(format!("interview on {when} added"));
    }
    Ok(match parts.is_empty() {
        true => "Applied.".to_owned(),
        false => format!("Applied: {}.", parts.join("; ")),
    })
}

/// `POST /inbox/{id}/apply`: as proposed, or (with `edit`) as the edit
/// form says.
pub async fn apply(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let id = *id;
    let user = viewer.auth.user_id;
    let edit = if form.has("edit") {
        match edited(&form, viewer.timezone()) {
            Ok(p) => Some(p),
            Err(e) => {
                return refused_page(&state, &req, &viewer, &form, id, Error::Validation(e)).await
            }
        }
    } else {
        None
    };
    match apply_suggestion(&state, user, id, edit).await {
        Ok(s) => {
            let words = applied_words(&state, user, &s, viewer.timezone()).await?;
            Ok(done(&state, &back_to(&form), &words))
        }
        Err(e) => refused_page(&state, &req, &viewer, &form, id, e).await,
    }
}

/// `POST /inbox/{id}/dismiss`.
pub async fn dismiss(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let id = *id;
    match dismiss_suggestion(&state, viewer.auth.user_id, id).await {
        Ok(_) => Ok(done(
            &state,
            &back_to(&form),
            "Dismissed; nothing changed in your applications.",
        )),
        Err(e) => refused_page(&state, &req, &viewer, &form, id, e).await,
    }
}

/// `POST /inbox/messages`: a multipart form (its `_csrf` among the fields)
/// with one or more `.eml` files, queued for the mail workers.
pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    let auth = super::page_user(&state, &req)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let received = uploaded(&req, payload).await;
    let refuse = async |auth: crate::http::extract::AuthUser, message: &str, status: StatusCode| {
        let viewer = super::signed_in_viewer(&state, auth).await?;
        let overlay = Overlay {
            upload_error: Some(message.to_owned()),
            ..Default::default()
        };
        render(&state, &req, &viewer, status, &View::default(), overlay).await
    };
    let upload = match received {
        Ok(u) => u,
        Err(Error::TooLarge { .. }) => {
            return refuse(
                auth,
                "A file is larger than 10 MiB, more than any one message Job Copilot reads; nothing was received.",
                StatusCode::PAYLOAD_TOO_LARGE,
            )
            .await
        }
        Err(e) => return Err(e),
    };
    let csrf = upload
        .fields
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    super::session_csrf(&auth, csrf)?;
    let user = auth.user_id;
    match queue_messages(&state, user, &upload.files).await {
        Ok(ids) => {
            let n = ids.len();
            let message = format!(
                "{n} {} received; suggestions appear in a moment.",
                if n == 1 { "message" } else { "messages" }
            );
            Ok(done(&state, "/inbox", &message))
        }
        Err(Error::Validation(_)) => {
            let message = if upload.files.is_empty() {
                "Choose one or more .eml files first."
            } else {
                "An empty file is not a message: choose .eml files saved from your mail program."
            };
            refuse(auth, message, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_in_words() {
        for (kind, words) in [
            ("applied", "Application received"),
            ("rejection", "Rejection"),
            ("interview_invitation", "Interview invitation"),
            ("offer", "Offer"),
            ("recruiter_outreach", "Recruiter"),
        ] {
            assert_eq!(kind_words(kind), words);
        }
    }

    #[test]
    fn an_edit_becomes_a_proposal_with_the_time_from_the_users_zone() {
        let p = edited(
            &FormData::of(&[
                ("edit", "1"),
                ("status", "interviewing"),
                ("scheduled_at", "2026-03-10T14:00"),
                ("meeting_url", "https://zoom.us/j/1"),
                ("interview_kind", "technical"),
                ("company", ""),
                ("title", ""),
            ]),
            "America/Los_Angeles",
        )
        .unwrap();
        assert_eq!(p.status, Some(Status::Interviewing));
        let iv = p.interview.unwrap();
        assert_eq!(
            format_timestamp(iv.scheduled_at.unwrap()),
            "2026-03-10T21:00:00Z"
        );
        assert_eq!(iv.meeting_url.as_deref(), Some("https://zoom.us/j/1"));
        assert!(p.new_application.is_none());
    }

    #[test]
    fn an_edit_names_its_bad_fields_as_the_form_does() {
        let e = edited(
            &FormData::of(&[
                ("status", "hired"),
                ("meeting_url", "ftp://x"),
                ("company", "Acme"),
                ("title", ""),
            ]),
            "UTC",
        )
        .unwrap_err();
        let fields: Vec<&str> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert!(fields.contains(&"status"), "{fields:?}");
        let e = edited(&FormData::of(&[("company", "Acme"), ("title", "")]), "UTC").unwrap_err();
        assert_eq!(e.errors[0].field, "title");
    }

    #[test]
    fn decisions_return_only_to_the_inbox() {
        assert_eq!(
            back_to(&FormData::of(&[("back", "/inbox?state=pending")])),
            "/inbox?state=pending"
        );
        assert_eq!(
            back_to(&FormData::of(&[("back", "https://evil.example")])),
            "/inbox"
        );
        assert_eq!(back_to(&FormData::of(&[("back", "/settings")])), "/inbox");
        assert_eq!(back_to(&FormData::of(&[])), "/inbox");
    }

    #[test]
    fn the_view_reads_its_state_and_cursor() {
        assert_eq!(
            View::parse("state=applied&cursor=abc"),
            View {
                state: Some(State::Applied),
                cursor: Some("abc".into())
            }
        );
        assert_eq!(View::parse("state=bogus"), View::default());
        assert_eq!(View::parse("state=pending").href(), "/inbox?state=pending");
    }
}
