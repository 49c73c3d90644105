use api_action::api_action;

struct RequestId(u32);

fn main() {
    let _ = api_action!(GET "/Users", headers { "X-Request-Id": RequestId(1) });
}
