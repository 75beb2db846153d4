//! `bedrock-auth doctor`: the diagnosis (every setting with where it came from, the files and
//! variables that matter), then `whoami`; with `--json`, both, and the diagnosis also on
//! failure, since it is what explains one.

use bedrock_auth::diagnose::Diagnosis;
use serde::Serialize;

use crate::flags::ModeFlags;
use crate::output::{Failure, Report};

/// `doctor`'s report.
#[derive(Serialize)]
struct Doctor<'a> {
    diagnosis: &'a Diagnosis,
    identity: &'a serde_json::Value,
}

pub(crate) async fn run(mode: &ModeFlags, json: bool) -> Result<Report, Failure> {
    // The config's own world and secret files, when it can be read; else the process's.
    let mut diagnosis = match mode.config() {
        Ok(config) => config.diagnose().await,
        Err(_) => bedrock_auth::diagnose::diagnose().await,
    };
    // What the flags gave, by the key each flag sets; auto mode when no mode flag chose one.
    for setting in &mut diagnosis.settings {
        if setting.source != "given" {
            continue;
        }
        let flag = setting.key.as_deref().and_then(|key| mode.flag_for(key));
        setting.source = flag.map_or_else(|| "default".to_owned(), |f| format!("flag {f}"));
    }
    // The diagnosis is shown whatever whoami says: it is what explains a failure.
    if !json {
        crate::output::write_stdout(&crate::output::shown(&format!("{diagnosis}whoami:\n")))
            .map_err(Failure::Stdout)?;
    }
    let outcome = match mode.manager() {
        Ok(manager) => crate::whoami::run(&manager).await,
        Err(err) => Err(err.into()),
    };
    match outcome {
        Ok(report) => {
            let doctor = Doctor {
                diagnosis: &diagnosis,
                identity: &report.json,
            };
            Report::new(report.text, &doctor)
        }
        Err(Failure::Auth { error, .. }) => Err(Failure::Auth {
            error,
            diagnosis: Some(Box::new(diagnosis)),
        }),
        Err(other) => Err(other),
    }
}
