//! The AI pool: a bounded set of generation workers per replica. Jobs live
//! in PostgreSQL; a worker claims one (`FOR UPDATE SKIP LOCKED`, with a
//! lease it renews while text streams in), writes the text so far as it
//! goes, and publishes it as `generation.progress` events. A job whose
//! worker died is claimed again once its lease expires — here after a
//! restart, or on another replica. Timeouts, 429 and 5xx are retried with
//! exponential backoff and jitter (never sooner than `Retry-After`), up to
//! three attempts; a cancel is honoured at the next lease renewal. A panic
//! in a job is caught: the job goes back to the queue and the worker lives.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use actix::prelude::*;
use deadpool_postgres::Pool;
use futures_util::{FutureExt, StreamExt};
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use tokio::sync::Notify;
use uuid::Uuid;

use super::event_bus::{EventBus, Publish};
use crate::ai::prompts::{Prompts, Request};
use crate::ai::{Chunk, Provider};
use crate::config::AiSettings;
use crate::domain::events::EventKind;
use crate::domain::fit::Material;
use crate::domain::generation::{
    after_failure, AfterFailure, Failure, Generation, NewGeneration, Status, Usage,
};
use crate::domain::time::format_timestamp;
use crate::error::{Error, Result};
use crate::store::generations::{self, Claimed, Ending, Refusal, Renewal};
use crate::store::{applications, interviews, preferences, users};

/// What every worker shares.
struct Shared {
    pool: Pool,
    settings: AiSettings,
    provider: Provider,
    prompts: Prompts,
    events: Addr<EventBus>,
    wake: Notify,
    /// Workers wait for the migrations (the queue's table).
    migrations: Arc<crate::store::Migrations>,
}

pub struct AiPool {
    shared: Arc<Shared>,
    /// The last reachability check: (reachable, when).
    checked: Option<(bool, OffsetDateTime)>,
}

impl AiPool {
    pub fn new(
        pool: Pool,
        settings: AiSettings,
        events: Addr<EventBus>,
        migrations: Arc<crate::store::Migrations>,
    ) -> AiPool {
        let provider = Provider::from_settings(&settings);
        AiPool {
            shared: Arc::new(Shared {
                pool,
                settings,
                provider,
                prompts: Prompts::new(),
                events,
                wake: Notify::new(),
                migrations,
            }),
            checked: None,
        }
    }
}

impl Actor for AiPool {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        for n in 0..self.shared.settings.concurrency {
            let shared = self.shared.clone();
            ctx.spawn(actix::fut::wrap_future(work(shared, n)));
        }
        tracing::info!(
            workers = self.shared.settings.concurrency,
            provider = self.shared.provider.name(),
            "AI pool started"
        );
    }
}

impl Supervised for AiPool {}

/// Queues a draft for the user, within their limits (the concurrent limit and
/// the daily quota, decided in PostgreSQL under the user's row lock), and
/// wakes a worker.
#[derive(Message)]
#[rtype(result = "Result<Generation>")]
pub struct Queue {
    pub user_id: Uuid,
    pub application_id: Uuid,
    pub new: NewGeneration,
}

impl Handler<Queue> for AiPool {
    type Result = ResponseFuture<Result<Generation>>;

