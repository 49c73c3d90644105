use api_action::api_action;

#[allow(dead_code)]
pub struct NewUser {
    user_name: String,
}

api_action! {
    pub CreateUser = POST "/Users" body<NewUser>;
}

fn main() {}
