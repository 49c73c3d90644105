use api_action::api_action;

#[derive(serde::Serialize)]
pub struct NewUser {
    user_name: String,
}

api_action! {
    pub CreateUser = POST "/Users" bdy<NewUser>;
}

fn main() {}