    fn handle(&mut self, msg: Queue, _: &mut Context<Self>) -> Self::Result {
        let shared = self.shared.clone();
        Box::pin(async move {
            let ai = &shared.settings;
            let now = OffsetDateTime::now_utc();
            let mut client = shared.pool.get().await?;
            let generation = generations::insert(
                &mut client,
                msg.user_id,
                msg.application_id,
                &msg.new,
                (ai.user_concurrency, ai.daily_quota),
                now,
            )
            .await
            .map_err(|r| match r {
                Refusal::NotFound => Error::NotFound,
                Refusal::TooManyRunning { limit } => Error::LimitReached {
                    retry_after: 10,
                    detail: format!(
                        "you already have {limit} drafts being written; try again when one finishes"
                    ),
                },
                Refusal::DailyQuota { limit, resets_at } => Error::LimitReached {
                    retry_after: (resets_at - now).whole_seconds().max(1) as u64,
                    detail: format!(
                        "you have used today's {limit} drafts; more are possible after midnight UTC"
                    ),
                },
                Refusal::Store(e) => e.into(),
            })?;
            // New work: a worker looks now rather than at its next poll.
            shared.wake.notify_one();
            Ok(generation)
        })
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AiStatus {
    pub provider: String,
    pub model: String,
    pub reachable: bool,
    pub checked_at: String,
}

/// Which provider is active and whether it answers (checked at most once a minute).
#[derive(Message)]
#[rtype(result = "AiStatus")]
pub struct CheckStatus;

impl Handler<CheckStatus> for AiPool {
    type Result = ResponseActFuture<Self, AiStatus>;

    fn handle(&mut self, _: CheckStatus, _: &mut Context<Self>) -> Self::Result {
        let provider = self.shared.provider.clone();
        let model = provider.model(crate::domain::generation::Kind::CoverLetter);
        let status = move |reachable: bool, at: OffsetDateTime| AiStatus {
            provider: provider.name().to_owned(),
            model: model.clone(),
            reachable,
            checked_at: format_timestamp(at),
        };
        let now = OffsetDateTime::now_utc();
        if let Some((reachable, at)) = self.checked {
            if now - at < time::Duration::minutes(1) {
                return Box::pin(actix::fut::ready(status(reachable, at)));
            }
        }
        let check = self.shared.provider.clone();
        Box::pin(async move { check.reachable().await }.into_actor(self).map(
            move |reachable, act, _| {
                act.checked = Some((reachable, now));
                status(reachable, now)
            },
        ))
    }
}

async fn work(shared: Arc<Shared>, worker: u16) {
    loop {
        match step(&shared).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => tracing::warn!(worker, error = %e, "an AI worker could not reach the queue"),
        }
        tokio::select! {
            _ = shared.wake.notified() => {}
            _ = tokio::time::sleep(shared.settings.poll) => {}
        }
    }
}

/// Ends what expired, then runs one job if there is one.
async fn step(shared: &Arc<Shared>) -> Result<bool> {
    if !shared.migrations.done() {
        return Ok(false);
    }
    let client = shared.pool.get().await?;
    for (user_id, id, status) in generations::sweep(&client).await? {
        publish(
            shared,
            user_id,
            EventKind::GenerationFinished,
            json!({"id": id, "status": status}),
        );
    }
    let Some(job) = generations::claim(&client, shared.settings.lease).await? else {
        return Ok(false);
    };
    drop(client);
    let attempt = AssertUnwindSafe(run(shared, &job)).catch_unwind().await;
    match attempt {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::warn!(generation = %job.generation.id, error = %e, "an AI job could not be run");
            let failure = Failure::Transient {
                message: "the server could not run the job".into(),
                retry_after: None,
            };
            conclude(
                shared,
                &job,
                "",
                &Usage::default(),
                Err(failure),
                json!({"error": e.to_string()}),
            )
            .await;
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(generation = %job.generation.id, panic = %what, "an AI job panicked; it goes back to the queue");
            let failure = Failure::Transient {
                message: "an internal error interrupted the job".into(),
                retry_after: None,
            };
            conclude(
                shared,
                &job,
                "",
                &Usage::default(),
                Err(failure),
                json!({"panic": what}),
            )
            .await;
        }
    }
    Ok(true)
}

fn publish(shared: &Shared, user_id: Uuid, kind: EventKind, data: serde_json::Value) {
    shared.events.do_send(Publish {
        user_id,
        kind,
        data,
    });
}

async fn material(shared: &Shared, job: &Claimed) -> Result<Option<Material>> {
    let client = shared.pool.get().await?;
    let g = &job.generation;
    let Some(application) = applications::get(&client, job.user_id, g.application_id).await? else {
        return Ok(None);
    };
    let profile = preferences::profile(&client, job.user_id).await?;
    let interview = match g.interview_id {
        Some(i) => interviews::get(&client, job.user_id, i).await?,
        None => None,
    };
    let name = users::get(&client, job.user_id)
        .await?
        .and_then(|u| u.display_name);
    Ok(Some(Material {
        application,
        profile,
        interview,
        name,
    }))
}

