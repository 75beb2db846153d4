//! Environment diagnosis: which `AWS_*` variables are set (values masked), which shared files
//! exist and what profiles they define, and where the process seems to run. No network.
//! `cargo run --example diagnose` (add `-- --json` for JSON).

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let diagnosis = bedrock_auth::diagnose::diagnose().await;
    if std::env::args().any(|arg| arg == "--json") {
        println!("{}", diagnosis.to_json());
    } else {
        print!("{diagnosis}");
    }
}
