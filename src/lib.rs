//! Job Copilot: a job search tracker with a web UI and a REST API, backed by
//! PostgreSQL, built as supervised actors around a pure domain. The layers,
//! top to bottom; imports only point down (a layer never imports one above
//! it), and every layer may use the three modules beside them at the end:
//!
//! - `startup` — wiring it all together (`Application::build`); `main.rs`
//!   is the command line, `demo` and `healthcheck` two of its commands
//! - `http`    — routes (each module owns its own), extractors, problem+json,
//!   SSE, OpenAPI, metrics; `http::pages` the server-rendered web UI
//! - `actors`  — the running state: a `UserState` per active user, the
//!   registry, event bus, scheduler, analytics and AI pool
//! - `auth`    — passwords (bounded hashing pool), sessions, API tokens,
//!   OIDC, sign-in and registration throttles, revocations
//! - `ai`      — model providers (OpenAI-compatible, built-in) and prompts
//! - `mail`    — mailboxes: the IMAP client (read-only) and a message's bytes parsed for classification
//! - `store`   — PostgreSQL: one repository per aggregate, migrations, the
//!   embedded cluster
//! - `domain`  — pure rules: applications, the pipeline, validation, metrics,
//!   scoring, fit, events, the calendar, what a mail is about; no I/O
//! - beside them: `config` (typed settings), `error` (the one error type,
//!   converted from the domain's and the store's), `telemetry` (logging),
//!   `tls` (rustls for the program's own connections: PostgreSQL, Redis,
//!   IMAP)

pub mod actors;
pub mod ai;
pub mod auth;
pub mod backup;
pub mod capture;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
#[cfg(test)]
mod fixture_readme;
pub mod healthcheck;
pub mod http;
pub mod mail;
pub mod operators;
pub mod startup;
pub mod store;
pub mod telemetry;
pub mod tls;
