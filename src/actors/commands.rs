//! The writes a user can make, each one PostgreSQL transaction: lock, check
//! the version, let the domain decide, write the row and its history. The
//! `UserState` actor runs them one at a time and applies their `Effect` to
//! its working set.

use deadpool_postgres::{Pool, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use super::creates::CreateBatcher;
use crate::auth;
use crate::auth::revocation::Revocation;
use crate::domain::account::{NewToken, TokenInfo, User, UserPatch};
use crate::domain::application::{
    apply_patch, ApplicationDetail, ApplicationPatch, NewApplication,
};
use crate::domain::events::EventKind;
use crate::domain::interview::{Interview, InterviewPatch, NewInterview};
use crate::domain::metrics::Change;
use crate::domain::note::Note;
use crate::domain::pipeline::StatusChange;
use crate::domain::preferences::Preferences;
use crate::domain::scoring::prioritize;
use crate::domain::time::local_date;
use crate::domain::{check_version, Application, Patch};
use crate::error::{Error, Result};
use crate::store::{
    self, applications, history, interviews, notes, preferences, tokens, users, WriteStart,
};

/// Re-scores every application of the user (after a preference change, and
/// daily for freshness); versions do not move.
pub async fn rescore_all(
    db: &impl store::GenericClient,
    user: Uuid,
    prefs: &Preferences,
    timezone: &str,
    now: OffsetDateTime,
) -> Result<Vec<(Uuid, i16, Vec<String>)>> {
    let apps = preferences::scorable(db, user).await?;
    let scores: Vec<(Uuid, Uuid, i16, Vec<String>)> = apps
        .iter()
        .map(|(a, jd)| {
            let p = prioritize(
                &a.fields,
                jd.as_deref(),
                a.status_changed_at,
                prefs,
                timezone,
                now,
            );
            (user, a.id, p.score, p.reasons)
        })
        .collect();
    preferences::write_scores(db, &scores).await?;
    Ok(scores.into_iter().map(|(_, id, s, r)| (id, s, r)).collect())
}

/// Users re-scored in one transaction by the daily re-score.
pub const RESCORE_BATCH: usize = 200;

/// The daily re-score of some users, as one write: their write locks are
/// taken together (in id order, so batches never deadlock) and their change
/// sequences move — every replica's caches and the periodic recheck see it —
/// then every application of the batch is read in one query, scored by the
/// domain, and written back in one statement. Answers each user and how
/// many applications were scored.
pub async fn rescore_users(
    pool: &Pool,
    users: &[Uuid],
    now: OffsetDateTime,
) -> Result<Vec<(Uuid, usize)>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let started = store::begin_user_writes(&tx, users).await?;
    let ids: Vec<Uuid> = started.keys().copied().collect();
    let prefs = preferences::get_many(&tx, &ids).await?;
    let apps = applications::all_with_descriptions(&tx, &ids).await?;
    let mut counts: std::collections::HashMap<Uuid, usize> =
        ids.iter().map(|id| (*id, 0)).collect();
    let scores: Vec<(Uuid, Uuid, i16, Vec<String>)> = apps
        .iter()
        .filter_map(|(user, a, jd)| {
            let (start, p) = (started.get(user)?, prefs.get(user)?);
            *counts.entry(*user).or_default() += 1;
            let s = prioritize(
                &a.fields,
                jd.as_deref(),
                a.status_changed_at,
                p,
                &start.timezone,
                now,
            );
            Some((*user, a.id, s.score, s.reasons))
        })
        .collect();
    preferences::write_scores(&tx, &scores).await?;
    tx.commit().await?;
    Ok(counts.into_iter().collect())
}

/// Saves the user's preferences and re-scores all their applications, in one
/// transaction, before answering.
pub async fn update_preferences(
    pool: Pool,
    user: Uuid,
    prefs: Preferences,
) -> Result<Done<Preferences>> {
    write(&pool, user, async |tx, start| {
        let now = OffsetDateTime::now_utc();
        preferences::put(tx, user, &prefs, now).await?;
        let scores = rescore_all(tx, user, &prefs, &start.timezone, now).await?;
        let count = scores.len();
        let effect = Effect::Rescored {
            scores,
            follow_up_after_days: prefs.follow_up_after_days,
            ghosted_after_days: prefs.ghosted_after_days,
        };
        let mut done = Done::new(prefs, effect, start.change_seq);
        done.events.push((
            EventKind::ApplicationsRescored,
            serde_json::json!({"count": count}),
        ));
        Ok(done)
    })
    .await
}

