//! Atlassian-like SCIM 2.0 `/Users` endpoints over an in-memory directory.

use crate::time::now_rfc3339;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub(crate) const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub(crate) const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// Atlassian caps a page at 100 resources.
pub(crate) const MAX_COUNT: usize = 100;

/// One SCIM directory: its key and its users, in creation order.
pub struct Directory {
    id: String,
    api_key: String,
    users: Mutex<Vec<Map<String, Value>>>,
    pub(crate) groups: Mutex<Vec<Map<String, Value>>>,
    next_id: AtomicU64,
    next_trace: AtomicU64,
    /// Requests received (every handler authorizes first).
    pub(crate) requests: AtomicU64,
}

impl Directory {
    pub fn new(id: &str, api_key: &str) -> Self {
        Directory {
            id: id.into(),
            api_key: api_key.into(),
            users: Mutex::new(Vec::new()),
            groups: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            next_trace: AtomicU64::new(1),
            requests: AtomicU64::new(0),
        }
    }

    pub(crate) fn users(&self) -> std::sync::MutexGuard<'_, Vec<Map<String, Value>>> {
        // A panic in one handler must not take the demo down for the others.
        self.users.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `count` users at once (`user1@example.com`, ...), for paging tests.
    pub fn seed_users(&self, count: usize) {
        let mut users = self.users();
        let start = users.len();
        for n in start + 1..=start + count {
            let id = self.new_user_id();
            let mut user = Map::new();
            user.insert("userName".into(), json!(format!("user{n}@example.com")));
            user.insert("externalId".into(), json!(format!("ext-{n}")));
            stamp(&mut user, &id, format!("/Users/{id}"), None);
            users.push(user);
        }
    }

    pub(crate) fn new_user_id(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        format!(
            "{n:08x}-5c1a-4d2e-9a3b-{:012x}",
            n.wrapping_mul(0x9e37_79b9)
        )
    }

    fn trace_id(&self) -> String {
        format!(
            "{:016x}",
            self.next_trace.fetch_add(1, Ordering::Relaxed) * 0x2545_f491
        )
    }

    /// The gateway's answer to a key that does not grant this directory.
    fn unauthorized(&self, directory: &str) -> Response {
        let body = json!({
            "error": format!("Not authorized to access : scim/directory/{directory}/Users"),
            "traceId": self.trace_id(),
        });
        (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }

    pub(crate) fn authorize(&self, headers: &HeaderMap, directory: &str) -> Result<(), Response> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if directory == self.id && presented == Some(self.api_key.as_str()) {
            Ok(())
        } else {
            Err(self.unauthorized(directory))
        }
    }
}

pub(crate) type Shared = Arc<Directory>;

pub fn router(directory: Shared) -> Router {
    Router::new()
        .route(
            "/scim/directory/{directory}/Users",
            get(list_users).post(create_user),
        )
        .route(
            "/scim/directory/{directory}/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
        .route(
            "/scim/directory/{directory}/Groups",
            get(crate::scim_groups::list).post(crate::scim_groups::create),
        )
        .route(
            "/scim/directory/{directory}/Groups/{id}",
            get(crate::scim_groups::read)
                .put(crate::scim_groups::replace)
                .patch(crate::scim_groups::patch)
                .delete(crate::scim_groups::delete),
        )
        .fallback(|| async { scim_error(StatusCode::NOT_FOUND, None, "Resource not found") })
        .with_state(directory)
}

pub(crate) fn scim_json(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/scim+json")],
        body.to_string(),
    )
        .into_response()
}

/// An RFC 7644 §3.12 error.
pub(crate) fn scim_error(status: StatusCode, scim_type: Option<&str>, detail: &str) -> Response {
    let mut body = json!({
        "schemas": [ERROR_SCHEMA],
        "status": status.as_str(),
        "detail": detail,
    });
    if let Some(scim_type) = scim_type {
        body["scimType"] = json!(scim_type);
    }
    scim_json(status, &body)
}

