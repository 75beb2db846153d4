//! The MFA code, asked of the person at the terminal when a role wants one.

use std::io::Write;

/// An MFA code, asked on the terminal itself (`/dev/tty`): a `credential_process` has its
/// stdout read and its stderr captured by the AWS tool that runs it, so a prompt there is
/// never seen. Without a terminal: the prompt on stderr and a line of stdin.
///
/// The read blocks a thread of its own, which nothing can interrupt; the library bounds how
/// long the code is waited for, and `main` leaves the runtime without waiting for that thread,
/// so the process exits once it has answered.
pub(crate) async fn ask_mfa_code()
-> Result<bedrock_auth::SecretString, bedrock_auth::error::BoxError> {
    tokio::task::spawn_blocking(|| {
        use std::io::BufRead;
        let mut line = String::new();
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty");
        match tty {
            Ok(mut tty) => {
                tty.write_all(b"MFA code: ")?;
                tty.flush()?;
                std::io::BufReader::new(tty).read_line(&mut line)?
            }
            Err(_) => {
                let mut stderr = std::io::stderr();
                let _ = stderr
                    .write_all(b"MFA code: ")
                    .and_then(|()| stderr.flush());
                std::io::stdin().lock().read_line(&mut line)?
            }
        };
        let code = bedrock_auth::SecretString::from(line.trim());
        zeroize::Zeroize::zeroize(&mut line);
        Ok::<_, bedrock_auth::error::BoxError>(code)
    })
    .await?
}
