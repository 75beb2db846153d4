// A malformed region literal in a `const`.
use bedrock_auth::Region;

const HOME: Region = Region::from_static("US East 1");

fn main() {
    let _ = HOME;
}
