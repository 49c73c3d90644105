//! Connectors for the services of the seed, configured as their documentation
//! says. Every preset returns a builder (or a scheme), so base URLs, token URLs and
//! policies stay overridable: tests and examples point them at a local server.
//!
//! ```
//! use action_core::presets;
//!
//! let scim = presets::atlassian_scim("d-1", "directory-api-key").build()?;
//! assert_eq!(scim.base_url(), "https://api.atlassian.com/scim/directory/d-1");
//!
//! let jira = presets::jira_cloud_basic("acme", "ada@example.com", "api-token").build()?;
//! assert_eq!(jira.base_url(), "https://acme.atlassian.net");
//!
//! let ims = presets::adobe_ims("client-id", "client-secret");
//! let umapi = presets::adobe_umapi(ims).build()?;
//! assert_eq!(umapi.base_url(), "https://usermanagement.adobe.io/v2/usermanagement");
//! # Ok::<(), action_core::Error>(())
//! ```

use crate::auth::Auth;
use crate::connector::{Connector, ConnectorBuilder};
use crate::oauth::{ClientCredentials, RefreshToken};

/// Atlassian's SCIM provisioning API; the directory id follows it.
pub const ATLASSIAN_SCIM_BASE: &str = "https://api.atlassian.com/scim/directory";
/// Atlassian's OAuth 2.0 (3LO) token endpoint.
pub const ATLASSIAN_TOKEN_URL: &str = "https://auth.atlassian.com/oauth/token";
/// Jira Cloud through the OAuth gateway; the cloud id follows it.
pub const JIRA_OAUTH_BASE: &str = "https://api.atlassian.com/ex/jira";
/// Adobe IMS's token endpoint (North America).
pub const ADOBE_IMS_TOKEN_URL: &str = "https://ims-na1.adobelogin.com/ims/token/v3";
/// The scope the User Management API requires.
pub const ADOBE_UMAPI_SCOPE: &str = "openid,AdobeID,user_management_sdk";
/// The User Management API.
pub const ADOBE_UMAPI_BASE: &str = "https://usermanagement.adobe.io/v2/usermanagement";

/// Atlassian user provisioning (SCIM 2.0): the directory's API key as a bearer
/// token (not the organisation admin key), SCIM JSON both ways.
pub fn atlassian_scim(
    directory_id: &str,
    directory_api_key: impl Into<String>,
) -> ConnectorBuilder {
    Connector::builder(format!("{ATLASSIAN_SCIM_BASE}/{directory_id}"))
        .auth(Auth::bearer(directory_api_key))
        .content_type("application/scim+json")
        .header("Accept", "application/scim+json")
}

/// Jira Cloud on its site (`acme` or `acme.atlassian.net`), with Basic auth from an
/// account's email and API token.
pub fn jira_cloud_basic(
    site: &str,
    email: impl Into<String>,
    api_token: impl Into<String>,
) -> ConnectorBuilder {
    let host = if site.contains('.') {
        site.to_string()
    } else {
        format!("{site}.atlassian.net")
    };
    Connector::builder(format!("https://{host}")).auth(Auth::basic(email, api_token))
}

/// The OAuth 2.0 (3LO) refresh-token scheme of an Atlassian app: Atlassian's token
/// endpoint, rotating refresh tokens. Add `.on_rotate(..)` to persist them.
pub fn atlassian_3lo(
    client_id: impl Into<String>,
    client_secret: impl Into<String>,
    refresh_token: impl Into<String>,
) -> RefreshToken {
    RefreshToken::new(ATLASSIAN_TOKEN_URL, client_id, client_secret, refresh_token)
}

/// Jira Cloud through the OAuth gateway (`api.atlassian.com/ex/jira/{cloudId}`),
/// authenticated by a 3LO app (see [`atlassian_3lo`]). Pass an [`Auth`] clone
/// instead of the scheme to share one grant between connectors.
pub fn jira_cloud_oauth(cloud_id: &str, app: impl Into<Auth>) -> ConnectorBuilder {
    Connector::builder(format!("{JIRA_OAUTH_BASE}/{cloud_id}")).auth(app.into())
}

/// The OAuth server-to-server credentials of an Adobe integration: IMS's token
/// endpoint, the User Management scope, and the client id sent as `X-Api-Key`
/// with every call.
pub fn adobe_ims(
    client_id: impl Into<String>,
    client_secret: impl Into<String>,
) -> ClientCredentials {
    ClientCredentials::new(ADOBE_IMS_TOKEN_URL, client_id, client_secret)
        .scope(ADOBE_UMAPI_SCOPE)
        .client_id_header("X-Api-Key")
}

/// Adobe's User Management API, authenticated by an integration's credentials
/// (see [`adobe_ims`]).
pub fn adobe_umapi(credentials: impl Into<Auth>) -> ConnectorBuilder {
    Connector::builder(ADOBE_UMAPI_BASE).auth(credentials.into())
}
