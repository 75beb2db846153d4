super::charset_value! {
    /// An MFA device: the serial number of a hardware device or the ARN of a virtual one,
    /// 9 to 256 characters of `[\w+=/:,.@-]`.
    ///
    /// ```
    /// use bedrock_auth::MfaSerial;
    ///
    /// let arn: MfaSerial = "arn:aws:iam::123456789012:mfa/alice".parse()?;
    /// let hardware: MfaSerial = "GAHT12345678".parse()?;
    /// assert_ne!(arn, hardware);
    /// # Ok::<(), bedrock_auth::error::ValueError>(())
    /// ```
    MfaSerial, MfaSerial, MfaSerial, 9..=256
}
