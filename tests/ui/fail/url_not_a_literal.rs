use api_action::api_action;

fn main() {
    const URL: &str = "/Users";
    let _ = api_action!(GET URL);
}
