//! Reading a mailbox over IMAP, strictly read-only: the folder is opened with
//! `EXAMINE` (never `SELECT`), bodies are read with `BODY.PEEK[]` (no
//! `\Seen`), and no command that changes a mailbox (STORE, EXPUNGE, COPY,
//! MOVE, APPEND, CREATE) is ever sent.
//!
//! Only new mail is read: a [`UidCursor`] (the folder's UIDVALIDITY and the
//! last UID covered) says where the previous read ended. When the server's
//! UIDVALIDITY has changed, its old UIDs mean nothing, so the folder is read
//! afresh from `since` (the server's arrival date, INTERNALDATE). Sizes are
//! fetched before bodies, and a body over the limit is not downloaded.
//!
//! The connection: TLS, or STARTTLS which is refused rather than logging in
//! unencrypted; the certificate and the host name verified against the
//! system's roots (Mozilla's bundled ones where the system has none) plus the
//! operator's CA. The host must not resolve to a private, loopback,
//! link-local or metadata address unless the operator allows it, and the
//! connection goes to the address that was checked (no second lookup). Time
//! limits on connecting and on every answer. The password is in no error and
//! no log (async-imap traces what it sends; `telemetry` silences that).

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use async_imap::error::Error as ImapError;
use async_imap::imap_proto::{
    AttributeValue, Capability, MailboxDatum, Response, ResponseCode, Status,
};
use async_imap::Client;
use base64::Engine as _;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::CertificateError;
use serde::{Deserialize, Serialize};
use time::{Month, OffsetDateTime, UtcOffset};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use crate::domain::net::forbidden;

/// The folder read when none is named.
pub const DEFAULT_FOLDER: &str = "INBOX";
/// A message larger than this is skipped (listed without its bytes).
pub const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;
/// At most about this many message bytes come back from one [`fetch_new`];
/// the rest waits for the next call ([`Fetch::more`]).
pub const BATCH_BYTES: usize = 64 * 1024 * 1024;
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// UIDs per `UID FETCH` of sizes; keeps command lines short.
const META_CHUNK: usize = 500;
/// Bodies per `UID FETCH`: a few messages, a few MiB held at once.
const BODY_CHUNK_MESSAGES: usize = 50;
const BODY_CHUNK_BYTES: usize = 16 * 1024 * 1024;
/// Server text quoted in an error is cut to this many characters.
const QUOTE_LIMIT: usize = 200;

pub use crate::domain::mailbox::Security;

/// One user's mailbox: where it is and how to log in.
#[derive(Clone, PartialEq, Eq)]
pub struct MailboxConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: String,
    /// The folder to read, as the user sees its name (non-ASCII is encoded
    /// for the server here); [`DEFAULT_FOLDER`] unless they chose another.
    pub folder: String,
}

impl fmt::Debug for MailboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailboxConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .field("folder", &self.folder)
            .finish()
    }
}

/// The operator's settings for reaching mail servers (the same for every
/// user): the CA file for servers with a private CA
/// (`JOBCOPILOT_MAIL_CA_FILE`), whether private addresses are allowed
/// (`JOBCOPILOT_MAIL_ALLOW_PRIVATE`), and the time limits.
#[derive(Debug, Clone)]
pub struct ConnectSettings {
    /// Authorities trusted beside the system's roots; empty for none.
    pub extra_ca: Vec<CertificateDer<'static>>,
    /// A host on a private, loopback, link-local or metadata address is
    /// refused unless this is set (a self-hoster's own server; the tests').
    pub allow_private: bool,
    /// For resolving and connecting, and again for the TLS handshake.
    pub connect_timeout: Duration,
    /// For every command's answer (and each message of a fetch).
    pub command_timeout: Duration,
}

impl Default for ConnectSettings {
    fn default() -> Self {
        ConnectSettings {
            extra_ca: Vec::new(),
            allow_private: false,
            connect_timeout: CONNECT_TIMEOUT,
            command_timeout: COMMAND_TIMEOUT,
        }
    }
}

