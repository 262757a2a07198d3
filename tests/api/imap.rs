//! The IMAP client (`jobcopilot::mail::imap`) against a real Dovecot on
//! loopback: logging in over TLS and STARTTLS, each failure named, only new
//! mail read, big mail skipped, and the mailbox left exactly as it was.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jobcopilot::mail::imap::{
    check, fetch_new, ConnectSettings, FetchLimits, MailError, MailboxConfig, Security, UidCursor,
    DEFAULT_FOLDER, MAX_MESSAGE_BYTES,
};
use time::OffsetDateTime;

use crate::dovecot::{self, message, Dovecot, ANSWERED, FLAGGED, PASSWORD, SEEN, USER};

fn mailbox(d: &Dovecot, security: Security) -> MailboxConfig {
    MailboxConfig {
        host: "127.0.0.1".into(),
        port: match security {
            Security::Tls => d.tls_port,
            Security::StartTls => d.starttls_port,
        },
        security,
        username: USER.into(),
        password: PASSWORD.into(),
        folder: DEFAULT_FOLDER.into(),
    }
}

/// Trusts the test CA and allows loopback, as an operator with
/// `JOBCOPILOT_MAIL_CA_FILE` and `JOBCOPILOT_MAIL_ALLOW_PRIVATE=true` would.
fn settings(d: &Dovecot) -> ConnectSettings {
    ConnectSettings {
        extra_ca: d.ca(),
        allow_private: true,
        ..ConnectSettings::default()
    }
}

/// Dovecot logs a login (`Login: user=`) or a refused one (`auth failed`)
/// for every attempt.
fn assert_no_login_attempt(log: &str) {
    assert!(!log.contains("Login: user="), "{log}");
    assert!(!log.contains("auth failed"), "{log}");
    assert!(!log.contains("Aborted login"), "{log}");
}

#[tokio::test]
async fn check_over_tls_with_the_right_password_reports_the_folder() {
    let d = Dovecot::start();
    d.deliver(&message(1, "Your application"));
    d.deliver(&message(2, "Interview"));

    let state = check(&mailbox(&d, Security::Tls), &settings(&d))
        .await
        .unwrap();

    assert_eq!(state.exists, 2);
    assert!(state.uid_validity > 0);
    assert_eq!(state.uid_next, Some(3));
}

#[tokio::test]
async fn check_over_starttls_with_the_right_password_reports_the_folder() {
    let d = Dovecot::start();
    d.deliver(&message(1, "Your application"));

    let state = check(&mailbox(&d, Security::StartTls), &settings(&d))
        .await
        .unwrap();

    assert_eq!(state.exists, 1);
    assert!(state.uid_validity > 0);
    // Dovecot's login line: the password went over TLS.
    let log = d.log_once("Login: user=", 1).await;
    let login = log.lines().find(|l| l.contains("Login: user=")).unwrap();
    assert!(login.contains(", TLS"), "{login}");
}

#[tokio::test]
async fn a_wrong_password_is_a_login_error_that_never_repeats_it() {
    let d = Dovecot::start();
    for security in [Security::Tls, Security::StartTls] {
        let mut config = mailbox(&d, security);
        config.password = "wrong-Pa55word-xyz".into();

        let err = check(&config, &settings(&d)).await.unwrap_err();

        assert_eq!(err, MailError::Login, "{security:?}");
        assert_eq!(
            err.to_string(),
            "the mail server refused the username or password"
        );
        assert!(!format!("{err:?} {config:?}").contains("Pa55word"));
    }
    // What a refused attempt looks like in Dovecot's log (which the tests
    // proving no attempt was made look for).
    let log = d.log_once("auth failed", 2).await;
    assert!(!log.contains("Login: user="), "{log}");
}

#[tokio::test]
async fn a_password_with_a_line_break_is_refused_without_sending_it() {
    let d = Dovecot::start();
    let mut config = mailbox(&d, Security::Tls);
    config.password = "first line\r\nA1 LOGOUT".into();

    let err = check(&config, &settings(&d)).await.unwrap_err();

    assert_eq!(err, MailError::Login);
    assert_no_login_attempt(&d.log_once("Disconnected", 1).await);
}

