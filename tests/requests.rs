//! What goes on the wire, and what comes back: each test sends a real request to a
//! loopback server that records the bytes it received.

mod common;

use api_action::{api_action, Auth, Connector, Error, RequestProblem, RetryPolicy, StatusCode};
use common::{Reply, TestServer};
use serde::{Deserialize, Serialize};
use std::time::Duration;

fn connector(base: String) -> Connector {
    Connector::builder(base)
        .auth(Auth::bearer("t0ken-SECRET"))
        // The default policy, with millisecond backoff so tests do not wait.
        .retry(RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(2)))
        .build()
        .unwrap()
}

async fn ok_server() -> TestServer {
    TestServer::replying(Reply::json(200, "{}")).await
}

#[tokio::test]
async fn hostile_path_values_become_one_encoded_segment_each() {
    let server = ok_server().await;
    let api = connector(format!("{}/scim/directory/d1", server.url()));
    for value in ["a/b", "100%", "a b", "José", "%2F", "..a", "?x=1#f"] {
        api_action!(GET "/Users/<userId>/groups", userId = value)
            .send_raw(&api)
            .await
            .unwrap();
    }
    let lines: Vec<String> = server
        .requests()
        .into_iter()
        .map(|r| r.request_line)
        .collect();
    assert_eq!(
        lines,
        [
            "GET /scim/directory/d1/Users/a%2Fb/groups HTTP/1.1",
            "GET /scim/directory/d1/Users/100%25/groups HTTP/1.1",
            "GET /scim/directory/d1/Users/a%20b/groups HTTP/1.1",
            "GET /scim/directory/d1/Users/Jos%C3%A9/groups HTTP/1.1",
            "GET /scim/directory/d1/Users/%252F/groups HTTP/1.1",
            "GET /scim/directory/d1/Users/..a/groups HTTP/1.1",
            "GET /scim/directory/d1/Users/%3Fx%3D1%23f/groups HTTP/1.1",
        ]
    );
}

