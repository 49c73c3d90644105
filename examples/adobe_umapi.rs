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

use api_action::umapi::{self, ActionQuery, Command, Step};
use api_action::{presets, umapi_batch, Connector};
use futures_util::StreamExt;

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

    // Every call shares one token: the first call fetches it, the others reuse it.
    let mut users = umapi::users(&umapi, &org_id);
    while let Some(user) = users.next().await {
        let user = user?;
        println!(
            "  {:<24} {:<8} groups: {:?}",
            user.email, user.status, user.groups
        );
    }
    let groups: Vec<umapi::Group> = umapi::groups(&umapi, &org_id)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    for group in &groups {
        println!(
            "  group {:<18} members: {}",
            group.group_name, group.member_count
        );
    }

    // The command API answers 200 even when commands fail: the outcome is typed.
    // Against Adobe, the batch only validates (`testOnly`).
    let query = if demo.is_some() {
        ActionQuery::default()
    } else {
        ActionQuery::test_only()
    };
    let batch = umapi_batch![
        Command::new("alan@example.com")
            .request_id("add-alan")
            .step(Step::add_to_groups(["Admins"])),
        Command::new("nobody@example.com")
            .request_id("add-nobody")
            .step(Step::add_to_groups(["Admins"])),
    ];
    let outcome = umapi
        .send(umapi::RunActions {
            org_id: org_id.as_str(),
            query,
            body: batch,
        })
        .await?
        .body;
    match outcome.ensure_success() {
        Ok(outcome) => println!("action: all {} command(s) completed", outcome.completed),
        Err(failed) => println!("action: {failed}"),
    }
    if let Some(demo) = &demo {
        println!("token requests made to IMS: {}", demo.ims_token_requests());
    }
    Ok(())
}
