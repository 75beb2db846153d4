//! One bad value: which kind of value ([`ValueKind`]), the rule it breaks ([`Rule`]) and the
//! error that says so ([`ValueError`]).

use std::fmt;

use crate::mode_kind::ModeKind;

/// Which kind of value a [`ValueError`] is about.
///
/// Secret kinds ([`is_secret`](Self::is_secret)) never have their value shown.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// An IAM role ARN ([`RoleArn`](crate::RoleArn)).
    RoleArn,
    /// An AWS region ([`Region`](crate::Region)).
    Region,
    /// A shared-config profile name ([`ProfileName`](crate::ProfileName)).
    ProfileName,
    /// A role session name ([`SessionName`](crate::SessionName)).
    SessionName,
    /// A role external id ([`ExternalId`](crate::ExternalId)); treated as confidential.
    ExternalId,
    /// An access key id ([`AccessKeyId`](crate::AccessKeyId)).
    AccessKeyId,
    /// A role session duration ([`SessionDuration`](crate::SessionDuration)).
    SessionDuration,
    /// An endpoint URL ([`EndpointUrl`](crate::EndpointUrl)).
    EndpointUrl,
    /// An MFA device serial number or ARN ([`MfaSerial`](crate::MfaSerial)).
    MfaSerial,
    /// A timeout.
    Timeout,
    /// The number of attempts of a request.
    MaxAttempts,
    /// A secret access key.
    SecretAccessKey,
    /// A session token.
    SessionToken,
    /// The source credentials of an assumed role.
    RoleSource,
    /// A Bedrock API key.
    ApiKey,
    /// A configuration key.
    Key,
    /// The `mode` of a configuration.
    Mode,
    /// Where a secret is read from: an environment variable or a file.
    SecretSource,
    /// A configuration file or text.
    ConfigFile,
    /// A role session's tags, as a list ([`SessionTag`](crate::values::SessionTag)).
    SessionTag,
    /// A session tag's key ([`TagKey`](crate::values::TagKey)).
    TagKey,
    /// A session tag's value.
    TagValue,
    /// A managed policy ARN ([`PolicyArn`](crate::values::PolicyArn)).
    PolicyArn,
    /// An inline session policy ([`SessionPolicy`](crate::values::SessionPolicy)).
    SessionPolicy,
    /// A source identity ([`SourceIdentity`](crate::values::SourceIdentity)).
    SourceIdentity,
    /// A CA bundle: a file of PEM certificates that HTTPS connections trust.
    CaBundle,
    /// Whether requests go to AWS's FIPS (or dual-stack) endpoints.
    Fips,
}

