use api_action::api_action;

fn main() {
    let id = "u1";
    let _ = api_action!(GET "/Users/{userId}", userId = id);
}
