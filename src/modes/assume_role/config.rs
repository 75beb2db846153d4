//! How a configuration's assume-role keys drive the builder: the role, its session (tags,
//! scope-down policies, source identity), MFA and the source credentials.
//!
//! The builder takes the source once, and a web identity only with what
//! `AssumeRoleWithWebIdentity` takes; in a program that is checked when it compiles. A
//! configuration is read at run time: its source is read first, and with a web identity each
//! key the call does not take is a problem naming it, in the same words
//! ([`SIGNING_ONLY`], [`not_with_web_identity`]).

use std::collections::BTreeMap;
use std::path::Path;

use secrecy::SecretString;

use crate::builder::AuthBuilder;
use crate::config::canonical_key;
use crate::config::checker::{Checker, SharedSource, placeholder, read_small_file};
use crate::config::raw::Raw;
use crate::error::{ConfigError, Rule, ValueError, ValueKind};
use crate::manager::AuthManager;
use crate::modes::{
    AssumeRole, SIGNING_ONLY, TakesRoleOptions, WantsSigningSource, WantsSource,
    not_with_web_identity,
};

/// A role's `source` as a configuration gives it.
enum SourceKey {
    /// None, `"auto"`, or one that is not valid (its problem recorded): the standard chain.
    Auto,
    Environment,
    Profile(String),
    WebIdentity(String),
    Static {
        id: String,
        secret: SecretString,
        token: Option<SecretString>,
    },
}