fn not_found(id: &str) -> Response {
    scim_error(StatusCode::NOT_FOUND, None, &format!("User {id} not found"))
}

/// The operations of a PATCH body, which must be a SCIM PatchOp.
pub(crate) fn patch_operations(body: &Bytes) -> Result<Vec<Value>, Response> {
    let patch = parse_object(body)?;
    let is_patch_op = patch
        .get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|s| s == PATCH_SCHEMA));
    match patch.get("Operations").and_then(Value::as_array) {
        Some(operations) if is_patch_op => Ok(operations.clone()),
        _ => Err(scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            &format!("A PATCH body is a PatchOp: {{\"schemas\":[\"{PATCH_SCHEMA}\"],\"Operations\":[...]}}"),
        )),
    }
}

pub(crate) fn parse_object(body: &Bytes) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            "The request body must be a JSON object",
        )),
        Err(e) => Err(scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidSyntax"),
            &format!("The request body is not valid JSON: {e}"),
        )),
    }
}

fn user_name(user: &Map<String, Value>) -> Option<&str> {
    user.get("userName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn require_user_name(user: &Map<String, Value>) -> Result<(), Response> {
    match user_name(user) {
        Some(_) => Ok(()),
        None => Err(scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            "Attribute 'userName' is required",
        )),
    }
}

fn name_taken(users: &[Map<String, Value>], name: &str, except: Option<&str>) -> bool {
    users.iter().any(|u| {
        user_name(u).is_some_and(|n| n.eq_ignore_ascii_case(name))
            && u.get("id").and_then(Value::as_str) != except
    })
}

pub(crate) fn conflict(name: &str) -> Response {
    scim_error(
        StatusCode::CONFLICT,
        Some("uniqueness"),
        &format!("A user with userName '{name}' already exists in this directory"),
    )
}

pub(crate) fn location(headers: &HeaderMap, directory: &str, id: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}/scim/directory/{directory}/Users/{id}")
}

/// Fields the server owns; a client's values for them are ignored.
fn strip_server_fields(user: &mut Map<String, Value>) {
    user.remove("id");
    user.remove("meta");
}

fn stamp(user: &mut Map<String, Value>, id: &str, location: String, created: Option<Value>) {
    let now = now_rfc3339();
    user.insert("id".into(), json!(id));
    user.insert("schemas".into(), json!([USER_SCHEMA]));
    user.entry("active").or_insert(json!(true));
    user.insert(
        "meta".into(),
        json!({
            "resourceType": "User",
            "created": created.unwrap_or_else(|| json!(now)),
            "lastModified": now,
            "location": location,
        }),
    );
}

