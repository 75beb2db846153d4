super::charset_value! {
    /// A role session name: 2 to 64 characters of `[\w+=,.@-]`. It appears in CloudTrail and in
    /// the assumed-role ARN, so name it after the service.
    ///
    /// ```
    /// use bedrock_auth::SessionName;
    ///
    /// let name: SessionName = "orders-service@prod".parse()?;
    /// assert_eq!(name.as_str(), "orders-service@prod");
    /// assert!("orders service".parse::<SessionName>().is_err());
    /// # Ok::<(), bedrock_auth::error::ValueError>(())
    /// ```
    SessionName, SessionName, SessionName, 2..=64
}
