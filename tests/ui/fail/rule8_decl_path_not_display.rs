use api_action::{api_action, Action};

pub struct UserId(u32);

api_action! {
    pub GetUser = GET "/Users/<userId>";
}

fn main() {
    let _ = GetUser { user_id: UserId(7) }.into_request();
}
