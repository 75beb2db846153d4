//! `bedrock-auth check --config FILE`: every problem of a configuration file, and nothing
//! sent. With `--region` or `--bedrock-timeout` beside it, the file's setting is overridden,
//! and `check` says which won.

use std::path::Path;

use bedrock_auth::{AuthConfig, AuthManager, modes::ModeKind};
use serde::Serialize;

use crate::flags::{SettingFlags, flag_of};
use crate::output::{Failure, Report};

/// `check`'s report.
#[derive(Serialize)]
struct Checked {
    mode: ModeKind,
    /// The settings a flag gave in place of the file's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    overridden: Vec<Overridden>,
}

/// A setting of the file that a flag overrode.
#[derive(Serialize)]
struct Overridden {
    key: String,
    flag: &'static str,
    value: String,
    /// The file's value and where it came from, when the file had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    over: Option<String>,
}

pub(crate) async fn run(path: &Path, settings: &SettingFlags) -> Result<Report, Failure> {
    let config = AuthConfig::from_file(path)?.overridden_by(settings.config()?);
    let manager = AuthManager::from_config(&config)?;
    let mut text = format!("ok: {} mode, no problems\n", manager.mode());
    let mut overridden = Vec::new();
    for setting in config.diagnose().await.settings {
        // The flags' own config has no origin: its settings are `given`.
        let (Some(key), "given") = (setting.key, setting.source.as_str()) else {
            continue;
        };
        let flag = flag_of(&key).unwrap_or("a flag");
        text.push_str(&match &setting.overrides {
            Some(over) => format!(
                "{}: {} from {flag}, over {over}\n",
                setting.name, setting.value
            ),
            None => format!("{}: {} from {flag}\n", setting.name, setting.value),
        });
        overridden.push(Overridden {
            key,
            flag,
            value: setting.value,
            over: setting.overrides,
        });
    }
    let checked = Checked {
        mode: manager.mode(),
        overridden,
    };
    Report::new(text, &checked)
}
