//! End-to-end tests in a real headless Chromium (Debian's `chromium` driven
//! by `chromedriver`) against the real server: once with JavaScript and once
//! without. Screenshots of every page at desktop and phone widths are
//! written to `target/screenshots/` (not committed) for a person to look at.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

use crate::helpers::{spawn_app, TestApp};

/// A chromedriver process for one test, and the browser session it drives.
struct Browser {
    driver: Option<WebDriver>,
    chromedriver: Child,
    _profile: tempfile::TempDir,
    base: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    async fn open(app: &TestApp, javascript: bool) -> Browser {
        let port = free_port();
        let chromedriver = Command::new(
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into()),
        )
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver runs (scripts/test installs Debian's chromium-driver)");
        let profile = tempfile::tempdir().unwrap();
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()))
            .unwrap();
        for arg in [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1280,900",
        ] {
            caps.add_arg(arg).unwrap();
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
            .unwrap();
        if !javascript {
            caps.add_experimental_option(
                "prefs",
                json!({"profile.managed_default_content_settings.javascript": 2}),
            )
            .unwrap();
        }
        let url = format!("http://127.0.0.1:{port}");
        let mut driver = None;
        for _ in 0..100 {
            match WebDriver::new(&url, caps.clone()).await {
                Ok(d) => {
                    driver = Some(d);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let driver = driver.expect("a browser session");
        driver
            .set_implicit_wait_timeout(Duration::from_secs(2))
            .await
            .unwrap();
        Browser {
            driver: Some(driver),
            chromedriver,
            _profile: profile,
            base: app.address.clone(),
        }
    }

    fn d(&self) -> &WebDriver {
        self.driver.as_ref().unwrap()
    }

    async fn goto(&self, path: &str) {
        self.d().goto(format!("{}{path}", self.base)).await.unwrap();
    }

    async fn fill(&self, id: &str, text: &str) {
        let e = self.d().find(By::Id(id)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    async fn choose(&self, id: &str, value: &str) {
        let e = self.d().find(By::Id(id)).await.unwrap();
        SelectElement::new(&e)
            .await
            .unwrap()
            .select_by_value(value)
            .await
            .unwrap();
    }

    /// Clicks like a person: the element in the middle of the window (not
    /// under the sticky header).
    async fn click(&self, css: &str) {
        let e = self.d().find(By::Css(css)).await.unwrap();
        self.d()
            .execute(
                "arguments[0].scrollIntoView({block: 'center'})",
                vec![e.to_json().unwrap()],
            )
            .await
            .unwrap();
        e.click().await.unwrap();
    }

    async fn source(&self) -> String {
        self.d().source().await.unwrap()
    }

    async fn path(&self) -> String {
        let url = self.d().current_url().await.unwrap();
        url.path().to_owned()
    }

    /// Waits until the page contains `text` (pages reload after live events).
    async fn wait_for(&self, text: &str) -> String {
        for _ in 0..100 {
            let s = self.source().await;
            if s.contains(text) {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed {text:?}:\n{}", self.source().await);
    }

    /// How many elements match (asked of the page itself: no stale handles
    /// while it reloads).
    async fn count(&self, css: &str) -> u64 {
        match self
            .d()
            .execute(
                "return document.querySelectorAll(arguments[0]).length",
                vec![json!(css)],
            )
            .await
        {
            Ok(r) => r.json().as_u64().unwrap_or(0),
            Err(_) => 0,
        }
    }

    async fn wait_until_count(&self, css: &str, n: u64) {
        for _ in 0..100 {
            if self.count(css).await == n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never counted {n}:\n{}", self.source().await);
    }

    /// The text of the first match, asked of the page itself (no stale
    /// handle if the page reloads meanwhile; "" while it is missing).
    async fn text_of(&self, css: &str) -> String {
        for _ in 0..50 {
            if let Ok(r) = self
                .d()
                .execute(
                    "var e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : null",
                    vec![json!(css)],
                )
                .await
            {
                if let Some(text) = r.json().as_str() {
                    return text.to_owned();
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        String::new()
    }

    /// Desktop and phone screenshots of the current page.
    async fn screenshots(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        for (label, width, height) in [("desktop", 1280, 900), ("phone", 375, 812)] {
            self.d().set_window_rect(0, 0, width, height).await.unwrap();
            self.d().refresh().await.unwrap();
            let full = self
                .d()
                .execute("return document.documentElement.scrollHeight", Vec::new())
                .await
                .unwrap();
            let h = full.json().as_u64().unwrap_or(900).clamp(600, 4000) as u32;
            self.d().set_window_rect(0, 0, width, h).await.unwrap();
            self.d()
                .screenshot(&dir.join(format!("{name}-{label}.png")))
                .await
                .unwrap();
        }
        self.d().set_window_rect(0, 0, 1280, 900).await.unwrap();
    }

    async fn sign_up(&self, email: &str) {
        self.goto("/auth/register").await;
        self.fill("display_name", "Ada").await;
        self.fill("email", email).await;
        self.fill("password", "correct horse battery").await;
        self.click("form button[type=submit]").await;
        self.wait_for("Hello, Ada").await;
    }

    async fn add_application(&self, company: &str, title: &str, status: &str) {
        self.goto("/applications/new").await;
        self.fill("f-company", company).await;
        self.fill("f-title", title).await;
        self.choose("f-status", status).await;
        self.fill("f-source", "LinkedIn").await;
        self.click("main form button[type=submit]").await;
        self.wait_for(&format!("Added {company}")).await;
    }

    async fn quit(mut self) {
        if let Some(d) = self.driver.take() {
            d.quit().await.unwrap();
        }
    }
}

/// The form keeps what was typed and shows the error beside the field.
async fn an_invalid_form_keeps_the_input(b: &Browser) {
    b.goto("/applications/new").await;
    b.fill("f-title", "Platform engineer").await;
    b.fill("f-salary_min", "a lot").await;
    b.fill("f-job_description", "Kubernetes, Rust, on call")
        .await;
    b.click("main form button[type=submit]").await;
    let page = b.wait_for("f-company-error").await;
    assert!(page.contains("Please correct the 2 fields"), "{page}");
    assert_eq!(
        b.text_of("#f-company-error").await,
        "Company must not be empty"
    );
    assert!(b
        .text_of("#f-salary_min-error")
        .await
        .contains("whole number"));
    let title = b.d().find(By::Id("f-title")).await.unwrap();
    assert_eq!(
        title.value().await.unwrap().as_deref(),
        Some("Platform engineer")
    );
    let jd = b.d().find(By::Id("f-job_description")).await.unwrap();
    assert_eq!(
        jd.value().await.unwrap().as_deref(),
        Some("Kubernetes, Rust, on call")
    );
}

#[actix_web::test]
async fn a_job_search_in_the_browser_with_javascript() {
    let app = spawn_app().await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    assert!(b.source().await.contains("Start your search here"));
    b.screenshots("dashboard-empty").await;

    b.add_application("Acme", "Rust engineer", "applied").await;
    let detail = b.path().await;
    b.screenshots("application").await;

    // Move it through the board: picking a status in the card's menu moves it.
    b.goto("/applications/board").await;
    let card = b.d().find(By::Css(".card-item")).await.unwrap();
    let id = card.attr("data-id").await.unwrap().unwrap();
    b.choose(&format!("move-{id}"), "screening").await;
    b.wait_until_count(".column[data-status=\"screening\"] .card-item", 1)
        .await;
    b.choose(&format!("move-{id}"), "interviewing").await;
    b.wait_until_count(".column[data-status=\"interviewing\"] .card-item", 1)
        .await;
    assert_eq!(
        b.count(".column[data-status=\"screening\"] .card-item")
            .await,
        0
    );
    b.screenshots("board").await;

    // A note and an interview, from the application's page.
    b.goto(&detail).await;
    b.fill("f-body", "Recruiter: Grace. Team of 6.").await;
    b.click("#notes form[action$='/notes'] button[type=submit]")
        .await;
    b.wait_for("Note added.").await;
    assert!(b.source().await.contains("Recruiter: Grace. Team of 6."));
    b.click("details.add-interview summary").await;
    b.choose("iv-kind", "technical").await;
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::days(3))
        .format(&time::macros::format_description!(
            "[year]-[month]-[day]T10:00"
        ))
        .unwrap();
    b.d()
        .execute(
            "document.getElementById('iv-scheduled_at').value = arguments[0]",
            vec![json!(soon)],
        )
        .await
        .unwrap();
    b.fill("iv-interviewers", "Grace, Linus").await;
    b.click("details.add-interview button[type=submit]").await;
    b.wait_for("Interview added.").await;

    // The dashboard changed with them.
    b.goto("/").await;
    let page = b.source().await;
    assert!(page.contains("Upcoming interviews"));
    assert!(page.contains("Acme</strong> — Rust engineer"), "{page}");
    assert_eq!(
        b.text_of(".stats .stat:first-child .value").await,
        "1",
        "one application"
    );
    b.screenshots("dashboard").await;

    // Live: a change made elsewhere (the API) shows up without a reload by hand.
    b.wait_for("data-live=\"open\"").await;
    b.d()
        .execute("window.__stale = true", Vec::new())
        .await
        .unwrap();
    let csrf = b
        .d()
        .find(By::Css("meta[name=csrf-token]"))
        .await
        .unwrap()
        .attr("content")
        .await
        .unwrap()
        .unwrap();
    b.d()
        .execute(
            "fetch('/api/v1/applications', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': arguments[0]}, body: JSON.stringify({company: 'Globex', title: 'SRE', status: 'applied'})})",
            vec![json!(csrf)],
        )
        .await
        .unwrap();
    for _ in 0..100 {
        let text = b.text_of(".stats .stat:first-child .value").await;
        if text == "2" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(b.text_of(".stats .stat:first-child .value").await, "2");
    let stale = b
        .d()
        .execute("return window.__stale === true", Vec::new())
        .await
        .unwrap();
    assert_eq!(stale.json(), &json!(false), "the page reloaded itself");

    an_invalid_form_keeps_the_input(&b).await;
    b.screenshots("new-application-invalid").await;

    // Settings: the ranking preview follows the form as it is typed.
    b.goto("/settings").await;
    b.fill("f-keywords_include", "sre").await;
    let preview = b.wait_for("not saved yet").await;
    let ranked = preview.split("id=\"preview\"").nth(1).unwrap().to_owned();
    assert!(
        ranked.find("Globex").unwrap() < ranked.find("Acme").unwrap(),
        "the preview ranks the SRE role first"
    );
    b.screenshots("settings").await;

    for (path, name) in [
        ("/applications", "applications"),
        ("/interviews", "interviews"),
        ("/analytics", "analytics"),
        ("/applications/new", "new-application"),
        ("/settings/tokens", "tokens"),
        ("/no/such/page", "not-found"),
    ] {
        b.goto(path).await;
        b.screenshots(name).await;
    }
    b.quit().await;
}

#[actix_web::test]
async fn a_job_search_in_the_browser_without_javascript() {
    let app = spawn_app().await;
    let b = Browser::open(&app, false).await;
    b.goto("/auth/login").await;
    b.screenshots("sign-in").await;
    b.goto("/auth/register").await;
    b.screenshots("register").await;
    b.sign_up("bob@example.com").await;
    let js = b
        .d()
        .find(By::Css("html"))
        .await
        .unwrap()
        .class_name()
        .await
        .unwrap();
    assert!(
        !js.unwrap_or_default().contains("js"),
        "JavaScript is really off"
    );

    b.add_application("Initech", "Backend developer", "applied")
        .await;
    let detail = b.path().await;

    // The board's Move button is a plain form.
    b.goto("/applications/board").await;
    let card = b.d().find(By::Css(".card-item")).await.unwrap();
    let id = card.attr("data-id").await.unwrap().unwrap();
    b.choose(&format!("move-{id}"), "screening").await;
    b.click(&format!("#move-{id} + button")).await;
    b.wait_for("Initech moved to Screening.").await;
    assert_eq!(b.path().await, "/applications/board");

    // A status the pipeline forbids is explained, not applied.
    b.goto(&detail).await;
    b.fill("f-body", "Phone call went well").await;
    b.click("#notes form[action$='/notes'] button[type=submit]")
        .await;
    b.wait_for("Note added.").await;
    b.goto(&detail).await;
    b.fill("f-title", "Senior backend developer").await;
    b.click("#edit form button[type=submit]").await;
    b.wait_for("Saved.").await;
    let title = b.d().find(By::Id("f-title")).await.unwrap();
    assert_eq!(
        title.value().await.unwrap().as_deref(),
        Some("Senior backend developer")
    );

    // An interview, typed into the date and time fields as a person would.
    let soon = time::OffsetDateTime::now_utc() + time::Duration::days(3);
    let (month, day, year) = (u8::from(soon.month()), soon.day(), soon.year());
    b.goto(&detail).await;
    b.click("details.add-interview summary").await;
    b.choose("iv-kind", "phone_screen").await;
    let when = b.d().find(By::Id("iv-scheduled_at")).await.unwrap();
    when.send_keys(format!("{month:02}{day:02}{year}"))
        .await
        .unwrap();
    when.send_keys(Key::Tab).await.unwrap();
    when.send_keys("1030AM").await.unwrap();
    b.click("details.add-interview button[type=submit]").await;
    let page = b.wait_for("Interview added.").await;
    assert!(page.contains("10:30"), "{page}");

    an_invalid_form_keeps_the_input(&b).await;

    b.goto("/").await;
    let page = b.source().await;
    assert!(
        page.contains("Initech</strong> — Senior backend developer"),
        "{page}"
    );
    assert!(
        page.contains("Phone screen"),
        "the interview is on the dashboard"
    );
    assert_eq!(b.text_of(".stats .stat:first-child .value").await, "1");
    b.screenshots("dashboard-nojs").await;
    b.quit().await;
}

#[actix_web::test]
async fn a_draft_grows_on_the_page_as_the_model_writes_it() {
    let model = crate::model_server::start().await;
    let app = crate::helpers::spawn_app_with(&[
        ("ai_base_url", model.base.as_str()),
        ("ai_poll_millis", "100"),
    ])
    .await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    // A model that takes a minute, so the page is surely open while it writes.
    b.add_application("slower", "Engineer", "applied").await;
    b.choose("f-draft-kind", "cover_letter").await;
    b.click("form.draft-form button[type=submit]").await;
    b.wait_for("Cover letter requested").await;
    // The text arrives through live events while the draft is still running.
    b.wait_for("data-live=\"open\"").await;
    // Mark this page: a reload would lose the mark.
    b.d()
        .execute("window.__same_page = true", Vec::new())
        .await
        .unwrap();
    let first = b
        .d()
        .execute("var o = document.querySelector('article.draft [data-output]'); return o ? o.textContent.length : 0", Vec::new())
        .await
        .unwrap()
        .json()
        .as_u64()
        .unwrap_or(0);
    let mut grew = false;
    for _ in 0..300 {
        let status = b
            .d()
            .execute(
                "var a = document.querySelector('article.draft'); return a ? a.dataset.status : ''",
                Vec::new(),
            )
            .await
            .unwrap();
        let text = b
            .d()
            .execute("var o = document.querySelector('article.draft [data-output]'); return o ? o.textContent : ''", Vec::new())
            .await
            .unwrap();
        let (status, text) = (
            status.json().as_str().unwrap_or("").to_owned(),
            text.json().as_str().unwrap_or("").to_owned(),
        );
        let same = b
            .d()
            .execute("return window.__same_page === true", Vec::new())
            .await
            .unwrap();
        // Rendered as queued or running, then grown by live events alone.
        if status != "succeeded" && same.json() == &json!(true) && text.len() as u64 > first + 40 {
            grew = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(grew, "the draft grew on the page while it was written");
    b.screenshots("application-draft-running").await;
    // Stopping it keeps what was written.
    b.click("article.draft form[action$='/cancel'] button")
        .await;
    // (The flash "Stopping the draft" may be replaced at once by the live
    // reload that the cancellation's event causes: wait for the end state.)
    b.wait_for("draft-cancelled").await;
    let page = b.source().await;
    assert!(
        page.contains("part0 part1"),
        "the text written so far is kept"
    );
    b.quit().await;
}

#[actix_web::test]
async fn error_pages_and_labels_work_in_a_real_browser() {
    let app = spawn_app().await;
    let b = Browser::open(&app, true).await;
    // Chromium asks for gzip: the friendly page must arrive readable.
    b.goto("/no/such/page").await;
    assert_eq!(b.text_of("h1").await, "Page not found");
    assert!(b.text_of("main").await.contains("mistyped"));
    b.sign_up("ada@example.com").await;
    b.goto(&format!("/applications/{}", uuid::Uuid::now_v7()))
        .await;
    assert_eq!(b.text_of("h1").await, "Page not found");
    // Every label focuses its own field: the interview's Location is not
    // the application's.
    b.add_application("Acme", "Engineer", "applied").await;
    b.click("details.add-interview summary").await;
    for field in ["iv-location", "f-location"] {
        b.click(&format!("label[for={field}]")).await;
        let focused = b
            .d()
            .execute("return document.activeElement.id", Vec::new())
            .await
            .unwrap();
        assert_eq!(focused.json().as_str(), Some(field));
    }
    b.quit().await;
}
