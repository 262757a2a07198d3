//! End-to-end tests in a real headless Chromium (Debian's `chromium` driven
//! by `chromedriver`) against the real server: once with JavaScript and once
//! without. Screenshots of every page at desktop and phone widths, in the
//! light and the dark colour scheme, are written to `target/screenshots/`
//! (not committed) for a person to look at.

use crate::helpers::free_port;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use thirtyfour::common::command::{Command as DriverCommand, ExtensionCommand};
use thirtyfour::components::SelectElement;
use thirtyfour::prelude::*;

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

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

/// A Chrome DevTools command through chromedriver's own endpoint (the
/// crate's `cdp` feature is not needed for one call).
#[derive(Debug)]
struct DevTools {
    cmd: &'static str,
    params: Value,
}

impl ExtensionCommand for DevTools {
    fn parameters_json(&self) -> Option<Value> {
        Some(json!({"cmd": self.cmd, "params": self.params}))
    }

    fn method(&self) -> reqwest::Method {
        reqwest::Method::POST
    }

    fn endpoint(&self) -> std::sync::Arc<str> {
        "/goog/cdp/execute".into()
    }
}

/// The two colour schemes a system can ask for.
const SCHEMES: [&str; 2] = ["light", "dark"];

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
        // Up to 30 s: CI machines are slow and shared (no timed assertion here,
        // only patience).
        for _ in 0..300 {
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

    /// Runs `script` in the page and returns what it returns (a promise is
    /// awaited).
    async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.d().execute(script, args).await.unwrap().json().clone()
    }

    /// Makes the page see `prefers-color-scheme: light` or `dark`, as a
    /// system setting would (it lasts until changed).
    async fn color_scheme(&self, scheme: &str) {
        let cmd = DevTools {
            cmd: "Emulation.setEmulatedMedia",
            params: json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        };
        self.d()
            .handle()
            .cmd(DriverCommand::ExtensionCommand(Box::new(cmd)))
            .await
            .unwrap();
    }

    async fn window_width(&self, width: u32) {
        self.d().set_window_rect(0, 0, width, 900).await.unwrap();
    }

    /// Desktop and phone screenshots of the current page, light and dark.
    async fn screenshots(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        for scheme in SCHEMES {
            self.color_scheme(scheme).await;
            let suffix = if scheme == "dark" { "-dark" } else { "" };
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
                // The window is a little taller than the page's viewport.
                let inner = self.js("return window.innerHeight", Vec::new()).await;
                let inner = inner.as_u64().unwrap_or(h as u64) as u32;
                if inner < h {
                    let taller = (2 * h - inner).min(4000);
                    self.d().set_window_rect(0, 0, width, taller).await.unwrap();
                }
                self.d()
                    .screenshot(&dir.join(format!("{name}-{label}{suffix}.png")))
                    .await
                    .unwrap();
            }
        }
        self.color_scheme("light").await;
        self.d().set_window_rect(0, 0, 1280, 900).await.unwrap();
    }

    /// One screenshot of the page as it is now (no reload), at its width.
    async fn screenshot_now(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        self.d()
            .screenshot(&dir.join(format!("{name}.png")))
            .await
            .unwrap();
    }

    /// Applications created through the API by the page's own session, one
    /// after another; returns their ids. From a page that does not reload
    /// itself on changes (a reload would make chromedriver run the script
    /// again).
    async fn seed(&self, bodies: &[Value]) -> Vec<String> {
        self.goto("/settings/tokens").await;
        let made = self
            .js(
                r#"var csrf = document.querySelector('meta[name=csrf-token]').content;
                return arguments[0].reduce(function (done, body) {
                  return done.then(function (ids) {
                    return fetch('/api/v1/applications', {method: 'POST', credentials: 'same-origin',
                        headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}, body: JSON.stringify(body)})
                      .then(function (r) { return r.json().then(function (j) { return ids.concat([r.status === 201 ? j.id : 'HTTP ' + r.status + ' ' + JSON.stringify(j)]); }); });
                  });
                }, Promise.resolve([]));"#,
                vec![json!(bodies)],
            )
            .await;
        let ids: Vec<String> = made
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        assert!(ids.iter().all(|id| !id.starts_with("HTTP")), "{ids:?}");
        assert_eq!(
            self.count_applications().await,
            bodies.len() as u64,
            "each one created once"
        );
        ids
    }

    async fn count_applications(&self) -> u64 {
        self.js(
            "return fetch('/api/v1/applications?limit=100', {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (j) { return j.items.length; })",
            Vec::new(),
        )
        .await
        .as_u64()
        .unwrap()
    }

    /// Sends keys to whatever has the focus, as typing would.
    async fn keys(&self, text: &str) {
        self.d()
            .action_chain()
            .send_keys(text)
            .perform()
            .await
            .unwrap();
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
    // (Waited for: under load the dashboard may still be loading, or reloading.)
    let page = b.wait_for("Acme</strong> — Rust engineer").await;
    assert!(page.contains("Upcoming interviews"));
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

    // The board's Move button is a plain form. Its menu starts on
    // "Choose…": a careless click moves nothing.
    b.goto("/applications/board").await;
    let card = b.d().find(By::Css(".card-item")).await.unwrap();
    let id = card.attr("data-id").await.unwrap().unwrap();
    let menu = b.d().find(By::Id(format!("move-{id}"))).await.unwrap();
    assert_eq!(menu.value().await.unwrap().as_deref(), Some(""));
    b.click(&format!("#move-{id} + button")).await;
    assert_eq!(b.path().await, "/applications/board");
    assert!(!b.source().await.contains("moved to"));
    assert_eq!(
        b.count(".column[data-status=\"applied\"] .card-item").await,
        1
    );
    b.choose(&format!("move-{id}"), "screening").await;
    b.click(&format!("#move-{id} + button")).await;
    b.wait_for("Initech moved to Screening.").await;
    assert_eq!(b.path().await, "/applications/board");

    // Nor does the application's own status menu choose for you.
    b.goto(&detail).await;
    let menu = b.d().find(By::Id("f-status")).await.unwrap();
    assert_eq!(menu.value().await.unwrap().as_deref(), Some(""));
    assert_eq!(b.text_of("#f-status option").await, "Choose…");
    // No shortcuts without JavaScript, and no word of them.
    assert_eq!(b.count(".shortcut-hint").await, 1);
    assert_eq!(
        b.js(
            "return getComputedStyle(document.querySelector('.shortcut-hint')).display",
            Vec::new()
        )
        .await,
        json!("none")
    );
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

    // The fit reads without JavaScript: each ask beside the user's own
    // line, met or missing said in words.
    b.goto("/settings").await;
    b.fill(
        "f-resume_text",
        "- Cut p99 latency from 900 ms to 40 ms in Rust",
    )
    .await;
    b.click("form[action='/settings/profile'] button[type=submit]")
        .await;
    b.wait_for("Profile saved.").await;
    b.goto(&detail).await;
    b.fill("f-job_description", "Requirements\n- Rust\n- Kubernetes")
        .await;
    b.click("#edit form button[type=submit]").await;
    b.wait_for("Saved.").await;
    b.goto(&detail).await;
    assert_eq!(
        b.text_of("#fit [data-fit-summary]").await,
        "1 of 2 requirements met by your profile."
    );
    assert_eq!(b.text_of("#fit tbody tr:nth-child(1) th").await, "Met Rust");
    assert_eq!(
        b.text_of("#fit tbody tr:nth-child(1) td").await,
        "Cut p99 latency from 900 ms to 40 ms in Rust (résumé)"
    );
    assert_eq!(
        b.text_of("#fit tbody tr:nth-child(2) th").await,
        "Missing Kubernetes"
    );
    assert_eq!(
        b.text_of("#fit tbody tr:nth-child(2) td").await,
        "Nothing in your résumé, skills or summary shows this yet."
    );

    // An interview, typed into the date and time fields as a person would.
    let soon = time::OffsetDateTime::now_utc() + time::Duration::days(3);
    let (month, day, year) = (u8::from(soon.month()), soon.day(), soon.year());
    b.goto(&detail).await;
    b.click("details.add-interview summary").await;
    b.choose("iv-kind", "phone_screen").await;
    let when = b.d().find(By::Id("iv-scheduled_at")).await.unwrap();
    let want = format!("{year}-{month:02}-{day:02}T10:30");
    // Typed segment by segment; on a loaded machine a keystroke can land in
    // the wrong segment, so the field is read back and typed again if so.
    for _ in 0..3 {
        when.clear().await.unwrap();
        when.send_keys(format!("{month:02}{day:02}{year}"))
            .await
            .unwrap();
        when.send_keys(Key::Tab).await.unwrap();
        when.send_keys("1030AM").await.unwrap();
        if when.value().await.unwrap().as_deref() == Some(want.as_str()) {
            break;
        }
    }
    assert_eq!(when.value().await.unwrap().as_deref(), Some(want.as_str()));
    b.click("details.add-interview button[type=submit]").await;
    b.wait_for("Interview added.").await;
    // The typed time is on the page (asked again while a slow page settles).
    b.wait_for("10:30").await;

    an_invalid_form_keeps_the_input(&b).await;

    b.goto("/").await;
    let page = b
        .wait_for("Initech</strong> — Senior backend developer")
        .await;
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
        // A cancel is honoured at the next lease renewal (a third of the
        // lease): a short lease keeps that within the page's wait.
        ("ai_lease_seconds", "3"),
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

/// A search some weeks in: a long company name, deadlines, follow-ups and
/// next actions due, and applications in most columns of the board.
fn a_busy_search() -> Vec<Value> {
    let now = time::OffsetDateTime::now_utc();
    let day = |n: i64| (now.date() + time::Duration::days(n)).to_string();
    let mut apps = vec![json!({
        "company": "Zürcher Kantonalbank Digital Transformation & Technology Services",
        "title": "Staff platform engineer, developer experience and internal tooling",
        "status": "interviewing", "applied_on": day(-20), "source": "Referral",
        "location": "Zürich", "tags": ["rust", "platform"],
    })];
    for (i, company) in ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]
        .into_iter()
        .enumerate()
    {
        apps.push(
            json!({"company": company, "title": "Backend engineer", "status": "wishlist",
            "deadline": day(i as i64 + 1)}),
        );
    }
    for (i, company) in ["Stark Industries", "Wayne Enterprises", "Wonka", "Tyrell"]
        .into_iter()
        .enumerate()
    {
        apps.push(
            json!({"company": company, "title": "Rust engineer", "status": "applied",
            "applied_on": day(-10 - i as i64), "source": "LinkedIn"}),
        );
    }
    let soon = (now + time::Duration::days(2))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    for company in ["Cyberdyne", "Soylent"] {
        apps.push(
            json!({"company": company, "title": "SRE", "status": "screening",
            "applied_on": day(-3), "next_action": "Send the portfolio", "next_action_at": soon}),
        );
    }
    apps.push(json!({"company": "Pied Piper", "title": "Engineer", "status": "offer", "applied_on": day(-30)}));
    apps.push(json!({"company": "Vandelay", "title": "Importer", "status": "rejected", "applied_on": day(-40)}));
    apps
}