impl ValueKind {
    /// A short human name, e.g. `"role ARN"`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::RoleArn => "role ARN",
            Self::Region => "region",
            Self::ProfileName => "profile name",
            Self::SessionName => "role session name",
            Self::ExternalId => "external id",
            Self::AccessKeyId => "access key id",
            Self::SessionDuration => "role session duration",
            Self::EndpointUrl => "endpoint URL",
            Self::MfaSerial => "MFA serial",
            Self::Timeout => "timeout",
            Self::MaxAttempts => "number of attempts",
            Self::SecretAccessKey => "secret access key",
            Self::SessionToken => "session token",
            Self::RoleSource => "role source credentials",
            Self::ApiKey => "Bedrock API key",
            Self::Key => "configuration key",
            Self::Mode => "mode",
            Self::SecretSource => "secret source",
            Self::ConfigFile => "configuration",
            Self::SessionTag => "session tag",
            Self::TagKey => "session tag key",
            Self::TagValue => "session tag value",
            Self::PolicyArn => "policy ARN",
            Self::SessionPolicy => "session policy",
            Self::SourceIdentity => "source identity",
            Self::CaBundle => "CA bundle",
            Self::Fips => "FIPS or dual-stack endpoint setting",
        }
    }

    /// Whether values of this kind are confidential and must never be shown.
    pub const fn is_secret(self) -> bool {
        matches!(
            self,
            Self::ExternalId | Self::SecretAccessKey | Self::SessionToken | Self::ApiKey
        )
    }

    /// Whether a value of this kind may be a file's path (a config file, a CA bundle, the
    /// file of a secret, of a policy, of a web identity token): the one kind of value in which
    /// a word of a secret's shape is shown when it is an absolute path that exists in part
    /// (`/home/..`); in the others a secret behind `/tmp/` is still a secret.
    const fn may_be_a_path(self) -> bool {
        matches!(
            self,
            Self::ConfigFile
                | Self::CaBundle
                | Self::SecretSource
                | Self::SessionPolicy
                | Self::RoleSource
        )
    }

    /// The characters a value of this kind may contain, as shown in error messages.
    const fn allowed(self) -> &'static str {
        match self {
            Self::SessionName | Self::SourceIdentity => "letters, digits and + = , . @ _ -",
            Self::TagKey | Self::TagValue => "letters, digits, spaces and _ . : / = + - @",
            Self::SessionPolicy => "tab, line feed, carriage return and U+0020 to U+00FF",
            Self::ExternalId => "letters, digits and + = , . / @ : _ -",
            Self::AccessKeyId => "upper-case letters and digits",
            Self::MfaSerial => "letters, digits and + = / : , . @ _ -",
            Self::ProfileName => "printable characters other than [ ] # ; and spaces",
            Self::Region => "lowercase letters, digits and -",
            _ => "printable ASCII",
        }
    }

    /// A valid example, shown as the fix.
    const fn example(self) -> Option<&'static str> {
        match self {
            Self::RoleArn => Some("arn:aws:iam::123456789012:role/BedrockAccess"),
            Self::Region => Some("us-east-1"),
            Self::ProfileName => Some("default"),
            Self::SessionName => Some("orders-service"),
            Self::AccessKeyId => Some("AKIAIOSFODNN7EXAMPLE"),
            Self::SessionDuration => Some("3600"),
            Self::EndpointUrl => Some("http://127.0.0.1:4566"),
            Self::MfaSerial => Some("arn:aws:iam::123456789012:mfa/alice"),
            Self::SessionTag => Some("tenant=acme"),
            Self::TagKey => Some("tenant"),
            Self::PolicyArn => Some("arn:aws:iam::123456789012:policy/BedrockTenant"),
            Self::SourceIdentity => Some("alice@example.com"),
            Self::TagValue | Self::SessionPolicy => None,
            Self::ExternalId
            | Self::Timeout
            | Self::MaxAttempts
            | Self::SecretAccessKey
            | Self::SessionToken
            | Self::RoleSource
            | Self::ApiKey
            | Self::Key
            | Self::SecretSource
            | Self::ConfigFile => None,
            Self::Mode => Some("assume_role"),
            Self::CaBundle => Some("/etc/ssl/certs/corp-ca.pem"),
            Self::Fips => Some("false"),
        }
    }
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The rule a value broke.
///
/// Each variant has a fixed description ([`describe`](Self::describe)) so that the same words
/// serve as a compile error for a bad literal (`const` constructors) and at run time.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The value is empty.
    Empty,
    /// The value is shorter than `min` characters.
    TooShort {
        /// The minimum length.
        min: usize,
    },
    /// The value is longer than `max` characters.
    TooLong {
        /// The maximum length.
        max: usize,
    },
    /// The character at byte offset `at` is not allowed.
    InvalidChar {
        /// Byte offset of the first offending character.
        at: usize,
    },
    /// An ARN must start with `arn:`.
    ArnPrefix,
    /// An ARN must have six `:`-separated fields.
    ArnFields,
    /// The ARN's partition is not a known AWS partition.
    ArnPartition,
    /// A role ARN's service must be `iam`.
    ArnService,
    /// IAM ARNs have an empty region field.
    ArnRegion,
    /// The account id must be exactly 12 digits.
    AccountId,
    /// The resource must be `role/<name>` or `role/<path>/<name>`.
    NotARole,
    /// The role path must be printable ASCII without spaces, at most 512 characters.
    RolePath,
    /// The role name must be 1 to 64 characters.
    RoleNameLength,
    /// The role name may only contain letters, digits and `+=,.@_-`.
    RoleNameChar,
    /// A region looks like `us-east-1`.
    RegionShape,
    /// A role session lasts 900 to 43200 seconds.
    DurationRange,
    /// An endpoint URL starts with `http://` or `https://`.
    EndpointScheme,
    /// An endpoint URL names a host.
    EndpointHost,
    /// An endpoint URL must not carry `user:password@`.
    EndpointUserInfo,
    /// A bearer key goes over HTTPS, or plain HTTP to a loopback address only.
    BearerOverHttp,
    /// A bearer key does not go over plain HTTP through a proxy that is not on this machine,
    /// whatever the endpoint.
    BearerThroughProxy,
    /// The value has the shape of a secret (e.g. a secret access key given as the key id);
    /// it is not shown.
    LooksLikeSecret,
    /// A timeout must be greater than zero.
    ZeroTimeout,
    /// A timeout longer than any wait this crate will make.
    TimeoutTooLong {
        /// The longest allowed, in seconds.
        max_secs: u64,
    },
    /// A value (an environment variable, an argument) is not valid UTF-8.
    NotUtf8,
    /// A request is tried 1 to 10 times.
    AttemptsRange,
    /// Lockout takes 1 to 1000 failures in a row.
    LockoutRange,
    /// Only one source of credentials may be chosen for an assumed role. No longer reported: a
    /// second `source_*` call does not compile, and a configuration has one `source` key. Kept
    /// so that code matching it still compiles.
    SourceTwice,
    /// A configuration key that does not exist.
    UnknownKey,
    /// A configuration key of another mode.
    NotInMode {
        /// The mode the key belongs to.
        owner: ModeKind,
        /// The mode of the configuration.
        mode: ModeKind,
    },
    /// A value of the wrong type.
    WrongType {
        /// What the key takes.
        expected: &'static str,
        /// What it got.
        found: &'static str,
    },
    /// A required key is missing.
    Missing,
    /// The same key is given twice (e.g. under a name and its alias).
    Duplicate,
    /// A key of a pair (`lockout_after`, `lockout_cool_down_secs`) is missing while the other is
    /// given: both, or neither.
    NeededWith {
        /// The other key, which is given.
        key: &'static str,
    },
    /// A variable and its `_FILE` twin are both set (`BEDROCK_AUTH_API_KEY` and
    /// `BEDROCK_AUTH_API_KEY_FILE`): which one is meant cannot be known.
    ValueAndFile,
    /// Not one of the modes.
    UnknownMode,
    /// `IAM_ROLE` without `role_arn`.
    IamRoleNeedsArn,
    /// A secret's environment variable is not set.
    EnvVarMissing,
    /// Not an environment variable's name (letters, digits and `_`, not starting with a
    /// digit); the value is not shown.
    VariableName,
    /// A file cannot be read (an I/O error other than those below).
    FileUnreadable,
    /// A file does not exist.
    FileMissing,
    /// A file this process may not read (permission denied).
    FileDenied,
    /// A path that ends in a loop of symbolic links.
    FileLinkLoop,
    /// A file that is not UTF-8 text.
    FileNotText,
    /// A secret or configuration file that is not a regular file: reading a FIFO would block,
    /// a device may never end. Refused without reading it.
    NotRegularFile {
        /// What it is: `a FIFO`, `a device`, `a socket`, `a directory`.
        is: &'static str,
    },
    /// A secret or configuration file larger than any such file is.
    FileTooLarge {
        /// The most this crate reads, in bytes.
        max_bytes: u64,
    },
    /// `mfa_serial` in a configuration without an MFA provider.
    NoTokenSource,
    /// The text is not valid TOML or JSON.
    Syntax,
    /// More items than AWS takes in one request.
    TooMany {
        /// The most AWS takes.
        max: usize,
    },
    /// Two session tags with one key: STS compares tag keys without case.
    DuplicateTagKey,
    /// A tag key starting with `aws:`, which AWS keeps for itself.
    ReservedPrefix,
    /// Not a JSON object (a policy document is one).
    NotJson,
    /// The resource of a policy ARN must be `policy/<name>` or `policy/<path>/<name>`.
    NotAPolicy,
    /// A session tag is written `KEY=VALUE`.
    TagShape,
    /// An option `AssumeRoleWithWebIdentity` does not take (an external id, MFA, session tags,
    /// a source identity): a role with a web identity source has its caller in the token.
    /// Reported for a configuration's keys; in code such a call does not compile.
    NotWithWebIdentity,
    /// A CA bundle holds no PEM certificate, or one that cannot be read as a root.
    NotCaBundle,
    /// FIPS or dual-stack endpoints with a custom endpoint, which AWS's endpoint rules refuse.
    FipsWithCustomEndpoint,
    /// FIPS or dual-stack endpoints while a custom endpoint's variable is set
    /// (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`).
    FipsWithEndpointVariable {
        /// The variable that is set.
        variable: &'static str,
    },
}

