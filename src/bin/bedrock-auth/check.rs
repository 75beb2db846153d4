//! `bedrock-auth check --config FILE`: every problem of a configuration file, and nothing
//! sent. With a setting flag beside it (`--region`, `--tag`, ...), the file's setting is
//! overridden, as in every other subcommand, and `check` says which won.

use std::path::Path;

use bedrock_auth::{AuthManager, modes::ModeKind};
use serde::Serialize;

use crate::flags::SettingFlags;
use crate::output::{Failure, Report};

/// `check`'s report.
#[derive(Serialize)]
struct Checked {
    mode: ModeKind,
    /// The settings a flag gave in place of the file's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    overridden: Vec<Overridden>,
    /// What only a run can check: `mfa_code` when the role wants MFA (its code is asked when
    /// the role is assumed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    not_checked: Vec<&'static str>,
}

/// A setting of the file that a flag overrode.
#[derive(Serialize)]
struct Overridden {
    key: String,
    flag: String,
    value: String,
    /// The file's value and where it came from, when the file had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    over: Option<String>,
}

pub(crate) async fn run(path: &Path, settings: &SettingFlags) -> Result<Report, Failure> {
    crate::flags::no_variables_beside_config()?;
    let config = settings.over_file(path)?;
    let manager =
        AuthManager::from_config(&config).map_err(|err| settings.in_flag_terms(err, |_| None))?;
    let mut text = format!("ok: {} mode, no problems\n", manager.mode());
    let mut overridden = Vec::new();
    let mut not_checked = Vec::new();
    for setting in config.diagnose().await.settings {
        if setting.key.as_deref() == Some("mfa_serial") {
            text.push_str(&format!(
                "MFA device {}: its code is asked when the role is assumed, not by check\n",
                setting.value
            ));
            not_checked.push("mfa_code");
        }
        // The flags' own config has no origin: its settings are `given`.
        let (Some(key), "given") = (setting.key, setting.source.as_str()) else {
            continue;
        };
        let flag = settings
            .flag_for(&key)
            .map_or_else(|| "a flag".to_owned(), |flag| flag.name());
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
        not_checked,
    };
    Report::new(text, &checked)
}
