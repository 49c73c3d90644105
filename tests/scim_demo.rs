//! The embedded demo server behaves like Atlassian's SCIM user provisioning, as the
//! examples and the quickstart rely on. Every call goes through `api_action!`.

use action_demo::{DemoServer, SCIM_API_KEY};
use api_action::{api_action, Auth, Connector, Error, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct ScimUser {
    id: String,
    user_name: String,
    active: bool,
}

async fn directory() -> (DemoServer, Connector) {
    let demo = DemoServer::start().await.unwrap();
    let scim = Connector::builder(demo.scim_base_url())
        .auth(Auth::bearer(SCIM_API_KEY))
        .content_type("application/scim+json")
        .build()
        .unwrap();
    (demo, scim)
}

async fn create(scim: &Connector, user_name: &str) -> ScimUser {
    api_action!(POST "/Users" -> ScimUser, body {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "externalId": format!("ext-{user_name}")
    })
    .send(scim)
    .await
    .unwrap()
    .body
}

#[tokio::test]
async fn create_answers_201_with_location_and_scim_content_type() {
    let (_demo, scim) = directory().await;
    let out = api_action!(POST "/Users" -> ScimUser, body {
        "schemas": [USER_SCHEMA], "userName": "ada@example.com"
    })
    .send(&scim)
    .await
    .unwrap();
    assert_eq!(out.status, StatusCode::CREATED);
    assert_eq!(out.header("content-type"), Some("application/scim+json"));
    assert_eq!(
        out.header("location"),
        Some(format!("{}/Users/{}", scim.base_url(), out.body.id).as_str())
    );
    assert_eq!(out.body.user_name, "ada@example.com");
    assert!(out.body.active);
}

#[tokio::test]
async fn a_repeated_user_name_is_409_uniqueness() {
    let (_demo, scim) = directory().await;
    create(&scim, "ada@example.com").await;
    let err = api_action!(POST "/Users" -> ScimUser, body { "userName": "ADA@example.com" })
        .send(&scim)
        .await
        .unwrap_err();
    let Error::Status(failure) = err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.status(), StatusCode::CONFLICT);
    assert_eq!(
        failure.body(),
        &json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "409",
            "scimType": "uniqueness",
            "detail": "A user with userName 'ADA@example.com' already exists in this directory"
        })
    );
}

