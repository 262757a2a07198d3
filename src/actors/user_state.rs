//! One actor per active user. It serializes the user's writes (one command
//! at a time, each its own transaction) and keeps the user's working set in
//! memory: applications without long text, upcoming interviews, and when
//! each application last had a note. A panic in a command stops the actor;
//! its supervisor restarts it, and it reloads from PostgreSQL.

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use deadpool_postgres::Pool;
use futures_util::FutureExt;
use time::OffsetDateTime;
use uuid::Uuid;

use super::commands::{self, Done, Effect};
use super::creates::CreateBatcher;
use super::event_bus::{EventBus, Publish};
use super::read_cache::{CachedBody, ReadCache};
use super::ActorStats;
use crate::domain::account::{NewToken, TokenInfo, User, UserPatch};
use crate::domain::application::{Application, ApplicationDetail, ApplicationPatch};
use crate::domain::events::EventKind;
use crate::domain::interview::{Interview, InterviewPatch, NewInterview};
use crate::domain::listing::{self, ListQuery};
use crate::domain::metrics::{ActionSettings, Aggregates, ApplicationFacts, Dashboard};
use crate::domain::note::Note;
use crate::error::{Error, Result};
use crate::store::page::{decode_cursor, encode_cursor, BadCursor, Page};
use crate::store::{applications, history, interviews, notes, preferences, users};

/// The user's data that reads can be answered from: the dashboard's
/// aggregates over every application (no long text) and interview.
#[derive(Debug, Default)]
pub struct WorkingSet {
    pub loaded: bool,
    /// A reload is asked for (a write done elsewhere: another replica, the
    /// daily re-score): messages wait for it, but a read without a message
    /// must not answer from this set meanwhile.
    pub stale: bool,
    /// Reloads asked for from outside the actor, counted: a load that began
    /// before the last of them leaves the set stale.
    pub reloads_asked: u64,
    /// The viewer of the user's pages (the account and the inbox's count)
    /// as the actor remembers it, with the generation of answers it belongs
    /// to: set when the actor remembers one, emptied whenever its answers are
    /// forgotten (and at once by the registry when news of a change outside
    /// the actor comes). Here rather than in the actor, so that a page view
    /// finds the viewer and its remembered page without a message.
    pub viewer: Option<(u64, std::time::Instant, Arc<Viewer>)>,
    pub change_seq: i64,
    pub aggregates: Aggregates,
}

impl WorkingSet {
    pub async fn load(pool: Pool, user_id: Uuid) -> Result<WorkingSet> {
        let client = pool.get().await?;
        let (change_seq, timezone) = users::write_state(&client, user_id)
            .await?
            .ok_or(Error::NotFound)?;
        let apps = applications::all(&client, user_id).await?;
        let mut histories = history::effective_all(&client, user_id).await?;
        let last_notes: HashMap<Uuid, OffsetDateTime> = notes::last_note_times(&client, user_id)
            .await?
            .into_iter()
            .collect();
        let ivs = interviews::all(&client, user_id).await?;
        let facts = apps
            .into_iter()
            .map(|a| ApplicationFacts {
                history: histories.remove(&a.id).unwrap_or_default().into(),
                last_note_at: last_notes.get(&a.id).copied(),
                application: a,
            })
            .collect();
        let prefs = preferences::get(&client, user_id).await?;
        let settings = ActionSettings {
            timezone,
            follow_up_after_days: prefs.follow_up_after_days,
            ghosted_after_days: prefs.ghosted_after_days,
        };
        Ok(WorkingSet {
            loaded: true,
            change_seq,
            aggregates: Aggregates::build(settings, facts, ivs),
            ..WorkingSet::default()
        })
    }

    /// One application (without its description); None while not loaded
    /// or when the set does not hold it.
    pub fn application(&self, id: Uuid) -> Option<Application> {
        if !self.loaded || self.stale {
            return None;
        }
        Some(self.aggregates.facts(&id)?.application.clone())
    }

