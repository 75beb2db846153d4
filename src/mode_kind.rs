//! [`ModeKind`]: the names of the authentication modes, for every layer to share.

use std::fmt;

/// The authentication modes.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModeKind {
    /// A named profile.
    Profile,
    /// The `AWS_*` credential variables only.
    Environment,
    /// A key pair given in code.
    Static,
    /// STS `AssumeRole`.
    AssumeRole,
    /// The default credential chain.
    Auto,
    /// A credential source of the program's own.
    Custom,
    /// A Bedrock API key.
    ApiKey,
}

impl ModeKind {
    /// The name used in configuration files: `profile`, `environment`, `static`,
    /// `assume_role`, `auto`, `api_key` (and `custom`, which only code can choose).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Environment => "environment",
            Self::Static => "static",
            Self::AssumeRole => "assume_role",
            Self::Auto => "auto",
            Self::Custom => "custom",
            Self::ApiKey => "api_key",
        }
    }
}

impl fmt::Display for ModeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

serialize_as_display!(ModeKind);
