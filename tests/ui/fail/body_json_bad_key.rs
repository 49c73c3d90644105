use api_action::api_action;

fn main() {
    let name = "ada";
    let _ = api_action!(POST "/Users", body { userName: name });
}
