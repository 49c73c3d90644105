//! The typed Jira module against the demo site: issues, typed errors, offset and
//! token paging, both auth paths, and rate limiting with `Retry-After`.

use action_demo as demo;
use api_action::{jira, presets, Connector, RetryPolicy, StatusCode};
use futures_util::StreamExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn site() -> (demo::DemoServer, Connector) {
    let server = demo::DemoServer::start().await.unwrap();
    let connector = presets::jira_cloud_basic("acme", demo::JIRA_EMAIL, demo::JIRA_API_TOKEN)
        .base_url(server.jira_site_url())
        .build()
        .unwrap();
    (server, connector)
}

#[tokio::test]
async fn issues_are_created_and_read() {
    let (_server, site) = site().await;
    let created = site
        .send(jira::CreateIssue {
            body: jira::NewIssue::new("OPS", "Task", "Rotate keys")
                .field("labels", vec!["security"]),
        })
        .await
        .unwrap();
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body.key, "OPS-3");
    let issue = site
        .send(jira::GetIssue {
            issue_id_or_key: "OPS-3",
        })
        .await
        .unwrap()
        .body;
    assert_eq!(issue.fields["summary"], "Rotate keys");
}

#[tokio::test]
async fn jira_errors_are_typed() {
    let (_server, site) = site().await;
    let err = site
        .send(jira::CreateIssue {
            body: jira::NewIssue::new("NOPE", "Task", " "),
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    let body = jira::error(&err).unwrap();
    assert_eq!(body.errors["project"], "valid project is required");
    assert_eq!(
        body.errors["summary"],
        "You must specify a summary of the issue."
    );
    let err = site
        .send(jira::GetIssue {
            issue_id_or_key: "OPS-999",
        })
        .await
        .unwrap_err();
    assert_eq!(
        jira::error(&err).unwrap().error_messages,
        ["Issue does not exist or you do not have permission to see it."]
    );
}

#[tokio::test]
async fn projects_stream_through_a_lowered_max_results() {
    let (server, site) = site().await;
    server.seed_jira_projects(117);
    let before = server.jira_requests();
    let projects: Vec<jira::Project> = jira::projects(&site).map(Result::unwrap).collect().await;
    assert_eq!(projects.len(), 120);
    assert_eq!(
        (projects[0].key.as_str(), projects[119].key.as_str()),
        ("OPS", "P117")
    );
    // Asked for 100 a page, answered 50: 3 pages, nothing skipped.
    assert_eq!(server.jira_requests() - before, 3);
}

#[tokio::test]
async fn a_jql_search_streams_by_next_page_token() {
    let (server, site) = site().await;
    server.seed_jira_issues(250);
    let before = server.jira_requests();
    let keys: Vec<String> = jira::search(&site, "project = OPS ORDER BY created DESC")
        .map(|issue| issue.unwrap().key)
        .collect()
        .await;
    assert_eq!(keys.len(), 252);
    assert_eq!((keys[0].as_str(), keys[251].as_str()), ("OPS-1", "OPS-252"));
    assert_eq!(server.jira_requests() - before, 3, "pages of 100, 100, 52");
}

#[tokio::test]
async fn rate_limits_are_waited_out_as_retry_after_says() {
    let (server, _) = site().await;
    let waits = Arc::new(Mutex::new(Vec::new()));
    let log = waits.clone();
    let site = presets::jira_cloud_basic("acme", demo::JIRA_EMAIL, demo::JIRA_API_TOKEN)
        .base_url(server.jira_site_url())
        .retry(RetryPolicy::default().sleep_with(move |delay| {
            log.lock().unwrap().push(delay);
            Box::pin(async {})
        }))
        .build()
        .unwrap();
    server.throttle_jira(2);
    let issue = site
        .send(jira::GetIssue {
            issue_id_or_key: "OPS-1",
        })
        .await
        .unwrap();
    assert_eq!(issue.body.key, "OPS-1");
    assert_eq!(
        *waits.lock().unwrap(),
        [Duration::from_secs(1), Duration::from_secs(1)]
    );
    // A POST is not retried: the 429 comes back with Jira's headers.
    server.throttle_jira(1);
    let err = site
        .send(jira::CreateIssue {
            body: jira::NewIssue::new("OPS", "Task", "x"),
        })
        .await
        .unwrap_err();
    let api_action::Error::Status(failure) = err else {
        panic!()
    };
    assert_eq!(failure.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(failure.headers()["retry-after"], "1");
    assert_eq!(failure.headers()["ratelimit-reason"], "jira-burst-based");
}

#[tokio::test]
async fn the_same_module_works_through_the_oauth_gateway() {
    let server = demo::DemoServer::start().await.unwrap();
    let app = presets::atlassian_3lo(
        demo::JIRA_CLIENT_ID,
        demo::JIRA_CLIENT_SECRET,
        demo::JIRA_REFRESH_TOKEN,
    )
    .with_token_url(server.atlassian_token_url());
    let site = presets::jira_cloud_oauth(demo::JIRA_CLOUD_ID, app)
        .base_url(server.jira_oauth_base_url())
        .build()
        .unwrap();
    let projects: Vec<jira::Project> = jira::projects(&site).map(Result::unwrap).collect().await;
    assert_eq!(projects.len(), 3);
    let created = site
        .send(jira::CreateIssue {
            body: jira::NewIssue::new("WEB", "Bug", "Typo"),
        })
        .await
        .unwrap();
    assert_eq!(
        created.body.url,
        format!(
            "/ex/jira/{}/rest/api/3/issue/{}",
            demo::JIRA_CLOUD_ID,
            created.body.id
        )
    );
}