/// How much one [`fetch_new`] brings back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchLimits {
    /// A message larger than this is listed without its bytes (skipped).
    pub message_bytes: usize,
    /// Message bytes per call; the rest waits for the next call
    /// ([`Fetch::more`]). One message is always read, whatever its size.
    pub batch_bytes: usize,
}

impl Default for FetchLimits {
    fn default() -> Self {
        FetchLimits {
            message_bytes: MAX_MESSAGE_BYTES,
            batch_bytes: BATCH_BYTES,
        }
    }
}

/// What `EXAMINE` says about the folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    pub uid_validity: u32,
    pub uid_next: Option<u32>,
    pub exists: u32,
}

/// Where the previous read ended: UIDs up to `last_uid` are done, as long
/// as the folder's UIDVALIDITY is still `uid_validity`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UidCursor {
    pub uid_validity: u32,
    pub last_uid: u32,
}

/// One message as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMessage {
    pub uid: u32,
    /// The server's arrival date (INTERNALDATE); `None` if it gave none
    /// that can be read.
    pub internal_date: Option<OffsetDateTime>,
    /// The size the server gives (RFC822.SIZE).
    pub size: u32,
    /// The whole message; `None` when it is larger than
    /// [`FetchLimits::message_bytes`], so it was skipped (the caller notes
    /// that, from `size`).
    pub bytes: Option<Vec<u8>>,
}

/// What [`fetch_new`] read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    pub uid_validity: u32,
    /// A cursor was given, but for another UIDVALIDITY: the folder was read
    /// afresh from `since`.
    pub uid_validity_changed: bool,
    /// New messages (arrived at or after `since`), by ascending UID.
    pub messages: Vec<RawMessage>,
    /// What to pass next time (store it once the messages are safe).
    pub cursor: UidCursor,
    /// The batch was full ([`FetchLimits::batch_bytes`]): call again with
    /// `cursor` for the rest.
    pub more: bool,
}

/// Why the mailbox could not be read, said in one line for the person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("the mail server refused the username or password")]
    Login,
    #[error("the mail server {0} cannot be reached: {1}")]
    Unreachable(String, String),
    #[error("the mail server's certificate is not accepted: {0}")]
    Certificate(String),
    #[error("the mailbox has no folder named \"{0}\"")]
    NoSuchFolder(String),
    #[error("{0} is {1}, which this server does not connect to")]
    ForbiddenHost(String, &'static str),
    #[error("the mail server does not offer STARTTLS on this port, and the password is never sent unencrypted")]
    StartTlsUnsupported,
    #[error("the mail server stopped answering")]
    Timeout,
    #[error("the mail server answered unexpectedly: {0}")]
    Protocol(String),
}

type Session = async_imap::Session<TlsStream<TcpStream>>;

/// Logs in and opens the folder read-only, to prove the settings work;
/// changes nothing and reads no message.
pub async fn check(
    config: &MailboxConfig,
    settings: &ConnectSettings,
) -> Result<FolderState, MailError> {
    let mut session = open(config, settings).await?;
    let state = examine(&mut session, &config.folder, settings.command_timeout).await;
    logout(session, settings.command_timeout).await;
    state
}

/// The messages that arrived after `cursor` (when it is for the folder's
/// current UIDVALIDITY) and at or after `since` (INTERNALDATE), by
/// ascending UID, with their bytes unless larger than the limit.
pub async fn fetch_new(
    config: &MailboxConfig,
    settings: &ConnectSettings,
    cursor: Option<UidCursor>,
    since: Option<OffsetDateTime>,
    limits: FetchLimits,
) -> Result<Fetch, MailError> {
    let mut session = open(config, settings).await?;
    let fetched = read_new(&mut session, config, settings, cursor, since, limits).await;
    logout(session, settings.command_timeout).await;
    fetched
}

