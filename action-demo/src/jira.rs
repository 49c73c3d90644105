//! A Jira Cloud site: projects (offset paging, `maxResults` capped at 50), issues,
//! enhanced JQL search (`nextPageToken`), Jira's error shape, and 429s with
//! `Retry-After` on demand. Served on the site (Basic auth) and through the OAuth
//! gateway `/ex/jira/{cloudId}` (bearer), as Jira Cloud is.

use crate::atlassian::{json_response, Shared};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Jira lowers `maxResults` on project search to this.
const MAX_PROJECTS: u32 = 50;
/// And on JQL search to this.
const MAX_ISSUES: u32 = 100;

pub struct Site {
    projects: Mutex<Vec<Value>>,
    issues: Mutex<Vec<Value>>,
    next_issue_id: AtomicU64,
    /// How many of the next API requests answer 429.
    throttled: AtomicUsize,
    pub(crate) requests: AtomicUsize,
}

impl Site {
    pub fn new() -> Self {
        let site = Site {
            projects: Mutex::new(Vec::new()),
            issues: Mutex::new(Vec::new()),
            next_issue_id: AtomicU64::new(10_000),
            throttled: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
        };
        for (key, name) in [
            ("OPS", "Operations"),
            ("ENG", "Engineering"),
            ("WEB", "Website"),
        ] {
            site.add_project(key, name);
        }
        site.add_issue("OPS", "Task", "Rotate the directory API key");
        site.add_issue("OPS", "Bug", "Printer on fire");
        site.add_issue("ENG", "Story", "Typed SDK declarations");
        site
    }

    fn add_project(&self, key: &str, name: &str) {
        let mut projects = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        let id = 10_000 + projects.len();
        projects.push(json!({ "id": id.to_string(), "key": key, "name": name }));
    }

    fn add_issue(&self, project: &str, issue_type: &str, summary: &str) -> Value {
        let mut issues = self.issues.lock().unwrap_or_else(PoisonError::into_inner);
        let number = issues
            .iter()
            .filter(|i| i["fields"]["project"]["key"] == project)
            .count()
            + 1;
        let id = self
            .next_issue_id
            .fetch_add(1, Ordering::SeqCst)
            .to_string();
        let issue = json!({
            "id": id,
            "key": format!("{project}-{number}"),
            "fields": {
                "summary": summary,
                "issuetype": { "name": issue_type },
                "project": { "key": project },
                "status": { "name": "To Do" },
            },
        });
        issues.push(issue.clone());
        issue
    }

    /// Adds `count` projects (`P1`, `P2`, ...).
    pub fn seed_projects(&self, count: usize) {
        for n in 1..=count {
            self.add_project(&format!("P{n}"), &format!("Project {n}"));
        }
    }

    /// Adds `count` issues to project `OPS`.
    pub fn seed_issues(&self, count: usize) {
        for n in 1..=count {
            self.add_issue("OPS", "Task", &format!("Seeded issue {n}"));
        }
    }

    /// The next `count` API requests answer `429` with `Retry-After`.
    pub fn throttle(&self, count: usize) {
        self.throttled.store(count, Ordering::SeqCst);
    }
}

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/rest/api/3/project/search", get(projects))
        .route("/ex/jira/{cloud}/rest/api/3/project/search", get(projects))
        .route("/rest/api/3/issue", post(create_issue))
        .route("/ex/jira/{cloud}/rest/api/3/issue", post(create_issue))
        .route("/rest/api/3/issue/{key}", get(read_issue))
        .route("/ex/jira/{cloud}/rest/api/3/issue/{key}", get(read_issue))
        .route("/rest/api/3/search/jql", post(search))
        .route("/ex/jira/{cloud}/rest/api/3/search/jql", post(search))
}

/// The cloud id when the request came through the OAuth gateway.
fn cloud_of(uri: &Uri) -> Option<String> {
    let rest = uri.path().strip_prefix("/ex/jira/")?;
    Some(rest.split('/').next().unwrap_or_default().to_string())
}

/// Auth, the request count, and throttling, before any endpoint.
fn admit(atlassian: &Shared, uri: &Uri, headers: &HeaderMap) -> Result<(), Response> {
    atlassian.jira.requests.fetch_add(1, Ordering::SeqCst);
    atlassian.check_jira_auth(headers, cloud_of(uri).as_deref())?;
    let throttled = atlassian
        .jira
        .throttled
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if throttled {
        return Err((
            StatusCode::TOO_MANY_REQUESTS,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::RETRY_AFTER, "1"),
                (header::HeaderName::from_static("x-ratelimit-limit"), "100"),
                (
                    header::HeaderName::from_static("x-ratelimit-remaining"),
                    "0",
                ),
                (
                    header::HeaderName::from_static("ratelimit-reason"),
                    "jira-burst-based",
                ),
            ],
            json!({ "errorMessages": ["Rate limit exceeded."], "errors": {} }).to_string(),
        )
            .into_response());
    }
    Ok(())
}

