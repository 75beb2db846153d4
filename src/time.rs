//! Dates as AWS writes them: `20261125T123456Z` in SigV4 (`X-Amz-Date`) and
//! `2026-11-25T12:34:56Z` (RFC 3339) in STS answers and this crate's output. One place, on
//! `aws_smithy_types::DateTime`, the SDK's own date type.

use std::time::{Duration, SystemTime};

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

/// Seconds since the Unix epoch (0 before it).
pub(crate) fn unix_secs(at: SystemTime) -> u64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// `2026-11-25T12:34:56Z`, in whole seconds, as STS writes an expiration.
pub(crate) fn rfc3339(at: SystemTime) -> String {
    let secs = i64::try_from(unix_secs(at)).unwrap_or(i64::MAX);
    DateTime::from_secs(secs)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| format!("{secs} (Unix time)"))
}

/// Serializes an optional time as [`rfc3339`] (`#[serde(serialize_with = ..)]`).
pub(crate) fn serialize_rfc3339<S: serde::Serializer>(
    at: &Option<SystemTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_str(&rfc3339(*at)),
        None => serializer.serialize_none(),
    }
}

/// `20261125T123456Z`, as SigV4 writes `X-Amz-Date`.
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn amz_date(at: SystemTime) -> String {
    rfc3339(at).replace(['-', ':'], "")
}

/// Reads `20261125T123456Z`; `None` for anything else.
pub(crate) fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' || !s.is_ascii() {
        return None;
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    );
    let at = DateTime::from_str(&rfc3339, Format::DateTime).ok()?;
    let secs = u64::try_from(at.secs()).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
}

/// Reads an RFC 3339 date and time, `2026-11-25T12:34:56Z` or with an offset
/// (`2026-11-25T13:34:56+01:00`, as `aws configure export-credentials` writes it), fractional
/// seconds allowed; `None` for anything else, and for a time before the Unix epoch.
pub(crate) fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let at = DateTime::from_str(s.trim(), Format::DateTimeWithOffset).ok()?;
    let secs = u64::try_from(at.secs()).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::new(secs, at.subsec_nanos()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_with_and_without_an_offset() {
        let utc = parse_rfc3339("2026-11-25T12:34:56Z").unwrap();
        assert_eq!(rfc3339(utc), "2026-11-25T12:34:56Z");
        assert_eq!(parse_rfc3339("2026-11-25T13:34:56+01:00"), Some(utc));
        assert_eq!(parse_rfc3339(" 2026-11-25T12:34:56+00:00\n"), Some(utc));
        let fraction = parse_rfc3339("2026-11-25T12:34:56.5Z").unwrap();
        assert_eq!(
            fraction.duration_since(utc).unwrap(),
            Duration::from_millis(500)
        );
        for bad in [
            "",
            "tomorrow",
            "2026-11-25",
            "1712345678",
            "2026-13-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn dates_round_trip() {
        let t = parse_amz_date("20261125T123456Z").unwrap();
        assert_eq!(rfc3339(t), "2026-11-25T12:34:56Z");
        assert_eq!(amz_date(t), "20261125T123456Z");
        let leap = parse_amz_date("20240229T000000Z").unwrap();
        assert_eq!(rfc3339(leap), "2024-02-29T00:00:00Z");
        for bad in [
            "2026-11-25T12:34:56Z",
            "20261325T000000Z",
            "20260230T000000Z",
            "2026112ST000000Z",
            "19691231T235959Z",
            "",
        ] {
            assert!(parse_amz_date(bad).is_none(), "{bad}");
        }
        let subsecond = SystemTime::UNIX_EPOCH + Duration::from_millis(1_500);
        assert_eq!(rfc3339(subsecond), "1970-01-01T00:00:01Z");
    }
}
