//! `headers { "Name": expr }` with any `Display` value.
use api_action::api_action;

fn main() {
    let request_id = uuid_like();
    let request = api_action!(GET "/Users",
        headers { "X-Request-Id": request_id, "Accept": "application/scim+json", "X-Retry": 2 });
    let headers = request.headers();
    assert_eq!(headers["x-request-id"], "6f1c0a3e-1d2b-4c5d-8e9f-0a1b2c3d4e5f");
    assert_eq!(headers["accept"], "application/scim+json");
    assert_eq!(headers["x-retry"], "2");
}

fn uuid_like() -> String {
    "6f1c0a3e-1d2b-4c5d-8e9f-0a1b2c3d4e5f".to_string()
}
