use api_action::api_action;

fn main() {
    let _ = api_action!(GET "/Users", headers { "X-Note": "a\r\nX-Injected: 1" });
}
