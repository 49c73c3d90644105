use api_action::api_action;

fn main() {
    let id = "u1";
    let _ = api_action!(DELETE "/Users/<userId>", userId = id, body = "x");
}
