//! Config-as-code: the service's authentication settings from a checked-in file, checked at
//! start-up with every problem reported at once. Offline: `cargo run --example config_file`.

use std::process::ExitCode;

use bedrock_auth::{AuthConfig, AuthManager};

fn main() -> ExitCode {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/config");

    // A valid file: the same manager the builder would make. No network I/O.
    let config = match AuthConfig::from_file(format!("{dir}/orders-service.toml")) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    match AuthManager::from_config(&config) {
        Ok(manager) => println!("orders-service.toml:\n{}\n", manager.info()),
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    }

    // A broken file: every problem, each with its key and the rule broken.
    let broken = AuthConfig::from_file(format!("{dir}/broken.toml"))
        .and_then(|config| AuthManager::from_config(&config));
    match broken {
        Ok(_) => {
            eprintln!("broken.toml was accepted");
            ExitCode::FAILURE
        }
        Err(err) => {
            println!("broken.toml: {err}");
            ExitCode::SUCCESS
        }
    }
}
