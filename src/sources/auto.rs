//! Auto mode: aws-config's default credential chain (environment, the selected profile, web
//! identity, ECS, instance metadata), as every AWS SDK reads it. Also a role's source
//! credentials.

use super::profile::{ProfileSource, selected_profile};
use super::{Context, Given, Origin, Selected};
use crate::os::Os;

/// The default chain.
pub(super) struct Auto;

impl Origin for Auto {
    fn profile(&self, os: &Os) -> Option<Selected> {
        Some(Selected {
            name: selected_profile(os),
            must_exist: false,
        })
    }

    fn credentials(&self, _cx: &Context<'_>) -> Given {
        Given::DefaultChain
    }

    fn hangs_as(&self, profile: Option<(&str, ProfileSource)>) -> Option<String> {
        Some(match profile {
            Some((name, source)) if !matches!(source, ProfileSource::Keys) => {
                format!("the default credential chain ({})", source.describe(name))
            }
            _ => "the default credential chain".to_owned(),
        })
    }
}
