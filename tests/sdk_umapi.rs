//! The typed UMAPI module against the demo: paging until `lastPage`, one user, and
//! the `/action` command API whose 200 answers may still report failures.

use action_demo as demo;
use api_action::umapi::{self, ActionQuery, ActionResult, Batch, Command, RunActions, Step};
use api_action::{presets, umapi_batch, Connector};
use futures_util::StreamExt;

async fn org() -> (demo::DemoServer, Connector) {
    let server = demo::DemoServer::start().await.unwrap();
    let ims = presets::adobe_ims(demo::ADOBE_CLIENT_ID, demo::ADOBE_CLIENT_SECRET)
        .with_token_url(server.ims_token_url());
    let api = presets::adobe_umapi(ims)
        .base_url(server.umapi_base_url())
        .build()
        .unwrap();
    (server, api)
}

#[tokio::test]
async fn users_stream_by_page_until_last_page() {
    let (server, api) = org().await;
    server.seed_umapi_users(1000);
    let mut users = umapi::users(&api, demo::ADOBE_ORG_ID);
    let first = users.next().await.unwrap().unwrap();
    assert_eq!(first.email, "ada@example.com");
    assert_eq!(
        server.umapi_requests(),
        1,
        "the first user came with the first page"
    );
    let rest: Vec<umapi::User> = users.map(Result::unwrap).collect().await;
    assert_eq!(rest.len() + 1, 1003);
    assert_eq!(rest.last().unwrap().email, "member1000@example.com");
    assert_eq!(server.umapi_requests(), 6, "pages of 200");
    assert_eq!(server.ims_token_requests(), 1);
}

#[tokio::test]
async fn a_page_past_the_end_repeats_the_last_page() {
    let (_server, api) = org().await;
    let last = api
        .send(umapi::ListUsers {
            org_id: demo::ADOBE_ORG_ID,
            page: 0,
        })
        .await
        .unwrap()
        .body;
    let past = api
        .send(umapi::ListUsers {
            org_id: demo::ADOBE_ORG_ID,
            page: 7,
        })
        .await
        .unwrap()
        .body;
    assert!(past.last_page);
    assert_eq!(past.users, last.users);
}

#[tokio::test]
async fn one_user_and_groups_are_read() {
    let (_server, api) = org().await;
    let user = api
        .send(umapi::GetUser {
            org_id: demo::ADOBE_ORG_ID,
            email: "ada@example.com",
        })
        .await
        .unwrap()
        .body
        .user;
    assert_eq!(user.groups, ["Admins", "Engineering"]);
    let groups: Vec<umapi::Group> = umapi::groups(&api, demo::ADOBE_ORG_ID)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(
        groups
            .iter()
            .map(|g| g.group_name.as_str())
            .collect::<Vec<_>>(),
        ["Admins", "Engineering"]
    );
}

fn run(batch: Batch, query: ActionQuery) -> RunActions<&'static str> {
    RunActions {
        org_id: demo::ADOBE_ORG_ID,
        query,
        body: batch,
    }
}

#[tokio::test]
async fn a_batch_that_fully_succeeds_is_success() {
    let (_server, api) = org().await;
    let batch = umapi_batch![
        Command::new("alan@example.com")
            .request_id("r1")
            .step(Step::add_to_groups(["Admins"])),
        Command::new("grace@example.com").step(Step::remove_from_groups(["Engineering"])),
    ];
    let outcome = api
        .send(run(batch, ActionQuery::default()))
        .await
        .unwrap()
        .body;
    assert_eq!(
        (outcome.result, outcome.completed, outcome.not_completed),
        (ActionResult::Success, 2, 0)
    );
    outcome.ensure_success().unwrap();
    let alan = api
        .send(umapi::GetUser {
            org_id: demo::ADOBE_ORG_ID,
            email: "alan@example.com",
        })
        .await
        .unwrap()
        .body
        .user;
    assert_eq!(alan.groups, ["Admins"]);
}

#[tokio::test]
async fn a_200_with_failed_commands_is_never_success() {
    let (_server, api) = org().await;
    let batch = umapi_batch![
        Command::new("alan@example.com").step(Step::add_to_groups(["Admins"])),
        Command::new("nobody@example.com")
            .request_id("r2")
            .step(Step::add_to_groups(["Admins"])),
        Command::new("grace@example.com").step(Step::add_to_groups(["No Such Group"])),
    ];
    let out = api.send(run(batch, ActionQuery::default())).await.unwrap();
    assert_eq!(out.status, 200);
    let outcome = out.body;
    assert_eq!(
        (outcome.result, outcome.completed, outcome.not_completed),
        (ActionResult::Partial, 1, 2)
    );
    let codes: Vec<&str> = outcome
        .errors
        .iter()
        .map(|e| e.error_code.as_str())
        .collect();
    assert_eq!(codes, ["error.user.nonexistent", "error.group.not_found"]);
    assert_eq!(outcome.errors[0].request_id.as_deref(), Some("r2"));
    let failed = outcome.ensure_success().unwrap_err();
    assert!(
        failed
            .to_string()
            .starts_with("UMAPI batch Partial: 1 completed, 2 not"),
        "{failed}"
    );
}

#[tokio::test]
async fn test_only_validates_without_applying() {
    let (_server, api) = org().await;
    let batch = umapi_batch![Command::new("alan@example.com").step(Step::remove_from_org())];
    let outcome = api
        .send(run(batch, ActionQuery::test_only()))
        .await
        .unwrap()
        .body;
    assert_eq!((outcome.completed, outcome.completed_in_test_mode), (0, 1));
    let still_there = api
        .send(umapi::GetUser {
            org_id: demo::ADOBE_ORG_ID,
            email: "alan@example.com",
        })
        .await
        .unwrap();
    assert_eq!(still_there.body.user.email, "alan@example.com");
}

#[tokio::test]
async fn more_than_ten_commands_never_leave() {
    let (server, _api) = org().await;
    let eleven = vec![Command::new("alan@example.com").step(Step::add_to_groups(["Admins"])); 11];
    let err = Batch::new(eleven.clone()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "11 commands for one UMAPI request; it takes at most 10: split them"
    );
    assert_eq!(Batch::chunks(eleven).len(), 2);
    assert_eq!(server.umapi_requests(), 0);
}

#[tokio::test]
async fn a_throttled_listing_waits_out_an_http_date_retry_after() {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    let server = demo::DemoServer::start().await.unwrap();
    let waits = Arc::new(Mutex::new(Vec::new()));
    let log = waits.clone();
    let ims = presets::adobe_ims(demo::ADOBE_CLIENT_ID, demo::ADOBE_CLIENT_SECRET)
        .with_token_url(server.ims_token_url());
    let api = presets::adobe_umapi(ims)
        .base_url(server.umapi_base_url())
        .retry(api_action::RetryPolicy::default().sleep_with(move |delay| {
            log.lock().unwrap().push(delay);
            Box::pin(async {})
        }))
        .build()
        .unwrap();
    server.throttle_umapi(1);
    let users: Vec<umapi::User> = umapi::users(&api, demo::ADOBE_ORG_ID)
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(users.len(), 3);
    let waits = waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] <= Duration::from_secs(2), "{waits:?}");
}
