super::charset_value! {
    /// A profile name from the shared config and credentials files: 1 to 256 characters of
    /// `[A-Za-z0-9_-/.%@:+]`, the characters aws-config's profile parser accepts (it silently
    /// skips profiles whose names have others).
    ///
    /// ```
    /// use bedrock_auth::ProfileName;
    ///
    /// let name: ProfileName = "bedrock-dev".parse()?;
    /// assert_eq!(name.to_string(), "bedrock-dev");
    /// assert!("".parse::<ProfileName>().is_err());
    /// assert!("my profile".parse::<ProfileName>().is_err());
    /// # Ok::<(), bedrock_auth::error::ValueError>(())
    /// ```
    ProfileName, ProfileName, ProfileName, 1..=256
}
