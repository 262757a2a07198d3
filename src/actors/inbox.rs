//! Deciding a mail suggestion, as one write of the user: applying makes the
//! proposed change through the normal rules (the pipeline's transitions, a
//! history note `From email: <subject>`, the interview created, or a new
//! application) together with the decision, in one transaction; dismissing
//! records the decision.

use deadpool_postgres::{Pool, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use super::commands::{patch_application, write, Done, Effect};
use crate::domain::application::{ApplicationPatch, NewApplication};
use crate::domain::events::EventKind;
use crate::domain::fields::Patch;
use crate::domain::interview::{InterviewFields, InterviewKind, Outcome};
use crate::domain::pipeline::Status;
use crate::domain::scoring::prioritize;
use crate::domain::suggestion::{Proposed, State, Suggestion};
use crate::domain::time::local_date;
use crate::domain::ValidationError;
use crate::error::{Error, Result};
use crate::store::mail as store;
use crate::store::{applications, history, interviews, preferences, WriteStart};

/// Tells the user's pages how many suggestions wait (`inbox.updated`), with
/// `as_of`, when they were counted: two workers may count in one order and
/// publish in the other, and a page keeps the newest count.
pub async fn announce_pending(
    pool: &Pool,
    events: &actix::Addr<super::event_bus::EventBus>,
    user: Uuid,
) -> Result<()> {
    let (pending, as_of) = store::pending_count_at(&pool.get().await?, user).await?;
    events.do_send(super::event_bus::Publish {
        user_id: user,
        kind: EventKind::InboxUpdated,
        data: serde_json::json!({ "pending": pending, "as_of": as_of }),
    });
    Ok(())
}

/// The suggestion, still pending, else 404 (not the user's) or 409.
async fn pending(tx: &Transaction<'_>, user: Uuid, id: Uuid) -> Result<Suggestion> {
    let s = store::lock_suggestion(tx, user, id)
        .await?
        .ok_or(Error::NotFound)?;
    match s.state {
        State::Pending => Ok(s),
        decided => Err(Error::Conflict(format!(
            "this suggestion was already {}",
            decided.as_str()
        ))),
    }
}

/// Creates the application a mail proposes (a confirmation of an
/// application never recorded, or a recruiter's approach); answers its id.
async fn create_from_mail(
    tx: &Transaction<'_>,
    user: Uuid,
    start: &WriteStart,
    company: &str,
    title: &str,
    status: Status,
    note: &str,
) -> Result<Uuid> {
    let mut patch = ApplicationPatch {
        company: Patch::Set(company.to_owned()),
        title: Patch::Set(title.to_owned()),
        status: Patch::Set(status),
        ..ApplicationPatch::default()
    };
    patch.source = Patch::Set("email".to_owned());
    let now = OffsetDateTime::now_utc();
    let new = NewApplication::from_patch(patch, local_date(now, &start.timezone))?;
    let prefs = preferences::get(tx, user).await?;
    let score = prioritize(&new.fields, None, now, &prefs, &start.timezone, now);
    let id = Uuid::now_v7();
    applications::insert(
        tx,
        user,
        id,
        applications::Write {
            fields: &new.fields,
            job_description: None,
            priority_score: score.score,
            priority_reasons: &score.reasons,
        },
        None,
        now,
    )
    .await?;
    history::insert(
        tx,
        user,
        history::NewEntry {
            id: Uuid::now_v7(),
            application_id: id,
            from_status: None,
            to_status: status,
            changed_at: now,
            note: Some(note),
            is_undo: false,
        },
    )
    .await?;
    Ok(id)
}

/// Applies a suggestion (as proposed, or as the person edited it). It runs
/// outside the user's actor; the caller has the actor reload afterwards.
pub async fn apply(
    pool: &Pool,
    user: Uuid,
    id: Uuid,
    edited: Option<Proposed>,
) -> Result<Done<Suggestion>> {
    write(pool, user, async |tx, start| {
        let s = pending(tx, user, id).await?;
        let proposed = edited.clone().unwrap_or_else(|| s.proposed.clone());
        let subject = s.message.subject.clone().unwrap_or_default();
        let note = format!("From email: {subject}").chars().take(500).collect::<String>();
        let application = match (&proposed.new_application, s.application_id) {
            (Some(new), _) => {
                let status = proposed.status.unwrap_or(Status::Wishlist);
                create_from_mail(tx, user, start, &new.company, &new.title, status, &note).await?
            }
            (None, Some(app)) => {
                if let Some(status) = proposed.status {
                    let patch = ApplicationPatch {
                        status: Patch::Set(status),
                        status_note: Patch::Set(note.clone()),
                        ..ApplicationPatch::default()
                    };
                    patch_application(tx, user, start, app, None, patch).await?;
                }
                app
            }
            (None, None) => {
                return Err(ValidationError::single(
                    "proposed",
                    "this mail matched none of your applications: propose a new_application, or dismiss it",
                )
                .into())
            }
        };
        if let Some(iv) = &proposed.interview {
            if let Some(at) = iv.scheduled_at {
                let fields = InterviewFields {
                    kind: iv.kind.unwrap_or(InterviewKind::Other),
                    scheduled_at: at,
                    duration_minutes: 60,
                    location: None,
                    meeting_url: iv.meeting_url.clone(),
                    interviewers: Vec::new(),
                    notes: Some(note.clone()),
                    outcome: Outcome::Scheduled,
                };
                let now = OffsetDateTime::now_utc();
                interviews::insert(tx, user, Uuid::now_v7(), application, &fields, now).await?;
            }
        }
        store::decide(tx, user, id, State::Applied, &proposed.to_value()).await?;
        let decided = Suggestion {
            application_id: Some(application),
            proposed,
            state: State::Applied,
            ..s
        };
        let mut done = Done::new(decided, Effect::Nothing, start.change_seq);
        done.events.push((
            EventKind::ApplicationUpdated,
            serde_json::json!({ "id": application }),
        ));
        Ok(done)
    })
    .await
}

/// Dismisses a pending suggestion (409 once applied; dismissing twice is
/// the same answer).
pub async fn dismiss(pool: &Pool, user: Uuid, id: Uuid) -> Result<Done<Suggestion>> {
    write(pool, user, async |tx, start| {
        let s = store::lock_suggestion(tx, user, id)
            .await?
            .ok_or(Error::NotFound)?;
        match s.state {
            State::Applied => Err(Error::Conflict(
                "this suggestion was already applied".into(),
            )),
            State::Dismissed => Ok(Done::new(s, Effect::Nothing, start.change_seq)),
            State::Pending => {
                store::decide(tx, user, id, State::Dismissed, &s.proposed.to_value()).await?;
                let s = Suggestion {
                    state: State::Dismissed,
                    ..s
                };
                Ok(Done::new(s, Effect::Nothing, start.change_seq))
            }
        }
    })
    .await
}
