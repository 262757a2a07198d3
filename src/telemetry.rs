//! Logs: JSON lines in production, readable lines in development.

use tracing_subscriber::EnvFilter;

use crate::config::RunEnv;

/// Installs the global subscriber (once; later calls do nothing).
pub fn init(env: RunEnv, filter: &str) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new(filter));
    let filter = silence_secrets(filter);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match env {
        RunEnv::Production => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        RunEnv::Development => builder.compact().try_init(),
    };
}

/// async-imap traces every command it sends, a mailbox's LOGIN with its
/// password included: that target is never logged, whatever `RUST_LOG` says.
pub const SECRET_TARGETS: [&str; 1] = ["async_imap::imap_stream"];

/// `filter` with the targets that would log secrets switched off.
pub fn silence_secrets(mut filter: EnvFilter) -> EnvFilter {
    for target in SECRET_TARGETS {
        if let Ok(directive) = format!("{target}=off").parse() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}
