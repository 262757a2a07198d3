//! The registry of user actors: creates a supervised `UserState` on a user's
//! first request, and retires actors that have been idle.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use actix::prelude::*;
use deadpool_postgres::Pool;
use uuid::Uuid;

use super::creates::CreateBatcher;
use super::event_bus::{EventBus, ForgetReads, ReloadAll, ReloadUser};
use super::read_cache::{self, CachedBody};
use super::user_state::{Retire, SharedWorkingSet, UserState, Viewer, VIEWER_FOR};
use super::ActorStats;
use crate::domain::application::Application;

/// The running user actors. Request handlers read it directly (most requests
/// skip the registry); only the registry adds and removes entries.
#[derive(Debug, Default)]
pub struct Directory {
    map: RwLock<HashMap<Uuid, Entry>>,
}

#[derive(Debug)]
struct Entry {
    addr: Addr<UserState>,
    /// The actor's working set, for reads that need no message.
    memory: SharedWorkingSet,
    /// Milliseconds since `epoch()` of the last request for this user.
    last_used: AtomicU64,
}

impl Entry {
    /// Asks the actor to reload its working set; reads without a message
    /// stop using it at once (before the actor gets to it).
    fn reload(&self) {
        self.memory.write().ask_reload();
        self.addr.do_send(super::user_state::Reload);
    }
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn millis_now() -> u64 {
    epoch().elapsed().as_millis() as u64
}

impl Directory {
    /// The user's running actor, marking it as used.
    pub fn get(&self, user: Uuid) -> Option<Addr<UserState>> {
        self.running(user, |entry| entry.addr.clone())
    }

    /// What `part` takes from the user's running actor's entry, marking it
    /// as used.
    fn running<T>(&self, user: Uuid, part: impl FnOnce(&Entry) -> T) -> Option<T> {
        let map = self.map.read().ok()?;
        let entry = map.get(&user)?;
        if !entry.addr.connected() {
            return None;
        }
        entry.last_used.store(millis_now(), Ordering::Relaxed);
        Some(part(entry))
    }

    /// One application from the memory of the user's running actor, read
    /// without a message (no hop to the actors' thread and back): `None`
    /// when no actor runs for the user (ask it, which starts it), `Some(None)`
    /// when its working set does not hold the application (still loading,
    /// or not there). The actor writes its working set under the same lock,
    /// after each commit, so a read sees every write already answered.
    pub fn application(&self, user: Uuid, id: Uuid) -> Option<Option<Application>> {
        let memory = self.running(user, |entry| entry.memory.clone())?;
        let found = memory.read().application(id);
        Some(found)
    }

    /// The viewer of the user's pages as their running actor remembers it,
    /// with the remembered page under `page` if there is one, read without a
    /// message; `None` when the actor has none to give (ask it then).
    pub fn viewer(
        &self,
        user: Uuid,
        page: Option<&str>,
    ) -> Option<(Arc<Viewer>, Option<CachedBody>)> {
        let memory = self.running(user, |entry| entry.memory.clone())?;
        let memory = memory.read();
        if memory.stale {
            return None;
        }
        let (generation, at, viewer) = memory.viewer.as_ref()?;
        if at.elapsed() >= VIEWER_FOR {
            return None;
        }
        let page = page.and_then(|key| read_cache::answer(user, *generation, key));
        Some((viewer.clone(), page))
    }

    /// Tells the user's running actor that something of theirs changed
    /// outside it: its remembered answers go, and pages stop coming from
    /// memory at once (before the actor gets the news).
    pub fn forget_reads(&self, user: Uuid) {
        let Ok(map) = self.map.read() else { return };
        if let Some(entry) = map.get(&user) {
            entry.memory.write().viewer = None;
            entry.addr.do_send(super::user_state::ForgetReads);
        }
    }

    /// Asks the user's running actor to reload its working set.
    fn reload(&self, user: Uuid) {
        let Ok(map) = self.map.read() else { return };
        if let Some(entry) = map.get(&user) {
            entry.reload();
        }
    }

