//! What calls leave in traces: one span per call with its shape, and never a
//! secret. In a test binary of their own: each test here captures events with a
//! thread-local subscriber, and `tracing` caches a callsite as disabled if another
//! test thread without a subscriber reaches it first, at the same moment.

mod common;

use api_action::{api_action, Auth, Connector, RetryPolicy};
use common::oauth::{ims, issuing_tokens, rotating_tokens, seen_auth, three_lo, CLIENT_SECRET};
use common::{Capture, Reply, TestServer};
use std::sync::Arc;
use std::time::Duration;

fn connector(api: &TestServer, auth: Auth) -> Connector {
    Connector::new(api.url(), auth).unwrap()
}

#[tokio::test]
async fn secrets_never_show_in_debug_display_errors_or_traces() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    let tokens = rotating_tokens().await;
    let api = TestServer::replying(Reply::new(401)).await;
    let jira = connector(&api, three_lo(&tokens, "r-1", Arc::default()));
    let err = api_action!(GET "/rest/api/3/myself")
        .send(&jira)
        .await
        .unwrap_err();
    let dead = connector(&api, three_lo(&tokens, "r-1", Arc::default()));
    let grant_err = api_action!(GET "/x").send(&dead).await.unwrap_err();
    let ims_tokens = issuing_tokens(Some(10), Duration::ZERO).await;
    let umapi = connector(&api, Auth::client_credentials(ims(&ims_tokens)));
    let umapi_err = api_action!(GET "/x").send(&umapi).await.unwrap_err();

    let events = capture.0.lock().unwrap().clone();
    assert!(
        events.contains("OAuth token cached"),
        "the capture works: {events}"
    );
    let printed = format!(
        "{events} {jira:?} {err} {err:?} {grant_err} {grant_err:?} {umapi:?} {umapi_err} {umapi_err:?}"
    );
    for secret in [CLIENT_SECRET, "tok-1", "tok-2", "r-1", "r-2", "r-3"] {
        assert!(!printed.contains(secret), "{secret} leaked in:\n{printed}");
    }
    // They did go where they belong.
    assert!(seen_auth(&api).contains(&"Bearer tok-1".to_string()));
}

#[tokio::test]
async fn each_call_is_one_span_with_method_template_status_attempts_and_latency() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = TestServer::replying(Reply::json(200, r#"{"password":"body-SECRET"}"#)).await;
    let api = Connector::builder(server.url())
        .auth(Auth::api_key("X-Api-Key", "k-1"))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    api_action!(GET "/Users/<id>", id = "value-SECRET", query { token: "query-SECRET" })
        .send_raw(&api)
        .await
        .unwrap();
    let traced = capture.0.lock().unwrap().clone();
    assert!(
        traced.contains("method=GET template=\"/Users/<id>\""),
        "{traced}"
    );
    assert!(traced.contains("status=200"), "{traced}");
    assert!(traced.contains("attempts=1"), "{traced}");
    assert!(traced.contains("latency_ms="), "{traced}");
    for secret in ["body-SECRET", "value-SECRET", "query-SECRET", "k-1"] {
        assert!(!traced.contains(secret), "{secret} in {traced}");
    }
}
