//! # api-action
//!
//! Custom, authenticated HTTP calls to SaaS APIs that the compiler checks.
//!
//! A workflow product's "Custom API Action" card takes a request type, a relative
//! URL, query, headers and a JSON body, and checks none of it. [`api_action!`]
//! takes the same inputs in Rust and rejects at compile time what the card lets
//! through: a body on a GET, a placeholder left unbound, an absolute URL that would
//! carry the connector's token to another host, a header the connector owns.
//!
//! ```no_run
//! use api_action::{api_action, Auth, Connector};
//!
//! #[derive(serde::Deserialize)]
//! #[serde(rename_all = "camelCase")]
//! struct ScimUser {
//!     id: String,
//!     user_name: String,
//! }
//!
//! # async fn run() -> Result<(), api_action::Error> {
//! let scim = Connector::builder("https://api.atlassian.com/scim/directory/d-1")
//!     .auth(Auth::bearer("directory-api-key"))
//!     .content_type("application/scim+json")
//!     .build()?;
//!
//! let id = "2819c223";
//! let out = api_action!(GET "/Users/<userId>" -> ScimUser, userId = id)
//!     .send(&scim)
//!     .await?;
//! println!("{} {}", out.status, out.body.user_name);
//! # Ok(()) }
//! ```
//!
//! The README documents the grammar and every compile-time rule.
//!
//! Typed SDK modules, each behind a feature of its name (all on by default):
//! [`scim`] (Atlassian user provisioning), [`jira`] (Jira Cloud) and [`umapi`]
//! (Adobe User Management).

// Lets the declarations in this crate's own service modules expand: the macro
// names the runtime as `::api_action`.
extern crate self as api_action;

pub use action_core::*;

#[cfg(feature = "jira")]
pub mod jira;
#[cfg(feature = "scim")]
pub mod scim;
#[cfg(feature = "umapi")]
pub mod umapi;

/// Builds a compile-checked call, or declares typed actions.
///
/// A call, `api_action!(METHOD "/relative/<url>" [-> T], ...)`, evaluates to an
/// [`ActionRequest<T>`](ActionRequest), sent with `.send(&connector).await` (2xx
/// decoded into `T`, other statuses an [`Error::Status`]) or
/// `.send_raw(&connector).await` (every status as data).
///
/// ```
/// use api_action::api_action;
///
/// let user_id = "a/b";
/// let request = api_action!(PATCH "/Users/<userId>?attributes=id",
///     userId = user_id,
///     query { excludedAttributes: "emails" },
///     headers { "X-Request-Id": 42 },
///     body { "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"] });
/// assert_eq!(request.relative_url(), "/Users/a%2Fb?attributes=id&excludedAttributes=emails");
/// ```
///
/// Declarations, `api_action! { pub Name = METHOD "/url" [query<Q>] [headers<H>]
/// [body<B>] [-> R]; ... }`, generate one struct per line implementing [`Action`],
/// sent with [`Connector::send`] or [`Connector::send_raw`]:
///
/// ```
/// use api_action::{api_action, Action};
///
/// #[derive(serde::Serialize)]
/// struct NewUser {
///     #[serde(rename = "userName")]
///     user_name: String,
/// }
///
/// api_action! {
///     /// Read one user.
///     pub GetUser = GET "/Users/<userId>";
///     /// Create a user.
///     pub CreateUser = POST "/Users" body<NewUser>;
/// }
///
/// let get = GetUser { user_id: 42 }.into_request();
/// assert_eq!(get.relative_url(), "/Users/42");
/// let create = CreateUser { body: NewUser { user_name: "ada".into() } }.into_request();
/// assert_eq!(create.body(), Some(&br#"{"userName":"ada"}"#[..]));
/// ```
pub use action_macros::api_action;

/// What the macro's expansion calls. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use action_core::header::{HeaderName, HeaderValue};
    pub use action_core::{Action, ActionRequest, JsonBody, Method};
    pub use core::fmt::Display;
    pub use serde_json;
    pub use std::string::String;

    /// Rule 8: names the response type in the error when it cannot be decoded.
    #[inline(always)]
    pub fn assert_response<T: serde::de::DeserializeOwned>() {}
}