/// [`Rule::LooksLikeSecret`] in words.
const LOOKS_LIKE_SECRET: &str = "looks like a secret (base64 with mixed case and digits, 20 \
     characters or more), not an id, a variable name or a path: check that the secret was not put \
     here, or swapped with its id; the value is not shown";

/// [`Rule::SourceTwice`] in words.
const SOURCE_TWICE: &str = "was chosen twice: call only one of `source_profile`, \
     `source_environment`, `source_static`, `source_web_identity`, `source_web_identity_token`";

/// [`Rule::VariableName`] in words.
const NOT_A_VARIABLE_NAME: &str = "must name an environment variable (letters, digits and _, not \
     starting with a digit), not hold the secret itself; the value is not shown";

impl Rule {
    /// The rule in words, without the numbers that the run-time message adds.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::FileUnreadable
            | Self::FileMissing
            | Self::FileDenied
            | Self::FileLinkLoop
            | Self::FileNotText
            | Self::NotRegularFile { .. }
            | Self::FileTooLarge { .. }
            | Self::NotCaBundle => self.describe_file(),
            Self::Empty => "must not be empty",
            Self::TooShort { .. } => "is too short",
            Self::TooLong { .. } => "is too long",
            Self::InvalidChar { .. } => "contains a character that is not allowed",
            Self::ArnPrefix => "must start with `arn:`",
            Self::ArnFields => {
                "must have six `:`-separated fields: arn:<partition>:iam::<account-id>:role/<name>"
            }
            Self::ArnPartition => {
                "partition must be one of aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc"
            }
            Self::ArnService => "service must be `iam`",
            Self::ArnRegion => "the region field of an IAM ARN must be empty (`arn:aws:iam::...`)",
            Self::AccountId => "the account id must be exactly 12 digits",
            Self::NotARole => "the resource must be `role/<name>` or `role/<path>/<name>`",
            Self::RolePath => {
                "the role path must be printable ASCII without spaces, at most 512 characters"
            }
            Self::RoleNameLength => "the role name must be 1 to 64 characters",
            Self::RoleNameChar => {
                "the role name may only contain letters, digits and + = , . @ _ -"
            }
            Self::RegionShape => {
                "must look like `us-east-1`: lowercase words and a final number joined by `-`"
            }
            Self::DurationRange => "must be 900 to 43200 seconds (15 minutes to 12 hours)",
            Self::EndpointScheme
            | Self::EndpointHost
            | Self::EndpointUserInfo
            | Self::BearerOverHttp
            | Self::BearerThroughProxy
            | Self::FipsWithCustomEndpoint
            | Self::FipsWithEndpointVariable { .. } => self.describe_endpoint(),
            Self::LooksLikeSecret => LOOKS_LIKE_SECRET,
            Self::ZeroTimeout => "must be greater than zero",
            Self::TimeoutTooLong { .. } => "is longer than any wait this crate will make",
            Self::NotUtf8 => "is not valid UTF-8 text",
            Self::AttemptsRange => "must be 1 to 10 (1 turns retries off)",
            Self::LockoutRange => "must be 1 to 1000 failures in a row",
            Self::SourceTwice => SOURCE_TWICE,
            Self::UnknownKey => "is not a known key",
            Self::NotInMode { .. } => "belongs to another mode",
            Self::WrongType { .. } => "has the wrong type",
            Self::Missing => "is required in this mode",
            Self::Duplicate => "is given twice (under its name and an alias)",
            Self::NeededWith { .. } => {
                "is required with the other key of its pair: give both, or neither"
            }
            Self::ValueAndFile => {
                "is set together with its `_FILE` twin: set the value or the file that holds it, not both"
            }
            Self::UnknownMode => {
                "must be one of profile, environment, static, assume_role, auto, api_key"
            }
            Self::IamRoleNeedsArn => {
                "IAM_ROLE needs `role_arn`; for the instance or task role use mode = \"auto\""
            }
            Self::EnvVarMissing => "names an environment variable that is not set",
            Self::VariableName => NOT_A_VARIABLE_NAME,
            Self::NoTokenSource => {
                "needs an MFA provider: call `AuthConfig::mfa_provider(..)` before `from_config`"
            }
            Self::Syntax => "is not valid",
            Self::TooMany { .. }
            | Self::DuplicateTagKey
            | Self::ReservedPrefix
            | Self::NotJson
            | Self::NotAPolicy
            | Self::TagShape
            | Self::NotWithWebIdentity => self.describe_session(),
        }
    }

    /// The rules of an endpoint, in words.
    const fn describe_endpoint(self) -> &'static str {
        match self {
            Self::EndpointScheme => "must start with `http://` or `https://`",
            Self::EndpointHost => "must name a host after the scheme, without spaces",
            Self::EndpointUserInfo => {
                "must not contain `user:password@`; give credentials through the builder"
            }
            Self::BearerOverHttp => {
                "must use https:// for an API key (plain http:// only to 127.0.0.1, ::1 or localhost): a bearer key on the wire is the key itself"
            }
            Self::BearerThroughProxy => {
                "is plain http:// and its requests go through a proxy that is not on this machine (HTTP_PROXY, http_proxy or the `proxy` setting): the API key would reach the proxy in the clear; use https://, or exempt the host with NO_PROXY"
            }
            Self::FipsWithEndpointVariable { .. } => {
                "cannot be on while a custom endpoint's variable is set (AWS_ENDPOINT_URL, \
                 AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL_BEDROCK_RUNTIME): AWS's endpoint rules \
                 refuse the pair; point the variable at the FIPS or dual-stack host itself and \
                 turn this off, or unset the variable"
            }
            _ => {
                "cannot be on with a custom endpoint (`endpoint_url`): AWS's endpoint rules refuse \
                 the pair; point `endpoint_url` at the FIPS or dual-stack host itself, or turn \
                 one of them off"
            }
        }
    }

    /// The rules of a role session's tags and policies, in words.
    const fn describe_session(self) -> &'static str {
        match self {
            Self::TooMany { .. } => "has more items than AWS takes in one request",
            Self::DuplicateTagKey => {
                "gives one tag key twice (STS compares tag keys without case: `Tenant` is `tenant`)"
            }
            Self::ReservedPrefix => "must not start with `aws:`, which AWS keeps for its own tags",
            Self::NotJson => "must be a JSON object (an IAM policy document)",
            Self::NotAPolicy => "the resource must be `policy/<name>` or `policy/<path>/<name>`",
            Self::NotWithWebIdentity => {
                "is not taken with a web identity source: STS AssumeRoleWithWebIdentity has the \
                 caller in the token, and no external id, MFA, session tags or source identity"
            }
            _ => "must be written KEY=VALUE",
        }
    }

    /// The rules of a file named by a value, in words.
    const fn describe_file(self) -> &'static str {
        match self {
            Self::FileMissing => "names a file that does not exist",
            Self::FileDenied => "names a file this process may not read (permission denied)",
            Self::FileLinkLoop => "names a path that ends in a loop of symbolic links",
            Self::FileNotText => "names a file that is not UTF-8 text",
            Self::NotRegularFile { .. } => "names something that is not a regular file",
            Self::FileTooLarge { .. } => "names a file larger than a secret or configuration is",
            Self::NotCaBundle => {
                "must hold one or more PEM certificates (`-----BEGIN CERTIFICATE-----` blocks) \
                 that can be read as root certificates"
            }
            _ => "names a file that cannot be read (an I/O error)",
        }
    }
}

