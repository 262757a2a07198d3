//! The Inbox and Settings → Mailbox over HTTP (no browser; `browser.rs`
//! runs the scripts): `.eml` files uploaded through the page's form become
//! suggestions that Apply, Edit and Dismiss decide with plain forms; a
//! refused decision comes back beside its suggestion; the navigation counts
//! what waits; a mailbox the server refuses is said beside the field.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{hidden, sign_up, spawn_app_with, TestApp};
use crate::pages::{api_token, follow, get, new_application, post, Page};

const SECRET_KEY: (&str, &str) = ("secret_key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");

/// A rejection from Acme's applicant tracking system; `n` makes each one
/// a different message.
fn rejection(n: u32) -> Vec<u8> {
    format!(
        "From: Acme Recruiting <no-reply@greenhouse.io>\r\n\
To: ada@example.com\r\n\
Subject: Your application to Acme Corp ({n})\r\n\
Date: Tue, 03 Mar 2026 10:00:00 -0800\r\n\
Message-ID: <rejection-{n}@greenhouse.io>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Hi Ada,\r\n\r\nThank you for your interest in the Senior Backend Engineer role at Acme Corp. \
After careful consideration, we have decided to move forward with other candidates.\r\n\r\n\
Best,\r\nAcme Recruiting\r\n"
    )
    .into_bytes()
}

/// Posts the Inbox page's upload form: multipart, with the page's `_csrf`.
async fn upload(app: &TestApp, b: &reqwest::Client, files: &[(&str, Vec<u8>)]) -> Page {
    let inbox = get(app, b, "/inbox").await;
    let mut form = reqwest::multipart::Form::new().text("_csrf", hidden(&inbox.html, "_csrf"));
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone())
                .file_name(name.to_string())
                .mime_str("message/rfc822")
                .unwrap(),
        );
    }
    let res = b
        .post(format!("{}/inbox/messages", app.address))
        .header("accept", "text/html")
        .multipart(form)
        .send()
        .await
        .unwrap();
    Page {
        status: res.status(),
        location: res
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned()),
        html: res.text().await.unwrap(),
    }
}

