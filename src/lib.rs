//! Job Copilot: a job search tracker with a REST API, backed by PostgreSQL,
//! built as supervised actors around a pure domain.
//!
//! - `domain`  — pure rules: applications, the status pipeline, validation
//! - `store`   — PostgreSQL repositories and the embedded cluster
//! - `actors`  — `UserState` per active user, created by the `Registry`
//! - `auth`    — passwords, API tokens, sign-in throttling
//! - `http`    — routes, extractors, problem+json, OpenAPI
//! - `startup` — wiring it together; `config` and `telemetry` around it

pub mod actors;
pub mod ai;
pub mod auth;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod healthcheck;
pub mod http;
pub mod startup;
pub mod store;
pub mod telemetry;
