//! `body = expr` (any `Serialize`) and inline `body { json }`.
use api_action::api_action;

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct NewUser<'a> {
    user_name: &'a str,
    active: bool,
}

fn main() {
    let user = NewUser { user_name: "ada", active: true };
    let request = api_action!(POST "/Users", body = &user);
    assert_eq!(request.body(), Some(&br#"{"userName":"ada","active":true}"#[..]));

    let name = "grace";
    let request = api_action!(PUT "/Users/<id>", id = 7, body {
        "userName": name,
        "emails": [{ "value": format!("{name}@example.com"), "primary": true }],
    });
    let body: serde_json::Value = serde_json::from_slice(request.body().unwrap()).unwrap();
    assert_eq!(body["emails"][0]["value"], "grace@example.com");
}
