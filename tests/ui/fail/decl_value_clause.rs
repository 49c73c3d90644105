use api_action::api_action;

api_action! {
    pub ListUsers = GET "/Users" query { count: 1 };
}

fn main() {}
