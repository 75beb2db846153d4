// A role option (`duration`) in environment mode.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder().environment().duration(7200).build();
}
