use api_action::api_action;

#[derive(serde::Serialize)]
pub struct NewUser {
    user_name: String,
}

api_action! {
    pub GetUser = GET "/Users/<userId>" body<NewUser>;
}

fn main() {}