/// What a command changed, for the actor's in-memory working set.
#[derive(Debug, Clone)]
pub enum Effect {
    Nothing,
    /// An application's new state; `history` is None when it did not change.
    Application {
        application: Box<Application>,
        history: Option<Vec<Change>>,
    },
    ApplicationRemoved(Uuid),
    Interview(Box<Interview>),
    InterviewRemoved(Uuid),
    NoteWritten {
        application_id: Uuid,
        at: OffsetDateTime,
    },
    /// New scores (and the action delays of new preferences).
    Rescored {
        scores: Vec<(Uuid, i16, Vec<String>)>,
        follow_up_after_days: i64,
        ghosted_after_days: i64,
    },
    /// An application's newest note after one was deleted.
    LastNote {
        application_id: Uuid,
        at: Option<OffsetDateTime>,
    },
    Timezone(String),
}

/// A command's answer, the effect on memory, the user's new change sequence,
/// and the live events it raises.
pub struct Done<R> {
    pub value: R,
    pub effect: Effect,
    pub change_seq: Option<i64>,
    pub events: Vec<(EventKind, serde_json::Value)>,
}

impl<R> Done<R> {
    pub(super) fn new(value: R, effect: Effect, change_seq: i64) -> Self {
        Done {
            value,
            effect,
            change_seq: Some(change_seq),
            events: Vec::new(),
        }
    }

    /// Adds a live event `{id, version}` of kind `kind`.
    fn event(mut self, kind: EventKind, id: Uuid, version: i32) -> Self {
        self.events
            .push((kind, serde_json::json!({"id": id, "version": version})));
        self
    }

    fn unchanged(value: R) -> Self {
        Done {
            value,
            effect: Effect::Nothing,
            change_seq: None,
            events: Vec::new(),
        }
    }
}

/// Runs one write of the user: a transaction that first takes the user's
/// write lock (bumping their change sequence), committed only when the write
/// changed something (`Done::unchanged` rolls the sequence back too).
pub(super) async fn write<R>(
    pool: &Pool,
    user: Uuid,
    f: impl AsyncFnOnce(&Transaction<'_>, &WriteStart) -> Result<Done<R>>,
) -> Result<Done<R>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let start = store::begin_user_write(&tx, user).await?;
    let done = f(&tx, &start).await?;
    if done.change_seq.is_some() {
        tx.commit().await?;
    }
    Ok(done)
}

/// The row a write locked: the user's (else 404), at the version `If-Match`
/// names (else 412).
fn current<T>(row: Option<T>, version: impl Fn(&T) -> i32, if_match: Option<i32>) -> Result<T> {
    let row = row.ok_or(Error::NotFound)?;
    check_version(version(&row), if_match)?;
    Ok(row)
}

pub async fn create_application(
    creates: CreateBatcher,
    user: Uuid,
    patch: ApplicationPatch,
    timezone: String,
) -> Result<Done<ApplicationDetail>> {
    // An invalid body is answered here, without touching the database.
    NewApplication::from_patch(
        patch.clone(),
        local_date(OffsetDateTime::now_utc(), &timezone),
    )?;
    let (created, change_seq) = creates.create(user, patch).await?;
    let app = &created.application;
    let effect = Effect::Application {
        application: Box::new(app.clone()),
        history: Some(vec![Change {
            to_status: app.fields.status,
            changed_at: app.created_at,
        }]),
    };
    let (id, version) = (app.id, app.version);
    Ok(Done::new(created, effect, change_seq).event(EventKind::ApplicationCreated, id, version))
}

pub async fn update_application(
    pool: Pool,
    user: Uuid,
    id: Uuid,
    if_match: Option<i32>,
    patch: ApplicationPatch,
) -> Result<Done<ApplicationDetail>> {
    write(&pool, user, async |tx, start| {
        patch_application(tx, user, start, id, if_match, patch).await
    })
    .await
}

