//! Which certificate authorities the manager's HTTPS connections trust: the system's roots, or
//! a CA bundle (one or more PEM certificates) that replaces them, as the AWS CLI and boto3 take
//! it: the builder's (a config's `ca_bundle`), else `AWS_CA_BUNDLE`, else the profile's
//! `ca_bundle`. A bundle is read and every certificate in it parsed before it is used: one
//! that is missing, unreadable, or holds no certificate is refused, naming where it came from.

use std::path::{Path, PathBuf};

use aws_smithy_http_client::tls::{TlsContext, TrustStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::error::{AuthError, ErrorKind, Rule};
use crate::os::{FileTrouble, Os};
use crate::printable::printable;

/// The largest CA bundle read: 4 MiB (the Mozilla bundle is about 220 KiB).
const BUNDLE_LIMIT: u64 = 4 * 1024 * 1024;

/// A CA bundle, read and checked.
#[derive(Clone)]
pub(crate) struct CaBundle {
    pub(crate) path: PathBuf,
    /// Where the path came from: `AWS_CA_BUNDLE`, `ca_bundle of profile dev`, `the builder`.
    pub(crate) source: String,
    pub(crate) certificates: usize,
    pem: Vec<u8>,
}

impl std::fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaBundle")
            .field("path", &self.path)
            .field("source", &self.source)
            .field("certificates", &self.certificates)
            .finish_non_exhaustive()
    }
}

impl CaBundle {
    /// Reads the bundle at `path` (from `source`) and parses every certificate in it, as the
    /// TLS stack will; the error says what is wrong, naming the source and the path.
    pub(crate) fn read(os: &Os, path: &Path, source: &str) -> Result<Self, CaTrouble> {
        let shown = printable(&path.to_string_lossy()).into_owned();
        let refused = |rule: Rule, why: String| CaTrouble {
            rule,
            message: format!("the CA bundle {shown} (from {source}) {why}"),
        };
        let read = os.read_careful(path, BUNDLE_LIMIT).map_err(|trouble| {
            let rule = match &trouble {
                FileTrouble::Missing => Rule::FileMissing,
                FileTrouble::NotRegular(is) => Rule::NotRegularFile { is },
                FileTrouble::TooLarge(max) => Rule::FileTooLarge { max_bytes: *max },
                FileTrouble::Unreadable(err)
                    if err.kind() == std::io::ErrorKind::PermissionDenied =>
                {
                    Rule::FileDenied
                }
                FileTrouble::Unreadable(_) => Rule::FileUnreadable,
            };
            refused(rule, format!("cannot be read: {trouble}"))
        })?;
        let pem = read.bytes.to_vec();
        let certificates = parse(&pem).map_err(|why| refused(Rule::NotCaBundle, why))?;
        Ok(Self {
            path: path.to_owned(),
            source: source.to_owned(),
            certificates,
            pem,
        })
    }

    /// The TLS context that trusts this bundle's certificates and no other.
    pub(crate) fn tls_context(&self) -> TlsContext {
        let store = TrustStore::empty()
            .with_native_roots(false)
            .with_pem_certificate(self.pem.clone());
        // Building a context checks nothing and fails on nothing; the default is the
        // system's roots, never less trust than asked for, should it ever fail.
        TlsContext::builder()
            .with_trust_store(store)
            .build()
            .unwrap_or_default()
    }
}

/// How many certificates `pem` holds, each parsed as a trust anchor, as the TLS stack will
/// (which would panic on one it cannot parse); an error for none, or for one that does not
/// parse.
fn parse(pem: &[u8]) -> Result<usize, String> {
    let mut roots = rustls::RootCertStore::empty();
    let mut count = 0;
    for der in CertificateDer::pem_slice_iter(pem) {
        // The PEM parser's errors quote the bytes they stopped at (a marker, a whole line):
        // a file that is not PEM may be a key with its line breaks lost. Only what went
        // wrong, by name, is said.
        let der = der.map_err(|err| {
            format!(
                "is not PEM the TLS stack can read ({}, after {count} certificate{}); its \
                 contents are not shown",
                pem_trouble(&err),
                if count == 1 { "" } else { "s" }
            )
        })?;
        roots.add(der).map_err(|err| {
            format!(
                "holds a certificate that cannot be used as a root (certificate {}): {err}",
                count + 1
            )
        })?;
        count += 1;
    }
    if count == 0 {
        return Err("holds no PEM certificate (`-----BEGIN CERTIFICATE-----` blocks)".to_owned());
    }
    Ok(count)
}

