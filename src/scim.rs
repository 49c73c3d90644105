//! Atlassian user provisioning (SCIM 2.0): users and groups, declared with
//! `api_action!`. Feature `scim`.
//!
//! ```no_run
//! use api_action::{presets, scim};
//! use futures_util::StreamExt;
//!
//! # async fn run() -> Result<(), api_action::Error> {
//! let directory = presets::atlassian_scim("directory-id", "directory-api-key").build()?;
//! let ada = directory.send(scim::CreateUser { body: scim::User::new("ada@example.com") }).await?;
//! let id = ada.body.id.unwrap_or_default();
//! directory.send(scim::PatchUser { user_id: &id, body: scim::PatchOp::deactivate() }).await?;
//! let mut users = scim::users(&directory);
//! while let Some(user) = users.next().await {
//!     println!("{}", user?.user_name);
//! }
//! # Ok(()) }
//! ```

use crate::paging::{paginate, Items, Step};
use crate::{api_action, Connector, Error};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The SCIM core user schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The SCIM core group schema.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The schema of a PATCH body.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// Atlassian answers at most 100 resources a page.
pub const MAX_PAGE: u32 = 100;

api_action! {
    /// List users, one page (`startIndex` is 1-based; `count` at most 100).
    pub ListUsers = GET "/Users" query<ListQuery> -> ListResponse<User>;
    /// Read one user.
    pub GetUser = GET "/Users/<userId>" -> User;
    /// Create a user; a `userName` already in the directory is `409 uniqueness`.
    pub CreateUser = POST "/Users" body<User> -> User;
    /// Replace every attribute of a user.
    pub ReplaceUser = PUT "/Users/<userId>" body<User> -> User;
    /// Change attributes of a user with a [`PatchOp`].
    pub PatchUser = PATCH "/Users/<userId>" body<PatchOp> -> User;
    /// Delete a user; later calls on it answer `404`.
    pub DeleteUser = DELETE "/Users/<userId>" -> ();

    /// List groups, one page.
    pub ListGroups = GET "/Groups" query<ListQuery> -> ListResponse<Group>;
    /// Read one group.
    pub GetGroup = GET "/Groups/<groupId>" -> Group;
    /// Create a group; a `displayName` already used is `409 uniqueness`.
    pub CreateGroup = POST "/Groups" body<Group> -> Group;
    /// Replace a group (name and members).
    pub ReplaceGroup = PUT "/Groups/<groupId>" body<Group> -> Group;
    /// Change a group with a [`PatchOp`] (rename, add or remove members).
    pub PatchGroup = PATCH "/Groups/<groupId>" body<PatchOp> -> Group;
    /// Delete a group.
    pub DeleteGroup = DELETE "/Groups/<groupId>" -> ();
}

/// The query of a listing.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    /// 1-based index of the first resource.
    pub start_index: Option<u32>,
    /// Resources per page (at most 100 at Atlassian).
    pub count: Option<u32>,
    /// `userName eq "..."` or `externalId eq "..."` (users); `displayName eq "..."` (groups).
    pub filter: Option<String>,
}

/// A page of a listing.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ListResponse<T> {
    /// Resources matching, in all pages.
    pub total_results: u32,
    /// 1-based index of this page's first resource.
    #[serde(default = "one")]
    pub start_index: u32,
    /// Resources on this page.
    #[serde(default)]
    pub items_per_page: u32,
    /// This page's resources.
    #[serde(rename = "Resources", default = "Vec::new")]
    pub resources: Vec<T>,
}

fn one() -> u32 {
    1
}

fn user_schemas() -> Vec<String> {
    vec![USER_SCHEMA.to_string()]
}

fn group_schemas() -> Vec<String> {
    vec![GROUP_SCHEMA.to_string()]
}

fn yes() -> bool {
    true
}

/// A SCIM user.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// The schemas (the core user schema by default).
    #[serde(default = "user_schemas")]
    pub schemas: Vec<String>,
    /// The id the service assigned (absent when creating).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Your own id for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The unique login, usually an email address.
    pub user_name: String,
    /// The user's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    /// The name shown in products.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Email addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<Email>,
    /// Whether the account is active.
    #[serde(default = "yes")]
    pub active: bool,
}

impl User {
    /// A new active user with `user_name` (and that as its primary email).
    pub fn new(user_name: impl Into<String>) -> Self {
        let user_name = user_name.into();
        User {
            schemas: user_schemas(),
            id: None,
            external_id: None,
            emails: vec![Email {
                value: user_name.clone(),
                kind: Some("work".into()),
                primary: Some(true),
            }],
            user_name,
            name: None,
            display_name: None,
            active: true,
        }
    }

    /// With a given and family name (and a display name made of both).
    pub fn named(mut self, given: &str, family: &str) -> Self {
        self.name = Some(Name {
            given_name: Some(given.into()),
            family_name: Some(family.into()),
        });
        self.display_name = Some(format!("{given} {family}"));
        self
    }
}

/// A user's name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
}

/// An email address.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Email {
    /// The address.
    pub value: String,
    /// `work`, `home`, ...
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether it is the primary address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// A SCIM group.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    /// The schemas (the core group schema by default).
    #[serde(default = "group_schemas")]
    pub schemas: Vec<String>,
    /// The id the service assigned (absent when creating).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The group's name.
    pub display_name: String,
    /// Its members.
    #[serde(default)]
    pub members: Vec<Member>,
}

