//! Typed settings: `config/default.toml`, then the file named by
//! `JOBCOPILOT_CONFIG`, then the environment (which wins). A missing or invalid
//! setting stops the program with one line naming it.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use figment::providers::{Format, Serialized, Toml};
use figment::Figment;
use ipnet::IpNet;
use rustls::pki_types::CertificateDer;
use serde::{Deserialize, Serialize};

/// Where the program runs: decides the log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunEnv {
    Development,
    Production,
}

/// Whether people may sign up by themselves (`JOBCOPILOT_REGISTRATION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registration {
    /// Anyone may create an account (the API, the form, a first OIDC sign-in).
    Open,
    /// Nobody new signs up by any way in; `jobcopilot users create` still adds accounts.
    Closed,
}

/// The settings as read, before checking.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Raw {
    listen: String,
    public_url: Option<String>,
    database_url: Option<String>,
    database_url_file: Option<PathBuf>,
    database_ca_file: Option<PathBuf>,
    database_wait_seconds: u64,
    redis_url: Option<String>,
    redis_url_file: Option<PathBuf>,
    redis_password: Option<String>,
    redis_password_file: Option<PathBuf>,
    redis_ca_file: Option<PathBuf>,
    data_dir: PathBuf,
    oidc_issuer_url: Option<String>,
    oidc_client_id: Option<String>,
    oidc_client_secret: Option<String>,
    oidc_client_secret_file: Option<PathBuf>,
    local_accounts: bool,
    ai_base_url: Option<String>,
    ai_api_key: Option<String>,
    ai_api_key_file: Option<PathBuf>,
    ai_model: Option<String>,
    ai_concurrency: u16,
    /// `kind=model` pairs, comma-separated: a model per kind of draft.
    ai_models: String,
    ai_connect_timeout_seconds: u64,
    ai_timeout_seconds: u64,
    ai_stall_seconds: u64,
    ai_lease_seconds: u64,
    ai_retry_base_millis: u64,
    ai_poll_millis: u64,
    ai_user_concurrency: u32,
    ai_daily_quota: u32,
    trusted_proxies: String,
    migrate_on_start: bool,
    registration: Registration,
    registration_limit: u32,
    imports_per_hour: u32,
    captures_per_hour: u32,
    capture_fetch: bool,
    capture_fetch_allow: String,
    secret_key: Option<String>,
    secret_key_file: Option<PathBuf>,
    mail_allow_private: bool,
    mail_sync_minutes: u32,
    mail_ca_file: Option<PathBuf>,
    max_streams_per_user: u32,
    metrics_listen: Option<String>,
    scheduler_tick_seconds: u64,
    env: RunEnv,
    log: String,
}

/// OpenID Connect client settings (all three or none).
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub issuer_url: url::Url,
    pub client_id: String,
    pub client_secret: String,
}

/// How the connection to PostgreSQL is encrypted: libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it, unchecked (libpq's default).
    Prefer,
    /// TLS always; the chain checked only when a CA file is given.
    Require,
    /// TLS always, the chain checked.
    VerifyCa,
    /// TLS always, the chain and the host name checked.
    VerifyFull,
}

impl SslMode {
    pub const CHOICES: [(&'static str, SslMode); 5] = [
        ("disable", SslMode::Disable),
        ("prefer", SslMode::Prefer),
        ("require", SslMode::Require),
        ("verify-ca", SslMode::VerifyCa),
        ("verify-full", SslMode::VerifyFull),
    ];

    pub fn as_str(self) -> &'static str {
        Self::CHOICES
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("prefer", |(n, _)| n)
    }

    fn parse(s: &str) -> Option<SslMode> {
        Self::CHOICES.iter().find(|(n, _)| *n == s).map(|(_, m)| *m)
    }
}

/// An external PostgreSQL (`DATABASE_URL`).
#[derive(Clone)]
pub struct DatabaseSettings {
    /// As given: the PostgreSQL programs (`pg_dump`) read it, `sslmode`
    /// and all.
    pub url: String,
    /// What the connections use: the URL without `sslmode` and
    /// `sslrootcert`, which [`DatabaseSettings::ssl_mode`] and
    /// [`DatabaseSettings::ca`] carry.
    pub config: tokio_postgres::Config,
    pub ssl_mode: SslMode,
    /// The CA file (`JOBCOPILOT_DATABASE_CA_FILE`, or the URL's
    /// `sslrootcert`) and its certificates; None: the system's roots.
    pub ca: Option<(PathBuf, Vec<CertificateDer<'static>>)>,
    /// How long start-up waits for the database to answer.
    pub wait: std::time::Duration,
}

impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("hosts", &self.config.get_hosts())
            .field("ssl_mode", &self.ssl_mode)
            .field("ca", &self.ca.as_ref().map(|(p, _)| p))
            .finish_non_exhaustive()
    }
}

