//! [`FallbackChain`]: try several configurations in order and keep the first that validates,
//! with why each earlier one did not.

use std::fmt;

use crate::error::AuthError;
use crate::error::ConfigError;
use crate::manager::{AuthManager, CallerIdentity};

/// Configurations to try in order, e.g. a profile, then the environment, then the default
/// chain. [`resolve`](Self::resolve) validates each (STS `GetCallerIdentity`) until one works.
///
/// ```no_run
/// use bedrock_auth::{AuthManager, fallback::FallbackChain};
///
/// # async fn run() -> Result<(), bedrock_auth::fallback::FallbackError> {
/// let chosen = FallbackChain::new()
///     .then("profile bedrock", AuthManager::builder().profile("bedrock").build())
///     .then("environment", AuthManager::builder().environment().build())
///     .then("auto", AuthManager::builder().auto().build())
///     .resolve()
///     .await?;
/// println!("{}", chosen.report());
/// # Ok(())
/// # }
/// ```
#[must_use = "a chain does nothing until `resolve()` is awaited"]
#[derive(Debug, Default)]
pub struct FallbackChain {
    candidates: Vec<(String, Candidate)>,
}

/// One configuration of a [`FallbackChain`]: a built manager, or the result of `build()` /
/// `from_config()` (an invalid configuration is reported as that candidate's failure).
#[derive(Debug)]
pub struct Candidate(Result<AuthManager, AuthError>);

impl From<AuthManager> for Candidate {
    fn from(manager: AuthManager) -> Self {
        Self(Ok(manager))
    }
}

impl From<Result<AuthManager, ConfigError>> for Candidate {
    fn from(built: Result<AuthManager, ConfigError>) -> Self {
        Self(built.map_err(AuthError::from))
    }
}

impl FallbackChain {
    /// An empty chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a configuration, named `label` in reports.
    pub fn then(mut self, label: impl Into<String>, candidate: impl Into<Candidate>) -> Self {
        self.candidates.push((label.into(), candidate.into()));
        self
    }

    /// Validates the configurations in order and returns the first that works, with the
    /// failures before it; or every failure when none works.
    pub async fn resolve(self) -> Result<Resolved, FallbackError> {
        let mut skipped = Vec::new();
        for (label, Candidate(candidate)) in self.candidates {
            let outcome = match candidate {
                Ok(manager) => manager.validate().await.map(|identity| (manager, identity)),
                Err(err) => Err(err),
            };
            match outcome {
                Ok((manager, identity)) => {
                    tracing::info!(chosen = %label, skipped = skipped.len(), "fallback chain resolved");
                    return Ok(Resolved {
                        label,
                        manager,
                        identity,
                        skipped,
                    });
                }
                Err(error) => {
                    tracing::debug!(candidate = %label, kind = %error.kind(), "fallback candidate failed");
                    skipped.push(Attempt { label, error });
                }
            }
        }
        Err(FallbackError { attempts: skipped })
    }
}

/// A configuration that failed in a [`FallbackChain`], and why.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Attempt {
    /// The label it was added with.
    pub label: String,
    /// Why it failed.
    pub error: AuthError,
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: [{}] {}",
            self.label,
            self.error.kind(),
            self.error.message()
        )
    }
}

/// The configuration a [`FallbackChain`] chose.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Resolved {
    /// Its label.
    pub label: String,
    /// The manager, validated.
    pub manager: AuthManager,
    /// Who its credentials belong to.
    pub identity: CallerIdentity,
    /// The configurations tried before it, and why they failed.
    pub skipped: Vec<Attempt>,
}

impl Resolved {
    /// A short report: which configuration was chosen, as whom, and why the earlier ones were
    /// skipped.
    pub fn report(&self) -> String {
        let mut report = format!("using {} as {}", self.label, self.identity.arn);
        for attempt in &self.skipped {
            report.push_str(&format!("\n  skipped {attempt}"));
        }
        report
    }
}

/// No configuration of a [`FallbackChain`] worked; each failure, in order.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FallbackError {
    /// Every configuration tried, and why it failed.
    pub attempts: Vec<Attempt>,
}

impl fmt::Display for FallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.attempts.as_slice() {
            [] => f.write_str("the fallback chain is empty"),
            attempts => {
                write!(f, "no configuration worked ({} tried):", attempts.len())?;
                for attempt in attempts {
                    write!(f, "\n  - {attempt}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for FallbackError {}
