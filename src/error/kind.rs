//! [`ErrorKind`]: the sorts of [`AuthError`](super::AuthError), each with a machine-readable
//! name.

use std::fmt;

/// The kind of an [`AuthError`](super::AuthError), with a short machine-readable name ([`as_str`](Self::as_str)).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No credentials were found for the mode (`no_credentials`).
    NoCredentials,
    /// The named profile is not in the shared config or credentials files (`profile_not_found`).
    ProfileNotFound,
    /// AWS does not know the access key, or the signature does not match its secret
    /// (`invalid_credentials`).
    InvalidCredentials,
    /// The credentials have expired (`expired_credentials`).
    ExpiredCredentials,
    /// The principal may not make this one request: a model whose access is not enabled, an
    /// action its policy does not allow on a resource (`access_denied`). The credentials were
    /// accepted: it does not count toward [lockout](crate::AuthBuilder::lockout_after).
    AccessDenied,
    /// STS refused the role assumption: the role's trust policy does not allow the source
    /// principal, or the external id, MFA or session options do not match (`role_refused`).
    /// Counts toward lockout.
    RoleRefused,
    /// No region is configured (`no_region`).
    NoRegion,
    /// The endpoint could not be reached, or did not answer in time (`network`).
    Network,
    /// A credential source of this process did not answer within the operation timeout: a
    /// profile's `credential_process`, SSO or role chain, the default chain, an MFA token
    /// source or a custom source; nothing was sent to AWS (`timed_out`).
    TimedOut,
    /// AWS throttled the request (`throttled`).
    Throttled,
    /// Another error from the service, with its code (`service`).
    Service,
    /// The configuration is invalid (`invalid_config`).
    InvalidConfig,
    /// The manager refuses calls for a while after repeated authentication failures
    /// ([`lockout_after`](crate::AuthBuilder::lockout_after)); nothing was sent (`locked_out`).
    LockedOut,
}

impl ErrorKind {
    /// The machine-readable name: `no_credentials`, `profile_not_found`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NoCredentials => "no_credentials",
            Self::ProfileNotFound => "profile_not_found",
            Self::InvalidCredentials => "invalid_credentials",
            Self::ExpiredCredentials => "expired_credentials",
            Self::AccessDenied => "access_denied",
            Self::RoleRefused => "role_refused",
            Self::NoRegion => "no_region",
            Self::Network => "network",
            Self::TimedOut => "timed_out",
            Self::Throttled => "throttled",
            Self::Service => "service",
            Self::InvalidConfig => "invalid_config",
            Self::LockedOut => "locked_out",
        }
    }

    /// Every kind, in a fixed order (for compact storage).
    const ALL: [ErrorKind; 13] = [
        Self::NoCredentials,
        Self::ProfileNotFound,
        Self::InvalidCredentials,
        Self::ExpiredCredentials,
        Self::AccessDenied,
        Self::NoRegion,
        Self::Network,
        Self::TimedOut,
        Self::Throttled,
        Self::Service,
        Self::InvalidConfig,
        Self::LockedOut,
        // Last: the stored indexes of the kinds before it stay what they were.
        Self::RoleRefused,
    ];

    /// 1 + the kind's place in [`ALL`](Self::ALL) (0 stands for none).
    pub(crate) fn index(self) -> u8 {
        Self::ALL
            .iter()
            .position(|k| *k == self)
            .map_or(0, |at| at as u8 + 1)
    }

    /// The kind of an [`index`](Self::index), `None` for 0.
    pub(crate) fn from_index(index: u8) -> Option<Self> {
        Self::ALL.get(usize::from(index).checked_sub(1)?).copied()
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

serialize_as_display!(ErrorKind);
