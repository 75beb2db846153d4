//! Auto mode: the standard AWS default credential chain. Its builder method is
//! `auto/builder.rs`, its source `auto/source.rs`.

use super::{ModeChosen, ModeConfig, private};
use crate::error::Problem;
use crate::settings::Settings;

pub(crate) mod builder;
pub(crate) mod source;

/// Auto mode: the standard AWS default credential chain.
#[derive(Debug)]
#[non_exhaustive]
pub struct Auto;

impl ModeChosen for Auto {}
impl private::Finish for Auto {
    fn finish(self, _: &Settings, _: &mut Vec<Problem>) -> Option<ModeConfig> {
        Some(ModeConfig::Auto)
    }
}
