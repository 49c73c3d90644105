//! `name = expr` and the bare `name` shorthand, with any `Display` value.
use api_action::api_action;

fn main() {
    let orgId = "ORG@AdobeOrg";
    let page = 2u32;
    let request = api_action!(GET "/users/<orgId>/<page>/<groupName>",
        orgId, page, groupName = String::from("Admins & Co"));
    assert_eq!(request.relative_url(), "/users/ORG%40AdobeOrg/2/Admins%20%26%20Co");
    assert_eq!(request.template(), "/users/<orgId>/<page>/<groupName>");
    // A trailing comma is accepted.
    let _ = api_action!(GET "/Users/<userId>", userId = 1,);
}
