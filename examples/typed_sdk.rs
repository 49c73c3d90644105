//! A typed SCIM SDK is a list of one-line declarations.
//!
//! Each line of `api_action! { .. }` below becomes a struct (a field per
//! placeholder, plus `query`/`body` fields) implementing `Action`; the compiler
//! checks every line as it checks a call. Runs against the embedded demo server:
//!
//! ```text
//! cargo run --example typed_sdk
//! ```

use api_action::{Auth, Connector, Error};

/// The SDK: types and actions for SCIM 2.0 users.
mod scim {
    use api_action::api_action;
    use serde::{Deserialize, Serialize};

    pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
    pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

    api_action! {
        /// List users, one page at a time (1-based `startIndex`, at most 100 a page).
        pub ListUsers = GET "/Users" query<ListQuery> -> ListResponse<User>;
        /// Read one user.
        pub GetUser = GET "/Users/<userId>" -> User;
        /// Create a user; a repeated `userName` is `409 uniqueness`.
        pub CreateUser = POST "/Users" body<NewUser> -> User;
        /// Replace every attribute of a user.
        pub ReplaceUser = PUT "/Users/<userId>" body<NewUser> -> User;
        /// Change some attributes with a SCIM PatchOp.
        pub PatchUser = PATCH "/Users/<userId>" body<PatchOp> -> User;
        /// Delete a user; later calls on it answer `404`.
        pub DeleteUser = DELETE "/Users/<userId>" -> ();
    }

    #[derive(Debug, Default, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ListQuery {
        pub start_index: Option<u32>,
        pub count: Option<u32>,
        pub filter: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ListResponse<T> {
        pub total_results: u32,
        pub start_index: u32,
        pub items_per_page: u32,
        #[serde(rename = "Resources", default = "Vec::new")]
        pub resources: Vec<T>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct User {
        pub id: String,
        pub user_name: String,
        pub active: bool,
        pub display_name: Option<String>,
    }

    #[derive(Debug, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct NewUser {
        pub schemas: [&'static str; 1],
        pub user_name: String,
        pub display_name: Option<String>,
        pub active: bool,
    }

    impl NewUser {
        pub fn new(user_name: &str, display_name: &str) -> Self {
            NewUser {
                schemas: [USER_SCHEMA],
                user_name: user_name.into(),
                display_name: Some(display_name.into()),
                active: true,
            }
        }
    }

    /// `{"schemas":[PatchOp],"Operations":[..]}`.
    #[derive(Debug, Serialize)]
    pub struct PatchOp {
        schemas: [&'static str; 1],
        #[serde(rename = "Operations")]
        operations: Vec<Operation>,
    }

    #[derive(Debug, Serialize)]
    pub struct Operation {
        op: &'static str,
        path: String,
        value: serde_json::Value,
    }

    impl PatchOp {
        /// One `replace` of `path` with `value`.
        pub fn replace(path: &str, value: impl Into<serde_json::Value>) -> Self {
            PatchOp {
                schemas: [PATCH_OP_SCHEMA],
                operations: vec![Operation {
                    op: "replace",
                    path: path.into(),
                    value: value.into(),
                }],
            }
        }
    }
}

use scim::{
    CreateUser, DeleteUser, GetUser, ListQuery, ListUsers, NewUser, PatchOp, PatchUser, ReplaceUser,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = action_demo::DemoServer::start().await?;
    let directory = Connector::builder(demo.scim_base_url())
        .auth(Auth::bearer(action_demo::SCIM_API_KEY))
        .content_type("application/scim+json")
        .build()?;

    for (name, display) in [("ada@example.com", "Ada"), ("grace@example.com", "Grace")] {
        let created = directory
            .send(CreateUser {
                body: NewUser::new(name, display),
            })
            .await?;
        println!("created  {} {}", created.body.id, created.body.user_name);
    }

    let page = directory
        .send(ListUsers {
            query: ListQuery {
                start_index: Some(1),
                count: Some(10),
                ..Default::default()
            },
        })
        .await?
        .body;
    println!(
        "listed   {} of {} users from #{}",
        page.items_per_page, page.total_results, page.start_index
    );
    let ada = &page.resources[0];

    // Path fields take anything that displays: &str, String, integers, ids.
    let read = directory
        .send(GetUser {
            user_id: ada.id.as_str(),
        })
        .await?;
    let display_name = read.body.display_name.as_deref().unwrap_or("-");
    println!(
        "read     {} ({display_name}) active={}",
        read.body.user_name, read.body.active
    );

    let replaced = directory
        .send(ReplaceUser {
            user_id: &ada.id,
            body: NewUser::new("ada.lovelace@example.com", "Ada Lovelace"),
        })
        .await?;
    println!("replaced {} -> {}", ada.id, replaced.body.user_name);

    let patched = directory
        .send(PatchUser {
            user_id: &ada.id,
            body: PatchOp::replace("active", false),
        })
        .await?;
    println!(
        "patched  {} active={}",
        patched.body.user_name, patched.body.active
    );

    let deleted = directory.send(DeleteUser { user_id: &ada.id }).await?;
    println!("deleted  {} ({})", ada.id, deleted.status);

    // A typed send turns a 404 into `Error::Status`, with the SCIM error body kept.
    match directory.send(GetUser { user_id: &ada.id }).await {
        Err(Error::Status(failure)) => {
            println!(
                "read     {} -> {}: {}",
                ada.id,
                failure.status(),
                failure.body()["detail"]
            );
        }
        other => return Err(format!("expected a 404, got {other:?}").into()),
    }

    // A repeated userName is the SCIM `uniqueness` conflict.
    let grace = NewUser::new("grace@example.com", "Grace again");
    match directory.send(CreateUser { body: grace }).await {
        Err(Error::Status(failure)) => {
            println!(
                "create   grace again -> {} {}",
                failure.status(),
                failure.body()["scimType"]
            );
        }
        other => return Err(format!("expected a 409, got {other:?}").into()),
    }
    Ok(())
}
