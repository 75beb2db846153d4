// A role session duration literal out of range (a day) in a `const`.
use bedrock_auth::SessionDuration;

const DAY: SessionDuration = SessionDuration::from_static_secs(86_400);

fn main() {
    let _ = DAY;
}
