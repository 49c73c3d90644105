//! An embedded demo server that behaves like the services of the seed, so examples
//! and tests run offline, with no account.
//!
//! It is a real HTTP server (axum on hyper) bound to `127.0.0.1` on a port the OS
//! picks, serving, after Atlassian's and Adobe's public documentation:
//!
//! * **Atlassian SCIM user provisioning** under `/scim/directory/{directoryId}`,
//!   `Authorization: Bearer <directory API key>` (a wrong key gets `401` with the
//!   gateway's `{"error", "traceId"}` body): `POST /Users` (`201` + `Location`; `409`
//!   `uniqueness` on a repeated `userName`), `GET /Users/{id}`, `PUT`, `PATCH` (a
//!   SCIM `PatchOp`), `DELETE` (`204`, then `404`), and `GET /Users` with
//!   `startIndex` (1-based), `count` (at most 100) and `filter` (`userName eq` or
//!   `externalId eq`), answering a `ListResponse`; SCIM error bodies and
//!   `Content-Type: application/scim+json`.
//! * **Atlassian OAuth 2.0 (3LO)**: `POST /oauth/token` with `grant_type=refresh_token`
//!   rotates the refresh token on every use (a dead one gets `403 invalid_grant`);
//!   Jira's `GET /ex/jira/{cloudId}/rest/api/3/myself` takes the bearer token, and
//!   `GET /rest/api/3/myself` takes Basic `email:api-token`.
//! * **Adobe IMS** `POST /ims/token/v3` (client credentials, `expires_in: 86399`) and
//!   **User Management** under `/v2/usermanagement` (`users/{orgId}/{page}`,
//!   `organizations/{orgId}/users/{email}`, `groups/{orgId}/{page}`), which demands
//!   both `Authorization: Bearer` and `X-Api-Key` and otherwise answers an empty `401`
//!   with `WWW-Authenticate`.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let demo = action_demo::DemoServer::start().await?;
//! println!("SCIM API at {}", demo.scim_base_url());
//! # Ok(()) }
//! ```

// Handlers' helpers return a ready `Response` as their error, the usual axum
// shape; its size does not matter on a demo server.
#![allow(clippy::result_large_err)]

mod adobe;
mod atlassian;
mod form;
mod jira;
mod scim;
mod scim_groups;
mod time;
mod tokens;

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

/// The directory the demo serves.
pub const SCIM_DIRECTORY_ID: &str = "demo-directory";
/// The directory API key the demo accepts (`Authorization: Bearer ...`).
pub const SCIM_API_KEY: &str = "demo-scim-api-key";

/// The Adobe integration's client id (also its `X-Api-Key`).
pub const ADOBE_CLIENT_ID: &str = "demo-adobe-client-id";
/// The Adobe integration's client secret.
pub const ADOBE_CLIENT_SECRET: &str = "demo-adobe-client-secret";
/// The Adobe organization the demo serves.
pub const ADOBE_ORG_ID: &str = "DEMO0000000000000000ABCD@AdobeOrg";

/// The Atlassian 3LO app's client id.
pub const JIRA_CLIENT_ID: &str = "demo-jira-app-id";
/// The Atlassian 3LO app's client secret.
pub const JIRA_CLIENT_SECRET: &str = "demo-jira-app-secret";
/// The refresh token the demo starts with; the first refresh kills it.
pub const JIRA_REFRESH_TOKEN: &str = "demo-jira-refresh-token-0";
/// The Jira site's cloud id (for `/ex/jira/{cloudId}`).
pub const JIRA_CLOUD_ID: &str = "demo-cloud-id";
/// The Jira user's email, for Basic auth.
pub const JIRA_EMAIL: &str = "ada@example.com";
/// The Jira user's API token, for Basic auth.
pub const JIRA_API_TOKEN: &str = "demo-jira-api-token";

/// A running demo server. Dropping it shuts the server down.
pub struct DemoServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    adobe: Arc<adobe::Adobe>,
    atlassian: Arc<atlassian::Atlassian>,
    directory: Arc<scim::Directory>,
}

