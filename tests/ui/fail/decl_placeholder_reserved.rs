use api_action::api_action;

api_action! {
    pub GetSelf = GET "/Users/<self>";
}

fn main() {}