    /// A reload is asked for from outside the actor.
    pub fn ask_reload(&mut self) {
        self.stale = true;
        self.reloads_asked += 1;
    }

    fn apply(&mut self, effect: Effect, change_seq: Option<i64>) {
        if let Some(seq) = change_seq {
            self.change_seq = self.change_seq.max(seq);
        }
        let agg = &mut self.aggregates;
        match effect {
            Effect::Nothing => {}
            Effect::Application {
                application,
                history,
            } => {
                let id = application.id;
                let history = history.map(Box::from);
                let (history, last_note_at) = match agg.facts(&id) {
                    Some(f) => (history.unwrap_or_else(|| f.history.clone()), f.last_note_at),
                    None => (history.unwrap_or_default(), None),
                };
                agg.put_application(ApplicationFacts {
                    application: *application,
                    history,
                    last_note_at,
                });
            }
            Effect::ApplicationRemoved(id) => agg.remove_application(id),
            Effect::Interview(i) => agg.put_interview(&i),
            Effect::InterviewRemoved(id) => agg.remove_interview(id),
            Effect::NoteWritten { application_id, at } => agg.note_written(application_id, at),
            Effect::LastNote { application_id, at } => agg.set_last_note(application_id, at),
            Effect::Rescored {
                scores,
                follow_up_after_days,
                ghosted_after_days,
            } => {
                for (id, score, reasons) in scores {
                    agg.set_priority(id, score, reasons);
                }
                let s = agg.settings();
                if s.follow_up_after_days != follow_up_after_days
                    || s.ghosted_after_days != ghosted_after_days
                {
                    let settings = ActionSettings {
                        follow_up_after_days,
                        ghosted_after_days,
                        ..s.clone()
                    };
                    agg.set_settings(settings);
                }
            }
            Effect::Timezone(tz) => {
                let settings = ActionSettings {
                    timezone: tz,
                    ..agg.settings().clone()
                };
                agg.set_settings(settings);
            }
        }
    }
}

/// A user's working set, shared by its actor (the only writer) with request
/// handlers that read one application without a message (see
/// `registry::Directory::application`).
pub type SharedWorkingSet = Arc<parking_lot::RwLock<WorkingSet>>;

pub struct UserState {
    user_id: Uuid,
    pool: Pool,
    memory: SharedWorkingSet,
    stats: Arc<ActorStats>,
    events: Addr<EventBus>,
    /// When the dashboard's JSON was last made, and at which change
    /// sequence; its bytes are among the user's remembered answers, under
    /// the byte bound of every user's answers together.
    dashboard_made: Option<(i64, std::time::Instant)>,
    /// Answers to repeated reads, forgotten on every write.
    reads: ReadCache,
    creates: CreateBatcher,
}

impl UserState {
    pub fn new(
        user_id: Uuid,
        pool: Pool,
        stats: Arc<ActorStats>,
        events: Addr<EventBus>,
        creates: CreateBatcher,
        memory: SharedWorkingSet,
    ) -> Self {
        UserState {
            user_id,
            pool,
            memory,
            stats,
            events,
            dashboard_made: None,
            reads: ReadCache::new(user_id),
            creates,
        }
    }

    /// Forgets every remembered answer (and the viewer, which belongs to
    /// them).
    fn forget_reads(&mut self) {
        self.reads.clear();
        self.memory.write().viewer = None;
    }

    fn publish(&self, kind: EventKind, data: serde_json::Value) {
        self.events.do_send(Publish {
            user_id: self.user_id,
            kind,
            data,
        });
    }

    fn load(&mut self, ctx: &mut Context<Self>) {
        let asked = {
            let mut memory = self.memory.write();
            memory.stale = true;
            memory.reloads_asked
        };
        let fut = WorkingSet::load(self.pool.clone(), self.user_id);
        // `wait`: no message is handled before the working set is in place.
        ctx.wait(fut.into_actor(self).map(move |result, act, ctx| match result {
            Ok(mut set) => {
                let mut memory = act.memory.write();
                set.reloads_asked = memory.reloads_asked;
                set.stale = set.reloads_asked != asked;
                let old = std::mem::replace(&mut *memory, set);
                drop(memory);
                drop(old);
            }
            Err(e) => {
                tracing::warn!(user = %act.user_id, error = %e, "could not load a working set; retrying");
                ctx.run_later(Duration::from_secs(5), |act, ctx| {
                    if !act.memory.read().loaded {
                        act.load(ctx);
                    }
                });
            }
        }));
    }

