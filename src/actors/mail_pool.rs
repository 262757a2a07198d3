//! The mail workers: they claim mail jobs leased in PostgreSQL (a mailbox
//! sync, or one uploaded message) on any replica, read the mailbox
//! read-only, and turn each message into at most one suggestion. A message
//! is recorded once per user (its key is unique), so a second sync, a
//! restart or another replica never suggests twice. Raw bytes are dropped
//! once a job is done.

use std::time::Duration;

use deadpool_postgres::Pool;
use sha2::Digest;
use time::OffsetDateTime;
use uuid::Uuid;

use super::event_bus::EventBus;
use crate::auth::secrets::SecretBox;
use crate::domain::mail::{classify, Candidate, Kind};
use crate::domain::suggestion::Proposed;
use crate::error::{Error, Result};
use crate::mail::imap::{self, ConnectSettings, FetchLimits, MailboxConfig, UidCursor};
use crate::mail::parse;
use crate::store::{applications, mail as store, users};

/// A suggestion this sure, about a matched application, applies itself
/// when the user turned auto-apply on.
pub const AUTO_APPLY_CONFIDENCE: f64 = 0.9;
/// How long a claimed job is held without renewal.
const LEASE: Duration = Duration::from_secs(120);
/// Snippets are this long.
const SNIPPET_CHARS: usize = 240;

/// What the workers need.
#[derive(Clone)]
pub struct MailPool {
    pub pool: Pool,
    pub events: actix::Addr<EventBus>,
    pub connect: std::sync::Arc<ConnectSettings>,
    /// The settings the key comes from (read when a mailbox is read).
    pub settings: std::sync::Arc<crate::config::Settings>,
    pub sync_every: Duration,
    pub poll: Duration,
}

/// Reads one message for `user`: records it (once) and its suggestion;
/// answers the suggestion's id when it made one. A message that cannot be
/// read becomes `other` with the reason, never a failed job.
pub async fn process(pool: &Pool, user: Uuid, bytes: &[u8], source: &str) -> Result<Option<Uuid>> {
    let client = pool.get().await?;
    let parsed = match parse::parse(bytes) {
        Ok(p) => p,
        Err(e) => {
            tracing::info!(%user, reason = %e, "a message could not be read; kept as other");
            let key = hex::encode(sha2::Sha256::digest(bytes));
            let row = store::MessageRow {
                key: &key,
                source,
                from_address: None,
                from_name: None,
                subject: None,
                sent_at: None,
                snippet: None,
                kind: Kind::Other.as_str(),
                note: Some(&e.to_string()),
            };
            store::record_message(&client, user, &row).await?;
            return Ok(None);
        }
    };
    let zone = users::timezone(&client, user).await?;
    let candidates: Vec<Candidate> = applications::all(&client, user)
        .await?
        .into_iter()
        .map(|a| Candidate {
            id: a.id,
            company: a.fields.company,
            title: a.fields.title,
            url: a.fields.url.map(String::from),
            status: a.fields.status,
        })
        .collect();
    let found = classify(&parsed.to_mail(), &candidates, &zone);
    let snippet = parsed.snippet(SNIPPET_CHARS);
    let mut client = client;
    let tx = client.transaction().await?;
    let row = store::MessageRow {
        key: &parsed.key,
        source,
        from_address: parsed.from_address.as_deref(),
        from_name: parsed.from_name.as_deref(),
        subject: parsed.subject.as_deref(),
        sent_at: parsed.date,
        snippet: Some(&snippet),
        kind: found.kind.as_str(),
        note: Some(found.reason),
    };
    let Some(message_id) = store::record_message(&tx, user, &row).await? else {
        return Ok(None); // read before: nothing twice
    };
    if found.kind == Kind::Other {
        tx.commit().await?;
        return Ok(None);
    }
    let proposed = serde_json::to_value(&found.proposed).unwrap_or_default();
    let proposed = proposed
        .as_object()
        .and_then(|o| Proposed::parse(o).ok())
        .unwrap_or_default();
    let id = store::insert_suggestion(
        &tx,
        user,
        &store::NewSuggestion {
            message_id,
            kind: found.kind.as_str(),
            confidence: found.confidence as f32,
            application_id: found.application_id,
            proposed: &proposed.to_value(),
        },
    )
    .await?;
    tx.commit().await?;
    let auto = store::auto_apply(&pool.get().await?, user).await?;
    if auto && found.confidence >= AUTO_APPLY_CONFIDENCE && found.application_id.is_some() {
        // A forbidden transition leaves it pending for the person.
        if let Err(e) = super::inbox::apply(pool, user, id, None).await {
            tracing::info!(%user, suggestion = %id, error = %e, "auto-apply left a suggestion pending");
        }
    }
    Ok(Some(id))
}

