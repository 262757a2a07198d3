//! The web UI over HTTP (no browser): every action is a plain form that
//! posts and redirects; refused forms come back with the errors beside the
//! fields and the input kept; untrusted text is escaped everywhere.

use reqwest::StatusCode;

use crate::helpers::{hidden, sign_up};
use crate::helpers::{spawn_app, TestApp};

pub(crate) struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub html: String,
}

pub(crate) async fn get(app: &TestApp, b: &reqwest::Client, path: &str) -> Page {
    let res = b
        .get(format!("{}{path}", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    page(res).await
}

async fn page(res: reqwest::Response) -> Page {
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    Page {
        status,
        location,
        html: res.text().await.unwrap(),
    }
}

/// Posts a form from a signed-in page (with the session's CSRF token).
pub(crate) async fn post(
    app: &TestApp,
    b: &reqwest::Client,
    action: &str,
    fields: &[(&str, &str)],
) -> Page {
    let home = get(app, b, "/settings/tokens").await;
    let csrf = hidden(&home.html, "_csrf");
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let res = b
        .post(format!("{}{action}", app.address))
        .header("accept", "text/html")
        .form(&form)
        .send()
        .await
        .unwrap();
    page(res).await
}

/// Follows a redirect (the browser in these tests does not).
pub(crate) async fn follow(app: &TestApp, b: &reqwest::Client, p: &Page) -> Page {
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.html);
    get(app, b, p.location.as_deref().unwrap()).await
}

pub(crate) async fn new_application(
    app: &TestApp,
    b: &reqwest::Client,
    fields: &[(&str, &str)],
) -> String {
    let res = post(app, b, "/applications/new", fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.html);
    let loc = res.location.unwrap();
    loc.trim_start_matches("/applications/").to_owned()
}

#[actix_web::test]
async fn a_new_application_from_the_form_is_on_its_page_in_the_table_and_on_the_dashboard() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let empty = get(&app, &b, "/").await;
    assert!(
        empty.html.contains("Start your search here"),
        "an empty state says what to do first"
    );

    let res = post(
        &app,
        &b,
        "/applications/new",
        &[
            ("company", "Acme"),
            ("title", "Rust engineer"),
            ("status", "applied"),
            ("tags", "rust, remote"),
            ("salary_min", "120,000"),
            ("next_action_at", "2030-01-15T09:30"),
        ],
    )
    .await;
    let detail = follow(&app, &b, &res).await;
    assert_eq!(detail.status, 200);
    assert!(
        detail.html.contains("Added Acme — Rust engineer."),
        "a flash message after the action"
    );
    assert!(detail.html.contains("value=\"rust, remote\""));
    assert!(detail.html.contains("value=\"120000\""));
    assert!(
        detail.html.contains("value=\"2030-01-15T09:30\""),
        "the local time comes back as typed (UTC user)"
    );
    // The flash is shown once.
    let again = get(&app, &b, detail_path(&res).as_str()).await;
    assert!(!again.html.contains("Added Acme"));

    let table = get(&app, &b, "/applications").await;
    assert!(table.html.contains("Acme") && table.html.contains("Rust engineer"));
    let dashboard = get(&app, &b, "/").await;
    assert!(
        dashboard.html.contains("<svg class=\"chart chart-funnel\""),
        "charts are drawn on the server"
    );
    assert!(
        dashboard.html.contains("<title id=\"funnel-title\">"),
        "charts have titles"
    );
    assert!(
        dashboard.html.contains("<caption>Funnel</caption>"),
        "and a table for screen readers"
    );
}

fn detail_path(res: &Page) -> String {
    res.location.clone().unwrap()
}