/// An application's patch inside a write of the user (the update command's
/// body; an applied mail suggestion's status change too): the row locked at
/// the version `If-Match` names, the domain deciding, the history entry.
pub(super) async fn patch_application(
    tx: &Transaction<'_>,
    user: Uuid,
    start: &WriteStart,
    id: Uuid,
    if_match: Option<i32>,
    patch: ApplicationPatch,
) -> Result<Done<ApplicationDetail>> {
    let current = current(
        applications::lock(tx, user, id).await?,
        |c| c.application.version,
        if_match,
    )?;
    let entering = match patch.status {
        Patch::Set(_) => history::entering(tx, user, id)
            .await?
            .map(|e| e.as_entering()),
        _ => None,
    };
    let now = OffsetDateTime::now_utc();
    let today = local_date(now, &start.timezone);
    let outcome = apply_patch(&current, patch, entering.as_ref(), now, today)?;
    if !outcome.changed {
        return Ok(Done::unchanged(current));
    }
    let (from, to, undoes) = match outcome.status_change {
        StatusChange::Unchanged => (None, None, None),
        StatusChange::Move { from, to } => (Some(from), Some(to), None),
        StatusChange::Undo { from, to, undoes } => (Some(from), Some(to), Some(undoes)),
    };
    let stamp = applications::Stamp {
        version: current.application.version + 1,
        updated_at: now,
        status_changed_at: if to.is_some() {
            now
        } else {
            current.application.status_changed_at
        },
    };
    let prefs = preferences::get(tx, user).await?;
    let priority = prioritize(
        &outcome.fields,
        outcome.job_description.as_deref(),
        stamp.status_changed_at,
        &prefs,
        &start.timezone,
        now,
    );
    let write = applications::Write {
        fields: &outcome.fields,
        job_description: outcome.job_description.as_deref(),
        priority_score: priority.score,
        priority_reasons: &priority.reasons,
    };
    let updated = applications::update(tx, user, id, write, stamp).await?;
    if let Some(to) = to {
        if let Some(entry) = undoes {
            history::mark_undone(tx, user, entry).await?;
        }
        history::insert(
            tx,
            user,
            history::NewEntry {
                id: Uuid::now_v7(),
                application_id: id,
                from_status: from,
                to_status: to,
                changed_at: now,
                note: outcome.status_note.as_deref(),
                is_undo: undoes.is_some(),
            },
        )
        .await?;
    }
    let history = match to {
        Some(_) => Some(history::effective(tx, user, id).await?),
        None => None,
    };
    let effect = Effect::Application {
        application: Box::new(updated.application.clone()),
        history,
    };
    let version = updated.application.version;
    Ok(Done::new(updated, effect, start.change_seq).event(
        EventKind::ApplicationUpdated,
        id,
        version,
    ))
}

pub async fn delete_application(
    pool: Pool,
    user: Uuid,
    id: Uuid,
    if_match: Option<i32>,
) -> Result<Done<()>> {
    write(&pool, user, async |tx, start| {
        current(
            applications::lock(tx, user, id).await?,
            |c| c.application.version,
            if_match,
        )?;
        applications::delete(tx, user, id).await?;
        Ok(Done::new(
            (),
            Effect::ApplicationRemoved(id),
            start.change_seq,
        ))
    })
    .await
}

pub async fn add_note(
    pool: Pool,
    user: Uuid,
    application_id: Uuid,
    body: String,
) -> Result<Done<Note>> {
    write(&pool, user, async |tx, start| {
        if applications::lock(tx, user, application_id)
            .await?
            .is_none()
        {
            return Err(Error::NotFound);
        }
        let now = OffsetDateTime::now_utc();
        let note = notes::insert(tx, user, Uuid::now_v7(), application_id, &body, now).await?;
        let effect = Effect::NoteWritten {
            application_id,
            at: now,
        };
        Ok(Done::new(note, effect, start.change_seq))
    })
    .await
}

pub async fn update_note(
    pool: Pool,
    user: Uuid,
    id: Uuid,
    if_match: Option<i32>,
    body: String,
) -> Result<Done<Note>> {
    write(&pool, user, async |tx, start| {
        let current = current(notes::lock(tx, user, id).await?, |c| c.version, if_match)?;
        if current.body == body {
            return Ok(Done::unchanged(current));
        }
        let now = OffsetDateTime::now_utc();
        let note = notes::update(tx, user, id, &body, current.version + 1, now).await?;
        let effect = Effect::NoteWritten {
            application_id: note.application_id,
            at: now,
        };
        Ok(Done::new(note, effect, start.change_seq))
    })
    .await
}

pub async fn delete_note(
    pool: Pool,
    user: Uuid,
    id: Uuid,
    if_match: Option<i32>,
) -> Result<Done<()>> {
    write(&pool, user, async |tx, start| {
        let current = current(notes::lock(tx, user, id).await?, |c| c.version, if_match)?;
        notes::delete(tx, user, id).await?;
        let at = notes::last_note_time(tx, user, current.application_id).await?;
        let effect = Effect::LastNote {
            application_id: current.application_id,
            at,
        };
        Ok(Done::new((), effect, start.change_seq))
    })
    .await
}

pub async fn create_interview(
    pool: Pool,
    user: Uuid,
    new: NewInterview,
) -> Result<Done<Interview>> {
    write(&pool, user, async |tx, start| {
        if applications::lock(tx, user, new.application_id)
            .await?
            .is_none()
        {
            return Err(Error::NotFound);
        }
        let now = OffsetDateTime::now_utc();
        let interview = interviews::insert(
            tx,
            user,
            Uuid::now_v7(),
            new.application_id,
            &new.fields,
            now,
        )
        .await?;
        let effect = Effect::Interview(Box::new(interview.clone()));
        Ok(Done::new(interview, effect, start.change_seq))
    })
    .await
}

