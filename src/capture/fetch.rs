//! Fetching a posting's page for capture, guarded against server-side
//! request forgery: http/https only; every address a host resolves to is
//! checked (`domain::net::forbidden`) before connecting, and the connection
//! is pinned to the checked address (no second lookup an attacker could
//! answer differently); redirects are followed by hand, at most 3, each hop
//! checked the same way; 5 s for the whole fetch, 2 MiB, HTML only.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use futures_util::StreamExt;
use ipnet::IpNet;
use url::Url;

use crate::domain::net::forbidden;

pub const TIME_LIMIT: Duration = Duration::from_secs(5);
pub const SIZE_LIMIT: usize = 2 * 1024 * 1024;
pub const MAX_REDIRECTS: usize = 3;

/// Why a page was not fetched, said for the person who asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("only http and https addresses can be fetched")]
    Scheme,
    #[error("{0} is {1}, which this server does not fetch from")]
    Forbidden(String, &'static str),
    #[error("{0} could not be resolved")]
    Unresolved(String),
    #[error("the page did not answer within {} seconds", TIME_LIMIT.as_secs())]
    Timeout,
    #[error("the page redirected more than {MAX_REDIRECTS} times")]
    TooManyRedirects,
    #[error("the page is larger than {} MiB", SIZE_LIMIT / 1024 / 1024)]
    TooLarge,
    #[error("the address is not an HTML page (it is {0})")]
    NotHtml(String),
    #[error("the page answered {0}")]
    Status(u16),
    #[error("the page could not be fetched: {0}")]
    Failed(String),
}

/// A fetched page: where it ended up, and its text.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub url: String,
    pub html: String,
}

/// The guard: the forbidden ranges, less what the operator allows.
#[derive(Debug, Clone, Default)]
pub struct Guard {
    pub allowed: Vec<IpNet>,
}

impl Guard {
    fn check(&self, host: &str, ip: IpAddr) -> Result<(), FetchError> {
        if self.allowed.iter().any(|n| n.contains(&ip)) {
            return Ok(());
        }
        match forbidden(ip) {
            Some(why) => Err(FetchError::Forbidden(host.to_owned(), why)),
            None => Ok(()),
        }
    }

    /// The checked address to connect to for `url` (every address the host
    /// has must pass: one forbidden among them refuses the host).
    async fn address(&self, url: &Url) -> Result<SocketAddr, FetchError> {
        let host = url.host_str().ok_or(FetchError::Scheme)?;
        let port = url.port_or_known_default().ok_or(FetchError::Scheme)?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let addresses: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((bare, port))
                .await
                .map_err(|_| FetchError::Unresolved(host.to_owned()))?
                .collect(),
        };
        let first = *addresses
            .first()
            .ok_or_else(|| FetchError::Unresolved(host.to_owned()))?;
        for a in &addresses {
            self.check(host, a.ip())?;
        }
        Ok(first)
    }
}

fn parse(url: &str) -> Result<Url, FetchError> {
    let url = Url::parse(url).map_err(|_| FetchError::Scheme)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::Scheme);
    }
    Ok(url)
}

/// Fetches `url` within the limits.
pub async fn fetch(url: &str, guard: &Guard) -> Result<Fetched, FetchError> {
    tokio::time::timeout(TIME_LIMIT, fetch_hops(url, guard))
        .await
        .unwrap_or(Err(FetchError::Timeout))
}

async fn fetch_hops(url: &str, guard: &Guard) -> Result<Fetched, FetchError> {
    let mut url = parse(url)?;
    for _ in 0..=MAX_REDIRECTS {
        let address = guard.address(&url).await?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(TIME_LIMIT)
            .user_agent(concat!(
                "JobCopilot/",
                env!("CARGO_PKG_VERSION"),
                " (capture)"
            ));
        if host.parse::<IpAddr>().is_err() && !host.starts_with('[') {
            // Connect to the address that was checked, not to a new lookup.
            builder = builder.resolve(&host, address);
        }
        let client = builder
            .build()
            .map_err(|e| FetchError::Failed(e.to_string()))?;
        let res = client
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    FetchError::Timeout
                } else {
                    FetchError::Failed(e.to_string())
                }
            })?;
        if res.status().is_redirection() {
            let location = res
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or(FetchError::Status(res.status().as_u16()))?;
            url = parse(url.join(location).map_err(|_| FetchError::Scheme)?.as_str())?;
            continue;
        }
        if !res.status().is_success() {
            return Err(FetchError::Status(res.status().as_u16()));
        }
        return read_html(url.to_string(), res).await;
    }
    Err(FetchError::TooManyRedirects)
}

/// The body of an HTML answer, at most `SIZE_LIMIT` bytes, decoded by its charset.
async fn read_html(url: String, res: reqwest::Response) -> Result<Fetched, FetchError> {
    let content_type = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    if essence != "text/html" && essence != "application/xhtml+xml" {
        let shown = if essence.is_empty() {
            "of no declared type".to_owned()
        } else {
            essence
        };
        return Err(FetchError::NotHtml(shown));
    }
    if res.content_length().is_some_and(|n| n > SIZE_LIMIT as u64) {
        return Err(FetchError::TooLarge);
    }
    let mut body = Vec::new();
    let mut stream = res.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| FetchError::Failed(e.to_string()))?;
        if body.len() + chunk.len() > SIZE_LIMIT {
            return Err(FetchError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let charset = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .next()
        .map(|c| c.trim_matches('"').to_owned());
    let encoding = charset
        .and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    let (text, _, _) = encoding.decode(&body);
    Ok(Fetched {
        url,
        html: text.into_owned(),
    })
}
