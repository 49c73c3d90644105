use api_action::api_action;

fn main() {
    let _ = api_action!(GET "/Users/%2e%2e/%2E%2E/admin");
}