#[actix_web::test]
async fn an_invalid_form_comes_back_with_errors_beside_the_fields_and_the_input_kept() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let res = post(
        &app,
        &b,
        "/applications/new",
        &[
            ("company", ""),
            ("title", "Staff engineer"),
            ("url", "ftp://example.com/job"),
            ("salary_min", "lots"),
            ("job_description", "A long description the user pasted"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = &res.html;
    assert!(html.contains("id=\"f-company-error\""), "{html}");
    assert!(
        html.contains("Company is required") || html.contains("Company must not be empty"),
        "{html}"
    );
    assert!(html.contains("id=\"f-url-error\""));
    assert!(html.contains("id=\"f-salary_min-error\""));
    assert!(html.contains("value=\"Staff engineer\""), "input kept");
    assert!(
        html.contains("value=\"ftp:&#x2f;&#x2f;example.com&#x2f;job\""),
        "kept (escaped)"
    );
    assert!(html.contains("value=\"lots\""));
    assert!(html.contains(">A long description the user pasted</textarea>"));
    assert!(html.contains("aria-invalid=\"true\""));
    let table = get(&app, &b, "/applications").await;
    assert!(
        table.html.contains("No applications yet"),
        "nothing was created"
    );
}

#[actix_web::test]
async fn text_that_looks_like_html_is_shown_as_text_on_every_page() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let id = new_application(
        &app,
        &b,
        &[
            ("company", "<script>alert(1)</script>"),
            ("title", "<img src=x onerror=alert(2)>"),
            ("status", "applied"),
        ],
    )
    .await;
    let note = post(
        &app,
        &b,
        &format!("/applications/{id}/notes"),
        &[("body", "<b>bold</b>")],
    )
    .await;
    assert_eq!(note.status, StatusCode::SEE_OTHER);
    for path in [
        "/",
        "/applications",
        "/applications/board",
        &format!("/applications/{id}"),
    ] {
        let p = get(&app, &b, path).await;
        assert_eq!(p.status, 200, "{path}");
        assert!(!p.html.contains("<script>alert(1)"), "{path}");
        assert!(!p.html.contains("<img src=x"), "{path}");
        assert!(
            p.html
                .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
                || p.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path}"
        );
    }
    let detail = get(&app, &b, &format!("/applications/{id}")).await;
    assert!(detail.html.contains("&lt;b&gt;bold&lt;"));
}

#[actix_web::test]
async fn a_stale_edit_shows_what_changed_instead_of_overwriting() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let id = new_application(&app, &b, &[("company", "Acme"), ("title", "Engineer")]).await;
    let path = format!("/applications/{id}");
    let opened = get(&app, &b, &path).await;
    let version = hidden(
        opened.html.split("id=\"edit-h\"").nth(1).unwrap(),
        "version",
    );
    assert_eq!(version, "1");

    // Meanwhile, another tab saves a new title.
    let other = post(
        &app,
        &b,
        &path,
        &[
            ("version", "1"),
            ("company", "Acme"),
            ("title", "Senior engineer"),
        ],
    )
    .await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);

    let mine = post(
        &app,
        &b,
        &path,
        &[
            ("version", "1"),
            ("company", "Acme"),
            ("title", "Lead engineer"),
        ],
    )
    .await;
    assert_eq!(mine.status, StatusCode::CONFLICT);
    assert!(mine.html.contains("Someone else saved this application"));
    assert!(
        mine.html.contains("<td>Senior engineer</td>"),
        "what is saved now"
    );
    assert!(
        mine.html.contains("<td>Lead engineer</td>"),
        "what the user typed"
    );
    assert!(
        mine.html.contains("value=\"Lead engineer\""),
        "the input is kept in the form"
    );
    assert!(
        mine.html.contains("name=\"version\" value=\"2\""),
        "saving again is a knowing overwrite"
    );
    let now = get(&app, &b, &path).await;
    assert!(
        now.html.contains("value=\"Senior engineer\""),
        "nothing was overwritten"
    );
}

