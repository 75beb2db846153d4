//! Static mode: a key pair given in code, and a session token for temporary ones. Its builder
//! methods are `static_credentials/builder.rs`, its source `static_credentials/source.rs`, its
//! keys `static_credentials/config.rs`.

use super::{ModeChosen, ModeConfig, TakesSessionToken, private};
use crate::error::Problem;
use crate::settings::Settings;
use crate::static_keys::StaticKeys;

pub(crate) mod builder;
pub(crate) mod config;
pub(crate) mod source;

/// Static mode: an access key id, its secret and optionally a session token.
#[derive(Debug)]
pub struct StaticCredentials {
    pub(crate) keys: Option<StaticKeys>,
}

impl ModeChosen for StaticCredentials {}
impl private::Finish for StaticCredentials {
    fn finish(self, _: &Settings, _: &mut Vec<Problem>) -> Option<ModeConfig> {
        self.keys.map(ModeConfig::Static)
    }
}
impl TakesSessionToken for StaticCredentials {}
impl private::StaticState for StaticCredentials {
    fn static_keys(&mut self) -> &mut StaticCredentials {
        self
    }
}
