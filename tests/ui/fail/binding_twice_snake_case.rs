use api_action::api_action;

fn main() {
    let a = 1;
    let _ = api_action!(GET "/Users/<userId>", userId = a, user_id = a);
}