/// Problems with the charts' labels on this page: smaller than 11.5 px or
/// larger than 20 px as drawn, cut by the chart's edge, or overlapping
/// another label or a bar.
async fn chart_label_problems(b: &Browser) -> Vec<String> {
    let found = b
        .js(
            r#"var problems = [];
            document.querySelectorAll('svg.chart').forEach(function (svg) {
              var box = svg.getBoundingClientRect(), scale = svg.getScreenCTM().a;
              var name = svg.getAttribute('class').replace('chart ', '');
              var bars = Array.from(svg.querySelectorAll('rect.bar')).map(function (r) { return r.getBoundingClientRect(); })
                .filter(function (r) { return r.width > 0 && r.height > 0; });
              var shown = [];
              svg.querySelectorAll('text').forEach(function (t) {
                if (getComputedStyle(t).display === 'none') return;
                var r = t.getBoundingClientRect(), what = name + ' "' + t.textContent + '"';
                var px = parseFloat(getComputedStyle(t).fontSize) * scale;
                if (px < 11.5 || px > 20) problems.push(what + ' is drawn at ' + px.toFixed(1) + ' px');
                if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
                  problems.push(what + ' is cut by the edge');
                var over = function (a) { return r.left < a.right - 0.5 && a.left < r.right - 0.5 && r.top < a.bottom - 0.5 && a.top < r.bottom - 0.5; };
                shown.forEach(function (o) { if (over(o.r)) problems.push(what + ' overlaps "' + o.text + '"'); });
                if (bars.some(over)) problems.push(what + ' overlaps a bar');
                shown.push({text: t.textContent, r: r});
              });
            });
            return problems;"#,
            Vec::new(),
        )
        .await;
    serde_json::from_value(found).unwrap()
}

/// Text on this page whose colour is too close to its background (WCAG AA:
/// 4.5:1, 3:1 for large text), and chart marks under 3:1 against the card.
async fn contrast_problems(b: &Browser) -> Vec<String> {
    let found = b
        .js(
            r#"function parse(c) {
              var m = /rgba?\(([^)]+)\)/.exec(c || ''); if (!m) return null;
              var p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
              return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
            }
            function over(top, under) {
              return {r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a), b: top.b * top.a + under.b * (1 - top.a), a: 1};
            }
            function lum(c) {
              var f = function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
              return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
            }
            function ratio(a, b) { var x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
            function background(el) {
              var chain = []; for (var e = el; e && e.nodeType === 1; e = e.parentElement) chain.unshift(e);
              var c = {r: 255, g: 255, b: 255, a: 1};
              chain.forEach(function (e) { var bg = parse(getComputedStyle(e).backgroundColor); if (bg && bg.a > 0) c = over(bg, c); });
              return c;
            }
            function skipped(el) {
              if (el.closest('[aria-hidden=true], .visually-hidden, option, [disabled], .drop-no, .undone')) return true;
              return !el.checkVisibility({visibilityProperty: true});
            }
            var problems = [], seen = {};
            document.querySelectorAll('body *').forEach(function (el) {
              var own = Array.from(el.childNodes).some(function (n) { return n.nodeType === 3 && n.textContent.trim(); });
              var control = el.matches('input:not([type=hidden]):not([type=checkbox]), select, textarea');
              if ((!own && !control) || skipped(el)) return;
              var style = getComputedStyle(el), svg = el.closest('svg');
              var fg = parse(svg ? style.fill : style.color), bg = background(svg ? svg : el);
              if (!fg) return;
              fg = over(fg, bg);
              var px = parseFloat(style.fontSize) * (svg ? svg.getScreenCTM().a : 1);
              var large = px >= 24 || (px >= 18.6 && parseInt(style.fontWeight, 10) >= 700);
              var r = ratio(fg, bg), need = large ? 3 : 4.5;
              if (r < need) {
                var text = (el.value || el.textContent).trim().slice(0, 30);
                var what = el.tagName.toLowerCase() + (el.getAttribute('class') ? '.' + el.getAttribute('class').split(' ').join('.') : '') + ' "' + text + '" ' + r.toFixed(2) + ':1';
                if (!seen[what]) { seen[what] = 1; problems.push(what); }
              }
            });
            document.querySelectorAll('svg.chart rect.bar, svg.chart .line, .key').forEach(function (el) {
              if (skipped(el)) return;
              var style = getComputedStyle(el), svg = el.closest('svg');
              var mark = parse(svg ? (el.matches('.line') ? style.stroke : style.fill) : style.backgroundColor);
              if (!mark) return;
              var r = ratio(mark, background(svg || el.parentElement));
              if (r < 3) problems.push('mark ' + el.getAttribute('class') + ' ' + r.toFixed(2) + ':1');
            });
            return problems;"#,
            Vec::new(),
        )
        .await;
    serde_json::from_value(found).unwrap()
}

/// The luminance of the page's background (0 black … 1 white).
async fn page_luminance(b: &Browser) -> f64 {
    b.js(
        r#"var m = /rgba?\(([^)]+)\)/.exec(getComputedStyle(document.documentElement).backgroundColor);
        var p = m[1].split(/[\s,]+/).map(Number);
        var f = function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(p[0]) + 0.7152 * f(p[1]) + 0.0722 * f(p[2]);"#,
        Vec::new(),
    )
    .await
    .as_f64()
    .unwrap()
}

