//! AWS's error codes, in one table: the kind each stands for, whether it says the credentials
//! themselves are no longer good (the manager drops them and reads them again), and whether it
//! is looked for in the text of a credential provider's error (which carries no code of its
//! own). The error mapping (`sdk_errors`), the monitor's watcher and `Classify` all read it.

use super::ErrorKind;

/// One error code.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Code {
    pub(crate) code: &'static str,
    pub(crate) kind: ErrorKind,
    /// The credentials are expired or unknown: drop them, read them again.
    pub(crate) drops_credentials: bool,
    /// Looked for in the text of a credential provider's error.
    pub(crate) in_text: bool,
}

const fn code(code: &'static str, kind: ErrorKind) -> Code {
    Code {
        code,
        kind,
        drops_credentials: false,
        in_text: false,
    }
}

impl Code {
    const fn drops(mut self) -> Self {
        self.drops_credentials = true;
        self
    }

    const fn in_text(mut self) -> Self {
        self.in_text = true;
        self
    }
}

use ErrorKind::{AccessDenied, ExpiredCredentials, InvalidCredentials, Throttled};

/// Every code this crate knows, STS's, Bedrock's and the OpenAI-compatible endpoints'. The
/// order is the order codes are looked for in a provider's text (longer first where one
/// contains another).
pub(crate) const CODES: &[Code] = &[
    code("InvalidClientTokenId", InvalidCredentials)
        .drops()
        .in_text(),
    code("UnrecognizedClientException", InvalidCredentials).drops(),
    code("InvalidIdentityTokenException", InvalidCredentials).in_text(),
    code("InvalidIdentityToken", InvalidCredentials),
    code("SignatureDoesNotMatch", InvalidCredentials).in_text(),
    code("InvalidSignatureException", InvalidCredentials),
    code("IncompleteSignatureException", InvalidCredentials),
    code("IncompleteSignature", InvalidCredentials),
    code("MissingAuthenticationTokenException", InvalidCredentials),
    code("MissingAuthenticationToken", InvalidCredentials),
    code("InvalidAccessKeyId", InvalidCredentials),
    code("IDPRejectedClaim", InvalidCredentials),
    // The OpenAI-compatible endpoints' own (bedrock-mantle, /openai/v1).
    code("invalid_api_key", InvalidCredentials),
    code("ExpiredTokenException", ExpiredCredentials).drops(),
    code("ExpiredToken", ExpiredCredentials).drops().in_text(),
    code("RequestExpired", ExpiredCredentials),
    code("TokenRefreshRequired", ExpiredCredentials),
    code("AccessDeniedException", AccessDenied),
    code("AccessDenied", AccessDenied).in_text(),
    code("UnauthorizedOperation", AccessDenied),
    code("access_denied", AccessDenied),
    code("permission_denied", AccessDenied),
    code("ThrottlingException", Throttled),
    code("Throttling", Throttled).in_text(),
    code("TooManyRequestsException", Throttled),
    code("RequestLimitExceeded", Throttled),
    code("ServiceQuotaExceededException", Throttled),
    code("rate_limit_exceeded", Throttled),
];

/// The entry of `code`, when it is one we know.
pub(crate) fn find(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|known| known.code == code)
}

/// The first code of the table named in `text` (a credential provider's error message).
pub(crate) fn named_in(text: &str) -> Option<&'static str> {
    CODES
        .iter()
        .filter(|known| known.in_text)
        .map(|known| known.code)
        .find(|code| text.contains(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_is_in_the_table_once() {
        for (i, known) in CODES.iter().enumerate() {
            assert!(
                CODES[i + 1..].iter().all(|other| other.code != known.code),
                "{} twice",
                known.code
            );
        }
        assert_eq!(
            find("ExpiredToken").map(|c| c.kind),
            Some(ExpiredCredentials)
        );
        assert!(find("ExpiredTokenException").is_some_and(|c| c.drops_credentials));
        assert!(find("AccessDeniedException").is_some_and(|c| !c.drops_credentials));
        assert_eq!(
            named_in("... <Code>ExpiredToken</Code> ..."),
            Some("ExpiredToken")
        );
        assert_eq!(named_in("nothing known"), None);
    }
}
