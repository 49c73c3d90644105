//! The life of a user in an Atlassian-like SCIM directory, with compile-checked calls.
//!
//! Runs against the embedded demo server: no account, no network.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use api_action::{api_action, ActionRequest, Auth, Connector, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The parts of a SCIM user this program reads.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScimUser {
    id: String,
    user_name: String,
    active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
}

/// A page of `GET /Users`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserList {
    total_results: u64,
    start_index: u64,
    items_per_page: u64,
    #[serde(rename = "Resources")]
    resources: Vec<ScimUser>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let demo = action_demo::DemoServer::start().await?;
    let scim = Connector::builder(demo.scim_base_url())
        .auth(Auth::bearer(action_demo::SCIM_API_KEY))
        .content_type("application/scim+json")
        .header("Accept", "application/scim+json")
        .build()?;
    println!(
        "SCIM directory (embedded demo server): {}\n",
        scim.base_url()
    );

    // 1. Create a user. The body is checked to be allowed on POST at compile time.
    let created = show(
        api_action!(POST "/Users" -> ScimUser, body {
            "schemas": [USER_SCHEMA],
            "userName": "ada@example.com",
            "displayName": "Ada Lovelace",
            "name": { "givenName": "Ada", "familyName": "Lovelace" },
            "emails": [{ "value": "ada@example.com", "type": "work", "primary": true }],
            "active": true
        }),
        &scim,
    )
    .await?;
    let user_id = created.body.id;

    // 2. Read it back. `<userId>` must be bound, and is sent as one encoded segment.
    show(
        api_action!(GET "/Users/<userId>" -> ScimUser, userId = &user_id),
        &scim,
    )
    .await?;

    // 3. List with a query: the literal `?count=10` first, then the query clause.
    let request_id = "quickstart-1";
    show(
        api_action!(GET "/Users?count=10" -> UserList,
            query { startIndex: 1, filter: r#"userName eq "ada@example.com""# },
            headers { "X-Request-Id": request_id }),
        &scim,
    )
    .await?;

    // 4. Deactivate with a SCIM PatchOp.
    show(
        api_action!(PATCH "/Users/<userId>" -> ScimUser, userId = &user_id, body {
            "schemas": [PATCH_OP],
            "Operations": [{ "op": "replace", "path": "active", "value": false }]
        }),
        &scim,
    )
    .await?;

    // 5. Delete: `204 No Content` decodes into `()`.
    show(
        api_action!(DELETE "/Users/<userId>" -> (), userId = &user_id),
        &scim,
    )
    .await?;

    // 6. Read after delete. `send_raw` reports every status as data, like the card.
    let request = api_action!(GET "/Users/<userId>", userId = &user_id);
    println!("→ {} {}", request.method(), request.relative_url());
    let gone = request.send_raw(&scim).await?;
    print_response(&gone);
    assert_eq!(gone.status, 404);
    println!(
        "The user is gone: the service answered {} as data.",
        gone.status
    );
    Ok(())
}

/// Prints a call and its typed response, the way the card shows its three outputs.
async fn show<T: DeserializeOwned + Serialize>(
    request: ActionRequest<T>,
    scim: &Connector,
) -> Result<Response<T>, api_action::Error> {
    println!("→ {} {}", request.method(), request.relative_url());
    let response = request.send(scim).await?;
    print_response(&response);
    Ok(response)
}

fn print_response<T: Serialize>(response: &Response<T>) {
    println!("← {}", response.status);
    for name in ["content-type", "location"] {
        if let Some(value) = response.header(name) {
            println!("  {name}: {value}");
        }
    }
    let body = serde_json::to_string_pretty(&response.body).unwrap_or_default();
    if body != "null" {
        for line in body.lines() {
            println!("  {line}");
        }
    }
    println!();
}