#[tokio::test]
async fn a_wrong_key_gets_the_gateways_401() {
    let (demo, _) = directory().await;
    let wrong = Connector::new(demo.scim_base_url(), Auth::bearer("org-admin-key")).unwrap();
    let out = api_action!(GET "/Users").send_raw(&wrong).await.unwrap();
    assert_eq!(out.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        out.body["error"],
        "Not authorized to access : scim/directory/demo-directory/Users"
    );
    assert!(out.body["traceId"].as_str().is_some_and(|t| !t.is_empty()));
    let anonymous = Connector::new(demo.scim_base_url(), Auth::none()).unwrap();
    let out = api_action!(GET "/Users")
        .send_raw(&anonymous)
        .await
        .unwrap();
    assert_eq!(out.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn list_pages_with_start_index_and_count_and_filters() {
    let (_demo, scim) = directory().await;
    for n in 1..=5 {
        create(&scim, &format!("user{n}@example.com")).await;
    }
    let page = api_action!(GET "/Users", query { startIndex: 2, count: 2 })
        .send(&scim)
        .await
        .unwrap()
        .body;
    assert_eq!(
        page["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );
    assert_eq!(
        (
            page["totalResults"].as_u64(),
            page["startIndex"].as_u64(),
            page["itemsPerPage"].as_u64()
        ),
        (Some(5), Some(2), Some(2))
    );
    let names: Vec<&str> = page["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["user2@example.com", "user3@example.com"]);

    let filtered =
        api_action!(GET "/Users", query { filter: r#"externalId eq "ext-user4@example.com""# })
            .send(&scim)
            .await
            .unwrap()
            .body;
    assert_eq!(filtered["totalResults"], 1);
    assert_eq!(filtered["Resources"][0]["userName"], "user4@example.com");

    let unsupported = api_action!(GET "/Users", query { filter: r#"displayName co "x""# })
        .send_raw(&scim)
        .await
        .unwrap();
    assert_eq!(unsupported.status, StatusCode::BAD_REQUEST);
    assert_eq!(unsupported.body["scimType"], "invalidFilter");
}

#[tokio::test]
async fn count_is_capped_at_100() {
    let (_demo, scim) = directory().await;
    create(&scim, "only@example.com").await;
    let page = api_action!(GET "/Users?count=1000")
        .send(&scim)
        .await
        .unwrap()
        .body;
    assert_eq!(page["itemsPerPage"], 1);
    assert_eq!(page["totalResults"], 1);
}

#[tokio::test]
async fn patch_deactivates_and_put_replaces() {
    let (_demo, scim) = directory().await;
    let user = create(&scim, "grace@example.com").await;
    let patched = api_action!(PATCH "/Users/<userId>" -> ScimUser, userId = &user.id, body {
        "schemas": [PATCH_OP],
        "Operations": [{ "op": "replace", "path": "active", "value": false }]
    })
    .send(&scim)
    .await
    .unwrap();
    assert_eq!(
        patched.body,
        ScimUser {
            active: false,
            ..user
        }
    );

    let replaced = api_action!(PUT "/Users/<userId>", userId = &patched.body.id, body {
        "schemas": [USER_SCHEMA], "userName": "grace.hopper@example.com", "active": true
    })
    .send(&scim)
    .await
    .unwrap()
    .body;
    assert_eq!(replaced["userName"], "grace.hopper@example.com");
    assert_eq!(replaced["active"], true);
    assert_eq!(
        replaced.get("externalId"),
        None,
        "PUT replaces the whole resource"
    );
}

#[tokio::test]
async fn patch_without_a_patch_op_is_400() {
    let (_demo, scim) = directory().await;
    let user = create(&scim, "x@example.com").await;
    let out = api_action!(PATCH "/Users/<userId>", userId = &user.id, body { "active": false })
        .send_raw(&scim)
        .await
        .unwrap();
    assert_eq!(out.status, StatusCode::BAD_REQUEST);
    assert_eq!(out.body["scimType"], "invalidSyntax");
}

#[tokio::test]
async fn delete_answers_204_then_the_user_is_404() {
    let (_demo, scim) = directory().await;
    let user = create(&scim, "gone@example.com").await;
    let deleted = api_action!(DELETE "/Users/<userId>" -> (), userId = &user.id)
        .send(&scim)
        .await
        .unwrap();
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    for out in [
        api_action!(GET "/Users/<userId>", userId = &user.id)
            .send_raw(&scim)
            .await
            .unwrap(),
        api_action!(DELETE "/Users/<userId>", userId = &user.id)
            .send_raw(&scim)
            .await
            .unwrap(),
    ] {
        assert_eq!(out.status, StatusCode::NOT_FOUND);
        assert_eq!(
            out.body,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": "404",
                "detail": format!("User {} not found", user.id)
            })
        );
    }
}

#[tokio::test]
async fn invalid_json_bodies_are_scim_400s() {
    let (_demo, scim) = directory().await;
    let out = api_action!(POST "/Users", body = "not an object")
        .send_raw(&scim)
        .await
        .unwrap();
    assert_eq!(out.status, StatusCode::BAD_REQUEST);
    assert_eq!(out.body["scimType"], "invalidSyntax");
    let out = api_action!(POST "/Users", body { "displayName": "no userName" })
        .send_raw(&scim)
        .await
        .unwrap();
    assert_eq!(out.status, StatusCode::BAD_REQUEST);
    assert_eq!(out.body["scimType"], "invalidValue");
    let _: Value = out.body;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_connector() {
    let (_demo, scim) = directory().await;
    let tasks: Vec<_> = (0..50)
        .map(|n| {
            let scim = scim.clone();
            tokio::spawn(async move {
                api_action!(POST "/Users" -> ScimUser, body { "userName": format!("u{n}@example.com") })
                    .send(&scim)
                    .await
                    .map(|out| out.status)
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), StatusCode::CREATED);
    }
    let list = api_action!(GET "/Users", query { count: 0 })
        .send(&scim)
        .await
        .unwrap()
        .body;
    assert_eq!(list["totalResults"], 50);
}
