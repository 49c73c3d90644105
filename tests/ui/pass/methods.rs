//! All five request types; a body only where the method takes one.
use api_action::{api_action, Method};

fn main() {
    let id = "u1";
    let get = api_action!(GET "/Users/<userId>", userId = id);
    let post = api_action!(POST "/Users", body { "userName": "ada" });
    let put = api_action!(PUT "/Users/<userId>", userId = id, body { "userName": "ada" });
    let patch = api_action!(PATCH "/Users/<userId>", userId = id, body { "Operations": [] });
    let delete = api_action!(DELETE "/Users/<userId>", userId = id);
    assert_eq!(get.method(), Method::GET);
    assert_eq!(post.method(), Method::POST);
    assert_eq!(put.method(), Method::PUT);
    assert_eq!(patch.method(), Method::PATCH);
    assert_eq!(delete.method(), Method::DELETE);
    assert_eq!(delete.relative_url(), "/Users/u1");
    assert!(get.body().is_none() && delete.body().is_none());
    assert_eq!(post.body(), Some(&br#"{"userName":"ada"}"#[..]));
    // A body-less POST is fine: the rule is only that GET and DELETE take none.
    let _ = api_action!(POST "/Users/<userId>/reset", userId = id);
}
