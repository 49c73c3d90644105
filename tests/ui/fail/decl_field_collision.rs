use api_action::api_action;

api_action! {
    pub GetMember = GET "/groups/<userId>/members/<user_id>";
}

fn main() {}