async fn read_new(
    session: &mut Session,
    config: &MailboxConfig,
    settings: &ConnectSettings,
    cursor: Option<UidCursor>,
    since: Option<OffsetDateTime>,
    limits: FetchLimits,
) -> Result<Fetch, MailError> {
    let wait = settings.command_timeout;
    let max_bytes = limits.message_bytes;
    let folder = examine(session, &config.folder, wait).await?;
    let valid = cursor.filter(|c| c.uid_validity == folder.uid_validity);
    let mut fetch = Fetch {
        uid_validity: folder.uid_validity,
        uid_validity_changed: cursor.is_some() && valid.is_none(),
        messages: Vec::new(),
        cursor: UidCursor {
            uid_validity: folder.uid_validity,
            last_uid: valid.map_or(0, |c| c.last_uid),
        },
        more: false,
    };
    let start = fetch.cursor.last_uid.saturating_add(1);
    // Every UID below UIDNEXT was given before the folder was opened, so a
    // complete pass has seen all of them that matter.
    let seen_end = folder.uid_next.map_or(0, |n| n.saturating_sub(1));
    if folder.exists == 0 || folder.uid_next.is_some_and(|n| start >= n) {
        fetch.cursor.last_uid = fetch.cursor.last_uid.max(seen_end);
        return Ok(fetch);
    }

    let uids = search(session, start, since, wait).await?;
    let metas = sizes(session, &uids, wait).await?;
    let mut chosen = Vec::new();
    let mut budget = limits.batch_bytes;
    let mut covered = fetch.cursor.last_uid;
    for meta in metas {
        // IMAP's SINCE is a whole day; the arrival time decides.
        let wanted = !matches!((since, meta.internal_date), (Some(s), Some(d)) if d < s);
        let size = meta.size as usize;
        if wanted && size <= max_bytes {
            if size > budget && budget < limits.batch_bytes {
                fetch.more = true;
                break;
            }
            budget = budget.saturating_sub(size);
        }
        covered = meta.uid;
        if wanted {
            chosen.push(meta);
        }
    }
    if !fetch.more {
        covered = covered.max(seen_end);
    }
    fetch.cursor.last_uid = covered;

    let small: Vec<&Meta> = chosen
        .iter()
        .filter(|m| m.size as usize <= max_bytes)
        .collect();
    let mut bodies = bodies(session, &small, max_bytes, wait).await?;
    for meta in chosen {
        let bytes = if meta.size as usize > max_bytes {
            None
        } else {
            match bodies.remove(&meta.uid) {
                Some(b) if b.len() <= max_bytes => Some(b),
                // Larger than the server said: skipped all the same.
                Some(_) => None,
                // Expunged since its size was read: gone, nothing to read.
                None => continue,
            }
        };
        fetch.messages.push(RawMessage {
            uid: meta.uid,
            internal_date: meta.internal_date,
            size: meta.size,
            bytes,
        });
    }
    Ok(fetch)
}

// ---- Connecting ----------------------------------------------------------

async fn open(config: &MailboxConfig, settings: &ConnectSettings) -> Result<Session, MailError> {
    let host = config.host.trim();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let unreachable = |why: &str| MailError::Unreachable(host.to_owned(), why.to_owned());
    let name = ServerName::try_from(bare.to_owned())
        .map_err(|_| unreachable("that is not a valid host name"))?;
    let connector = connector(settings)?;

    let addresses = tokio::time::timeout(settings.connect_timeout, resolve(bare, config.port))
        .await
        .map_err(|_| unreachable("its name did not resolve in time"))?
        .ok_or_else(|| unreachable("its name does not resolve"))?;
    if !settings.allow_private {
        for address in &addresses {
            if let Some(why) = forbidden(address.ip()) {
                return Err(MailError::ForbiddenHost(host.to_owned(), why));
            }
        }
    }
    let tcp = connect(host, config.port, &addresses, settings.connect_timeout).await?;

    let wait = settings.command_timeout;
    let client = match config.security {
        Security::Tls => {
            let tls = handshake(&connector, name, tcp, host, config.port, settings).await?;
            let mut client = Client::new(tls);
            greet(&mut client, host, false, wait).await?;
            client
        }
        Security::StartTls => {
            let mut plain = Client::new(tcp);
            greet(&mut plain, host, true, wait).await?;
            within(wait, plain.run_command_and_check_ok("STARTTLS", None))
                .await?
                .map_err(|e| match e {
                    ImapError::No(_) | ImapError::Bad(_) => MailError::StartTlsUnsupported,
                    other => from_imap(other),
                })?;
            // Whatever the server sent after its OK is dropped with the plain
            // stream's buffer: nothing unencrypted is read as if it were
            // protected.
            let tls = handshake(
                &connector,
                name,
                plain.into_inner(),
                host,
                config.port,
                settings,
            )
            .await?;
            Client::new(tls)
        }
    };
    login(client, config, wait).await
}

