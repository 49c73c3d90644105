use api_action::api_action;

api_action! {
    pub ListUsers = GET "/Users?count=100&&startIndex=";
    pub GetUser = GET "/Users/<userId>/#fragment";
}

fn main() {
    let _ = ListUsers;
}
