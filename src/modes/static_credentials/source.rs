//! Static mode: a key pair given in code (or a config's secret sources). Also a role's source
//! credentials.

use aws_credential_types::provider::SharedCredentialsProvider;

use crate::sources::{Context, Given, Origin};
use crate::static_keys::StaticKeys;

/// A key pair, named for the SDK (`provider_name`) as the mode's own or a role's source.
pub(crate) struct Static<'a> {
    pub(crate) keys: &'a StaticKeys,
    pub(crate) name: &'static str,
}

impl Origin for Static<'_> {
    fn credentials(&self, _cx: &Context<'_>) -> Given {
        Given::Provider(SharedCredentialsProvider::new(
            self.keys.to_sdk(None, self.name),
        ))
    }
}
