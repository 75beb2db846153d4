//! Environment mode: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` only.
//! Its builder method is `environment/builder.rs`, its source `environment/source.rs`.

use super::{ModeChosen, ModeConfig, private};
use crate::error::Problem;
use crate::settings::Settings;

pub(crate) mod builder;
pub(crate) mod source;

/// Environment mode: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN` only,
/// never anything else.
#[derive(Debug)]
#[non_exhaustive]
pub struct Environment;

impl ModeChosen for Environment {}
impl private::Finish for Environment {
    fn finish(self, _: &Settings, _: &mut Vec<Problem>) -> Option<ModeConfig> {
        Some(ModeConfig::Environment)
    }
}
