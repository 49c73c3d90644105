//! The expansion names only `::api_action` paths and `core`/`std` items, so user
//! items named `Result`, `Option`, `Response`, `Client`, `serde`, `json`, `String`
//! or `Display` in scope do not interfere, and it works without the prelude.

#![allow(dead_code, non_camel_case_types)]

mod shadowing {
    use api_action::api_action;

    pub struct Result;
    pub struct Option;
    pub struct Response;
    pub struct Client;
    pub struct String;
    pub struct Display;
    pub struct UserId;
    pub mod serde {}
    pub mod json {}
    pub mod core {}
    pub mod std {}

    api_action! {
        pub GetUser = GET "/Users/<userId>" query<crate::Page>;
    }

    pub fn call() -> api_action::ActionRequest<::serde_json::Value> {
        let request = 1;
        api_action!(POST "/Users/<userId>", userId = request, body { "a": request },
            headers { "X-A": request }, query { b: request })
    }
}

mod no_prelude {
    #![no_implicit_prelude]

    ::api_action::api_action! {
        pub GetUser = GET "/Users/<userId>" query<crate::Page> -> ::std::vec::Vec<u8>;
        pub CreateUser = POST "/Users" body<crate::Page>;
    }

    pub fn call(id: u32) -> ::api_action::ActionRequest<::serde_json::Value> {
        ::api_action::api_action!(PUT "/Users/<userId>", userId = id, body { "n": id, "a": [1, null] })
    }
}

#[derive(::serde::Serialize)]
pub struct Page {
    count: u32,
}

fn main() {
    use api_action::Action;
    let call = shadowing::call();
    assert_eq!(call.relative_url(), "/Users/1?b=1");
    let typed = shadowing::GetUser { user_id: "u", query: Page { count: 2 } }.into_request();
    assert_eq!(typed.relative_url(), "/Users/u?count=2");
    assert_eq!(no_prelude::call(5).relative_url(), "/Users/5");
    let typed = no_prelude::GetUser { user_id: 9, query: Page { count: 1 } }.into_request();
    assert_eq!(typed.relative_url(), "/Users/9?count=1");
    let _ = no_prelude::CreateUser { body: Page { count: 1 } }.into_request();
}
