use api_action::api_action;

api_action! {
    pub GetUser = GET "/Users/<userId>" quer<u8>;
    pub ListUsers = GET "/Users";
}

fn main() {
    let _ = GetUser { user_id: "u1" };
    let _ = ListUsers;
}
