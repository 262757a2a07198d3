//! The AnalyticsAggregator: daily and weekly snapshots of users' figures in
//! `analytics_snapshots`, written on the scheduler's ticks and on request.
//! It reads PostgreSQL directly (it never wakes users' actors) and replays
//! each user's history to the end of every period.

use actix::prelude::*;
use deadpool_postgres::Pool;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

use crate::domain::metrics::{snapshot_at, ActionSettings, RecordedChange};
use crate::domain::time::{local_date, local_midnight};
use crate::domain::Application;
use crate::error::{Error, Result};
use crate::store::{analytics, users};

/// A refresh recomputes this many days and weeks back.
pub const REFRESH_DAYS: i64 = 30;
pub const REFRESH_WEEKS: i64 = 12;

pub struct AnalyticsAggregator {
    pool: Pool,
}

impl AnalyticsAggregator {
    pub fn new(pool: Pool) -> Self {
        AnalyticsAggregator { pool }
    }
}

impl Actor for AnalyticsAggregator {
    type Context = Context<Self>;
}

impl Supervised for AnalyticsAggregator {}

fn monday(d: Date) -> Date {
    d - Duration::days(d.weekday().number_days_from_monday() as i64)
}

/// Writes the snapshots of the given days and weeks (by their first day).
async fn write_snapshots(
    pool: &Pool,
    user: Uuid,
    tz: &str,
    apps: &[(Application, Vec<RecordedChange>)],
    days: &[Date],
    weeks: &[Date],
    now: OffsetDateTime,
) -> Result<usize> {
    let settings = ActionSettings {
        timezone: tz.to_owned(),
        ..ActionSettings::default()
    };
    let client = pool.get().await?;
    let mut written = 0;
    for (period, starts, len) in [("day", days, 1), ("week", weeks, 7)] {
        for start in starts {
            let end = local_midnight(*start + Duration::days(len), tz) - Duration::microseconds(1);
            let metrics = snapshot_at(apps, end.min(now), &settings);
            let json = serde_json::to_value(&metrics).map_err(Error::internal)?;
            analytics::upsert_snapshot(&client, user, period, *start, &json).await?;
            written += 1;
        }
    }
    Ok(written)
}

/// Recomputes a user's recent snapshots.
pub async fn refresh_user(pool: &Pool, user: Uuid, now: OffsetDateTime) -> Result<usize> {
    let client = pool.get().await?;
    let (_, tz) = users::write_state(&client, user)
        .await?
        .ok_or(Error::NotFound)?;
    let apps = analytics::full_history(&client, user).await?;
    drop(client);
    let today = local_date(now, &tz);
    let days: Vec<Date> = (0..REFRESH_DAYS)
        .map(|b| today - Duration::days(b))
        .collect();
    let weeks: Vec<Date> = (0..REFRESH_WEEKS)
        .map(|b| monday(today) - Duration::weeks(b))
        .collect();
    write_snapshots(pool, user, &tz, &apps, &days, &weeks, now).await
}

/// The daily work for every user: yesterday and today, last week and this week.
pub async fn snapshot_everyone(pool: &Pool, now: OffsetDateTime) -> Result<usize> {
    let client = pool.get().await?;
    let everyone = analytics::users(&client).await?;
    let mut written = 0;
    for (user, tz) in everyone {
        let apps = analytics::full_history(&client, user).await?;
        let today = local_date(now, &tz);
        let days = [today - Duration::days(1), today];
        let weeks = [monday(today) - Duration::weeks(1), monday(today)];
        written += write_snapshots(pool, user, &tz, &apps, &days, &weeks, now).await?;
    }
    Ok(written)
}

/// Recompute one user's snapshots (`POST /api/v1/analytics/refresh`).
#[derive(Message)]
#[rtype(result = "Result<usize>")]
pub struct RefreshUser {
    pub user_id: Uuid,
}

impl Handler<RefreshUser> for AnalyticsAggregator {
    type Result = ResponseFuture<Result<usize>>;

    fn handle(&mut self, msg: RefreshUser, _: &mut Context<Self>) -> Self::Result {
        let pool = self.pool.clone();
        Box::pin(async move { refresh_user(&pool, msg.user_id, OffsetDateTime::now_utc()).await })
    }
}

/// The scheduler's daily snapshot run.
#[derive(Message)]
#[rtype(result = "Result<usize>")]
pub struct SnapshotEveryone {
    pub now: OffsetDateTime,
}

impl Handler<SnapshotEveryone> for AnalyticsAggregator {
    // One run at a time.
    type Result = AtomicResponse<Self, Result<usize>>;

    fn handle(&mut self, msg: SnapshotEveryone, _: &mut Context<Self>) -> Self::Result {
        let pool = self.pool.clone();
        AtomicResponse::new(Box::pin(
            async move { snapshot_everyone(&pool, msg.now).await }.into_actor(self),
        ))
    }
}