/// `admit`, then the body as JSON (Jira answers an unparsable one with a 400).
fn admit_json(
    atlassian: &Shared,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Value, Response> {
    admit(atlassian, uri, headers)?;
    serde_json::from_slice(body).map_err(|_| {
        jira_error(
            StatusCode::BAD_REQUEST,
            &["Invalid request payload."],
            json!({}),
        )
    })
}

fn jira_error(status: StatusCode, messages: &[&str], errors: Value) -> Response {
    json_response(
        status,
        json!({ "errorMessages": messages, "errors": errors }),
    )
}

fn number(pairs: &[(String, String)], key: &str) -> Option<u32> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
}

async fn projects(
    State(atlassian): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(denied) = admit(&atlassian, &uri, &headers) {
        return denied;
    }
    let pairs = crate::form::pairs(query.as_deref().unwrap_or_default());
    let start_at = number(&pairs, "startAt").unwrap_or(0);
    let max_results = number(&pairs, "maxResults")
        .unwrap_or(MAX_PROJECTS)
        .min(MAX_PROJECTS);
    let projects = atlassian
        .jira
        .projects
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let values: Vec<&Value> = projects
        .iter()
        .skip(start_at as usize)
        .take(max_results as usize)
        .collect();
    let total = projects.len() as u32;
    json_response(
        StatusCode::OK,
        json!({
            "startAt": start_at,
            "maxResults": max_results,
            "total": total,
            "isLast": start_at + values.len() as u32 >= total,
            "values": values,
        }),
    )
}

async fn read_issue(State(atlassian): State<Shared>, uri: Uri, headers: HeaderMap) -> Response {
    if let Err(denied) = admit(&atlassian, &uri, &headers) {
        return denied;
    }
    let key = uri
        .path()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let issues = atlassian
        .jira
        .issues
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match issues
        .iter()
        .find(|i| i["key"] == key.as_str() || i["id"] == key.as_str())
    {
        Some(issue) => json_response(StatusCode::OK, issue.clone()),
        None => jira_error(
            StatusCode::NOT_FOUND,
            &["Issue does not exist or you do not have permission to see it."],
            json!({}),
        ),
    }
}

async fn create_issue(
    State(atlassian): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match admit_json(&atlassian, &uri, &headers, &body) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let fields = &body["fields"];
    let project = fields["project"]["key"].as_str().unwrap_or_default();
    let mut errors = serde_json::Map::new();
    let known = atlassian
        .jira
        .projects
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .any(|p| p["key"] == project);
    if !known {
        errors.insert("project".into(), json!("valid project is required"));
    }
    let summary = fields["summary"].as_str().unwrap_or_default();
    if summary.trim().is_empty() {
        errors.insert(
            "summary".into(),
            json!("You must specify a summary of the issue."),
        );
    }
    let issue_type = fields["issuetype"]["name"].as_str().unwrap_or_default();
    if issue_type.is_empty() {
        errors.insert("issuetype".into(), json!("Specify an issue type"));
    }
    if !errors.is_empty() {
        return jira_error(StatusCode::BAD_REQUEST, &[], Value::Object(errors));
    }
    let issue = atlassian.jira.add_issue(project, issue_type, summary);
    let base = cloud_of(&uri).map_or(String::new(), |c| format!("/ex/jira/{c}"));
    json_response(
        StatusCode::CREATED,
        json!({
            "id": issue["id"],
            "key": issue["key"],
            "self": format!("{base}/rest/api/3/issue/{}", issue["id"].as_str().unwrap_or_default()),
        }),
    )
}

/// `POST /rest/api/3/search/jql`: `project = KEY` or no JQL; pages by an opaque
/// `nextPageToken`, no total.
async fn search(
    State(atlassian): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match admit_json(&atlassian, &uri, &headers, &body) {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let jql = body["jql"].as_str().unwrap_or_default().trim();
    let project = match jql.split(" ORDER BY").next().unwrap_or_default().trim() {
        "" => None,
        clause => match clause
            .strip_prefix("project = ")
            .or_else(|| clause.strip_prefix("project="))
        {
            Some(key) => Some(key.trim().trim_matches('"').to_string()),
            None => {
                return jira_error(
                    StatusCode::BAD_REQUEST,
                    &["The demo understands only `project = KEY` queries."],
                    json!({}),
                )
            }
        },
    };
    let max_results = body["maxResults"]
        .as_u64()
        .unwrap_or(50)
        .min(u64::from(MAX_ISSUES)) as usize;
    let offset = match body["nextPageToken"].as_str() {
        None => 0,
        Some(token) => match token.strip_prefix("page-").and_then(|n| n.parse().ok()) {
            Some(offset) => offset,
            None => {
                return jira_error(
                    StatusCode::BAD_REQUEST,
                    &["Invalid nextPageToken."],
                    json!({}),
                )
            }
        },
    };
    let issues = atlassian
        .jira
        .issues
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let matching: Vec<&Value> = issues
        .iter()
        .filter(|i| {
            project
                .as_deref()
                .map_or(true, |p| i["fields"]["project"]["key"] == p)
        })
        .collect();
    let page: Vec<&Value> = matching
        .iter()
        .skip(offset)
        .take(max_results)
        .copied()
        .collect();
    let next = offset + page.len();
    let mut answer = json!({ "issues": page, "isLast": next >= matching.len() });
    if next < matching.len() {
        answer["nextPageToken"] = json!(format!("page-{next}"));
    }
    json_response(StatusCode::OK, answer)
}
