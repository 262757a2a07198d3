//! The registry of user actors: creates a supervised `UserState` on a user's
//! first request, and retires actors that have been idle.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use deadpool_postgres::Pool;
use uuid::Uuid;

use super::event_bus::EventBus;
use super::user_state::{Retire, UserState};
use super::ActorStats;

pub struct Registry {
    pool: Pool,
    events: Addr<EventBus>,
    users: HashMap<Uuid, (Addr<UserState>, Instant)>,
    idle_after: Duration,
    stats: Arc<ActorStats>,
}

impl Registry {
    pub fn new(
        pool: Pool,
        events: Addr<EventBus>,
        idle_after: Duration,
        stats: Arc<ActorStats>,
    ) -> Self {
        Registry {
            pool,
            events,
            users: HashMap::new(),
            idle_after,
            stats,
        }
    }

    fn sweep(&mut self) {
        let now = Instant::now();
        let idle_after = self.idle_after;
        self.users.retain(|user, (addr, last_used)| {
            let keep = now.duration_since(*last_used) < idle_after;
            if !keep {
                tracing::debug!(%user, "retiring an idle user actor");
                addr.do_send(Retire);
            }
            keep
        });
    }
}

impl Actor for Registry {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        let every = (self.idle_after / 4).clamp(Duration::from_millis(50), Duration::from_secs(60));
        ctx.run_interval(every, |act, _| act.sweep());
    }
}

impl Supervised for Registry {
    fn restarting(&mut self, _: &mut Context<Self>) {
        // Actors already running keep their own supervisors; forget them here
        // and they stop once idle (their last address goes away).
        self.users.clear();
    }
}

/// The actor of a user, started if needed.
#[derive(Message)]
#[rtype(result = "Addr<UserState>")]
pub struct UserActor(pub Uuid);

impl Handler<UserActor> for Registry {
    type Result = MessageResult<UserActor>;

    fn handle(&mut self, UserActor(user): UserActor, _: &mut Context<Self>) -> Self::Result {
        let now = Instant::now();
        if let Some((addr, last_used)) = self.users.get_mut(&user) {
            if addr.connected() {
                *last_used = now;
                return MessageResult(addr.clone());
            }
        }
        let (pool, stats, events) = (self.pool.clone(), self.stats.clone(), self.events.clone());
        let addr = Supervisor::start(move |_| UserState::new(user, pool, stats, events));
        self.users.insert(user, (addr.clone(), now));
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
        self.users.len()
    }
}
