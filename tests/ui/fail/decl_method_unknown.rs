use api_action::api_action;

api_action! {
    pub GetUser = FETCH "/Users/<userId>";
}

fn main() {
    let _ = GetUser { user_id: 1 };
}
