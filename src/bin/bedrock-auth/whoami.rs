//! `bedrock-auth whoami`: the identity STS proves, the mode and the region (also what `doctor`
//! ends with).

use bedrock_auth::{
    AuthManager, Region, manager::BedrockAuth, manager::CallerIdentity, modes::ModeKind,
};
use serde::Serialize;

use crate::output::{Failure, Report};

/// `whoami`'s report: the identity, and how Bedrock calls authenticate when that is not
/// with these credentials' signatures.
#[derive(Serialize)]
struct Whoami<'a> {
    mode: ModeKind,
    region: &'a Region,
    #[serde(flatten)]
    identity: &'a CallerIdentity,
    #[serde(skip_serializing_if = "Option::is_none")]
    bedrock_auth: Option<BedrockAuth>,
}

pub(crate) async fn run(manager: &AuthManager) -> Result<Report, Failure> {
    let identity = manager.validate().await?;
    let region = manager.region().await?;
    let mode = manager.mode();
    let mut text = match &identity.api_key {
        Some(key) => format!("api key: {key}\n"),
        None => format!(
            "account: {}\narn:     {}\nuser id: {}\n",
            identity.account, identity.arn, identity.user_id
        ),
    };
    text.push_str(&format!("mode:    {mode}\nregion:  {region}\n"));
    let auth = manager.info().bedrock_auth;
    let bedrock_auth = identity.api_key.is_none().then_some(auth);
    if auth != BedrockAuth::SigV4 && identity.api_key.is_none() {
        text.push_str(&format!(
            "note:    Bedrock calls use the {auth}, not these credentials\n"
        ));
    }
    let whoami = Whoami {
        mode,
        region: &region,
        identity: &identity,
        bedrock_auth,
    };
    Report::new(text, &whoami)
}
