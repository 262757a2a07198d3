//! The Scheduler: periodic work on ticks — snapshots (hourly, so today's and
//! this week's stay current), due reminders (raised once each, as
//! `reminder.due` events), and housekeeping (expired sessions, tokens, sign-ins
//! in flight). Every run first claims its (job, slot) row in PostgreSQL, so
//! each slot runs exactly once however many replicas tick. A job that fails
//! or panics is logged, its slot released, and retried on the next tick; it
//! never stops the scheduler. Ticks are configurable (and can be driven by
//! `RunDue` in tests). With several replicas (Redis configured) only the
//! holder of a Redis lock runs the ticks: it takes the lock with an expiry
//! and renews it each tick, so when it dies another replica takes over
//! within one lock period. The lock only saves effort; the (job, slot)
//! claim in PostgreSQL stays the fence, so a paused ex-leader that wakes up
//! cannot run a slot that the new leader already claimed. While Redis is
//! unreachable every replica ticks and the claims keep each slot single.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use actix::prelude::*;
use deadpool_postgres::Pool;
use futures_util::FutureExt;
use time::macros::format_description;
use time::OffsetDateTime;

use super::analytics::{AnalyticsAggregator, SnapshotEveryone};
use super::commands::{rescore_users, RESCORE_BATCH};
use super::event_bus::{EventBus, Publish, ReloadUser};
use super::registry::Registry;
use crate::auth::sessions::IDLE_LIMIT;
use crate::domain::events::EventKind;
use crate::domain::time::format_timestamp;
use crate::error::{Error, Result};
use crate::store::analytics as store;

pub struct Scheduler {
    registry: Addr<Registry>,
    pool: Pool,
    analytics: Addr<AnalyticsAggregator>,
    events: Addr<EventBus>,
    tick: Option<Duration>,
    instance: String,
    leadership: Option<std::sync::Arc<tokio::sync::Mutex<Leadership>>>,
}

const LEADER_KEY: &str = "jobcopilot:v1:scheduler:leader";

/// Takes the lock if it is free, renews it if it is ours (atomically).
const HOLD: &str = r"
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0";

/// This replica's claim to run the ticks.
pub struct Leadership {
    redis: crate::config::RedisSettings,
    conn: Option<redis::aio::ConnectionManager>,
    me: String,
    lease: Duration,
    /// Whether the last tick ran on the PostgreSQL fence alone (Redis could
    /// not be asked), so the change is logged once each way.
    fenced_only: bool,
}

impl Leadership {
    /// Whether this replica leads now; `None` when Redis cannot be asked.
    async fn hold(&mut self) -> Option<bool> {
        if self.conn.is_none() {
            self.conn = super::event_bus::command_connection(&self.redis);
        }
        let conn = self.conn.as_mut()?;
        let held = tokio::time::timeout(
            Duration::from_secs(1),
            redis::cmd("EVAL")
                .arg(HOLD)
                .arg(1)
                .arg(LEADER_KEY)
                .arg(&self.me)
                .arg(self.lease.as_millis() as u64)
                .query_async::<i64>(conn),
        )
        .await;
        match held {
            Ok(Ok(n)) => Some(n == 1),
            // The manager reconnects by itself; this tick cannot tell.
            _ => None,
        }
    }
}

impl Scheduler {
    pub fn new(
        pool: Pool,
        registry: Addr<Registry>,
        analytics: Addr<AnalyticsAggregator>,
        events: Addr<EventBus>,
        tick: Option<Duration>,
    ) -> Self {
        let instance = format!(
            "{}-{}",
            std::process::id(),
            &uuid::Uuid::now_v7().simple().to_string()[..8]
        );
        Scheduler {
            registry,
            pool,
            analytics,
            events,
            tick,
            instance,
            leadership: None,
        }
    }

    /// Ticks only while this replica holds the Redis lock (or, while Redis
    /// cannot be asked, on the PostgreSQL fence alone).
    pub fn with_redis(mut self, redis: Option<&crate::config::RedisSettings>) -> Self {
        let (Some(redis), Some(tick)) = (redis, self.tick) else {
            return self;
        };
        self.leadership = Some(std::sync::Arc::new(tokio::sync::Mutex::new(Leadership {
            redis: redis.clone(),
            conn: None,
            me: self.instance.clone(),
            lease: tick * 2 + Duration::from_secs(1),
            fenced_only: false,
        })));
        self
    }
}

impl Actor for Scheduler {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if let Some(every) = self.tick {
            // Re-armed on every restart (the supervisor calls `started` again).
            ctx.run_interval(every, |act, ctx| {
                let run = run_due(
                    act.registry.clone(),
                    act.pool.clone(),
                    act.analytics.clone(),
                    act.events.clone(),
                    act.instance.clone(),
                    OffsetDateTime::now_utc(),
                );
                let leadership = act.leadership.clone();
                let tick = async move {
                    if let Some(lead) = leadership {
                        let mut lead = lead.lock().await;
                        let held = lead.hold().await;
                        metrics::gauge!("scheduler_leader").set(if held == Some(false) {
                            0.0
                        } else {
                            1.0
                        });
                        // 1: the ticks are coordinated through the Redis lock;
                        // 0: Redis cannot be asked, every replica ticks and the
                        // PostgreSQL claims alone keep each slot single.
                        metrics::gauge!("scheduler_redis_lock").set(if held.is_some() {
                            1.0
                        } else {
                            0.0
                        });
                        let fenced_only = held.is_none();
                        if fenced_only != lead.fenced_only {
                            lead.fenced_only = fenced_only;
                            if fenced_only {
                                tracing::warn!("Redis cannot be asked for the scheduler's lock: ticking on the PostgreSQL fence alone");
                            } else {
                                tracing::info!("the scheduler's Redis lock is back");
                            }
                        }
                        drop(lead);
                        if held == Some(false) {
                            return; // another replica leads
                        }
                    }
                    run.await;
                };
                ctx.spawn(tick.into_actor(act));
            });
        }
    }
}

