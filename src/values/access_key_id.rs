super::charset_value! {
    /// An access key id: 16 to 128 characters of `[\w]`, such as `AKIAIOSFODNN7EXAMPLE`.
    /// Not a secret (it names the key); its secret access key is a
    /// [`SecretString`](crate::SecretString).
    ///
    /// ```
    /// use bedrock_auth::AccessKeyId;
    ///
    /// let id: AccessKeyId = "AKIAIOSFODNN7EXAMPLE".parse()?;
    /// assert_eq!(id.as_str(), "AKIAIOSFODNN7EXAMPLE");
    /// assert!("AKIA-short".parse::<AccessKeyId>().is_err());
    /// # Ok::<(), bedrock_auth::ValueError>(())
    /// ```
    AccessKeyId, AccessKeyId, Word, 16..=128
}
