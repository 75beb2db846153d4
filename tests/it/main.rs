//! The integration tests, as modules of one test crate: one binary to link instead of one per
//! file (the SDK is linked once). Each module is one feature's tests; `common` holds the
//! helpers they share.
//!
//! The tests that capture `tracing` output are in `tests/logs` (a thread-local subscriber
//! shares its callsites' interest with every thread of its binary); the compile-fail suite
//! (`tests/ui.rs`) and the freed-memory scan, which needs an allocator of its own, have
//! binaries of their own: four in all.

#![allow(
    clippy::too_many_lines,
    reason = "a test is one scenario, read top to bottom"
)]

#[path = "../common/mod.rs"]
mod common;

mod api_key;
mod api_key_renewal;
mod bounded_waits;
mod builder;
mod cli;
mod config;
mod config_properties;
mod credential_expiration;
mod diagnose;
mod endpoint_guard;
mod error_source;
mod examples;
mod fallback;
mod layers;
mod leaks;
mod local_aws;
mod login_sessions;
mod monitoring;
mod moto_conformance;
mod odd_input;
mod openai;
mod proxy;
mod redaction;
mod renewal;
mod role_sessions;
mod rotation;
mod sandbox;
mod service_errors;
mod settings;
mod sizes;
mod streams;
mod tenants;
mod values;
mod web_identity;
