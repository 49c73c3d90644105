//! OAuth token endpoints and credentials shared by the OAuth and tracing tests.

use super::{Recorded, Reply, TestServer};
use api_action::{Auth, ClientCredentials, RefreshToken};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const CLIENT_SECRET: &str = "cl1ent-SECRET";

/// A token endpoint that issues `tok-1`, `tok-2`, ... with `expires_in`.
pub async fn issuing_tokens(expires_in: Option<u64>, delay: Duration) -> TestServer {
    let issued = AtomicUsize::new(0);
    TestServer::start(move |_| {
        let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
        let body = match expires_in {
            Some(secs) => {
                format!(r#"{{"access_token":"tok-{n}","token_type":"bearer","expires_in":{secs}}}"#)
            }
            None => format!(r#"{{"access_token":"tok-{n}","token_type":"bearer"}}"#),
        };
        Reply::json(200, &body).delay(delay)
    })
    .await
}

pub fn ims(tokens: &TestServer) -> ClientCredentials {
    ClientCredentials::new(
        format!("{}/ims/token/v3", tokens.url()),
        "client-1",
        CLIENT_SECRET,
    )
    .scope("openid,AdobeID,user_management_sdk")
    .client_id_header("X-Api-Key")
}

pub fn seen_auth(api: &TestServer) -> Vec<String> {
    api.requests()
        .iter()
        .map(|r| r.header("authorization").unwrap_or_default().to_string())
        .collect()
}

/// A 3LO token endpoint: refresh token `r-N` is exchanged for access token `tok-N`
/// and refresh token `r-(N+1)`; any other refresh token is dead.
pub async fn rotating_tokens() -> TestServer {
    rotating_tokens_after(Duration::ZERO).await
}

/// The same, answering only after `delay`.
pub async fn rotating_tokens_after(delay: Duration) -> TestServer {
    let newest = Mutex::new(1usize);
    TestServer::start(move |request: &Recorded| {
        let mut newest = newest.lock().unwrap();
        let presented = request.form_field("refresh_token").unwrap_or_default();
        if presented != format!("r-{newest}") {
            return Reply::json(
                403,
                r#"{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}"#,
            );
        }
        let n = *newest;
        *newest += 1;
        Reply::json(
            200,
            &format!(
                r#"{{"access_token":"tok-{n}","expires_in":3600,"refresh_token":"r-{}","token_type":"Bearer","scope":"read:jira-work offline_access"}}"#,
                n + 1
            ),
        )
        .delay(delay)
    })
    .await
}

pub fn three_lo(tokens: &TestServer, refresh: &str, rotated: Arc<Mutex<Vec<String>>>) -> Auth {
    Auth::refresh_token(
        RefreshToken::new(
            format!("{}/oauth/token", tokens.url()),
            "app-1",
            CLIENT_SECRET,
            refresh,
        )
        .on_rotate(move |new| {
            use api_action::ExposeSecret;
            rotated
                .lock()
                .unwrap()
                .push(new.expose_secret().to_string());
        }),
    )
}
