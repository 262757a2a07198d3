//! Settings: the account (name, time zone), preferences with a preview of
//! the ranking they give, the profile AI drafts draw on, the calendar feed,
//! the mailbox the inbox reads, the capture bookmarklet, a link to API tokens, security (password,
//! sessions), your data (export, import) and the danger zone (deleting the account). Each section
//! is its own form; the mailbox forms post to `mailbox`, the security and danger-zone forms to
//! `security`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::forms::{errors_by_field, to_json, Empty, Kind};
use super::{done, render_page, FormData, Poster, Viewer};
use crate::actors::user_state::{
    CreateCalendarFeed, DeleteCalendarFeed, UpdateMe, UpdatePreferences, UpdateProfile,
};
use crate::auth::sessions::IDLE_LIMIT;
use crate::domain::account::UserPatch;
use crate::domain::preferences::Preferences;
use crate::domain::profile::Profile;
use crate::domain::time::format_timestamp;
use crate::domain::user_agent;
use crate::error::{Error, Result};
use crate::http::account::own_session;
use crate::http::calendar::feed_url;
use crate::http::preferences::{ranking, Ranked};
use crate::http::AppState;
use crate::store::{
    calendar, mail as mail_store, preferences as prefs_store, sessions as session_store,
};

/// The most sessions the security section lists (sessions expire after a
/// week idle, so a person has a handful).
const SESSIONS_SHOWN: usize = 200;

const PREFERENCE_FIELDS: [(&str, Kind); 9] = [
    ("target_salary", Kind::Integer),
    ("salary_currency", Kind::Text),
    ("preferred_locations", Kind::List),
    ("keywords_include", Kind::List),
    ("keywords_exclude", Kind::List),
    ("companies_favored", Kind::List),
    ("companies_avoided", Kind::List),
    ("follow_up_after_days", Kind::Integer),
    ("ghosted_after_days", Kind::Integer),
];

const WEIGHTS: [&str; 6] = [
    "salary",
    "location",
    "work_mode",
    "keywords",
    "company",
    "freshness",
];

const PROFILE_FIELDS: [(&str, Kind); 5] = [
    ("headline", Kind::Text),
    ("summary", Kind::Text),
    ("resume_text", Kind::Text),
    ("skills", Kind::List),
    ("links", Kind::List),
];

/// A refused section of the settings page, with what the user typed.
#[derive(Default)]
pub(super) struct Section {
    pub(super) values: Option<HashMap<String, String>>,
    pub(super) errors: HashMap<String, String>,
}

#[derive(Default)]
pub(super) struct Overlay {
    account: Section,
    preferences: Section,
    /// The work modes ticked in a refused or previewed preferences form.
    work_modes: Option<Vec<String>>,
    profile: Section,
    preview: Option<Vec<Ranked>>,
    /// A refused password change (never the passwords themselves).
    pub(super) password: Section,
    /// A refused account deletion (the typed email, never the password).
    pub(super) deletion: Section,
    /// Why a security form was refused when no one field is to blame.
    pub(super) security_alert: Option<String>,
    /// Why the deletion was refused when no one field is to blame.
    pub(super) danger_alert: Option<String>,
    /// A refused mailbox connection (never its password).
    pub(super) mailbox: Section,
    /// Why the mailbox form was refused when no one field is to blame.
    pub(super) mailbox_alert: Option<String>,
}

fn joined(items: &[String]) -> String {
    items.join(", ")
}

fn preference_values(p: &Preferences) -> HashMap<String, String> {
    let mut v = HashMap::from([
        (
            "target_salary".to_owned(),
            p.target_salary.map(|s| s.to_string()).unwrap_or_default(),
        ),
        ("salary_currency".to_owned(), p.salary_currency.clone()),
        (
            "preferred_locations".to_owned(),
            joined(&p.preferred_locations),
        ),
        ("keywords_include".to_owned(), joined(&p.keywords_include)),
        ("keywords_exclude".to_owned(), joined(&p.keywords_exclude)),
        ("companies_favored".to_owned(), joined(&p.companies_favored)),
        ("companies_avoided".to_owned(), joined(&p.companies_avoided)),
        (
            "follow_up_after_days".to_owned(),
            p.follow_up_after_days.to_string(),
        ),
        (
            "ghosted_after_days".to_owned(),
            p.ghosted_after_days.to_string(),
        ),
    ]);
    let w = &p.weights;
    for (name, value) in WEIGHTS.iter().zip([
        w.salary,
        w.location,
        w.work_mode,
        w.keywords,
        w.company,
        w.freshness,
    ]) {
        v.insert(format!("weight_{name}"), value.to_string());
    }
    v
}