/// What is wrong with a file that is not PEM, in words that quote none of it.
fn pem_trouble(err: &rustls_pki_types::pem::Error) -> &'static str {
    use rustls_pki_types::pem::Error;
    match err {
        Error::MissingSectionEnd { .. } => "a section is not closed by its END line",
        Error::IllegalSectionStart { .. } => "a BEGIN line cannot be read",
        Error::Base64Decode(_) => "a section's body is not base64",
        Error::Io(_) => "it cannot be read",
        _ => "it cannot be parsed",
    }
}

/// Why a CA bundle cannot be used: the rule it broke, and the whole story in words (the path,
/// where it came from, what is wrong).
#[derive(Debug)]
pub(crate) struct CaTrouble {
    pub(crate) rule: Rule,
    pub(crate) message: String,
}

impl std::fmt::Display for CaTrouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The bundle the manager's connections trust, if any: `chosen` (the builder's), else
/// `AWS_CA_BUNDLE`, else the profile's `ca_bundle` (`profile`: its name and value).
pub(crate) fn resolve(
    os: &Os,
    chosen: Option<&Path>,
    profile: Option<(&str, &str)>,
) -> Result<Option<CaBundle>, CaTrouble> {
    if let Some(path) = chosen {
        return CaBundle::read(os, path, "the builder's ca_bundle").map(Some);
    }
    if let Some(path) = os.var("AWS_CA_BUNDLE") {
        return CaBundle::read(os, Path::new(path.trim()), "AWS_CA_BUNDLE").map(Some);
    }
    if let Some((name, path)) = profile {
        let source = format!("ca_bundle of profile {name}");
        return CaBundle::read(os, Path::new(path.trim()), &source).map(Some);
    }
    Ok(None)
}

/// Whether `err`'s chain says the server's certificate was not trusted (rustls's "invalid
/// peer certificate"), and rustls's reason (`UnknownIssuer`, `Expired`, ...).
pub(crate) fn untrusted_certificate(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cause = Some(err);
    while let Some(inner) = cause {
        let text = inner.to_string();
        if let Some(at) = text.find("invalid peer certificate") {
            let reason = text[at + "invalid peer certificate".len()..]
                .trim_start_matches([':', ' '])
                .to_owned();
            return Some(reason);
        }
        cause = inner.source();
    }
    None
}

/// The error of a call (`what`, to `endpoint`) whose server's certificate was not trusted:
/// said as such, with the ways to trust a private CA.
pub(crate) fn not_trusted(
    err: &(dyn std::error::Error + 'static),
    what: &str,
    endpoint: &str,
) -> AuthError {
    let reason = untrusted_certificate(err).unwrap_or_default();
    AuthError::new(
        ErrorKind::Network,
        format!(
            "{what} to {endpoint} could not connect: certificate not trusted ({}): the server's \
             TLS certificate is not signed by a certificate authority this manager trusts",
            printable(&reason)
        ),
        "if a TLS-intercepting proxy or a private CA stands between you and AWS, trust its CA \
         certificate with <<ca_bundle>>, AWS_CA_BUNDLE, or the profile's `ca_bundle` (a file of \
         PEM certificates); otherwise check that the endpoint is the one you meant",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_without_a_certificate_or_with_a_broken_one_is_refused() {
        assert!(parse(b"").unwrap_err().contains("no PEM certificate"));
        assert!(parse(b"hello").unwrap_err().contains("no PEM certificate"));
        let broken = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(parse(broken).is_err());
        let bad_base64 = b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert!(parse(bad_base64).is_err());
    }
}