pub async fn update_interview(
    pool: Pool,
    user: Uuid,
    id: Uuid,
    if_match: Option<i32>,
    patch: InterviewPatch,
) -> Result<Done<Interview>> {
    write(&pool, user, async |tx, start| {
        let current = current(
            interviews::lock(tx, user, id).await?,
            |c| c.version,
            if_match,
        )?;
        let (fields, changed) = patch.apply(&current.fields);
        if !changed {
            return Ok(Done::unchanged(current));
        }
        let now = OffsetDateTime::now_utc();
        let interview = interviews::update(tx, user, id, &fields, current.version + 1, now).await?;
        let effect = Effect::Interview(Box::new(interview.clone()));
        let version = interview.version;
        Ok(Done::new(interview, effect, start.change_seq).event(
            EventKind::InterviewUpdated,
            id,
            version,
        ))
    })
    .await
}

pub async fn delete_interview(
    pool: Pool,
    user: Uuid,
    id: Uuid,
    if_match: Option<i32>,
) -> Result<Done<()>> {
    write(&pool, user, async |tx, start| {
        current(
            interviews::lock(tx, user, id).await?,
            |c| c.version,
            if_match,
        )?;
        interviews::delete(tx, user, id).await?;
        Ok(Done::new(
            (),
            Effect::InterviewRemoved(id),
            start.change_seq,
        ))
    })
    .await
}

pub async fn update_me(
    pool: Pool,
    user: Uuid,
    if_match: Option<i32>,
    patch: UserPatch,
) -> Result<Done<User>> {
    write(&pool, user, async |tx, start| {
        let current = current(users::lock(tx, user).await?, |c| c.version, if_match)?;
        let mut display_name = current.display_name.clone();
        patch.display_name.apply_to(&mut display_name);
        let timezone = match patch.timezone {
            Patch::Set(tz) => tz,
            _ => current.timezone.clone(),
        };
        if display_name == current.display_name && timezone == current.timezone {
            return Ok(Done::unchanged(current));
        }
        let now = OffsetDateTime::now_utc();
        let updated = users::update_profile(
            tx,
            user,
            display_name.as_deref(),
            &timezone,
            current.version + 1,
            now,
        )
        .await?;
        Ok(Done::new(
            updated,
            Effect::Timezone(timezone),
            start.change_seq,
        ))
    })
    .await
}

pub async fn create_token(
    pool: Pool,
    user: Uuid,
    new: NewToken,
) -> Result<Done<(String, TokenInfo)>> {
    write(&pool, user, async |tx, start| {
        let (secret, hash) = auth::new_token();
        let now = OffsetDateTime::now_utc();
        let info = tokens::insert(
            tx,
            user,
            Uuid::now_v7(),
            &new.name,
            &hash,
            new.expires_at,
            now,
        )
        .await?;
        Ok(Done::new((secret, info), Effect::Nothing, start.change_seq))
    })
    .await
}

pub async fn revoke_token(pool: Pool, user: Uuid, id: Uuid) -> Result<Done<()>> {
    write(&pool, user, async |tx, start| {
        if !tokens::delete(tx, user, id).await? {
            return Err(Error::NotFound);
        }
        let mut done = Done::new((), Effect::Nothing, start.change_seq);
        // Internal: live streams opened with this token close.
        done.events.push((
            EventKind::CredentialRevoked,
            Revocation::tokens(vec![id]).to_value(),
        ));
        Ok(done)
    })
    .await
}

/// Makes a new secret calendar feed token (any earlier one stops working).
pub async fn create_calendar_feed(
    pool: Pool,
    user: Uuid,
) -> Result<Done<(String, OffsetDateTime)>> {
    write(&pool, user, async |tx, start| {
        let token = crate::auth::sessions::random_secret();
        let now = OffsetDateTime::now_utc();
        store::calendar::replace(tx, user, &token, now).await?;
        Ok(Done::new((token, now), Effect::Nothing, start.change_seq))
    })
    .await
}

/// Turns the calendar feed off.
pub async fn delete_calendar_feed(pool: Pool, user: Uuid) -> Result<Done<()>> {
    write(&pool, user, async |tx, start| {
        if !store::calendar::delete(tx, user).await? {
            return Err(Error::NotFound);
        }
        Ok(Done::new((), Effect::Nothing, start.change_seq))
    })
    .await
}

/// Saves the user's profile.
pub async fn update_profile(
    pool: Pool,
    user: Uuid,
    profile: crate::domain::profile::Profile,
) -> Result<Done<crate::domain::profile::Profile>> {
    write(&pool, user, async |tx, start| {
        preferences::put_profile(tx, user, &profile, OffsetDateTime::now_utc()).await?;
        Ok(Done::new(profile, Effect::Nothing, start.change_seq))
    })
    .await
}