#[tokio::test]
async fn dot_and_empty_path_values_are_refused_before_sending() {
    let server = ok_server().await;
    let api = connector(server.url());
    for (value, refused) in [("..", ".."), (".", "."), ("", "")] {
        let err = api_action!(DELETE "/Users/<userId>", userId = value)
            .send_raw(&api)
            .await
            .unwrap_err();
        match err {
            Error::Request { call, problem } => {
                assert_eq!(call.template, "/Users/<userId>");
                assert_eq!(
                    problem,
                    RequestProblem::PathSegment {
                        placeholder: "userId",
                        value: refused
                    }
                );
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn integer_and_other_display_values_fill_placeholders() {
    let server = ok_server().await;
    let api = connector(server.url());
    let org = "ORG@AdobeOrg";
    let page = 3u32;
    api_action!(GET "/users/<orgId>/<page>", orgId = org, page)
        .send_raw(&api)
        .await
        .unwrap();
    assert_eq!(server.only_request().target(), "/users/ORG%40AdobeOrg/3");
}

#[tokio::test]
async fn base_url_prefix_is_kept_with_or_without_trailing_slash() {
    let server = ok_server().await;
    for base in ["/v2/usermanagement", "/v2/usermanagement/"] {
        let api = connector(format!("{}{base}", server.url()));
        api_action!(GET "/organizations")
            .send_raw(&api)
            .await
            .unwrap();
    }
    let targets: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.target().to_string())
        .collect();
    assert_eq!(
        targets,
        [
            "/v2/usermanagement/organizations",
            "/v2/usermanagement/organizations"
        ]
    );
}

#[tokio::test]
async fn query_is_literal_then_clause_with_none_left_out_and_sequences_repeated() {
    let server = ok_server().await;
    let api = connector(server.url());
    let missing: Option<u32> = None;
    api_action!(GET "/Users?count=100&attributes=userName",
    query {
        startIndex: 1,
        filter: Some(r#"userName eq "a&b c""#),
        excluded: missing,
        "x-ids": [7, 8],
    })
    .send_raw(&api)
    .await
    .unwrap();
    assert_eq!(
        server.only_request().target(),
        "/Users?count=100&attributes=userName&startIndex=1&filter=userName+eq+%22a%26b+c%22&x-ids=7&x-ids=8"
    );
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    start_at: u32,
    max_results: Option<u32>,
    expand: Vec<&'static str>,
}

#[tokio::test]
async fn query_value_writes_struct_fields_in_declaration_order() {
    let server = ok_server().await;
    let api = connector(server.url());
    let page = Page {
        start_at: 50,
        max_results: None,
        expand: vec!["names", "schema"],
    };
    api_action!(GET "/rest/api/3/project/search", query = page)
        .send_raw(&api)
        .await
        .unwrap();
    assert_eq!(
        server.only_request().target(),
        "/rest/api/3/project/search?startAt=50&expand=names&expand=schema"
    );
}

#[tokio::test]
async fn a_query_value_that_is_not_a_struct_is_refused_before_sending() {
    let server = ok_server().await;
    let api = connector(server.url());
    let err = api_action!(GET "/Users", query = 5)
        .send_raw(&api)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "GET /Users: query: `query = value` takes a struct or a map, not a number; for one key \
         write `query { key: value }`; nothing was sent"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn each_auth_scheme_sends_its_header() {
    let server = ok_server().await;
    for auth in [
        Auth::bearer("abc"),
        Auth::basic("ada@example.com", "api-token"),
        Auth::api_key("X-Api-Key", "k-123"),
        Auth::none(),
    ] {
        let api = Connector::new(server.url(), auth).unwrap();
        api_action!(GET "/me").send_raw(&api).await.unwrap();
    }
    let requests = server.requests();
    assert_eq!(requests[0].header_all("authorization"), ["Bearer abc"]);
    assert_eq!(
        requests[1].header_all("authorization"),
        ["Basic YWRhQGV4YW1wbGUuY29tOmFwaS10b2tlbg=="]
    );
    assert_eq!(requests[2].header_all("x-api-key"), ["k-123"]);
    assert!(requests[2].header("authorization").is_none());
    assert!(requests[3].header("authorization").is_none());
}

#[tokio::test]
async fn bodies_carry_the_connectors_content_type_and_exact_json() {
    let server = ok_server().await;
    let api = Connector::builder(server.url())
        .content_type("application/scim+json")
        .build()
        .unwrap();
    let active = false;
    api_action!(PATCH "/Users/<id>", id = "u1", body {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": "replace", "path": "active", "value": active }]
    })
    .send_raw(&api)
    .await
    .unwrap();
    api_action!(GET "/Users/<id>", id = "u1")
        .send_raw(&api)
        .await
        .unwrap();

    let requests = server.requests();
    assert_eq!(requests[0].request_line, "PATCH /Users/u1 HTTP/1.1");
    assert_eq!(
        requests[0].header("content-type"),
        Some("application/scim+json")
    );
    // Inline JSON keeps the keys in written order.
    assert_eq!(
        String::from_utf8(requests[0].body.clone()).unwrap(),
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}"#
    );
    assert_eq!(requests[1].header("content-type"), None);
    assert!(requests[1].body.is_empty());
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NewIssue {
    summary: String,
    labels: Vec<String>,
}

#[tokio::test]
async fn body_value_is_any_serialize() {
    let server = ok_server().await;
    let api = connector(server.url());
    let issue = NewIssue {
        summary: "Printer on fire".into(),
        labels: vec!["ops".into()],
    };
    api_action!(POST "/rest/api/3/issue", body = &issue)
        .send_raw(&api)
        .await
        .unwrap();
    let request = server.only_request();
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.body,
        br#"{"summary":"Printer on fire","labels":["ops"]}"#
    );
}

#[tokio::test]
async fn user_headers_are_sent_and_defaults_can_be_overridden() {
    let server = ok_server().await;
    let api = Connector::builder(server.url())
        .header("Accept", "application/scim+json")
        .build()
        .unwrap();
    let id = 42;
    api_action!(GET "/Users", headers { "X-Request-Id": id, "accept": "text/plain" })
        .send_raw(&api)
        .await
        .unwrap();
    let request = server.only_request();
    assert_eq!(request.header_all("x-request-id"), ["42"]);
    assert_eq!(request.header_all("accept"), ["text/plain"]);
}

#[tokio::test]
async fn header_values_with_cr_or_lf_are_refused_before_sending() {
    let server = ok_server().await;
    let api = connector(server.url());
    let hostile = "abc\r\nX-Injected: 1";
    let err = api_action!(GET "/Users", headers { "X-Request-Id": hostile })
        .send_raw(&api)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Request { problem: RequestProblem::HeaderValue { ref name }, .. } if name == "X-Request-Id"
    ));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn the_connectors_api_key_header_cannot_be_set_by_a_call() {
    let server = ok_server().await;
    let api = Connector::new(server.url(), Auth::api_key("X-Api-Key", "real")).unwrap();
    let err = api_action!(GET "/users", headers { "x-api-key": "forged" })
        .send_raw(&api)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Request { problem: RequestProblem::ReservedHeader { ref name }, .. } if name == "x-api-key"
    ));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn no_content_decodes_into_unit_and_empty_into_none() {
    let server = TestServer::replying(Reply::new(204)).await;
    let api = connector(server.url());
    let out = api_action!(DELETE "/Users/<id>" -> (), id = "u1")
        .send(&api)
        .await
        .unwrap();
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let out = api_action!(DELETE "/Users/<id>" -> Option<serde_json::Value>, id = "u1")
        .send(&api)
        .await
        .unwrap();
    assert_eq!(out.body, None);
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct ScimUser {
    id: String,
    user_name: String,
}

#[tokio::test]
async fn a_non_2xx_status_is_an_error_that_keeps_the_response() {
    let server = TestServer::replying(
        Reply::json(
            409,
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"taken"}"#,
        )
        .header("X-Trace", "t-1"),
    )
    .await;
    let api = connector(server.url());
    let err = api_action!(POST "/Users" -> ScimUser, body { "userName": "ada" })
        .send(&api)
        .await
        .unwrap_err();
    let Error::Status(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.status(), StatusCode::CONFLICT);
    assert_eq!(err.status(), Some(StatusCode::CONFLICT));
    assert_eq!(failure.headers()["x-trace"], "t-1");
    assert_eq!(failure.body()["scimType"], "uniqueness");
    assert_eq!(failure.call.template, "/Users");
    assert_eq!(
        err.to_string(),
        r#"POST /Users returned 409 Conflict: {"detail":"taken","schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"uniqueness","status":"409"}"#
    );
}

#[tokio::test]
async fn a_non_json_error_body_is_kept_as_text() {
    let server = TestServer::replying(
        Reply::new(502)
            .header("Content-Type", "text/html")
            .body("<html>Bad Gateway</html>"),
    )
    .await;
    let api = connector(server.url());
    let err = api_action!(GET "/Users").send(&api).await.unwrap_err();
    let Error::Status(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        failure.body(),
        &serde_json::json!("<html>Bad Gateway</html>")
    );
    // A GET answered 502 is retried; when the attempts run out, the last answer is kept.
    assert_eq!(
        err.to_string(),
        "GET /Users returned 502 Bad Gateway after 3 attempts: <html>Bad Gateway</html>"
    );
    assert_eq!((err.attempts(), server.count()), (Some(3), 3));
}

#[tokio::test]
async fn a_decode_error_names_call_status_path_position_and_excerpt() {
    let server = TestServer::replying(Reply::json(200, r#"{"id":"u1","userName":7}"#)).await;
    let api = connector(server.url());
    let err = api_action!(GET "/Users/<userId>" -> ScimUser, userId = "u1")
        .send(&api)
        .await
        .unwrap_err();
    let Error::Decode(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure.path, "userName");
    assert_eq!((failure.line, failure.column), (1, 23));
    assert_eq!(failure.excerpt, r#"{"id":"u1","userName":7}"#);
    assert_eq!(
        err.to_string(),
        r#"GET /Users/<userId> returned 200 OK with a body that does not decode at `userName` (line 1, column 23): invalid type: integer `7`, expected a string; body: {"id":"u1","userName":7}"#
    );
}

#[tokio::test]
async fn raw_send_reports_every_status_as_data() {
    let server = TestServer::start(|request| match request.target() {
        "/json" => Reply::json(404, r#"{"error":"nope"}"#),
        "/text" => Reply::new(503).body("try later"),
        _ => Reply::new(204),
    })
    .await;
    let api = connector(server.url());
    let json = api_action!(GET "/json").send_raw(&api).await.unwrap();
    assert_eq!(
        (json.status.as_u16(), json.body),
        (404, serde_json::json!({"error": "nope"}))
    );
    let text = api_action!(GET "/text").send_raw(&api).await.unwrap();
    assert_eq!(
        (text.status.as_u16(), text.body),
        (503, serde_json::json!("try later"))
    );
    let empty = api_action!(GET "/empty").send_raw(&api).await.unwrap();
    assert_eq!(
        (empty.status.as_u16(), empty.body),
        (204, serde_json::Value::Null)
    );
}

#[tokio::test]
async fn debug_and_display_never_show_secrets() {
    let server = TestServer::replying(Reply::json(401, r#"{"error":"bad key"}"#)).await;
    let secret = "t0ken-SECRET";
    let api = connector(server.url());
    let basic = Auth::basic("ada", "pa55-SECRET");
    let keyed = Connector::new(server.url(), Auth::api_key("X-Api-Key", "key-SECRET")).unwrap();
    let err = api_action!(GET "/Users").send(&api).await.unwrap_err();
    let refused = Connector::new("https://ada:pa55-SECRET@host.example", Auth::none()).unwrap_err();
    let text = format!("{api:?} {keyed:?} {basic:?} {err} {err:?} {refused} {refused:?}");
    for needle in [secret, "pa55-SECRET", "key-SECRET"] {
        assert!(!text.contains(needle), "{needle} leaked in {text}");
    }
    // The header did go out: redaction is in what we print, not what we send.
    assert_eq!(
        server.only_request().header("authorization"),
        Some("Bearer t0ken-SECRET")
    );
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_naming_the_call_not_its_values() {
    // Bind and release a loopback port, so nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let api = connector(format!("http://127.0.0.1:{port}"));
    let err = api_action!(GET "/Users/<id>", id = "user-SECRETID", query { token: "qry-SECRET" })
        .send_raw(&api)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { ref call, .. } if call.template == "/Users/<id>"),
        "{err:?}"
    );
    let text = format!("{err} {err:?}");
    assert!(
        text.starts_with("GET /Users/<id>: error sending request"),
        "{text}"
    );
    for value in ["user-SECRETID", "qry-SECRET", "t0ken-SECRET"] {
        assert!(!text.contains(value), "{value} in {text}");
    }
    assert_eq!(err.status(), None);
}

#[tokio::test]
async fn redirects_are_followed_within_the_origin_only() {
    let elsewhere = ok_server().await;
    let target = format!("{}/stolen", elsewhere.url());
    let server = TestServer::start(move |request| match request.target() {
        "/moved" => Reply::new(301).header("Location", "/Users"),
        "/away" => Reply::new(302).header("Location", &target),
        _ => Reply::json(200, r#"{"ok":true}"#),
    })
    .await;
    let api = Connector::new(server.url(), Auth::api_key("X-Api-Key", "k-1")).unwrap();

    let same = api_action!(GET "/moved").send(&api).await.unwrap();
    assert_eq!(same.body, serde_json::json!({"ok": true}));
    let followed = &server.requests()[1];
    assert_eq!(followed.target(), "/Users");
    assert_eq!(followed.header("x-api-key"), Some("k-1"));

    let away = api_action!(GET "/away").send_raw(&api).await.unwrap();
    assert_eq!(away.status, StatusCode::FOUND);
    assert_eq!(
        away.header("location"),
        Some(format!("{}/stolen", elsewhere.url()).as_str())
    );
    assert!(
        elsewhere.requests().is_empty(),
        "credentials left for another origin"
    );
}

/// Requests and their futures can move across threads (`tokio::spawn`).
#[test]
fn requests_and_their_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let api = Connector::new("http://127.0.0.1:9", Auth::none()).unwrap();
    let request = api_action!(GET "/Users/<id>" -> ScimUser, id = 1);
    assert_send(&request);
    let typed = request.send(&api);
    assert_send(&typed);
    let raw = api_action!(GET "/Users").send_raw(&api);
    assert_send(&raw);
}