async fn resolve(host: &str, port: u16) -> Option<Vec<SocketAddr>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Some(vec![SocketAddr::new(ip, port)]);
    }
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await.ok()?.collect();
    (!found.is_empty()).then_some(found)
}

/// Connects to the first of the checked addresses that answers.
async fn connect(
    host: &str,
    port: u16,
    addresses: &[SocketAddr],
    wait: Duration,
) -> Result<TcpStream, MailError> {
    let mut why = String::new();
    for address in addresses {
        match tokio::time::timeout(wait, TcpStream::connect(address)).await {
            Ok(Ok(tcp)) => {
                let _ = tcp.set_nodelay(true);
                return Ok(tcp);
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                why = format!("nothing answers on port {port}");
            }
            Ok(Err(e)) => why = e.to_string(),
            Err(_) => why = format!("no answer within {} seconds", wait.as_secs()),
        }
    }
    Err(MailError::Unreachable(host.to_owned(), why))
}

fn connector(settings: &ConnectSettings) -> Result<TlsConnector, MailError> {
    let mut roots = crate::tls::system_roots().clone();
    for ca in &settings.extra_ca {
        roots.add(ca.clone()).map_err(|e| {
            MailError::Certificate(format!("the operator's CA file cannot be used ({e})"))
        })?;
    }
    let config =
        crate::tls::client_config(roots, crate::tls::Verify::Full).map_err(MailError::Protocol)?;
    Ok(TlsConnector::from(Arc::new(config)))
}

async fn handshake(
    connector: &TlsConnector,
    name: ServerName<'static>,
    tcp: TcpStream,
    host: &str,
    port: u16,
    settings: &ConnectSettings,
) -> Result<TlsStream<TcpStream>, MailError> {
    within(settings.connect_timeout, connector.connect(name, tcp))
        .await?
        .map_err(|e| tls_failure(&e, host, port))
}

fn tls_failure(e: &std::io::Error, host: &str, port: u16) -> MailError {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(rustls::Error::InvalidCertificate(why)) => {
            MailError::Certificate(certificate_problem(why, host))
        }
        Some(
            rustls::Error::InvalidMessage(_)
            | rustls::Error::InappropriateMessage { .. }
            | rustls::Error::InappropriateHandshakeMessage { .. },
        ) => MailError::Protocol(format!(
            "it does not speak TLS on port {port} (for a STARTTLS port, choose STARTTLS)"
        )),
        Some(other) => MailError::Protocol(format!("the TLS handshake failed ({other})")),
        None => MailError::Unreachable(
            host.to_owned(),
            format!("the connection broke during the TLS handshake ({e})"),
        ),
    }
}

fn certificate_problem(why: &CertificateError, host: &str) -> String {
    crate::tls::certificate_problem(why, host, "JOBCOPILOT_MAIL_CA_FILE")
}

