use api_action::api_action;

fn main() {
    let id = 1;
    let _ = api_action!(GET "/roles/<type>", type = id);
}
