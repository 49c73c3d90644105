//! `name = expr` and the bare `name` shorthand, with any `Display` value. A
//! placeholder binds by its name or its snake_case (`<orgId>` by `org_id`).
use api_action::api_action;

fn main() {
    let org_id = "ORG@AdobeOrg";
    let page = 2u32;
    let request = api_action!(GET "/users/<orgId>/<page>/<groupName>",
        org_id, page, groupName = String::from("Admins & Co"));
    assert_eq!(request.relative_url(), "/users/ORG%40AdobeOrg/2/Admins%20%26%20Co");
    assert_eq!(request.template(), "/users/<orgId>/<page>/<groupName>");
    // A trailing comma is accepted; a keyword placeholder binds as a raw identifier.
    let _ = api_action!(GET "/Users/<userId>", user_id = 1,);
    let kind = "admin";
    let typed = api_action!(GET "/roles/<type>", r#type = kind);
    assert_eq!(typed.relative_url(), "/roles/admin");
}
