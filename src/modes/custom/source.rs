//! Custom-source mode: credentials from a [`CredentialSource`](crate::custom::CredentialSource) of the
//! program's own, asked through [`SourceProvider`] (and cached by the manager, as in every mode).

use aws_credential_types::provider::SharedCredentialsProvider;

use crate::modes::profile::source::ProfileSource;
use crate::rotation::SourceProvider;
use crate::sources::{Context, Given, Origin};

/// The program's own source.
pub(crate) struct Custom<'a>(pub(crate) &'a SourceProvider);

impl Origin for Custom<'_> {
    fn credentials(&self, _cx: &Context<'_>) -> Given {
        Given::Provider(SharedCredentialsProvider::new(self.0.clone()))
    }

    fn hangs_as(&self, _profile: Option<(&str, ProfileSource)>) -> Option<String> {
        Some("the custom credential source".to_owned())
    }
}