/// Redis (`REDIS_URL`), shared by the replicas.
#[derive(Clone)]
pub struct RedisSettings {
    /// The URL with the password in it (from `JOBCOPILOT_REDIS_PASSWORD`
    /// when that is set).
    pub url: String,
    /// `JOBCOPILOT_REDIS_CA_FILE` as PEM, for `rediss://`; None: the
    /// system's roots.
    pub ca_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = url::Url::parse(&self.url)
            .map(|mut u| {
                if u.password().is_some() {
                    let _ = u.set_password(Some("…"));
                }
                u.to_string()
            })
            .unwrap_or_default();
        f.debug_struct("RedisSettings")
            .field("url", &shown)
            .field("ca", &self.ca_pem.is_some())
            .finish()
    }
}

/// An OpenAI-compatible endpoint; unset means the built-in drafter.
#[derive(Debug, Clone)]
pub struct AiSettings {
    pub base_url: Option<url::Url>,
    pub api_key: Option<String>,
    pub model: Option<String>,
    pub concurrency: u16,
    /// A model per kind of draft, where the operator wants one.
    pub models: std::collections::HashMap<String, String>,
    pub connect_timeout: std::time::Duration,
    /// A whole attempt, from request to last chunk.
    pub timeout: std::time::Duration,
    /// The longest silence between two chunks of a streamed answer.
    pub stall: std::time::Duration,
    /// How long a claimed job is held without renewal.
    pub lease: std::time::Duration,
    /// The first retry's delay (doubled each attempt, with jitter).
    pub retry_base: std::time::Duration,
    /// How often an idle worker looks for work queued by another replica.
    pub poll: std::time::Duration,
    /// Queued or running generations one user may have at once.
    pub user_concurrency: u32,
    /// Generations one user may start per day (UTC).
    pub daily_quota: u32,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub public_url: url::Url,
    /// `DATABASE_URL`; None: the embedded cluster.
    pub database: Option<DatabaseSettings>,
    /// `REDIS_URL`; None: one replica, the in-process event bus.
    pub redis: Option<RedisSettings>,
    pub data_dir: PathBuf,
    pub oidc: Option<OidcSettings>,
    pub local_accounts: bool,
    pub ai: AiSettings,
    pub trusted_proxies: Vec<IpNet>,
    pub migrate_on_start: bool,
    /// Whether people may sign up by themselves.
    pub registration: Registration,
    /// New local accounts per client address per hour (0: unlimited).
    pub registration_limit: u32,
    /// Imports (CSV and export files, previews included) one user may run per hour.
    pub imports_per_hour: u32,
    /// Captures one user may ask for per hour.
    pub captures_per_hour: u32,
    /// Whether capture may fetch a posting's URL itself (SSRF-guarded).
    pub capture_fetch: bool,
    /// Ranges the fetch may reach although the guard forbids them (an
    /// intranet job board); empty by default.
    pub capture_fetch_allow: Vec<IpNet>,
    /// The key that seals stored mailbox passwords (base64 of 32 bytes);
    /// None: the embedded default keeps one in the data directory, and with
    /// `DATABASE_URL` no mailbox can be connected.
    pub secret_key: Option<String>,
    /// Mailbox hosts on private or loopback addresses are allowed (a
    /// self-hoster's own mail server).
    pub mail_allow_private: bool,
    /// How often each connected mailbox is read.
    pub mail_sync_minutes: u32,
    /// Extra certificate authorities (PEM) for mail servers with a private CA.
    /// The certificates of `JOBCOPILOT_MAIL_CA_FILE`, trusted beside the
    /// system's roots for IMAP servers.
    pub mail_ca: Vec<CertificateDer<'static>>,
    /// Live event streams one user may hold open at once (per replica).
    pub max_streams_per_user: u32,
    /// A separate internal address for `/metrics` (None: the main address).
    pub metrics_listen: Option<SocketAddr>,
    /// How often the scheduler ticks; None: never (tests drive it).
    pub scheduler_tick: Option<std::time::Duration>,
    pub env: RunEnv,
    pub log: String,
}

/// A setting that stops start-up; its message names the setting.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(String);

fn invalid(name: &str, why: impl std::fmt::Display) -> ConfigError {
    ConfigError(format!("{name} {why}"))
}

/// A comma-separated list of addresses and CIDR ranges (`name` names the
/// setting in the error).
fn networks(list: &str, name: &str) -> Result<Vec<IpNet>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    invalid(
                        name,
                        format!("has {s:?}, which is not an IP address or CIDR range"),
                    )
                })
        })
        .collect()
}

