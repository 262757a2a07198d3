//! Typed settings: `config/default.toml`, then the file named by
//! `JOBCOPILOT_CONFIG`, then the environment (which wins). A missing or invalid
//! setting stops the program with one line naming it.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use ipnet::IpNet;
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
    redis_url: Option<String>,
    data_dir: PathBuf,
    oidc_issuer_url: Option<String>,
    oidc_client_id: Option<String>,
    oidc_client_secret: Option<String>,
    local_accounts: bool,
    ai_base_url: Option<String>,
    ai_api_key: Option<String>,
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
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
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
    pub mail_ca_file: Option<PathBuf>,
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
const UNPREFIXED: [&str; 5] = [
    "DATABASE_URL",
    "REDIS_URL",
    "OIDC_ISSUER_URL",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
];

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
        figment = figment
            .merge(Env::prefixed("JOBCOPILOT_").ignore(&["CONFIG"]))
            .merge(Env::raw().only(&UNPREFIXED));
        Self::from_figment(figment)
    }

    /// Settings from explicit key/value pairs over the defaults (for tests and tools).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Settings, ConfigError> {
        let mut figment = defaults();
        for (k, v) in pairs {
            // Parsed as the environment would be ("false" is a boolean).
            let value: figment::value::Value = v.parse().unwrap_or_else(|_| v.into());
            figment = figment.merge(Serialized::default(k, value));
        }
        Self::from_figment(figment)
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
        let database_url = non_empty(self.database_url);
        if let Some(db) = &database_url {
            db.parse::<tokio_postgres::Config>()
                .map_err(|_| invalid("DATABASE_URL", "must be a PostgreSQL URL such as postgres://user:password@host:5432/jobcopilot"))?;
        }
        let redis_url = non_empty(self.redis_url);
        if let Some(r) = &redis_url {
            let ok = url::Url::parse(r)
                .map(|u| matches!(u.scheme(), "redis" | "rediss" | "redis+unix" | "unix"))
                .unwrap_or(false);
            if !ok {
                return Err(invalid(
                    "REDIS_URL",
                    "must be a Redis URL such as redis://127.0.0.1:6379",
                ));
            }
        }
        if self.data_dir.as_os_str().is_empty() {
            return Err(invalid("JOBCOPILOT_DATA_DIR", "must not be empty"));
        }
        let oidc = match (
            non_empty(self.oidc_issuer_url),
            non_empty(self.oidc_client_id),
            non_empty(self.oidc_client_secret),
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
        let secret_key = non_empty(self.secret_key);
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
            database_url,
            redis_url,
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
            mail_ca_file: self.mail_ca_file.filter(|p| !p.as_os_str().is_empty()),
            max_streams_per_user: self.max_streams_per_user,
            metrics_listen,
            ai: AiSettings {
                base_url: ai_base_url,
                api_key: non_empty(self.ai_api_key),
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
        assert!(s.database_url.is_none() && s.redis_url.is_none() && s.oidc.is_none());
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
    fn trusted_proxies_take_addresses_and_ranges() {
        let s = Settings::from_pairs([("trusted_proxies", "127.0.0.1, 10.0.0.0/8")]).unwrap();
        assert_eq!(s.trusted_proxies.len(), 2);
        assert!(s.trusted_proxies[1].contains(&"10.1.2.3".parse::<IpAddr>().unwrap()));
    }
}
