// An external id literal in a `const` below the 2-character minimum of AWS.
use bedrock_auth::ExternalId;

const PARTNER: ExternalId = ExternalId::from_static("x");

fn main() {
    let _ = PARTNER;
}
