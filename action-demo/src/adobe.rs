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
use std::sync::{Arc, Mutex, PoisonError};

/// UMAPI pages hold at most 200 users.
const PAGE_SIZE: usize = 200;

pub struct Adobe {
    tokens: TokenBook,
    users: Mutex<Vec<Value>>,
    groups: Vec<Value>,
    pub token_requests: AtomicUsize,
    pub(crate) api_requests: AtomicUsize,
    /// How many of the next API requests answer 429 (Adobe: per-client throttling).
    pub(crate) throttled: AtomicUsize,
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
            users: Mutex::new(users),
            groups,
            token_requests: AtomicUsize::new(0),
            api_requests: AtomicUsize::new(0),
            throttled: AtomicUsize::new(0),
        }
    }

    fn users(&self) -> std::sync::MutexGuard<'_, Vec<Value>> {
        self.users.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `count` users (`member1@example.com`, ...).
    pub fn seed_users(&self, count: usize) {
        let mut users = self.users();
        for n in 1..=count {
            users.push(new_user(
                &format!("member{n}@example.com"),
                "federatedID",
                "Member",
                &n.to_string(),
            ));
        }
    }
}

fn new_user(email: &str, kind: &str, first: &str, last: &str) -> Value {
    json!({
        "id": format!("{:024X}@{}", email.len() * 7919 + email.bytes().map(usize::from).sum::<usize>(), ADOBE_ORG_ID),
        "email": email,
        "status": "active",
        "username": email,
        "domain": email.split('@').nth(1).unwrap_or_default(),
        "firstname": first,
        "lastname": last,
        "country": "GB",
        "type": kind,
        "groups": [],
    })
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
        .route("/v2/usermanagement/action/{org}", post(action))
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
    adobe.api_requests.fetch_add(1, Ordering::SeqCst);
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let api_key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    if bearer.is_some_and(|t| adobe.tokens.is_valid(t)) && api_key == Some(ADOBE_CLIENT_ID) {
        let throttled = adobe
            .throttled
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if throttled {
            // Adobe may give Retry-After as an HTTP-date: one a second from now.
            let at = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
            return Err((
                StatusCode::TOO_MANY_REQUESTS,
                [
                    (header::RETRY_AFTER, crate::time::http_date(at)),
                    (header::CONTENT_TYPE, "application/json".to_string()),
                ],
                json!({ "error_code": "429050", "message": "Too many requests" }).to_string(),
            )
                .into_response());
        }
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

/// A page of users or groups, after UMAPI's checks.
fn listing(adobe: &Adobe, org: &str, headers: &HeaderMap, page: usize, key: &str) -> Response {
    if let Err(denied) = authorize(adobe, headers) {
        return denied;
    }
    if org != ADOBE_ORG_ID {
        return unknown_org(org);
    }
    match key {
        "users" => page_of(&adobe.users(), page, key),
        _ => page_of(&adobe.groups, page, key),
    }
}

async fn users(
    State(adobe): State<Shared>,
    Path((org, page)): Path<(String, usize)>,
    headers: HeaderMap,
) -> Response {
    listing(&adobe, &org, &headers, page, "users")
}

async fn groups(
    State(adobe): State<Shared>,
    Path((org, page)): Path<(String, usize)>,
    headers: HeaderMap,
) -> Response {
    listing(&adobe, &org, &headers, page, "groups")
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
    match adobe.users().iter().find(|u| u["email"].as_str() == Some(email.as_str())) {
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

/// `POST /action/{orgId}[?testOnly=true]`: up to 10 commands, each a user and its
/// steps. Answers `200` whatever happens, with `success`, `partial` or `error`.
async fn action(
    State(adobe): State<Shared>,
    Path(org): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(denied) = authorize(&adobe, &headers) {
        return denied;
    }
    if org != ADOBE_ORG_ID {
        return unknown_org(&org);
    }
    let test_only = crate::form::pairs(query.as_deref().unwrap_or_default())
        .iter()
        .any(|(k, v)| k == "testOnly" && v == "true");
    let Ok(Value::Array(commands)) = serde_json::from_slice::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            json!({ "result": "error.request.malformed", "message": "The body must be a JSON array of commands" }).to_string(),
        )
            .into_response();
    };
    if commands.len() > 10 {
        return (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            json!({ "result": "error.command.count", "message": "At most 10 commands per request" }).to_string(),
        )
            .into_response();
    }
    let group_names: Vec<&str> = adobe
        .groups
        .iter()
        .filter_map(|g| g["groupName"].as_str())
        .collect();
    let mut users = adobe.users();
    let (mut completed, mut errors) = (0u32, Vec::new());
    for (index, command) in commands.iter().enumerate() {
        let user = command["user"].as_str().unwrap_or_default().to_string();
        let request_id = command["requestID"].clone();
        // Steps apply to a copy; the command is all or nothing.
        let mut working = users.clone();
        let mut failed = None;
        for (step_index, step) in command["do"].as_array().into_iter().flatten().enumerate() {
            let Some((kind, args)) = step.as_object().and_then(|o| o.iter().next()) else {
                failed = Some((
                    step_index,
                    "error.command.malformed",
                    "A step is a one-key object".to_string(),
                ));
                break;
            };
            let position = working.iter().position(|u| u["email"] == user.as_str());
            let outcome: Result<(), (&str, String)> = match (kind.as_str(), position) {
                ("addAdobeID" | "createFederatedID" | "createEnterpriseID", Some(_)) => Err((
                    "error.user.already_exists",
                    format!("User {user} already exists"),
                )),
                ("addAdobeID" | "createFederatedID" | "createEnterpriseID", None) => {
                    let kind = match kind.as_str() {
                        "addAdobeID" => "adobeID",
                        "createFederatedID" => "federatedID",
                        _ => "enterpriseID",
                    };
                    let mut created = new_user(
                        &user,
                        kind,
                        args["firstname"].as_str().unwrap_or_default(),
                        args["lastname"].as_str().unwrap_or_default(),
                    );
                    if let Some(country) = args["country"].as_str() {
                        created["country"] = json!(country);
                    }
                    working.push(created);
                    Ok(())
                }
                (_, None) => Err((
                    "error.user.nonexistent",
                    format!("User {user} does not exist"),
                )),
                ("add" | "remove", Some(i)) => {
                    let wanted: Vec<&str> = args["group"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    match wanted.iter().find(|g| !group_names.contains(g)) {
                        Some(missing) => Err((
                            "error.group.not_found",
                            format!("Group {missing} was not found"),
                        )),
                        None => {
                            let groups = working[i]["groups"]
                                .as_array_mut()
                                .expect("groups are a list");
                            for group in wanted {
                                let present = groups.iter().any(|g| g == group);
                                match (kind.as_str(), present) {
                                    ("add", false) => groups.push(json!(group)),
                                    ("remove", true) => groups.retain(|g| g != group),
                                    _ => {}
                                }
                            }
                            Ok(())
                        }
                    }
                }
                ("update", Some(i)) => {
                    for field in ["firstname", "lastname", "country"] {
                        if let Some(value) = args.get(field) {
                            working[i][field] = value.clone();
                        }
                    }
                    Ok(())
                }
                ("removeFromOrg", Some(i)) => {
                    working.remove(i);
                    Ok(())
                }
                (other, _) => Err(("error.command.unknown", format!("Unknown step {other}"))),
            };
            if let Err((code, message)) = outcome {
                failed = Some((step_index, code, message));
                break;
            }
        }
        match failed {
            None => {
                completed += 1;
                if !test_only {
                    *users = working;
                }
            }
            Some((step, code, message)) => errors.push(json!({
                "index": index,
                "step": step,
                "requestID": request_id,
                "user": user,
                "message": message,
                "errorCode": code,
            })),
        }
    }
    let not_completed = commands.len() as u32 - completed;
    let result = match (completed, not_completed) {
        (_, 0) => "success",
        (0, _) => "error",
        _ => "partial",
    };
    let (completed, in_test) = if test_only {
        (0, completed)
    } else {
        (completed, 0)
    };
    json_ok(json!({
        "result": result,
        "completed": completed,
        "notCompleted": not_completed,
        "completedInTestMode": in_test,
        "errors": errors,
    }))
}
