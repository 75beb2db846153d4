//! Auto mode: aws-config's default credential chain (environment, the selected profile, web
//! identity, ECS, instance metadata), as every AWS SDK reads it. Also a role's source
//! credentials.

use crate::modes::profile::source::{ProfileSource, selected_profile};
use crate::os::Os;
use crate::sources::{Context, Given, Origin, Selected};

/// The default chain.
pub(crate) struct Auto;

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
