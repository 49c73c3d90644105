//! Token bookkeeping shared by the demo's OAuth endpoints.

use axum::http::{header, HeaderMap};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

/// The access tokens one issuer has handed out.
pub struct TokenBook {
    prefix: &'static str,
    issued: Mutex<HashSet<String>>,
    counter: AtomicU64,
}

impl TokenBook {
    pub fn new(prefix: &'static str) -> Self {
        TokenBook {
            prefix,
            issued: Mutex::new(HashSet::new()),
            counter: AtomicU64::new(1),
        }
    }

    /// A new opaque token, valid from now on.
    pub fn issue(&self) -> String {
        let token = self.fresh("at");
        self.issued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(token.clone());
        token
    }

    /// A new opaque value that is not recorded as an access token.
    pub fn fresh(&self, kind: &str) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        format!(
            "{}-{kind}-{n}-{:08x}",
            self.prefix,
            nanos ^ (n as u32).wrapping_mul(0x9e37_79b9)
        )
    }

    pub fn is_valid(&self, token: &str) -> bool {
        self.issued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(token)
    }

    /// Forgets every token issued so far (as if they had expired).
    pub fn expire_all(&self) {
        self.issued
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// A token request's fields: RFC 6749 form encoding, or the JSON body Atlassian
/// also accepts.
pub fn form_or_json(headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
            return HashMap::new();
        };
        return fields
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_string())))
            .collect();
    }
    crate::form::pairs(&String::from_utf8_lossy(body))
        .into_iter()
        .collect()
}
