//! An embedded demo server that behaves like Atlassian's SCIM user-provisioning API,
//! so examples and tests run offline, with no account.
//!
//! It is a real HTTP server (axum on hyper) bound to `127.0.0.1` on a port the OS
//! picks. What it implements follows Atlassian's public documentation:
//!
//! * base `/scim/directory/{directoryId}`, `Authorization: Bearer <directory API key>`;
//!   a wrong or missing key gets `401` with the gateway's `{"error", "traceId"}` body;
//! * `POST /Users` (`201` + `Location`; `409` `uniqueness` on a repeated `userName`),
//!   `GET /Users/{id}`, `PUT` (replace), `PATCH` (a SCIM `PatchOp`), `DELETE` (`204`,
//!   and `404` for that user afterwards);
//! * `GET /Users` with `startIndex` (1-based), `count` (at most 100) and `filter`
//!   (`userName eq "..."` or `externalId eq "..."`), answering a `ListResponse`;
//! * SCIM error bodies (RFC 7644 §3.12) and `Content-Type: application/scim+json`.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let demo = action_demo::DemoServer::start().await?;
//! println!("SCIM API at {}", demo.scim_base_url());
//! # Ok(()) }
//! ```

mod scim;
mod time;

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

/// The directory the demo serves.
pub const SCIM_DIRECTORY_ID: &str = "demo-directory";
/// The directory API key the demo accepts (`Authorization: Bearer ...`).
pub const SCIM_API_KEY: &str = "demo-scim-api-key";

/// A running demo server. Dropping it shuts the server down.
#[derive(Debug)]
pub struct DemoServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl DemoServer {
    /// Starts the server on `127.0.0.1` and a free port, on the current tokio
    /// runtime.
    pub async fn start() -> std::io::Result<DemoServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(scim::Directory::new(SCIM_DIRECTORY_ID, SCIM_API_KEY));
        let app = scim::router(state);
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
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