#[actix_web::test]
async fn a_forbidden_status_change_is_explained_with_the_allowed_moves() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let id = new_application(&app, &b, &[("company", "Acme"), ("title", "Engineer")]).await;
    let res = post(
        &app,
        &b,
        &format!("/applications/{id}/status"),
        &[("status", "offer"), ("status_note", "keep me")],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.html
            .contains("Wishlist cannot move to Offer; it can move to: Applied, Withdrawn."),
        "{}",
        res.html
    );
    assert!(res.html.contains("value=\"keep me\""));
    let ok = post(
        &app,
        &b,
        &format!("/applications/{id}/status"),
        &[("status", "applied"), ("back", "board")],
    )
    .await;
    assert_eq!(ok.location.as_deref(), Some("/applications/board"));
    let board = follow(&app, &b, &ok).await;
    assert!(board.html.contains("Acme moved to Applied."));
}

#[actix_web::test]
async fn status_menus_start_on_choose_and_an_unchosen_move_is_refused_with_the_note_kept() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let id = new_application(
        &app,
        &b,
        &[
            ("company", "Acme"),
            ("title", "Engineer"),
            ("status", "applied"),
        ],
    )
    .await;
    let path = format!("/applications/{id}");
    for page in [path.as_str(), "/applications/board"] {
        let html = get(&app, &b, page).await.html;
        let menu = html
            .split("name=\"status\" required")
            .nth(1)
            .unwrap_or_else(|| panic!("{page} has a required status menu:\n{html}"));
        let menu = menu.split("</select>").next().unwrap();
        assert!(
            menu.trim_start().starts_with(">")
                && menu.contains("<option value=\"\">Choose…</option>"),
            "{page}: {menu}"
        );
        assert!(!menu.contains("selected"), "{page}: nothing is preselected");
    }
    let res = post(
        &app,
        &b,
        &format!("/applications/{id}/status"),
        &[
            ("status", ""),
            ("status_note", "keep me"),
            ("back", "board"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.html
            .contains("Choose the status to move to; nothing was changed."),
        "{}",
        res.html
    );
    assert!(res.html.contains("value=\"keep me\""), "the note is kept");
    let now = get(&app, &b, &path).await;
    assert!(now.html.contains("status status-applied"), "still applied");
}

#[actix_web::test]
async fn what_to_do_next_is_grouped_by_kind_with_the_rest_behind_show_all() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let today = time::OffsetDateTime::now_utc().date();
    for (i, company) in ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]
        .into_iter()
        .enumerate()
    {
        let deadline = (today + time::Duration::days(i as i64 + 1)).to_string();
        new_application(
            &app,
            &b,
            &[
                ("company", company),
                ("title", "Engineer"),
                ("deadline", &deadline),
            ],
        )
        .await;
    }
    let html = get(&app, &b, "/").await.html;
    let group = html
        .split("<section class=\"action-group action-deadline\"")
        .nth(1)
        .expect("a group of deadlines")
        .split("</section>")
        .next()
        .unwrap();
    assert!(group.contains("Deadlines"), "{group}");
    let (shown, rest) = group.split_once("<details class=\"more\">").unwrap();
    assert_eq!(shown.matches("<li").count(), 3, "{group}");
    assert_eq!(rest.matches("<li").count(), 2, "{group}");
    assert!(rest.contains("Show all 5"), "{group}");
    assert!(
        shown.find("Acme").unwrap() < shown.find("Initech").unwrap(),
        "the soonest first"
    );
    assert!(!html.contains("action-follow_up"), "no empty groups");
}

