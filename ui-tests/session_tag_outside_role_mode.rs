// A session tag (a role option) in profile mode: only an assumed role's session has tags.
use bedrock_auth::AuthManager;

fn main() {
    let _ = AuthManager::builder().profile("dev").session_tag("tenant", "acme").build();
}
