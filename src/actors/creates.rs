//! Group commit for new applications. Creates from many users arrive at
//! once (each user's own actor sends at most one at a time); the batcher
//! writes all that are waiting in one transaction — users locked in id
//! order, one duplicate query, one insert of applications, scores and first
//! history entries — and answers each only after the commit is durable. A
//! batch starts as soon as a writer is free, so a lone create waits for
//! nobody; under load, batches grow by themselves.
//!
//! If a batch fails as a whole, each of its creates is retried alone, so
//! one bad row never takes the others with it.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use deadpool_postgres::Pool;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot, Semaphore};
use uuid::Uuid;

use crate::domain::application::{ApplicationDetail, ApplicationPatch, NewApplication};
use crate::domain::time::local_date;
use crate::error::{Error, Result};
use crate::store::{self, applications, preferences};

/// The most creates one transaction carries.
const MAX_BATCH: usize = 64;

/// A committed create: the application and the user's change sequence.
pub type Created = (ApplicationDetail, i64);

struct Job {
    user: Uuid,
    patch: ApplicationPatch,
    reply: oneshot::Sender<Result<Created>>,
}

/// The handle the user actors send their creates to.
#[derive(Clone)]
pub struct CreateBatcher {
    jobs: mpsc::UnboundedSender<Job>,
}

impl CreateBatcher {
    /// Starts the batcher with `writers` transactions in flight at most.
    pub fn start(pool: Pool, writers: usize) -> CreateBatcher {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(pool, rx, writers.max(1)));
        CreateBatcher { jobs: tx }
    }

    /// Creates an application for `user`, answering once it is committed.
    pub async fn create(&self, user: Uuid, patch: ApplicationPatch) -> Result<Created> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { user, patch, reply })
            .map_err(|_| Error::Unavailable("the server is stopping".into()))?;
        answer
            .await
            .map_err(|_| Error::Internal("a batch of creates stopped unexpectedly".into()))?
    }
}

async fn run(pool: Pool, mut rx: mpsc::UnboundedReceiver<Job>, writers: usize) {
    let writers = Arc::new(Semaphore::new(writers));
    // Creates of a user already in the batch being gathered wait for the next.
    let mut later: VecDeque<Job> = VecDeque::new();
    loop {
        let Ok(permit) = writers.clone().acquire_owned().await else {
            return;
        };
        let first = match later.pop_front() {
            Some(job) => job,
            None => match rx.recv().await {
                Some(job) => job,
                None => return,
            },
        };
        let mut users = HashSet::from([first.user]);
        let mut batch = vec![first];
        let mut deferred = VecDeque::new();
        while batch.len() < MAX_BATCH {
            let job = match later.pop_front() {
                Some(job) => job,
                None => match rx.try_recv() {
                    Ok(job) => job,
                    Err(_) => break,
                },
            };
            if users.insert(job.user) {
                batch.push(job);
            } else {
                deferred.push_back(job);
            }
        }
        deferred.extend(later.drain(..));
        later = deferred;
        let pool = pool.clone();
        tokio::spawn(async move {
            flush(&pool, batch).await;
            drop(permit);
        });
    }
}

/// Writes a batch, or each of its creates alone when the batch fails.
async fn flush(pool: &Pool, batch: Vec<Job>) {
    let size = batch.len();
    // Rows over batches is the mean batch: how much of a commit each create carries.
    ::metrics::counter!("create_batches_total").increment(1);
    ::metrics::counter!("create_batch_rows_total").increment(size as u64);
    match write(pool, &batch).await {
        Ok(outcomes) => {
            for (job, outcome) in batch.into_iter().zip(outcomes) {
                let _ = job.reply.send(outcome);
            }
        }
        Err(e) if size == 1 => {
            if let Some(job) = batch.into_iter().next() {
                let _ = job.reply.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, size, "a batch of creates failed; writing each alone");
            for job in batch {
                let outcome = match write(pool, std::slice::from_ref(&job)).await {
                    Ok(mut one) => one
                        .pop()
                        .unwrap_or_else(|| Err(Error::internal("empty batch"))),
                    Err(e) => Err(e),
                };
                let _ = job.reply.send(outcome);
            }
        }
    }
}

/// One transaction for the batch: an outcome per create, or an error for
/// the batch as a whole (then nothing was written).
async fn write(pool: &Pool, batch: &[Job]) -> Result<Vec<Result<Created>>> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let users: Vec<Uuid> = batch.iter().map(|j| j.user).collect();
    let (starts, prefs) = futures_util::try_join!(
        store::begin_user_writes(&tx, &users),
        preferences::get_many(&tx, &users),
    )?;
    let now = OffsetDateTime::now_utc();

    // The domain decides each create: validation, defaults, score.
    let mut outcomes: Vec<Option<Result<Created>>> = Vec::with_capacity(batch.len());
    let mut valid = Vec::new();
    for (i, job) in batch.iter().enumerate() {
        let Some(start) = starts.get(&job.user) else {
            outcomes.push(Some(Err(Error::NotFound)));
            continue;
        };
        match NewApplication::from_patch(job.patch.clone(), local_date(now, &start.timezone)) {
            Ok(new) => {
                let priority = crate::domain::scoring::prioritize(
                    &new.fields,
                    new.job_description.as_deref(),
                    now,
                    &prefs[&job.user],
                    &start.timezone,
                    now,
                );
                valid.push((i, new, priority));
                outcomes.push(None);
            }
            Err(e) => outcomes.push(Some(Err(e.into()))),
        }
    }
    if valid.is_empty() {
        tx.rollback().await?;
        return Ok(outcomes.into_iter().flatten().collect());
    }

    let probes: Vec<(Uuid, &crate::domain::ApplicationFields)> = valid
        .iter()
        .map(|(i, new, _)| (batch[*i].user, &new.fields))
        .collect();
    let duplicates = applications::find_duplicates(&tx, &probes, now).await?;
    let rows: Vec<applications::NewRow> = valid
        .iter()
        .zip(duplicates)
        .map(|((i, new, priority), duplicate_of)| applications::NewRow {
            id: Uuid::now_v7(),
            user_id: batch[*i].user,
            write: applications::Write {
                fields: &new.fields,
                job_description: new.job_description.as_deref(),
                priority_score: priority.score,
                priority_reasons: &priority.reasons,
            },
            duplicate_of,
            history_id: Uuid::now_v7(),
            status_note: new.status_note.as_deref(),
        })
        .collect();
    let inserted = applications::insert_many(&tx, &rows, now).await?;
    tx.commit().await?;

    for ((i, _, _), detail) in valid.iter().zip(inserted) {
        let change_seq = starts[&batch[*i].user].change_seq;
        outcomes[*i] = Some(Ok((detail, change_seq)));
    }
    Ok(outcomes.into_iter().flatten().collect())
}