/// A value that failed its check: which kind of value, what it was (never for secrets) and which
/// rule it broke.
///
/// ```
/// use bedrock_auth::{RoleArn, error::Rule};
///
/// let err = "arn:aws:iam::123:role/Bedrock".parse::<RoleArn>().unwrap_err();
/// assert_eq!(err.rule(), Rule::AccountId);
/// assert!(err.to_string().contains("12 digits"));
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValueError {
    kind: ValueKind,
    // `None` for secret kinds: the value never enters the error.
    value: Option<Box<str>>,
    rule: Rule,
}

impl ValueError {
    /// A new error for `value` of `kind`; the value is dropped when the kind is secret, or
    /// when it holds a word of a secret's shape (a secret in the wrong place): one rule for
    /// every kind.
    pub(crate) fn new(kind: ValueKind, value: &str, rule: Rule) -> Self {
        let shaped = if kind.may_be_a_path() {
            crate::secret::holds_secret_shape(value)
        } else {
            crate::secret::holds_secret_shape_even_in_a_path(value)
        };
        let shown = !kind.is_secret() && !shaped;
        let value = shown.then(|| Box::from(value));
        Self { kind, value, rule }
    }

    /// A syntax error of a configuration `format` (TOML, JSON), with the parser's message.
    pub(crate) fn syntax(format: &str, message: &str) -> Self {
        Self::new(
            ValueKind::ConfigFile,
            &format!("{format}: {message}"),
            Rule::Syntax,
        )
    }

