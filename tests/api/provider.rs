//! The real OpenID provider (npm `oidc-provider`) on loopback, and a browser
//! that walks through its sign-in.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;

pub const CLIENT_ID: &str = "jobcopilot-test";
pub const CLIENT_SECRET: &str = "a-long-test-client-secret-0123456789";

pub struct Provider {
    pub issuer: String,
    child: Child,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port (for the app, which the provider must know first).
impl Provider {
    pub fn start(redirect_uri: &str) -> Provider {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/oidc");
        assert!(
            std::path::Path::new(dir).join("node_modules/oidc-provider").exists(),
            "the test OpenID provider is not installed: run scripts/test (or npm ci --prefix tests/peers/oidc)"
        );
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .args([
                "--client-id",
                CLIENT_ID,
                "--client-secret",
                CLIENT_SECRET,
                "--redirect-uri",
                redirect_uri,
            ])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(
                std::fs::File::create(
                    std::env::temp_dir()
                        .join(format!("jc-oidc-provider-{}.log", std::process::id())),
                )
                .map(Stdio::from)
                .unwrap_or(Stdio::null()),
            )
            .spawn()
            .expect("node runs the test provider");
        let stdout = child.stdout.take().unwrap();
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let port = line
            .trim()
            .strip_prefix("listening ")
            .expect("provider announces its port")
            .to_owned();
        // Keep draining its output: a closed pipe would kill it (EPIPE).
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        Provider {
            issuer: format!("http://127.0.0.1:{port}"),
            child,
        }
    }

    pub async fn set_mode(&self, name: &str, code_ttl: u32) {
        let url = format!(
            "{}/__test/mode?name={name}&code_ttl={code_ttl}",
            self.issuer
        );
        assert_eq!(reqwest::get(url).await.unwrap().status(), 200);
    }

    pub async fn rotate_keys(&self) -> String {
        reqwest::get(format!("{}/__test/rotate", self.issuer))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }
}

pub use crate::helpers::browser;

fn location(res: &reqwest::Response, base: &str) -> String {
    let loc = res
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap();
    if loc.starts_with('/') {
        format!("{base}{loc}")
    } else {
        loc.to_owned()
    }
}

/// Who signs in at the provider.
pub struct Person<'a> {
    pub sub: &'a str,
    pub email: &'a str,
    pub verified: bool,
    pub deny: bool,
}

impl<'a> Person<'a> {
    pub fn new(sub: &'a str, email: &'a str) -> Self {
        Person {
            sub,
            email,
            verified: true,
            deny: false,
        }
    }
}

/// Walks from the app's "Sign in" link through the provider's login and
/// consent, and returns the callback URL the provider sends the browser to
/// (not yet followed).
pub async fn walk_to_callback(
    browser: &reqwest::Client,
    app: &str,
    provider: &Provider,
    who: &Person<'_>,
) -> String {
    let res = browser
        .get(format!("{app}/auth/oidc/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let mut url = location(&res, app);
    for _ in 0..10 {
        if url.starts_with(&format!("{app}/auth/oidc/callback")) {
            return url;
        }
        if url.contains("/interaction/") {
            let sep = if url.contains('?') { '&' } else { '?' };
            url = format!(
                "{url}{sep}sub={}&email={}&verified={}{}",
                who.sub,
                who.email,
                if who.verified { 1 } else { 0 },
                if who.deny { "&deny=1" } else { "" }
            );
        }
        let res = browser.get(&url).send().await.unwrap();
        assert!(
            res.status().is_redirection(),
            "{url}: {} {}",
            res.status(),
            res.text().await.unwrap_or_default()
        );
        url = location(&res, &provider.issuer);
    }
    panic!("the provider never sent the browser back");
}