#[actix_web::test]
async fn colours_follow_the_system_and_charts_read_well_in_both_schemes_and_widths() {
    let app = spawn_app().await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    let ids = b.seed(&a_busy_search()).await;
    b.goto("/analytics").await;
    b.click("form[action='/analytics/refresh'] button").await;
    b.wait_for("Snapshots recomputed").await;
    let detail = format!("/applications/{}", ids[0]);

    for scheme in SCHEMES {
        b.color_scheme(scheme).await;
        for path in [
            "/",
            "/applications",
            "/applications/board",
            detail.as_str(),
            "/applications/new",
            "/interviews",
            "/analytics",
            "/settings",
            "/settings/tokens",
            "/import",
        ] {
            b.goto(path).await;
            let light = page_luminance(&b).await;
            if scheme == "dark" {
                assert!(light < 0.05, "{path} is dark in the dark scheme: {light}");
            } else {
                assert!(light > 0.8, "{path} is light in the light scheme: {light}");
            }
            let problems = contrast_problems(&b).await;
            assert!(
                problems.is_empty(),
                "{path} in the {scheme} scheme: {problems:#?}"
            );
        }
        b.goto("/").await;
        b.keys("?").await;
        assert!(contrast_problems(&b).await.is_empty(), "the shortcuts list");
    }

    // The audit itself sees pale text (set through the CSSOM, which the
    // content security policy allows).
    b.color_scheme("light").await;
    b.goto("/").await;
    b.js(
        "var p = document.createElement('p'); p.textContent = 'pale'; p.style.color = '#c8c8c8'; document.querySelector('main').appendChild(p);",
        Vec::new(),
    )
    .await;
    let pale = contrast_problems(&b).await;
    assert!(pale.iter().any(|p| p.contains("\"pale\"")), "{pale:?}");

    for width in [1280, 375] {
        b.window_width(width).await;
        for path in ["/", "/analytics"] {
            b.goto(path).await;
            assert!(b.count("svg.chart text").await > 5, "{path} has charts");
            let problems = chart_label_problems(&b).await;
            assert!(problems.is_empty(), "{path} at {width} px: {problems:#?}");
        }
    }
    b.goto("/").await;
    let first = b
        .js(
            "return document.querySelector('svg.chart-weekly text.axis').textContent",
            Vec::new(),
        )
        .await;
    let first = first.as_str().unwrap();
    assert!(
        first.chars().next().is_some_and(|c| c.is_ascii_digit()),
        "the first week's label is whole: {first:?}"
    );

    for (path, name) in [
        ("/", "busy-dashboard"),
        ("/applications", "busy-applications"),
        ("/applications/board", "busy-board"),
        (detail.as_str(), "busy-application"),
        ("/analytics", "busy-analytics"),
    ] {
        b.goto(path).await;
        b.screenshots(name).await;
    }
    for scheme in SCHEMES {
        b.color_scheme(scheme).await;
        b.goto("/").await;
        b.keys("?").await;
        b.screenshot_now(&format!("shortcuts-{scheme}")).await;
    }
    b.quit().await;
}

#[actix_web::test]
async fn nothing_is_cut_or_cramped_on_a_phone_or_a_desktop() {
    let app = spawn_app().await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    let ids = b.seed(&a_busy_search()).await;

    for width in [1280, 375] {
        b.window_width(width).await;
        // The board shows every column, the Offer column included.
        b.goto("/applications/board").await;
        let fit = b
            .js(
                r#"var board = document.querySelector('.board'), edge = document.documentElement.clientWidth;
                return {scroll: board.scrollWidth - board.clientWidth,
                  page: document.documentElement.scrollWidth - edge,
                  outside: Array.from(board.querySelectorAll('.column')).filter(function (c) {
                    var r = c.getBoundingClientRect(); return r.left < 0 || r.right > edge; }).map(function (c) { return c.dataset.status; })};"#,
                Vec::new(),
            )
            .await;
        assert_eq!(
            fit,
            json!({"scroll": 0, "page": 0, "outside": []}),
            "the board at {width} px"
        );

        // The breadcrumb reads "Applications › company" with no gap.
        b.goto(&format!("/applications/{}", ids[0])).await;
        let gap = b
            .js(
                r#"var a = document.querySelector('nav.crumbs a'), range = document.createRange();
                range.selectNodeContents(a.nextSibling);
                return range.getClientRects()[0].left - a.getBoundingClientRect().right;"#,
                Vec::new(),
            )
            .await
            .as_f64()
            .unwrap();
        assert!(gap.abs() < 1.0, "the breadcrumb's gap at {width} px: {gap}");
        assert_eq!(
            b.js(
                "return getComputedStyle(document.querySelector('nav.crumbs a')).color === getComputedStyle(document.querySelector('main .card a')).color",
                Vec::new()
            )
            .await,
            json!(true),
            "breadcrumb links look like links"
        );

        // What to do next: a group per kind, three of each in sight.
        b.goto("/").await;
        let groups = b
            .js(
                r#"return Array.from(document.querySelectorAll('.action-group')).map(function (g) {
                  return [g.querySelector('h3').firstChild.textContent.trim(),
                    Array.from(g.querySelectorAll('li')).filter(function (li) { return li.checkVisibility(); }).length,
                    g.querySelectorAll('li').length];
                });"#,
                Vec::new(),
            )
            .await;
        assert_eq!(
            groups,
            json!([
                ["Deadlines", 3, 5],
                ["Follow-ups", 3, 4],
                ["Next actions", 2, 2]
            ]),
            "at {width} px"
        );
    }

    // "Show all" opens the rest of a group (a plain <details>).
    b.click(".action-deadline details summary").await;
    assert_eq!(b.count(".action-deadline li").await, 5);
    assert_eq!(
        b.js(
            "return Array.from(document.querySelectorAll('.action-deadline li')).filter(function (li) { return li.checkVisibility(); }).length",
            Vec::new()
        )
        .await,
        json!(5)
    );
    let summary = b.text_of(".action-deadline summary").await;
    assert_eq!(
        summary.split_whitespace().collect::<Vec<_>>().join(" "),
        "Show fewer deadlines"
    );

    // Phone: space under "Add an application"; applications as compact cards.
    b.window_width(375).await;
    b.goto("/").await;
    let gap = b
        .js(
            "return document.querySelector('.stats').getBoundingClientRect().top - document.querySelector('.page-head .button').getBoundingClientRect().bottom",
            Vec::new(),
        )
        .await
        .as_f64()
        .unwrap();
    assert!(gap >= 12.0, "the button's gap above the stats: {gap}");
    b.goto("/applications").await;
    let rows = b
        .js(
            r#"return {display: getComputedStyle(document.querySelector('.apps tbody tr')).display,
              page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
              heights: Array.from(document.querySelectorAll('.apps tbody tr')).map(function (r) { return Math.round(r.getBoundingClientRect().height); }),
              sorts: document.querySelectorAll('.apps thead a').length};"#,
            Vec::new(),
        )
        .await;
    assert_eq!(rows["display"], "grid", "rows are cards: {rows}");
    assert_eq!(rows["page"], 0, "nothing sticks out sideways: {rows}");
    assert_eq!(rows["sorts"], 5, "the sort links stay: {rows}");
    let heights: Vec<u64> = serde_json::from_value(rows["heights"].clone()).unwrap();
    assert_eq!(heights.len(), 14);
    assert!(
        heights.iter().all(|h| *h <= 150),
        "every card is compact, the long name's too: {heights:?}"
    );
    b.window_width(1280).await;
    b.goto("/applications").await;
    assert_eq!(
        b.js(
            "return getComputedStyle(document.querySelector('.apps tbody tr')).display",
            Vec::new()
        )
        .await,
        json!("table-row"),
        "a table on a desktop"
    );
    b.quit().await;
}