    /// A new error that does not show its value.
    pub(crate) fn without_value(kind: ValueKind, rule: Rule) -> Self {
        Self {
            kind,
            value: None,
            rule,
        }
    }

    /// The kind of value that was rejected.
    pub fn kind(&self) -> ValueKind {
        self.kind
    }

    /// The rule the value broke.
    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// The rejected value, or `None` for secrets.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }
}

impl From<std::convert::Infallible> for ValueError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl fmt::Debug for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValueError")
            .field("kind", &self.kind)
            .field("value", &self.value)
            .field("rule", &self.rule)
            .finish()
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}", self.kind)?;
        if let Some(value) = &self.value {
            write!(f, " `{}`", value.escape_debug())?;
        }
        f.write_str(": ")?;
        match self.rule {
            Rule::TooShort { min } => write!(f, "must be at least {min} characters")?,
            Rule::TooLong { max } => write!(f, "must be at most {max} characters")?,
            Rule::TooMany { max } => write!(f, "may have at most {max} items (AWS's limit)")?,
            Rule::TimeoutTooLong { max_secs } => write!(f, "must be at most {max_secs} s")?,
            Rule::NotRegularFile { is } => write!(
                f,
                "is {is}, not a regular file (a secret or configuration file must be one); it \
                 was not read"
            )?,
            Rule::FileTooLarge { max_bytes } => write!(
                f,
                "is larger than {} KiB, more than any secret or configuration; it was not read",
                max_bytes / 1024
            )?,
            Rule::NotInMode { owner, mode } => {
                write!(f, "is an option of {owner} mode, not of {mode} mode")?
            }
            Rule::WrongType { expected, found } => write!(f, "must be {expected}, not {found}")?,
            Rule::NeededWith { key } => write!(
                f,
                "is required when `{key}` is given: give both, or neither"
            )?,
            Rule::FipsWithEndpointVariable { variable } => write!(
                f,
                "cannot be on while {variable} is set: AWS's endpoint rules refuse the pair; \
                 point {variable} at the FIPS or dual-stack host itself and turn this off, or \
                 unset {variable}"
            )?,
            Rule::InvalidChar { at } => {
                match self
                    .value
                    .as_deref()
                    .and_then(|v| v.get(at..)?.chars().next())
                {
                    Some(c) => write!(f, "`{}` at position {at} is not allowed", c.escape_debug())?,
                    None => write!(f, "the character at position {at} is not allowed")?,
                }
                write!(f, "; use only {}", self.kind.allowed())?;
            }
            rule => f.write_str(rule.describe())?,
        }
        if let Some(example) = self.kind.example() {
            write!(f, " (for example `{example}`)")?;
        }
        Ok(())
    }
}
