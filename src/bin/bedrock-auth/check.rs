//! `bedrock-auth check --config FILE`: every problem of a configuration file, and nothing
//! sent.

use std::path::Path;

use bedrock_auth::{AuthConfig, AuthManager, modes::ModeKind};
use serde::Serialize;

use crate::output::{Failure, Report};

/// `check`'s report.
#[derive(Serialize)]
struct Checked {
    mode: ModeKind,
}

pub(crate) fn run(config: &Path) -> Result<Report, Failure> {
    let config = AuthConfig::from_file(config)?;
    let manager = AuthManager::from_config(&config)?;
    let text = format!("ok: {} mode, no problems\n", manager.mode());
    Report::new(
        text,
        &Checked {
            mode: manager.mode(),
        },
    )
}