    pub fn len(&self) -> usize {
        self.map.read().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub struct Registry {
    pool: Pool,
    events: Addr<EventBus>,
    directory: Arc<Directory>,
    idle_after: Duration,
    stats: Arc<ActorStats>,
    creates: CreateBatcher,
}

impl Registry {
    pub fn new(
        pool: Pool,
        events: Addr<EventBus>,
        directory: Arc<Directory>,
        idle_after: Duration,
        stats: Arc<ActorStats>,
        creates: CreateBatcher,
    ) -> Self {
        Registry {
            pool,
            events,
            directory,
            idle_after,
            stats,
            creates,
        }
    }

    fn sweep(&mut self) {
        let cutoff = millis_now().saturating_sub(self.idle_after.as_millis() as u64);
        let Ok(mut map) = self.directory.map.write() else {
            return;
        };
        // Forgotten first, then told to stop: a request that still holds the
        // address merely keeps it alive until it is done.
        map.retain(|user, entry| {
            let keep = entry.last_used.load(Ordering::Relaxed) > cutoff;
            if !keep {
                tracing::debug!(%user, "retiring an idle user actor");
                entry.addr.do_send(Retire);
            }
            keep
        });
    }
}

/// How often running actors' change sequences are compared with PostgreSQL.
const RECHECK: Duration = Duration::from_secs(5);

impl Actor for Registry {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        let every = (self.idle_after / 4).clamp(Duration::from_millis(50), Duration::from_secs(60));
        ctx.run_interval(every, |act, _| act.sweep());
        // The safety net under cache invalidation: a message lost between
        // replicas costs seconds of staleness, never more.
        ctx.run_interval(RECHECK, |act, ctx| {
            let running: Vec<(Uuid, Addr<UserState>)> = match act.directory.map.read() {
                Ok(map) => map.iter().map(|(u, e)| (*u, e.addr.clone())).collect(),
                Err(_) => return,
            };
            if running.is_empty() {
                return;
            }
            let pool = act.pool.clone();
            ctx.spawn(actix::fut::wrap_future(async move {
                let ids: Vec<Uuid> = running.iter().map(|(u, _)| *u).collect();
                let Ok(client) = pool.get().await else { return };
                let Ok(seqs) = crate::store::users::change_seqs(&client, &ids).await else {
                    return;
                };
                for (user, addr) in running {
                    if let Some(seq) = seqs.get(&user) {
                        addr.do_send(super::user_state::CheckChangeSeq(*seq));
                    }
                }
            }));
        });
    }
}

impl Supervised for Registry {
    fn restarting(&mut self, _: &mut Context<Self>) {
        // Actors already running keep their own supervisors; forget them here
        // and they stop once idle (their last address goes away).
        if let Ok(mut map) = self.directory.map.write() {
            map.clear();
        }
    }
}

/// The actor of a user, started if needed.
#[derive(Message)]
#[rtype(result = "Addr<UserState>")]
pub struct UserActor(pub Uuid);

impl Handler<UserActor> for Registry {
    type Result = MessageResult<UserActor>;

    fn handle(&mut self, UserActor(user): UserActor, _: &mut Context<Self>) -> Self::Result {
        if let Some(addr) = self.directory.get(user) {
            return MessageResult(addr);
        }
        let (pool, stats, events) = (self.pool.clone(), self.stats.clone(), self.events.clone());
        let creates = self.creates.clone();
        let memory = SharedWorkingSet::default();
        let shared = memory.clone();
        let addr = Supervisor::start(move |_| {
            UserState::new(user, pool, stats, events, creates.clone(), shared)
        });
        if let Ok(mut map) = self.directory.map.write() {
            map.insert(
                user,
                Entry {
                    addr: addr.clone(),
                    memory,
                    last_used: AtomicU64::new(millis_now()),
                },
            );
        }
        MessageResult(addr)
    }
}

/// How many user actors are live (for metrics and tests).
#[derive(Message)]
#[rtype(result = "usize")]
pub struct CountActive;

impl Handler<CountActive> for Registry {
    type Result = usize;

    fn handle(&mut self, _: CountActive, _: &mut Context<Self>) -> usize {
        self.directory.len()
    }
}

impl Handler<ReloadUser> for Registry {
    type Result = ();

    fn handle(&mut self, ReloadUser(user): ReloadUser, _: &mut Context<Self>) {
        self.directory.reload(user);
    }
}

impl Handler<ForgetReads> for Registry {
    type Result = ();

    fn handle(&mut self, ForgetReads(user): ForgetReads, _: &mut Context<Self>) {
        self.directory.forget_reads(user);
    }
}

impl Handler<ReloadAll> for Registry {
    type Result = ();

    fn handle(&mut self, _: ReloadAll, _: &mut Context<Self>) {
        if let Ok(map) = self.directory.map.read() {
            map.values().for_each(Entry::reload);
        }
    }
}