impl std::fmt::Debug for DemoServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl DemoServer {
    /// Starts the server on `127.0.0.1` and a free port, on the current tokio
    /// runtime.
    pub async fn start() -> std::io::Result<DemoServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let directory = Arc::new(scim::Directory::new(SCIM_DIRECTORY_ID, SCIM_API_KEY));
        let adobe = Arc::new(adobe::Adobe::new());
        let atlassian = Arc::new(atlassian::Atlassian::new(JIRA_REFRESH_TOKEN));
        let app = scim::router(directory.clone())
            .merge(adobe::router(adobe.clone()))
            .merge(atlassian::router(atlassian.clone()));
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(DemoServer {
            addr,
            shutdown: Some(shutdown),
            adobe,
            atlassian,
            directory,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The SCIM base URL, as Atlassian gives it to an admin:
    /// `http://127.0.0.1:PORT/scim/directory/demo-directory`.
    pub fn scim_base_url(&self) -> String {
        format!("http://{}/scim/directory/{SCIM_DIRECTORY_ID}", self.addr)
    }

    /// The Adobe IMS token endpoint: `http://127.0.0.1:PORT/ims/token/v3`.
    pub fn ims_token_url(&self) -> String {
        format!("http://{}/ims/token/v3", self.addr)
    }

    /// The User Management API base: `http://127.0.0.1:PORT/v2/usermanagement`.
    pub fn umapi_base_url(&self) -> String {
        format!("http://{}/v2/usermanagement", self.addr)
    }

    /// The Atlassian 3LO token endpoint: `http://127.0.0.1:PORT/oauth/token`.
    pub fn atlassian_token_url(&self) -> String {
        format!("http://{}/oauth/token", self.addr)
    }

    /// Jira through the OAuth gateway: `http://127.0.0.1:PORT/ex/jira/demo-cloud-id`.
    pub fn jira_oauth_base_url(&self) -> String {
        format!("http://{}/ex/jira/{JIRA_CLOUD_ID}", self.addr)
    }

    /// Jira on its site, for Basic auth: `http://127.0.0.1:PORT`.
    pub fn jira_site_url(&self) -> String {
        self.url()
    }

    /// Adds `count` users to the SCIM directory (`user1@example.com`, ...).
    pub fn seed_scim_users(&self, count: usize) {
        self.directory.seed_users(count);
    }

    /// Adds `count` Jira projects (`P1`, `P2`, ...; 3 exist to begin with).
    pub fn seed_jira_projects(&self, count: usize) {
        self.atlassian.jira.seed_projects(count);
    }

    /// Adds `count` issues to the Jira project `OPS`.
    pub fn seed_jira_issues(&self, count: usize) {
        self.atlassian.jira.seed_issues(count);
    }

    /// The next `count` Jira API requests answer `429 Too Many Requests` with
    /// `Retry-After: 1` and Jira's rate-limit headers.
    pub fn throttle_jira(&self, count: usize) {
        self.atlassian.jira.throttle(count);
    }

    /// How many Jira API requests the site has received.
    pub fn jira_requests(&self) -> usize {
        self.atlassian
            .jira
            .requests
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Adds `count` users to the Adobe organization (`member1@example.com`, ...).
    pub fn seed_umapi_users(&self, count: usize) {
        self.adobe.seed_users(count);
    }

    /// The next `count` User Management API requests answer `429 Too Many Requests`
    /// with `Retry-After` as an HTTP-date a second ahead.
    pub fn throttle_umapi(&self, count: usize) {
        self.adobe
            .throttled
            .store(count, std::sync::atomic::Ordering::SeqCst);
    }

    /// How many User Management API requests have been received.
    pub fn umapi_requests(&self) -> usize {
        self.adobe
            .api_requests
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many requests the SCIM directory has received.
    pub fn scim_requests(&self) -> u64 {
        self.directory
            .requests
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many requests the IMS token endpoint has received.
    pub fn ims_token_requests(&self) -> usize {
        self.adobe
            .token_requests
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// How many requests the 3LO token endpoint has received.
    pub fn atlassian_token_requests(&self) -> usize {
        self.atlassian
            .token_requests
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Makes every 3LO access token issued so far invalid, as if it had expired on
    /// the server's side before its `expires_in`.
    pub fn expire_atlassian_access_tokens(&self) {
        self.atlassian.expire_access_tokens();
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
