use api_action::api_action;

api_action! {
    pub ListUsers = GET "/Users"
    pub ListGroups = GET "/Groups";
}

fn main() {}
