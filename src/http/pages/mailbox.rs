//! Settings → Mailbox: connect an IMAP mailbox (the login and the folder
//! are tried first; a refusal comes back beside the field it names, with
//! the input kept and the password never filled again), read it now,
//! disconnect it, and the auto-apply setting.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde_json::Value;

use super::filters::local_input_to_utc;
use super::forms::{errors_by_field, to_json, Empty, Kind};
use super::settings::{render, Overlay, Section};
use super::{done, Poster};
use crate::domain::mailbox::{MailboxInput, DEFAULT_FOLDER};
use crate::domain::time::format_timestamp;
use crate::error::{Error, Result};
use crate::http::inbox::{connect_mailbox, queue_sync};
use crate::http::AppState;
use crate::store::mail::{self as store, MailboxRow};

const FIELDS: [(&str, Kind); 5] = [
    ("host", Kind::Text),
    ("port", Kind::Integer),
    ("security", Kind::Text),
    ("username", Kind::Text),
    ("folder", Kind::Text),
];

/// The connect form's values: the connected mailbox's (to change it), else
/// the usual defaults. Never a password.
pub(super) fn form_values(mailbox: Option<&MailboxRow>) -> HashMap<String, String> {
    let mut v = HashMap::from([
        ("port".to_owned(), "993".to_owned()),
        ("security".to_owned(), "tls".to_owned()),
        ("folder".to_owned(), DEFAULT_FOLDER.to_owned()),
    ]);
    if let Some(m) = mailbox {
        v.insert("host".into(), m.host.clone());
        v.insert("port".into(), m.port.to_string());
        v.insert("security".into(), m.security.clone());
        v.insert("username".into(), m.username.clone());
        v.insert("folder".into(), m.folder.clone());
    }
    v
}

/// The connected mailbox as the section shows it.
pub(super) fn shown(m: &MailboxRow) -> minijinja::Value {
    context! {
        host => m.host, port => m.port, username => m.username, folder => m.folder,
        security => if m.security == "starttls" { "STARTTLS" } else { "TLS" },
        since => format_timestamp(m.since),
        last_sync_at => m.last_sync_at.map(format_timestamp),
        last_error => m.last_error.as_deref().map(sentence),
        messages_seen => m.messages_seen,
    }
}

/// A mail error ("the mail server refused …") as a sentence for the page.
fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// The form as the API's body: the password exactly as typed; a "since"
/// day is its first moment in the user's zone.
fn body(form: &super::FormData, zone: &str) -> serde_json::Map<String, Value> {
    let mut body = to_json(form, &FIELDS, Empty::Omit, zone);
    let password = form.get("password");
    if !password.is_empty() {
        body.insert("password".into(), Value::String(password.to_owned()));
    }
    let since = form.get("since").trim();
    if !since.is_empty() {
        let start = local_input_to_utc(&format!("{since}T00:00"), zone);
        body.insert(
            "since".into(),
            Value::String(start.unwrap_or_else(|| since.to_owned())),
        );
    }
    body
}

/// `POST /settings/mailbox`: tries the login and the folder, then keeps the
/// mailbox and queues its first reading.
pub async fn connect(
    state: web::Data<AppState>,
    req: HttpRequest,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let mut kept = form.values();
    kept.remove("password");
    let refused = |errors: HashMap<String, String>, alert: Option<String>| {
        let mut overlay = Overlay::default();
        overlay.mailbox = Section {
            values: Some(kept.clone()),
            errors,
        };
        overlay.mailbox_alert = alert;
        overlay
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let input = match MailboxInput::parse(&body(&form, viewer.timezone())) {
        Ok(i) => i,
        Err(e) => {
            let mut errors = errors_by_field(&e);
            if let Some(m) = errors.get_mut("since") {
                *m = "Read mail since must be a date.".to_owned();
            }
            return render(&state, &req, &viewer, unprocessable, refused(errors, None)).await;
        }
    };
    match connect_mailbox(&state, viewer.auth.user_id, &input).await {
        Ok(m) => Ok(done(
                &state,
                "/settings#mailbox",
                &format!(
                    "Mailbox connected: {} at {}. Its mail is read in the background; suggestions appear in the Inbox.",
                    m.username, m.host
                ),
            )),
        // The server refused: the message names what (host, password,
        // folder or security), said as the mail client found it.
        Err(Error::Validation(e)) => {
            let errors = e
                .errors
                .iter()
                .map(|fe| (fe.field.clone(), sentence(&fe.message)))
                .collect();
            render(&state, &req, &viewer, unprocessable, refused(errors, None)).await
        }
        Err(Error::Unavailable(_)) => {
            let alert = "This server cannot keep mailbox passwords yet: the operator must set JOBCOPILOT_SECRET_KEY. Nothing was stored.".to_owned();
            let status = StatusCode::SERVICE_UNAVAILABLE;
            render(
                &state,
                &req,
                &viewer,
                status,
                refused(HashMap::new(), Some(alert)),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// `POST /settings/mailbox/sync`: reads new mail now (queued once).
pub async fn sync_now(
    state: web::Data<AppState>,
    Poster { viewer, .. }: Poster,
) -> Result<HttpResponse> {
    let message = match queue_sync(&state, viewer.auth.user_id).await {
        Ok(()) => "New mail is being read; suggestions appear in the Inbox in a moment.",
        Err(Error::NotFound) => "No mailbox is connected.",
        Err(e) => return Err(e),
    };
    Ok(done(&state, "/settings#mailbox", message))
}

/// `POST /settings/mailbox/delete`: the stored password goes with it.
pub async fn disconnect(
    state: web::Data<AppState>,
    Poster { viewer, .. }: Poster,
) -> Result<HttpResponse> {
    let client = state.pool.get().await?;
    let message = if store::delete_mailbox(&client, viewer.auth.user_id).await? {
        "Mailbox disconnected; its stored password is deleted. Suggestions already made stay in the Inbox."
    } else {
        "No mailbox is connected."
    };
    Ok(done(&state, "/settings#mailbox", message))
}

/// `POST /settings/inbox`: whether sure suggestions apply themselves.
pub async fn auto_apply(
    state: web::Data<AppState>,
    Poster { viewer, form }: Poster,
) -> Result<HttpResponse> {
    let on = form.get("auto_apply") == "true";
    let client = state.pool.get().await?;
    store::set_auto_apply(&client, viewer.auth.user_id, on).await?;
    let message = if on {
        "Auto-apply is on: suggestions at least 90 % sure about one of your applications apply themselves."
    } else {
        "Auto-apply is off: every suggestion waits for your click."
    };
    Ok(done(&state, "/settings#mailbox", message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_errors_read_as_sentences() {
        assert_eq!(
            sentence("127.0.0.1 is a loopback address, which this server does not connect to"),
            "127.0.0.1 is a loopback address, which this server does not connect to."
        );
        assert_eq!(
            sentence("the mail server refused the username or password"),
            "The mail server refused the username or password."
        );
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn a_since_day_starts_in_the_users_zone_and_the_password_is_kept_exactly() {
        let form = super::super::FormData(vec![
            ("host".into(), "imap.example.com".into()),
            ("port".into(), "993".into()),
            ("password".into(), " app pass ".into()),
            ("since".into(), "2026-03-01".into()),
        ]);
        let b = body(&form, "Europe/Berlin");
        assert_eq!(b["since"], "2026-02-28T23:00:00Z");
        assert_eq!(b["password"], " app pass ");
        assert_eq!(b["port"], 993);
    }
}
