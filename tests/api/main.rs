//! Integration tests: the real server, in-process, against a real PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod account_data;
mod accounts;
mod actors;
mod ai;
mod applications;
mod backup;
mod browser;
mod calendar;
mod capture;
mod capture_pages;
mod cli;
mod concurrency;
mod csv;
mod dashboard;
mod data_pages;
mod dovecot;
mod errors;
mod events;
mod hardening;
mod imap;
mod inbox;
mod inbox_pages;
mod interviews;
mod isolation;
mod model_server;
mod notes;
mod oidc;
mod operations;
mod operators;
mod pages;
mod pagination;
mod pipeline;
mod production_pg;
mod production_redis;
mod provider;
mod proxy;
mod ranking;
mod replicas;
mod scale_out;
mod scheduler;
mod schemathesis;
mod sessions;
