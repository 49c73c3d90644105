//! Adobe User Management over OAuth server-to-server credentials.
//!
//! The connector asks Adobe IMS for an access token once (client credentials),
//! caches it until shortly before `expires_in`, and sends it with the integration's
//! client id as `X-Api-Key` on every call.
//!
//! ```text
//! cargo run --example adobe_umapi
//! ```
//!
//! Runs against the embedded demo server by default. To run against Adobe, set
//! `ADOBE_CLIENT_ID`, `ADOBE_CLIENT_SECRET` and `ADOBE_ORG_ID` (an OAuth
//! server-to-server credential with the User Management API added).

use api_action::{api_action, presets, Connector};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let real = std::env::var("ADOBE_CLIENT_ID")
        .ok()
        .zip(std::env::var("ADOBE_CLIENT_SECRET").ok());
    let (umapi, org_id, demo) = match real {
        Some((client_id, client_secret)) => {
            let org_id = std::env::var("ADOBE_ORG_ID")?;
            let umapi =
                presets::adobe_umapi(presets::adobe_ims(client_id, client_secret)).build()?;
            println!("Adobe User Management at {}", umapi.base_url());
            (umapi, org_id, None)
        }
        None => {
            let demo = action_demo::DemoServer::start().await?;
            let ims = presets::adobe_ims(
                action_demo::ADOBE_CLIENT_ID,
                action_demo::ADOBE_CLIENT_SECRET,
            )
            .with_token_url(demo.ims_token_url());
            let umapi: Connector = presets::adobe_umapi(ims)
                .base_url(demo.umapi_base_url())
                .build()?;
            println!(
                "Adobe User Management (embedded demo server) at {}",
                umapi.base_url()
            );
            (umapi, action_demo::ADOBE_ORG_ID.to_string(), Some(demo))
        }
    };

    // Three calls, one token request: the first call fetches the token, the
    // others reuse it.
    let users = api_action!(GET "/users/<orgId>/<page>", orgId = &org_id, page = 0)
        .send(&umapi)
        .await?;
    println!("GET /users/{{orgId}}/0 -> {}", users.status);
    for user in users.body["users"].as_array().into_iter().flatten() {
        println!(
            "  {:<24} {:<10} groups: {}",
            user["email"].as_str().unwrap_or_default(),
            user["status"].as_str().unwrap_or_default(),
            user["groups"]
        );
    }

    let groups = api_action!(GET "/groups/<orgId>/<page>", orgId = &org_id, page = 0)
        .send(&umapi)
        .await?;
    println!("GET /groups/{{orgId}}/0 -> {}", groups.status);
    for group in groups.body["groups"].as_array().into_iter().flatten() {
        println!(
            "  {:<24} members: {}",
            group["groupName"].as_str().unwrap_or_default(),
            group["memberCount"]
        );
    }

    if let Some(first) = users.body["users"][0]["email"].as_str() {
        let user =
            api_action!(GET "/organizations/<orgId>/users/<email>", orgId = &org_id, email = first)
                .send(&umapi)
                .await?;
        println!(
            "GET /organizations/{{orgId}}/users/{first} -> {} {} {}",
            user.status, user.body["user"]["firstname"], user.body["user"]["lastname"]
        );
    }
    if let Some(demo) = &demo {
        println!("token requests made to IMS: {}", demo.ims_token_requests());
    }
    Ok(())
}
