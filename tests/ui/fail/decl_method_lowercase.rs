use api_action::api_action;

api_action! {
    pub ListUsers = get "/Users";
}

fn main() {
    let _ = ListUsers;
}
