// Users cannot invent a role's source states either: `SourceState` is sealed.
use bedrock_auth::modes::SourceState;

struct MySource;

impl SourceState for MySource {}

fn main() {}
