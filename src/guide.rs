//! The manual: how to choose a mode, read errors, keep configuration as code, use Bedrock API
//! keys, run the command, monitor a manager, serve many tenants, and test your own code against
//! a local AWS. Each page is a module
//! with documentation only; its examples run as doc tests.

#[doc = include_str!("../docs/modes.md")]
pub mod modes {}

#[doc = include_str!("../docs/errors.md")]
pub mod errors {}

#[doc = include_str!("../docs/config.md")]
pub mod config {}

#[doc = include_str!("../docs/bedrock.md")]
pub mod bedrock {}

#[doc = include_str!("../docs/command.md")]
pub mod command {}

#[doc = include_str!("../docs/monitoring.md")]
pub mod monitoring {}

#[doc = include_str!("../docs/tenants.md")]
pub mod tenants {}

#[doc = include_str!("../docs/testing.md")]
pub mod testing {}

#[doc = include_str!("../docs/guarantees.md")]
pub mod guarantees {}