pub(super) async fn render(
    state: &AppState,
    req: &HttpRequest,
    viewer: &Viewer,
    status: StatusCode,
    overlay: Overlay,
) -> Result<HttpResponse> {
    let user_id = viewer.auth.user_id;
    let client = state.pool.get().await?;
    let (prefs, profile, feed, mailbox, auto_apply) = futures_util::try_join!(
        prefs_store::get(&client, user_id),
        prefs_store::profile(&client, user_id),
        calendar::get(&client, user_id),
        mail_store::get_mailbox(&client, user_id),
        mail_store::auto_apply(&client, user_id),
    )?;
    let user = &viewer.user;
    let account = overlay.account.values.unwrap_or_else(|| {
        HashMap::from([
            (
                "display_name".to_owned(),
                user.display_name.clone().unwrap_or_default(),
            ),
            ("timezone".to_owned(), user.timezone.clone()),
        ])
    });
    let work_modes = overlay.work_modes.unwrap_or_else(|| {
        prefs
            .work_modes
            .iter()
            .map(|m| m.as_str().to_owned())
            .collect()
    });
    let preferences = overlay
        .preferences
        .values
        .unwrap_or_else(|| preference_values(&prefs));
    let profile_values = overlay.profile.values.unwrap_or_else(|| {
        HashMap::from([
            (
                "headline".to_owned(),
                profile.headline.clone().unwrap_or_default(),
            ),
            (
                "summary".to_owned(),
                profile.summary.clone().unwrap_or_default(),
            ),
            (
                "resume_text".to_owned(),
                profile.resume_text.clone().unwrap_or_default(),
            ),
            ("skills".to_owned(), joined(&profile.skills)),
            ("links".to_owned(), profile.links.join("\n")),
        ])
    });
    let ai = state
        .ai
        .send(crate::actors::ai_pool::CheckStatus)
        .await
        .ok()
        .map(|s| minijinja::Value::from_serialize(&s));
    let sessions = signed_in_sessions(state, viewer).await?;
    let zones: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name.contains('/') || name == "UTC")
        .collect();
    let ctx = context! {
        account => account, account_errors => overlay.account.errors,
        preferences => preferences, preference_errors => overlay.preferences.errors,
        work_modes => work_modes, weights => WEIGHTS,
        profile => profile_values, profile_errors => overlay.profile.errors,
        preview => overlay.preview.map(|p| minijinja::Value::from_serialize(&p)),
        feed => feed.map(|(token, created_at)| context! {
            url => feed_url(state, &token),
            created_at => format_timestamp(created_at),
        }),
        zones => zones, ai => ai,
        bookmarklet => super::capture::bookmarklet_href(&state.settings.public_url),
        server => state.settings.public_url.as_str().trim_end_matches('/'),
        auth_methods => user.auth_methods,
        has_password => user.auth_methods.iter().any(|m| m == "password"),
        local_accounts => state.settings.local_accounts,
        password_values => overlay.password.values.unwrap_or_default(),
        password_errors => overlay.password.errors,
        deletion => overlay.deletion.values.unwrap_or_default(),
        deletion_errors => overlay.deletion.errors,
        security_alert => overlay.security_alert, danger_alert => overlay.danger_alert,
        sessions => sessions,
        mailbox_form => overlay.mailbox.values.unwrap_or_else(|| super::mailbox::form_values(mailbox.as_ref())),
        mailbox_errors => overlay.mailbox.errors, mailbox_alert => overlay.mailbox_alert,
        mailbox => mailbox.as_ref().map(super::mailbox::shown),
        can_seal => state.can_seal_secrets(), auto_apply => auto_apply,
    };
    render_page(
        state,
        req,
        viewer,
        status,
        "pages/settings.html",
        "settings",
        ctx,
    )
}

/// The viewer's live sessions for the security section: this browser's
/// first, then the newest.
async fn signed_in_sessions(state: &AppState, viewer: &Viewer) -> Result<Vec<minijinja::Value>> {
    let client = state.pool.get().await?;
    let idle_since = OffsetDateTime::now_utc() - IDLE_LIMIT;
    let mut list = session_store::list(
        &client,
        viewer.auth.user_id,
        own_session(&viewer.auth),
        SESSIONS_SHOWN,
        None,
        idle_since,
    )
    .await?
    .items;
    list.sort_by_key(|s| !s.current);
    Ok(list
        .into_iter()
        .map(|s| {
            context! {
                id => s.id, current => s.current, address => s.address,
                browser => user_agent::describe(s.user_agent.as_deref()),
                created_at => format_timestamp(s.created_at),
                last_seen_at => format_timestamp(s.last_seen_at),
            }
        })
        .collect())
}

