use api_action::api_action;

#[allow(dead_code)]
struct ScimUser {
    id: String,
}

fn main() {
    let _ = api_action!(GET "/Users/<userId>" -> ScimUser, userId = 1);
}
