//! The presets against the demo server's Atlassian and Adobe endpoints: the OAuth
//! flows end to end, as the examples run them.

use action_demo as demo;
use api_action::{api_action, presets, Error, ExposeSecret, StatusCode};
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn adobe_umapi_gets_a_token_once_and_sends_bearer_and_api_key() {
    let server = demo::DemoServer::start().await.unwrap();
    let ims = presets::adobe_ims(demo::ADOBE_CLIENT_ID, demo::ADOBE_CLIENT_SECRET)
        .with_token_url(server.ims_token_url());
    let umapi = presets::adobe_umapi(ims)
        .base_url(server.umapi_base_url())
        .build()
        .unwrap();

    let page = api_action!(GET "/users/<orgId>/<page>", orgId = demo::ADOBE_ORG_ID, page = 0)
        .send(&umapi)
        .await
        .unwrap()
        .body;
    assert_eq!(page["result"], "success");
    assert_eq!(page["lastPage"], true);
    assert_eq!(page["users"].as_array().map(Vec::len), Some(3));
    let user = api_action!(GET "/organizations/<orgId>/users/<email>",
            orgId = demo::ADOBE_ORG_ID, email = "grace@example.com")
    .send(&umapi)
    .await
    .unwrap()
    .body;
    assert_eq!(user["user"]["lastname"], "Hopper");
    assert_eq!(server.ims_token_requests(), 1);
}

#[tokio::test]
async fn umapi_without_the_api_key_is_an_empty_401_with_a_challenge() {
    let server = demo::DemoServer::start().await.unwrap();
    // The IMS token alone, without `X-Api-Key`.
    let ims = api_action::ClientCredentials::new(
        server.ims_token_url(),
        demo::ADOBE_CLIENT_ID,
        demo::ADOBE_CLIENT_SECRET,
    )
    .scope(presets::ADOBE_UMAPI_SCOPE);
    let umapi = presets::adobe_umapi(ims)
        .base_url(server.umapi_base_url())
        .build()
        .unwrap();
    let out = api_action!(GET "/groups/<orgId>/<page>", orgId = demo::ADOBE_ORG_ID, page = 0)
        .send_raw(&umapi)
        .await
        .unwrap();
    assert_eq!(out.status, StatusCode::UNAUTHORIZED);
    assert_eq!(out.body, serde_json::Value::Null);
    assert_eq!(
        out.header("www-authenticate"),
        Some(r#"Bearer realm="usermanagement.adobe.io", error="invalid_token""#)
    );
    // The 401 made the connector forget its token and try once more with a new one.
    assert_eq!(server.ims_token_requests(), 2);
}

#[tokio::test]
async fn a_wrong_client_secret_is_a_token_error() {
    let server = demo::DemoServer::start().await.unwrap();
    let ims = presets::adobe_ims(demo::ADOBE_CLIENT_ID, "wrong-secret")
        .with_token_url(server.ims_token_url());
    let umapi = presets::adobe_umapi(ims)
        .base_url(server.umapi_base_url())
        .build()
        .unwrap();
    let err = api_action!(GET "/groups/<orgId>/<page>", orgId = demo::ADOBE_ORG_ID, page = 0)
        .send(&umapi)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "token endpoint {} answered 401 Unauthorized (invalid_client): invalid client_id or client_secret parameter",
            server.ims_token_url()
        )
    );
}

#[tokio::test]
async fn jira_3lo_rotates_refresh_tokens_and_a_dead_one_is_invalid_grant() {
    let server = demo::DemoServer::start().await.unwrap();
    let persisted = Arc::new(Mutex::new(Vec::<String>::new()));
    let store = persisted.clone();
    let app = presets::atlassian_3lo(
        demo::JIRA_CLIENT_ID,
        demo::JIRA_CLIENT_SECRET,
        demo::JIRA_REFRESH_TOKEN,
    )
    .with_token_url(server.atlassian_token_url())
    .on_rotate(move |token| {
        store
            .lock()
            .unwrap()
            .push(token.expose_secret().to_string())
    });
    let jira = presets::jira_cloud_oauth(demo::JIRA_CLOUD_ID, app)
        .base_url(server.jira_oauth_base_url())
        .build()
        .unwrap();

    let me = api_action!(GET "/rest/api/3/myself")
        .send(&jira)
        .await
        .unwrap()
        .body;
    assert_eq!(me["emailAddress"], demo::JIRA_EMAIL);
    // The server forgets the access token early: the 401 refreshes and retries.
    server.expire_atlassian_access_tokens();
    let again = api_action!(GET "/rest/api/3/myself")
        .send(&jira)
        .await
        .unwrap();
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(server.atlassian_token_requests(), 2);
    let rotated = persisted.lock().unwrap().clone();
    assert_eq!(rotated.len(), 2);
    assert_ne!(rotated[0], rotated[1]);

    // Another process still holding the first refresh token: it was rotated away.
    let stale = presets::atlassian_3lo(
        demo::JIRA_CLIENT_ID,
        demo::JIRA_CLIENT_SECRET,
        demo::JIRA_REFRESH_TOKEN,
    )
    .with_token_url(server.atlassian_token_url());
    let stale = presets::jira_cloud_oauth(demo::JIRA_CLOUD_ID, stale)
        .base_url(server.jira_oauth_base_url())
        .build()
        .unwrap();
    let err = api_action!(GET "/rest/api/3/myself")
        .send(&stale)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidGrant { description: Some(d), .. } if d == "Unknown or invalid refresh token."),
        "{err:?}"
    );
}

#[tokio::test]
async fn jira_basic_auth_and_scim_presets_reach_the_demo() {
    let server = demo::DemoServer::start().await.unwrap();
    let jira = presets::jira_cloud_basic("acme", demo::JIRA_EMAIL, demo::JIRA_API_TOKEN)
        .base_url(server.jira_site_url())
        .build()
        .unwrap();
    let me = api_action!(GET "/rest/api/3/myself")
        .send(&jira)
        .await
        .unwrap();
    assert_eq!(me.body["displayName"], "Ada Lovelace");
    let wrong = presets::jira_cloud_basic("acme", demo::JIRA_EMAIL, "wrong")
        .base_url(server.jira_site_url())
        .build()
        .unwrap();
    let out = api_action!(GET "/rest/api/3/myself")
        .send_raw(&wrong)
        .await
        .unwrap();
    assert_eq!(out.status, StatusCode::UNAUTHORIZED);

    let scim = presets::atlassian_scim(demo::SCIM_DIRECTORY_ID, demo::SCIM_API_KEY)
        .base_url(server.scim_base_url())
        .build()
        .unwrap();
    let list = api_action!(GET "/Users").send(&scim).await.unwrap();
    assert_eq!(list.body["totalResults"], 0);
    assert_eq!(list.header("content-type"), Some("application/scim+json"));
}
