//! OAuth 2.0 against loopback token and API servers that count what they receive:
//! caching, expiry, single flight, 401 recovery, rotation, errors, and secrets.

mod common;

use api_action::{api_action, Auth, ClientCredentials, Connector, Error, StatusCode, TokenError};
use common::oauth::{
    ims, issuing_tokens, rotating_tokens, rotating_tokens_after, seen_auth, three_lo, CLIENT_SECRET,
};
use common::{Reply, TestServer};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An API that answers 200 with the bearer token it saw.
async fn echoing_api() -> TestServer {
    TestServer::start(|request| {
        let auth = request
            .header("authorization")
            .unwrap_or_default()
            .to_string();
        Reply::json(200, &format!(r#"{{"auth":"{auth}"}}"#))
    })
    .await
}

fn connector(api: &TestServer, auth: Auth) -> Connector {
    Connector::new(api.url(), auth).unwrap()
}

/// `n` concurrent `GET /x` calls through clones of one connector.
fn spawn_calls(
    connector: &Connector,
    n: usize,
) -> Vec<tokio::task::JoinHandle<Result<api_action::Response<serde_json::Value>, Error>>> {
    (0..n)
        .map(|_| {
            let connector = connector.clone();
            tokio::spawn(async move { api_action!(GET "/x").send(&connector).await })
        })
        .collect()
}

#[tokio::test]
async fn client_credentials_posts_the_form_and_sends_bearer_and_api_key() {
    let tokens = issuing_tokens(Some(86399), Duration::ZERO).await;
    let api = echoing_api().await;
    let umapi = connector(&api, Auth::client_credentials(ims(&tokens)));
    api_action!(GET "/users/<orgId>/<page>", orgId = "org", page = 0)
        .send(&umapi)
        .await
        .unwrap();

    let token_request = tokens.only_request();
    assert_eq!(token_request.request_line, "POST /ims/token/v3 HTTP/1.1");
    assert_eq!(
        token_request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        token_request.form(),
        [
            ("grant_type".to_string(), "client_credentials".to_string()),
            ("client_id".into(), "client-1".into()),
            ("client_secret".into(), CLIENT_SECRET.into()),
            ("scope".into(), "openid,AdobeID,user_management_sdk".into()),
        ]
    );
    let call = api.only_request();
    assert_eq!(call.header("authorization"), Some("Bearer tok-1"));
    assert_eq!(call.header("x-api-key"), Some("client-1"));
}

#[tokio::test]
async fn a_token_is_cached_until_expires_in_minus_the_skew() {
    let tokens = issuing_tokens(Some(2), Duration::ZERO).await;
    let api = echoing_api().await;
    // A 2 s token with a 1.95 s skew is trusted for 50 ms.
    let scheme = ims(&tokens).expiry_skew(Duration::from_millis(1950));
    let umapi = connector(&api, Auth::client_credentials(scheme));
    for _ in 0..3 {
        api_action!(GET "/x").send(&umapi).await.unwrap();
    }
    assert_eq!(tokens.count(), 1);
    tokio::time::sleep(Duration::from_millis(80)).await;
    api_action!(GET "/x").send(&umapi).await.unwrap();
    assert_eq!(tokens.count(), 2);
    assert_eq!(
        seen_auth(&api),
        [
            "Bearer tok-1",
            "Bearer tok-1",
            "Bearer tok-1",
            "Bearer tok-2"
        ]
    );
}

#[tokio::test]
async fn without_expires_in_the_configured_default_lifetime_applies() {
    let tokens = issuing_tokens(None, Duration::ZERO).await;
    let api = echoing_api().await;
    let scheme = ims(&tokens).default_lifetime(Duration::from_millis(50));
    let umapi = connector(&api, Auth::client_credentials(scheme));
    api_action!(GET "/x").send(&umapi).await.unwrap();
    api_action!(GET "/x").send(&umapi).await.unwrap();
    assert_eq!(tokens.count(), 1);
    tokio::time::sleep(Duration::from_millis(80)).await;
    api_action!(GET "/x").send(&umapi).await.unwrap();
    assert_eq!(tokens.count(), 2);
}

/// Runs `n` concurrent calls through one connector whose token is missing.
async fn concurrent_calls(n: usize) -> (usize, usize, Duration) {
    let tokens = issuing_tokens(Some(3600), Duration::from_millis(50)).await;
    let api = echoing_api().await;
    let umapi = connector(&api, Auth::client_credentials(ims(&tokens)));
    let started = Instant::now();
    let calls = spawn_calls(&umapi, n);
    let mut ok = 0;
    for call in calls {
        let body = call.await.unwrap().unwrap().body;
        assert_eq!(body["auth"], "Bearer tok-1");
        ok += 1;
    }
    (tokens.count(), ok, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_calls_make_one_token_request() {
    let (token_requests, succeeded, _) = concurrent_calls(100).await;
    assert_eq!((token_requests, succeeded), (1, 100));
}

/// The stress figure reported on the issue: `cargo test --test auth thousand -- --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_make_one_token_request() {
    let (token_requests, succeeded, elapsed) = concurrent_calls(1000).await;
    println!("1000 concurrent calls: {token_requests} token request(s), {succeeded} succeeded in {elapsed:?}");
    assert_eq!((token_requests, succeeded), (1, 1000));
}

/// An API that refuses `tok-1` with 401 and accepts any other token.
async fn refusing_first_token(delay: Duration) -> TestServer {
    TestServer::start(move |request| match request.header("authorization") {
        Some("Bearer tok-1") => Reply::new(401)
            .header(
                "WWW-Authenticate",
                r#"Bearer realm="api", error="invalid_token""#,
            )
            .delay(delay),
        Some(auth) => Reply::json(200, &format!(r#"{{"auth":"{auth}"}}"#)),
        None => Reply::new(401),
    })
    .await
}

#[tokio::test]
async fn a_401_refreshes_the_token_and_retries_the_call_once() {
    let tokens = issuing_tokens(Some(3600), Duration::ZERO).await;
    let api = refusing_first_token(Duration::ZERO).await;
    let umapi = connector(&api, Auth::client_credentials(ims(&tokens)));
    let out = api_action!(POST "/action/<orgId>", orgId = "org", body { "do": [] })
        .send(&umapi)
        .await
        .unwrap();
    assert_eq!(out.body["auth"], "Bearer tok-2");
    assert_eq!(tokens.count(), 2);
    assert_eq!(seen_auth(&api), ["Bearer tok-1", "Bearer tok-2"]);
    // The retry carried the same body bytes.
    let bodies: Vec<Vec<u8>> = api.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies, [br#"{"do":[]}"#.to_vec(), br#"{"do":[]}"#.to_vec()]);
}

#[tokio::test]
async fn a_second_401_is_returned_not_retried_again() {
    let tokens = issuing_tokens(Some(3600), Duration::ZERO).await;
    let api = TestServer::replying(Reply::new(401)).await;
    let umapi = connector(&api, Auth::client_credentials(ims(&tokens)));
    let err = api_action!(GET "/x").send(&umapi).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!((api.count(), tokens.count()), (2, 2));
    // The second 401 did not throw the fresh token away (it may be about this
    // endpoint only): the next call starts with it.
    let raw = api_action!(GET "/x").send_raw(&umapi).await.unwrap();
    assert_eq!(raw.status, StatusCode::UNAUTHORIZED);
    assert_eq!((api.count(), tokens.count()), (4, 3));
}

#[tokio::test]
async fn fixed_credentials_are_not_retried_on_401() {
    let api = TestServer::replying(Reply::new(401)).await;
    let scim = connector(&api, Auth::bearer("wrong"));
    let raw = api_action!(GET "/Users").send_raw(&scim).await.unwrap();
    assert_eq!((raw.status, api.count()), (StatusCode::UNAUTHORIZED, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_401s_for_one_token_cause_one_refresh() {
    let tokens = issuing_tokens(Some(3600), Duration::ZERO).await;
    let api = refusing_first_token(Duration::from_millis(30)).await;
    let umapi = connector(&api, Auth::client_credentials(ims(&tokens)));
    let calls = spawn_calls(&umapi, 20);
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().body["auth"], "Bearer tok-2");
    }
    // One token for the first wave, one after it was rejected: a 401 for tok-1
    // does not throw away tok-2 fetched by another call meanwhile.
    assert_eq!(tokens.count(), 2);
}

#[tokio::test]
async fn each_refresh_rotates_the_refresh_token_and_never_resends_the_old_one() {
    let tokens = rotating_tokens().await;
    let api = refusing_first_token(Duration::ZERO).await;
    let rotated = Arc::new(Mutex::new(Vec::new()));
    let jira = connector(&api, three_lo(&tokens, "r-1", rotated.clone()));

    // tok-1 is refused: the call refreshes with r-2 and retries with tok-2.
    let out = api_action!(GET "/rest/api/3/myself")
        .send(&jira)
        .await
        .unwrap();
    assert_eq!(out.body["auth"], "Bearer tok-2");
    api_action!(GET "/rest/api/3/myself")
        .send(&jira)
        .await
        .unwrap();

    let sent: Vec<String> = tokens
        .requests()
        .iter()
        .filter_map(|r| r.form_field("refresh_token"))
        .collect();
    assert_eq!(sent, ["r-1", "r-2"]);
    assert_eq!(*rotated.lock().unwrap(), ["r-2", "r-3"]);
    let form = tokens.requests()[0].form();
    assert_eq!(
        form[0],
        ("grant_type".to_string(), "refresh_token".to_string())
    );
    assert_eq!(form[1], ("client_id".to_string(), "app-1".to_string()));
}

#[tokio::test]
async fn invalid_grant_is_its_own_error_and_is_not_asked_again() {
    let tokens = rotating_tokens().await;
    let api = echoing_api().await;
    let jira = connector(&api, three_lo(&tokens, "r-dead", Arc::default()));
    let err = api_action!(GET "/rest/api/3/myself")
        .send(&jira)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidGrant { description: Some(d), .. } if d == "Unknown or invalid refresh token.")
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the OAuth grant was refused by {}/oauth/token (invalid_grant: Unknown or invalid refresh token.): the user must authorise the app again",
            tokens.url()
        )
    );
    let again = api_action!(GET "/rest/api/3/myself")
        .send(&jira)
        .await
        .unwrap_err();
    assert!(matches!(again, Error::InvalidGrant { .. }));
    assert_eq!((tokens.count(), api.count()), (1, 0));
}

async fn token_error(reply: Reply) -> TokenError {
    let tokens = TestServer::replying(reply).await;
    let api = echoing_api().await;
    let umapi = connector(&api, Auth::client_credentials(ims(&tokens)));
    match api_action!(GET "/x").send(&umapi).await.unwrap_err() {
        Error::Token(error) => {
            assert_eq!(api.count(), 0, "no call without a token");
            *error
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn token_endpoint_failures_are_clear_errors() {
    let err = token_error(Reply::json(503, r#"{"error":"temporarily_unavailable"}"#)).await;
    assert!(matches!(err, TokenError::Rejected { status, ref error, .. }
        if status == StatusCode::SERVICE_UNAVAILABLE && error.as_deref() == Some("temporarily_unavailable")));

    let err = token_error(
        Reply::new(502)
            .header("Content-Type", "text/html")
            .body("<html>502</html>"),
    )
    .await;
    assert!(matches!(err, TokenError::NotJson { status, .. } if status == StatusCode::BAD_GATEWAY));
    assert!(
        err.to_string()
            .ends_with("/ims/token/v3 answered 502 Bad Gateway with a body that is not JSON"),
        "{err}"
    );

    let err = token_error(Reply::json(
        200,
        r#"{"token_type":"bearer","expires_in":10}"#,
    ))
    .await;
    assert!(
        matches!(err, TokenError::MissingAccessToken { status, .. } if status == StatusCode::OK)
    );

    let err = token_error(Reply::json(
        401,
        r#"{"error":"invalid_client","error_description":"invalid client_secret parameter"}"#,
    ))
    .await;
    assert!(
        err.to_string().ends_with("/ims/token/v3 answered 401 Unauthorized (invalid_client): invalid client_secret parameter"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_cancelled_during_a_refresh_does_not_lose_the_rotated_token() {
    // The token endpoint answers slowly; the first call gives up before it does.
    let tokens = rotating_tokens_after(Duration::from_millis(300)).await;
    let api = echoing_api().await;
    let rotated = Arc::new(Mutex::new(Vec::new()));
    let jira = connector(&api, three_lo(&tokens, "r-1", rotated.clone()));

    let cancelled = tokio::time::timeout(
        Duration::from_millis(100),
        api_action!(GET "/x").send(&jira),
    )
    .await;
    assert!(cancelled.is_err(), "the first call was cancelled");
    let out = api_action!(GET "/x").send(&jira).await.unwrap();
    assert_eq!(out.body["auth"], "Bearer tok-1");
    let sent: Vec<String> = tokens
        .requests()
        .iter()
        .filter_map(|r| r.form_field("refresh_token"))
        .collect();
    assert_eq!(sent, ["r-1"], "the old refresh token was never sent again");
    assert_eq!(
        *rotated.lock().unwrap(),
        ["r-2"],
        "the new one reached the application"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_waiting_for_a_failed_token_request_share_its_error() {
    let tokens = TestServer::replying(
        Reply::json(503, r#"{"error":"temporarily_unavailable"}"#)
            .delay(Duration::from_millis(100)),
    )
    .await;
    let api = echoing_api().await;
    let umapi = connector(&api, Auth::client_credentials(ims(&tokens)));
    let started = Instant::now();
    let calls = spawn_calls(&umapi, 20);
    for call in calls {
        let err = call.await.unwrap().unwrap_err();
        assert!(
            err.to_string()
                .contains("answered 503 Service Unavailable (temporarily_unavailable)"),
            "{err}"
        );
    }
    assert_eq!(tokens.count(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // A later call asks again.
    let _ = api_action!(GET "/x").send(&umapi).await;
    assert_eq!(tokens.count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_that_expires_at_once_still_serves_the_calls_that_waited_for_it() {
    let tokens = issuing_tokens(Some(0), Duration::from_millis(50)).await;
    let api = echoing_api().await;
    let umapi = connector(&api, Auth::client_credentials(ims(&tokens)));
    let calls = spawn_calls(&umapi, 20);
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().body["auth"], "Bearer tok-1");
    }
    assert_eq!(tokens.count(), 1);
}

#[tokio::test]
async fn odd_token_answers_are_handled() {
    // A lifetime past what an `Instant` can hold is capped, not a panic.
    let tokens = TestServer::replying(Reply::json(
        200,
        r#"{"access_token":"tok-1","expires_in":18446744073709551615}"#,
    ))
    .await;
    let api = echoing_api().await;
    let umapi = connector(&api, Auth::client_credentials(ims(&tokens)));
    api_action!(GET "/x").send(&umapi).await.unwrap();
    api_action!(GET "/x").send(&umapi).await.unwrap();
    assert_eq!(tokens.count(), 1);
    // A token type the client does not understand is refused (RFC 6749 §7.1).
    let err = token_error(Reply::json(
        200,
        r#"{"access_token":"tok-1","token_type":"mac"}"#,
    ))
    .await;
    assert!(
        err.to_string()
            .ends_with("answered a `mac` token, not a bearer token"),
        "{err}"
    );
    // An `error` that is an object is reported as such, not as "not JSON".
    let err = token_error(Reply::json(400, r#"{"error":{"code":"x"}}"#)).await;
    assert!(
        matches!(&err, TokenError::Rejected { error: Some(e), .. } if e == r#"{"code":"x"}"#),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_for_a_token_counts_against_the_call_timeout() {
    let tokens = TestServer::replying(Reply::hang()).await;
    let api = echoing_api().await;
    let umapi = Connector::builder(api.url())
        .auth(Auth::client_credentials(ims(&tokens)))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let calls = spawn_calls(&umapi, 4);
    for call in calls {
        let err = call.await.unwrap().unwrap_err();
        println!("{err}");
        assert!(err.is_timeout(), "{err:?}");
    }
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn credentials_in_a_token_url_are_redacted() {
    let scheme = ClientCredentials::new(
        "http://idp:PASSWD@127.0.0.1:1/token?client_secret=QSECRET",
        "id",
        "s",
    );
    let auth = Auth::client_credentials(scheme);
    let api = echoing_api().await;
    let umapi = connector(&api, auth.clone());
    let err = api_action!(GET "/x").send(&umapi).await.unwrap_err();
    let text = format!("{auth:?} {umapi:?} {err} {err:?}");
    for secret in ["PASSWD", "QSECRET"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert!(
        text.contains("http://<redacted>@127.0.0.1:1/token?<redacted>"),
        "{text}"
    );
}

/// A scheme that signs each request: a key id header, and a "signature" over the
/// method, path and body (a stand-in for an HMAC).
#[derive(Debug)]
struct Signing;

impl api_action::AuthScheme for Signing {
    fn current(&self) -> Option<api_action::Credentials> {
        let key = api_action::header::HeaderValue::from_static("key-1");
        Some(api_action::Credentials::new([(
            api_action::header::HeaderName::from_static("x-key-id"),
            key,
        )]))
    }
    fn header_names(&self) -> Vec<api_action::header::HeaderName> {
        vec![
            api_action::header::HeaderName::from_static("x-key-id"),
            api_action::header::HeaderName::from_static("x-signature"),
        ]
    }
    fn sign(&self, request: &mut api_action::reqwest::Request) -> Result<(), Error> {
        let body = request
            .body()
            .and_then(|b| b.as_bytes())
            .map_or(0, <[u8]>::len);
        let signature = format!("{}:{}:{body}", request.method(), request.url().path());
        request.headers_mut().insert(
            "x-signature",
            api_action::header::HeaderValue::from_str(&signature).unwrap(),
        );
        Ok(())
    }
}

#[tokio::test]
async fn a_custom_scheme_can_sign_each_request() {
    let api = echoing_api().await;
    let signed = connector(&api, Auth::custom(Signing));
    api_action!(POST "/v1/events", body { "title": "deploy" })
        .send(&signed)
        .await
        .unwrap();
    let request = api.only_request();
    assert_eq!(request.header("x-key-id"), Some("key-1"));
    assert_eq!(request.header("x-signature"), Some("POST:/v1/events:18"));
    let err = api_action!(GET "/v1/x", headers { "X-Signature": "forged" })
        .send(&signed)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Request { .. }), "{err:?}");
}