/// The defaults, written once: `config/default.toml`, built into the binary
/// (so it runs from any directory); a copy on disk may override them.
const DEFAULTS: &str = include_str!("../config/default.toml");

fn defaults() -> Figment {
    Figment::from(Toml::string(DEFAULTS))
}

/// Environment names without the `JOBCOPILOT_` prefix.
const UNPREFIXED: [&str; 8] = [
    "DATABASE_URL",
    "DATABASE_URL_FILE",
    "REDIS_URL",
    "REDIS_URL_FILE",
    "OIDC_ISSUER_URL",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_CLIENT_SECRET_FILE",
];

/// The settings that are text, whatever their characters: an all-digit API
/// key stays a string (the others are read as TOML values: `true`, `60`).
const TEXT: [&str; 29] = [
    "listen",
    "public_url",
    "database_url",
    "database_url_file",
    "database_ca_file",
    "redis_url",
    "redis_url_file",
    "redis_password",
    "redis_password_file",
    "redis_ca_file",
    "data_dir",
    "oidc_issuer_url",
    "oidc_client_id",
    "oidc_client_secret",
    "oidc_client_secret_file",
    "ai_base_url",
    "ai_api_key",
    "ai_api_key_file",
    "ai_model",
    "ai_models",
    "trusted_proxies",
    "capture_fetch_allow",
    "secret_key",
    "secret_key_file",
    "mail_ca_file",
    "metrics_listen",
    "registration",
    "env",
    "log",
];

/// A value from the environment (or [`Settings::from_pairs`]) as its key
/// wants it: text kept as written, anything else read as a TOML value.
fn typed(key: &str, value: &str) -> figment::value::Value {
    if TEXT.contains(&key) {
        value.into()
    } else {
        value.parse().unwrap_or_else(|_| value.into())
    }
}

/// The process environment's settings: `JOBCOPILOT_*` and the unprefixed
/// names, keyed as in the files.
fn environment() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| {
            let k = k.into_string().ok()?;
            let key = match k.strip_prefix("JOBCOPILOT_") {
                Some("CONFIG") => return None,
                Some(rest) => rest.to_ascii_lowercase(),
                None if UNPREFIXED.contains(&k.as_str()) => k.to_ascii_lowercase(),
                None => return None,
            };
            // A value that is not UTF-8 is kept lossily: the check names it.
            Some((key, v.to_string_lossy().into_owned()))
        })
        .collect()
}

fn merge_pairs<K: AsRef<str>, V: AsRef<str>>(
    mut figment: Figment,
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Figment {
    for (k, v) in pairs {
        let key = k.as_ref();
        figment = figment.merge(Serialized::default(key, typed(key, v.as_ref())));
    }
    figment
}

impl Settings {
    /// Reads the settings from the files and the process environment.
    pub fn load() -> Result<Settings, ConfigError> {
        let mut figment = defaults();
        let default_file = PathBuf::from("config/default.toml");
        if default_file.exists() {
            figment = figment.merge(Toml::file(default_file));
        }
        if let Ok(path) = std::env::var("JOBCOPILOT_CONFIG") {
            if !std::path::Path::new(&path).is_file() {
                return Err(invalid(
                    "JOBCOPILOT_CONFIG",
                    format!("names {path}, which is not a readable file"),
                ));
            }
            figment = figment.merge(Toml::file(path));
        }
        Self::from_figment(merge_pairs(figment, environment()))
    }

    /// Settings from explicit key/value pairs over the defaults (for tests
    /// and tools), read as the environment's values are.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Settings, ConfigError> {
        Self::from_figment(merge_pairs(defaults(), pairs))
    }

    fn from_figment(figment: Figment) -> Result<Settings, ConfigError> {
        let raw: Raw = figment.extract().map_err(|e| {
            let key = e.path.join(".");
            let name = env_name(&key);
            let first = e.to_string().lines().next().unwrap_or_default().to_owned();
            if name.is_empty() {
                ConfigError(first)
            } else {
                ConfigError(format!("{name}: {}", e.kind))
            }
        })?;
        raw.check()
    }
}

