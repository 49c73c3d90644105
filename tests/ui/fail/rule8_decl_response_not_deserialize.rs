use api_action::api_action;

#[allow(dead_code)]
pub struct ScimUser {
    id: String,
}

api_action! {
    pub GetUser = GET "/Users/<userId>" -> ScimUser;
}

fn main() {}
