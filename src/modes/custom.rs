//! Custom-source mode: credentials from a source of the program's own (`rotation.rs` holds the
//! public trait and its cache). Its builder method is `custom/builder.rs`, its source
//! `custom/source.rs`; a configuration cannot hold a source, so it has no keys.

use super::{ModeChosen, ModeConfig, private};
use crate::error::Problem;
use crate::rotation::SourceProvider;
use crate::settings::Settings;

pub(crate) mod builder;
pub(crate) mod source;

/// Custom-source mode: credentials from a [`CredentialSource`](crate::custom::CredentialSource) of
/// your own, cached until shortly before they expire.
#[derive(Debug)]
pub struct CustomSource {
    pub(crate) provider: SourceProvider,
}

impl ModeChosen for CustomSource {}
impl private::Finish for CustomSource {
    fn finish(self, _: &Settings, _: &mut Vec<Problem>) -> Option<ModeConfig> {
        Some(ModeConfig::Custom(self.provider))
    }
}