impl Group {
    /// A new group with no members.
    pub fn new(display_name: impl Into<String>) -> Self {
        Group {
            schemas: group_schemas(),
            id: None,
            display_name: display_name.into(),
            members: Vec::new(),
        }
    }
}

/// A group member.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Member {
    /// The member's user id.
    pub value: String,
    /// The member's display name, if the service gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// A SCIM PATCH body: `{"schemas":[PatchOp],"Operations":[..]}`.
///
/// ```
/// use api_action::scim::PatchOp;
///
/// let patch = PatchOp::new().replace("active", false).add("members", serde_json::json!([{"value": "u1"}]));
/// assert_eq!(
///     serde_json::to_string(&patch).unwrap(),
///     r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false},{"op":"add","path":"members","value":[{"value":"u1"}]}]}"#
/// );
/// ```
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PatchOp {
    /// The PatchOp schema.
    pub schemas: Vec<String>,
    /// The operations, applied in order.
    #[serde(rename = "Operations")]
    pub operations: Vec<Operation>,
}

/// One PATCH operation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Operation {
    /// `add`, `replace` or `remove`.
    pub op: String,
    /// The attribute path (`active`, `name.givenName`, `members`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The value, for `add` and `replace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl Default for PatchOp {
    fn default() -> Self {
        PatchOp::new()
    }
}

impl PatchOp {
    /// An empty PatchOp.
    pub fn new() -> Self {
        PatchOp {
            schemas: vec![PATCH_OP_SCHEMA.to_string()],
            operations: Vec::new(),
        }
    }

    fn op(mut self, op: &str, path: &str, value: Option<Value>) -> Self {
        self.operations.push(Operation {
            op: op.into(),
            path: Some(path.into()),
            value,
        });
        self
    }

    /// Replaces the attribute at `path`.
    pub fn replace(self, path: &str, value: impl Into<Value>) -> Self {
        self.op("replace", path, Some(value.into()))
    }

    /// Adds `value` at `path` (to a multi-valued attribute: appends).
    pub fn add(self, path: &str, value: impl Into<Value>) -> Self {
        self.op("add", path, Some(value.into()))
    }

    /// Removes the attribute at `path`.
    pub fn remove(self, path: &str) -> Self {
        self.op("remove", path, None)
    }

    /// `replace active false`: deactivates a user.
    pub fn deactivate() -> Self {
        PatchOp::new().replace("active", false)
    }

    /// Adds users to a group.
    pub fn add_members<'a>(self, user_ids: impl IntoIterator<Item = &'a str>) -> Self {
        let members: Vec<Value> = user_ids
            .into_iter()
            .map(|id| serde_json::json!({ "value": id }))
            .collect();
        self.add("members", members)
    }
}

/// A SCIM error body (RFC 7644 §3.12).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ScimError {
    /// The HTTP status, as a string (`"409"`).
    pub status: String,
    /// `uniqueness`, `invalidFilter`, `invalidValue`, ...
    #[serde(default)]
    pub scim_type: Option<String>,
    /// A human-readable explanation.
    #[serde(default)]
    pub detail: Option<String>,
}

/// The SCIM error body of a failed call, if it carried one.
///
/// ```no_run
/// # async fn run(directory: api_action::Connector) {
/// use api_action::scim;
/// match directory.send(scim::CreateUser { body: scim::User::new("ada@example.com") }).await {
///     Err(error) if scim::error(&error).and_then(|e| e.scim_type).as_deref() == Some("uniqueness") => {
///         println!("already there");
///     }
///     other => { let _ = other; }
/// }
/// # }
/// ```
pub fn error(error: &Error) -> Option<ScimError> {
    match error {
        Error::Status(failure) => serde_json::from_value(failure.body().clone()).ok(),
        _ => None,
    }
}

/// Every user, `MAX_PAGE` at a time, as a stream; `startIndex` advances by the
/// resources each page actually held, and the stream ends at `totalResults`.
pub fn users(directory: &Connector) -> Items<User> {
    list(directory, None, |query| ListUsers { query }.into_request())
}

/// The users matching a filter (`userName eq "..."`), as a stream.
pub fn users_matching(directory: &Connector, filter: impl Into<String>) -> Items<User> {
    list(directory, Some(filter.into()), |query| {
        ListUsers { query }.into_request()
    })
}

/// Every group, as a stream.
pub fn groups(directory: &Connector) -> Items<Group> {
    list(directory, None, |query| ListGroups { query }.into_request())
}

use crate::Action as _;

/// SCIM paging: 1-based `startIndex`, `count`, until `totalResults`.
fn list<T, R>(directory: &Connector, filter: Option<String>, request: R) -> Items<T>
where
    T: serde::de::DeserializeOwned + Send + Unpin + 'static,
    R: Fn(ListQuery) -> crate::ActionRequest<ListResponse<T>> + Send + Unpin + 'static,
{
    paginate(
        directory,
        1u32,
        move |start: &u32| {
            request(ListQuery {
                start_index: Some(*start),
                count: Some(MAX_PAGE),
                filter: filter.clone(),
            })
        },
        |start, page| {
            let page = page.body;
            let seen = start.saturating_sub(1) + page.resources.len() as u32;
            // Stop on an empty page too: a server that miscounts cannot loop us.
            let next =
                (!page.resources.is_empty() && seen < page.total_results).then_some(seen + 1);
            Step {
                items: page.resources,
                next,
            }
        },
    )
}