/// The environment variable that sets a key.
pub fn env_name(key: &str) -> String {
    if key.is_empty() {
        return String::new();
    }
    let upper = key.to_ascii_uppercase();
    if UNPREFIXED.contains(&upper.as_str()) {
        upper
    } else {
        format!("JOBCOPILOT_{upper}")
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A secret given as `NAME` or as `NAME_FILE` (the file's text with one
/// trailing newline trimmed, as Docker and ECS write secrets); both at once
/// is a bad setting.
fn secret(
    key: &str,
    value: Option<String>,
    file: Option<PathBuf>,
) -> Result<Option<String>, ConfigError> {
    let file_key = format!("{key}_file");
    match (non_empty(value), file.filter(|p| !p.as_os_str().is_empty())) {
        (Some(_), Some(_)) => Err(invalid(
            &env_name(key),
            format!("and {} are both set: set one of them", env_name(&file_key)),
        )),
        (value, None) => Ok(value),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                invalid(
                    &env_name(&file_key),
                    format!("names {}, which cannot be read ({e})", path.display()),
                )
            })?;
            let text = match text.strip_suffix('\n') {
                Some(t) => t.strip_suffix('\r').unwrap_or(t),
                None => &text,
            };
            if text.is_empty() {
                return Err(invalid(
                    &env_name(&file_key),
                    format!("names {}, which is empty", path.display()),
                ));
            }
            Ok(Some(text.to_owned()))
        }
    }
}

/// A CA file's certificates, checked now (so a bad file stops start-up
/// before any connection is tried).
fn ca_file(
    key: &str,
    path: Option<PathBuf>,
) -> Result<Option<(PathBuf, Vec<CertificateDer<'static>>)>, ConfigError> {
    match path.filter(|p| !p.as_os_str().is_empty()) {
        Some(path) => {
            let certs = crate::tls::read_ca_file(&path)
                .map_err(|e| invalid(&env_name(key), format!("names {e}")))?;
            Ok(Some((path, certs)))
        }
        None => Ok(None),
    }
}

/// `DATABASE_URL`'s `sslmode` and `sslrootcert` taken out (tokio-postgres
/// knows neither `verify-ca` nor `verify-full`); the rest as written. Both
/// forms: a URL, or libpq's `key=value` words.
fn split_tls(url: &str) -> (String, Option<String>, Option<String>) {
    let (mut mode, mut root) = (None, None);
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        // By hand, not with a URL parser: libpq's URLs may have no host
        // (`postgresql://user@/db?host=/run/postgresql`), and what is kept
        // is kept exactly as written.
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = url::form_urlencoded::parse(pair.as_bytes())
                .next()
                .unwrap_or_default();
            match k.as_ref() {
                "sslmode" => mode = Some(v.into_owned()),
                "sslrootcert" => root = Some(v.into_owned()),
                _ => kept.push(pair),
            }
        }
        let rest = if kept.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        return (rest, mode, root);
    }
    let mut kept = Vec::new();
    for word in url.split_whitespace() {
        match word.split_once('=') {
            Some(("sslmode", v)) => mode = Some(v.trim_matches('\'').to_owned()),
            Some(("sslrootcert", v)) => root = Some(v.trim_matches('\'').to_owned()),
            _ => kept.push(word),
        }
    }
    (kept.join(" "), mode, root)
}

fn database(
    url: String,
    ca: Option<(PathBuf, Vec<CertificateDer<'static>>)>,
    wait_seconds: u64,
) -> Result<DatabaseSettings, ConfigError> {
    let not_a_url = || {
        invalid(
            "DATABASE_URL",
            "must be a PostgreSQL URL such as postgres://user:password@host:5432/jobcopilot",
        )
    };
    let (rest, mode, root) = split_tls(&url);
    let config: tokio_postgres::Config = rest.parse().map_err(|_| not_a_url())?;
    let ssl_mode = match mode.as_deref() {
        None => SslMode::Prefer,
        Some(m) => SslMode::parse(m).ok_or_else(|| {
            invalid(
                "DATABASE_URL",
                format!(
                    "has sslmode={m}: expected disable, prefer, require, verify-ca or verify-full"
                ),
            )
        })?,
    };
    let ca = match (ca, root) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "JOBCOPILOT_DATABASE_CA_FILE",
                "and DATABASE_URL's sslrootcert are both set: set one of them",
            ))
        }
        (Some(ca), None) => Some(ca),
        (None, Some(root)) => {
            let path = PathBuf::from(root);
            let certs = crate::tls::read_ca_file(&path)
                .map_err(|e| invalid("DATABASE_URL", format!("sslrootcert: {e}")))?;
            Some((path, certs))
        }
        (None, None) => None,
    };
    Ok(DatabaseSettings {
        url,
        config,
        ssl_mode,
        ca,
        wait: std::time::Duration::from_secs(wait_seconds),
    })
}

