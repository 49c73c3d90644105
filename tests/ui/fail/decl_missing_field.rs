use api_action::api_action;

api_action! {
    pub GetUser = GET "/Users/<userId>";
}

fn main() {
    let _ = GetUser {};
}
