//! The shipped proxy for real: Debian's nginx (which `scripts/test`
//! installs) runs `deploy/nginx.conf` — only its upstream addresses and its
//! `listen` rewritten, by text substitution, so the file itself is what is
//! tested — in front of two real replicas sharing PostgreSQL and a Redis
//! that wants a password, as compose runs them. Through it: sign-in (API
//! and forms), writes that either replica sees, a live event stream read as
//! it comes, `/metrics` kept inside, the client's own address reaching the
//! per-address limits, and the largest bodies the app takes.

use std::net::IpAddr;
use std::os::unix::fs::chown;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::free_port;
use crate::helpers::{fresh_database, submit_at};
use crate::replicas::{call_at, Replica};
use crate::scale_out::{events_of, replicas_with, Redis};

const CONF: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/nginx.conf"));
const PASSWORD: &str = "correct horse battery";

/// Debian's nginx in the foreground, its main configuration in a temp dir
/// including the rewritten `deploy/nginx.conf` at the http{} level.
pub struct Nginx {
    pub base: String,
    dir: tempfile::TempDir,
    child: Child,
}

impl Nginx {
    /// nginx on 127.0.0.1:`port` in front of `upstreams` (host:port each).
    pub fn start(port: u16, upstreams: &[String]) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let site = rewrite(CONF, upstreams, &format!("127.0.0.1:{port}"));
        std::fs::write(root.join("jobcopilot.conf"), site).unwrap();
        let d = root.display();
        // What a package's nginx.conf would set, kept in the temp dir. One
        // process (no master): it dies with the test, workers included.
        let main = format!(
            "master_process off;\n\
             pid {d}/nginx.pid;\n\
             error_log {d}/error.log info;\n\
             events {{ worker_connections 512; }}\n\
             http {{\n\
             \x20   access_log {d}/access.log;\n\
             \x20   client_body_temp_path {d}/client_body;\n\
             \x20   proxy_temp_path {d}/proxy;\n\
             \x20   fastcgi_temp_path {d}/fastcgi;\n\
             \x20   uwsgi_temp_path {d}/uwsgi;\n\
             \x20   scgi_temp_path {d}/scgi;\n\
             \x20   include {d}/jobcopilot.conf;\n\
             }}\n"
        );
        std::fs::write(root.join("nginx.conf"), main).unwrap();
        let out = std::fs::File::create(root.join("stdout.log")).unwrap();
        let as_root = unsafe { libc::geteuid() } == 0;
        let (_, _, uid, gid) = crate::dovecot::run_as();
        if as_root {
            // Run unprivileged: the temp dir becomes that user's.
            for entry in std::fs::read_dir(root).unwrap() {
                chown(entry.unwrap().path(), Some(uid), Some(gid)).unwrap();
            }
            chown(root, Some(uid), Some(gid)).unwrap();
        }
        let mut cmd = Command::new(binary());
        cmd.arg("-p")
            .arg(format!("{d}/"))
            .arg("-e")
            .arg(root.join("error.log"))
            .arg("-c")
            .arg(root.join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        if as_root {
            cmd.uid(uid).gid(gid);
        }
        unsafe {
            // nginx dies with the test thread that started it, even if the
            // test process is killed before Drop runs.
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .expect("nginx starts (scripts/test installs it)");
        let mut nginx = Nginx {
            base: format!("http://127.0.0.1:{port}"),
            dir,
            child,
        };
        for _ in 0..200 {
            if let Ok(Some(status)) = nginx.child.try_wait() {
                panic!("nginx exited ({status}):\n{}", nginx.logs());
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return nginx;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("nginx never listened on {port}:\n{}", nginx.logs());
    }

    /// Its output and error log, for a failure's message.
    pub fn logs(&self) -> String {
        ["stdout.log", "error.log"]
            .iter()
            .map(|f| std::fs::read_to_string(self.dir.path().join(f)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> PathBuf {
    for candidate in ["/usr/sbin/nginx", "/usr/local/sbin/nginx"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    PathBuf::from("nginx")
}

/// `deploy/nginx.conf` with only its addresses changed: the upstream's
/// `server` lines point at `upstreams` (one each, in order), the `listen` at
/// `listen`. Panics unless the file has the shape deployments rely on: an
/// http{}-level file with one upstream block, one `server` line per
/// replica, one `listen`.
fn rewrite(conf: &str, upstreams: &[String], listen: &str) -> String {
    let mut out = String::with_capacity(conf.len());
    let (mut blocks, mut servers, mut listens) = (0, 0, 0);
    let mut in_upstream = false;
    for line in conf.lines() {
        let code = line.trim_start();
        let indent = &line[..line.len() - code.len()];
        let mut replaced = None;
        if code.starts_with('#') {
            // A comment is left as it is.
        } else if ["http ", "http{", "events ", "events{"]
            .iter()
            .any(|b| code.starts_with(b))
        {
            panic!("deploy/nginx.conf is included inside http{{}}: {line}");
        } else if code.starts_with("upstream ") {
            blocks += 1;
            in_upstream = true;
        } else if in_upstream && code.starts_with('}') {
            in_upstream = false;
        } else if in_upstream && code.starts_with("server ") {
            let to = upstreams.get(servers).unwrap_or_else(|| {
                panic!(
                    "deploy/nginx.conf has more upstream servers than the {} replicas",
                    upstreams.len()
                )
            });
            servers += 1;
            replaced = Some(with_address(indent, "server", code, to));
        } else if code.starts_with("listen ") {
            listens += 1;
            replaced = Some(with_address(indent, "listen", code, listen));
        }
        out.push_str(replaced.as_deref().unwrap_or(line));
        out.push('\n');
    }
    assert_eq!(blocks, 1, "deploy/nginx.conf: one upstream block");
    assert_eq!(
        servers,
        upstreams.len(),
        "deploy/nginx.conf: one upstream server line per replica"
    );
    assert_eq!(listens, 1, "deploy/nginx.conf: one listen");
    out
}

/// `directive address rest…` with another address, the rest kept.
fn with_address(indent: &str, directive: &str, code: &str, address: &str) -> String {
    let rest = code[directive.len()..].trim_start();
    let end = rest
        .find(|c: char| c.is_whitespace() || c == ';')
        .unwrap_or(rest.len());
    format!("{indent}{directive} {address}{}", &rest[end..])
}

/// Two replicas sharing a fresh database and a Redis with a password,
/// behind nginx; they believe 127.0.0.1 (nginx) about client addresses
/// unless `extra` says otherwise. Fields drop in order: the proxy first.
struct Behind {
    nginx: Nginx,
    a: Replica,
    b: Replica,
    _redis: Redis,
    _pool: deadpool_postgres::Pool,
}

async fn behind_nginx(extra: &[(&str, &str)]) -> Behind {
    let redis = Redis::start_with_password("s3cret-redis-password");
    let (db, pool) = fresh_database().await;
    let port = free_port();
    let public = format!("http://127.0.0.1:{port}");
    let mut env = vec![
        ("JOBCOPILOT_TRUSTED_PROXIES", "127.0.0.1/32"),
        ("JOBCOPILOT_PUBLIC_URL", public.as_str()),
    ];
    env.extend_from_slice(extra);
    let (a, b) = replicas_with(&db, &redis, &env).await;
    let upstreams = [&a, &b].map(|r| r.base.trim_start_matches("http://").to_owned());
    let nginx = Nginx::start(port, &upstreams);
    Behind {
        nginx,
        a,
        b,
        _redis: redis,
        _pool: pool,
    }
}

/// A client whose connections come from `source`, a loopback address of
/// its own (as another person's machine would), keeping cookies and
/// following no redirect, as the tests' browsers do.
fn client_from(source: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(source.parse::<IpAddr>().unwrap())
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn register(c: &reqwest::Client, base: &str, email: &str) -> (u16, Value) {
    call_at(
        c,
        base,
        None,
        Method::POST,
        "/api/v1/auth/register",
        Some(json!({"email": email, "password": PASSWORD})),
    )
    .await
}

async fn sign_up_form(c: &reqwest::Client, base: &str, email: &str) -> reqwest::Response {
    let fields = [
        ("email", email),
        ("password", PASSWORD),
        ("display_name", "Someone"),
    ];
    submit_at(base, c, "/auth/register", "/auth/local/register", &fields).await
}

async fn ids_listed(r: &Replica, token: &str) -> Vec<String> {
    let (status, list) = r
        .call(Some(token), Method::GET, "/api/v1/applications", None)
        .await;
    assert_eq!(status, 200, "{list}");
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["id"].as_str().map(str::to_owned))
        .collect()
}

#[actix_web::test]
async fn through_nginx_people_sign_in_write_and_get_live_events_but_never_metrics() {
    let s = behind_nginx(&[]).await;
    let proxy = s.nginx.base.as_str();
    let web = client_from("127.0.0.2");

    // The API: an account, then a token for its password.
    let (status, body) = register(&web, proxy, "ada@example.com").await;
    assert_eq!(status, 201, "{body}\n{}", s.nginx.logs());
    let (status, body) = call_at(
        &web,
        proxy,
        None,
        Method::POST,
        "/api/v1/auth/token",
        Some(json!({"email": "ada@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();

    // A live stream opened through nginx stays open and carries each write
    // made through nginx (round robin puts them on both replicas) as it
    // happens: nothing waits for the stream to end.
    let stream = web
        .get(format!("{proxy}/api/v1/events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut ids = Vec::new();
    for company in ["Acme", "Initech", "Globex"] {
        let (status, a) = call_at(
            &web,
            proxy,
            Some(&token),
            Method::POST,
            "/api/v1/applications",
            Some(json!({"company": company, "title": "Engineer"})),
        )
        .await;
        assert_eq!(status, 201, "{a}");
        ids.push(a["id"].as_str().unwrap().to_owned());
    }
    let wanted: Vec<&str> = ids.iter().map(String::as_str).collect();
    let missing = events_of(stream, "application.created", &wanted).await;
    assert!(
        missing.is_empty(),
        "the stream through nginx never carried {missing:?}\n{}",
        s.nginx.logs()
    );
    // The writes are PostgreSQL's: each replica, asked directly, has them.
    for r in [&s.a, &s.b] {
        let listed = ids_listed(r, &token).await;
        for id in &ids {
            assert!(listed.contains(id), "{} lists {id}: {listed:?}", r.base);
        }
    }

    // The forms: signing up, then adding an application, each a page from
    // one replica and its CSRF-checked post perhaps to the other.
    let browser = client_from("127.0.0.3");
    let res = sign_up_form(&browser, proxy, "bob@example.com").await;
    let status = res.status();
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let fields = [("company", "Umbrella"), ("title", "Engineer")];
    let res = submit_at(
        proxy,
        &browser,
        "/applications/new",
        "/applications/new",
        &fields,
    )
    .await;
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let id = location.trim_start_matches("/applications/").to_owned();
    for _ in 0..2 {
        let page = browser
            .get(format!("{proxy}/applications/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Umbrella"));
    }
    // And signing in with the form, from a browser that has no cookie yet.
    let later = client_from("127.0.0.3");
    let fields = [("email", "bob@example.com"), ("password", PASSWORD)];
    let res = submit_at(proxy, &later, "/auth/login", "/auth/local/login", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, me) = call_at(&later, proxy, None, Method::GET, "/api/v1/me", None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], "bob@example.com");

    // /metrics: each replica serves it; the proxy never does, however asked.
    for r in [&s.a, &s.b] {
        let res = reqwest::get(format!("{}/metrics", r.base)).await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.text().await.unwrap().contains("http_requests"));
    }
    for path in [
        "/metrics",
        "/metrics?format=text",
        "//metrics",
        "/%6Detrics",
        "/metrics/",
    ] {
        let res = web.get(format!("{proxy}{path}")).send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(
            status != 200 && !text.contains("http_requests"),
            "{path} through nginx: {status}\n{text}"
        );
    }
}

#[actix_web::test]
async fn behind_nginx_the_per_address_limits_count_the_real_client() {
    let s = behind_nginx(&[("JOBCOPILOT_REGISTRATION_LIMIT", "2")]).await;
    let proxy = s.nginx.base.as_str();
    let (first, second) = (client_from("127.0.0.2"), client_from("127.0.0.3"));

    for email in ["a1@example.com", "a2@example.com"] {
        let (status, body) = register(&first, proxy, email).await;
        assert_eq!(status, 201, "{body}\n{}", s.nginx.logs());
    }
    let (status, body) = register(&first, proxy, "a3@example.com").await;
    assert_eq!(status, 429, "a third account from one address: {body}");
    let res = sign_up_form(&first, proxy, "a5@example.com").await;
    assert_eq!(res.status(), 429, "the form counts the same address");
    // The count is kept in PostgreSQL: each replica, asked as nginx asks
    // it (from 127.0.0.1, naming the client), refuses that address too.
    for r in [&s.a, &s.b] {
        let res = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/register", r.base))
            .header("x-forwarded-for", "127.0.0.2")
            .json(&json!({"email": "a6@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 429, "{} counts 127.0.0.2's accounts", r.base);
    }

    // Another address is another client.
    let (status, body) = register(&second, proxy, "b1@example.com").await;
    assert_eq!(status, 201, "another address may still register: {body}");
    // Its browser's session records where it signed in from: the client,
    // not the proxy.
    let fields = [("email", "b1@example.com"), ("password", PASSWORD)];
    let res = submit_at(proxy, &second, "/auth/login", "/auth/local/login", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, sessions) =
        call_at(&second, proxy, None, Method::GET, "/api/v1/sessions", None).await;
    assert_eq!(status, 200, "{sessions}");
    let items = sessions["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{sessions}");
    assert_eq!(items[0]["address"], "127.0.0.3", "{sessions}");
}

#[actix_web::test]
async fn behind_nginx_a_client_cannot_name_its_own_address() {
    // As in compose, the replicas believe a whole private range, the one
    // the clients' own addresses are in too: only nginx replacing the
    // X-Forwarded-For a client sends keeps it from naming any address.
    let s = behind_nginx(&[
        ("JOBCOPILOT_TRUSTED_PROXIES", "127.0.0.0/8"),
        ("JOBCOPILOT_REGISTRATION_LIMIT", "1"),
    ])
    .await;
    let proxy = s.nginx.base.as_str();
    let client = client_from("127.0.0.2");
    let (status, body) = register(&client, proxy, "a1@example.com").await;
    assert_eq!(status, 201, "{body}\n{}", s.nginx.logs());
    for forged in ["198.51.100.7", "127.0.0.9", "198.51.100.7, 127.0.0.9"] {
        let res = client
            .post(format!("{proxy}/api/v1/auth/register"))
            .header("x-forwarded-for", forged)
            .json(&json!({"email": "a2@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 429, "X-Forwarded-For: {forged} got past");
    }
    let (status, body) = register(&client_from("127.0.0.3"), proxy, "b1@example.com").await;
    assert_eq!(status, 201, "{body}");
}

#[actix_web::test]
async fn nginx_passes_the_largest_bodies_the_app_takes() {
    let s = behind_nginx(&[]).await;
    let proxy = s.nginx.base.as_str();
    let c = client_from("127.0.0.2");
    let (status, body) = register(&c, proxy, "ada@example.com").await;
    assert_eq!(status, 201, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    const MIB: usize = 1024 * 1024;

    // A CSV file just under the app's 5 MiB: every row arrives.
    let mut csv = String::from("company,title,notes\n");
    let mut rows = 0;
    let notes = "n".repeat(1000);
    while csv.len() + 1100 < jobcopilot::domain::csv_import::MAX_BYTES {
        rows += 1;
        csv.push_str(&format!("Company {rows},Engineer,{notes}\n"));
    }
    let res = c
        .post(format!("{proxy}/api/v1/import/csv?dry_run=true"))
        .bearer_auth(&token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let answer: Value = res.json().await.unwrap_or_default();
    assert_eq!(status, 200, "{answer}\n{}", s.nginx.logs());
    assert_eq!(answer["rows"], rows, "every row of the file arrived");

    // The Inbox page's form with a message just under the app's 10 MiB:
    // the form around it fits too.
    let limit = jobcopilot::http::inbox::MESSAGE_LIMIT;
    let mut eml = b"From: recruiter@example.com\r\nTo: ada@example.com\r\n\
        Subject: Your application\r\nContent-Type: text/plain\r\n\r\n"
        .to_vec();
    while eml.len() + 80 < limit {
        eml.extend_from_slice(&[b'x'; 76]);
        eml.extend_from_slice(b"\r\n");
    }
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(eml)
            .file_name("big.eml")
            .mime_str("message/rfc822")
            .unwrap(),
    );
    let res = c
        .post(format!("{proxy}/api/v1/inbox/messages"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let answer: Value = res.json().await.unwrap_or_default();
    assert_eq!(status, 202, "{answer}\n{}", s.nginx.logs());
    assert_eq!(answer["ids"].as_array().map(Vec::len), Some(1), "{answer}");

    // An export file may be far larger than anything else (up to 256 MiB):
    // 20 MiB reaches the app, which reads all of it before it finds that it
    // is no export (its answer, not the proxy's).
    let mut export = String::from("{\"padding\": \"");
    export.push_str(&"p".repeat(20 * MIB));
    let res = c
        .post(format!("{proxy}/api/v1/import/export"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(export)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = res.text().await.unwrap();
    assert!(
        status.is_client_error() && status != 413 && kind.starts_with("application/problem+json"),
        "{status} {kind}: {text}\n{}",
        s.nginx.logs()
    );
}

/// The size a `client_max_body_size` in `block` allows, in bytes.
fn body_limit(block: &str) -> Option<usize> {
    let value = block
        .split("client_max_body_size")
        .nth(1)?
        .split(';')
        .next()?
        .trim()
        .to_ascii_lowercase();
    let (digits, unit) = match value.strip_suffix(['k', 'm', 'g']) {
        Some(d) => (d, value.chars().last()?),
        None => (value.as_str(), 'b'),
    };
    let n: usize = digits.parse().ok()?;
    Some(match unit {
        'k' => n * 1024,
        'm' => n * 1024 * 1024,
        'g' => n * 1024 * 1024 * 1024,
        _ => n,
    })
}

/// The `location` block whose line starts with `head`, up to its first `}`.
fn location<'a>(head: &str, conf: &'a str) -> &'a str {
    conf.split(head)
        .nth(1)
        .and_then(|b| b.split('}').next())
        .unwrap_or_else(|| panic!("deploy/nginx.conf has a `{head}` block"))
}

#[test]
fn the_shipped_proxy_configuration_fits_the_app() {
    use jobcopilot::http::{extract, inbox, transfer};
    // Its shape (one upstream, a server line per compose replica, one
    // listen) is checked by rewriting it as the tests do.
    rewrite(CONF, &["app1:8080".into(), "app2:8080".into()], "80");
    // Room for a multipart form around the largest file, and not much more.
    let room = |limit: usize| limit + 64 * 1024..=limit + 2 * 1024 * 1024;
    let (server_level, _) = CONF.split_once("location ").unwrap();
    let general = body_limit(server_level).expect("a server-level client_max_body_size");
    let largest = [
        inbox::MESSAGE_LIMIT,
        jobcopilot::domain::csv_import::MAX_BYTES,
        jobcopilot::domain::posting::BODY_LIMIT,
        extract::BODY_LIMIT,
    ]
    .into_iter()
    .max()
    .unwrap();
    assert!(
        room(largest).contains(&general),
        "client_max_body_size {general} for the app's largest body, {largest}"
    );
    let export = location("location = /api/v1/import/export", CONF);
    let export = body_limit(export).expect("the export import's own client_max_body_size");
    assert!(
        room(transfer::EXPORT_FILE_LIMIT).contains(&export),
        "the export import's client_max_body_size {export} for {}",
        transfer::EXPORT_FILE_LIMIT
    );
    let events = location("location = /api/v1/events", CONF);
    assert!(events.contains("proxy_buffering off"), "{events}");
    assert!(location("location = /metrics", CONF).contains("return 404"));
}