/// The Inbox page once it lists `n` suggestions waiting (the mail workers
/// read uploads in the background).
async fn inbox_with_pending(app: &TestApp, b: &reqwest::Client, n: usize) -> Page {
    for _ in 0..300 {
        let page = get(app, b, "/inbox").await;
        if page
            .html
            .matches("class=\"suggestion state-pending\"")
            .count()
            == n
        {
            return page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the inbox never listed {n} waiting suggestions");
}

/// The ids of the suggestions on a page, in order.
fn suggestion_ids(html: &str) -> Vec<String> {
    html.split("<li class=\"suggestion ")
        .skip(1)
        .map(|s| {
            s.split("id=\"s-")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// The markup of one suggestion.
fn suggestion<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"s-{id}\""))
        .unwrap_or_else(|| panic!("no suggestion {id}"));
    let end = start + html[start..].find("</article>").unwrap();
    &html[start..end]
}

/// The navigation's count of waiting suggestions (None when hidden).
fn badge(html: &str) -> Option<u32> {
    let at = html
        .find("data-inbox-count")
        .expect("the Inbox link has its count");
    let tag_end = at + html[at..].find('>').unwrap();
    if html[at..tag_end].contains("hidden") {
        return None;
    }
    let count = html[at..].split("<span data-count>").nth(1).unwrap();
    Some(count.split('<').next().unwrap().parse().unwrap())
}

/// Acme's application, applied, made through the form; its id.
async fn acme(app: &TestApp, b: &reqwest::Client) -> String {
    new_application(
        app,
        b,
        &[
            ("company", "Acme Corp"),
            ("title", "Senior Backend Engineer"),
            ("status", "applied"),
        ],
    )
    .await
}

async fn status_of(app: &TestApp, token: &str, id: &str) -> String {
    let res = app.get(token, &format!("/api/v1/applications/{id}")).await;
    res.body["status"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn an_uploaded_message_is_applied_from_the_inbox_and_the_badge_counts_what_waits() {
    let app = spawn_app_with(&[SECRET_KEY]).await;
    let b = sign_up(&app, "ada@example.com").await;
    let id = acme(&app, &b).await;
    let token = api_token(&app, &b).await;

    let empty = get(&app, &b, "/inbox").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.html.contains("No suggestions yet"), "{}", empty.html);
    assert!(empty
        .html
        .contains("<a href=\"/settings#mailbox\">Connect your mailbox</a>"));
    assert_eq!(badge(&empty.html), None, "nothing waits");

    let sent = upload(&app, &b, &[("rejection.eml", rejection(1))]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    assert_eq!(sent.location.as_deref(), Some("/inbox"));
    let back = follow(&app, &b, &sent).await;
    assert!(
        back.html
            .contains("1 message received; suggestions appear in a moment."),
        "{}",
        back.html
    );

    let page = inbox_with_pending(&app, &b, 1).await;
    let sid = suggestion_ids(&page.html).remove(0);
    let shown = suggestion(&page.html, &sid);
    assert!(
        shown.contains("Your application to Acme Corp (1)"),
        "{shown}"
    );
    assert!(
        shown.contains("Acme Recruiting &lt;no-reply@greenhouse.io&gt;"),
        "{shown}"
    );
    assert!(shown.contains(">Rejection</span>"), "{shown}");
    assert!(shown.contains("% sure"));
    assert!(
        shown.contains("move forward with other candidates"),
        "the snippet"
    );
    assert!(
        shown.contains(&format!(
            "<a href=\"/applications/{id}\">Acme Corp — Senior Backend Engineer</a>"
        )),
        "the matched application, linked: {shown}"
    );
    assert!(shown.contains("Applied → Rejected"), "{shown}");
    assert_eq!(badge(&page.html), Some(1));
    // Other pages are remembered until the mail worker's news of it (sent
    // after its commit) reaches the user's actor: at once, or a moment later.
    let mut elsewhere = get(&app, &b, "/applications").await;
    for _ in 0..100 {
        if badge(&elsewhere.html).is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        elsewhere = get(&app, &b, "/applications").await;
    }
    assert_eq!(badge(&elsewhere.html), Some(1), "every page counts it");
    assert_eq!(
        status_of(&app, &token, &id).await,
        "applied",
        "nothing changed by itself"
    );

    let res = post(
        &app,
        &b,
        &format!("/inbox/{sid}/apply"),
        &[("back", "/inbox")],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let after = follow(&app, &b, &res).await;
    assert!(
        after.html.contains("Applied: Acme Corp moved to Rejected."),
        "{}",
        after.html
    );
    assert_eq!(status_of(&app, &token, &id).await, "rejected");
    let decided = suggestion(&after.html, &sid);
    assert!(decided.contains("decided-applied"), "{decided}");
    assert!(
        !decided.contains("/apply\""),
        "no more buttons once decided"
    );
    assert_eq!(badge(&after.html), None);
    let history = app
        .get(&token, &format!("/api/v1/applications/{id}/history"))
        .await;
    let last = history.body["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        last["note"],
        "From email: Your application to Acme Corp (1)"
    );
}

#[actix_web::test]
async fn a_suggestion_is_dismissed_or_edited_then_applied_from_the_inbox() {
    let app = spawn_app_with(&[SECRET_KEY]).await;
    let b = sign_up(&app, "ada@example.com").await;
    let id = acme(&app, &b).await;
    let token = api_token(&app, &b).await;
    let sent = upload(
        &app,
        &b,
        &[("one.eml", rejection(1)), ("two.eml", rejection(2))],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    let back = follow(&app, &b, &sent).await;
    assert!(back.html.contains("2 messages received"), "{}", back.html);
    let page = inbox_with_pending(&app, &b, 2).await;
    assert_eq!(badge(&page.html), Some(2));
    let ids = suggestion_ids(&page.html);
    let (first, second) = (&ids[0], &ids[1]);

    // Dismiss: nothing changes but the suggestion.
    let res = post(
        &app,
        &b,
        &format!("/inbox/{first}/dismiss"),
        &[("back", "/inbox")],
    )
    .await;
    let after = follow(&app, &b, &res).await;
    assert!(
        after.html.contains("Dismissed; nothing changed"),
        "{}",
        after.html
    );
    assert!(suggestion(&after.html, first).contains("decided-dismissed"));
    assert_eq!(status_of(&app, &token, &id).await, "applied");
    assert_eq!(badge(&after.html), Some(1));

    // Edit, then apply: the edited status, not the proposed one.
    let edit_form = suggestion(&after.html, second);
    assert!(
        edit_form.contains("<summary>Edit, then apply"),
        "{edit_form}"
    );
    assert!(edit_form.contains(&format!("<select id=\"e-{second}-status\" name=\"status\"")));
    let res = post(
        &app,
        &b,
        &format!("/inbox/{second}/apply"),
        &[
            ("edit", "1"),
            ("status", "interviewing"),
            ("back", "/inbox"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let after = follow(&app, &b, &res).await;
    assert!(
        after
            .html
            .contains("Applied: Acme Corp moved to Interviewing."),
        "{}",
        after.html
    );
    assert_eq!(status_of(&app, &token, &id).await, "interviewing");
    let applied = suggestion(&after.html, second);
    assert!(applied.contains("decided-applied"));
    assert!(
        applied.contains("→ Interviewing"),
        "the edit is what was applied: {applied}"
    );
    assert_eq!(badge(&after.html), None);

    // The filter shows one state.
    let only = get(&app, &b, "/inbox?state=dismissed").await;
    assert_eq!(suggestion_ids(&only.html), vec![first.clone()]);
}

#[actix_web::test]
async fn a_refused_decision_is_said_beside_its_suggestion_and_another_users_is_not_found() {
    let app = spawn_app_with(&[SECRET_KEY]).await;
    let b = sign_up(&app, "ada@example.com").await;
    let id = acme(&app, &b).await;
    let token = api_token(&app, &b).await;
    let sent = upload(&app, &b, &[("rejection.eml", rejection(1))]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    let page = inbox_with_pending(&app, &b, 1).await;
    let sid = suggestion_ids(&page.html).remove(0);

    // A change the pipeline forbids: its message beside the suggestion,
    // the edit kept open with what was chosen.
    let res = post(
        &app,
        &b,
        &format!("/inbox/{sid}/apply"),
        &[("edit", "1"), ("status", "wishlist"), ("back", "/inbox")],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.html);
    let shown = suggestion(&res.html, &sid);
    assert!(
        shown.contains(&format!(
            "<p class=\"alert\" role=\"alert\" id=\"s-{sid}-error\">Nothing changed: Applied cannot move to Wishlist; it can move to: Screening, Interviewing, Offer, Rejected, Withdrawn, Ghosted.</p>"
        )),
        "{shown}"
    );
    assert!(shown.contains("<details class=\"edit\" open>"), "{shown}");
    assert!(
        shown.contains("<option value=\"wishlist\" selected>"),
        "{shown}"
    );
    assert_eq!(status_of(&app, &token, &id).await, "applied");
    assert_eq!(badge(&res.html), Some(1), "still waiting");

    // An edit the rules refuse: the message beside the field.
    let res = post(
        &app,
        &b,
        &format!("/inbox/{sid}/apply"),
        &[("edit", "1"), ("status", "hired"), ("back", "/inbox")],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        suggestion(&res.html, &sid).contains(&format!("id=\"e-{sid}-status-error\"")),
        "{}",
        res.html
    );

    // Another user's suggestion: not found, and nothing changes.
    let eve = sign_up(&app, "eve@example.com").await;
    for action in ["apply", "dismiss"] {
        let res = post(&app, &eve, &format!("/inbox/{sid}/{action}"), &[]).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{action}");
        assert!(res.html.contains("Page not found"), "{}", res.html);
    }
    let theirs = get(&app, &eve, "/inbox").await;
    assert!(suggestion_ids(&theirs.html).is_empty());
    assert_eq!(badge(&theirs.html), None);

    // Decided once: a second decision is refused beside it (409).
    let res = post(&app, &b, &format!("/inbox/{sid}/dismiss"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let res = post(&app, &b, &format!("/inbox/{sid}/apply"), &[]).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.html);
    assert!(
        suggestion(&res.html, &sid)
            .contains("Nothing changed: this suggestion was already dismissed."),
        "{}",
        res.html
    );
    assert_eq!(status_of(&app, &token, &id).await, "applied");

    // An upload with no file chosen, or without the form's token.
    let res = upload(&app, &b, &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .html
        .contains("id=\"eml-files-error\">Choose one or more .eml files first."));
    let forged = b
        .post(format!("{}/inbox/messages", app.address))
        .header("accept", "text/html")
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(rejection(9)).file_name("x.eml"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_mailbox_the_server_refuses_is_said_beside_the_host_with_the_input_kept() {
    let app = spawn_app_with(&[SECRET_KEY]).await;
    let b = sign_up(&app, "ada@example.com").await;
    let token = api_token(&app, &b).await;
    let settings = get(&app, &b, "/settings").await;
    assert!(settings.html.contains("<h2 id=\"mailbox-h\">Mailbox</h2>"));
    assert!(settings.html.contains("<a href=\"#mailbox\">Mailbox</a>"));
    assert!(settings.html.contains("Connect the mailbox"));
    assert!(
        !settings.html.contains("JOBCOPILOT_SECRET_KEY"),
        "the key is set"
    );

    let res = post(
        &app,
        &b,
        "/settings/mailbox",
        &[
            ("host", "127.0.0.1"),
            ("port", "1"),
            ("security", "starttls"),
            ("username", "ada@example.com"),
            ("password", "app password 1234"),
            ("folder", "INBOX"),
            ("since", "2026-03-01"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.html);
    let host_error = res
        .html
        .split("<p class=\"field-error\" id=\"mb-host-error\">")
        .nth(1)
        .expect("the error beside the host")
        .split('<')
        .next()
        .unwrap();
    assert!(
        host_error.starts_with("127.0.0.1 is ") && host_error.contains("does not connect to"),
        "{host_error}"
    );
    assert!(res
        .html
        .contains("id=\"mb-host\" name=\"host\" type=\"text\" value=\"127.0.0.1\""));
    assert!(res.html.contains("value=\"ada@example.com\""));
    assert!(res.html.contains("value=\"2026-03-01\""), "the day kept");
    assert!(res.html.contains("<option value=\"starttls\" selected>"));
    assert!(
        !res.html.contains("app password 1234"),
        "never the password again"
    );
    assert_eq!(
        app.get(&token, "/api/v1/mailbox").await.status,
        404,
        "nothing stored"
    );

    // A field the form needs: said beside it before any connection.
    let res = post(
        &app,
        &b,
        "/settings/mailbox",
        &[
            ("host", "imap.example.com"),
            ("port", "993"),
            ("security", "tls"),
            ("username", "ada"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.html.contains("id=\"mb-password-error\""),
        "{}",
        res.html
    );

    // Auto-apply: off by default, on by the checkbox.
    let checkbox = settings
        .html
        .split("name=\"auto_apply\"")
        .nth(1)
        .unwrap()
        .split('>')
        .next()
        .unwrap();
    assert!(!checkbox.contains("checked"), "off by default: {checkbox}");
    let res = post(&app, &b, "/settings/inbox", &[("auto_apply", "true")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let after = follow(&app, &b, &res).await;
    assert!(after.html.contains("Auto-apply is on"), "{}", after.html);
    assert_eq!(
        app.get(&token, "/api/v1/inbox/settings").await.body["auto_apply"],
        true
    );
    let res = post(&app, &b, "/settings/inbox", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get(&token, "/api/v1/inbox/settings").await.body["auto_apply"],
        false
    );

    // Sync now without a mailbox says so.
    let res = post(&app, &b, "/settings/mailbox/sync", &[]).await;
    let after = follow(&app, &b, &res).await;
    assert!(after.html.contains("No mailbox is connected."));
}
