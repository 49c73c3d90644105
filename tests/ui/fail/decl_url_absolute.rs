use api_action::api_action;

api_action! {
    pub GetUser = GET "https://evil.example/Users/<userId>";
}

fn main() {}