/// The path after the page settles (shortcuts navigate).
async fn settled_path(b: &Browser, expected: &str) -> String {
    for _ in 0..30 {
        if b.path().await == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.path().await
}

#[actix_web::test]
async fn keyboard_shortcuts_open_the_main_pages_but_never_while_typing() {
    let app = spawn_app().await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    b.add_application("Acme", "Rust engineer", "applied").await;

    for (keys, path) in [
        ("ga", "/applications"),
        ("gb", "/applications/board"),
        ("gi", "/interviews"),
        ("gr", "/analytics"),
        ("gs", "/settings"),
        ("gd", "/"),
        ("n", "/applications/new"),
    ] {
        b.goto("/").await;
        b.wait_for("class=\"js\"").await;
        b.keys(keys).await;
        assert_eq!(settled_path(&b, path).await, path, "{keys}");
    }

    // "/" goes to the search box; what is typed there stays text.
    b.goto("/applications").await;
    b.wait_for("class=\"js\"").await;
    b.keys("/").await;
    assert_eq!(
        b.js("return document.activeElement.id", Vec::new()).await,
        json!("q")
    );
    b.keys("gd n").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(b.path().await, "/applications");
    let typed = b
        .d()
        .find(By::Id("q"))
        .await
        .unwrap()
        .value()
        .await
        .unwrap();
    assert_eq!(typed.as_deref(), Some("gd n"));

    // Nor in a text area, a menu or an editable element.
    b.goto("/applications/new").await;
    b.wait_for("class=\"js\"").await;
    b.js(
        "var d = document.createElement('div'); d.id = 'editable'; d.contentEditable = 'true'; d.textContent = 'x'; document.querySelector('main').appendChild(d);",
        Vec::new(),
    )
    .await;
    for field in ["f-job_description", "f-status", "editable"] {
        b.js(
            "document.getElementById(arguments[0]).focus()",
            vec![json!(field)],
        )
        .await;
        b.keys("gdn?").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(b.path().await, "/applications/new", "typing in {field}");
        assert_eq!(
            b.js(
                "return document.getElementById('shortcuts').open",
                Vec::new()
            )
            .await,
            json!(false)
        );
    }

    // Nor with Ctrl, Alt or Meta held.
    b.js("document.activeElement.blur()", Vec::new()).await;
    for modifier in [Key::Alt, Key::Control, Key::Meta] {
        b.d()
            .action_chain()
            .key_down(modifier.clone())
            .send_keys("g")
            .key_up(modifier)
            .send_keys("d")
            .perform()
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(b.path().await, "/applications/new");

    // "?" lists them; Escape closes the list; keys do nothing while it is open.
    b.keys("?").await;
    assert_eq!(
        b.js(
            "return document.getElementById('shortcuts').open",
            Vec::new()
        )
        .await,
        json!(true)
    );
    let list = b.text_of("#shortcuts").await;
    for item in ["Dashboard", "Applications", "Board", "New application"] {
        assert!(list.contains(item), "{list}");
    }
    b.keys("ga").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(b.path().await, "/applications/new");
    b.keys(&char::from(Key::Escape).to_string()).await;
    assert_eq!(
        b.js(
            "return document.getElementById('shortcuts').open",
            Vec::new()
        )
        .await,
        json!(false)
    );
    // The links read as before.
    assert_eq!(
        b.text_of(".main-nav a[href='/applications']").await,
        "Applications"
    );
    b.quit().await;
}

impl Browser {
    /// Screenshots of one part of the page (`css`), light and dark, as it
    /// is now (no reload). The sticky header is let go first, so it covers
    /// nothing.
    async fn part_screenshots(&self, css: &str, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        self.js(
            "document.querySelector('header.top').style.position = 'static'",
            Vec::new(),
        )
        .await;
        for scheme in SCHEMES {
            self.color_scheme(scheme).await;
            let suffix = if scheme == "dark" { "-dark" } else { "" };
            let part = self.d().find(By::Css(css)).await.unwrap();
            part.scroll_into_view().await.unwrap();
            part.screenshot(&dir.join(format!("{name}{suffix}.png")))
                .await
                .unwrap();
        }
        self.color_scheme("light").await;
    }

    /// Desktop and phone screenshots of the whole page as it is now (no
    /// reload: what scripts showed stays), light and dark.
    async fn screenshots_now(&self, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        for scheme in SCHEMES {
            self.color_scheme(scheme).await;
            let suffix = if scheme == "dark" { "-dark" } else { "" };
            for (label, width) in [("desktop", 1280), ("phone", 375)] {
                self.d().set_window_rect(0, 0, width, 900).await.unwrap();
                let full = self
                    .js("return document.documentElement.scrollHeight", Vec::new())
                    .await;
                let h = full.as_u64().unwrap_or(900).clamp(600, 4000) as u32;
                self.d().set_window_rect(0, 0, width, h).await.unwrap();
                let inner = self.js("return window.innerHeight", Vec::new()).await;
                let inner = inner.as_u64().unwrap_or(h as u64) as u32;
                if inner < h {
                    let taller = (2 * h - inner).min(4000);
                    self.d().set_window_rect(0, 0, width, taller).await.unwrap();
                }
                self.d()
                    .screenshot(&dir.join(format!("{name}-{label}{suffix}.png")))
                    .await
                    .unwrap();
            }
        }
        self.color_scheme("light").await;
        self.d().set_window_rect(0, 0, 1280, 900).await.unwrap();
    }

    /// Chooses a file in an `<input type=file>`, as a person picking it would.
    async fn upload(&self, id: &str, path: &std::path::Path) {
        let input = self.d().find(By::Id(id)).await.unwrap();
        input.send_keys(path.to_str().unwrap()).await.unwrap();
    }

    /// The id of the Import page's menu for a column of the file.
    async fn column_menu(&self, column: &str) -> String {
        let id = self
            .js(
                "var column = arguments[0]; var s = Array.from(document.querySelectorAll('#csv-columns select')).find(function (s) { return s.dataset.column === column; }); return s ? s.id : null;",
                vec![json!(column)],
            )
            .await;
        id.as_str()
            .unwrap_or_else(|| panic!("no menu for the column {column}"))
            .to_owned()
    }

    /// The table's rows as text, cell by cell.
    async fn table(&self, css: &str) -> Value {
        self.js(
            "return Array.from(document.querySelectorAll(arguments[0] + ' tr')).map(function (tr) { return Array.from(tr.cells).map(function (c) { return c.innerText.trim(); }); });",
            vec![json!(css)],
        )
        .await
    }
}

#[actix_web::test]
async fn a_spreadsheet_is_previewed_mapped_and_imported_on_the_import_page() {
    let app = spawn_app().await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    b.goto("/applications").await;
    b.click(".head-actions a[href='/import']").await;
    b.wait_for("A spreadsheet (CSV)").await;
    assert_eq!(b.path().await, "/import");
    b.screenshots("import").await;

    // An empty file: the reason beside the file input.
    let scratch = tempfile::tempdir().unwrap();
    let empty = scratch.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    b.upload("csv-file", &empty).await;
    b.wait_until_count("#csv-file-error:not([hidden])", 1).await;
    assert!(b.text_of("#csv-file-error").await.contains("empty"));
    assert_eq!(
        b.js(
            "var i = document.getElementById('csv-file'); return [i.getAttribute('aria-invalid'), i.getAttribute('aria-describedby')];",
            Vec::new()
        )
        .await,
        json!(["true", "csv-file-error csv-file-hint"])
    );

    // A file over the limit is refused before it is sent.
    let huge = scratch.path().join("huge.csv");
    std::fs::write(&huge, "Company,Title\n".repeat(400_000)).unwrap();
    b.upload("csv-file", &huge).await;
    for _ in 0..50 {
        if b.text_of("#csv-file-error").await.contains("too large") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        b.text_of("#csv-file-error").await,
        "This file is too large: at most 5 MB."
    );

    // A tracker's export: the columns it recognised, the rows with errors,
    // the first rows as they will be created.
    let fixture =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/csv/huntr-style.csv");
    b.upload("csv-file", &fixture).await;
    b.wait_until_count("#csv-rows tr", 4).await;
    assert_eq!(b.count("#csv-file-error:not([hidden])").await, 0);
    let columns = b
        .js(
            "return Array.from(document.querySelectorAll('#csv-columns tr')).map(function (tr) { return [tr.querySelector('th').textContent, tr.querySelector('select').value]; });",
            Vec::new(),
        )
        .await;
    assert_eq!(
        columns,
        json!([
            ["Company", "company"],
            ["Job Title", "title"],
            ["Status", "status"],
            ["URL", "url"],
            ["Date Applied", "applied_on"],
            ["Location", "location"],
            ["Salary", "salary"],
            ["Notes", "notes"],
            ["Tags", "tags"]
        ])
    );
    let errors = b.table("#csv-errors").await;
    let named: Vec<(String, String)> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_owned(),
                r[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            ("6".to_owned(), "Status".to_owned()),
            ("7".to_owned(), "Date Applied".to_owned())
        ]
    );
    let rows = b.table("#csv-rows").await;
    assert_eq!(
        rows[0],
        json!([
            "2",
            "Acme Robotics",
            "Senior Backend Engineer",
            "Applied",
            "2026-03-05",
            "120,000–150,000 USD",
            "rust, backend",
            "Referred by Sam",
            "New"
        ])
    );
    let companies: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_str().unwrap())
        .collect();
    assert_eq!(
        companies,
        ["Acme Robotics", "Globex", "Initech", "Umbrella"]
    );
    assert_eq!(rows[1][3], "Screening");
    assert_eq!(b.text_of("#csv-import").await, "Import 4 applications");
    assert!(b
        .text_of("#csv-status")
        .await
        .starts_with("6 rows in the file: 4 to import, 0 already there, 2 with errors."));
    assert!(
        contrast_problems(&b).await.is_empty(),
        "{:#?}",
        contrast_problems(&b).await
    );
    for scheme in SCHEMES {
        b.color_scheme(scheme).await;
        assert!(
            contrast_problems(&b).await.is_empty(),
            "the preview in the {scheme} scheme: {:#?}",
            contrast_problems(&b).await
        );
    }
    b.screenshots_now("import-preview").await;
    b.window_width(375).await;
    assert_eq!(
        b.js(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            Vec::new()
        )
        .await,
        json!(0),
        "on a phone the preview's tables scroll inside their box, not the page"
    );
    b.window_width(1280).await;

    // The notes column ignored: the preview is asked again without it.
    let notes = b.column_menu("Notes").await;
    b.choose(&notes, "").await;
    for _ in 0..50 {
        if b.table("#csv-rows").await[0][7] == "—" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(b.table("#csv-rows").await[0][7], "—");
    assert_eq!(
        b.js(
            "return document.activeElement.id === arguments[0]",
            vec![json!(notes)]
        )
        .await,
        json!(true),
        "the menu keeps the focus"
    );

    b.click("#csv-import").await;
    b.wait_until_count("#csv-result:not([hidden])", 1).await;
    let result = b.text_of("#csv-result").await;
    assert!(
        result.contains("Imported 4 applications. 2 rows with errors were left out."),
        "{result}"
    );
    assert_eq!(b.count("#csv-preview:not([hidden])").await, 0);
    b.screenshots_now("import-done").await;
    b.click("#csv-result a[href='/applications']").await;
    let list = b.wait_for("Umbrella").await;
    for company in ["Acme Robotics", "Globex", "Initech", "Umbrella"] {
        assert!(list.contains(company), "{company}");
    }
    assert!(!list.contains("Hooli") && !list.contains("Pied Piper"));
    let notes = b
        .js(
            "return fetch('/api/v1/applications?q=Acme', {credentials: 'same-origin'}).then(function (r) { return r.json(); }).then(function (j) { return fetch('/api/v1/applications/' + j.items[0].id + '/notes', {credentials: 'same-origin'}); }).then(function (r) { return r.json(); }).then(function (j) { return j.items.length; });",
            Vec::new(),
        )
        .await;
    assert_eq!(notes, json!(0), "the ignored column was not imported");

    // The same file again: everything is already there.
    b.goto("/import").await;
    b.upload("csv-file", &fixture).await;
    b.wait_until_count("#csv-rows tr", 4).await;
    assert_eq!(b.count("#csv-rows tr.skipped").await, 4);
    assert_eq!(
        b.text_of("#csv-rows tr td:last-child").await,
        "Already there"
    );
    assert_eq!(
        b.js(
            "return document.getElementById('csv-import').disabled",
            Vec::new()
        )
        .await,
        json!(true)
    );

    // Headings it does not know: the menus come from the file's first row.
    let odd = scratch.path().join("odd.csv");
    std::fs::write(&odd, "Firm;Job;\"Stage, now\"\nAcme;Welder;applied\n").unwrap();
    b.upload("csv-file", &odd).await;
    b.wait_until_count("#csv-mapping-error:not([hidden])", 1)
        .await;
    let firm = b.column_menu("Firm").await;
    b.choose(&firm, "company").await;
    let job = b.column_menu("Job").await;
    b.choose(&job, "title").await;
    b.wait_until_count("#csv-rows tr", 1).await;
    assert_eq!(b.table("#csv-rows").await[0][1], "Acme");
    assert_eq!(b.count("#csv-mapping-error:not([hidden])").await, 0);
    b.quit().await;
}

#[actix_web::test]
async fn an_export_file_is_imported_and_settings_security_and_danger_zone_read_well() {
    let app = spawn_app().await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    b.add_application("Acme", "Rust engineer", "applied").await;

    // Another account's export, made through the API, imported here.
    let (token, _) = app.user("bob@example.com").await;
    app.application(
        &token,
        json!({"company": "Globex", "title": "SRE", "status": "applied"}),
    )
    .await;
    let export = app.get(&token, "/api/v1/export").await;
    assert_eq!(export.status, 200);
    let scratch = tempfile::tempdir().unwrap();
    let file = scratch.path().join("export.json");
    std::fs::write(&file, &export.text).unwrap();
    let bad = scratch.path().join("bad.json");
    std::fs::write(&bad, "{\"format\": \"something else\"}").unwrap();

    b.goto("/settings").await;
    b.click("#data a[href='/import#export']").await;
    b.wait_for("A Job Copilot export").await;
    b.upload("export-file", &bad).await;
    b.click("#export-import").await;
    b.wait_until_count("#export-file-error:not([hidden])", 1)
        .await;
    assert!(!b.text_of("#export-file-error").await.is_empty());
    b.upload("export-file", &file).await;
    b.click("#export-import").await;
    b.wait_until_count("#export-result:not([hidden])", 1).await;
    let result = b.text_of("#export-result").await;
    assert!(
        result.starts_with("Imported 1 application with 0 notes, 0 interviews, 1 status change."),
        "{result}"
    );
    assert_eq!(b.count("#export-file-error:not([hidden])").await, 0);
    b.goto("/applications").await;
    b.wait_for("Globex").await;

    // Settings: the sessions (this browser marked), the data links, the
    // danger zone refusing a mistyped email with the message beside it.
    b.goto("/settings#security").await;
    assert!(b.text_of("#security .badge").await.contains("This browser"));
    assert!(b
        .text_of("#security table")
        .await
        .contains("Chrome on Linux"));
    b.fill("del-confirm", "ada@exmaple.com").await;
    b.fill("del-password", "correct horse battery").await;
    b.click("#danger button[type=submit]").await;
    b.wait_for("del-confirm-error").await;
    assert_eq!(
        b.d()
            .find(By::Id("del-confirm"))
            .await
            .unwrap()
            .value()
            .await
            .unwrap()
            .as_deref(),
        Some("ada@exmaple.com")
    );
    for scheme in SCHEMES {
        b.color_scheme(scheme).await;
        assert!(
            contrast_problems(&b).await.is_empty(),
            "settings in the {scheme} scheme: {:#?}",
            contrast_problems(&b).await
        );
    }
    b.part_screenshots("#security", "settings-security").await;
    b.part_screenshots("#data", "settings-data").await;
    b.part_screenshots("#danger", "settings-danger-refused")
        .await;

    // The account deleted for real: the sign-in page says so.
    b.goto("/settings#danger").await;
    b.fill("del-confirm", "ada@example.com").await;
    b.fill("del-password", "correct horse battery").await;
    b.click("#danger button[type=submit]").await;
    b.wait_for("Your account and all its data were deleted.")
        .await;
    assert_eq!(b.path().await, "/auth/login");
    b.quit().await;
}

#[actix_web::test]
async fn without_javascript_the_import_page_says_it_needs_it() {
    let app = spawn_app().await;
    let b = Browser::open(&app, false).await;
    b.sign_up("bob@example.com").await;
    b.goto("/import").await;
    let text = b.text_of("main").await;
    assert!(text.contains("The import needs JavaScript"), "{text}");
    b.screenshot_now("import-nojs").await;
    b.quit().await;
}

/// A job posting's structured data, as a page carries it (JSON-LD).
const POSTING_LD: &str = r#"{"@context": "https://schema.org", "@type": "JobPosting",
 "title": "Backend Engineer", "hiringOrganization": {"@type": "Organization", "name": "Zürich Robotik AG"},
 "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Zürich", "addressCountry": "CH"}},
 "jobLocationType": "TELECOMMUTE",
 "baseSalary": {"@type": "MonetaryAmount", "currency": "CHF",
   "value": {"@type": "QuantitativeValue", "minValue": 9000, "maxValue": 10000, "unitText": "MONTH"}},
 "validThrough": "2026-12-31", "employmentType": "FULL_TIME",
 "url": "https://jobs.example.com/postings/42?utm_source=newsletter",
 "description": "<p>Build <b>robots</b> that sort parcels.</p><ul><li>Rust</li><li>PostgreSQL</li></ul>"}"#;