impl Checker<'_> {
    /// What every role takes: its session name, duration and scope-down policies.
    fn role_options<M: TakesRoleOptions>(&mut self, mut builder: AuthBuilder<M>) -> AuthBuilder<M> {
        if let Some(name) = self.string("session_name", false) {
            builder = builder.session_name(name);
        }
        if let Some(secs) = self.integer("duration_secs") {
            builder = builder.duration(u64::try_from(secs).unwrap_or(0));
        }
        if let Some(policy) = self.text_or_file("session_policy", ValueKind::SessionPolicy) {
            builder = builder.session_policy(policy);
        }
        if let Some(arns) = self.list("policy_arns") {
            builder = builder.policy_arns(arns);
        }
        builder
    }

    /// What only a signed `AssumeRole` takes ([`SIGNING_ONLY`]): the external id, the session's
    /// tags and source identity, MFA.
    fn signing_options(
        &mut self,
        builder: AuthBuilder<AssumeRole<WantsSource>>,
    ) -> AuthBuilder<AssumeRole<WantsSigningSource>> {
        let mut builder = builder.signing();
        if let Some(id) = self.string("external_id", false) {
            builder = builder.external_id(id);
        }
        if let Some(tags) = self.tags("session_tags") {
            builder = builder.session_tags(tags);
        }
        if let Some(keys) = self.list("transitive_tag_keys") {
            builder = builder.transitive_tag_keys(keys);
        }
        if let Some(identity) = self.string("source_identity", false) {
            builder = builder.source_identity(identity);
        }
        if let Some(serial) = self.string("mfa_serial", false) {
            match self.config.mfa.clone() {
                Some(source) => {
                    builder = builder.mfa(serial, SharedSource(source));
                }
                None => {
                    let error = ValueError::new(ValueKind::Key, "mfa_serial", Rule::NoTokenSource);
                    self.problem("mfa_serial", error);
                }
            }
        }
        builder
    }

    /// With a web identity source: each key of [`SIGNING_ONLY`] given is a problem naming it.
    fn refuse_signing_options(&mut self) {
        let given: Vec<&str> = SIGNING_ONLY
            .iter()
            .filter_map(|key| self.values.get(key).map(|(written, _)| *written))
            .collect();
        for written in given {
            self.problem(written, not_with_web_identity());
        }
    }

    /// A list of strings: an array, or (from a variable) a string of comma-separated items.
    pub(crate) fn list(&mut self, key: &'static str) -> Option<Vec<String>> {
        let (written, value) = self.values.get(key).copied()?;
        let items = match value {
            Raw::Str(s) => Some(s.split(',').map(|item| item.trim().to_owned()).collect()),
            Raw::List(items) => items
                .iter()
                .map(|item| match item {
                    Raw::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            _ => None,
        };
        if items.is_none() {
            self.wrong_type(written, value, "an array of strings");
        }
        items
    }

    /// Session tags: a table of strings (`{ tenant = "acme" }`), or (from a variable)
    /// `KEY=VALUE` items separated by commas.
    pub(crate) fn tags(&mut self, key: &'static str) -> Option<Vec<(String, String)>> {
        let (written, value) = self.values.get(key).copied()?;
        let tags = match value {
            Raw::Table(table) => table
                .iter()
                .map(|(k, v)| match v {
                    Raw::Str(v) => Some((k.clone(), v.clone())),
                    _ => None,
                })
                .collect(),
            Raw::Str(s) => s
                .split(',')
                .map(|item| {
                    item.split_once('=')
                        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                })
                .collect(),
            _ => None,
        };
        if tags.is_none() {
            self.wrong_type(
                written,
                value,
                "a table of strings (or KEY=VALUE,KEY=VALUE)",
            );
        }
        tags
    }

    /// Text given in place, or `{ file = ".." }` read from a file of at most 64 KiB: a
    /// value of `kind`, which names the file in its problems (a policy's file is not a secret
    /// source).
    pub(crate) fn text_or_file(&mut self, key: &'static str, kind: ValueKind) -> Option<String> {
        let (written, value) = self.values.get(key).copied()?;
        match value {
            Raw::Table(table) if table.len() == 1 => match table.get("file") {
                Some(Raw::Str(path)) => match read_small_file(&self.config.os, Path::new(path))
                    .and_then(|read| {
                        String::from_utf8(read.bytes.to_vec()).map_err(|_| Rule::FileNotText)
                    }) {
                    Ok(text) => Some(text),
                    Err(rule) => {
                        let error = ValueError::new(kind, path, rule);
                        self.problem(&format!("{written}.file"), error);
                        None
                    }
                },
                _ => {
                    self.wrong_type(written, value, "a string or { file = \"..\" }");
                    None
                }
            },
            _ => self.string(key, false),
        }
    }

    pub(crate) fn assume_role(
        &mut self,
        builder: AuthBuilder<crate::modes::WantsMode>,
    ) -> Result<AuthManager, ConfigError> {
        let role_arn = self.string("role_arn", true).unwrap_or_default();
        let builder = builder.assume_role(role_arn);
        let builder = self.role_options(builder);
        let source = self.source();
        if let SourceKey::WebIdentity(path) = source {
            self.refuse_signing_options();
            return builder.source_web_identity(path).build();
        }
        let builder = self.signing_options(builder);
        match source {
            SourceKey::Auto | SourceKey::WebIdentity(_) => builder.build(),
            SourceKey::Environment => builder.source_environment().build(),
            SourceKey::Profile(name) => builder.source_profile(name).build(),
            SourceKey::Static { id, secret, token } => {
                let builder = builder.source_static(id, secret);
                match token {
                    Some(token) => builder.source_session_token(token).build(),
                    None => builder.build(),
                }
            }
        }
    }

    /// The role's `source`, read.
    fn source(&mut self) -> SourceKey {
        match self.values.get("source").copied() {
            None => SourceKey::Auto,
            Some((_, Raw::Str(s))) if s.eq_ignore_ascii_case("auto") => SourceKey::Auto,
            Some((_, Raw::Str(s))) if s.eq_ignore_ascii_case("environment") => {
                SourceKey::Environment
            }
            Some((written, Raw::Table(table))) => self.source_table(written, table),
            Some((written, other)) => {
                self.wrong_type(
                    written,
                    other,
                    "\"environment\", \"auto\", { profile = \"..\" } or a key pair table",
                );
                SourceKey::Auto
            }
        }
    }

    /// A `source` table: `{ profile }`, `{ web_identity_token_file }` or a key pair.
    fn source_table(&mut self, written: &str, table: &BTreeMap<String, Raw>) -> SourceKey {
        let keys: Vec<&str> = table.keys().map(|k| canonical_key(k)).collect();
        match keys.as_slice() {
            ["profile"] => match table.values().next() {
                Some(Raw::Str(name)) => SourceKey::Profile(name.clone()),
                _ => {
                    self.wrong_type(
                        &format!("{written}.profile"),
                        &Raw::Other("a non-string"),
                        "a string",
                    );
                    SourceKey::Auto
                }
            },
            ["web_identity_token_file"] => match table.values().next() {
                Some(Raw::Str(path)) => SourceKey::WebIdentity(path.clone()),
                _ => {
                    let key = format!("{written}.web_identity_token_file");
                    self.wrong_type(&key, &Raw::Other("a non-string"), "a path");
                    SourceKey::Auto
                }
            },
            ["access_key_id", "secret_access_key"]
            | ["access_key_id", "secret_access_key", "session_token"] => {
                let value = |name: &str| {
                    table
                        .iter()
                        .find(|(k, _)| canonical_key(k) == name)
                        .map(|(_, v)| v)
                };
                let id = match value("access_key_id") {
                    Some(Raw::Str(id)) => id.clone(),
                    _ => String::new(),
                };
                let key = format!("{written}.secret_access_key");
                let secret = value("secret_access_key")
                    .and_then(|v| self.secret_value(&key, v, true))
                    .unwrap_or_else(placeholder);
                let token = value("session_token").map(|token| {
                    let key = format!("{written}.session_token");
                    self.secret_value(&key, token, true)
                        .unwrap_or_else(placeholder)
                });
                SourceKey::Static { id, secret, token }
            }
            _ => {
                self.wrong_type(
                    written,
                    &Raw::Table(BTreeMap::new()),
                    "\"environment\", \"auto\", { profile = \"..\" }, { web_identity_token_file = \"..\" } or { access_key_id, secret_access_key[, session_token] }",
                );
                SourceKey::Auto
            }
        }
    }
}