/// `GET /settings`.
pub async fn page(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<HttpResponse> {
    render(&state, &req, &viewer, StatusCode::OK, Overlay::default()).await
}

/// `POST /settings/account`.
pub async fn account(
    state: web::Data<AppState>,
    req: HttpRequest,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let spec = [("display_name", Kind::Text), ("timezone", Kind::Text)];
    let body = to_json(&form, &spec, Empty::Clear, viewer.timezone());
    let refused = |errors| Overlay {
        account: Section {
            values: Some(form.values()),
            errors,
        },
        ..Default::default()
    };
    let patch = match UserPatch::parse(&body) {
        Ok(p) => p,
        Err(e) => {
            return render(
                &state,
                &req,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                refused(errors_by_field(&e)),
            )
            .await
        }
    };
    let msg = UpdateMe {
        if_match: None,
        patch,
    };
    match state.user(viewer.auth.user_id).await?.send(msg).await? {
        Ok(_) => Ok(done(&state, "/settings", "Account saved.")),
        Err(Error::Validation(e)) => {
            render(
                &state,
                &req,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                refused(errors_by_field(&e)),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// The preferences form as the API's JSON body.
fn preferences_body(form: &FormData, zone: &str) -> Map<String, Value> {
    let mut body = to_json(form, &PREFERENCE_FIELDS, Empty::Clear, zone);
    body.insert(
        "work_modes".into(),
        Value::Array(
            form.all("work_modes")
                .into_iter()
                .map(Value::String)
                .collect(),
        ),
    );
    let weight_fields: Vec<(String, Kind)> = WEIGHTS
        .iter()
        .map(|w| (format!("weight_{w}"), Kind::Decimal))
        .collect();
    let spec: Vec<(&str, Kind)> = weight_fields
        .iter()
        .map(|(n, k)| (n.as_str(), *k))
        .collect();
    let weights: Map<String, Value> = to_json(form, &spec, Empty::Omit, zone)
        .into_iter()
        .map(|(k, v)| (k.trim_start_matches("weight_").to_owned(), v))
        .collect();
    body.insert("weights".into(), Value::Object(weights));
    body
}

/// `POST /settings/preferences`: saves (re-scoring every application), or
/// with `action=preview` shows the ranking they would give without saving.
pub async fn preferences(
    state: web::Data<AppState>,
    req: HttpRequest,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let body = preferences_body(&form, viewer.timezone());
    let kept = |errors, preview| Overlay {
        preferences: Section {
            values: Some(form.values()),
            errors,
        },
        work_modes: Some(form.all("work_modes")),
        preview,
        ..Default::default()
    };
    let prefs = match Preferences::parse(&body) {
        Ok(p) => p,
        Err(e) => {
            let errors = errors_by_field(&e)
                .into_iter()
                .map(|(k, v)| (k.replace("weights.", "weight_"), v))
                .collect();
            return render(
                &state,
                &req,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                kept(errors, None),
            )
            .await;
        }
    };
    if form.get("action") == "preview" {
        let client = state.pool.get().await?;
        let top = ranking(&client, viewer.auth.user_id, &prefs).await?;
        return render(
            &state,
            &req,
            &viewer,
            StatusCode::OK,
            kept(HashMap::new(), Some(top)),
        )
        .await;
    }
    state
        .user(viewer.auth.user_id)
        .await?
        .send(UpdatePreferences { prefs })
        .await??;
    Ok(done(
        &state,
        "/settings#preferences",
        "Preferences saved; every application is re-scored.",
    ))
}

/// `POST /settings/profile`.
pub async fn profile(
    state: web::Data<AppState>,
    req: HttpRequest,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let body = to_json(&form, &PROFILE_FIELDS, Empty::Clear, viewer.timezone());
    let profile = match Profile::parse(&body) {
        Ok(p) => p,
        Err(e) => {
            let overlay = Overlay {
                profile: Section {
                    values: Some(form.values()),
                    errors: errors_by_field(&e),
                },
                ..Default::default()
            };
            return render(
                &state,
                &req,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                overlay,
            )
            .await;
        }
    };
    state
        .user(viewer.auth.user_id)
        .await?
        .send(UpdateProfile { profile })
        .await??;
    Ok(done(&state, "/settings#profile", "Profile saved."))
}

/// `POST /settings/calendar`: a new secret feed URL (the old one stops working).
pub async fn calendar_feed(
    state: web::Data<AppState>,
    Poster { viewer, .. }: Poster,
) -> Result<HttpResponse> {
    state
        .user(viewer.auth.user_id)
        .await?
        .send(CreateCalendarFeed {})
        .await??;
    Ok(done(
        &state,
        "/settings#calendar",
        "A new calendar link is ready; any earlier link stopped working.",
    ))
}

/// `POST /settings/calendar/delete`.
pub async fn calendar_off(
    state: web::Data<AppState>,
    Poster { viewer, .. }: Poster,
) -> Result<HttpResponse> {
    state
        .user(viewer.auth.user_id)
        .await?
        .send(DeleteCalendarFeed {})
        .await??;
    Ok(done(
        &state,
        "/settings#calendar",
        "The calendar link is off.",
    ))
}