/// One attempt at a job, from prompt to committed draft (or retry, or failure).
async fn run(shared: &Arc<Shared>, job: &Claimed) -> Result<()> {
    let g = &job.generation;
    let Some(material) = material(shared, job).await? else {
        return Ok(()); // the application is gone, and the job with it
    };
    let request = Request {
        kind: g.kind,
        tone: g.tone,
        instructions: g.instructions.clone(),
    };
    let model = shared.provider.model(g.kind);
    // Every provider writes from the fit, and the draft keeps the one it had.
    let fit = crate::domain::fit::of_material(&material);
    let (audit, mut stream) = match &shared.provider {
        Provider::Builtin(b) => {
            let draft = shared
                .prompts
                .builtin_draft(&material, &request, &fit)
                .map_err(Error::Internal)?;
            let audit = format!(
                "No model: the built-in drafter wrote it from the fit ({} of {} requirements met by your profile) with the template prompts/builtin/{}.txt.",
                fit.met_count,
                fit.total,
                g.kind.as_str()
            );
            (audit, b.stream(draft))
        }
        Provider::OpenAi(o) => {
            let prompt = shared
                .prompts
                .prompt(&material, &request, &fit)
                .map_err(Error::Internal)?;
            let audit = format!("[system]\n{}\n\n[user]\n{}", prompt.system, prompt.user);
            (audit, o.stream(&prompt, &model))
        }
    };
    {
        let client = shared.pool.get().await?;
        let fit = serde_json::to_value(&fit).unwrap_or_default();
        if !generations::begin(&client, job, shared.provider.name(), &model, &audit, &fit).await? {
            return Ok(());
        }
    }

    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + shared.settings.timeout;
    let mut renew = tokio::time::interval(shared.settings.lease / 3);
    renew.tick().await;
    let mut output = String::new();
    let mut sent_chars = 0usize;
    let mut sent_bytes = 0usize;
    let mut usage = Usage::default();
    let mut first_chunk: Option<u128> = None;
    let mut last_flush = Instant::now();
    // Silence is measured from the last chunk, across lease renewals.
    let mut stall_at = tokio::time::Instant::now() + shared.settings.stall;
    let outcome: std::result::Result<(), Failure> = loop {
        let mut flush_now = false;
        tokio::select! {
            next = stream.next() => {
                stall_at = tokio::time::Instant::now() + shared.settings.stall;
                match next {
                    None => break Ok(()),
                    Some(Ok(Chunk::Text(t))) => {
                        first_chunk.get_or_insert_with(|| started.elapsed().as_millis());
                        output.push_str(&t);
                        flush_now = last_flush.elapsed() >= std::time::Duration::from_millis(200);
                    }
                    Some(Ok(Chunk::Usage(u))) => usage = u,
                    Some(Err(f)) => break Err(f),
                }
            },
            _ = tokio::time::sleep_until(stall_at) => break Err(Failure::Transient {
                message: format!("the model sent nothing for {} seconds", shared.settings.stall.as_secs()),
                retry_after: None,
            }),
            _ = renew.tick() => flush_now = true,
            _ = tokio::time::sleep_until(deadline) => break Err(Failure::Transient {
                message: format!("the model took longer than {} seconds", shared.settings.timeout.as_secs()),
                retry_after: None,
            }),
        }
        if flush_now {
            last_flush = Instant::now();
            let client = shared.pool.get().await?;
            match generations::progress(&client, job, &output, shared.settings.lease).await? {
                Renewal::Held => {
                    progress_event(shared, job, &output, &mut sent_chars, &mut sent_bytes);
                }
                Renewal::CancelRequested => {
                    drop(stream);
                    let timing = timing(job, started, first_chunk, "cancelled");
                    let end = Ending {
                        status: Status::Cancelled,
                        output: &output,
                        error: None,
                        usage: &usage,
                        retry_at: None,
                        timing,
                    };
                    if generations::finish(&client, job, end).await? {
                        publish(
                            shared,
                            job.user_id,
                            EventKind::GenerationFinished,
                            json!({"id": g.id, "status": "cancelled"}),
                        );
                    }
                    return Ok(());
                }
                Renewal::Lost => return Ok(()),
            }
        }
    };
    drop(stream);
    if outcome.is_ok() {
        progress_event(shared, job, &output, &mut sent_chars, &mut sent_bytes);
    }
    let timing = timing(
        job,
        started,
        first_chunk,
        if outcome.is_ok() {
            "succeeded"
        } else {
            "failed"
        },
    );
    conclude(shared, job, &output, &usage, outcome, timing).await;
    Ok(())
}

