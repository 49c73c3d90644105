use api_action::api_action;

fn main() {
    let _ = api_action!(POST "/Users", body { "userName": "ada", "emails": [{ "value": "a@x", "value": "b@x" }], "userName": "bob" });
}
