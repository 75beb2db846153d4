//! Choosing custom-source mode.

use crate::builder::AuthBuilder;
use crate::modes::{CustomSource, ModeState, NoModeYet};
use crate::rotation::{CredentialSource, SourceProvider};

impl<M: ModeState> AuthBuilder<M> {
    /// Custom-source mode: credentials from a [`CredentialSource`] of your own (a secret
    /// manager, a rotation job). They are fetched on first use, again shortly before they
    /// expire, and on [`AuthManager::refresh_credentials`](crate::AuthManager::refresh_credentials); concurrent callers share one fetch.
    pub fn credential_source(self, source: impl CredentialSource) -> AuthBuilder<CustomSource>
    where
        M: NoModeYet,
    {
        let provider = SourceProvider::new(std::sync::Arc::new(source));
        self.with_mode(CustomSource { provider })
    }
}