    /// Runs one command to completion before the next message (serializing
    /// the user's writes), applies its effect, and turns a panic into a
    /// restart of this actor only.
    fn run<R: 'static>(
        &mut self,
        fut: impl Future<Output = Result<Done<R>>> + 'static,
    ) -> AtomicResponse<Self, Result<R>> {
        let guarded = AssertUnwindSafe(fut).catch_unwind();
        AtomicResponse::new(Box::pin(guarded.into_actor(self).map(|outcome, act, ctx| match outcome {
            Ok(Ok(done)) => {
                act.forget_reads();
                let changed = !matches!(done.effect, Effect::Nothing);
                let change_seq = {
                    let mut memory = act.memory.write();
                    memory.apply(done.effect, done.change_seq);
                    memory.change_seq
                };
                for (kind, data) in done.events {
                    act.publish(kind, data);
                }
                if changed {
                    act.publish(EventKind::DashboardUpdated, serde_json::json!({"change_seq": change_seq}));
                }
                Ok(done.value)
            }
            Ok(Err(e)) => Err(e),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(user = %act.user_id, panic = %what, "user actor panicked; restarting it from PostgreSQL");
                ctx.stop();
                Err(Error::Internal(format!("user actor panicked: {what}")))
            }
        })))
    }
}

impl Actor for UserState {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        self.stats.user_starts.fetch_add(1, Ordering::Relaxed);
        self.load(ctx);
    }
}

impl Supervised for UserState {
    fn restarting(&mut self, _ctx: &mut Context<Self>) {
        // The same struct is reused: forget everything, `started` reloads it.
        let _old = std::mem::take(&mut *self.memory.write());
        self.dashboard_made = None;
        self.forget_reads();
        self.stats.user_restarts.fetch_add(1, Ordering::Relaxed);
    }
}

