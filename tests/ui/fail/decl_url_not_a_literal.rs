use api_action::api_action;

const URL: &str = "/Users";

api_action! {
    pub ListUsers = GET URL;
}

fn main() {}
