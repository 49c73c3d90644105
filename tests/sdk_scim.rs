//! The typed SCIM module against the demo directory: users, groups, PatchOp,
//! SCIM errors, and paging through 10,000 users one page at a time.

use action_demo::{DemoServer, SCIM_API_KEY, SCIM_DIRECTORY_ID};
use api_action::{presets, scim, Connector, StatusCode};
use futures_util::StreamExt;

async fn directory() -> (DemoServer, Connector) {
    let demo = DemoServer::start().await.unwrap();
    let connector = presets::atlassian_scim(SCIM_DIRECTORY_ID, SCIM_API_KEY)
        .base_url(demo.scim_base_url())
        .build()
        .unwrap();
    (demo, connector)
}

#[tokio::test]
async fn users_are_created_read_patched_replaced_and_deleted() {
    let (_demo, scim_api) = directory().await;
    let created = scim_api
        .send(scim::CreateUser {
            body: scim::User::new("ada@example.com").named("Ada", "Lovelace"),
        })
        .await
        .unwrap();
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body.id.clone().unwrap();
    assert_eq!(created.body.display_name.as_deref(), Some("Ada Lovelace"));

    let read = scim_api
        .send(scim::GetUser { user_id: &id })
        .await
        .unwrap()
        .body;
    assert_eq!(read, created.body);

    let patched = scim_api
        .send(scim::PatchUser {
            user_id: &id,
            body: scim::PatchOp::deactivate(),
        })
        .await
        .unwrap()
        .body;
    assert!(!patched.active);

    let replaced = scim_api
        .send(scim::ReplaceUser {
            user_id: &id,
            body: scim::User::new("ada.l@example.com"),
        })
        .await
        .unwrap()
        .body;
    assert_eq!(
        (replaced.user_name.as_str(), replaced.active),
        ("ada.l@example.com", true)
    );

    scim_api
        .send(scim::DeleteUser { user_id: &id })
        .await
        .unwrap();
    let err = scim_api
        .send(scim::GetUser { user_id: &id })
        .await
        .unwrap_err();
    let scim_error = scim::error(&err).unwrap();
    assert_eq!(
        (scim_error.status.as_str(), scim_error.detail.unwrap()),
        ("404", format!("User {id} not found"))
    );
}

#[tokio::test]
async fn a_repeated_user_name_is_a_typed_uniqueness_error() {
    let (_demo, scim_api) = directory().await;
    scim_api
        .send(scim::CreateUser {
            body: scim::User::new("ada@example.com"),
        })
        .await
        .unwrap();
    let err = scim_api
        .send(scim::CreateUser {
            body: scim::User::new("ada@example.com"),
        })
        .await
        .unwrap_err();
    assert_eq!(
        scim::error(&err).unwrap().scim_type.as_deref(),
        Some("uniqueness")
    );
}

#[tokio::test]
async fn groups_gain_and_lose_members() {
    let (_demo, scim_api) = directory().await;
    let ada = scim_api
        .send(scim::CreateUser {
            body: scim::User::new("ada@example.com"),
        })
        .await
        .unwrap()
        .body;
    let ada_id = ada.id.unwrap();
    let group = scim_api
        .send(scim::CreateGroup {
            body: scim::Group::new("Engineering"),
        })
        .await
        .unwrap()
        .body;
    let group_id = group.id.unwrap();

    let with_ada = scim_api
        .send(scim::PatchGroup {
            group_id: &group_id,
            body: scim::PatchOp::new().add_members([ada_id.as_str()]),
        })
        .await
        .unwrap()
        .body;
    assert_eq!(
        with_ada
            .members
            .iter()
            .map(|m| m.value.as_str())
            .collect::<Vec<_>>(),
        [ada_id.as_str()]
    );

    let renamed = scim_api
        .send(scim::PatchGroup {
            group_id: &group_id,
            body: scim::PatchOp::new()
                .replace("displayName", "Platform")
                .remove(&format!("members[value eq \"{ada_id}\"]")),
        })
        .await
        .unwrap()
        .body;
    assert_eq!(
        (renamed.display_name.as_str(), renamed.members.len()),
        ("Platform", 0)
    );

    let listed: Vec<scim::Group> = scim::groups(&scim_api).map(Result::unwrap).collect().await;
    assert_eq!(listed.len(), 1);
    scim_api
        .send(scim::DeleteGroup {
            group_id: &group_id,
        })
        .await
        .unwrap();
    let err = scim_api
        .send(scim::CreateGroup {
            body: scim::Group::new(""),
        })
        .await
        .unwrap_err();
    assert_eq!(
        scim::error(&err).unwrap().scim_type.as_deref(),
        Some("invalidValue")
    );
}

#[tokio::test]
async fn ten_thousand_users_stream_one_page_at_a_time() {
    let (demo, scim_api) = directory().await;
    demo.seed_scim_users(10_000);
    let before = demo.scim_requests();
    let mut users = scim::users(&scim_api);

    let first = users.next().await.unwrap().unwrap();
    assert_eq!(first.user_name, "user1@example.com");
    assert_eq!(
        demo.scim_requests() - before,
        1,
        "the first item came with the first page"
    );

    let mut count = 1;
    let mut last = String::new();
    while let Some(user) = users.next().await {
        last = user.unwrap().user_name;
        count += 1;
    }
    assert_eq!((count, last.as_str()), (10_000, "user10000@example.com"));
    assert_eq!(demo.scim_requests() - before, 100, "100 pages of 100");
}

#[tokio::test]
async fn a_filtered_listing_streams_its_matches() {
    let (demo, scim_api) = directory().await;
    demo.seed_scim_users(250);
    let matches: Vec<scim::User> = scim::users_matching(&scim_api, r#"externalId eq "ext-142""#)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(matches.len(), 1);
    assert_eq!(matches[0].user_name, "user142@example.com");
}