fn redis(
    url: String,
    password: Option<String>,
    ca: Option<PathBuf>,
) -> Result<RedisSettings, ConfigError> {
    let bad = || {
        invalid(
            "REDIS_URL",
            "must be a Redis URL such as redis://127.0.0.1:6379 or rediss://host:6380",
        )
    };
    let mut parsed = url::Url::parse(&url).map_err(|_| bad())?;
    if !matches!(parsed.scheme(), "redis" | "rediss" | "redis+unix" | "unix") {
        return Err(bad());
    }
    if let Some(password) = password {
        if parsed.password().is_some() {
            return Err(invalid(
                "JOBCOPILOT_REDIS_PASSWORD",
                "is set and REDIS_URL carries a password too: set one of them",
            ));
        }
        if !matches!(parsed.scheme(), "redis" | "rediss")
            || parsed.set_password(Some(&password)).is_err()
        {
            return Err(invalid(
                "JOBCOPILOT_REDIS_PASSWORD",
                "needs a redis:// or rediss:// URL with a host",
            ));
        }
    }
    let url = parsed.to_string();
    redis::Client::open(url.as_str())
        .map_err(|e| invalid("REDIS_URL", format!("cannot be used ({e})")))?;
    // Read once: checked as certificates, kept as PEM for the Redis client.
    let ca_pem = match ca.filter(|p| !p.as_os_str().is_empty()) {
        Some(path) => {
            let named = |e: String| invalid("JOBCOPILOT_REDIS_CA_FILE", format!("names {e}"));
            let pem =
                std::fs::read(&path).map_err(|e| named(format!("{}: {e}", path.display())))?;
            crate::tls::ca_certs(&pem, &path).map_err(named)?;
            if parsed.scheme() != "rediss" {
                return Err(invalid(
                    "JOBCOPILOT_REDIS_CA_FILE",
                    "is set but REDIS_URL is not a rediss:// (TLS) URL",
                ));
            }
            Some(pem)
        }
        None => None,
    };
    Ok(RedisSettings { url, ca_pem })
}

