use api_action::api_action;

struct NewUser {
    #[allow(dead_code)]
    user_name: String,
}

fn main() {
    let user = NewUser { user_name: "ada".into() };
    let _ = api_action!(POST "/Users", body = user);
}
