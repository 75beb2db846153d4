//! Profile mode: credentials (and region) from a named profile of the shared files: SSO, `aws
//! login`, `credential_process`, role chains, as aws-config reads them. Its builder method is
//! `profile/builder.rs`, its source `profile/source.rs`, its key `profile/config.rs`.

use super::{ModeChosen, ModeConfig, private};
use crate::error::Problem;
use crate::settings::Settings;
use crate::values::ProfileName;

pub(crate) mod builder;
pub(crate) mod config;
pub(crate) mod source;

/// Profile mode: credentials (and region) from a named profile of the shared config and
/// credentials files.
#[derive(Debug)]
pub struct Profile {
    pub(crate) name: Option<ProfileName>,
}

impl ModeChosen for Profile {}
impl private::Finish for Profile {
    fn finish(self, _: &Settings, _: &mut Vec<Problem>) -> Option<ModeConfig> {
        self.name.map(ModeConfig::Profile)
    }
}