/// Reads the server's greeting. On a connection still to be upgraded, a
/// greeting that lists capabilities without STARTTLS, or a PREAUTH one
/// (which would skip the upgrade), is refused.
async fn greet<T>(
    client: &mut Client<T>,
    host: &str,
    upgrading: bool,
    wait: Duration,
) -> Result<(), MailError>
where
    T: AsyncRead + AsyncWrite + Unpin + fmt::Debug + Send,
{
    let greeting = within(wait, client.read_response())
        .await?
        .map_err(|e| MailError::Unreachable(host.to_owned(), e.to_string()))?
        .ok_or_else(|| {
            MailError::Unreachable(host.to_owned(), "it closed the connection at once".into())
        })?;
    match greeting.parsed() {
        Response::Data {
            status: Status::Ok,
            code,
            ..
        } => match code {
            Some(ResponseCode::Capabilities(caps)) if upgrading && !offers_starttls(caps) => {
                Err(MailError::StartTlsUnsupported)
            }
            _ => Ok(()),
        },
        Response::Data {
            status: Status::PreAuth,
            ..
        } if upgrading => Err(MailError::StartTlsUnsupported),
        Response::Data {
            status: Status::PreAuth,
            ..
        } => Ok(()),
        Response::Data {
            status: Status::Bye,
            information,
            ..
        } => Err(MailError::Unreachable(
            host.to_owned(),
            format!(
                "it turned the connection away ({})",
                quote(information.as_deref().unwrap_or("no reason given"))
            ),
        )),
        _ => Err(MailError::Protocol(
            "its greeting is not an IMAP greeting".into(),
        )),
    }
}

