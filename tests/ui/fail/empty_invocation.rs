use api_action::api_action;

fn main() {
    let _ = api_action!();
}
