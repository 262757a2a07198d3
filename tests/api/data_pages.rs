//! Settings → Security, Your data and Danger zone, the Import page and the
//! list's CSV export link, over HTTP as a browser without JavaScript sees
//! them: forms post and redirect; a refused one comes back with the message
//! beside its field, the input kept and the passwords never filled in again.

use jobcopilot::config::Settings;
use reqwest::StatusCode;

use crate::helpers::{fresh_database, sign_in_form, sign_up, spawn_app, spawn_with_pool};
use crate::helpers::{submit, TestApp};
use crate::pages::{follow, get, new_application, post};
use crate::provider::{walk_to_callback, Person, Provider, CLIENT_ID, CLIENT_SECRET};

const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// A browser that keeps cookies and names itself.
fn browser_as(user_agent: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .build()
        .unwrap()
}

/// A second browser of the account (the test password).
async fn signed_in_as(app: &TestApp, email: &str, user_agent: &str) -> reqwest::Client {
    let b = browser_as(user_agent);
    let res = sign_in_form(app, &b, email).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    b
}

/// Whether this browser is still signed in (a page, not the sign-in redirect).
async fn signed_in(app: &TestApp, b: &reqwest::Client) -> bool {
    let page = get(app, b, "/settings").await;
    match page.status {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert!(page.location.unwrap().starts_with("/auth/login"));
            false
        }
        other => panic!("unexpected {other}: {}", page.html),
    }
}

/// Text as the page shows it (minijinja escapes these in attributes and text).
fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The `<input …>` tag with this id.
fn input_tag<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<input id=\"{id}\""))
        .unwrap_or_else(|| panic!("no input #{id}"));
    let end = start + html[start..].find('>').unwrap();
    &html[start..=end]
}

/// The text of the element with this id (up to its first tag).
fn text_of(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let rest = html
        .split(&marker)
        .nth(1)
        .unwrap_or_else(|| panic!("no #{id}"));
    unescape(rest.split('<').next().unwrap_or_default())
}

/// The "End" form's action in the sessions table row naming `browser`.
fn end_action(html: &str, browser: &str) -> String {
    let row = html
        .split("<tr")
        .find(|row| row.contains(browser))
        .unwrap_or_else(|| panic!("no session row for {browser}"));
    row.split("action=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no End button for {browser}"))
        .to_owned()
}