#[tokio::test]
async fn an_unknown_folder_is_named_in_the_error() {
    let d = Dovecot::start();
    let mut config = mailbox(&d, Security::Tls);
    config.folder = "Bewerbungen".into();

    let err = check(&config, &settings(&d)).await.unwrap_err();

    assert_eq!(err, MailError::NoSuchFolder("Bewerbungen".into()));
    assert_eq!(
        err.to_string(),
        "the mailbox has no folder named \"Bewerbungen\""
    );
}

#[tokio::test]
async fn a_folder_with_a_non_ascii_name_is_found() {
    let d = Dovecot::start();
    // Maildir++ keeps folder names in IMAP's modified UTF-7.
    d.create_folder("Entw&APw-rfe");
    let mut config = mailbox(&d, Security::Tls);
    config.folder = "Entwürfe".into();

    let state = check(&config, &settings(&d)).await.unwrap();

    assert_eq!(state.exists, 0);
}

#[tokio::test]
async fn a_certificate_from_a_ca_the_server_does_not_trust_is_refused() {
    let d = Dovecot::start();
    let scratch = tempfile::tempdir().unwrap();
    let other_ca = dovecot::make_ca(scratch.path(), "other", "Some Other CA");
    let other = ConnectSettings {
        extra_ca: rustls::pki_types::pem::PemObject::pem_slice_iter(&other_ca)
            .collect::<Result<Vec<_>, _>>()
            .unwrap(),
        allow_private: true,
        ..ConnectSettings::default()
    };
    let none = ConnectSettings {
        allow_private: true,
        ..ConnectSettings::default()
    };

    for (settings, security) in [
        (&none, Security::Tls),
        (&none, Security::StartTls),
        (&other, Security::Tls),
    ] {
        let err = check(&mailbox(&d, security), settings).await.unwrap_err();

        let MailError::Certificate(why) = &err else {
            panic!("{security:?}: {err:?}");
        };
        assert!(why.contains("authority"), "{why}");
        assert!(err.to_string().contains("JOBCOPILOT_MAIL_CA_FILE"), "{err}");
    }
    // The client refused each handshake (Dovecot hears "unknown CA"), and
    // no login ever reached the server.
    let log = d.log_once("Disconnected", 3).await;
    let refused = log
        .lines()
        .filter(|l| l.contains("Disconnected") && l.contains("alert unknown ca"))
        .count();
    assert_eq!(refused, 3, "{log}");
    assert_no_login_attempt(&log);
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused() {
    let d = Dovecot::start();
    // The same server on 127.0.0.2, whose certificate names only
    // localhost and 127.0.0.1.
    let mut config = mailbox(&d, Security::Tls);
    config.host = "127.0.0.2".into();

    let err = check(&config, &settings(&d)).await.unwrap_err();

    assert_eq!(
        err,
        MailError::Certificate("it is not valid for 127.0.0.2".into())
    );
    // ...and by the name it does carry, the same server is accepted.
    config.host = "localhost".into();
    check(&config, &settings(&d)).await.unwrap();
}

#[tokio::test]
async fn the_host_guard_refuses_loopback_unless_private_addresses_are_allowed() {
    let d = Dovecot::start();
    let guarded = ConnectSettings {
        allow_private: false,
        ..settings(&d)
    };
    for host in ["127.0.0.1", "localhost"] {
        let mut config = mailbox(&d, Security::Tls);
        config.host = host.into();

        let err = check(&config, &guarded).await.unwrap_err();

        assert_eq!(
            err,
            MailError::ForbiddenHost(host.into(), "a loopback address"),
            "{host}"
        );
    }
    check(&mailbox(&d, Security::Tls), &settings(&d))
        .await
        .unwrap();
    // Refused before connecting: the one connection the server saw is the
    // allowed one.
    let log = d.log_once("Login: user=", 1).await;
    assert_eq!(log.matches("imap-login").count(), 1, "{log}");
}

#[tokio::test]
async fn starttls_chosen_on_a_server_without_tls_is_refused_before_logging_in() {
    let d = Dovecot::start_without_tls();

    let err = check(&mailbox(&d, Security::StartTls), &settings(&d))
        .await
        .unwrap_err();

    assert_eq!(err, MailError::StartTlsUnsupported);
    // The password was never sent: no login was attempted.
    assert_no_login_attempt(&d.log_once("Disconnected", 1).await);
}

#[tokio::test]
async fn tls_chosen_on_a_starttls_port_says_so() {
    let d = Dovecot::start();
    let mut config = mailbox(&d, Security::Tls);
    config.port = d.starttls_port;

    let err = check(&config, &settings(&d)).await.unwrap_err();

    let MailError::Protocol(why) = &err else {
        panic!("{err:?}");
    };
    assert!(why.contains("does not speak TLS"), "{why}");
}

#[tokio::test]
async fn a_port_where_nothing_listens_is_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = MailboxConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::Tls,
        username: USER.into(),
        password: PASSWORD.into(),
        folder: DEFAULT_FOLDER.into(),
    };
    let settings = ConnectSettings {
        allow_private: true,
        ..ConnectSettings::default()
    };

    let err = check(&config, &settings).await.unwrap_err();

    assert_eq!(
        err,
        MailError::Unreachable(
            "127.0.0.1".into(),
            format!("nothing answers on port {port}")
        )
    );
}

