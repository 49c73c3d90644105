//! SCIM `/Groups` of the demo directory: create, read, list, replace, patch
//! (rename, add and remove members), delete.

use crate::scim::{parse_object, scim_error, scim_json, Shared, MAX_COUNT};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

fn display_name(group: &Map<String, Value>) -> Option<&str> {
    group
        .get("displayName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn not_found(id: &str) -> Response {
    scim_error(
        StatusCode::NOT_FOUND,
        None,
        &format!("Group {id} not found"),
    )
}

/// Checks a group body: a `displayName`, members as `{"value": id}`; returns it
/// with server fields set.
fn checked(mut group: Map<String, Value>, id: &str) -> Result<Map<String, Value>, Response> {
    if display_name(&group).is_none() {
        return Err(scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            "Attribute 'displayName' is required",
        ));
    }
    let members = group.remove("members").unwrap_or(json!([]));
    let Some(members) = members
        .as_array()
        .filter(|m| m.iter().all(|m| m["value"].is_string()))
    else {
        return Err(scim_error(
            StatusCode::BAD_REQUEST,
            Some("invalidValue"),
            "'members' must be a list of {\"value\": userId}",
        ));
    };
    group.insert("members".into(), json!(members));
    group.insert("id".into(), json!(id));
    group.insert("schemas".into(), json!([GROUP_SCHEMA]));
    group.insert("meta".into(), json!({ "resourceType": "Group" }));
    Ok(group)
}

fn taken(groups: &[Map<String, Value>], name: &str, except: Option<&str>) -> bool {
    groups.iter().any(|g| {
        display_name(g).is_some_and(|n| n.eq_ignore_ascii_case(name))
            && g.get("id").and_then(Value::as_str) != except
    })
}

fn conflict(name: &str) -> Response {
    scim_error(
        StatusCode::CONFLICT,
        Some("uniqueness"),
        &format!("A group named '{name}' already exists in this directory"),
    )
}

pub async fn create(
    State(dir): State<Shared>,
    Path(directory): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(denied) = dir.authorize(&headers, &directory) {
        return denied;
    }
    let id = dir.new_user_id();
    let group = match parse_object(&body).and_then(|g| checked(g, &id)) {
        Ok(group) => group,
        Err(error) => return error,
    };
    let mut groups = dir
        .groups
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let name = display_name(&group).unwrap_or_default().to_string();
    if taken(&groups, &name, None) {
        return conflict(&name);
    }
    groups.push(group.clone());
    scim_json(StatusCode::CREATED, &Value::Object(group))
}

