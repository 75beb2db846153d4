//! [`SignIn`]: a sign-in session that a person has to renew, named with the command that
//! renews it.

use std::fmt;

/// How a profile signs in: the two sessions that only a person can renew.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignInKind {
    /// IAM Identity Center (SSO): `sso_session` or `sso_start_url` in the profile, renewed
    /// by `aws sso login`.
    Sso,
    /// A console sign-in session: `login_session` in the profile, written and renewed by
    /// `aws login`.
    Login,
}

impl SignInKind {
    /// The AWS CLI's words for it after `aws`: `["sso", "login"]` or `["login"]`.
    pub const fn cli_words(self) -> &'static [&'static str] {
        match self {
            Self::Sso => &["sso", "login"],
            Self::Login => &["login"],
        }
    }
}

/// A sign-in session of the profile chain that has expired, is missing from its cache, or was
/// refused: only a person can renew it, with [`command`](Self::command) (the AWS CLI's `aws
/// sso login --profile NAME` or `aws login --profile NAME`). Given by
/// [`AuthError::sign_in`](crate::AuthError::sign_in).
///
/// ```
/// use bedrock_auth::error::{SignIn, SignInKind};
///
/// let sign_in = SignIn::new(SignInKind::Sso, "dev");
/// assert_eq!(sign_in.command(), "aws sso login --profile dev");
/// assert_eq!(sign_in.args(), ["sso", "login", "--profile", "dev"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SignIn {
    kind: SignInKind,
    profile: String,
}

impl SignIn {
    /// The session of `kind` that `profile` signs in with.
    pub fn new(kind: SignInKind, profile: impl Into<String>) -> Self {
        Self {
            kind,
            profile: profile.into(),
        }
    }

    /// SSO or `aws login`.
    pub fn kind(&self) -> SignInKind {
        self.kind
    }

    /// The profile that holds the sign-in settings (in a role chain, the profile the chain
    /// starts from, which may not be the one selected).
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The arguments to give the `aws` program, the profile's name as one argument; a name
    /// that starts with `-` joined to its flag (`--profile=-dev`), which the AWS CLI's
    /// parser would otherwise take for a flag of its own.
    pub fn args(&self) -> Vec<String> {
        let mut args: Vec<String> = self
            .kind
            .cli_words()
            .iter()
            .map(|w| (*w).to_owned())
            .collect();
        if self.profile.starts_with('-') {
            args.push(format!("--profile={}", self.profile));
        } else {
            args.extend(["--profile".to_owned(), self.profile.clone()]);
        }
        args
    }

    /// The command a person runs, as a shell reads it: `aws sso login --profile dev` (a name
    /// a shell would split or expand is quoted; a character that cannot be shown is
    /// escaped).
    pub fn command(&self) -> String {
        let profile = if self.profile.starts_with('-') {
            shell_word(&format!("--profile={}", self.profile))
        } else {
            format!("--profile {}", shell_word(&self.profile))
        };
        format!("aws {} {profile}", self.kind.cli_words().join(" "))
    }
}

impl fmt::Display for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.command())
    }
}

/// `word` as one shell word: bare when it is made of characters no shell treats specially,
/// else in single quotes; unprintable characters escaped either way.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.+@/=,:%".contains(c));
    let word = crate::printable::printable(word);
    if plain {
        word.into_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_quotes_a_name_a_shell_would_split_or_expand() {
        let login = SignIn::new(SignInKind::Login, "my team");
        assert_eq!(login.command(), "aws login --profile 'my team'");
        assert_eq!(login.args(), ["login", "--profile", "my team"]);
        let odd = SignIn::new(SignInKind::Sso, "it's$HOME");
        assert_eq!(odd.command(), r"aws sso login --profile 'it'\''s$HOME'");
        assert_eq!(
            SignIn::new(SignInKind::Sso, "").command(),
            "aws sso login --profile ''"
        );
        let dashed = SignIn::new(SignInKind::Sso, "--debug");
        assert_eq!(dashed.command(), "aws sso login --profile=--debug");
        assert_eq!(dashed.args(), ["sso", "login", "--profile=--debug"]);
        let forged = SignIn::new(SignInKind::Sso, "dev\n\u{1b}[2J");
        assert!(!forged.command().contains('\n'), "{}", forged.command());
        assert!(!forged.command().contains('\u{1b}'), "{}", forged.command());
    }
}