impl MailPool {
    /// Starts the workers' loop on this replica.
    pub fn start(self) {
        actix::spawn(async move { self.run().await });
    }

    async fn run(self) {
        let mut last_due = std::time::Instant::now() - self.sync_every;
        loop {
            if last_due.elapsed() >= Duration::from_secs(60) {
                last_due = std::time::Instant::now();
                if let Ok(client) = self.pool.get().await {
                    if let Err(e) = store::queue_due_syncs(&client, self.sync_every).await {
                        tracing::warn!(error = %e, "could not queue mailbox syncs");
                    }
                }
            }
            match self.next().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "a mail job failed"),
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    /// Claims and runs one job; false when none was due.
    async fn next(&self) -> Result<bool> {
        let client = self.pool.get().await?;
        let Some(job) = store::claim_job(&client, LEASE).await? else {
            return Ok(false);
        };
        drop(client);
        let outcome = match job.kind.as_str() {
            "sync" => self.sync(job.user_id).await,
            _ => match &job.raw {
                Some(raw) => process(&self.pool, job.user_id, raw, "upload")
                    .await
                    .map(|_| ()),
                None => Ok(()),
            },
        };
        let error = outcome.as_ref().err().map(ToString::to_string);
        store::finish_job(&self.pool.get().await?, &job, error.as_deref()).await?;
        super::inbox::announce_pending(&self.pool, &self.events, job.user_id).await?;
        Ok(true)
    }

    /// Reads the new mail of the user's mailbox.
    async fn sync(&self, user: Uuid) -> Result<()> {
        let client = self.pool.get().await?;
        let Some(mailbox) = store::get_mailbox(&client, user).await? else {
            return Ok(()); // disconnected meanwhile
        };
        drop(client);
        let s = &self.settings;
        let embedded = s.database.is_none().then_some(s.data_dir.as_path());
        let secrets: SecretBox =
            crate::auth::secrets::server_box(s.secret_key.as_deref(), embedded)
                .ok_or_else(|| Error::Unavailable("JOBCOPILOT_SECRET_KEY is not set".into()))?
                .map_err(Error::internal)?;
        let password = secrets
            .open(&mailbox.password_sealed)
            .map_err(Error::internal)?;
        let config = MailboxConfig {
            host: mailbox.host.clone(),
            port: u16::try_from(mailbox.port).unwrap_or(993),
            security: imap::Security::parse(&mailbox.security).unwrap_or(imap::Security::Tls),
            username: mailbox.username.clone(),
            password,
            folder: mailbox.folder.clone(),
        };
        let mut cursor = match (mailbox.uid_validity, mailbox.last_uid) {
            (Some(v), Some(u)) => Some(UidCursor {
                uid_validity: u32::try_from(v).unwrap_or(0),
                last_uid: u32::try_from(u).unwrap_or(0),
            }),
            _ => None,
        };
        // A batch at a time; each batch's cursor is saved before the next,
        // so a sync cut short resumes where it was (and a message read
        // twice is still recorded once).
        loop {
            let now = OffsetDateTime::now_utc();
            let fetched = imap::fetch_new(
                &config,
                &self.connect,
                cursor,
                Some(mailbox.since),
                FetchLimits::default(),
            )
            .await;
            let client = self.pool.get().await?;
            let fetch = match fetched {
                Ok(f) => f,
                Err(e) => {
                    let why = e.to_string();
                    store::record_sync(&client, user, None, None, 0, Some(&why), now).await?;
                    return Ok(());
                }
            };
            let mut read = 0;
            for m in &fetch.messages {
                match &m.bytes {
                    Some(bytes) => {
                        process(&self.pool, user, bytes, "imap").await?;
                        read += 1;
                    }
                    None => {
                        tracing::info!(%user, uid = m.uid, size = m.size, "a message over the size limit was skipped");
                        let key = format!("imap:{}:{}", fetch.cursor.uid_validity, m.uid);
                        let note = format!(
                            "skipped: {} bytes, over the 10 MiB a message may have",
                            m.size
                        );
                        let row = store::MessageRow {
                            key: &key,
                            source: "imap",
                            from_address: None,
                            from_name: None,
                            subject: None,
                            sent_at: m.internal_date,
                            snippet: None,
                            kind: Kind::Other.as_str(),
                            note: Some(&note),
                        };
                        store::record_message(&client, user, &row).await?;
                    }
                }
            }
            store::record_sync(
                &client,
                user,
                Some(i64::from(fetch.cursor.uid_validity)),
                Some(i64::from(fetch.cursor.last_uid)),
                read,
                None,
                now,
            )
            .await?;
            cursor = Some(fetch.cursor);
            if !fetch.more {
                return Ok(());
            }
        }
    }
}
