//! `-> T` picks the type a 2xx body decodes into; without it, `serde_json::Value`.
use api_action::{api_action, ActionRequest};

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct ScimUser {
    id: String,
}

fn main() {
    let typed: ActionRequest<ScimUser> = api_action!(GET "/Users/<id>" -> ScimUser, id = "u1");
    let nested: ActionRequest<Vec<Option<ScimUser>>> = api_action!(GET "/Users" -> Vec<Option<ScimUser>>);
    let unit: ActionRequest<()> = api_action!(DELETE "/Users/<id>" -> (), id = "u1");
    let value: ActionRequest<serde_json::Value> = api_action!(GET "/Users");
    let _ = (typed, nested, unit, value);
}
