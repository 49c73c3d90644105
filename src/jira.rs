//! Jira Cloud REST v3: issues, JQL search and projects, declared with
//! `api_action!`. Feature `jira`.
//!
//! ```no_run
//! use api_action::{jira, presets};
//! use futures_util::StreamExt;
//!
//! # async fn run() -> Result<(), api_action::Error> {
//! let site = presets::jira_cloud_basic("acme", "ada@example.com", "api-token").build()?;
//! let created = site.send(jira::CreateIssue { body: jira::NewIssue::new("OPS", "Task", "Rotate keys") }).await?;
//! let mut open = jira::search(&site, "project = OPS ORDER BY created DESC");
//! while let Some(issue) = open.next().await {
//!     println!("{}", issue?.key);
//! }
//! # let _ = created; Ok(()) }
//! ```

use crate::paging::{paginate, Items, Step};
use crate::{api_action, Action as _, Connector, Error};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

api_action! {
    /// Read one issue.
    pub GetIssue = GET "/rest/api/3/issue/<issueIdOrKey>" -> Issue;
    /// Create an issue.
    pub CreateIssue = POST "/rest/api/3/issue" body<NewIssue> -> CreatedIssue;
    /// One page of a JQL search (enhanced search: pages by `nextPageToken`).
    pub SearchJql = POST "/rest/api/3/search/jql" body<SearchRequest> -> SearchPage;
    /// One page of projects (`startAt`/`maxResults`; the server may lower `maxResults`).
    pub ListProjects = GET "/rest/api/3/project/search" query<PageQuery> -> OffsetPage<Project>;
}

/// `startAt`/`maxResults` of an offset-paged listing.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageQuery {
    /// 0-based index of the first item.
    pub start_at: Option<u32>,
    /// Items per page asked for (the server may answer fewer).
    pub max_results: Option<u32>,
}

/// A page of an offset-paged listing.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OffsetPage<T> {
    /// 0-based index of this page's first item.
    pub start_at: u32,
    /// Items per page, as the server applied it.
    pub max_results: u32,
    /// All items, when the server counts them.
    #[serde(default)]
    pub total: Option<u32>,
    /// Whether this is the last page.
    #[serde(default)]
    pub is_last: Option<bool>,
    /// This page's items.
    #[serde(default = "Vec::new")]
    pub values: Vec<T>,
}

/// A project.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Project {
    /// Its id.
    pub id: String,
    /// Its key (`OPS`).
    pub key: String,
    /// Its name.
    pub name: String,
}

/// An issue: its id, key and fields (as JSON: fields depend on the site).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Issue {
    /// Its id.
    pub id: String,
    /// Its key (`OPS-1`).
    pub key: String,
    /// Its fields.
    #[serde(default)]
    pub fields: Value,
}

/// The body of [`CreateIssue`]: `{"fields": {...}}`.
#[derive(Debug, Clone, Serialize)]
pub struct NewIssue {
    /// The fields; [`NewIssue::new`] sets project, issue type and summary.
    pub fields: BTreeMap<String, Value>,
}

impl NewIssue {
    /// An issue of `issue_type` (`Task`, `Bug`) in project `project_key`.
    pub fn new(project_key: &str, issue_type: &str, summary: &str) -> Self {
        let mut fields = BTreeMap::new();
        fields.insert("project".into(), serde_json::json!({ "key": project_key }));
        fields.insert(
            "issuetype".into(),
            serde_json::json!({ "name": issue_type }),
        );
        fields.insert("summary".into(), Value::from(summary));
        NewIssue { fields }
    }

    /// Sets another field (`labels`, `priority`, a custom field).
    pub fn field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(name.into(), value.into());
        self
    }
}

/// What creating an issue answers.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct CreatedIssue {
    /// Its id.
    pub id: String,
    /// Its key.
    pub key: String,
    /// Its REST URL.
    #[serde(rename = "self")]
    pub url: String,
}

/// The body of [`SearchJql`].
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    /// The JQL query.
    pub jql: String,
    /// Issues per page asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_results: Option<u32>,
    /// The page to read, from the previous page's `nextPageToken`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// The fields to return (`*navigable` when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
}

/// A page of a JQL search.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
    /// This page's issues.
    #[serde(default)]
    pub issues: Vec<Issue>,
    /// The token of the next page, absent on the last.
    #[serde(default)]
    pub next_page_token: Option<String>,
    /// Whether this is the last page.
    #[serde(default)]
    pub is_last: Option<bool>,
}

/// Jira's error body: `{"errorMessages": [...], "errors": {"field": "message"}}`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct JiraError {
    /// Messages about the request as a whole.
    #[serde(default)]
    pub error_messages: Vec<String>,
    /// Messages about fields, by field.
    #[serde(default)]
    pub errors: BTreeMap<String, String>,
}

/// The Jira error body of a failed call, if it carried one.
pub fn error(error: &Error) -> Option<JiraError> {
    match error {
        Error::Status(failure) => serde_json::from_value(failure.body().clone()).ok(),
        _ => None,
    }
}

/// Every project visible to the caller, as a stream. `startAt` advances by the
/// number of projects each page actually held, so a server that lowers
/// `maxResults` loses nothing; the stream ends on `isLast` (or an empty page).
pub fn projects(site: &Connector) -> Items<Project> {
    paginate(
        site,
        0u32,
        |start_at: &u32| {
            ListProjects {
                query: PageQuery {
                    start_at: Some(*start_at),
                    max_results: Some(100),
                },
            }
            .into_request()
        },
        |_, page| {
            let page = page.body;
            let next_start = page.start_at + page.values.len() as u32;
            let last = page.is_last.unwrap_or(false)
                || page.values.is_empty()
                || page.total.is_some_and(|total| next_start >= total);
            Step {
                items: page.values,
                next: (!last).then_some(next_start),
            }
        },
    )
}

/// The issues a JQL query finds, as a stream (pages by `nextPageToken`).
pub fn search(site: &Connector, jql: impl Into<String>) -> Items<Issue> {
    let jql = jql.into();
    paginate(
        site,
        None::<String>,
        move |token: &Option<String>| {
            SearchJql {
                body: SearchRequest {
                    jql: jql.clone(),
                    max_results: Some(100),
                    next_page_token: token.clone(),
                    fields: vec!["summary".into(), "status".into()],
                },
            }
            .into_request()
        },
        |_, page| {
            let page = page.body;
            let next = match (page.is_last, page.next_page_token) {
                (Some(true), _) | (_, None) => None,
                (_, Some(token)) => Some(Some(token)),
            };
            Step {
                items: page.issues,
                next,
            }
        },
    )
}
