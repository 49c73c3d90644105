//! Atlassian user provisioning with the typed SCIM module: users, groups and the
//! directory listed as a stream.
//!
//! ```text
//! cargo run --example atlassian_scim
//! ```
//!
//! Runs against the embedded demo server by default. To run against Atlassian,
//! set `ATLASSIAN_SCIM_DIRECTORY_ID` and `ATLASSIAN_SCIM_API_KEY` (a directory API
//! key from admin.atlassian.com); the example then only reads (it lists users and
//! groups) and changes nothing.

use api_action::{presets, scim};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let real = std::env::var("ATLASSIAN_SCIM_DIRECTORY_ID")
        .ok()
        .zip(std::env::var("ATLASSIAN_SCIM_API_KEY").ok());
    let (directory, demo) = match real {
        Some((id, key)) => (presets::atlassian_scim(&id, key).build()?, None),
        None => {
            let demo = action_demo::DemoServer::start().await?;
            let directory =
                presets::atlassian_scim(action_demo::SCIM_DIRECTORY_ID, action_demo::SCIM_API_KEY)
                    .base_url(demo.scim_base_url())
                    .build()?;
            (directory, Some(demo))
        }
    };
    println!("SCIM directory: {}", directory.base_url());

    if let Some(demo) = &demo {
        // Only on the demo: provision a team, then list it page by page.
        demo.seed_scim_users(230);
        let ada = directory
            .send(scim::CreateUser {
                body: scim::User::new("ada@example.com").named("Ada", "Lovelace"),
            })
            .await?
            .body;
        let ada_id = ada.id.clone().unwrap_or_default();
        println!("created user  {} ({ada_id})", ada.user_name);
        let group = directory
            .send(scim::CreateGroup {
                body: scim::Group::new("Engineering"),
            })
            .await?
            .body;
        let group_id = group.id.clone().unwrap_or_default();
        let group = directory
            .send(scim::PatchGroup {
                group_id: &group_id,
                body: scim::PatchOp::new().add_members([ada_id.as_str()]),
            })
            .await?
            .body;
        println!(
            "group         {} with {} member(s)",
            group.display_name,
            group.members.len()
        );
        match directory
            .send(scim::CreateUser {
                body: scim::User::new("ada@example.com"),
            })
            .await
        {
            Err(error) => {
                let scim_error = scim::error(&error);
                println!(
                    "create again  -> {:?}",
                    scim_error.and_then(|e| e.scim_type)
                );
            }
            Ok(_) => return Err("a repeated userName must be refused".into()),
        }
        directory
            .send(scim::PatchUser {
                user_id: &ada_id,
                body: scim::PatchOp::deactivate(),
            })
            .await?;
        println!("deactivated   {}", ada.user_name);
    }

    let mut users = scim::users(&directory);
    let (mut count, mut active) = (0, 0);
    while let Some(user) = users.next().await {
        let user = user?;
        count += 1;
        active += usize::from(user.active);
    }
    println!("listed        {count} users ({active} active), 100 a page");
    let groups: Vec<scim::Group> = scim::groups(&directory)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    println!("listed        {} group(s)", groups.len());
    if let Some(demo) = &demo {
        println!("requests made to the directory: {}", demo.scim_requests());
    }
    Ok(())
}