impl Supervised for Scheduler {}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Jobs this tick ran (it won their slot).
    pub ran: Vec<String>,
    /// Jobs that failed (their slot is released for the next tick).
    pub failed: Vec<String>,
}

/// Runs the jobs that are due at `now` (each at most once per slot).
#[derive(Message)]
#[rtype(result = "TickReport")]
pub struct RunDue {
    pub now: OffsetDateTime,
}

impl Handler<RunDue> for Scheduler {
    type Result = ResponseFuture<TickReport>;

    fn handle(&mut self, msg: RunDue, _: &mut Context<Self>) -> Self::Result {
        Box::pin(run_due(
            self.registry.clone(),
            self.pool.clone(),
            self.analytics.clone(),
            self.events.clone(),
            self.instance.clone(),
            msg.now,
        ))
    }
}

fn slot(now: OffsetDateTime, hourly: bool) -> String {
    let f = if hourly {
        now.format(format_description!("[year]-[month]-[day]T[hour]"))
    } else {
        now.format(format_description!("[year]-[month]-[day]T[hour]:[minute]"))
    };
    f.unwrap_or_default()
}

async fn run_due(
    registry: Addr<Registry>,
    pool: Pool,
    analytics: Addr<AnalyticsAggregator>,
    events: Addr<EventBus>,
    instance: String,
    now: OffsetDateTime,
) -> TickReport {
    let mut report = TickReport::default();
    let snapshots = {
        let analytics = analytics.clone();
        async move {
            Ok(format!(
                "{} snapshots",
                analytics.send(SnapshotEveryone { now }).await??
            ))
        }
    };
    run_job(
        &pool,
        &instance,
        "snapshots",
        &slot(now, true),
        snapshots,
        &mut report,
    )
    .await;
    let rescored_events = events.clone();
    let reminders = {
        let pool = pool.clone();
        async move {
            let client = pool.get().await?;
            let raised = store::raise_due_reminders(&client, now).await?;
            for r in &raised {
                events.do_send(Publish {
                    user_id: r.user_id,
                    kind: EventKind::ReminderDue,
                    data: serde_json::json!({
                        "kind": r.kind, "application_id": r.application_id,
                        "due_at": format_timestamp(r.due_at), "title": r.title,
                    }),
                });
            }
            Ok(format!("{} reminders", raised.len()))
        }
    };
    run_job(
        &pool,
        &instance,
        "reminders",
        &slot(now, false),
        reminders,
        &mut report,
    )
    .await;
    let housekeeping = {
        let pool = pool.clone();
        async move {
            let client = pool.get().await?;
            Ok(format!(
                "{} removed",
                store::housekeeping(&client, now, now - IDLE_LIMIT).await?
            ))
        }
    };
    run_job(
        &pool,
        &instance,
        "housekeeping",
        &slot(now, true),
        housekeeping,
        &mut report,
    )
    .await;
    // Freshness decays with time: every score is recomputed once a day,
    // in batches of users, each batch one write (see commands::rescore_users).
    let rescore = {
        let pool = pool.clone();
        async move {
            let everyone = store::users(&pool.get().await?).await?;
            let ids: Vec<uuid::Uuid> = everyone.iter().map(|(id, _)| *id).collect();
            for batch in ids.chunks(RESCORE_BATCH) {
                for (user, count) in rescore_users(&pool, batch, now).await? {
                    registry.do_send(ReloadUser(user));
                    // Clients refetch; other replicas drop their copy of the scores.
                    rescored_events.do_send(Publish {
                        user_id: user,
                        kind: EventKind::ApplicationsRescored,
                        data: serde_json::json!({"count": count}),
                    });
                }
            }
            Ok(format!("{} users re-scored", ids.len()))
        }
    };
    let day = now
        .format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default();
    run_job(&pool, &instance, "rescore", &day, rescore, &mut report).await;
    report
}

/// Claims a slot and runs a job in it; a failure or panic releases the slot.
pub async fn run_job(
    pool: &Pool,
    instance: &str,
    job: &str,
    slot: &str,
    work: impl Future<Output = Result<String>>,
    report: &mut TickReport,
) {
    let claimed = match pool.get().await {
        Ok(client) => store::claim(&client, job, slot, instance)
            .await
            .map_err(Error::from),
        Err(e) => Err(e.into()),
    };
    match claimed {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            tracing::warn!(job, slot, error = %e, "could not claim a scheduler slot; next tick");
            report.failed.push(job.to_owned());
            return;
        }
    }
    let outcome = AssertUnwindSafe(work).catch_unwind().await;
    let client = pool.get().await;
    match outcome {
        Ok(Ok(summary)) => {
            tracing::info!(job, slot, %summary, "scheduled job done");
            if let Ok(c) = client {
                let _ = store::finish(&c, job, slot, &summary).await;
            }
            report.ran.push(job.to_owned());
        }
        failed => {
            let why = match failed {
                Ok(Err(e)) => e.to_string(),
                _ => "panicked".to_owned(),
            };
            tracing::error!(job, slot, error = %why, "scheduled job failed; it runs again on the next tick");
            if let Ok(c) = client {
                let _ = store::release(&c, job, slot).await;
            }
            report.failed.push(job.to_owned());
        }
    }
}
