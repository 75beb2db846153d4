//! Which region a manager works in, resolved in the SDK's order without asking instance
//! metadata.

use crate::error::{AuthError, ErrorKind};
use crate::settings::Settings;
use crate::values::Region;

/// The explicit region; else `AWS_REGION` / `AWS_DEFAULT_REGION`; else the profile's (the
/// named one in profile mode, the selected one in the default-chain modes): the SDK's order.
/// No instance metadata lookup: that costs seconds off EC2.
pub(super) fn resolve_region(
    settings: &Settings,
    profile_region: Option<String>,
) -> Result<Region, AuthError> {
    if let Some(region) = &settings.region {
        return Ok(region.clone());
    }
    let from_env = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .into_iter()
        .find_map(|var| Some((var, settings.os.var(var)?)));
    let from_profile = profile_region.map(|r| ("the profile's `region`", r));
    let (source, name) = from_env.or(from_profile).ok_or_else(AuthError::no_region)?;
    name.trim().parse().map_err(|err| {
        AuthError::new(
            ErrorKind::InvalidConfig,
            format!("{source}: {err}"),
            "set a valid region, such as us-east-1",
        )
        .caused_by(err)
    })
}
