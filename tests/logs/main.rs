//! The tests that capture `tracing` output, as modules of one test binary: each installs a
//! thread-local subscriber at TRACE (`common::Captured`) on its own thread and rebuilds the
//! callsites' interest, so the binary holds no test that logs without capturing. Everything
//! else is in `tests/it`; the compile-fail suite (`tests/ui.rs`) and the freed-memory scan
//! (which needs an allocator of its own) have binaries of their own.

#![allow(
    clippy::too_many_lines,
    reason = "a test is one scenario, read top to bottom"
)]

#[path = "../common/mod.rs"]
mod common;

mod api_key_mode;
mod audit_events;
mod aws_config_suite;
#[cfg(unix)]
mod careful_files;
mod config_literal_secret;
mod live_auth;
mod misplaced_secrets;
mod trace_logs;