#[actix_web::test]
async fn notes_interviews_and_their_errors_work_as_forms() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let id = new_application(
        &app,
        &b,
        &[
            ("company", "Acme"),
            ("title", "Engineer"),
            ("status", "applied"),
        ],
    )
    .await;
    let empty_note = post(
        &app,
        &b,
        &format!("/applications/{id}/notes"),
        &[("body", "   ")],
    )
    .await;
    assert_eq!(empty_note.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty_note.html.contains("id=\"f-body-error\""));

    let bad = post(
        &app,
        &b,
        &format!("/applications/{id}/interviews"),
        &[
            ("kind", "technical"),
            ("scheduled_at", ""),
            ("interviewers", "Grace, Linus"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("id=\"iv-scheduled_at-error\""));
    assert!(bad.html.contains("value=\"Grace, Linus\""), "input kept");

    let soon = (time::OffsetDateTime::now_utc() + time::Duration::days(2))
        .format(&time::macros::format_description!(
            "[year]-[month]-[day]T10:00"
        ))
        .unwrap();
    let ok = post(
        &app,
        &b,
        &format!("/applications/{id}/interviews"),
        &[
            ("kind", "technical"),
            ("scheduled_at", &soon),
            ("interviewers", "Grace, Linus"),
        ],
    )
    .await;
    let detail = follow(&app, &b, &ok).await;
    assert!(detail.html.contains("Interview added."));
    assert!(detail.html.contains("with Grace, Linus"));
    let agenda = get(&app, &b, "/interviews").await;
    assert!(agenda.html.contains("Acme — Engineer"));
    let dashboard = get(&app, &b, "/").await;
    assert!(dashboard.html.contains("Upcoming interviews") && dashboard.html.contains("Technical"));
}

#[actix_web::test]
async fn pages_of_another_user_and_unknown_pages_are_friendly_404s_and_forms_need_the_csrf_token() {
    let app = spawn_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    let bob = sign_up(&app, "bob@example.com").await;
    let id = new_application(&app, &ada, &[("company", "Acme"), ("title", "Engineer")]).await;
    let theirs = get(&app, &bob, &format!("/applications/{id}")).await;
    assert_eq!(theirs.status, 404);
    assert!(theirs.html.contains("Page not found"));
    let nowhere = get(&app, &bob, "/no/such/page").await;
    assert_eq!(nowhere.status, 404);
    assert!(nowhere.html.contains("<!doctype html>"));
    // The API still answers problem+json.
    let api = bob
        .get(format!("{}/api/v1/applications/{id}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(api.headers()["content-type"], "application/problem+json");

    let forged = ada
        .post(format!("{}/applications/{id}/delete", app.address))
        .header("accept", "text/html")
        .form(&[("_csrf", "0".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(forged
        .text()
        .await
        .unwrap()
        .contains("This form has expired"));
    assert_eq!(
        get(&app, &ada, &format!("/applications/{id}")).await.status,
        200,
        "not deleted"
    );

    // Signed out, a page leads to the sign-in form and back.
    let anon = crate::provider::browser();
    let res = get(&app, &anon, "/applications").await;
    assert_eq!(
        res.location.as_deref(),
        Some("/auth/login?next=%2Fapplications")
    );
}

#[actix_web::test]
async fn settings_save_preferences_preview_a_ranking_without_saving_and_show_the_calendar_link() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    new_application(
        &app,
        &b,
        &[
            ("company", "Acme"),
            ("title", "Rust engineer"),
            ("status", "applied"),
        ],
    )
    .await;
    new_application(
        &app,
        &b,
        &[
            ("company", "Globex"),
            ("title", "Java developer"),
            ("status", "applied"),
        ],
    )
    .await;
    let fields = [
        ("salary_currency", "USD"),
        ("keywords_include", "rust"),
        ("follow_up_after_days", "7"),
        ("ghosted_after_days", "30"),
        ("weight_keywords", "3"),
        ("action", "preview"),
    ];
    let preview = post(&app, &b, "/settings/preferences", &fields).await;
    assert_eq!(preview.status, 200);
    let ranked = preview.html.split("id=\"preview\"").nth(1).unwrap();
    let (acme, globex) = (ranked.find("Acme").unwrap(), ranked.find("Globex").unwrap());
    assert!(acme < globex, "Rust ranks first with these preferences");
    assert!(
        preview.html.contains("value=\"rust\""),
        "the form keeps what was typed"
    );
    let saved = get(&app, &b, "/settings").await;
    assert!(
        !saved.html.contains("value=\"rust\""),
        "a preview saves nothing"
    );

    let bad = post(
        &app,
        &b,
        "/settings/preferences",
        &[
            ("salary_currency", "USD"),
            ("follow_up_after_days", "0"),
            ("ghosted_after_days", "30"),
        ],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("id=\"f-follow_up_after_days-error\""));

    let save = post(&app, &b, "/settings/preferences", &fields[..5]).await;
    let page = follow(&app, &b, &save).await;
    assert!(page.html.contains("Preferences saved"));
    assert!(page.html.contains("value=\"rust\""));

    let tz = post(
        &app,
        &b,
        "/settings/account",
        &[("display_name", "Ada L."), ("timezone", "Mars/Olympus")],
    )
    .await;
    assert_eq!(tz.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(tz.html.contains("id=\"f-timezone-error\""));
    let feed = post(&app, &b, "/settings/calendar", &[]).await;
    let page = follow(&app, &b, &feed).await;
    assert!(page.html.contains("/calendar/") && page.html.contains(".ics"));
    let me = app
        .get(&api_token(&app, &b).await, "/api/v1/calendar-feed")
        .await;
    assert_eq!(me.status, 200);
}

/// A token for API checks, created through the tokens page.
pub(crate) async fn api_token(app: &TestApp, b: &reqwest::Client) -> String {
    let res = post(app, b, "/settings/tokens", &[("name", "check")]).await;
    res.html
        .split("<code class=\"secret\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn the_board_has_a_column_per_status_and_offers_only_allowed_moves() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let id = new_application(
        &app,
        &b,
        &[
            ("company", "Acme"),
            ("title", "Engineer"),
            ("status", "applied"),
        ],
    )
    .await;
    let board = get(&app, &b, "/applications/board").await;
    for status in [
        "wishlist",
        "applied",
        "screening",
        "interviewing",
        "offer",
        "accepted",
        "declined",
        "rejected",
        "withdrawn",
        "ghosted",
    ] {
        assert!(
            board.html.contains(&format!("data-status=\"{status}\"")),
            "{status}"
        );
    }
    let card = board
        .html
        .split(&format!("data-id=\"{id}\""))
        .nth(1)
        .unwrap();
    assert!(
        card.contains("data-allowed=\"screening,interviewing,offer,rejected,withdrawn,ghosted\"")
    );
}

#[actix_web::test]
async fn a_draft_is_requested_from_the_application_page_and_kept_there() {
    let app = spawn_app().await;
    let b = sign_up(&app, "ada@example.com").await;
    let id = new_application(
        &app,
        &b,
        &[
            ("company", "Acme"),
            ("title", "Engineer"),
            ("status", "applied"),
            ("job_description", "- Build APIs in Rust"),
        ],
    )
    .await;
    let bad = post(
        &app,
        &b,
        &format!("/applications/{id}/drafts"),
        &[("kind", "sonnet"), ("instructions", "keep it short")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("id=\"f-draft-kind-error\""));
    assert!(bad.html.contains(">keep it short</textarea>"), "input kept");

    let ok = post(
        &app,
        &b,
        &format!("/applications/{id}/drafts"),
        &[("kind", "cover_letter"), ("tone", "warm")],
    )
    .await;
    let page = follow(&app, &b, &ok).await;
    assert!(page.html.contains("Cover letter requested"));
    let mut html = String::new();
    for _ in 0..100 {
        html = get(&app, &b, &format!("/applications/{id}")).await.html;
        if html.contains("draft-succeeded") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(html.contains("draft-succeeded"), "{html}");
    assert!(
        html.contains("template draft, no AI model"),
        "honest about what wrote it"
    );
    assert!(
        html.contains("I am writing with real interest in the Engineer role at Acme."),
        "{html}"
    );
    assert!(
        html.contains("Written from the fit: 0 of 1 requirements met by your profile"),
        "the audit says what the draft was written from: {html}"
    );
    let settings = get(&app, &b, "/settings").await;
    assert!(settings.html.contains("built-in drafter"));
}
