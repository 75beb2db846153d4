super::charset_value! {
    /// A source identity: who is behind a role session, 2 to 64 characters of `[\w+=,.@-]`.
    /// STS keeps it in CloudTrail for the session and every session chained from it, and the
    /// session cannot change it.
    ///
    /// ```
    /// use bedrock_auth::values::SourceIdentity;
    ///
    /// let who: SourceIdentity = "alice@example.com".parse()?;
    /// assert_eq!(who.as_str(), "alice@example.com");
    /// assert!("aws:alice".parse::<SourceIdentity>().is_err());
    /// # Ok::<(), bedrock_auth::error::ValueError>(())
    /// ```
    SourceIdentity, SourceIdentity, SessionName, 2..=64
}
