//! Adobe-like IMS token endpoint (OAuth server-to-server) and User Management API.

use crate::tokens::{form_or_json, TokenBook};
use crate::{ADOBE_CLIENT_ID, ADOBE_CLIENT_SECRET, ADOBE_ORG_ID};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// UMAPI pages hold at most 200 users.
const PAGE_SIZE: usize = 200;

pub struct Adobe {
    tokens: TokenBook,
    users: Vec<Value>,
    groups: Vec<Value>,
    pub token_requests: AtomicUsize,
}

impl Adobe {
    pub fn new() -> Self {
        let users = [
            (
                "ada@example.com",
                "Ada",
                "Lovelace",
                &["Admins", "Engineering"][..],
            ),
            ("grace@example.com", "Grace", "Hopper", &["Engineering"][..]),
            ("alan@example.com", "Alan", "Turing", &[][..]),
        ]
        .iter()
        .enumerate()
        .map(|(i, (email, first, last, groups))| {
            json!({
                "id": format!("{:024X}@{}", i + 1, ADOBE_ORG_ID),
                "email": email,
                "status": "active",
                "username": email,
                "domain": "example.com",
                "firstname": first,
                "lastname": last,
                "country": "GB",
                "type": "federatedID",
                "groups": groups,
            })
        })
        .collect();
        let groups = [("Admins", 1), ("Engineering", 2)]
            .iter()
            .enumerate()
            .map(|(i, (name, count))| {
                json!({
                    "groupId": 4_000_000 + i,
                    "groupName": name,
                    "type": "USER_GROUP",
                    "memberCount": count,
                })
            })
            .collect();
        Adobe {
            tokens: TokenBook::new("ims"),
            users,
            groups,
            token_requests: AtomicUsize::new(0),
        }
    }
}

type Shared = Arc<Adobe>;

pub fn router(adobe: Shared) -> Router {
    Router::new()
        .route("/ims/token/v3", post(token))
        .route("/v2/usermanagement/users/{org}/{page}", get(users))
        .route(
            "/v2/usermanagement/organizations/{org}/users/{email}",
            get(user),
        )
        .route("/v2/usermanagement/groups/{org}/{page}", get(groups))
        .with_state(adobe)
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `POST /ims/token/v3`: client credentials for the demo's one integration.
async fn token(State(adobe): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    adobe.token_requests.fetch_add(1, Ordering::SeqCst);
    let form = form_or_json(&headers, &body);
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    if field("client_id") != ADOBE_CLIENT_ID || field("client_secret") != ADOBE_CLIENT_SECRET {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "invalid client_id or client_secret parameter",
        );
    }
    if !field("scope")
        .split(',')
        .any(|s| s.trim() == "user_management_sdk")
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "the scope must include user_management_sdk",
        );
    }
    let access = adobe.tokens.issue();
    let body = json!({ "access_token": access, "token_type": "bearer", "expires_in": 86399 });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// UMAPI answers a missing or unknown token, or a missing API key, with an empty
/// 401 and a `WWW-Authenticate` challenge.
fn authorize(adobe: &Adobe, headers: &HeaderMap) -> Result<(), Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let api_key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    if bearer.is_some_and(|t| adobe.tokens.is_valid(t)) && api_key == Some(ADOBE_CLIENT_ID) {
        return Ok(());
    }
    Err((
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            r#"Bearer realm="usermanagement.adobe.io", error="invalid_token""#,
        )],
    )
        .into_response())
}

fn json_ok(body: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn unknown_org(org: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "result": "error.organization.invalid_id", "message": format!("Organization {org} not found") })
            .to_string(),
    )
        .into_response()
}

/// A page of `items`; a page past the end answers the last page again, as UMAPI does.
fn page_of(items: &[Value], page: usize, key: &str) -> Response {
    let last = items.len().saturating_sub(1) / PAGE_SIZE;
    let page = page.min(last);
    let slice: Vec<&Value> = items
        .iter()
        .skip(page * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    json_ok(json!({ "lastPage": page == last, "result": "success", key: slice }))
}

async fn users(
    State(adobe): State<Shared>,
    Path((org, page)): Path<(String, usize)>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = authorize(&adobe, &headers) {
        return denied;
    }
    if org != ADOBE_ORG_ID {
        return unknown_org(&org);
    }
    page_of(&adobe.users, page, "users")
}

async fn groups(
    State(adobe): State<Shared>,
    Path((org, page)): Path<(String, usize)>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = authorize(&adobe, &headers) {
        return denied;
    }
    if org != ADOBE_ORG_ID {
        return unknown_org(&org);
    }
    page_of(&adobe.groups, page, "groups")
}

async fn user(
    State(adobe): State<Shared>,
    Path((org, email)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = authorize(&adobe, &headers) {
        return denied;
    }
    if org != ADOBE_ORG_ID {
        return unknown_org(&org);
    }
    match adobe.users.iter().find(|u| u["email"].as_str() == Some(email.as_str())) {
        Some(user) => json_ok(json!({ "result": "success", "user": user })),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            json!({ "result": "error.user.nonexistent", "message": format!("User {email} not found") })
                .to_string(),
        )
            .into_response(),
    }
}
