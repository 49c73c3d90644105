//! Declarations at their edges: attributes, generics, names that need care.
#![deny(warnings)]

use api_action::{api_action, Action};

#[derive(serde::Serialize)]
pub struct NewUser<'a> {
    #[serde(rename = "userName")]
    user_name: &'a str,
}

#[allow(non_upper_case_globals)]
const request: u8 = 0;
#[allow(non_camel_case_types, dead_code)]
struct body;

api_action! {
    /// A body borrowed for the call: no clone.
    pub CreateUser<'a> = POST "/Users" body<NewUser<'a>>;
    /// Keyword and `Self`-like placeholders.
    pub Odd = GET "/a/<self_>/<gen>/<type>";
    #[cfg(any())]
    pub Gone = GET "/gone";
    #[deprecated(note = "use GetUserV2")]
    pub Old = GET "/old/<id>";
    #[derive(Debug, Clone)]
    pub Derived = GET "/derived/<id>";;
}

#[allow(deprecated)]
fn old() -> Old<u8> {
    Old { id: 1 }
}

fn main() {
    let name = String::from("ada");
    let create = CreateUser { body: NewUser { user_name: &name } }.into_request();
    assert_eq!(create.body(), Some(&br#"{"userName":"ada"}"#[..]));
    let odd = Odd { self_: 1, r#gen: 2, r#type: 3 }.into_request();
    assert_eq!(odd.relative_url(), "/a/1/2/3");
    assert_eq!(old().into_request().relative_url(), "/old/1");
    let derived = Derived { id: "x" };
    assert_eq!(format!("{:?}", derived.clone()), r#"Derived { id: "x" }"#);
    // The expansion's locals do not clash with a constant or unit struct in scope.
    let _ = request;
    let _ = api_action!(POST "/x", body { "a": 1 });
}
