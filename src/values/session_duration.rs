use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::IntoValue;
use crate::error::{Rule, ValueError, ValueKind};

/// How long assumed-role credentials last: 900 to 43200 seconds (15 minutes to 12 hours),
/// 3600 by default. The role's own maximum session duration may be lower; STS enforces that.
///
/// ```
/// use bedrock_auth::SessionDuration;
/// use std::time::Duration;
///
/// const TWO_HOURS: SessionDuration = SessionDuration::from_static_secs(7200);
/// assert_eq!(TWO_HOURS.as_secs(), 7200);
/// assert_eq!(SessionDuration::default().as_secs(), 3600);
/// assert!(SessionDuration::try_from(Duration::from_secs(60)).is_err());
/// assert_eq!("900".parse::<SessionDuration>()?.as_secs(), 900);
/// # Ok::<(), bedrock_auth::error::ValueError>(())
/// ```
///
/// An out-of-range literal in a `const` does not compile:
///
/// ```compile_fail
/// const TOO_LONG: bedrock_auth::SessionDuration =
///     bedrock_auth::SessionDuration::from_static_secs(86_400);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionDuration(u32);

impl SessionDuration {
    /// The shortest session STS grants: 900 seconds.
    pub const MIN: Self = Self(900);
    /// The longest session STS grants: 43200 seconds.
    pub const MAX: Self = Self(43_200);
    /// The default: 3600 seconds.
    pub const DEFAULT: Self = Self(3600);

    const fn check(secs: u64) -> Result<u32, Rule> {
        if secs < Self::MIN.0 as u64 || secs > Self::MAX.0 as u64 {
            Err(Rule::DurationRange)
        } else {
            Ok(secs as u32)
        }
    }

    /// A duration from a literal number of seconds, checked at compile time when used in a
    /// `const`.
    ///
    /// # Panics
    /// When `secs` is outside 900..=43200; in a `const` that is a compile error.
    pub const fn from_static_secs(secs: u32) -> Self {
        match Self::check(secs as u64) {
            Ok(secs) => Self(secs),
            Err(rule) => panic!("{}", rule.describe()),
        }
    }

    /// A duration of `secs` seconds, or an error when outside 900..=43200.
    pub fn from_secs(secs: u64) -> Result<Self, ValueError> {
        Self::check(secs)
            .map(Self)
            .map_err(|rule| ValueError::new(ValueKind::SessionDuration, &secs.to_string(), rule))
    }

    /// The duration in seconds.
    pub const fn as_secs(self) -> u32 {
        self.0
    }

    /// The duration as a [`Duration`].
    pub const fn as_duration(self) -> Duration {
        Duration::from_secs(self.0 as u64)
    }
}

impl Default for SessionDuration {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<Duration> for SessionDuration {
    type Error = ValueError;

    /// Whole seconds only: a fraction of a second is an error rather than silently dropped.
    fn try_from(duration: Duration) -> Result<Self, Self::Error> {
        if duration.subsec_nanos() != 0 {
            return Err(ValueError::new(
                ValueKind::SessionDuration,
                &format!("{duration:?}"),
                Rule::DurationRange,
            ));
        }
        Self::from_secs(duration.as_secs())
    }
}

impl TryFrom<u64> for SessionDuration {
    type Error = ValueError;

    fn try_from(secs: u64) -> Result<Self, Self::Error> {
        Self::from_secs(secs)
    }
}

impl FromStr for SessionDuration {
    type Err = ValueError;

    /// Seconds, optionally followed by `s`: `"3600"` or `"3600s"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.strip_suffix('s').unwrap_or(s);
        match digits.parse::<u64>() {
            Ok(secs) => Self::from_secs(secs),
            Err(_) => Err(ValueError::new(
                ValueKind::SessionDuration,
                s,
                Rule::DurationRange,
            )),
        }
    }
}

impl fmt::Display for SessionDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}s", self.0)
    }
}

impl super::sealed::Sealed<SessionDuration> for SessionDuration {}
impl IntoValue<SessionDuration> for SessionDuration {
    fn into_value(self) -> Result<SessionDuration, ValueError> {
        Ok(self)
    }
}
impl super::sealed::Sealed<SessionDuration> for Duration {}
impl IntoValue<SessionDuration> for Duration {
    fn into_value(self) -> Result<SessionDuration, ValueError> {
        self.try_into()
    }
}
impl super::sealed::Sealed<SessionDuration> for u64 {}
impl IntoValue<SessionDuration> for u64 {
    fn into_value(self) -> Result<SessionDuration, ValueError> {
        SessionDuration::from_secs(self)
    }
}
// An unsuffixed literal such as `.duration(7200)` is an `i32`.
impl super::sealed::Sealed<SessionDuration> for i32 {}
impl IntoValue<SessionDuration> for i32 {
    fn into_value(self) -> Result<SessionDuration, ValueError> {
        u64::try_from(self)
            .map_err(|_| {
                ValueError::new(
                    ValueKind::SessionDuration,
                    &self.to_string(),
                    Rule::DurationRange,
                )
            })
            .and_then(SessionDuration::from_secs)
    }
}
impl super::sealed::Sealed<SessionDuration> for &str {}
impl IntoValue<SessionDuration> for &str {
    fn into_value(self) -> Result<SessionDuration, ValueError> {
        self.parse()
    }
}
