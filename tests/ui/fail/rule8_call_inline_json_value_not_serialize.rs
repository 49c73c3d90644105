use api_action::api_action;

struct Email;

fn main() {
    let _ = api_action!(POST "/Users", body { "userName": "ada", "emails": [Email] });
}
