//! The declaration form: each line a struct implementing `Action`.
use api_action::{api_action, Action, Method};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    start_index: Option<u32>,
    count: Option<u32>,
}

#[derive(Serialize)]
pub struct RequestHeaders {
    #[serde(rename = "X-Request-Id")]
    request_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewUser {
    user_name: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct ScimUser {
    id: String,
}

api_action! {
    /// Read one user.
    pub GetUser = GET "/Users/<userId>" -> ScimUser;
    /// List users.
    pub ListUsers = GET "/Users?attributes=userName" query<ListQuery> headers<RequestHeaders>;
    pub(crate) CreateUser = POST "/Users" body<NewUser> -> ScimUser;
    ReplaceUser = PUT "/Users/<userId>" body<NewUser> -> ScimUser;
    pub PatchUser = PATCH "/Users/<userId>" body<serde_json::Value>;
    pub DeleteUser = DELETE "/Users/<userId>" -> ();
    pub GroupPage = GET "/users/<orgId>/<page>/<groupName>";
    pub Ping = GET "/ping"
}

fn main() {
    let get = GetUser { user_id: "a/b" }.into_request();
    assert_eq!(get.method(), Method::GET);
    assert_eq!(get.relative_url(), "/Users/a%2Fb");

    let list = ListUsers {
        query: ListQuery { start_index: Some(1), count: None },
        headers: RequestHeaders { request_id: "r-1".into() },
    }
    .into_request();
    assert_eq!(list.relative_url(), "/Users?attributes=userName&startIndex=1");
    assert_eq!(list.headers()["x-request-id"], "r-1");

    let create = CreateUser { body: NewUser { user_name: "ada".into() } }.into_request();
    assert_eq!(create.body(), Some(&br#"{"userName":"ada"}"#[..]));

    let replace = ReplaceUser { user_id: 7, body: NewUser { user_name: "x".into() } }.into_request();
    assert_eq!((replace.method(), replace.relative_url().as_str()), (&Method::PUT, "/Users/7"));

    let patch = PatchUser { user_id: String::from("u1"), body: serde_json::json!({}) }.into_request();
    assert_eq!(patch.method(), Method::PATCH);

    let delete: DeleteUser = DeleteUser { user_id: "u1".to_string() };
    assert_eq!(delete.into_request().template(), "/Users/<userId>");

    let page = GroupPage { org_id: "ORG@AdobeOrg", page: 0, group_name: "Admins & Co" };
    assert_eq!(page.into_request().relative_url(), "/users/ORG%40AdobeOrg/0/Admins%20%26%20Co");

    assert_eq!(Ping.into_request().relative_url(), "/ping");
}
