// Users cannot invent builder states: the capability traits are sealed.
use bedrock_auth::{modes::ModeChosen, modes::ModeState};

struct MyMode;

impl ModeState for MyMode {}
impl ModeChosen for MyMode {}

fn main() {}
