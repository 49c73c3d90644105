//! Retries, timeouts, redirects and hostile responses, each against a loopback
//! server that misbehaves on purpose. Delays are recorded, not slept.

mod common;

use api_action::{api_action, Auth, Connector, Error, RetryPolicy, StatusCode};
use common::{Reply, TestServer};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A retry policy that records each delay instead of waiting for it.
fn recorded_policy() -> (RetryPolicy, Arc<Mutex<Vec<Duration>>>) {
    let delays = Arc::new(Mutex::new(Vec::new()));
    let log = delays.clone();
    let policy = RetryPolicy::default()
        .backoff(Duration::from_millis(100), Duration::from_millis(400))
        .max_retry_after(Duration::from_secs(30))
        .sleep_with(move |delay| {
            log.lock().unwrap().push(delay);
            Box::pin(async {})
        });
    (policy, delays)
}

fn connector(server: &TestServer, policy: RetryPolicy) -> Connector {
    Connector::builder(server.url())
        .auth(Auth::api_key("X-Api-Key", "k-1"))
        .retry(policy)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_post_answered_503_is_sent_exactly_once() {
    let server = TestServer::replying(Reply::json(503, r#"{"error":"busy"}"#)).await;
    let (policy, delays) = recorded_policy();
    let api = connector(&server, policy);
    let err = api_action!(POST "/action/<orgId>", orgId = "o", body { "do": [] })
        .send(&api)
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.attempts()),
        (Some(StatusCode::SERVICE_UNAVAILABLE), Some(1))
    );
    let patch = api_action!(PATCH "/Users/<id>", id = 1, body { "active": false })
        .send_raw(&api)
        .await
        .unwrap();
    assert_eq!(patch.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(server.count(), 2, "one POST, one PATCH, no retries");
    assert!(delays.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_post_opted_in_is_retried_with_the_same_body_bytes() {
    let server = TestServer::replying(Reply::json(503, "{}")).await;
    let (policy, _) = recorded_policy();
    let api = connector(&server, policy);
    let keyed = api_action!(POST "/Users", headers { "Idempotency-Key": "create-ada" }, body { "userName": "ada" });
    assert_eq!(
        keyed.send_raw(&api).await.unwrap().status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let declared = api_action!(POST "/Users", body { "userName": "ada" }).idempotent();
    declared.send_raw(&api).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 6, "3 attempts each");
    for request in &requests {
        assert_eq!(request.body, br#"{"userName":"ada"}"#);
    }
}

#[tokio::test]
async fn retries_run_out_with_the_last_response_and_the_attempt_count() {
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let server = TestServer::start(move |_| {
        let n = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        Reply::json(502, &format!(r#"{{"attempt":{n}}}"#)).header("X-Attempt", &n.to_string())
    })
    .await;
    let (policy, delays) = recorded_policy();
    let api = connector(&server, policy.max_attempts(4));
    let err = api_action!(GET "/Users").send(&api).await.unwrap_err();
    let Error::Status(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (failure.attempts, failure.status()),
        (4, StatusCode::BAD_GATEWAY)
    );
    assert_eq!(failure.headers()["x-attempt"], "4");
    assert_eq!(failure.body()["attempt"], 4);
    assert_eq!(
        err.to_string(),
        r#"GET /Users returned 502 Bad Gateway after 4 attempts: {"attempt":4}"#
    );
    // Capped exponential backoff with full jitter: at most 100, 200, 400 ms.
    let delays = delays.lock().unwrap().clone();
    assert_eq!(delays.len(), 3);
    for (delay, cap) in delays.iter().zip([100, 200, 400]) {
        assert!(*delay <= Duration::from_millis(cap), "{delays:?}");
    }
}

#[tokio::test]
async fn a_success_after_retries_is_returned() {
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let server =
        TestServer::start(
            move |_| match calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
                0 => Reply::json(429, r#"{"errorMessages":["Rate limit exceeded"]}"#)
                    .header("Retry-After", "2"),
                1 => Reply::json(504, "{}"),
                _ => Reply::json(200, r#"{"ok":true}"#),
            },
        )
        .await;
    let (policy, delays) = recorded_policy();
    let api = connector(&server, policy);
    let out = api_action!(PUT "/rest/api/3/issue/<key>", key = "OPS-1", body { "fields": {} })
        .send(&api)
        .await
        .unwrap();
    assert_eq!(out.body["ok"], true);
    let delays = delays.lock().unwrap().clone();
    assert_eq!(
        delays[0],
        Duration::from_secs(2),
        "Retry-After in seconds, honoured exactly"
    );
    assert!(delays[1] <= Duration::from_millis(200));
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let server = TestServer::start({
        let calls = std::sync::atomic::AtomicUsize::new(0);
        move |_| match calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
            // A date in the past: retry at once.
            0 => Reply::new(503).header("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
            _ => Reply::json(200, "{}"),
        }
    })
    .await;
    let (policy, delays) = recorded_policy();
    api_action!(GET "/x")
        .send(&connector(&server, policy))
        .await
        .unwrap();
    assert_eq!(*delays.lock().unwrap(), [Duration::ZERO]);
}

#[tokio::test]
async fn a_retry_after_beyond_the_maximum_ends_the_retries() {
    let server = TestServer::replying(Reply::json(429, "{}").header("Retry-After", "3600")).await;
    let (policy, delays) = recorded_policy();
    let out = api_action!(GET "/x")
        .send_raw(&connector(&server, policy))
        .await
        .unwrap();
    assert_eq!(out.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(out.header("retry-after"), Some("3600"));
    assert_eq!(server.count(), 1);
    assert!(delays.lock().unwrap().is_empty());
}

#[tokio::test]
async fn retries_stop_when_the_total_time_is_used() {
    let server = TestServer::replying(Reply::new(503).header("Retry-After", "20")).await;
    let (policy, delays) = recorded_policy();
    let policy = policy.max_attempts(10).max_total(Duration::from_secs(30));
    api_action!(GET "/x")
        .send_raw(&connector(&server, policy))
        .await
        .unwrap();
    // The first 20 s wait fits in 30 s; a second one would not.
    assert_eq!(*delays.lock().unwrap(), [Duration::from_secs(20)]);
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_refused_connection_is_retried_for_a_get_only() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (policy, delays) = recorded_policy();
    let api = Connector::builder(format!("http://127.0.0.1:{port}"))
        .retry(policy)
        .build()
        .unwrap();
    let err = api_action!(GET "/x").send_raw(&api).await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().ends_with("(after 3 attempts)"), "{err}");
    assert_eq!(delays.lock().unwrap().len(), 2);
    let err = api_action!(POST "/x").send_raw(&api).await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { attempts: 1, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_within_the_bound() {
    let server = TestServer::replying(Reply::hang()).await;
    let api = Connector::builder(server.url())
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = api_action!(GET "/slow").send_raw(&api).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Timeout { attempts: 1, .. }), "{err:?}");
    assert_eq!(err.to_string(), "GET /slow: timed out");
    assert!(
        elapsed >= Duration::from_millis(200) && elapsed < Duration::from_millis(1500),
        "{elapsed:?}"
    );

    // A call's own timeout overrides the connector's.
    let started = Instant::now();
    let err = api_action!(GET "/slow")
        .timeout(Duration::from_millis(50))
        .send_raw(&api)
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    assert!(
        started.elapsed() < Duration::from_millis(190),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_body_sent_one_byte_at_a_time_times_out_within_the_bound() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 1024];
        let _ = stream.read(&mut buf).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n").await;
        for _ in 0..1000 {
            if stream.write_all(b" ").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let api = Connector::builder(url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = api_action!(GET "/trickle")
        .send_raw(&api)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
}

async fn typed_error(reply: Reply) -> Error {
    let server = TestServer::replying(reply).await;
    let api = Connector::builder(server.url())
        .retry(RetryPolicy::none())
        .max_body_bytes(1024)
        .build()
        .unwrap();
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct User {
        id: String,
    }
    api_action!(GET "/Users/<id>" -> User, id = 1)
        .send(&api)
        .await
        .unwrap_err()
}

#[tokio::test]
async fn hostile_bodies_are_specific_errors_never_panics() {
    // Invalid JSON.
    let err = typed_error(Reply::json(200, r#"{"id": "#)).await;
    assert!(
        matches!(&err, Error::Decode(e) if e.message == "EOF while parsing a value"),
        "{err:?}"
    );
    // JSON of the wrong shape.
    let err = typed_error(Reply::json(200, r#"{"id": 7}"#)).await;
    assert!(
        matches!(&err, Error::Decode(e) if e.path == "id"),
        "{err:?}"
    );
    // A 204 where a body was expected.
    let err = typed_error(Reply::new(204)).await;
    assert!(
        matches!(&err, Error::Decode(e) if e.message.ends_with("(the body is empty)")),
        "{err:?}"
    );
    // A 200 that is not JSON.
    let err = typed_error(
        Reply::new(200)
            .header("Content-Type", "text/html; charset=utf-8")
            .body("<html>login</html>"),
    )
    .await;
    assert_eq!(
        err.to_string(),
        "GET /Users/<id> returned 200 OK with `Content-Type: text/html; charset=utf-8`, not JSON; body: <html>login</html>"
    );
    // An HTML 502 page.
    let err = typed_error(
        Reply::new(502)
            .header("Content-Type", "text/html")
            .body("<h1>502</h1>"),
    )
    .await;
    assert!(
        matches!(&err, Error::Status(s) if s.body() == &serde_json::json!("<h1>502</h1>")),
        "{err:?}"
    );
}

#[tokio::test]
async fn truncated_and_reset_bodies_are_body_errors() {
    // Content-Length says 50, 12 bytes come, the connection closes.
    let err = typed_error(Reply::raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{\"id\":\"trun",
    ))
    .await;
    assert!(
        matches!(err, Error::Body { status, .. } if status == StatusCode::OK),
        "{err:?}"
    );
    // Chunked, then a reset in the middle.
    let err = typed_error(
        Reply::raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"id\"\r\n").reset(),
    )
    .await;
    assert!(matches!(err, Error::Body { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("GET /Users/<id>: the 200 OK response's body could not be read"),
        "{err}"
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_without_buffering() {
    // Announced by Content-Length.
    let big = format!(r#"{{"id":"{}"}}"#, "x".repeat(2000));
    let err = typed_error(Reply::json(200, &big)).await;
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1024, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "GET /Users/<id>: the 200 OK response's body is larger than the 1024-byte limit"
    );
    // Chunked, with no length announced.
    let mut raw =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    for _ in 0..4 {
        raw.extend_from_slice(format!("200\r\n{}\r\n", "y".repeat(512)).as_bytes());
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let err = typed_error(Reply::raw(&raw)).await;
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
}

#[tokio::test]
async fn redirects_never_carry_credentials_to_another_origin() {
    let elsewhere = TestServer::replying(Reply::json(200, "{}")).await;
    let target = format!("{}/collect", elsewhere.url());
    let server = TestServer::start(move |request| match request.target() {
        "/away" => Reply::new(307).header("Location", &target),
        _ => Reply::json(200, "{}"),
    })
    .await;
    for auth in [
        Auth::bearer("b-SECRET"),
        Auth::api_key("X-Api-Key", "k-SECRET"),
        Auth::basic("u", "p"),
    ] {
        let api = Connector::builder(server.url()).auth(auth).build().unwrap();
        let out = api_action!(POST "/away", body { "a": 1 })
            .send_raw(&api)
            .await
            .unwrap();
        assert_eq!(out.status, StatusCode::TEMPORARY_REDIRECT);
    }
    assert_eq!(elsewhere.count(), 0, "nothing reached the other origin");
}

#[tokio::test]
async fn the_timeout_bounds_the_whole_call_across_retries() {
    let server = TestServer::replying(Reply::hang()).await;
    let api = Connector::builder(server.url())
        .timeout(Duration::from_millis(300))
        .retry(RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(1)))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = api_action!(GET "/x").send_raw(&api).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(600),
        "one deadline, not one per attempt: {elapsed:?}"
    );

    // A Retry-After longer than what is left of the timeout ends the call at once.
    let busy = TestServer::replying(Reply::new(503).header("Retry-After", "1")).await;
    let api = Connector::builder(busy.url())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let out = api_action!(GET "/x").send_raw(&api).await.unwrap();
    assert_eq!(
        (out.status, busy.count()),
        (StatusCode::SERVICE_UNAVAILABLE, 1)
    );
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn errors_after_retries_count_their_attempts() {
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let big = format!(r#"{{"id":"{}"}}"#, "x".repeat(2000));
    let server =
        TestServer::start(
            move |_| match calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
                0 | 1 => Reply::new(503),
                _ => Reply::json(200, &big),
            },
        )
        .await;
    let (policy, _) = recorded_policy();
    let api = Connector::builder(server.url())
        .retry(policy)
        .max_body_bytes(1000)
        .build()
        .unwrap();
    let err = api_action!(GET "/x").send_raw(&api).await.unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { attempts: 3, .. }),
        "{err:?}"
    );
    assert_eq!(err.attempts(), Some(3));
}

#[tokio::test]
async fn transport_errors_say_what_happened() {
    let server = TestServer::replying(Reply::raw(
        b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{\"id\"",
    ))
    .await;
    let api = Connector::builder(server.url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = api_action!(GET "/x").send_raw(&api).await.unwrap_err();
    assert!(
        err.to_string().starts_with(
            "GET /x: the 200 OK response's body could not be read: error decoding response body: "
        ),
        "{err}"
    );
}