impl Raw {
    fn check(self) -> Result<Settings, ConfigError> {
        let listen: SocketAddr = self.listen.trim().parse().map_err(|_| {
            invalid(
                "JOBCOPILOT_LISTEN",
                format!(
                    "must be an address such as 127.0.0.1:8080, not {:?}",
                    self.listen
                ),
            )
        })?;
        let public_url = match non_empty(self.public_url) {
            Some(u) => {
                let url = url::Url::parse(&u).map_err(|_| {
                    invalid(
                        "JOBCOPILOT_PUBLIC_URL",
                        format!("must be an absolute URL, not {u:?}"),
                    )
                })?;
                if url.scheme() != "http" && url.scheme() != "https" {
                    return Err(invalid(
                        "JOBCOPILOT_PUBLIC_URL",
                        "must be an http or https URL",
                    ));
                }
                url
            }
            None => {
                let host = if listen.ip().is_unspecified() {
                    "localhost".to_string()
                } else {
                    listen.ip().to_string()
                };
                let host = if listen.is_ipv6() && host != "localhost" {
                    format!("[{host}]")
                } else {
                    host
                };
                url::Url::parse(&format!("http://{host}:{}", listen.port()))
                    .map_err(|_| invalid("JOBCOPILOT_LISTEN", "cannot form a public URL from it"))?
            }
        };
        let database = match secret("database_url", self.database_url, self.database_url_file)? {
            Some(url) => Some(database(
                url,
                ca_file("database_ca_file", self.database_ca_file)?,
                self.database_wait_seconds,
            )?),
            None => {
                ca_file("database_ca_file", self.database_ca_file)?;
                None
            }
        };
        let redis_password = secret(
            "redis_password",
            self.redis_password,
            self.redis_password_file,
        )?;
        let redis = match secret("redis_url", self.redis_url, self.redis_url_file)? {
            Some(url) => Some(redis(url, redis_password, self.redis_ca_file)?),
            None => None,
        };
        if self.data_dir.as_os_str().is_empty() {
            return Err(invalid("JOBCOPILOT_DATA_DIR", "must not be empty"));
        }
        let oidc = match (
            non_empty(self.oidc_issuer_url),
            non_empty(self.oidc_client_id),
            secret(
                "oidc_client_secret",
                self.oidc_client_secret,
                self.oidc_client_secret_file,
            )?,
        ) {
            (None, None, None) => None,
            (Some(issuer), Some(client_id), Some(client_secret)) => Some(OidcSettings {
                issuer_url: url::Url::parse(&issuer)
                    .map_err(|_| invalid("OIDC_ISSUER_URL", "must be an absolute URL"))?,
                client_id,
                client_secret,
            }),
            (None, _, _) => {
                return Err(invalid(
                    "OIDC_ISSUER_URL",
                    "is required when OIDC_CLIENT_ID or OIDC_CLIENT_SECRET is set",
                ))
            }
            (_, None, _) => {
                return Err(invalid(
                    "OIDC_CLIENT_ID",
                    "is required when OIDC_ISSUER_URL is set",
                ))
            }
            (_, _, None) => {
                return Err(invalid(
                    "OIDC_CLIENT_SECRET",
                    "is required when OIDC_ISSUER_URL is set",
                ))
            }
        };
        if !self.local_accounts && oidc.is_none() {
            return Err(invalid(
                "JOBCOPILOT_LOCAL_ACCOUNTS",
                "is false but OIDC is not configured: nobody could sign in",
            ));
        }
        let ai_base_url = match non_empty(self.ai_base_url) {
            Some(u) => Some(
                url::Url::parse(&u)
                    .map_err(|_| invalid("JOBCOPILOT_AI_BASE_URL", "must be an absolute URL"))?,
            ),
            None => None,
        };
        let mut ai_models = std::collections::HashMap::new();
        for pair in self
            .ai_models
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match pair.split_once('=') {
                Some((kind, model))
                    if crate::domain::generation::Kind::parse(kind.trim()).is_some()
                        && !model.trim().is_empty() =>
                {
                    ai_models.insert(kind.trim().to_owned(), model.trim().to_owned());
                }
                _ => {
                    return Err(invalid(
                        "JOBCOPILOT_AI_MODELS",
                        format!("has {pair:?}: expected kind=model, kind one of cover_letter, interview_questions, follow_up_email, thank_you_note, resume_tailoring"),
                    ))
                }
            }
        }
        for (name, value) in [
            (
                "JOBCOPILOT_AI_CONNECT_TIMEOUT_SECONDS",
                self.ai_connect_timeout_seconds,
            ),
            ("JOBCOPILOT_AI_TIMEOUT_SECONDS", self.ai_timeout_seconds),
            ("JOBCOPILOT_AI_STALL_SECONDS", self.ai_stall_seconds),
            ("JOBCOPILOT_AI_LEASE_SECONDS", self.ai_lease_seconds),
            ("JOBCOPILOT_AI_POLL_MILLIS", self.ai_poll_millis),
            (
                "JOBCOPILOT_AI_USER_CONCURRENCY",
                self.ai_user_concurrency.into(),
            ),
            ("JOBCOPILOT_AI_DAILY_QUOTA", self.ai_daily_quota.into()),
        ] {
            if value == 0 {
                return Err(invalid(name, "must be at least 1"));
            }
        }
        if !(1..=64).contains(&self.ai_concurrency) {
            return Err(invalid(
                "JOBCOPILOT_AI_CONCURRENCY",
                "must be between 1 and 64",
            ));
        }
        let trusted_proxies = networks(&self.trusted_proxies, "JOBCOPILOT_TRUSTED_PROXIES")?;
        let capture_fetch_allow =
            networks(&self.capture_fetch_allow, "JOBCOPILOT_CAPTURE_FETCH_ALLOW")?;
        let ai_api_key = secret("ai_api_key", self.ai_api_key, self.ai_api_key_file)?;
        let mail_ca = ca_file("mail_ca_file", self.mail_ca_file)?
            .map(|(_, certs)| certs)
            .unwrap_or_default();
        let secret_key = secret("secret_key", self.secret_key, self.secret_key_file)?;
        if let Some(key) = &secret_key {
            use base64::Engine;
            let decoded = base64::engine::general_purpose::STANDARD.decode(key.trim());
            if decoded.map_or(true, |k| k.len() != 32) {
                return Err(invalid(
                    "JOBCOPILOT_SECRET_KEY",
                    "must be 32 bytes in base64 (for example from `openssl rand -base64 32`)",
                ));
            }
        }
        if !(1..=1440).contains(&self.mail_sync_minutes) {
            return Err(invalid(
                "JOBCOPILOT_MAIL_SYNC_MINUTES",
                "must be between 1 and 1440",
            ));
        }
        if self.max_streams_per_user == 0 {
            return Err(invalid(
                "JOBCOPILOT_MAX_STREAMS_PER_USER",
                "must be at least 1",
            ));
        }
        let metrics_listen = match non_empty(self.metrics_listen) {
            Some(m) => Some(m.parse::<SocketAddr>().map_err(|_| {
                invalid(
                    "JOBCOPILOT_METRICS_LISTEN",
                    format!("must be an address such as 127.0.0.1:9090, not {m:?}"),
                )
            })?),
            None => None,
        };
        tracing_subscriber::EnvFilter::try_new(&self.log).map_err(|_| {
            invalid(
                "JOBCOPILOT_LOG",
                format!("is not a log filter: {:?}", self.log),
            )
        })?;
        Ok(Settings {
            listen,
            public_url,
            database,
            redis,
            data_dir: self.data_dir,
            oidc,
            local_accounts: self.local_accounts,
            registration: self.registration,
            registration_limit: self.registration_limit,
            imports_per_hour: self.imports_per_hour,
            captures_per_hour: self.captures_per_hour,
            capture_fetch: self.capture_fetch,
            capture_fetch_allow,
            secret_key,
            mail_allow_private: self.mail_allow_private,
            mail_sync_minutes: self.mail_sync_minutes,
            mail_ca,
            max_streams_per_user: self.max_streams_per_user,
            metrics_listen,
            ai: AiSettings {
                base_url: ai_base_url,
                api_key: ai_api_key,
                model: non_empty(self.ai_model),
                concurrency: self.ai_concurrency,
                models: ai_models,
                connect_timeout: std::time::Duration::from_secs(self.ai_connect_timeout_seconds),
                timeout: std::time::Duration::from_secs(self.ai_timeout_seconds),
                stall: std::time::Duration::from_secs(self.ai_stall_seconds),
                lease: std::time::Duration::from_secs(self.ai_lease_seconds),
                retry_base: std::time::Duration::from_millis(self.ai_retry_base_millis),
                poll: std::time::Duration::from_millis(self.ai_poll_millis),
                user_concurrency: self.ai_user_concurrency,
                daily_quota: self.ai_daily_quota,
            },
            trusted_proxies,
            migrate_on_start: self.migrate_on_start,
            scheduler_tick: (self.scheduler_tick_seconds > 0)
                .then(|| std::time::Duration::from_secs(self.scheduler_tick_seconds)),
            env: self.env,
            log: self.log,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_a_working_single_replica_setup() {
        let s = Settings::from_pairs([]).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.public_url.as_str(), "http://127.0.0.1:8080/");
        assert!(s.database.is_none() && s.redis.is_none() && s.oidc.is_none());
        assert!(s.local_accounts && s.migrate_on_start);
    }

    #[test]
    fn a_bad_setting_is_named_in_one_line() {
        for (key, value, name) in [
            ("listen", "nowhere", "JOBCOPILOT_LISTEN"),
            ("public_url", "ftp://x", "JOBCOPILOT_PUBLIC_URL"),
            ("database_url", "mysql:://", "DATABASE_URL"),
            ("redis_url", "http://x", "REDIS_URL"),
            (
                "trusted_proxies",
                "10.0.0.0/8, banana",
                "JOBCOPILOT_TRUSTED_PROXIES",
            ),
            ("oidc_client_id", "abc", "OIDC_ISSUER_URL"),
            ("ai_concurrency", "0", "JOBCOPILOT_AI_CONCURRENCY"),
            ("ai_concurrency", "many", "JOBCOPILOT_AI_CONCURRENCY"),
            ("local_accounts", "perhaps", "JOBCOPILOT_LOCAL_ACCOUNTS"),
            ("registration", "invite-only", "JOBCOPILOT_REGISTRATION"),
            ("secret_key", "c2hvcnQ=", "JOBCOPILOT_SECRET_KEY"),
            ("mail_sync_minutes", "0", "JOBCOPILOT_MAIL_SYNC_MINUTES"),
        ] {
            let err = Settings::from_pairs([(key, value)])
                .expect_err(key)
                .to_string();
            assert!(err.contains(name), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }

    #[test]
    fn text_settings_stay_text_whatever_their_characters() {
        let s = Settings::from_pairs([
            ("ai_base_url", "http://127.0.0.1:9/v1"),
            ("ai_api_key", "0123456789"),
            ("ai_model", "true"),
            ("oidc_issuer_url", "http://127.0.0.1:9"),
            ("oidc_client_id", "12345"),
            ("oidc_client_secret", "1e5"),
        ])
        .unwrap();
        assert_eq!(s.ai.api_key.as_deref(), Some("0123456789"));
        assert_eq!(s.ai.model.as_deref(), Some("true"));
        let oidc = s.oidc.unwrap();
        assert_eq!(
            (oidc.client_id.as_str(), oidc.client_secret.as_str()),
            ("12345", "1e5")
        );
        // Numbers and booleans are still read as such.
        let s =
            Settings::from_pairs([("registration_limit", "3"), ("capture_fetch", "true")]).unwrap();
        assert_eq!(s.registration_limit, 3);
        assert!(s.capture_fetch);
    }

    #[test]
    fn every_text_setting_of_the_defaults_is_known_as_text() {
        let table: figment::value::Dict = defaults().extract().unwrap();
        for (key, value) in &table {
            if matches!(value, figment::value::Value::String(..)) {
                assert!(TEXT.contains(&key.as_str()), "{key} is text");
            }
        }
    }

    #[test]
    fn a_secret_comes_from_its_file_with_one_newline_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key");
        std::fs::write(&key, "123456789\n").unwrap();
        let path = key.to_str().unwrap();
        let s = Settings::from_pairs([("ai_api_key_file", path)]).unwrap();
        assert_eq!(s.ai.api_key.as_deref(), Some("123456789"));
        std::fs::write(&key, " spaced secret \n\n").unwrap();
        let s = Settings::from_pairs([("ai_api_key_file", path)]).unwrap();
        assert_eq!(s.ai.api_key.as_deref(), Some(" spaced secret \n"));
        // Both, a missing file, an empty one: named, in one line.
        for (pairs, named) in [
            (
                vec![("ai_api_key", "x"), ("ai_api_key_file", path)],
                "JOBCOPILOT_AI_API_KEY_FILE",
            ),
            (
                vec![("database_url_file", "/nonexistent/db")],
                "DATABASE_URL_FILE",
            ),
            (
                vec![("oidc_client_secret_file", "/nonexistent/s")],
                "OIDC_CLIENT_SECRET_FILE",
            ),
        ] {
            let err = Settings::from_pairs(pairs).unwrap_err().to_string();
            assert!(err.contains(named), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
        }
        std::fs::write(&key, "\n").unwrap();
        let err = Settings::from_pairs([("secret_key_file", path)])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("JOBCOPILOT_SECRET_KEY_FILE") && err.contains("empty"),
            "{err}"
        );
    }

    #[test]
    fn the_database_urls_sslmode_is_read_and_taken_out() {
        for (url, mode) in [
            ("postgres://u:p@db.example.com/jc", SslMode::Prefer),
            (
                "postgres://u:p@db.example.com/jc?sslmode=disable",
                SslMode::Disable,
            ),
            (
                "postgres://u:p@db.example.com/jc?sslmode=require&application_name=x",
                SslMode::Require,
            ),
            (
                "postgresql://u@db.example.com:5433/jc?sslmode=verify-ca",
                SslMode::VerifyCa,
            ),
            (
                "host=db.example.com user=u dbname=jc sslmode=verify-full",
                SslMode::VerifyFull,
            ),
        ] {
            let s = Settings::from_pairs([("database_url", url)]).unwrap();
            let db = s.database.unwrap();
            assert_eq!(db.ssl_mode, mode, "{url}");
            assert_eq!(db.url, url, "kept whole for pg_dump");
            assert_eq!(db.config.get_dbname(), Some("jc"));
            assert!(db.ca.is_none());
        }
        for (pairs, named) in [
            (
                vec![("database_url", "postgres://h/jc?sslmode=verify-everything")],
                "DATABASE_URL",
            ),
            (
                vec![(
                    "database_url",
                    "postgres://h/jc?sslrootcert=/nonexistent.pem",
                )],
                "DATABASE_URL",
            ),
            (
                vec![
                    ("database_url", "postgres://h/jc"),
                    ("database_ca_file", "/nonexistent.pem"),
                ],
                "JOBCOPILOT_DATABASE_CA_FILE",
            ),
            (
                vec![("database_ca_file", "/nonexistent.pem")],
                "JOBCOPILOT_DATABASE_CA_FILE",
            ),
            (
                vec![
                    ("redis_url", "redis://h"),
                    ("redis_ca_file", "/nonexistent.pem"),
                ],
                "JOBCOPILOT_REDIS_CA_FILE",
            ),
            (
                vec![("mail_ca_file", "/nonexistent.pem")],
                "JOBCOPILOT_MAIL_CA_FILE",
            ),
        ] {
            let err = Settings::from_pairs(pairs).unwrap_err().to_string();
            assert!(err.contains(named), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
        }
    }

    #[test]
    fn the_redis_password_goes_into_the_url_and_is_never_shown() {
        let s = Settings::from_pairs([
            ("redis_url", "rediss://cache.example.com:6380/0"),
            ("redis_password", "s3cret/with:chars"),
        ])
        .unwrap();
        let redis = s.redis.unwrap();
        let url = url::Url::parse(&redis.url).unwrap();
        assert_eq!(url.scheme(), "rediss");
        assert_eq!(
            percent_encoding_decode(url.password().unwrap()),
            "s3cret/with:chars"
        );
        assert!(!format!("{redis:?}").contains("s3cret"));
        let err = Settings::from_pairs([
            ("redis_url", "redis://:inline@h:6379"),
            ("redis_password", "other"),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("JOBCOPILOT_REDIS_PASSWORD"), "{err}");
    }

    fn percent_encoding_decode(s: &str) -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned()
    }

    #[test]
    fn trusted_proxies_take_addresses_and_ranges() {
        let s = Settings::from_pairs([("trusted_proxies", "127.0.0.1, 10.0.0.0/8")]).unwrap();
        assert_eq!(s.trusted_proxies.len(), 2);
        assert!(s.trusted_proxies[1].contains(&"10.1.2.3".parse::<IpAddr>().unwrap()));
    }
}