/// The text since the last event, as `generation.progress` (offset in characters).
fn progress_event(
    shared: &Shared,
    job: &Claimed,
    output: &str,
    sent_chars: &mut usize,
    sent_bytes: &mut usize,
) {
    if output.len() <= *sent_bytes {
        return;
    }
    let delta = &output[*sent_bytes..];
    publish(
        shared,
        job.user_id,
        EventKind::GenerationProgress,
        json!({"id": job.generation.id, "offset": *sent_chars, "delta": delta}),
    );
    *sent_chars += delta.chars().count();
    *sent_bytes = output.len();
}

fn timing(
    job: &Claimed,
    started: Instant,
    first_chunk: Option<u128>,
    outcome: &str,
) -> serde_json::Value {
    json!({
        "attempt": job.generation.attempts,
        "millis": started.elapsed().as_millis() as u64,
        "first_text_millis": first_chunk.map(|m| m as u64),
        "outcome": outcome,
        "at": format_timestamp(OffsetDateTime::now_utc()),
    })
}

/// Commits how an attempt ended: the draft, a retry later, or a failure.
async fn conclude(
    shared: &Shared,
    job: &Claimed,
    output: &str,
    usage: &Usage,
    outcome: std::result::Result<(), Failure>,
    mut timing: serde_json::Value,
) {
    let now = OffsetDateTime::now_utc();
    let (status, error, retry_at) = match &outcome {
        Ok(()) => (Status::Succeeded, None, None),
        Err(f) => {
            let jitter = (Uuid::new_v4().as_u128() % 1_000_000) as f64 / 1_000_000.0;
            match after_failure(
                f,
                job.generation.attempts,
                shared.settings.retry_base,
                jitter,
            ) {
                AfterFailure::RetryIn(delay) => {
                    timing["retry_in_millis"] = json!(delay.as_millis() as u64);
                    let message = format!(
                        "attempt {} failed: {}; trying again",
                        job.generation.attempts,
                        f.message()
                    );
                    (Status::Queued, Some(message), Some(now + delay))
                }
                AfterFailure::GiveUp(message) => (Status::Failed, Some(message), None),
            }
        }
    };
    timing["error"] = json!(error);
    let end = Ending {
        status,
        output: if status == Status::Queued { "" } else { output },
        error: error.as_deref(),
        usage,
        retry_at,
        timing,
    };
    let written = match shared.pool.get().await {
        Ok(client) => generations::finish(&client, job, end).await,
        Err(e) => Err(crate::store::StoreError::Unavailable(e.to_string())),
    };
    match written {
        Ok(true) if status == Status::Queued => {
            // Idle workers poll, so the job is taken again soon after its delay.
            let delay = retry_at.map(|t| t - now).unwrap_or_default();
            tracing::info!(generation = %job.generation.id, delay_ms = delay.whole_milliseconds() as i64, "AI job will be retried");
        }
        Ok(true) => publish(
            shared,
            job.user_id,
            EventKind::GenerationFinished,
            json!({"id": job.generation.id, "status": status.as_str()}),
        ),
        Ok(false) => {}
        Err(e) => {
            tracing::warn!(generation = %job.generation.id, error = %e, "could not record the end of an AI job; its lease will expire and it runs again")
        }
    }
}
