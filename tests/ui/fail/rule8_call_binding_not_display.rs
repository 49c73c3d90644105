use api_action::api_action;

struct UserId(u32);

fn main() {
    let id = UserId(7);
    let _ = api_action!(GET "/Users/<userId>", userId = id);
}