async fn create_user(
    State(dir): State<Shared>,
    Path(directory): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(denied) = dir.authorize(&headers, &directory) {
        return denied;
    }
    let mut user = match parse_object(&body).and_then(|u| require_user_name(&u).map(|()| u)) {
        Ok(user) => user,
        Err(error) => return error,
    };
    let mut users = dir.users();
    let name = user_name(&user).unwrap_or_default().to_string();
    if name_taken(&users, &name, None) {
        return conflict(&name);
    }
    strip_server_fields(&mut user);
    let id = dir.new_user_id();
    let location = location(&headers, &directory, &id);
    stamp(&mut user, &id, location.clone(), None);
    users.push(user.clone());
    let mut response = scim_json(StatusCode::CREATED, &Value::Object(user));
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

async fn get_user(
    State(dir): State<Shared>,
    Path((directory, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = dir.authorize(&headers, &directory) {
        return denied;
    }
    let users = dir.users();
    match users.iter().find(|u| u["id"] == id.as_str()) {
        Some(user) => scim_json(StatusCode::OK, &Value::Object(user.clone())),
        None => not_found(&id),
    }
}

async fn replace_user(
    State(dir): State<Shared>,
    Path((directory, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(denied) = dir.authorize(&headers, &directory) {
        return denied;
    }
    let mut user = match parse_object(&body).and_then(|u| require_user_name(&u).map(|()| u)) {
        Ok(user) => user,
        Err(error) => return error,
    };
    let mut users = dir.users();
    let Some(index) = users.iter().position(|u| u["id"] == id.as_str()) else {
        return not_found(&id);
    };
    let name = user_name(&user).unwrap_or_default().to_string();
    if name_taken(&users, &name, Some(&id)) {
        return conflict(&name);
    }
    strip_server_fields(&mut user);
    let created = users[index]["meta"]["created"].clone();
    stamp(
        &mut user,
        &id,
        location(&headers, &directory, &id),
        Some(created),
    );
    users[index] = user.clone();
    scim_json(StatusCode::OK, &Value::Object(user))
}

async fn patch_user(
    State(dir): State<Shared>,
    Path((directory, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(denied) = dir.authorize(&headers, &directory) {
        return denied;
    }
    let operations = match patch_operations(&body) {
        Ok(operations) => operations,
        Err(error) => return error,
    };
    let mut users = dir.users();
    let Some(index) = users.iter().position(|u| u["id"] == id.as_str()) else {
        return not_found(&id);
    };
    let mut user = users[index].clone();
    for operation in operations {
        if let Err(error) = apply(&mut user, &operation) {
            return error;
        }
    }
    if let Err(error) = require_user_name(&user) {
        return error;
    }
    let name = user_name(&user).unwrap_or_default().to_string();
    if name_taken(&users, &name, Some(&id)) {
        return conflict(&name);
    }
    let created = user["meta"]["created"].clone();
    stamp(
        &mut user,
        &id,
        location(&headers, &directory, &id),
        Some(created),
    );
    users[index] = user.clone();
    scim_json(StatusCode::OK, &Value::Object(user))
}

/// Applies one PatchOp operation: `add`, `replace` or `remove` on a simple or
/// dotted attribute path (`active`, `name.givenName`), or `add`/`replace` of an
/// object of attributes when the path is absent.
fn apply(user: &mut Map<String, Value>, operation: &Value) -> Result<(), Response> {
    let invalid = |scim_type: &str, detail: String| {
        Err(scim_error(
            StatusCode::BAD_REQUEST,
            Some(scim_type),
            &detail,
        ))
    };
    let op = operation
        .get("op")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let path = operation.get("path").and_then(Value::as_str);
    let value = operation.get("value");
    if !matches!(op.as_str(), "add" | "replace" | "remove") {
        return invalid(
            "invalidSyntax",
            format!("Unsupported op '{op}': use add, replace or remove"),
        );
    }
    let Some(path) = path else {
        return match (op.as_str(), value) {
            ("remove", _) => invalid("noTarget", "remove needs a path".into()),
            (_, Some(Value::Object(fields))) => {
                for (key, value) in fields {
                    user.insert(key.clone(), value.clone());
                }
                strip_server_fields(user);
                Ok(())
            }
            _ => invalid(
                "invalidValue",
                "Without a path the value must be an object".into(),
            ),
        };
    };
    if path.contains(['[', ']', ' ']) || path.is_empty() {
        return invalid("invalidPath", format!("Path '{path}' is not supported"));
    }
    let (parent, leaf) = match path.split_once('.') {
        Some((parent, leaf)) => {
            let entry = user.entry(parent.to_string()).or_insert_with(|| json!({}));
            match entry.as_object_mut() {
                Some(object) => (object, leaf),
                None => return invalid("invalidPath", format!("'{parent}' is not complex")),
            }
        }
        None => (&mut *user, path),
    };
    if matches!(leaf, "id" | "meta" | "schemas") {
        return invalid("mutability", format!("'{leaf}' is read-only"));
    }
    match (op.as_str(), value) {
        ("remove", _) => {
            parent.remove(leaf);
        }
        (_, Some(value)) => {
            parent.insert(leaf.to_string(), value.clone());
        }
        (_, None) => return invalid("invalidValue", format!("{op} of '{path}' needs a value")),
    }
    Ok(())
}

async fn delete_user(
    State(dir): State<Shared>,
    Path((directory, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = dir.authorize(&headers, &directory) {
        return denied;
    }
    let mut users = dir.users();
    match users.iter().position(|u| u["id"] == id.as_str()) {
        Some(index) => {
            users.remove(index);
            StatusCode::NO_CONTENT.into_response()
        }
        None => not_found(&id),
    }
}

/// `GET /Users?startIndex=&count=&filter=`.
async fn list_users(
    State(dir): State<Shared>,
    Path(directory): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = dir.authorize(&headers, &directory) {
        return denied;
    }
    let mut start_index = 1usize;
    let mut count = MAX_COUNT;
    let mut filter = None;
    for (key, value) in crate::form::pairs(query.as_deref().unwrap_or_default()) {
        match key.as_str() {
            "startIndex" => match value.parse::<i64>() {
                Ok(n) => start_index = n.max(1) as usize,
                Err(_) => return bad_number("startIndex", &value),
            },
            "count" => match value.parse::<i64>() {
                Ok(n) => count = n.clamp(0, MAX_COUNT as i64) as usize,
                Err(_) => return bad_number("count", &value),
            },
            "filter" => match parse_filter(&value) {
                Some(parsed) => filter = Some(parsed),
                None => {
                    return scim_error(
                        StatusCode::BAD_REQUEST,
                        Some("invalidFilter"),
                        "Only filters of the form 'userName eq \"...\"' or 'externalId eq \"...\"' are supported",
                    )
                }
            },
            _ => {}
        }
    }
    let users = dir.users();
    let matching: Vec<&Map<String, Value>> = users
        .iter()
        .filter(|u| match &filter {
            Some((attribute, expected)) => u
                .get(*attribute)
                .and_then(Value::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case(expected)),
            None => true,
        })
        .collect();
    list_response(&matching, start_index, count)
}

/// A SCIM `ListResponse` of the resources from 1-based `start_index`, `count` at most.
pub(crate) fn list_response(
    matching: &[&Map<String, Value>],
    start_index: usize,
    count: usize,
) -> Response {
    let page: Vec<Value> = matching
        .iter()
        .skip(start_index - 1)
        .take(count)
        .map(|r| Value::Object((*r).clone()))
        .collect();
    scim_json(
        StatusCode::OK,
        &json!({
            "schemas": [LIST_SCHEMA],
            "totalResults": matching.len(),
            "startIndex": start_index,
            "itemsPerPage": page.len(),
            "Resources": page,
        }),
    )
}

pub(crate) fn bad_number(key: &str, value: &str) -> Response {
    scim_error(
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        &format!("'{key}' must be an integer, got '{value}'"),
    )
}

/// `userName eq "x"` or `externalId eq "x"` (attribute and operator in any case).
fn parse_filter(filter: &str) -> Option<(&'static str, String)> {
    let mut parts = filter.trim().splitn(3, ' ');
    let attribute = match parts.next()?.to_ascii_lowercase().as_str() {
        "username" => "userName",
        "externalid" => "externalId",
        _ => return None,
    };
    if !parts.next()?.eq_ignore_ascii_case("eq") {
        return None;
    }
    let value = parts.next()?.trim();
    let value = value.strip_prefix('"')?.strip_suffix('"')?;
    Some((attribute, value.replace("\\\"", "\"")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_of_the_supported_forms_parse() {
        assert_eq!(
            parse_filter(r#"userName eq "ada@example.com""#),
            Some(("userName", "ada@example.com".into()))
        );
        assert_eq!(
            parse_filter(r#"externalid EQ "x y""#),
            Some(("externalId", "x y".into()))
        );
        assert_eq!(parse_filter(r#"displayName eq "x""#), None);
        assert_eq!(parse_filter(r#"userName co "x""#), None);
        assert_eq!(parse_filter("userName eq x"), None);
    }
}