/// The posting's page source, as a person would copy it.
fn posting_page() -> String {
    format!(
        "<!doctype html><html><head><title>Backend Engineer - Zürich Robotik AG</title>\n\
         <script type=\"application/ld+json\">{POSTING_LD}</script></head>\n\
         <body><h1>Backend Engineer</h1><p>Build robots that sort parcels.</p></body></html>"
    )
}

/// The form's fields as capture fills them from `POSTING_LD`.
fn filled_from_posting() -> Value {
    json!({
        "f-company": "Zürich Robotik AG", "f-title": "Backend Engineer", "f-location": "Zürich, CH",
        "f-work_mode": "remote", "f-salary_min": "108000", "f-salary_max": "120000",
        "f-salary_currency": "CHF", "f-deadline": "2026-12-31",
        "f-url": "https://jobs.example.com/postings/42", "f-source": "jobs.example.com",
        "f-tags": "full-time", "f-status": "wishlist",
    })
}

impl Browser {
    /// A field's value, asked of the page.
    async fn value_of(&self, id: &str) -> Value {
        self.js(
            "return document.getElementById(arguments[0]).value",
            vec![json!(id)],
        )
        .await
    }

    /// Puts `text` in a field at once, as pasting does.
    async fn paste(&self, id: &str, text: &str) {
        self.js(
            "var e = document.getElementById(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![json!(id), json!(text)],
        )
        .await;
    }

