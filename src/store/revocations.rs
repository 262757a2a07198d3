//! Revocations made outside a server (the operator's commands) reach every
//! running replica through PostgreSQL's LISTEN/NOTIFY: the database every
//! replica shares, Redis or not. A notification is sent at commit.

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use uuid::Uuid;

use tokio::io::{AsyncRead, AsyncWrite};

use super::connect::PgTls;
use super::{GenericClient, StoreError, StoreResult};

/// The channel replicas listen on.
pub const CHANNEL: &str = "jobcopilot_revocations";

/// PostgreSQL refuses a notification payload of 8000 bytes or more.
const PAYLOAD_MAX: usize = 7_900;

/// Announces, when the transaction commits, that `user`'s credentials named
/// by `data` (a revocation) were revoked. A payload too long for a
/// notification is cut to "forget every cached lookup of the user" (open
/// streams then notice within their periodic recheck).
pub async fn announce(db: &impl GenericClient, user: Uuid, data: &Value) -> StoreResult<()> {
    let mut payload = json!({"user_id": user, "data": data}).to_string();
    if payload.len() >= PAYLOAD_MAX {
        payload = json!({"user_id": user, "data": {"cached_lookups": true}}).to_string();
    }
    let stmt = db.prepare_cached("SELECT pg_notify($1, $2)").await?;
    db.execute(&stmt, &[&CHANNEL, &payload]).await?;
    Ok(())
}

/// One announced revocation.
#[derive(Debug, Clone)]
pub struct Announced {
    pub user_id: Uuid,
    pub data: Value,
}

fn parse(payload: &str) -> Option<Announced> {
    let v: Value = serde_json::from_str(payload).ok()?;
    Some(Announced {
        user_id: v.get("user_id")?.as_str()?.parse().ok()?,
        data: v.get("data")?.clone(),
    })
}

/// Listens on a connection of its own until it breaks, sending each
/// announcement to `out`; answers why it stopped.
pub async fn listen(
    config: &tokio_postgres::Config,
    tls: &PgTls,
    out: &mpsc::Sender<Announced>,
) -> StoreError {
    match tls {
        PgTls::Off => match config.connect(tokio_postgres::NoTls).await {
            Ok((client, connection)) => listen_on(client, connection, out).await,
            Err(e) => e.into(),
        },
        PgTls::Rustls(connector) => match config.connect(connector.clone()).await {
            Ok((client, connection)) => listen_on(client, connection, out).await,
            Err(e) => e.into(),
        },
    }
}

async fn listen_on<S, T>(
    client: tokio_postgres::Client,
    mut connection: tokio_postgres::Connection<S, T>,
    out: &mpsc::Sender<Announced>,
) -> StoreError
where
    S: AsyncRead + AsyncWrite + Unpin,
    T: AsyncRead + AsyncWrite + Unpin,
{
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let statement = format!("LISTEN {CHANNEL}");
    {
        let listening = client.batch_execute(&statement);
        // The LISTEN is answered through the connection, which must be polled meanwhile.
        tokio::pin!(listening);
        loop {
            tokio::select! {
                done = &mut listening => match done {
                    Ok(()) => break,
                    Err(e) => return e.into(),
                },
                m = messages.next() => if let Some(Err(e)) = m { return e.into() },
            }
        }
    }
    while let Some(message) = messages.next().await {
        match message {
            Ok(tokio_postgres::AsyncMessage::Notification(n)) => {
                if let Some(a) = parse(n.payload()) {
                    if out.send(a).await.is_err() {
                        return StoreError::Unavailable("nobody listens any more".into());
                    }
                }
            }
            Ok(_) => {}
            Err(e) => return e.into(),
        }
    }
    drop(client);
    StoreError::Unavailable("the listening connection closed".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_reads_back_and_junk_is_ignored() {
        let user = Uuid::now_v7();
        let text = json!({"user_id": user, "data": {"token_ids": []}}).to_string();
        let a = parse(&text).unwrap();
        assert_eq!(a.user_id, user);
        assert!(parse("{}").is_none() && parse("not json").is_none());
    }
}