pub async fn read(
    State(dir): State<Shared>,
    Path((directory, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = dir.authorize(&headers, &directory) {
        return denied;
    }
    let groups = dir
        .groups
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match groups.iter().find(|g| g["id"] == id.as_str()) {
        Some(group) => scim_json(StatusCode::OK, &Value::Object(group.clone())),
        None => not_found(&id),
    }
}

pub async fn replace(
    State(dir): State<Shared>,
    Path((directory, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(denied) = dir.authorize(&headers, &directory) {
        return denied;
    }
    let group = match parse_object(&body).and_then(|g| checked(g, &id)) {
        Ok(group) => group,
        Err(error) => return error,
    };
    let mut groups = dir
        .groups
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(index) = groups.iter().position(|g| g["id"] == id.as_str()) else {
        return not_found(&id);
    };
    let name = display_name(&group).unwrap_or_default().to_string();
    if taken(&groups, &name, Some(&id)) {
        return conflict(&name);
    }
    groups[index] = group.clone();
    scim_json(StatusCode::OK, &Value::Object(group))
}

/// PatchOp on a group: `replace displayName`, `add members`, `remove members`
/// (all, or those listed in `value`, or `members[value eq "id"]`).
pub async fn patch(
    State(dir): State<Shared>,
    Path((directory, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(denied) = dir.authorize(&headers, &directory) {
        return denied;
    }
    let operations = match crate::scim::patch_operations(&body) {
        Ok(operations) => operations,
        Err(error) => return error,
    };
    let mut groups = dir
        .groups
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(index) = groups.iter().position(|g| g["id"] == id.as_str()) else {
        return not_found(&id);
    };
    let mut group = groups[index].clone();
    for operation in operations {
        let op = operation["op"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let path = operation["path"].as_str().unwrap_or_default();
        let value = &operation["value"];
        let members = group.entry("members").or_insert(json!([]));
        let members = members.as_array_mut().expect("members are a list");
        let ids = |value: &Value| -> Vec<String> {
            value
                .as_array()
                .map(|v| {
                    v.iter()
                        .filter_map(|m| m["value"].as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        match (op.as_str(), path) {
            ("replace", "displayName") if value.is_string() => {
                group.insert("displayName".into(), value.clone());
            }
            ("add", "members") => {
                for member in ids(value) {
                    if !members.iter().any(|m| m["value"] == member.as_str()) {
                        members.push(json!({ "value": member }));
                    }
                }
            }
            ("remove", "members") if value.is_null() => members.clear(),
            ("remove", "members") => {
                let gone = ids(value);
                members.retain(|m| !gone.iter().any(|g| m["value"] == g.as_str()));
            }
            ("remove", path)
                if path.starts_with("members[value eq \"") && path.ends_with("\"]") =>
            {
                let gone = &path["members[value eq \"".len()..path.len() - 2];
                members.retain(|m| m["value"] != gone);
            }
            _ => {
                return scim_error(
                    StatusCode::BAD_REQUEST,
                    Some("invalidPath"),
                    &format!("Unsupported group operation '{op}' on '{path}'"),
                )
            }
        }
    }
    let name = display_name(&group).unwrap_or_default().to_string();
    if taken(&groups, &name, Some(&id)) {
        return conflict(&name);
    }
    groups[index] = group.clone();
    scim_json(StatusCode::OK, &Value::Object(group))
}

pub async fn delete(
    State(dir): State<Shared>,
    Path((directory, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = dir.authorize(&headers, &directory) {
        return denied;
    }
    let mut groups = dir
        .groups
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match groups.iter().position(|g| g["id"] == id.as_str()) {
        Some(index) => {
            groups.remove(index);
            StatusCode::NO_CONTENT.into_response()
        }
        None => not_found(&id),
    }
}

/// `GET /Groups?startIndex=&count=&filter=displayName eq "..."`.
pub async fn list(
    State(dir): State<Shared>,
    Path(directory): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = dir.authorize(&headers, &directory) {
        return denied;
    }
    let (mut start, mut count, mut filter) = (1usize, MAX_COUNT, None::<String>);
    for (key, value) in crate::form::pairs(query.as_deref().unwrap_or_default()) {
        match key.as_str() {
            "startIndex" => start = value.parse::<usize>().unwrap_or(1).max(1),
            "count" => count = value.parse::<usize>().unwrap_or(MAX_COUNT).min(MAX_COUNT),
            "filter" => {
                let expected = value
                    .strip_prefix("displayName eq \"")
                    .and_then(|v| v.strip_suffix('"'));
                match expected {
                    Some(name) => filter = Some(name.to_string()),
                    None => {
                        return scim_error(
                            StatusCode::BAD_REQUEST,
                            Some("invalidFilter"),
                            "Only 'displayName eq \"...\"' is supported for groups",
                        )
                    }
                }
            }
            _ => {}
        }
    }
    let groups = dir
        .groups
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let matching: Vec<&Map<String, Value>> = groups
        .iter()
        .filter(|g| {
            filter.as_deref().map_or(true, |f| {
                display_name(g).is_some_and(|n| n.eq_ignore_ascii_case(f))
            })
        })
        .collect();
    crate::scim::list_response(&matching, start, count)
}