#[tokio::test]
async fn a_server_that_stops_answering_times_out() {
    // Accepts the connection, then says nothing (no greeting).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = std::thread::spawn(move || listener.accept().map(|(socket, _)| socket));
    let config = MailboxConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::StartTls,
        username: USER.into(),
        password: PASSWORD.into(),
        folder: DEFAULT_FOLDER.into(),
    };
    let settings = ConnectSettings {
        allow_private: true,
        command_timeout: Duration::from_millis(300),
        ..ConnectSettings::default()
    };

    let started = Instant::now();
    let err = check(&config, &settings).await.unwrap_err();

    assert_eq!(err, MailError::Timeout);
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(held.join());
}

#[tokio::test]
async fn fetch_new_reads_the_delivered_messages_then_only_newer_ones() {
    let d = Dovecot::start();
    let first = [message(1, "Application received"), message(2, "Interview")];
    for m in &first {
        d.deliver(m);
    }
    let config = mailbox(&d, Security::Tls);
    let settings = settings(&d);

    let fetch = fetch_new(&config, &settings, None, None, FetchLimits::default())
        .await
        .unwrap();

    let state = check(&config, &settings).await.unwrap();
    assert_eq!(fetch.uid_validity, state.uid_validity);
    assert!(!fetch.uid_validity_changed);
    assert!(!fetch.more);
    assert_eq!(fetch.messages.len(), 2);
    for (raw, sent) in fetch.messages.iter().zip(&first) {
        assert_eq!(raw.bytes.as_deref(), Some(sent.as_slice()));
        assert_eq!(raw.size as usize, sent.len());
        assert!(raw.internal_date.is_some());
    }
    assert_eq!(
        fetch.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(
        fetch.cursor,
        UidCursor {
            uid_validity: state.uid_validity,
            last_uid: 2
        }
    );

    // Nothing new: nothing read, the cursor stays.
    let again = fetch_new(
        &config,
        &settings,
        Some(fetch.cursor),
        None,
        FetchLimits::default(),
    )
    .await
    .unwrap();
    assert!(again.messages.is_empty());
    assert_eq!(again.cursor, fetch.cursor);

    // A message arriving between two reads comes in the next one, alone.
    let third = message(3, "Offer");
    d.deliver(&third);
    let next = fetch_new(
        &config,
        &settings,
        Some(again.cursor),
        None,
        FetchLimits::default(),
    )
    .await
    .unwrap();
    assert_eq!(next.messages.len(), 1);
    assert_eq!(next.messages[0].uid, 3);
    assert_eq!(next.messages[0].bytes.as_deref(), Some(third.as_slice()));
    assert_eq!(next.cursor.last_uid, 3);
}

#[tokio::test]
async fn since_is_the_exact_arrival_time_not_just_the_day() {
    let d = Dovecot::start();
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    d.deliver_at(&message(1, "Last week"), now - time::Duration::days(7));
    d.deliver_at(&message(2, "Two hours ago"), now - time::Duration::hours(2));
    d.deliver_at(
        &message(3, "Ten minutes ago"),
        now - time::Duration::minutes(10),
    );
    let since = now - time::Duration::hours(1);
    let config = mailbox(&d, Security::StartTls);

    let fetch = fetch_new(
        &config,
        &settings(&d),
        None,
        Some(since),
        FetchLimits::default(),
    )
    .await
    .unwrap();

    assert_eq!(fetch.messages.len(), 1, "{:?}", fetch.messages);
    assert_eq!(fetch.messages[0].uid, 3);
    assert_eq!(
        fetch.messages[0].internal_date,
        Some(now - time::Duration::minutes(10))
    );
    // The older ones are behind the cursor: never looked at again.
    assert_eq!(fetch.cursor.last_uid, 3);
}

#[tokio::test]
async fn a_message_over_the_size_limit_comes_without_its_bytes() {
    let d = Dovecot::start();
    let small = message(1, "Small");
    let mut big = message(2, "Big attachment");
    big.extend(std::iter::repeat_n(b'x', MAX_MESSAGE_BYTES));
    big.extend_from_slice(b"\r\n");
    d.deliver(&small);
    d.deliver(&big);
    d.deliver(&message(3, "After the big one"));

    let fetch = fetch_new(
        &mailbox(&d, Security::Tls),
        &settings(&d),
        None,
        None,
        FetchLimits::default(),
    )
    .await
    .unwrap();

    assert_eq!(fetch.messages.len(), 3);
    assert_eq!(fetch.messages[0].bytes.as_deref(), Some(small.as_slice()));
    assert_eq!(fetch.messages[1].bytes, None);
    assert_eq!(fetch.messages[1].size as usize, big.len());
    assert!(fetch.messages[2].bytes.is_some());
    assert_eq!(fetch.cursor.last_uid, 3);
    // Dovecot never sent it: it served two bodies in that session.
    let log = d.log_once("Logged out", 1).await;
    assert!(log.contains("body_count=2"), "{log}");
}

#[tokio::test]
async fn reading_changes_no_flag_in_the_mailbox() {
    let d = Dovecot::start();
    d.deliver(&message(1, "Unread, new"));
    d.deliver_with_flags(&message(2, "Read before"), SEEN);
    d.deliver_with_flags(&message(3, "Flagged and read"), &format!("{FLAGGED}{SEEN}"));
    d.deliver_with_flags(&message(4, "Unread, in cur"), "");
    d.deliver_with_flags(&message(5, "Answered"), &format!("{ANSWERED}{SEEN}"));
    let files_before = d.files();
    let flags_before = d.flags_of_all();
    let imap_before = d.flags_via_imap().await;
    assert_eq!(imap_before.len(), 5);
    let config = mailbox(&d, Security::Tls);
    let settings = settings(&d);

    check(&config, &settings).await.unwrap();
    let fetch = fetch_new(&config, &settings, None, None, FetchLimits::default())
        .await
        .unwrap();
    assert_eq!(fetch.messages.len(), 5);
    assert!(fetch.messages.iter().all(|m| m.bytes.is_some()));
    d.deliver(&message(6, "Arrives later"));
    let next = fetch_new(
        &config,
        &settings,
        Some(fetch.cursor),
        None,
        FetchLimits::default(),
    )
    .await
    .unwrap();
    assert_eq!(next.messages.len(), 1);
    let reread = fetch_new(
        &mailbox(&d, Security::StartTls),
        &settings,
        None,
        None,
        FetchLimits::default(),
    )
    .await
    .unwrap();
    assert_eq!(reread.messages.len(), 6);

    // In the Maildir: every file where it was, under the same name.
    let files_after = d.files();
    assert_eq!(files_after.len(), files_before.len() + 1);
    for file in &files_before {
        assert!(
            files_after.contains(file),
            "{file} changed: {files_after:?}"
        );
    }
    let flags_after = d.flags_of_all();
    for (name, flags) in &flags_before {
        assert_eq!(flags_after.get(name), Some(flags), "{name}");
    }
    // ...and as the server tells another session.
    let imap_after = d.flags_via_imap().await;
    for (uid, flags) in &imap_before {
        assert_eq!(imap_after.get(uid), Some(flags), "UID {uid}");
    }
    let unseen: Vec<u32> = imap_after
        .iter()
        .filter(|(_, flags)| !flags.iter().any(|f| f == "Seen"))
        .map(|(uid, _)| *uid)
        .collect();
    assert_eq!(unseen.len(), 3, "{imap_after:?}");

    // The control: a mail client's read (SELECT, BODY[] without PEEK) does
    // mark a message \Seen, and both witnesses see it.
    d.read_as_a_mail_client_would(unseen[0]).await;
    assert!(d.flags_via_imap().await[&unseen[0]].contains(&"Seen".to_owned()));
    let seen = |flags: &std::collections::BTreeMap<String, String>| {
        flags.values().filter(|f| f.contains(SEEN)).count()
    };
    assert_eq!(seen(&d.flags_of_all()), seen(&flags_after) + 1);
}

#[tokio::test]
async fn a_changed_uidvalidity_reads_the_folder_afresh() {
    let d = Dovecot::start();
    d.deliver(&message(1, "One"));
    d.deliver(&message(2, "Two"));
    let config = mailbox(&d, Security::Tls);
    let settings = settings(&d);
    let first = fetch_new(&config, &settings, None, None, FetchLimits::default())
        .await
        .unwrap();
    assert_eq!(first.cursor.last_uid, 2);

    d.reset_uid_validity();
    d.deliver(&message(3, "Three"));
    let fetch = fetch_new(
        &config,
        &settings,
        Some(first.cursor),
        None,
        FetchLimits::default(),
    )
    .await
    .unwrap();

    assert!(fetch.uid_validity_changed);
    assert_ne!(fetch.uid_validity, first.uid_validity);
    assert_eq!(fetch.cursor.uid_validity, fetch.uid_validity);
    assert_eq!(fetch.messages.len(), 3);
    assert_eq!(
        check(&config, &settings).await.unwrap().uid_validity,
        fetch.uid_validity
    );
}

#[tokio::test]
async fn a_full_batch_leaves_the_rest_for_the_next_call() {
    let d = Dovecot::start();
    for n in 1..=5 {
        d.deliver(&message(n, "Batch"));
    }
    let one = message(1, "Batch").len();
    // Room for two messages a call (a third would pass the budget).
    let limits = FetchLimits {
        message_bytes: MAX_MESSAGE_BYTES,
        batch_bytes: 2 * one + one / 2,
    };
    let config = mailbox(&d, Security::Tls);
    let settings = settings(&d);

    let mut cursor = None;
    let mut calls = Vec::new();
    loop {
        let fetch = fetch_new(&config, &settings, cursor, None, limits)
            .await
            .unwrap();
        calls.push(fetch.messages.iter().map(|m| m.uid).collect::<Vec<_>>());
        cursor = Some(fetch.cursor);
        if !fetch.more {
            break;
        }
        assert!(calls.len() < 10, "{calls:?}");
    }

    assert_eq!(calls, [vec![1, 2], vec![3, 4], vec![5]]);
    assert_eq!(cursor.unwrap().last_uid, 5);
}

/// Writes what a subscriber logs into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Logs of one check at trace level, through `filter`, on this thread.
async fn logs_of_a_check(d: &Dovecot, filter: tracing_subscriber::EnvFilter) -> String {
    // async-imap logs through `log`: bridged into tracing, all levels on.
    let _ = tracing_log::LogTracer::init();
    log::set_max_level(log::LevelFilter::Trace);
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    check(&mailbox(d, Security::Tls), &settings(d))
        .await
        .unwrap();
    captured.text()
}

#[tokio::test]
async fn the_password_is_in_no_log_even_at_trace_level() {
    let d = Dovecot::start();
    let secret = "horse";

    // Unfiltered, async-imap writes the LOGIN command out, password and all.
    let raw = logs_of_a_check(&d, tracing_subscriber::EnvFilter::new("trace")).await;
    assert!(
        raw.contains(secret),
        "async-imap no longer traces commands?\n{raw}"
    );

    // The server's filter switches that off, even when asked for it by name.
    let filter = jobcopilot::telemetry::silence_secrets(tracing_subscriber::EnvFilter::new(
        "trace,async_imap=trace,async_imap::imap_stream=trace",
    ));
    let served = logs_of_a_check(&d, filter).await;
    assert!(!served.contains(secret), "{served}");
    assert!(!served.contains(PASSWORD), "{served}");
}
