//! A mailbox to connect: where it is, how to log in, which folder, from
//! when on. What the API takes; the login itself is tried elsewhere.

use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::account::PASSWORD_MAX;
use super::fields::{Fields, Patch, Presence, ValidationError};

pub const DEFAULT_FOLDER: &str = "INBOX";

/// How the connection to the mail server is encrypted; never not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (IMAPS, usually port 993).
    Tls,
    /// A plain connection upgraded with STARTTLS before logging in (usually
    /// port 143); refused when the server does not offer it.
    StartTls,
}

impl Security {
    pub const CHOICES: [(&'static str, Security); 2] =
        [("tls", Security::Tls), ("starttls", Security::StartTls)];

    pub fn as_str(self) -> &'static str {
        match self {
            Security::Tls => "tls",
            Security::StartTls => "starttls",
        }
    }

    pub fn parse(s: &str) -> Option<Security> {
        Self::CHOICES.iter().find(|(n, _)| *n == s).map(|(_, v)| *v)
    }
}

/// A validated mailbox request (the password kept exactly as sent).
#[derive(Clone, PartialEq, Eq)]
pub struct MailboxInput {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: String,
    pub folder: String,
    pub since: Option<OffsetDateTime>,
}

impl std::fmt::Debug for MailboxInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxInput")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish_non_exhaustive()
    }
}

/// A host name or address: letters, digits, dots, dashes, colons (IPv6),
/// no scheme, no path, no spaces.
fn is_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 253
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

impl MailboxInput {
    pub fn parse(body: &Map<String, Value>) -> Result<MailboxInput, ValidationError> {
        let mut f = Fields::new(body);
        let host = f.text("host", 253, Presence::Required);
        f.require("host", &host);
        let host = match host {
            Patch::Set(h) if !is_host(&h) => {
                f.error(
                    "host",
                    "must be a host name such as imap.example.com (no scheme, no path)",
                );
                None
            }
            other => other.into_option(),
        };
        let port = f.integer("port", 1, 65_535, Presence::Required);
        f.require("port", &port);
        let security = f.choice("security", &Security::CHOICES, Presence::Required);
        f.require("security", &security);
        let username = f.text("username", 320, Presence::Required);
        f.require("username", &username);
        let password = f.text("password", PASSWORD_MAX, Presence::Required);
        f.require("password", &password);
        let folder = f.text("folder", 200, Presence::Optional);
        let since = f.timestamp("since", Presence::Optional);
        f.finish()?;
        // The password exactly as sent (spaces may be part of it).
        let exact = match body.get("password") {
            Some(Value::String(p)) => p.clone(),
            _ => String::new(),
        };
        Ok(MailboxInput {
            host: host.unwrap_or_default().to_ascii_lowercase(),
            port: port.into_option().unwrap_or(993) as u16,
            security: security.into_option().unwrap_or(Security::Tls),
            username: username.into_option().unwrap_or_default(),
            password: exact,
            folder: folder
                .into_option()
                .unwrap_or_else(|| DEFAULT_FOLDER.to_owned()),
            since: since.into_option(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<MailboxInput, ValidationError> {
        MailboxInput::parse(v.as_object().unwrap())
    }

    #[test]
    fn a_mailbox_needs_host_port_security_and_a_login() {
        let m = parse(
            json!({"host": "IMAP.Example.com", "port": 993, "security": "tls",
                             "username": "ada", "password": " secret "}),
        )
        .unwrap();
        assert_eq!(
            (m.host.as_str(), m.port, m.folder.as_str()),
            ("imap.example.com", 993, "INBOX")
        );
        assert_eq!(m.password, " secret ");
        assert!(!format!("{m:?}").contains("secret"));
        for (body, field) in [
            (
                json!({"port": 993, "security": "tls", "username": "a", "password": "p"}),
                "host",
            ),
            (
                json!({"host": "https://imap.example.com", "port": 993, "security": "tls", "username": "a", "password": "p"}),
                "host",
            ),
            (
                json!({"host": "imap.example.com", "port": 0, "security": "tls", "username": "a", "password": "p"}),
                "port",
            ),
            (
                json!({"host": "imap.example.com", "port": 993, "security": "none", "username": "a", "password": "p"}),
                "security",
            ),
            (
                json!({"host": "imap.example.com", "port": 993, "security": "tls", "password": "p"}),
                "username",
            ),
            (
                json!({"host": "imap.example.com", "port": 993, "security": "tls", "username": "a"}),
                "password",
            ),
        ] {
            let e = parse(body.clone()).expect_err(&body.to_string());
            assert_eq!(e.errors[0].field, field, "{body}");
        }
    }
}
