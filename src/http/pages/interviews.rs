//! The interviews page: the agenda of what is coming, day by day in the
//! user's time zone, and what is past; outcomes are recorded with a form.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{done, render_page, FormData, Poster, Viewer};
use crate::actors::user_state::{DeleteInterview, UpdateInterview};
use crate::domain::interview::{InterviewPatch, Outcome};
use crate::domain::time::{format_date, format_timestamp, local_date};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::store::interviews;

/// Past interviews shown (the newest).
const PAST_SHOWN: usize = 100;

/// `GET /interviews`.
pub async fn page(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let all = interviews::all_with_application(&client, viewer.auth.user_id).await?;
    let now = OffsetDateTime::now_utc();
    let zone = viewer.timezone().to_owned();
    let today = local_date(now, &zone);
    let item = |(i, company, title): &(crate::domain::interview::Interview, String, String)| {
        context! {
            i => minijinja::Value::from_serialize(i),
            company => company, title => title,
            scheduled_at => format_timestamp(i.fields.scheduled_at),
        }
    };
    // Upcoming: still scheduled and not over, grouped by local day.
    let mut days: Vec<(String, Vec<minijinja::Value>)> = Vec::new();
    for entry in all.iter().filter(|(i, _, _)| {
        i.fields.outcome == Outcome::Scheduled
            && i.fields.scheduled_at + time::Duration::minutes(i.fields.duration_minutes.into())
                >= now
    }) {
        let day = local_date(entry.0.fields.scheduled_at, &zone);
        let title = if day == today {
            "Today".to_owned()
        } else if Some(day) == today.next_day() {
            "Tomorrow".to_owned()
        } else {
            super::filters::in_zone(
                &format_timestamp(entry.0.fields.scheduled_at),
                &zone,
                "%A %-d %B %Y",
            )
        };
        match days.last_mut() {
            Some((t, items)) if *t == title => items.push(item(entry)),
            _ => days.push((title, vec![item(entry)])),
        }
    }
    let agenda: Vec<_> = days
        .into_iter()
        .map(|(day, items)| context! { day => day, items => items })
        .collect();
    let past: Vec<_> = all
        .iter()
        .rev()
        .filter(|(i, _, _)| {
            i.fields.outcome != Outcome::Scheduled
                || i.fields.scheduled_at + time::Duration::minutes(i.fields.duration_minutes.into())
                    < now
        })
        .take(PAST_SHOWN)
        .map(item)
        .collect();
    let ctx = context! {
        agenda => agenda, past => past, today => format_date(today),
        outcomes => Outcome::CHOICES.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        empty => all.is_empty(),
    };
    render_page(
        &state,
        &req,
        &viewer,
        StatusCode::OK,
        "pages/interviews.html",
        "interviews",
        ctx,
    )
}

fn back(form: &FormData) -> String {
    match form.get("back") {
        "application" => super::forms::back_to_application(form, "interviews", "/interviews"),
        _ => "/interviews".to_owned(),
    }
}

/// `POST /interviews/{id}`: records an outcome.
pub async fn update(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let mut body = serde_json::Map::new();
    body.insert(
        "outcome".into(),
        Value::String(form.get("outcome").to_owned()),
    );
    let patch = match InterviewPatch::parse(&body) {
        Ok(p) => p,
        Err(_) => {
            return Ok(done(
                &state,
                &back(&form),
                "Choose an outcome from the list.",
            ))
        }
    };
    let msg = UpdateInterview {
        id: *id,
        if_match: form.get("version").trim().parse().ok(),
        patch,
    };
    match state.user(viewer.auth.user_id).await?.send(msg).await? {
        Ok(i) => Ok(done(
            &state,
            &back(&form),
            &format!("Interview marked {}.", super::filters::label(i.fields.outcome.as_str())),
        )),
        Err(Error::StaleVersion { .. }) => Ok(done(
            &state,
            &back(&form),
            "That interview changed meanwhile; nothing was overwritten. Here it is as it stands now.",
        )),
        Err(e) => Err(e),
    }
}

/// `POST /interviews/{id}/delete`.
pub async fn delete(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let msg = DeleteInterview {
        id: *id,
        if_match: None,
    };
    state.user(viewer.auth.user_id).await?.send(msg).await??;
    Ok(done(&state, &back(&form), "Interview deleted."))
}
