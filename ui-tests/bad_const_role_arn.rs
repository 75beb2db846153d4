// A malformed role ARN literal in a `const`: the account id has 2 digits.
use bedrock_auth::RoleArn;

const ROLE: RoleArn = RoleArn::from_static("arn:aws:iam::42:role/Bedrock");

fn main() {
    let _ = ROLE;
}