#[actix_web::test]
async fn changing_the_password_signs_out_the_other_browsers_and_keeps_this_one() {
    let app = spawn_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    let laptop = signed_in_as(&app, "ada@example.com", FIREFOX).await;
    let settings = get(&app, &ada, "/settings").await;
    assert!(settings.html.contains("id=\"security\""));
    assert!(settings.html.contains("Change your password"));

    // A wrong current password: the message beside it, nothing re-filled
    // but the checkbox, nothing changed.
    let wrong = post(
        &app,
        &ada,
        "/settings/password",
        &[
            ("current_password", "not my password"),
            ("new_password", "a brand new secret"),
            ("revoke_tokens", "true"),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let current = input_tag(&wrong.html, "pw-current_password");
    assert!(current.contains("aria-invalid=\"true\""), "{current}");
    assert!(current.contains("aria-describedby=\"pw-current_password-error\""));
    assert!(current.contains("value=\"\""), "never re-filled: {current}");
    assert_eq!(
        text_of(&wrong.html, "pw-current_password-error"),
        "That is not your current password."
    );
    assert!(input_tag(&wrong.html, "pw-new_password").contains("value=\"\""));
    assert!(
        wrong
            .html
            .contains("name=\"revoke_tokens\" value=\"true\" checked"),
        "the checkbox is kept"
    );
    assert!(!wrong.html.contains("a brand new secret"));
    assert!(signed_in(&app, &laptop).await, "nothing changed");

    // A short new password.
    let short = post(
        &app,
        &ada,
        "/settings/password",
        &[
            ("current_password", "correct horse battery"),
            ("new_password", "short"),
        ],
    )
    .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        text_of(&short.html, "pw-new_password-error"),
        "New password must be at least 10 characters"
    );
    assert!(!short
        .html
        .contains("name=\"revoke_tokens\" value=\"true\" checked"));

    let changed = post(
        &app,
        &ada,
        "/settings/password",
        &[
            ("current_password", "correct horse battery"),
            ("new_password", "a brand new secret"),
        ],
    )
    .await;
    assert_eq!(changed.location.as_deref(), Some("/settings#security"));
    let after = follow(&app, &ada, &changed).await;
    assert!(after
        .html
        .contains("Password changed; your other sessions were signed out."));
    assert!(signed_in(&app, &ada).await, "this browser stays signed in");
    assert!(
        !signed_in(&app, &laptop).await,
        "the other one is signed out"
    );

    // The new password signs in; the old one no longer does.
    let fresh = browser_as(CHROME);
    let old = sign_in_form(&app, &fresh, "ada@example.com").await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = submit(
        &app,
        &fresh,
        "/auth/login",
        "/auth/local/login",
        &[
            ("email", "ada@example.com"),
            ("password", "a brand new secret"),
        ],
    )
    .await;
    assert_eq!(new.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn the_checkbox_also_revokes_every_api_token() {
    let app = spawn_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    let token = crate::pages::api_token(&app, &ada).await;
    assert_eq!(app.get(&token, "/api/v1/me").await.status, 200);
    let changed = post(
        &app,
        &ada,
        "/settings/password",
        &[
            ("current_password", "correct horse battery"),
            ("new_password", "a brand new secret"),
            ("revoke_tokens", "true"),
        ],
    )
    .await;
    let after = follow(&app, &ada, &changed).await;
    assert!(after.html.contains("every API token was revoked"));
    assert_eq!(app.get(&token, "/api/v1/me").await.status, 401);
}

#[actix_web::test]
async fn the_sessions_table_names_each_browser_and_ends_one_or_all_the_others() {
    let app = spawn_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    let laptop = signed_in_as(&app, "ada@example.com", FIREFOX).await;
    let desktop = signed_in_as(&app, "ada@example.com", CHROME).await;

    let settings = get(&app, &ada, "/settings").await;
    let html = &settings.html;
    assert!(html.contains("Firefox on Windows"), "{html}");
    assert!(html.contains("Chrome on Linux"));
    assert_eq!(html.matches("This browser</span>").count(), 1);
    assert_eq!(
        html.matches("/end\"").count(),
        2,
        "an End button for each other session, none for this one"
    );
    let this_row = html
        .split("<tr")
        .find(|r| r.contains("This browser"))
        .unwrap();
    assert!(!this_row.contains("action="));

    // Another account cannot end Ada's sessions (nor learn that they exist).
    let bob = sign_up(&app, "bob@example.com").await;
    let laptop_end = end_action(html, "Firefox on Windows");
    let foreign = post(&app, &bob, &laptop_end, &[]).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    let unknown = post(
        &app,
        &ada,
        "/settings/sessions/0193a0b4-0000-7000-8000-000000000000/end",
        &[],
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(signed_in(&app, &laptop).await);

    let ended = post(&app, &ada, &laptop_end, &[]).await;
    assert_eq!(ended.location.as_deref(), Some("/settings#security"));
    let after = follow(&app, &ada, &ended).await;
    assert!(after.html.contains("That session is signed out."));
    assert!(!after.html.contains("Firefox on Windows"));
    assert!(!signed_in(&app, &laptop).await);
    assert!(signed_in(&app, &desktop).await);

    let others = post(&app, &ada, "/settings/sessions/end-others", &[]).await;
    let after = follow(&app, &ada, &others).await;
    assert!(after.html.contains("Signed out of 1 other session."));
    assert!(after
        .html
        .contains("You are signed in on this browser only."));
    assert!(!signed_in(&app, &desktop).await);
    assert!(signed_in(&app, &ada).await);
    assert!(signed_in(&app, &bob).await, "another account is untouched");
}

#[actix_web::test]
async fn deleting_the_account_needs_the_email_typed_and_the_password_then_signs_out() {
    let app = spawn_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    new_application(&app, &ada, &[("company", "Acme"), ("title", "SRE")]).await;
    let laptop = signed_in_as(&app, "ada@example.com", FIREFOX).await;

    let typo = post(
        &app,
        &ada,
        "/settings/delete",
        &[
            ("confirm", "ada@exmaple.com"),
            ("password", "correct horse battery"),
        ],
    )
    .await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    let confirm = input_tag(&typo.html, "del-confirm");
    assert!(
        confirm.contains("value=\"ada@exmaple.com\""),
        "the typed email is kept: {confirm}"
    );
    assert!(confirm.contains("aria-invalid=\"true\""));
    assert_eq!(
        text_of(&typo.html, "del-confirm-error"),
        "Type this account's email address, ada@example.com, to confirm."
    );
    assert!(input_tag(&typo.html, "del-password").contains("value=\"\""));

    let wrong = post(
        &app,
        &ada,
        "/settings/delete",
        &[("confirm", "Ada@Example.com"), ("password", "a guess")],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        text_of(&wrong.html, "del-password-error"),
        "That is not your current password."
    );
    assert!(input_tag(&wrong.html, "del-confirm").contains("value=\"Ada@Example.com\""));
    assert!(signed_in(&app, &laptop).await, "nothing was deleted");

    let deleted = post(
        &app,
        &ada,
        "/settings/delete",
        &[
            ("confirm", "ada@example.com"),
            ("password", "correct horse battery"),
        ],
    )
    .await;
    assert_eq!(deleted.location.as_deref(), Some("/auth/login"));
    let login = follow(&app, &ada, &deleted).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login
        .html
        .contains("Your account and all its data were deleted."));
    assert!(!signed_in(&app, &ada).await);
    assert!(!signed_in(&app, &laptop).await);
    let again = get(&app, &ada, "/auth/login").await;
    assert!(!again.html.contains("were deleted"), "said once");

    let db = app.pool.get().await.unwrap();
    let users: i64 = db
        .query_one(
            "SELECT count(*) FROM users WHERE email = 'ada@example.com'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let applications: i64 = db
        .query_one("SELECT count(*) FROM job_applications", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!((users, applications), (0, 0));
    let res = sign_in_form(&app, &browser_as(CHROME), "ada@example.com").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn your_data_links_to_the_downloads_and_the_import_page_says_it_needs_javascript() {
    let app = spawn_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    let settings = unescape(&get(&app, &ada, "/settings").await.html);
    for href in [
        "href=\"/api/v1/export\" download",
        "href=\"/api/v1/export/applications.csv\" download",
        "href=\"/import#csv\"",
        "href=\"/import#export\"",
    ] {
        assert!(settings.contains(href), "{href}");
    }
    // The download works with the page's cookie (a GET needs no CSRF token).
    let export = ada
        .get(format!("{}/api/v1/export", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    assert!(export.text().await.unwrap().contains("jobcopilot-export"));

    let import = get(&app, &ada, "/import").await;
    assert_eq!(import.status, StatusCode::OK);
    let html = unescape(&import.html);
    assert!(html.contains("<noscript>"));
    assert!(html.contains("<script src=\"/static/import.js\" defer>"));
    assert!(html.contains("<label for=\"csv-file\">"));
    assert!(html.contains("<option value=\"\">Ignore this column</option>"));
    assert!(html.contains("<option value=\"applied_on\">Applied on</option>"));
    assert!(html.contains("<option value=\"salary\">"));
    let script = ada
        .get(format!("{}/static/import.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert!(script.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
}

#[actix_web::test]
async fn the_export_csv_link_on_the_list_keeps_its_filters_and_sort() {
    let app = spawn_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    for (company, status, tags) in [
        ("Initech", "applied", "rust"),
        ("Acme", "applied", "rust, remote"),
        ("Globex", "applied", "go"),
        ("Hooli", "wishlist", "rust"),
    ] {
        new_application(
            &app,
            &ada,
            &[
                ("company", company),
                ("title", "Engineer"),
                ("status", status),
                ("tags", tags),
            ],
        )
        .await;
    }
    let all = unescape(&get(&app, &ada, "/applications").await.html);
    assert!(all.contains("href=\"/api/v1/export/applications.csv?sort=-updated_at\" download"));
    assert!(all.contains("href=\"/import\""));

    let list = get(
        &app,
        &ada,
        "/applications?status=applied&tag=rust&q=engineer&sort=company&cursor=",
    )
    .await;
    let html = unescape(&list.html);
    let href = html
        .split("href=\"/api/v1/export/applications.csv")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|q| format!("/api/v1/export/applications.csv{q}"))
        .expect("an Export CSV link");
    assert_eq!(
        href,
        "/api/v1/export/applications.csv?status=applied&tag=rust&q=engineer&sort=company"
    );
    let csv = ada
        .get(format!("{}{href}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    let companies: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    assert_eq!(companies, ["Acme", "Initech"], "filtered and sorted");
}

async fn app_with_provider(extra: &[(&str, &str)]) -> (TestApp, Provider) {
    let port = crate::helpers::free_port();
    let provider = Provider::start(&format!("http://127.0.0.1:{port}/auth/oidc/callback"));
    let listen = format!("127.0.0.1:{port}");
    let mut pairs = vec![
        ("listen", listen.as_str()),
        ("oidc_issuer_url", provider.issuer.as_str()),
        ("oidc_client_id", CLIENT_ID),
        ("oidc_client_secret", CLIENT_SECRET),
    ];
    pairs.extend_from_slice(extra);
    let settings = Settings::from_pairs(pairs).unwrap();
    let (db, pool) = fresh_database().await;
    (spawn_with_pool(settings, db, pool).await, provider)
}

/// A browser signed in through the identity provider.
async fn signed_in_with_oidc(app: &TestApp, provider: &Provider, email: &str) -> reqwest::Client {
    let b = crate::provider::browser();
    let callback = walk_to_callback(&b, &app.address, provider, &Person::new("alice", email)).await;
    let res = b.get(&callback).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    b
}

#[actix_web::test]
async fn an_account_without_a_password_sets_one_without_a_current_password() {
    let (app, provider) = app_with_provider(&[]).await;
    let alice = signed_in_with_oidc(&app, &provider, "alice@example.com").await;
    let settings = get(&app, &alice, "/settings").await;
    assert!(settings.html.contains("Set a password"));
    assert!(!settings.html.contains("id=\"pw-current_password\""));
    assert!(
        !settings.html.contains("id=\"del-password\""),
        "no password to confirm a deletion with"
    );

    let set = post(
        &app,
        &alice,
        "/settings/password",
        &[("new_password", "a first password")],
    )
    .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.html);
    let settings = follow(&app, &alice, &set).await;
    assert!(settings.html.contains("Change your password"));
    assert!(settings.html.contains("id=\"pw-current_password\""));
    assert!(settings.html.contains("id=\"del-password\""));
    let b = browser_as(FIREFOX);
    let res = submit(
        &app,
        &b,
        "/auth/login",
        "/auth/local/login",
        &[
            ("email", "alice@example.com"),
            ("password", "a first password"),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn without_local_accounts_there_is_no_password_form_and_deletion_needs_only_the_email() {
    let (app, provider) = app_with_provider(&[("local_accounts", "false")]).await;
    let alice = signed_in_with_oidc(&app, &provider, "alice@example.com").await;
    let settings = get(&app, &alice, "/settings").await;
    assert!(settings.html.contains("passwords are off on this server"));
    assert!(!settings.html.contains("action=\"/settings/password\""));
    let refused = post(
        &app,
        &alice,
        "/settings/password",
        &[("new_password", "a first password")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    let deleted = post(
        &app,
        &alice,
        "/settings/delete",
        &[("confirm", "alice@example.com")],
    )
    .await;
    assert_eq!(deleted.location.as_deref(), Some("/auth/login"));
    let login = follow(&app, &alice, &deleted).await;
    assert!(login
        .html
        .contains("Your account and all its data were deleted."));
    let db = app.pool.get().await.unwrap();
    let users: i64 = db
        .query_one("SELECT count(*) FROM users", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(users, 0);
}

#[actix_web::test]
async fn guessing_the_current_password_is_throttled_and_says_when_to_try_again() {
    let app = spawn_app().await;
    let ada = sign_up(&app, "ada@example.com").await;
    let guess = [
        ("current_password", "a wrong guess"),
        ("new_password", "a brand new secret"),
    ];
    let mut last = post(&app, &ada, "/settings/password", &guess).await;
    for _ in 0..10 {
        if last.status != StatusCode::UNPROCESSABLE_ENTITY {
            break;
        }
        last = post(&app, &ada, "/settings/password", &guess).await;
    }
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS, "{}", last.html);
    assert!(
        last.html.contains("Too many wrong passwords. Try again in"),
        "the reason is on the page"
    );
    assert!(signed_in(&app, &ada).await, "still signed in");
}
