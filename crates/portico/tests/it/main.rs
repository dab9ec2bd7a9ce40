//! Portico's integration tests: one binary, driving the real HTTP server.
//! Run on SQLite by default; `PORTICO_TEST_DATABASE=postgres` runs the same tests on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod admin_cli;
mod adoption_lists;
mod api_clients;
mod assurance;
mod audit_cli;
mod blobs;
mod cases;
mod catalog;
mod certificates;
mod components;
mod contact;
mod delivery;
mod delivery_companies;
mod delivery_export;
mod delivery_keys;
mod delivery_streaming;
mod delivery_webhooks;
mod documents;
mod eid;
mod evidence;
mod hardening;
mod i18n;
mod identity;
mod insights;
mod logs;
mod mandates;
mod nodes;
mod oidc_provider;
mod onboarding;
mod once_only;
mod opendata;
mod opendata_large;
mod opendata_web;
mod participation;
mod payments;
mod payments_camt;
mod payments_card;
mod payments_notify;
mod payments_office;
mod promises;
mod queues;
mod registries;
mod registry_owners;
mod search_relevance;
mod service_console;
mod service_form;
mod service_layer;
mod shell;
mod step_up;
mod templates;
mod throttle;
mod totp_reference;