/// Declares a command message and its handler, which runs `$func` with the
/// pool, the user id and the message's fields.
macro_rules! command {
    ($(#[$doc:meta])* $msg:ident { $($field:ident : $ty:ty),* $(,)? } -> $out:ty => $func:path) => {
        $(#[$doc])*
        pub struct $msg { $(pub $field: $ty),* }

        impl Message for $msg {
            type Result = Result<$out>;
        }

        impl Handler<$msg> for UserState {
            type Result = AtomicResponse<Self, Result<$out>>;

            fn handle(&mut self, msg: $msg, _ctx: &mut Context<Self>) -> Self::Result {
                let $msg { $($field),* } = msg;
                self.run($func(self.pool.clone(), self.user_id, $($field),*))
            }
        }
    };
}

/// Creates an application (with its first history entry), committed in a
/// batch with other users' creates.
pub struct CreateApplication {
    pub patch: ApplicationPatch,
}

impl Message for CreateApplication {
    type Result = Result<ApplicationDetail>;
}

impl Handler<CreateApplication> for UserState {
    type Result = AtomicResponse<Self, Result<ApplicationDetail>>;

    fn handle(&mut self, msg: CreateApplication, _ctx: &mut Context<Self>) -> Self::Result {
        let timezone = self.memory.read().aggregates.settings().timezone.clone();
        self.run(commands::create_application(
            self.creates.clone(),
            self.user_id,
            msg.patch,
            timezone,
        ))
    }
}
command!(
    /// Applies a merge patch, validating any status change.
    UpdateApplication { id: Uuid, if_match: Option<i32>, patch: ApplicationPatch } -> ApplicationDetail
        => commands::update_application
);
command!(DeleteApplication { id: Uuid, if_match: Option<i32> } -> () => commands::delete_application);
command!(AddNote { application_id: Uuid, body: String } -> Note => commands::add_note);
command!(UpdateNote { id: Uuid, if_match: Option<i32>, body: String } -> Note => commands::update_note);
command!(DeleteNote { id: Uuid, if_match: Option<i32> } -> () => commands::delete_note);
command!(CreateInterview { new: NewInterview } -> Interview => commands::create_interview);
command!(
    UpdateInterview { id: Uuid, if_match: Option<i32>, patch: InterviewPatch } -> Interview => commands::update_interview
);
command!(DeleteInterview { id: Uuid, if_match: Option<i32> } -> () => commands::delete_interview);
command!(UpdateMe { if_match: Option<i32>, patch: UserPatch } -> User => commands::update_me);
command!(CreateToken { new: NewToken } -> (String, TokenInfo) => commands::create_token);
command!(RevokeToken { id: Uuid } -> () => commands::revoke_token);
command!(CreateCalendarFeed {} -> (String, OffsetDateTime) => commands::create_calendar_feed);
command!(
    /// Saves preferences and re-scores every application before answering.
    UpdatePreferences { prefs: crate::domain::preferences::Preferences } -> crate::domain::preferences::Preferences
        => commands::update_preferences
);
command!(UpdateProfile { profile: crate::domain::profile::Profile } -> crate::domain::profile::Profile => commands::update_profile);
command!(DeleteCalendarFeed {} -> () => commands::delete_calendar_feed);

/// Fault injection for tests and drills: panics inside this user's actor,
/// exactly as a bug in a command would.
#[derive(Message)]
#[rtype(result = "Result<()>")]
pub struct Crash;

impl Handler<Crash> for UserState {
    type Result = AtomicResponse<Self, Result<()>>;

    fn handle(&mut self, _: Crash, _ctx: &mut Context<Self>) -> Self::Result {
        self.run(async { panic!("injected fault") })
    }
}

/// A summary of the working set (what the actor holds in memory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingSetSummary {
    pub loaded: bool,
    pub change_seq: i64,
    pub applications: usize,
    pub interviews: usize,
}

#[derive(Message)]
#[rtype(result = "WorkingSetSummary")]
pub struct Summarize;

impl Handler<Summarize> for UserState {
    type Result = MessageResult<Summarize>;

    fn handle(&mut self, _: Summarize, _ctx: &mut Context<Self>) -> Self::Result {
        let memory = self.memory.read();
        MessageResult(WorkingSetSummary {
            loaded: memory.loaded,
            change_seq: memory.change_seq,
            applications: memory.aggregates.applications(),
            interviews: memory.aggregates.interviews(),
        })
    }
}

/// Asks the actor to stop (the registry has forgotten it: it was idle).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Retire;

impl Handler<Retire> for UserState {
    type Result = ();

    fn handle(&mut self, _: Retire, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// One application from memory (without its description); None while the
/// working set is not loaded or does not hold it.
#[derive(Message)]
#[rtype(result = "Option<Application>")]
pub struct GetApplication(pub Uuid);

impl Handler<GetApplication> for UserState {
    type Result = Option<Application>;

    fn handle(&mut self, msg: GetApplication, _ctx: &mut Context<Self>) -> Self::Result {
        self.memory.read().application(msg.0)
    }
}

/// A page of the applications list from memory (the search's matches, when
/// there is one, come with the message); None while the working set is not
/// loaded.
#[derive(Message)]
#[rtype(result = "Option<std::result::Result<Page<Application>, BadCursor>>")]
pub struct ListApplications {
    pub query: ListQuery,
    /// The ids a search finds, ascending.
    pub matches: Option<Vec<Uuid>>,
}

impl Handler<ListApplications> for UserState {
    type Result = MessageResult<ListApplications>;

    fn handle(&mut self, msg: ListApplications, _ctx: &mut Context<Self>) -> Self::Result {
        let memory = self.memory.read();
        if !memory.loaded {
            return MessageResult(None);
        }
        let fingerprint = applications::list_fingerprint(&msg.query);
        let page = (|| {
            let after = match &msg.query.cursor {
                Some(c) => Some(decode_cursor(c, &fingerprint)?),
                None => None,
            };
            let (items, end) = listing::page(
                memory.aggregates.all_applications(),
                &msg.query,
                msg.matches.as_deref(),
                after.as_ref(),
            )
            .map_err(|_| BadCursor)?;
            Ok(Page {
                items: items.into_iter().cloned().collect(),
                next_cursor: end.map(|e| encode_cursor(&fingerprint, e.value, e.id)),
            })
        })();
        MessageResult(Some(page))
    }
}

/// The dashboard, from memory, as of `at` (default: now).
#[derive(Message)]
#[rtype(result = "Result<Dashboard>")]
pub struct GetDashboard {
    pub at: Option<OffsetDateTime>,
}

impl Handler<GetDashboard> for UserState {
    type Result = Result<Dashboard>;

    fn handle(&mut self, msg: GetDashboard, _ctx: &mut Context<Self>) -> Self::Result {
        let memory = self.memory.read();
        if !memory.loaded {
            return Err(Error::Unavailable(
                "the working set is still loading".into(),
            ));
        }
        Ok(memory
            .aggregates
            .dashboard(msg.at.unwrap_or_else(OffsetDateTime::now_utc)))
    }
}

/// How long a rendered dashboard is reused when nothing was written (only
/// the clock moves it then: actions and upcoming interviews).
const DASHBOARD_REUSE: std::time::Duration = std::time::Duration::from_secs(1);

/// The key of the dashboard's JSON among the user's remembered answers.
const DASHBOARD_JSON: &str = "dashboard.json";

/// The dashboard as JSON, from memory (reused for a second while nothing changes).
#[derive(Message)]
#[rtype(result = "Result<bytes::Bytes>")]
pub struct GetDashboardJson;

impl Handler<GetDashboardJson> for UserState {
    type Result = Result<bytes::Bytes>;

    fn handle(&mut self, _: GetDashboardJson, _ctx: &mut Context<Self>) -> Self::Result {
        let memory = self.memory.read();
        if !memory.loaded {
            return Err(Error::Unavailable(
                "the working set is still loading".into(),
            ));
        }
        let change_seq = memory.change_seq;
        if let Some((seq, at)) = self.dashboard_made {
            if seq == change_seq && at.elapsed() < DASHBOARD_REUSE {
                if let Some(hit) = self.reads.get(DASHBOARD_JSON) {
                    return Ok(hit.body);
                }
            }
        }
        let dashboard = memory.aggregates.dashboard(OffsetDateTime::now_utc());
        drop(memory);
        let json = bytes::Bytes::from(serde_json::to_vec(&dashboard).map_err(Error::internal)?);
        self.reads.put(
            DASHBOARD_JSON.to_owned(),
            CachedBody {
                body: json.clone(),
                version: None,
            },
        );
        self.dashboard_made = Some((change_seq, std::time::Instant::now()));
        Ok(json)
    }
}

/// Reloads the working set from PostgreSQL (after work done outside the
/// actor, such as the daily re-score).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Reload;

impl Handler<Reload> for UserState {
    type Result = ();

    fn handle(&mut self, _: Reload, ctx: &mut Context<Self>) {
        self.dashboard_made = None;
        self.forget_reads();
        self.load(ctx);
    }
}

/// What the read cache holds for a key: the answer, or what to quote when
/// remembering the answer computed from PostgreSQL (the change sequence and
/// the generation of answers it was asked in).
pub enum Lookup<T = CachedBody> {
    Hit(T),
    Miss {
        change_seq: Option<i64>,
        generation: u64,
    },
}

impl UserState {
    fn miss<T>(&self) -> Lookup<T> {
        let memory = self.memory.read();
        Lookup::Miss {
            change_seq: memory.loaded.then_some(memory.change_seq),
            generation: self.reads.generation(),
        }
    }

    /// Whether an answer computed at `change_seq` in `generation` is current.
    fn current(&self, change_seq: i64, generation: u64) -> bool {
        let memory = self.memory.read();
        memory.loaded && change_seq == memory.change_seq && generation == self.reads.generation()
    }
}

/// Looks a read up in the cache.
#[derive(Message)]
#[rtype(result = "Lookup")]
pub struct CachedRead {
    pub key: String,
}

impl Handler<CachedRead> for UserState {
    type Result = MessageResult<CachedRead>;

    fn handle(&mut self, msg: CachedRead, _ctx: &mut Context<Self>) -> Self::Result {
        MessageResult(match self.reads.get(&msg.key) {
            Some(hit) => Lookup::Hit(hit),
            None => self.miss(),
        })
    }
}

/// Remembers an answer computed at `change_seq`, unless a write came since.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RememberRead {
    pub key: String,
    pub change_seq: i64,
    pub generation: u64,
    pub value: CachedBody,
}

impl Handler<RememberRead> for UserState {
    type Result = ();

    fn handle(&mut self, msg: RememberRead, _ctx: &mut Context<Self>) {
        if self.current(msg.change_seq, msg.generation) {
            self.reads.put(msg.key, msg.value);
        }
    }
}

/// The account and the inbox's pending count, as every page shows them.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: crate::domain::account::User,
    pub pending: i64,
}

/// How long a remembered viewer is trusted: an account change on another
/// replica that raised no event (a password set there) shows within this.
pub const VIEWER_FOR: Duration = Duration::from_secs(60);

/// The viewer of the user's pages, if remembered, with the remembered page
/// under `page` if there is one: a page view's two lookups in one message.
#[derive(Message)]
#[rtype(result = "Lookup<(Arc<Viewer>, Option<CachedBody>)>")]
pub struct GetViewer {
    pub page: Option<String>,
}

impl Handler<GetViewer> for UserState {
    type Result = MessageResult<GetViewer>;

    fn handle(&mut self, msg: GetViewer, _ctx: &mut Context<Self>) -> Self::Result {
        // Copied out: `miss` reads the working set again.
        let remembered = self.memory.read().viewer.clone();
        MessageResult(match remembered {
            Some((generation, at, v))
                if generation == self.reads.generation() && at.elapsed() < VIEWER_FOR =>
            {
                let page = msg.page.and_then(|key| self.reads.get(&key));
                Lookup::Hit((v, page))
            }
            _ => self.miss(),
        })
    }
}

/// Remembers the viewer read at `change_seq` in `generation`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RememberViewer {
    pub change_seq: i64,
    pub generation: u64,
    pub viewer: Arc<Viewer>,
}

