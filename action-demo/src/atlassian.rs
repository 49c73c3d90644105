//! Atlassian-like OAuth 2.0 (3LO) token endpoint with rotating refresh tokens, and
//! the Jira Cloud endpoint an app reaches through it (and with Basic auth).

use crate::tokens::{form_or_json, TokenBook};
use crate::{JIRA_API_TOKEN, JIRA_CLIENT_ID, JIRA_CLIENT_SECRET, JIRA_CLOUD_ID, JIRA_EMAIL};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

pub struct Atlassian {
    tokens: TokenBook,
    /// The one refresh token that works now; every refresh replaces it.
    refresh_token: Mutex<String>,
    pub token_requests: AtomicUsize,
    /// The Jira site's projects and issues.
    pub(crate) jira: crate::jira::Site,
}

impl Atlassian {
    pub fn new(initial_refresh_token: &str) -> Self {
        Atlassian {
            tokens: TokenBook::new("atl"),
            refresh_token: Mutex::new(initial_refresh_token.to_string()),
            token_requests: AtomicUsize::new(0),
            jira: crate::jira::Site::new(),
        }
    }

    /// Jira's auth: a 3LO bearer token through the gateway (`cloud` given), or
    /// Basic `email:api-token` on the site.
    pub(crate) fn check_jira_auth(
        &self,
        headers: &HeaderMap,
        cloud: Option<&str>,
    ) -> Result<(), Response> {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let ok = match cloud {
            Some(cloud) => {
                let bearer = presented.strip_prefix("Bearer ");
                if !bearer.is_some_and(|t| self.tokens.is_valid(t)) {
                    false
                } else if cloud != JIRA_CLOUD_ID {
                    return Err(json_response(
                        StatusCode::NOT_FOUND,
                        json!({ "errorMessages": [format!("Site {cloud} not found")], "errors": {} }),
                    ));
                } else {
                    true
                }
            }
            None => {
                use base64::Engine as _;
                let pair = format!("{JIRA_EMAIL}:{JIRA_API_TOKEN}");
                presented
                    == format!(
                        "Basic {}",
                        base64::engine::general_purpose::STANDARD.encode(pair)
                    )
            }
        };
        if ok {
            Ok(())
        } else {
            Err(unauthorized())
        }
    }

    /// Makes every access token issued so far invalid, as if an hour had passed.
    pub fn expire_access_tokens(&self) {
        self.tokens.expire_all();
    }
}

pub(crate) type Shared = Arc<Atlassian>;

pub fn router(atlassian: Shared) -> Router {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/ex/jira/{cloud}/rest/api/3/myself", get(myself_3lo))
        .route("/rest/api/3/myself", get(myself_basic))
        .merge(crate::jira::routes())
        .with_state(atlassian)
}

pub(crate) fn json_response(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `POST /oauth/token` with `grant_type=refresh_token`: a new access token and a new
/// refresh token; the refresh token sent is dead from then on.
async fn token(State(atlassian): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    atlassian.token_requests.fetch_add(1, Ordering::SeqCst);
    let form = form_or_json(&headers, &body);
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "refresh_token" {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({ "error": "unsupported_grant_type", "error_description": "Only refresh_token is supported by the demo" }),
        );
    }
    if field("client_id") != JIRA_CLIENT_ID || field("client_secret") != JIRA_CLIENT_SECRET {
        return json_response(
            StatusCode::UNAUTHORIZED,
            json!({ "error": "access_denied", "error_description": "Unauthorized" }),
        );
    }
    let mut current = atlassian
        .refresh_token
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if field("refresh_token") != current.as_str() {
        return json_response(
            StatusCode::FORBIDDEN,
            json!({ "error": "invalid_grant", "error_description": "Unknown or invalid refresh token." }),
        );
    }
    *current = atlassian.tokens.fresh("rt");
    json_response(
        StatusCode::OK,
        json!({
            "access_token": atlassian.tokens.issue(),
            "expires_in": 3600,
            "token_type": "Bearer",
            "refresh_token": current.as_str(),
            "scope": "read:jira-work read:jira-user offline_access",
        }),
    )
}

pub(crate) fn unauthorized() -> Response {
    json_response(
        StatusCode::UNAUTHORIZED,
        json!({ "code": 401, "message": "Unauthorized; scope does not match" }),
    )
}

fn me() -> serde_json::Value {
    json!({
        "accountId": "5b10a2844c20165700ede21g",
        "emailAddress": JIRA_EMAIL,
        "displayName": "Ada Lovelace",
        "active": true,
        "timeZone": "Europe/London",
    })
}

/// `GET /ex/jira/{cloudId}/rest/api/3/myself` with a 3LO bearer token.
async fn myself_3lo(
    State(atlassian): State<Shared>,
    Path(cloud): Path<String>,
    headers: HeaderMap,
) -> Response {
    match atlassian.check_jira_auth(&headers, Some(&cloud)) {
        Ok(()) => json_response(StatusCode::OK, me()),
        Err(denied) => denied,
    }
}

/// `GET /rest/api/3/myself` on the site, with Basic `email:api-token`.
async fn myself_basic(State(atlassian): State<Shared>, headers: HeaderMap) -> Response {
    match atlassian.check_jira_auth(&headers, None) {
        Ok(()) => json_response(StatusCode::OK, me()),
        Err(denied) => denied,
    }
}