fn offers_starttls(caps: &[Capability<'_>]) -> bool {
    caps.iter()
        .any(|c| matches!(c, Capability::Atom(a) if a.eq_ignore_ascii_case("STARTTLS")))
}

async fn login(
    client: Client<TlsStream<TcpStream>>,
    config: &MailboxConfig,
    wait: Duration,
) -> Result<Session, MailError> {
    match within(wait, client.login(&config.username, &config.password)).await? {
        Ok(session) => Ok(session),
        // A line break in the name or password cannot be sent: it is as
        // wrong as a refused one (and its text must not be repeated).
        Err((ImapError::No(_) | ImapError::Validate(_), _)) => Err(MailError::Login),
        Err((ImapError::Bad(_), _)) => {
            Err(MailError::Protocol("it refused the login command".into()))
        }
        Err((other, _)) => Err(from_imap(other)),
    }
}

async fn logout(mut session: Session, wait: Duration) {
    let _ = tokio::time::timeout(wait.min(Duration::from_secs(5)), session.logout()).await;
}

// ---- Reading, read-only --------------------------------------------------

async fn examine(
    session: &mut Session,
    folder: &str,
    wait: Duration,
) -> Result<FolderState, MailError> {
    let mailbox = within(wait, session.examine(mutf7(folder)))
        .await?
        .map_err(|e| match e {
            ImapError::No(_) | ImapError::Bad(_) | ImapError::Validate(_) => {
                MailError::NoSuchFolder(folder.to_owned())
            }
            other => from_imap(other),
        })?;
    let uid_validity = mailbox.uid_validity.ok_or_else(|| {
        MailError::Protocol(
            "it gives the folder no UIDVALIDITY, so new mail cannot be told from old".into(),
        )
    })?;
    Ok(FolderState {
        uid_validity,
        uid_next: mailbox.uid_next,
        exists: mailbox.exists,
    })
}

/// UIDs from `start` on, arrived on or after the day before `since` (the
/// exact time is checked against INTERNALDATE afterwards), ascending.
async fn search(
    session: &mut Session,
    start: u32,
    since: Option<OffsetDateTime>,
    wait: Duration,
) -> Result<Vec<u32>, MailError> {
    let mut criteria = format!("UID {start}:*");
    if let Some(since) = since {
        criteria.push_str(" SINCE ");
        criteria.push_str(&imap_date(since - time::Duration::days(1)));
    }
    let mut uids = Vec::new();
    command(session, &format!("UID SEARCH {criteria}"), wait, |answer| {
        if let Response::MailboxData(MailboxDatum::Search(ids)) = answer {
            // `start:*` includes the highest UID even when it is below start.
            uids.extend(ids.iter().filter(|uid| **uid >= start));
        }
    })
    .await?;
    uids.sort_unstable();
    uids.dedup();
    Ok(uids)
}

struct Meta {
    uid: u32,
    internal_date: Option<OffsetDateTime>,
    size: u32,
}

/// Arrival dates and sizes, by ascending UID.
async fn sizes(
    session: &mut Session,
    uids: &[u32],
    wait: Duration,
) -> Result<Vec<Meta>, MailError> {
    let mut metas = Vec::with_capacity(uids.len());
    for chunk in uids.chunks(META_CHUNK) {
        let query = format!(
            "UID FETCH {} (UID INTERNALDATE RFC822.SIZE)",
            uid_set(chunk)
        );
        command(session, &query, wait, |answer| {
            let Response::Fetch(_, attributes) = answer else {
                return;
            };
            let mut uid = None;
            let mut size = None;
            let mut internal_date = None;
            for attribute in attributes {
                match attribute {
                    AttributeValue::Uid(u) => uid = Some(*u),
                    AttributeValue::Rfc822Size(s) => size = Some(*s),
                    AttributeValue::InternalDate(d) => internal_date = parse_internal_date(d),
                    _ => {}
                }
            }
            // An unsolicited FETCH (a flag changed elsewhere) has no size.
            if let (Some(uid), Some(size)) = (uid, size) {
                if chunk.binary_search(&uid).is_ok() {
                    metas.push(Meta {
                        uid,
                        internal_date,
                        size,
                    });
                }
            }
        })
        .await?;
    }
    metas.sort_unstable_by_key(|m| m.uid);
    metas.dedup_by_key(|m| m.uid);
    Ok(metas)
}

/// The bodies, with `BODY.PEEK[]` (no `\Seen`), each cut at one byte over
/// the limit so a server that misstated a size cannot send more.
async fn bodies(
    session: &mut Session,
    metas: &[&Meta],
    max_bytes: usize,
    wait: Duration,
) -> Result<std::collections::HashMap<u32, Vec<u8>>, MailError> {
    let mut found = std::collections::HashMap::new();
    let cut = u32::try_from(max_bytes.saturating_add(1)).unwrap_or(u32::MAX);
    let mut rest = metas;
    while !rest.is_empty() {
        let mut n = 0;
        let mut bytes = 0usize;
        while n < rest.len()
            && n < BODY_CHUNK_MESSAGES
            && (n == 0 || bytes + rest[n].size as usize <= BODY_CHUNK_BYTES)
        {
            bytes += rest[n].size as usize;
            n += 1;
        }
        let (chunk, later) = rest.split_at(n);
        rest = later;
        let uids: Vec<u32> = chunk.iter().map(|m| m.uid).collect();
        let query = format!("UID FETCH {} (UID BODY.PEEK[]<0.{cut}>)", uid_set(&uids));
        command(session, &query, wait, |answer| {
            let Response::Fetch(_, attributes) = answer else {
                return;
            };
            let mut uid = None;
            let mut body = None;
            for attribute in attributes {
                match attribute {
                    AttributeValue::Uid(u) => uid = Some(*u),
                    AttributeValue::BodySection {
                        section: None,
                        data: Some(data),
                        ..
                    } => body = Some(data.to_vec()),
                    _ => {}
                }
            }
            if let (Some(uid), Some(body)) = (uid, body) {
                if uids.binary_search(&uid).is_ok() {
                    found.insert(uid, body);
                }
            }
        })
        .await?;
    }
    Ok(found)
}

/// Sends a command and hands each untagged answer to `each` until the
/// tagged one, which must be OK. Each answer must come within `wait`.
async fn command(
    session: &mut Session,
    command: &str,
    wait: Duration,
    mut each: impl FnMut(&Response<'_>),
) -> Result<(), MailError> {
    let tag = within(wait, session.run_command(command))
        .await?
        .map_err(from_imap)?;
    loop {
        let answer = within(wait, session.read_response())
            .await?
            .map_err(|e| MailError::Protocol(format!("the connection broke ({e})")))?
            .ok_or_else(|| MailError::Protocol("it closed the connection".into()))?;
        match answer.parsed() {
            Response::Done {
                tag: done,
                status,
                information,
                ..
            } if *done == tag => {
                return match status {
                    Status::Ok => Ok(()),
                    _ => Err(MailError::Protocol(format!(
                        "{} was refused ({})",
                        verb(command),
                        quote(information.as_deref().unwrap_or("no reason given"))
                    ))),
                };
            }
            Response::Data {
                status: Status::Bye,
                information,
                ..
            } => {
                return Err(MailError::Protocol(format!(
                    "it ended the session ({})",
                    quote(information.as_deref().unwrap_or("no reason given"))
                )))
            }
            other => each(other),
        }
    }
}

async fn within<T>(wait: Duration, work: impl Future<Output = T>) -> Result<T, MailError> {
    tokio::time::timeout(wait, work)
        .await
        .map_err(|_| MailError::Timeout)
}

fn from_imap(e: ImapError) -> MailError {
    match e {
        ImapError::Io(e) => MailError::Protocol(format!("the connection broke ({e})")),
        ImapError::ConnectionLost => MailError::Protocol("it closed the connection".into()),
        ImapError::No(why) | ImapError::Bad(why) => MailError::Protocol(quote(&why)),
        ImapError::Parse(_) => MailError::Protocol("an answer could not be read".into()),
        other => MailError::Protocol(quote(&other.to_string())),
    }
}

// ---- Pure helpers --------------------------------------------------------

/// The command's name, for an error: `UID FETCH`, `EXAMINE`.
fn verb(command: &str) -> &str {
    let mut words = command.splitn(3, ' ');
    let first = words.next().unwrap_or_default();
    match words.next() {
        Some(second) if first == "UID" => &command[..first.len() + 1 + second.len()],
        _ => first,
    }
}

/// Server text for an error: one line, not too long.
fn quote(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(QUOTE_LIMIT)
        .collect();
    line.trim().to_owned()
}

/// A UID set for a command: ascending UIDs, runs as ranges (`1:3,7,9:12`).
fn uid_set(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let first = uids[i];
        let mut last = first;
        while i + 1 < uids.len() && uids[i + 1] == last.wrapping_add(1) {
            i += 1;
            last = uids[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if first == last {
            out.push_str(&first.to_string());
        } else {
            out.push_str(&format!("{first}:{last}"));
        }
        i += 1;
    }
    out
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A date for SEARCH SINCE (`7-Jul-2026`), the UTC day of `t`.
fn imap_date(t: OffsetDateTime) -> String {
    let d = t.to_offset(UtcOffset::UTC).date();
    format!(
        "{}-{}-{}",
        d.day(),
        MONTHS[usize::from(u8::from(d.month())) - 1],
        d.year()
    )
}

/// INTERNALDATE: `17-Jul-1996 02:44:25 -0700` (the day may be
/// space-padded).
fn parse_internal_date(text: &str) -> Option<OffsetDateTime> {
    let (date, rest) = text.trim().split_once(' ')?;
    let mut parts = date.split('-');
    let day: u8 = parts.next()?.trim().parse().ok()?;
    let month_name = parts.next()?;
    let month_number = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month_name))?;
    let month = Month::try_from(u8::try_from(month_number + 1).ok()?).ok()?;
    let year: i32 = parts.next()?.parse().ok()?;
    let (clock, zone) = rest.trim().split_once(' ')?;
    let mut hms = clock.split(':').map(|p| p.parse::<u8>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    let zone = zone.trim();
    if zone.len() != 5 || !zone.is_ascii() {
        return None;
    }
    let sign: i8 = match &zone[..1] {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let zh: i8 = zone[1..3].parse().ok()?;
    let zm: i8 = zone[3..5].parse().ok()?;
    let offset = UtcOffset::from_hms(sign * zh, sign * zm, 0).ok()?;
    Some(
        time::Date::from_calendar_date(year, month, day)
            .ok()?
            .with_hms(h, m, s)
            .ok()?
            .assume_offset(offset),
    )
}

/// A folder name as IMAP spells it (modified UTF-7, RFC 3501 5.1.3):
/// `Entwürfe` → `Entw&APw-rfe`.
fn mutf7(name: &str) -> String {
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::IMAP_MUTF7,
        base64::engine::general_purpose::NO_PAD,
    );
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let flush = |pending: &mut Vec<u8>, out: &mut String| {
        if !pending.is_empty() {
            out.push('&');
            out.push_str(&engine.encode(&pending));
            out.push('-');
            pending.clear();
        }
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut pending, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                pending.extend_from_slice(&unit.to_be_bytes());
            }
        }
    }
    flush(&mut pending, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn folder_names_are_spelled_in_modified_utf7() {
        for (name, spelled) in [
            ("INBOX", "INBOX"),
            ("Entwürfe", "Entw&APw-rfe"),
            ("Jobs & Bewerbungen", "Jobs &- Bewerbungen"),
            ("台北", "&U,BTFw-"),
            ("~peter/mail/日本語/台北", "~peter/mail/&ZeVnLIqe-/&U,BTFw-"),
            ("😀", "&2D3eAA-"),
        ] {
            assert_eq!(mutf7(name), spelled, "{name}");
        }
    }

    #[test]
    fn uid_sets_join_runs_into_ranges() {
        assert_eq!(uid_set(&[1, 2, 3, 7, 9, 10, 11, 12]), "1:3,7,9:12");
        assert_eq!(uid_set(&[5]), "5");
        assert_eq!(uid_set(&[]), "");
        assert_eq!(uid_set(&[u32::MAX - 1, u32::MAX]), "4294967294:4294967295");
    }

    #[test]
    fn internal_dates_are_read_with_their_offset() {
        assert_eq!(
            parse_internal_date("17-Jul-1996 02:44:25 -0700"),
            Some(datetime!(1996-07-17 02:44:25 -7))
        );
        assert_eq!(
            parse_internal_date(" 7-Jan-2027 23:05:00 +0530"),
            Some(datetime!(2027-01-07 23:05:00 +5:30))
        );
        for bad in [
            "",
            "17-Jul-1996",
            "32-Jul-1996 02:44:25 -0700",
            "17-Jux-1996 02:44:25 -0700",
            "17-Jul-1996 02:44 -0700",
            "17-Jul-1996 02:44:25 0700",
            "17-Jul-1996 02:44:25 -07ü0",
        ] {
            assert_eq!(parse_internal_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn search_dates_are_the_utc_day() {
        assert_eq!(imap_date(datetime!(2026-11-30 10:00 UTC)), "30-Nov-2026");
        assert_eq!(imap_date(datetime!(2026-03-01 01:00 +2)), "28-Feb-2026");
        assert_eq!(imap_date(datetime!(2027-01-07 00:00 UTC)), "7-Jan-2027");
    }

    #[test]
    fn errors_name_the_command_and_quote_one_short_line() {
        assert_eq!(verb("UID FETCH 1:* (UID)"), "UID FETCH");
        assert_eq!(verb("EXAMINE \"INBOX\""), "EXAMINE");
        assert_eq!(quote("a\r\nb"), "a  b");
        assert_eq!(quote(&"x".repeat(500)).len(), QUOTE_LIMIT);
    }

    #[test]
    fn a_mailbox_config_never_shows_its_password() {
        let config = MailboxConfig {
            host: "imap.example.com".into(),
            port: 993,
            security: Security::Tls,
            username: "me@example.com".into(),
            password: "hunter2-secret".into(),
            folder: DEFAULT_FOLDER.into(),
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("imap.example.com"), "{shown}");
    }

    #[tokio::test]
    async fn a_private_or_loopback_host_is_refused_before_connecting() {
        let settings = ConnectSettings::default();
        for host in [
            "127.0.0.1",
            "10.1.2.3",
            "169.254.169.254",
            "[::1]",
            "::ffff:192.168.0.1",
            "localhost",
        ] {
            let config = MailboxConfig {
                host: host.into(),
                port: 993,
                security: Security::Tls,
                username: "u".into(),
                password: "p".into(),
                folder: DEFAULT_FOLDER.into(),
            };
            let err = check(&config, &settings).await.unwrap_err();
            assert!(matches!(err, MailError::ForbiddenHost(..)), "{host}: {err}");
        }
    }
}
