//! Portico's integration tests: one binary, driving the real HTTP server.
//! Run on SQLite by default; `PORTICO_TEST_DATABASE=postgres` runs the same tests on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod admin_cli;
mod assurance;
mod audit_cli;
mod cases;
mod catalog;
mod components;
mod delivery;
mod evidence;
mod hardening;
mod i18n;
mod identity;
mod logs;
mod nodes;
mod promises;
mod service_layer;
mod shell;
mod step_up;
mod throttle;
mod totp_reference;