impl Handler<RememberViewer> for UserState {
    type Result = ();

    fn handle(&mut self, msg: RememberViewer, _ctx: &mut Context<Self>) {
        if self.current(msg.change_seq, msg.generation) {
            let at = std::time::Instant::now();
            self.memory.write().viewer = Some((msg.generation, at, msg.viewer));
        }
    }
}

/// Something of the user's changed outside this actor's writes (an inbox
/// count, a draft, another replica): remembered answers are stale.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ForgetReads;

impl Handler<ForgetReads> for UserState {
    type Result = ();

    fn handle(&mut self, _: ForgetReads, _ctx: &mut Context<Self>) {
        self.forget_reads();
    }
}

/// The user's change sequence in PostgreSQL: a working set behind it
/// (a write elsewhere whose news was lost) is reloaded.
#[derive(Message)]
#[rtype(result = "()")]
pub struct CheckChangeSeq(pub i64);

impl Handler<CheckChangeSeq> for UserState {
    type Result = ();

    fn handle(&mut self, msg: CheckChangeSeq, ctx: &mut Context<Self>) {
        let behind = {
            let memory = self.memory.read();
            memory.loaded && msg.0 > memory.change_seq
        };
        if behind {
            tracing::info!(user = %self.user_id, "a write from elsewhere was missed; reloading");
            self.dashboard_made = None;
            self.forget_reads();
            self.load(ctx);
        }
    }
}
