pub mod domain;
pub mod config;
pub mod store;
pub mod auth;
pub mod error;
pub mod actors;