    /// The values of the new-application form's fields that
    /// `filled_from_posting` names, by id.
    async fn form_values(&self) -> Value {
        let ids: Vec<String> = filled_from_posting()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        self.js(
            "var out = {}; arguments[0].forEach(function (id) { out[id] = document.getElementById(id).value; }); return out;",
            vec![json!(ids)],
        )
        .await
    }

    /// An application as the API returns it, asked by the page's session.
    async fn application(&self, id: &str) -> Value {
        self.js(
            "return fetch('/api/v1/applications/' + arguments[0], {credentials: 'same-origin'}).then(function (r) { return r.json(); })",
            vec![json!(id)],
        )
        .await
    }

    /// Presses the form's own button and answers the new application's id
    /// (from the page it lands on).
    async fn add_captured(&self, company: &str) -> String {
        self.click("#application-form button[type=submit]").await;
        self.wait_for(&format!("Added {company}")).await;
        let path = self.path().await;
        path.strip_prefix("/applications/").unwrap().to_owned()
    }
}

/// The application Save made holds what the posting gave.
fn assert_saved_from_posting(app: &Value) {
    assert_eq!(app["company"], "Zürich Robotik AG", "{app}");
    assert_eq!(app["title"], "Backend Engineer");
    assert_eq!(app["location"], "Zürich, CH");
    assert_eq!(app["work_mode"], "remote");
    assert_eq!(app["salary_min"], 108000);
    assert_eq!(app["salary_max"], 120000);
    assert_eq!(app["salary_currency"], "CHF");
    assert_eq!(app["deadline"], "2026-12-31");
    assert_eq!(app["url"], "https://jobs.example.com/postings/42");
    assert_eq!(app["source"], "jobs.example.com");
    assert_eq!(app["tags"], json!(["full-time"]));
    assert_eq!(app["status"], "wishlist");
    let description = app["job_description"].as_str().unwrap();
    assert!(
        description.contains("Build robots that sort parcels."),
        "{description}"
    );
    assert!(description.contains("PostgreSQL"), "{description}");
}

#[actix_web::test]
async fn a_posting_pasted_on_the_new_application_page_fills_the_form_and_is_saved_only_by_add() {
    let app = spawn_app().await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    b.goto("/applications/new").await;

    // Nothing pasted, then a link alone (this server does not fetch pages):
    // each time the message stands beside the input it is about.
    b.click("#capture-fill").await;
    b.wait_until_count("#capture-source-error:not([hidden])", 1)
        .await;
    b.fill("capture-url", "https://jobs.example.com/postings/42")
        .await;
    b.click("#capture-fill").await;
    b.wait_until_count("#capture-url-error:not([hidden])", 1)
        .await;
    let error = b.text_of("#capture-url-error").await;
    assert!(
        error.contains("Paste the page’s text or source below too"),
        "{error}"
    );
    assert_eq!(b.count("#capture-source-error:not([hidden])").await, 0);

    // The page's source pasted: the form is filled and each field marked.
    b.paste("capture-source", &posting_page()).await;
    b.click("#capture-fill").await;
    b.wait_until_count("#capture-status[data-found-by='json-ld']", 1)
        .await;
    assert_eq!(b.count("#capture-url-error:not([hidden])").await, 0);
    let status = b.text_of("#capture-status").await;
    assert!(
        status.contains("from the page’s structured data (JSON-LD)"),
        "{status}"
    );
    assert_eq!(b.form_values().await, filled_from_posting());
    let description = b
        .js(
            "return document.getElementById('f-job_description').value",
            Vec::new(),
        )
        .await;
    assert!(description
        .as_str()
        .unwrap()
        .contains("Build robots that sort parcels."));
    assert_eq!(b.count(".field.captured").await, 12);
    assert_eq!(b.text_of("#f-company-captured").await, "From the posting");
    let described = b
        .js(
            "return document.getElementById('f-company').getAttribute('aria-describedby')",
            Vec::new(),
        )
        .await;
    assert_eq!(described, "f-company-captured");
    assert_eq!(b.count("#capture-duplicate:not([hidden])").await, 0);
    assert_eq!(b.count_applications().await, 0, "nothing saved yet");
    for scheme in SCHEMES {
        b.color_scheme(scheme).await;
        assert!(
            contrast_problems(&b).await.is_empty(),
            "the filled form in the {scheme} scheme: {:#?}",
            contrast_problems(&b).await
        );
    }
    b.screenshots_now("capture-paste-filled").await;

    // Add application: the application page, with the posting's fields.
    let id = b.add_captured("Zürich Robotik AG").await;
    let page = b.text_of("main").await;
    assert!(page.contains("Backend Engineer"), "{page}");
    assert_saved_from_posting(&b.application(&id).await);
    assert_eq!(b.count_applications().await, 1);
    b.quit().await;
}

#[actix_web::test]
async fn the_bookmarklets_payload_opens_the_capture_page_with_the_form_filled() {
    let app = spawn_app().await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    let payload = crate::capture_pages::bookmarklet_payload(
        "https://jobs.example.com/postings/42?utm_source=newsletter",
        "Backend Engineer - Zürich Robotik AG",
        &[POSTING_LD],
        "Build robots that sort parcels ✓",
    );

    b.goto(&format!("/capture#{payload}")).await;

    b.wait_until_count("#capture-status[data-found-by='json-ld']", 1)
        .await;
    assert_eq!(b.form_values().await, filled_from_posting());
    assert_eq!(b.count(".field.captured").await, 12);
    assert_eq!(b.count("#capture-error:not([hidden])").await, 0);
    // The payload is gone from the address bar.
    let url = b.d().current_url().await.unwrap();
    assert_eq!(url.path(), "/capture");
    assert_eq!(url.fragment(), None);
    assert_eq!(b.count_applications().await, 0, "nothing saved yet");
    for scheme in SCHEMES {
        b.color_scheme(scheme).await;
        assert!(
            contrast_problems(&b).await.is_empty(),
            "the capture page in the {scheme} scheme: {:#?}",
            contrast_problems(&b).await
        );
    }
    b.screenshots_now("capture-bookmarklet-filled").await;

    let id = b.add_captured("Zürich Robotik AG").await;
    assert_saved_from_posting(&b.application(&id).await);

    // A payload that is not one, then none at all (a reload): a clear
    // message and the empty form.
    b.goto("/capture#not*base64").await;
    b.wait_until_count("#capture-error:not([hidden])", 1).await;
    let error = b.text_of("#capture-error").await;
    assert!(error.contains("could not be read"), "{error}");
    assert_eq!(b.count(".field.captured").await, 0);
    b.d().refresh().await.unwrap();
    b.wait_until_count("#capture-error:not([hidden])", 1).await;
    let error = b.text_of("#capture-error").await;
    assert!(
        error.contains("Nothing came from the bookmarklet"),
        "{error}"
    );
    let company = b.d().find(By::Id("f-company")).await.unwrap();
    assert_eq!(company.value().await.unwrap().as_deref(), Some(""));
    b.screenshot_now("capture-bookmarklet-missing").await;
    b.quit().await;
}

#[actix_web::test]
async fn a_captured_posting_already_added_shows_the_duplicate_with_its_link() {
    let app = spawn_app().await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    let ids = b
        .seed(&[json!({
            "company": "Zürich Robotik AG", "title": "Backend Engineer", "status": "applied",
            "url": "https://jobs.example.com/postings/42",
        })])
        .await;
    let payload = crate::capture_pages::bookmarklet_payload(
        "https://jobs.example.com/postings/42",
        "Backend Engineer - Zürich Robotik AG",
        &[POSTING_LD],
        "",
    );

    b.goto(&format!("/capture#{payload}")).await;

    b.wait_until_count("#capture-duplicate:not([hidden])", 1)
        .await;
    let link = b.d().find(By::Css("#capture-duplicate a")).await.unwrap();
    assert_eq!(
        link.attr("href").await.unwrap(),
        Some(format!("/applications/{}", ids[0]))
    );
    assert_eq!(
        link.text().await.unwrap(),
        "Zürich Robotik AG — Backend Engineer"
    );
    let warning = b.text_of("#capture-duplicate").await;
    assert!(warning.contains("(applied)"), "{warning}");
    b.part_screenshots("#capture", "capture-duplicate").await;
    link.click().await.unwrap();
    b.wait_for("Backend Engineer").await;
    assert_eq!(b.path().await, format!("/applications/{}", ids[0]));
    assert_eq!(b.count_applications().await, 1, "nothing added");
    b.quit().await;
}

