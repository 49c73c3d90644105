//! Declared actions on the wire: the generated structs send exactly what the
//! equivalent call sends.

mod common;

use api_action::{api_action, Auth, Connector, Error, StatusCode};
use common::{Reply, TestServer};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct IssueQuery {
    fields: Vec<&'static str>,
    expand: Option<&'static str>,
}

#[derive(Serialize)]
pub struct Tracing {
    #[serde(rename = "X-Request-Id")]
    request_id: String,
}

#[derive(Serialize)]
pub struct Comment {
    body: String,
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Created {
    id: String,
}

api_action! {
    /// Read one issue.
    pub GetIssue = GET "/rest/api/3/issue/<issueIdOrKey>?updateHistory=false" query<IssueQuery> headers<Tracing>;
    /// Comment on an issue.
    pub AddComment = POST "/rest/api/3/issue/<issueIdOrKey>/comment" body<Comment> -> Created;
    pub DeleteComment = DELETE "/rest/api/3/issue/<issueIdOrKey>/comment/<id>" -> ();
}

async fn jira(reply: Reply) -> (TestServer, Connector) {
    let server = TestServer::replying(reply).await;
    let api = Connector::new(
        format!("{}/ex/jira/cloud-1", server.url()),
        Auth::basic("ada@example.com", "token"),
    )
    .unwrap();
    (server, api)
}

#[tokio::test]
async fn a_declared_get_sends_path_query_and_headers() {
    let (server, api) = jira(Reply::json(200, r#"{"key":"OPS-1"}"#)).await;
    let action = GetIssue {
        issue_id_or_key: "OPS/1",
        query: IssueQuery {
            fields: vec!["summary", "status"],
            expand: None,
        },
        headers: Tracing {
            request_id: "r-42".into(),
        },
    };
    let out = api.send(action).await.unwrap();
    assert_eq!(out.body["key"], "OPS-1");
    let request = server.only_request();
    assert_eq!(
        request.request_line,
        "GET /ex/jira/cloud-1/rest/api/3/issue/OPS%2F1?updateHistory=false&fields=summary&fields=status HTTP/1.1"
    );
    assert_eq!(request.header("x-request-id"), Some("r-42"));
    assert_eq!(
        request.header("authorization"),
        Some("Basic YWRhQGV4YW1wbGUuY29tOnRva2Vu")
    );
}

#[tokio::test]
async fn a_declared_post_sends_its_body_and_decodes_the_response() {
    let (server, api) = jira(Reply::json(201, r#"{"id":"10001"}"#)).await;
    let out = api
        .send(AddComment {
            issue_id_or_key: 10042,
            body: Comment {
                body: "Done".into(),
            },
        })
        .await
        .unwrap();
    assert_eq!(
        (out.status, out.body),
        (StatusCode::CREATED, Created { id: "10001".into() })
    );
    let request = server.only_request();
    assert_eq!(
        request.request_line,
        "POST /ex/jira/cloud-1/rest/api/3/issue/10042/comment HTTP/1.1"
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.body, br#"{"body":"Done"}"#);
}

#[tokio::test]
async fn a_declared_action_reports_statuses_as_typed_errors_or_raw_data() {
    let (_server, api) = jira(Reply::json(
        404,
        r#"{"errorMessages":["Issue does not exist"],"errors":{}}"#,
    ))
    .await;
    let action = || DeleteComment {
        issue_id_or_key: "OPS-1",
        id: 7,
    };
    let err = api.send(action()).await.unwrap_err();
    let Error::Status(failure) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        failure.call.template,
        "/rest/api/3/issue/<issueIdOrKey>/comment/<id>"
    );
    assert_eq!(failure.body()["errorMessages"][0], "Issue does not exist");
    let raw = api.send_raw(action()).await.unwrap();
    assert_eq!(raw.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_call_is_an_action_too() {
    let (server, api) = jira(Reply::json(200, "[]")).await;
    let out = api
        .send(api_action!(GET "/rest/api/3/project" -> Vec<serde_json::Value>))
        .await
        .unwrap();
    assert!(out.body.is_empty());
    assert_eq!(
        server.only_request().target(),
        "/ex/jira/cloud-1/rest/api/3/project"
    );
}

#[tokio::test]
async fn headers_value_in_a_call_is_checked_at_run_time() {
    let (server, api) = jira(Reply::json(200, "{}")).await;
    let tracing = Tracing {
        request_id: "bad\nvalue".into(),
    };
    let err = api_action!(GET "/x", headers = tracing)
        .send_raw(&api)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "GET /x: the value of header `X-Request-Id` contains a control character (such as CR or LF) that could split the request; nothing was sent"
    );
    let owned = std::collections::BTreeMap::from([("authorization", "Bearer forged")]);
    let err = api_action!(GET "/x", headers = owned)
        .send_raw(&api)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "GET /x: header `authorization` is set by the connector and cannot be set by a call; nothing was sent"
    );
    assert!(server.requests().is_empty());
}

#[derive(Serialize)]
pub struct Paging {
    count: u32,
}

api_action! {
    pub ListWithDefault = GET "/Users?count=100" query<Paging>;
}

#[tokio::test]
async fn a_query_value_may_not_set_a_literal_key_again() {
    let (server, api) = jira(Reply::json(200, "{}")).await;
    let err = api
        .send_raw(ListWithDefault {
            query: Paging { count: 5 },
        })
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "GET /Users?count=100: query: key `count` is set both in the URL's literal query string and in the query value; nothing was sent"
    );
    assert!(server.requests().is_empty());
}
