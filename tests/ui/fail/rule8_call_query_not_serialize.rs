use api_action::api_action;

struct Page(u32);

fn main() {
    let _ = api_action!(GET "/Users", query { startIndex: Page(1) });
}