/// A job site on loopback with one posting page (`/job`).
async fn posting_site() -> (String, actix_web::dev::ServerHandle) {
    use actix_web::{web, App, HttpResponse, HttpServer};
    let server = HttpServer::new(|| {
        App::new().route(
            "/job",
            web::get().to(|| async {
                let page = format!(
                    "<!doctype html><html><head><meta charset=\"utf-8\"><title>Backend Engineer - Zürich Robotik AG</title>\n\
                     <script type=\"application/ld+json\">{}</script></head>\n\
                     <body><h1>Backend Engineer</h1><p id=\"pitch\">Build robots that sort parcels.</p></body></html>",
                    POSTING_LD.replace(
                        "\"url\": \"https://jobs.example.com/postings/42?utm_source=newsletter\",\n",
                        ""
                    )
                );
                HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .body(page)
            }),
        )
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    let running = server.run();
    let handle = running.handle();
    actix_web::rt::spawn(running);
    (format!("http://127.0.0.1:{port}"), handle)
}

#[actix_web::test]
async fn the_bookmarklet_from_settings_does_nothing_here_and_captures_a_posting_on_a_job_site() {
    // The server's public address is where the test browser reaches it.
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let public = format!("http://127.0.0.1:{port}");
    let app = spawn_app_with(&[("listen", &listen), ("public_url", &public)]).await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    b.goto("/settings#capture").await;
    let link = b.d().find(By::Css("a.bookmarklet")).await.unwrap();
    let href = link.attr("href").await.unwrap().unwrap();
    assert!(href.starts_with("javascript:"), "{href}");
    assert!(link.attr("onclick").await.unwrap().is_none());

    // Clicked here, it only says where it belongs.
    b.click("a.bookmarklet").await;
    b.wait_until_count("#bookmarklet-note:not([hidden])", 1)
        .await;
    assert_eq!(b.d().windows().await.unwrap().len(), 1);
    assert_eq!(b.path().await, "/settings");
    for scheme in SCHEMES {
        b.color_scheme(scheme).await;
        assert!(
            contrast_problems(&b).await.is_empty(),
            "settings in the {scheme} scheme: {:#?}",
            contrast_problems(&b).await
        );
    }
    b.part_screenshots("#capture", "settings-capture").await;

    // On a job posting, with its pitch selected: the bookmark opens this
    // server in a new tab with the form filled.
    let (site, site_handle) = posting_site().await;
    b.d().goto(format!("{site}/job")).await.unwrap();
    b.js(
        "var r = document.createRange(); r.selectNodeContents(document.getElementById('pitch')); var s = getSelection(); s.removeAllRanges(); s.addRange(r);",
        Vec::new(),
    )
    .await;
    let code = b
        .js(
            "return decodeURIComponent(arguments[0].slice('javascript:'.length))",
            vec![json!(href)],
        )
        .await;
    b.d()
        .execute(code.as_str().unwrap(), Vec::new())
        .await
        .unwrap();
    let mut windows = Vec::new();
    for _ in 0..100 {
        windows = b.d().windows().await.unwrap();
        if windows.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(windows.len(), 2, "the bookmarklet opened a tab");
    let job_tab = b.d().window().await.unwrap();
    let tab = windows.into_iter().find(|w| *w != job_tab).unwrap();
    b.d().switch_to_window(tab).await.unwrap();
    b.wait_until_count("#capture-status[data-found-by='json-ld']", 1)
        .await;
    let url = b.d().current_url().await.unwrap();
    assert_eq!(url.as_str(), format!("{public}/capture"));
    let mut expected = filled_from_posting();
    expected["f-url"] = json!(format!("{site}/job"));
    expected["f-source"] = json!("127.0.0.1");
    assert_eq!(b.form_values().await, expected);
    let id = b.add_captured("Zürich Robotik AG").await;
    let saved = b.application(&id).await;
    assert_eq!(saved["url"], format!("{site}/job"));
    assert_eq!(saved["salary_min"], 108000);
    site_handle.stop(false).await;
    b.quit().await;
}

#[actix_web::test]
async fn without_javascript_the_new_application_page_hides_the_paste_box_and_still_adds() {
    let app = spawn_app().await;
    let b = Browser::open(&app, false).await;
    b.sign_up("bob@example.com").await;
    b.goto("/applications/new").await;
    let text = b.text_of("#capture").await;
    assert!(
        text.contains("With JavaScript on, this form can be filled from a job posting"),
        "{text}"
    );
    assert_eq!(
        b.count("#capture-source").await,
        1,
        "in the page, not shown"
    );
    assert!(!b
        .d()
        .find(By::Id("capture-source"))
        .await
        .unwrap()
        .is_displayed()
        .await
        .unwrap());
    b.add_application("Acme", "Rust engineer", "applied").await;
    b.quit().await;
}

#[actix_web::test]
async fn signing_in_on_the_way_keeps_what_the_bookmarklet_sent() {
    let app = spawn_app().await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    b.click("form[action='/auth/logout'] button").await;
    b.wait_for("Sign in").await;
    let payload = crate::capture_pages::bookmarklet_payload(
        "https://jobs.example.com/postings/42",
        "Backend Engineer - Zürich Robotik AG",
        &[POSTING_LD],
        "",
    );

    b.goto(&format!("/capture#{payload}")).await;
    b.wait_for("Sign in").await;
    assert_eq!(b.path().await, "/auth/login");
    b.fill("email", "ada@example.com").await;
    b.fill("password", "correct horse battery").await;
    b.click("main form button[type=submit]").await;

    b.wait_until_count("#capture-status[data-found-by='json-ld']", 1)
        .await;
    assert_eq!(b.path().await, "/capture");
    assert_eq!(b.form_values().await, filled_from_posting());
    b.quit().await;
}

#[actix_web::test]
async fn pasted_text_fills_the_form_and_too_large_or_too_many_captures_are_said_beside_the_box() {
    let app = spawn_app_with(&[("captures_per_hour", "1")]).await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    b.goto("/applications/new").await;

    // Plain text: "Title at Company" on the first line.
    b.paste(
        "capture-source",
        "Senior Engineer at Acme\nWe build rockets. Apply by Friday.",
    )
    .await;
    b.click("#capture-fill").await;
    b.wait_until_count("#capture-status[data-found-by='text']", 1)
        .await;
    let status = b.text_of("#capture-status").await;
    assert!(status.contains("from the page’s text"), "{status}");
    assert_eq!(b.value_of("f-title").await, "Senior Engineer");
    assert_eq!(b.value_of("f-company").await, "Acme");
    assert_eq!(
        b.value_of("f-salary_currency").await,
        "USD",
        "left as it was"
    );
    assert_eq!(b.count("#f-salary_currency-captured").await, 0);

    // Over 5 MB: refused in the page, beside the box.
    b.paste("capture-source", &"a".repeat(5 * 1024 * 1024 + 1))
        .await;
    b.click("#capture-fill").await;
    b.wait_until_count("#capture-source-error:not([hidden])", 1)
        .await;
    assert!(b
        .text_of("#capture-source-error")
        .await
        .contains("too large"));

    // The hour's captures used up: said in the section, with when to retry.
    b.paste("capture-source", "Data Engineer at Globex").await;
    b.click("#capture-fill").await;
    b.wait_until_count("#capture-error:not([hidden])", 1).await;
    let error = b.text_of("#capture-error").await;
    assert!(
        error.contains("Too many captures in the last hour"),
        "{error}"
    );
    assert_eq!(b.count("#capture-source-error:not([hidden])").await, 0);
    assert_eq!(
        b.value_of("f-company").await,
        "Acme",
        "the form is untouched"
    );
    b.quit().await;
}

impl Browser {
    /// The id of the suggestion whose subject contains `subject`.
    async fn suggestion_id(&self, subject: &str) -> String {
        let id = self
            .js(
                "var want = arguments[0]; var li = Array.from(document.querySelectorAll('li.suggestion')).find(function (l) { return l.querySelector('.subject').innerText.indexOf(want) >= 0; }); return li ? li.id.slice(2) : null;",
                vec![json!(subject)],
            )
            .await;
        id.as_str()
            .unwrap_or_else(|| panic!("no suggestion about {subject:?}"))
            .to_owned()
    }

    /// The Inbox page once `n` suggestions wait (mail is read in the
    /// background; the page is opened again until they are there).
    /// Waits until the Inbox page shows `n` waiting suggestions without
    /// having been reloaded (the page that set `window.__kept` is still
    /// the one shown).
    async fn pending_in_place(&self, n: u64) {
        for _ in 0..300 {
            if self.count("li.suggestion.state-pending").await == n {
                assert_eq!(
                    self.js("return window.__kept === true", Vec::new()).await,
                    json!(true),
                    "the list was updated in place, not by a reload"
                );
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{n} suggestions never shown:\n{}", self.source().await);
    }

    /// Waits until the page that set `window[marker]` has been left and
    /// the next one has loaded.
    async fn wait_for_navigation(&self, marker: &str) {
        for _ in 0..300 {
            let script =
                format!("return window.{marker} !== true && document.readyState === 'complete'");
            if let Ok(r) = self.d().execute(&script, Vec::new()).await {
                if r.json() == &json!(true) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page was never left:\n{}", self.source().await);
    }

    /// The navigation's count of waiting suggestions ("" when hidden).
    async fn badge(&self) -> String {
        self.js(
            "var b = document.querySelector('[data-inbox-count]'); return b.hidden ? '' : b.querySelector('[data-count]').textContent;",
            Vec::new(),
        )
        .await
        .as_str()
        .unwrap()
        .to_owned()
    }
}

#[actix_web::test]
async fn the_inbox_shows_what_uploaded_mail_proposes_and_applies_it_with_the_count_following() {
    let app =
        spawn_app_with(&[("secret_key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")]).await;
    let b = Browser::open(&app, true).await;
    b.sign_up("ada@example.com").await;
    b.goto("/settings").await;
    b.choose("f-timezone", "America/Los_Angeles").await;
    b.click("#account button[type=submit]").await;
    b.wait_for("Account saved.").await;
    b.seed(&[
        json!({"company": "Acme Corp", "title": "Senior Backend Engineer", "status": "applied",
               "url": "https://boards.greenhouse.io/acme/jobs/4012345"}),
        json!({"company": "Acme Corp", "title": "Backend Engineer", "status": "rejected",
               "url": "https://boards.greenhouse.io/acme/jobs/3100077"}),
        json!({"company": "Northwind Traders", "title": "Data Engineer", "status": "applied",
               "url": "https://jobs.lever.co/northwind/7f3a9c2e-1b4d-4e8f-9a6b-2c1d3e4f5a6b"}),
    ])
    .await;

    // Empty: it says how mail gets here.
    b.goto("/inbox").await;
    assert!(b.text_of("main").await.contains("No suggestions yet"));
    assert_eq!(b.badge().await, "");
    b.screenshots("inbox-empty").await;

    // Four messages chosen in the file input (one a receipt: no suggestion).
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mail");
    let chosen: Vec<String> = [
        "rejection-greenhouse-acme.eml",
        "interview-greenhouse-acme-ics.eml",
        "applied-indeed-unrecorded.eml",
        "other-amazon-receipt.eml",
    ]
    .iter()
    .map(|f| corpus.join(f).display().to_string())
    .collect();
    let input = b.d().find(By::Id("eml-files")).await.unwrap();
    input.send_keys(chosen.join("\n")).await.unwrap();
    b.click(".upload-form button[type=submit]").await;
    b.wait_for("4 messages received; suggestions appear in a moment.")
        .await;
    // The suggestions come into the list in place: the page is not
    // reloaded (its flash stays) and no navigation is needed.
    b.js("window.__kept = true", Vec::new()).await;
    b.pending_in_place(3).await;
    assert!(b
        .text_of("main")
        .await
        .contains("4 messages received; suggestions appear in a moment."));
    assert_eq!(b.badge().await, "3");

    // One more dropped on the box (the script posts the same form).
    let dropped = std::fs::read_to_string(corpus.join("rejection-lever-northwind.eml")).unwrap();
    // (Dropped after the script returns: a navigation begun inside a
    // WebDriver script leaves chromedriver waiting.)
    b.js(
        "var dt = new DataTransfer(); dt.items.add(new File([arguments[0]], 'northwind.eml', {type: 'message/rfc822'}));
         window.__before_drop = true;
         setTimeout(function () {
           document.querySelector('[data-drop-zone]').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
         }, 50);",
        vec![json!(dropped)],
    )
    .await;
    b.wait_for_navigation("__before_drop").await;
    b.wait_for("1 message received").await;
    b.js("window.__kept = true", Vec::new()).await;
    b.pending_in_place(4).await;
    assert_eq!(b.badge().await, "4");
    let interview = b.suggestion_id("Interview Confirmation").await;
    let text = b.text_of(&format!("#s-{interview}")).await;
    for shown in [
        "Interview invitation",
        "Interview Confirmation: Senior Backend Engineer at Acme Corp",
        "Acme Corp Recruiting <no-reply@us.greenhouse-mail.io>",
        "Acme Corp — Senior Backend Engineer",
        "Applied → Interviewing",
        "Tue 10 Mar 2026, 14:00 (America/Los_Angeles)",
        "meeting link",
    ] {
        assert!(text.contains(shown), "{shown:?} in:\n{text}");
    }
    let link = b
        .d()
        .find(By::Css(format!("#s-{interview} .change-interview a")))
        .await
        .unwrap();
    assert_eq!(
        link.attr("href").await.unwrap().as_deref(),
        Some("https://acme.zoom.us/j/81234567890?pwd=QWxhZGRpbjpvcGVu")
    );
    let unrecorded = b.suggestion_id("Rust Developer at Initrode").await;
    let text = b.text_of(&format!("#s-{unrecorded}")).await;
    assert!(text.contains("Application received"), "{text}");
    assert!(text.contains("No matching application"), "{text}");
    assert!(
        text.contains("New application: Initrode — Rust Developer"),
        "{text}"
    );
    let rejection = b.suggestion_id("Your application to Acme Corp").await;
    let text = b.text_of(&format!("#s-{rejection}")).await;
    assert!(
        text.contains("Rejection") && text.contains("Applied → Rejected"),
        "{text}"
    );
    assert!(
        !b.source().await.contains("Amazon.com order"),
        "a receipt is no suggestion"
    );
    for scheme in SCHEMES {
        b.color_scheme(scheme).await;
        assert!(
            contrast_problems(&b).await.is_empty(),
            "the inbox in the {scheme} scheme: {:#?}",
            contrast_problems(&b).await
        );
    }
    b.color_scheme("light").await;
    b.screenshots("inbox").await;
    b.window_width(375).await;
    b.goto("/inbox").await;
    let overflow = b
        .js(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
            Vec::new(),
        )
        .await;
    assert_eq!(overflow, json!(0), "the inbox fits a phone's width");
    b.window_width(1280).await;
    b.goto("/inbox").await;

    // Apply the invitation: the status moves, the interview is made, the count goes down.
    b.click(&format!(
        "#s-{interview} .suggestion-actions form[action$='/apply'] button"
    ))
    .await;
    b.wait_for("Acme Corp moved to Interviewing; interview on Tue 10 Mar 2026, 14:00 added.")
        .await;
    assert_eq!(b.badge().await, "3");
    assert!(b
        .text_of(&format!("#s-{interview}"))
        .await
        .contains("Applied"));
    assert_eq!(
        b.count(&format!("#s-{interview} .suggestion-actions"))
            .await,
        0,
        "decided: no more buttons"
    );
    b.goto("/interviews").await;
    b.wait_for("Acme Corp").await;

    // Decided elsewhere (the API, another tab): the count follows live,
    // without reloading this page.
    b.goto("/applications").await;
    b.wait_for("data-live=\"open\"").await;
    b.js("window.__stale = true", Vec::new()).await;
    b.js(
        "return fetch('/api/v1/inbox/' + arguments[0] + '/dismiss', {method: 'POST', credentials: 'same-origin',
           headers: {'X-CSRF-Token': document.querySelector('meta[name=csrf-token]').content}}).then(function (r) { return r.status; })",
        vec![json!(rejection)],
    )
    .await;
    for _ in 0..100 {
        if b.badge().await == "2" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(b.badge().await, "2");
    assert_eq!(
        b.js("return window.__stale === true", Vec::new()).await,
        json!(true),
        "the badge changed in place"
    );

    // Settings → Mailbox: the form, then a refused host beside its field.
    b.goto("/settings#mailbox").await;
    b.part_screenshots("#mailbox", "settings-mailbox").await;
    b.fill("mb-host", "127.0.0.1").await;
    b.fill("mb-port", "1").await;
    b.fill("mb-username", "ada@example.com").await;
    b.fill("mb-password", "app password 1234").await;
    b.click("#mailbox form[action='/settings/mailbox'] button[type=submit]")
        .await;
    b.wait_for("mb-host-error").await;
    assert!(b
        .text_of("#mb-host-error")
        .await
        .starts_with("127.0.0.1 is "));
    let host = b.d().find(By::Id("mb-host")).await.unwrap();
    assert_eq!(host.value().await.unwrap().as_deref(), Some("127.0.0.1"));
    let password = b.d().find(By::Id("mb-password")).await.unwrap();
    assert_eq!(password.value().await.unwrap().as_deref(), Some(""));
    for scheme in SCHEMES {
        b.color_scheme(scheme).await;
        assert!(
            contrast_problems(&b).await.is_empty(),
            "settings → mailbox in the {scheme} scheme: {:#?}",
            contrast_problems(&b).await
        );
    }
    b.part_screenshots("#mailbox", "settings-mailbox-refused")
        .await;
    b.quit().await;
}
